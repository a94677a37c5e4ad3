"""The readers' problems in Danish (procurekit/messages.py): every entry's example, every message of the
hostile-input corpus, and the web page that shows them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procurekit import ProcurekitError, read_dataset
from procurekit.errors import DatasetError
from procurekit.messages import ENTRIES, danish, problem_text

CORPUS = Path(__file__).resolve().parent / "corpus"
#: Words that give an English message away (none of them is Danish, or a column or file name).
ENGLISH = re.compile(r"\b(the|is|not|a|an|of|or|and|must|expected|found|already|looks|should|file|row|"
                     r"sheet|workbook|cell|value|missing|unknown|before|outside)\b")


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=[e[2][:40] for e in ENTRIES])
def test_every_entry_puts_its_example_into_danish(index: int) -> None:
    shape, wording, example = ENTRIES[index]
    # The first entry whose shape fits is the one used: each example must reach its own entry.
    first = next(i for i, (s, _, _) in enumerate(ENTRIES) if re.fullmatch(s, example, re.DOTALL))
    assert first == index, f"{example!r} is taken by the earlier entry {ENTRIES[first][0]!r}"
    got = danish(example)
    assert got is not None and got != example
    fixed = re.sub(r"\{[a-z_]+\}", "", wording).replace("participants.csv", "").replace("'participants'", "")
    assert not ENGLISH.search(fixed), wording


def _corpus_messages() -> list[tuple[str, str]]:
    found = []
    for case in sorted(CORPUS.iterdir()):
        if not case.is_dir() or (case / "args.txt").exists():
            continue
        try:
            read_dataset(case)
        except DatasetError as exc:
            found.append((case.name, exc.message))
        except ProcurekitError:
            pass
    return found


@pytest.mark.parametrize(("case", "message"), _corpus_messages(), ids=lambda v: v if "/" not in v else "")
def test_every_problem_of_the_corpus_reads_in_danish(case: str, message: str) -> None:
    got = danish(message)
    assert got is not None, f"{case}: no Danish for {message!r}"
    if "(" in message and re.search(r"\((?:ParseError|TypeError|BadZipFile)", message):
        return  # a library's own reason for a damaged file stays as the library words it
    assert danish(message, strict=True) is not None, f"{case}: part of {message!r} has no Danish"


def test_danish_keeps_the_values_and_names_as_written() -> None:
    assert danish("2018-02 is outside P2's course (2017-02 to 2018-01)") == (
        "2018-02 ligger uden for forløbet for P2 (2017-02 til 2018-01)")
    assert danish("'2017-02-30' is not a date (YYYY-MM-DD)") == "'2017-02-30' er ikke en dato (ÅÅÅÅ-MM-DD)"
    assert danish("sheet has more than 1,000,000 rows") == "arket har mere end 1.000.000 rækker"
    assert danish("start: Field required") == "start: skal udfyldes"
    assert danish("malformed CSV (unexpected end of data)") == "ugyldig CSV (uventet slut på data)"
    # An inner message without Danish stays as its library words it; strict says so.
    assert danish("malformed CSV (new-line character seen in unquoted field)") == (
        "ugyldig CSV (new-line character seen in unquoted field)")
    assert danish("malformed CSV (new-line character seen in unquoted field)", strict=True) is None


def test_a_message_without_an_entry_is_shown_as_it_is() -> None:
    assert danish("something new went wrong") is None
    assert problem_text("something new went wrong", "da") == "something new went wrong"
    assert problem_text("file is empty; expected a header row", "en") == "file is empty; expected a header row"
    assert problem_text("file is empty; expected a header row", "da") == (
        "filen er tom; der skal være en overskriftsrække")


# --- every file's first problem -------------------------------------------------------------------


def _broken(tmp_path: Path, participants_bad: bool = False, contract_bad: bool = False) -> Path:
    from helpers import make_dataset, participant

    people = [participant("P1"), participant("P1" if participants_bad else "P2")]
    folder = make_dataset(
        tmp_path / "ds", people,
        hours=[{"participant_id": "P9", "month": "2017-01", "praktik_hours": 10, "subsidised_hours": 0,
                "ordinary_hours": 0}],
        supplier=[{"month": "2017-01", "ordinary_staff": 10, "contract_fte": 5, "target_group_fte": 6}],
        turnover=[{"year": "2030", "turnover_dkk": 1, "target_group_fte": 1, "reported_on": "2031-01-01"}],
    )
    if contract_bad:
        text = (folder / "contract.yaml").read_text(encoding="utf-8")
        (folder / "contract.yaml").write_text(text.replace("start:", "begin:"), encoding="utf-8")
    return folder


def test_every_files_first_problem_in_the_order_read_dataset_reads(tmp_path: Path) -> None:
    from procurekit import dataset_problems

    folder = _broken(tmp_path)
    found = [(Path(e.path).name, e.row, e.column) for e in dataset_problems(folder)]
    assert found == [("hours.csv", 2, "participant_id"), ("supplier.csv", 2, "target_group_fte"),
                     ("turnover.csv", 2, "year")]
    with pytest.raises(DatasetError) as first:  # read_dataset: the first of them, as before
        read_dataset(folder)
    assert str(first.value) == str(dataset_problems(folder)[0])


def test_a_file_that_others_depend_on_hides_their_checks(tmp_path: Path) -> None:
    from procurekit import dataset_problems

    # participants.csv broken: hours.csv's participants cannot be looked up, so it is not judged;
    # contract.yaml broken: turnover's years cannot be placed in the contract.
    folder = _broken(tmp_path, participants_bad=True, contract_bad=True)
    assert [Path(e.path).name for e in dataset_problems(folder)] == [
        "contract.yaml", "participants.csv", "supplier.csv"]


def test_a_dataset_that_reads_has_no_problems() -> None:
    from procurekit import dataset_problems

    assert dataset_problems(Path(__file__).resolve().parents[1] / "examples" / "ikast-brande") == []


def test_every_bad_row_of_a_file_up_to_a_limit(tmp_path: Path) -> None:
    from helpers import make_dataset, participant

    from procurekit import DatasetErrors, dataset_problems
    from procurekit.errors import MAX_PROBLEMS

    people = [participant(f"P{i}", enrolled_on="2017-02-30" if i % 3 == 0 else "2017-01-02") for i in range(200)]
    people[5] = participant("P4")  # a second P4
    folder = make_dataset(tmp_path / "ds", people)
    found = dataset_problems(folder)
    assert len(found) == MAX_PROBLEMS
    assert [(e.row, e.column) for e in found[:4]] == [
        (2, "enrolled_on"), (5, "enrolled_on"), (7, "participant_id"), (8, "enrolled_on")]
    assert "P4' already on row 6" in found[2].message
    with pytest.raises(DatasetError) as first:  # read_dataset: the first one, and it reads no further
        read_dataset(folder)
    assert str(first.value) == str(found[0]) and not isinstance(first.value, DatasetErrors)


def test_read_dataset_stops_at_the_first_bad_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import make_dataset, participant

    import procurekit.dataset.frames as frames
    from procurekit import dataset_problems

    folder = make_dataset(tmp_path / "ds", [participant(f"P{i}", enrolled_on="2017-02-30") for i in range(30)])
    parsed: list[int] = []
    real = frames.parse_row
    monkeypatch.setattr(frames, "parse_row", lambda path, row, *a: parsed.append(row) or real(path, row, *a))
    with pytest.raises(DatasetError):
        read_dataset(folder)
    assert parsed == [2]  # a large broken file is not read row by row to its end for one line
    assert len(dataset_problems(folder)) == 30


# --- procurekit dataset validate ------------------------------------------------------------------------


def _validate(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from procurekit.cli import cli

    done = CliRunner().invoke(cli, ["dataset", "validate", *args])
    return done.exit_code, done.stdout, done.stderr


def test_validate_lists_every_problem_one_line_each_in_danish_or_english(tmp_path: Path) -> None:
    folder = _broken(tmp_path)
    code, out, err = _validate(str(folder))
    assert code == 2 and err == ""
    assert out.splitlines() == [
        f"{folder}/hours.csv: række 2, kolonne participant_id: ukendt deltager 'P9' (findes ikke i participants.csv)",
        f"{folder}/supplier.csv: række 2, kolonne target_group_fte: target_group_fte er større end contract_fte",
        f"{folder}/turnover.csv: række 2, kolonne year: 2030 ligger uden for kontrakten (2017 til 2019)",
    ]
    code, out, _ = _validate(str(folder), "--lang", "en")
    assert code == 2 and out.splitlines()[0] == (
        f"{folder}/hours.csv: row 2, column participant_id: unknown participant 'P9' (not in participants.csv)")
    with pytest.raises(DatasetError) as first:  # the first line is check's one line
        read_dataset(folder)
    assert f"{first.value}" == out.splitlines()[0]


def test_validate_as_json_and_a_dataset_that_reads(tmp_path: Path) -> None:
    import json

    code, out, _ = _validate(str(_broken(tmp_path, contract_bad=True)), "--format", "json")
    doc = json.loads(out)
    assert code == 2 and doc["ok"] is False
    assert doc["problems"][0] == {"file": doc["problems"][0]["file"], "sheet": None, "row": None, "column": None,
                                  "line": 1, "message": "start: skal udfyldes"}
    example = str(Path(__file__).resolve().parents[1] / "examples" / "ikast-brande")
    assert _validate(example) == (0, "ingen problemer: datasættet kan læses\n", "")
    assert _validate(example, "--format", "json", "--lang", "en")[0] == 0


def test_validate_never_echoes_a_cpr_number(tmp_path: Path) -> None:
    from helpers import make_dataset, participant

    folder = make_dataset(tmp_path / "ds", [participant("P1"), participant("P2", exit_reason="010190-4837")])
    code, out, _ = _validate(str(folder))
    assert code == 2 and "4837" not in out and "ligner et CPR-nummer" in out


def test_validate_a_register_lists_each_contracts_problems(tmp_path: Path) -> None:
    import shutil

    register = tmp_path / "register"
    bad = _broken(register)  # register/ds
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "ikast-brande", register / "good")
    code, out, _ = _validate(str(register))
    assert code == 2 and len(out.splitlines()) == 3 and all(line.startswith(str(bad)) for line in out.splitlines())
    code, out, err = _validate(str(tmp_path / "register" / "good" / "contract.yaml"))
    assert code == 2 and out == "" and "Error: " in err  # a file, not a folder


#: Corpus cases whose dataset reads: what check refuses is their rule set.
RULES_ONLY = {"ruleset-cycle"}


def _dataset_cases() -> list[Path]:
    return [c for c in sorted(CORPUS.iterdir()) if c.is_dir() and not (c / "args.txt").exists()]


@pytest.mark.parametrize("case", _dataset_cases(), ids=lambda p: p.name)
def test_validate_on_every_hostile_dataset_of_the_corpus(case: Path) -> None:
    from click.testing import CliRunner

    from procurekit.cli import cli

    done = CliRunner().invoke(cli, ["dataset", "validate", str(case)])
    text = done.stdout + done.stderr
    if case.name in RULES_ONLY:  # its data reads; its rule set is what check refuses (rules validate)
        assert (done.exit_code, done.stdout) == (0, "ingen problemer: datasættet kan læses\n")
        return
    assert done.exit_code == 2, text  # every case is refused, as check refuses it
    assert "Traceback" not in text and not re.search(r"(?<!\d)\d{6}-?\d{4}(?!\d)", text)
    expected = (case / "expected.txt").read_text(encoding="utf-8").replace("{DS}", str(case)).strip()
    if done.stdout:  # the problems, one a line: the first is check's own line, in Danish
        first = done.stdout.splitlines()[0]
        english = CliRunner().invoke(cli, ["dataset", "validate", str(case), "--lang", "en"]).stdout.splitlines()[0]
        assert english == expected, (english, expected)
        assert first.split(": ")[0] == expected.split(": ")[0]
    else:  # the folder itself cannot be read: check's one line
        assert done.stderr.strip() == f"Error: {expected}"


def test_a_file_with_more_problems_than_are_shown_says_so(tmp_path: Path) -> None:
    from helpers import make_dataset, participant

    from procurekit.errors import MAX_PROBLEMS

    folder = make_dataset(tmp_path / "ds", [participant(f"P{i}", enrolled_on="2017-02-30") for i in range(80)])
    code, out, _ = _validate(str(folder))
    lines = out.splitlines()
    assert code == 2 and len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == f"{folder}/participants.csv: der kan være flere fejl end de {MAX_PROBLEMS}, der vises"
