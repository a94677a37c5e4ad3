"""CPR numbers in every spelling are refused and never echoed; hostile files (links out of the dataset,
control characters, oversized or endless YAML) are one-line input errors that show nothing of the file."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_dataset, participant
from hypothesis import given, settings
from hypothesis import strategies as st

from procurekit.cli import cli
from procurekit.dataset.excel import cell_text
from procurekit.errors import DatasetError, RuleFileError
from procurekit.privacy import NOT_SHOWN, canonical, looks_like_cpr, shown
from procurekit.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
DIGITS = "0101904837"  # the made-up CPR number written in every spelling below

SEPARATORS = ["", "-", ".", "_", " ", "/", "--", "..", " - ", ",", "\\", "\t",
              "\u00a0", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\u202f", "\u3000", "\uff0f"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u0301", "\ufe0f"]
# The zero of each digit set: ASCII, full-width, Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali,
# Thai, mathematical bold (folded by NFKC).
ZEROS = [0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1D7CE]
SPELLINGS = {
    "plain": "0101904837",
    "dash": "010190-4837",
    "dot": "010190.4837",
    "underscore": "010190_4837",
    "double-dash": "010190--4837",
    "dotted-date": "01.01.90-4837",
    "space": "010190 4837",
    "en-dash": "010190\u20134837",
    "nb-hyphen": "010190\u20114837",
    "slash": "010190/4837",
    "fullwidth": "\uff10\uff11\uff10\uff11\uff19\uff10\uff14\uff18\uff13\uff17",
    "zero-width": "010190\u200b4837",
    "nbsp": "010190\u00a04837",
    "minus": "010190\u22124837",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _script(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@st.composite
def cpr_spellings(draw: st.DrawFn) -> str:
    """A CPR number as a person might write it, inside some text."""
    day = draw(st.one_of(st.integers(1, 31), st.integers(61, 91)))
    month, year, serial = draw(st.integers(1, 12)), draw(st.integers(0, 99)), draw(st.integers(0, 9999))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in range(3)]
    text = f"{day:02d}{seps[0]}{month:02d}{seps[1]}{year:02d}{seps[2]}{serial:04d}"
    text = _script(text, draw(st.sampled_from(ZEROS)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(INVISIBLE)) + text[at:]
    around = st.text(alphabet="abcxyzæøå :;()#", max_size=8)
    return draw(around) + text + draw(around)


@settings(max_examples=400, deadline=None)
@given(cpr_spellings())
def test_every_spelling_of_a_cpr_number_is_caught(text: str) -> None:
    assert looks_like_cpr(text)
    assert shown(text) == NOT_SHOWN


dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
ordinary_values = st.one_of(
    dates.map(dt.date.isoformat),
    dates.map(lambda d: d.strftime("%Y-%m")),
    dates.map(lambda d: f"{d.day}.{d.month}.{d.year}"),
    st.tuples(dates, st.sampled_from([" ", " - ", "\u2013", "/"]), dates).map(
        lambda t: t[0].isoformat() + t[1] + t[2].isoformat()
    ),
    st.decimals(min_value=0, max_value=10**9 - 1, places=3, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=10**9 - 1, places=2, allow_nan=False).map(lambda d: str(d).replace(".", ",")),
    st.integers(0, 10**9 - 1).map(str),
    st.from_regex(r"\A[A-Z]{1,4}-[0-9]{1,4}\Z"),
    st.from_regex(r"\AP[0-9]{1,3}\Z"),
    st.from_regex(r"\A20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?\Z"),
)


@settings(max_examples=400, deadline=None)
@given(ordinary_values)
def test_dates_months_decimals_and_short_ids_pass(text: str) -> None:
    assert not looks_like_cpr(text)


@pytest.mark.parametrize(
    "text", ["2017-01-02", "2017-02", "4,5", "IB-007", "P1", "3213991234", "Rengøring 2017-01-01 - 2019-12-31",
             "01.01.2017-31.12.2019", "25000000.5", "2017-01-02 10:30", "+45 12 34 56 78"]
)
def test_ordinary_values_pass(text: str) -> None:
    assert not looks_like_cpr(text)


def test_errors_show_ordinary_values_and_mask_any_with_ten_digits() -> None:
    assert shown("2017-02-30") == "2017-02-30"
    assert shown("12345678901") == NOT_SHOWN  # not CPR-shaped, but could hide one
    assert shown("\uff11\uff12\uff13\uff14\uff15 \uff16\uff17\uff18\uff19\uff10") == NOT_SHOWN
    assert shown("a\x1eb") == "a?b"


@pytest.mark.parametrize("name", list(SPELLINGS))
@pytest.mark.parametrize("column", ["participant_id", "years_on_benefits", "job_offer_terms"])
def test_check_of_the_example_never_shows_an_injected_cpr(tmp_path: Path, name: str, column: str) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(EXAMPLE, ds)
    path = ds / "participants.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = SPELLINGS[name]
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args in (["check", str(ds)], ["check", str(ds), "--format", "json", "--all"], ["report", str(ds)]):
        code, out, err = invoke(*args)
        assert code == 2, err
        assert err == (f"Error: {path}: row 2, column {column}: looks like a CPR number; use a pseudonym "
                       "(value not shown)\n")
        seen = canonical(out + err)
        assert not looks_like_cpr(seen) and "4837" not in seen and out == ""


def test_a_cpr_number_in_a_number_cell_of_a_workbook_is_refused() -> None:
    assert cell_text(10190.4837) == "010190.4837"  # 010190,4837 typed into a number cell
    assert cell_text(10190.483) == "010190.4830"  # ... and its last zero dropped
    assert looks_like_cpr(cell_text(10190.4837))
    assert cell_text(12.5) == "12.5"
    assert cell_text(99999.1234) == "99999.1234"  # month 99: no date, left as it is


def test_a_malformed_workbook_never_echoes_the_quoted_content() -> None:
    from procurekit.dataset.excel import _reason

    reason = _reason(ValueError("could not convert string to float: 'Søren Hansen 010190 4837'"))
    assert reason == f"ValueError: could not convert string to float: {NOT_SHOWN}"


# --- links out of the dataset folder ----------------------------------------------------------------


def test_a_table_linking_out_of_the_dataset_is_refused_without_its_content(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:SECRET-TOKEN\n", encoding="utf-8")
    (ds / "participants.csv").unlink()
    (ds / "participants.csv").symlink_to(secret)
    code, out, err = invoke("check", str(ds))
    assert code == 2 and out == ""
    assert err == (f"Error: {ds / 'participants.csv'}: a symbolic link to a file outside the dataset folder; "
                   "copy the file into the folder\n")
    assert "SECRET" not in err


@pytest.mark.parametrize("name", ["contract.yaml", "hours.xlsx"])
def test_contract_and_workbooks_linking_out_are_refused(tmp_path: Path, name: str) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    outside = tmp_path / f"outside-{name}"
    if name == "contract.yaml":
        shutil.move(ds / name, outside)
    else:
        outside.write_bytes(b"PK\x03\x04 not really")
    (ds / name).symlink_to(outside)
    code, _, err = invoke("check", str(ds))
    assert code == 2
    assert err == (f"Error: {ds / name}: a symbolic link to a file outside the dataset folder; "
                   "copy the file into the folder\n")


def test_links_within_the_dataset_and_a_linked_folder_are_fine(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    (ds / "data").mkdir()
    shutil.move(ds / "participants.csv", ds / "data" / "participants.csv")
    (ds / "participants.csv").symlink_to(Path("data") / "participants.csv")
    (tmp_path / "link").symlink_to(ds)
    for folder in (ds, tmp_path / "link"):
        code, _, err = invoke("check", str(folder), "--as-of", "2017-03-01")
        assert code in (0, 1), err


# --- YAML files: control characters, size, kind ---------------------------------------------------


def _with_control(path: Path, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    at = text.index(after) + len(after)
    path.write_text(text[:at] + "\x07" + text[at:], encoding="utf-8")


@pytest.mark.parametrize("which", ["contract", "rules", "tender", "assumptions"])
def test_a_control_character_in_any_yaml_file_is_exit_2_with_its_line(tmp_path: Path, which: str) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(EXAMPLE, ds)
    rules = tmp_path / "rules.yaml"
    shutil.copy(ROOT / "rules" / "ikast-brande.yaml", rules)
    out = tmp_path / "out"
    target, command = {
        "contract": (ds / "contract.yaml", ["check", str(ds)]),
        "rules": (rules, ["check", str(ds), "--rules", str(rules)]),
        "tender": (ds / "tender.yaml", ["tender", str(ds / "tender.yaml"), "--format", "md", "-o", str(out)]),
        "assumptions": (ds / "assumptions.yaml", ["business-case", "--assumptions", str(ds / "assumptions.yaml")]),
    }[which]
    _with_control(target, "\n")
    code, stdout, err = invoke(*command)
    assert code == 2, err
    assert err == f"Error: {target}:2: control character U+0007 is not allowed\n"
    assert stdout == "" and not out.exists()


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [("a: 1\nb: x\x85y\n", 2, 0x85), ("a: 1\r\nb: 2\r\nc: \x7f\n", 3, 0x7F), ("a: \x00\n", 1, 0),
     ("a: 1\rb: \x1b[31m\n", 2, 0x1B)],
)
def test_control_characters_are_named_by_line(tmp_path: Path, text: str, line: int, code: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(RuleFileError) as err:
        load_yaml(path)
    assert str(err.value) == f"{path}:{line}: control character U+{code:04X} is not allowed"


def test_an_oversized_contract_is_refused_before_it_is_read(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    with open(ds / "contract.yaml", "r+b") as fh:
        fh.truncate(3 * 2**30)  # sparse: 3 GB on paper, nothing on disk
    start = time.monotonic()
    code, _, err = invoke("check", str(ds))
    assert time.monotonic() - start < 5
    assert code == 2
    assert err == f"Error: {ds / 'contract.yaml'}: file is larger than 5 MiB\n"


def test_a_yaml_file_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)  # opening it would block for ever
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(RuleFileError, match=r": not a regular file$"):
            load_yaml(path)


def test_a_yaml_file_whose_size_stat_does_not_tell_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import procurekit.yamlio as yaml_module

    proc = Path("/proc/self/status")
    if not proc.is_file() or proc.stat().st_size != 0:
        pytest.skip("needs a /proc file that reports size 0")
    monkeypatch.setattr(yaml_module, "MAX_BYTES", 100)
    with pytest.raises(RuleFileError, match=r"file is larger than"):
        load_yaml(proc)


def test_yaml_errors_never_echo_a_cpr(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("010190-4837: a\n010190-4837: b\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_yaml(path)
    assert str(err.value) == f"{path}:2: duplicate key '{NOT_SHOWN}'"
    path.write_text("a: !010190-4837 x\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_yaml(path)
    assert "4837" not in str(err.value)


def test_a_contract_field_name_that_could_hold_a_cpr_is_not_shown(tmp_path: Path) -> None:
    from procurekit.dataset.read import read_contract

    ds = make_dataset(tmp_path / "ds", [participant("A")])
    path = ds / "contract.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "x1234567890x: 1\n", encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        read_contract(path)
    assert "1234567890" not in str(err.value) and NOT_SHOWN in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: " + "[" * 5000 + "]" * 5000 + "\n", ":1: nested deeper than 100 levels"),
     ("".join(" " * i + f"k{i}:\n" for i in range(150)) + " " * 150 + "x\n", ":102: nested deeper than 100 levels"),
     ("a: &x [*x]\n", ":1: nested deeper than 100 levels"),
     ("a: {<<: 5}\n", ":1: bad merge key: expected a mapping or list of mappings for merging, but found scalar"),
     ('a: "\\x1b[31mred"\n', ":1: control character U+001B is not allowed"),
     ('a: 1\nb: "\\ud800"\n', ":2: surrogate U+D800 is not allowed")],
    ids=["deep-flow", "deep-block", "alias-to-itself", "bad-merge", "escaped-control", "escaped-surrogate"],
)
def test_hostile_yaml_is_an_input_error_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_yaml(path)
    assert str(err.value).startswith(f"{path}{message}")


def test_a_hostile_rule_file_is_exit_2(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    rules = tmp_path / "rules.yaml"
    rules.write_text("id: x\ntitle: &t {da: [*t]}\n", encoding="utf-8")
    code, out, err = invoke("check", str(ds), "--rules", str(rules))
    assert (code, out) == (2, "")
    assert err == f"Error: {rules}:2: nested deeper than 100 levels\n"


@pytest.mark.parametrize("kind", ["dangling", "fifo", "folder"])
def test_a_table_that_is_no_readable_file_is_not_silently_skipped(tmp_path: Path, kind: str) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    hours = ds / "hours.csv"
    if kind == "dangling":
        hours.symlink_to(tmp_path / "gone.csv")
        expected = "a symbolic link that leads to no file"
    elif kind == "fifo":
        os.mkfifo(hours)
        expected = "not a regular file"
    else:
        hours.mkdir()
        expected = "not a regular file"
    code, _, err = invoke("check", str(ds))
    assert code == 2
    assert err == f"Error: {hours}: {expected}\n"


def test_a_header_that_reads_as_a_column_name_is_shown_others_not(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    path = ds / "participants.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("years_on_benefits", "years on benefits", 1), encoding="utf-8")
    _, _, err = invoke("check", str(ds))
    assert err.startswith(f"Error: {path}: row 1: unknown column 'years on benefits' (expected: participant_id,")
    path.write_text(text.replace("years_on_benefits", "-----BEGIN OPENSSH PRIVATE KEY-----", 1), encoding="utf-8")
    _, _, err = invoke("check", str(ds))
    assert err.startswith(f"Error: {path}: row 1, column 2: unknown column, not shown as it is not a column name")


def test_an_internal_error_does_not_echo_a_cpr_its_message_quotes(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: object) -> None:
        raise ValueError("unexpected value '010190-4837'")

    monkeypatch.setattr("procurekit.load_ruleset", broken)  # `rules show` imports it when run
    code, _, err = invoke("rules", "show", "ikast-brande")
    assert code == 3
    assert err == f"Error: internal error (ValueError: {NOT_SHOWN}); please report it\n"


def test_no_corpus_case_expects_a_cpr_number() -> None:
    cases = sorted((ROOT / "tests" / "corpus").glob("cpr-*/expected.txt"))
    assert len(cases) >= 20
    for path in cases:
        text = canonical(path.read_text(encoding="utf-8"))
        assert "4837" not in text and not looks_like_cpr(text), path


def test_a_cpr_number_in_a_workbook_comment_row_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    ds = make_dataset(tmp_path / "ds", [participant("A")])
    (ds / "participants.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append(["participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason"])
    ws.append(["A", 6, dt.date(2017, 1, 2)])
    ws.append(["# A is", "01.01.90-4837"])
    ws.append(["# lost zero", 101904837])
    wb.save(ds / "dataset.xlsx")
    code, _, err = invoke("check", str(ds))
    assert code == 2
    assert err == (f"Error: {ds / 'dataset.xlsx'} [participants]: row 3, column years_on_benefits: looks like a CPR "
                   "number; use a pseudonym (value not shown)\n")
    ws.delete_rows(3)
    wb.save(ds / "dataset.xlsx")
    _, _, err = invoke("check", str(ds))
    assert err.startswith(f"Error: {ds / 'dataset.xlsx'} [participants]: row 3, column years_on_benefits: looks like")
