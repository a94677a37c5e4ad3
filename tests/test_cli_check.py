"""`procurekit check` and `procurekit rules`: exit codes, exact error lines, output shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import HOURS_COLUMNS, PARTICIPANT_COLUMNS, completed, make_dataset, participant, write_csv

from procurekit.cli import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_clean_dataset_exits_0(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    code, out, _ = invoke("check", str(ds), "--as-of", "2017-03-01")
    assert code == 0
    assert "Resumé: overtrædelser 0, advarsler 0, frister løber 0, i orden 5" in out


def test_violation_exits_1_and_json_has_the_documented_shape(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A", years_on_benefits=2), completed("B")])
    code, out, _ = invoke("check", str(ds), "--as-of", "2018-02-10", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert list(doc) == ["format_version", "ruleset", "contract", "as_of", "engine", "summary", "findings",
                         "not_evaluated"]
    assert doc["as_of"] == "2018-02-10"
    assert doc["summary"] == {"violation": 1, "warning": 0, "due": 1, "ok": 17}
    assert [(f["rule"], f["subject"], f["verdict"]) for f in doc["findings"]] == [
        ("eligibility.benefit-years", "A", "violation"),
        ("guarantee.job-offer", "B", "due"),
    ]
    finding = doc["findings"][0]
    assert list(finding) == ["rule", "subject", "verdict", "message", "values", "clause", "reference", "since",
                             "contract_point"]
    assert (finding["since"], finding["contract_point"]) == ("2017-01-02", "1.2")
    assert finding["values"] == {"years_on_benefits": 2, "min_benefit_years": 5}


def test_all_lists_ok_findings(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    _, out, _ = invoke("check", str(ds), "--as-of", "2017-03-01", "--format", "json", "--all")
    verdicts = {(f["rule"], f["verdict"]) for f in json.loads(out)["findings"]}
    assert verdicts == {
        ("eligibility.benefit-years", "ok"), ("cap.course-months", "ok"), ("capacity.training-places", "ok")
    }


def test_engines_give_identical_json_on_the_example() -> None:
    outs = []
    for engine in ("durable", "python"):
        code, out, _ = invoke("check", str(EXAMPLE), "--format", "json", "--all", "--engine", engine)
        assert code == 1
        doc = json.loads(out)
        doc.pop("engine")
        outs.append(doc)
    assert outs[0] == outs[1]


def test_output_file_is_written_atomically(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    target = tmp_path / "out" / "check.json"
    code, out, err = invoke("check", str(ds), "--as-of", "2017-03-01", "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["contract"] == "T-1"
    assert [p.name for p in target.parent.iterdir()] == ["check.json"]


def _bad(tmp_path: Path, file: str, text: str) -> Path:
    ds = make_dataset(tmp_path / "ds", [participant("A")], hours=[])
    (ds / file).write_text(text, encoding="utf-8")
    return ds


P_HEAD = ",".join(PARTICIPANT_COLUMNS)
H_HEAD = ",".join(HOURS_COLUMNS)


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("participants.csv", "participant_id,years_on_benefits,enrolled_on,left_on\nA,6,2017-01-01,\n",
         "participants.csv: row 1: missing column exit_reason"),
        ("participants.csv", f"{P_HEAD}\nA,6,2017-13-01,,,,,,,\n",
         "participants.csv: row 2, column enrolled_on: '2017-13-01' is not a date (YYYY-MM-DD)"),
        ("participants.csv", f"{P_HEAD}\nA,6,2017-01-01,2017-05-01,fired,,,,,\n",
         "participants.csv: row 2, column exit_reason: 'fired' is not one of completed, dropped_out, other"),
        ("participants.csv", f"{P_HEAD}\nA,6,2017-01-01,,,,,,,\nA,6,2017-01-01,,,,,,,\n",
         "participants.csv: row 3, column participant_id: participant_id 'A' already on row 2"),
        ("participants.csv", f"{P_HEAD}\n010203-1234,6,2017-01-01,,,,,,,\n",
         "participants.csv: row 2, column participant_id: looks like a CPR number; use a pseudonym"
         " (value not shown)"),
        ("participants.csv", f"{P_HEAD}\nA,6,2017-05-01,2017-01-01,completed,,,,,\n",
         "participants.csv: row 2, column left_on: left_on is before enrolled_on"),
        ("participants.csv", "", "participants.csv: file is empty; expected a header row"),
        ("participants.csv", f"{P_HEAD}\nA,6,2017-01-01\n", "participants.csv: row 2: expected 10 fields, found 3"),
        ("hours.csv", f"{H_HEAD}\nA,2017-02,-5,0,0\n", "hours.csv: row 2, column praktik_hours: -5 is negative"),
        ("hours.csv", f"{H_HEAD}\nA,2017-02,nan,0,0\n",
         "hours.csv: row 2, column praktik_hours: 'nan' is not a finite number"),
        ("hours.csv", f"{H_HEAD}\nZ,2017-02,5,0,0\n",
         "hours.csv: row 2, column participant_id: unknown participant 'Z' (not in participants.csv)"),
        ("hours.csv", f"{H_HEAD}\nA,2016-12,5,0,0\n",
         "hours.csv: row 2, column month: 2016-12 is outside A's course (from 2017-01)"),
        ("contract.yaml", "contract_id: X\n", "contract.yaml:1: municipality: Field required"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, file: str, text: str, message: str) -> None:
    ds = _bad(tmp_path, file, text)
    target = tmp_path / "report.json"
    code, out, err = invoke("check", str(ds), "--as-of", "2017-06-01", "-o", str(target))
    assert code == 2
    assert out == ""
    assert err == f"Error: {ds / message}\n"
    assert not target.exists()


def test_semicolon_csv_with_decimal_commas_and_bom_is_read(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    text = ";".join(PARTICIPANT_COLUMNS) + "\nA;4,5;2017-01-02;;;;;;;\n"
    (ds / "participants.csv").write_bytes("\ufeff".encode() + text.encode("utf-8"))
    code, out, _ = invoke("check", str(ds), "--as-of", "2017-03-01", "--format", "json")
    assert code == 1
    assert json.loads(out)["findings"][0]["values"]["years_on_benefits"] == 4.5


def test_latin1_csv_from_excel_is_read(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")], supplier=[])
    (ds / "contract.yaml").write_text((ds / "contract.yaml").read_text().replace("Rengøring", "Søren Å"))
    write_csv(ds / "participants.csv", PARTICIPANT_COLUMNS, [participant("Ærø-1")])
    raw = (ds / "participants.csv").read_text(encoding="utf-8")
    (ds / "participants.csv").write_bytes(raw.encode("cp1252"))
    code, _, err = invoke("check", str(ds), "--as-of", "2017-03-01")
    assert code == 2
    assert err == (f"Error: {ds}/participants.csv: row 2, column participant_id: 'Ærø-1' is not a pseudonym"
                   " (letters, digits, . _ -; at most 64)\n")


def test_bad_as_of_and_unknown_rules_are_exit_2(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    code, _, err = invoke("check", str(ds), "--as-of", "2017-02-30")
    assert code == 2 and "'2017-02-30' is not a date (YYYY-MM-DD)" in err
    code, _, err = invoke("check", str(ds), "--rules", "nope")
    assert code == 2 and err == "Error: unknown rule set 'nope' (bundled: " + err.split("(bundled: ")[1]


def test_rules_list_show_validate() -> None:
    code, out, _ = invoke("rules", "list")
    ids = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and ids == ["flere-skal-med", "gladsaxe-vask", "ikast-brande"]
    code, out, _ = invoke("rules", "show", "ikast-brande", "--format", "json")
    doc = json.loads(out)
    assert doc["parameters"]["max_course_months"]["values"] == [{"since": None, "value": 18, "source": None}]
    code, out, _ = invoke("rules", "validate", "ikast-brande")
    assert code == 0 and out.endswith("ok (ikast-brande 1.0.0, 9 rules, 18 parameters, 8 clauses)\n")


def test_validate_prints_every_error_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: {da: a, en: b}\nrules:\n  - id: a.b\n    subject: nobody\n", encoding="utf-8")
    code, _, err = invoke("rules", "validate", str(bad))
    assert code == 2
    assert err.splitlines() == [
        f"Error: {bad}:5: rules.0.subject: Input should be 'participant', 'participant_month', 'month' or 'year'",
        f"{bad}:4: rules.0.title: Field required",
        f"{bad}:4: rules.0.condition: Field required",
        f"{bad}:4: rules.0.message: Field required",
        f"{bad}:4: rules.0.clause: Field required",
        f"{bad}:4: rules.0.reference: Field required",
    ]


@pytest.mark.parametrize("command", ["check", "rules"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = invoke(command, "--help")
    assert code == 0 and "Example:" in out


def test_rules_show_fills_in_a_childs_values(tmp_path: Path) -> None:
    """`rules show` reads as the documents do: a child's 12 months in the references, never `{name}`."""
    child = tmp_path / "child.yaml"
    child.write_text(
        "id: child\ntitle: {da: Barn, en: Child}\nextends: ikast-brande\n"
        "parameters:\n  max_course_months: {value: 12, source: Byrådets beslutning, confidence: user}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("rules", "show", str(child))
    assert code == 0 and "{" not in out
    assert "reference: Kontraktens sociale klausul; KL Råderum nr. 15/2019 (højst 12" in out
    assert "max_course_months = 12 months [user]" in out
