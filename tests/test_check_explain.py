"""`check --explain SUBJECT`: every rule's verdict for one subject, with point, basis, values, timeline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from procurekit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_participant_over_the_cap_in_danish() -> None:
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", "IB-012")
    assert code == 1
    # the timeline: enrolled, the cap date, left (in date order), then the check date
    timeline = out.split("Tidslinje\n")[1].split("\n\n")[0].splitlines()
    assert [line.split(None, 3)[-1] for line in timeline][:3] == [
        "Optaget", "Seneste slutdato for forløbet", "Forløbet sluttede (gennemført)"]
    assert "17. november 2016" in timeline[0] and "17. maj 2018" in timeline[1]
    block = re.split(r"\n  (?=\S)", out.split("OVERTRÆDELSE")[1])[0]
    assert "Forløbets længde" in block
    assert "Kontraktbilag pkt. 2.2: Et forløb kan højst vare 18 måneder" in block
    assert "Hjemmel: udbudsloven § 176 (lov nr. 1564 af 15. december 2015" in block
    assert "Seneste slutdato for forløbet: 17. maj 2018" in block
    assert "cap_on" not in block and "end_on =" not in block
    # every participant rule has a line, also those that do not apply
    for title in ("Målgruppe – år på kontanthjælp", "Jobgaranti – tilbud om fast job", "Timer pr. måned"):
        assert title in out


def test_a_month_in_english_and_as_json() -> None:
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", "2018-09", "--lang", "en")
    assert code == 1
    assert "VIOLATION      Training places in use" in out
    assert "Contract annex point 2.1:" in out and "The places in use on one day: 16 places" in out
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", "2018-09", "--format", "json")
    doc = json.loads(out)
    (places,) = [r for r in doc["rules"] if r["rule"] == "capacity.training-places"]
    assert places["verdict"] == "violation" and places["contract_point"] == "2.1"
    assert {"label": "Pladser i brug samme dag", "value": "16 pladser"} in places["values"]


def test_a_participant_month_and_a_clean_month_exit_0() -> None:
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", "IB-028@2018-08")
    assert code == 1 and "Praktiktimer konverteres til lønnede timer" in out and "pkt. 3.2" in out
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", "2018-10")
    assert code == 0 and "OVERTRÆDELSE" not in out


@pytest.mark.parametrize("subject, message", [
    ("IB-999", "'IB-999' is not a participant of IB-RENG-2016 on 2019-10-31"),
    ("2030-01", "'2030-01' is not a month of IB-RENG-2016 on 2019-10-31"),
    ("IB 012", "not a subject"),
    ("x" * 80, "not a subject"),
])
def test_unknown_or_malformed_subjects_are_one_line_exit_2(subject: str, message: str) -> None:
    code, out, err = run("check", str(EXAMPLE), "--as-of", "2019-10-31", "--explain", subject)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_check_text_shows_the_point_and_next_step_under_each_violation() -> None:
    code, out, _ = run("check", str(EXAMPLE), "--as-of", "2019-10-31")
    assert code == 1
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "OVERTRÆDELSE IB-012" in line)
    assert lines[at + 1].strip().startswith("→ pkt. 2.2 · Påtale og krav om redegørelse inden 10 dage, til 10. "
                                            "november 2019")
    violations = [i for i, line in enumerate(lines) if "OVERTRÆDELSE" in line]
    assert len(violations) == 9 and all(lines[i + 1].strip().startswith("→ pkt.") for i in violations)


def test_a_year_of_a_turnover_band_contract(tmp_path: Path) -> None:
    from helpers import make_dataset, participant

    ds = make_dataset(tmp_path / "g", [participant("A")], turnover=[
        {"year": "2017", "turnover_dkk": 3000000, "target_group_fte": 0.5, "reported_on": "2018-05-01"}],
        ruleset="gladsaxe-vask")
    code, out, _ = run("check", str(ds), "--as-of", "2018-06-30", "--explain", "2017", "--format", "json")
    assert code == 1
    rules = {r["rule"]: r for r in json.loads(out)["rules"]}
    late = rules["reporting.annual"]
    assert late["verdict"] == "violation" and late["contract_point"] == "2" and late["contract_text"]
    code, out, _ = run("check", str(ds), "--as-of", "2018-06-30", "--format", "json")
    since = {f["rule"]: f["since"] for f in json.loads(out)["findings"]}
    assert since == {"clause.turnover-band": "2017-01-01", "reporting.annual": "2018-04-01"}
