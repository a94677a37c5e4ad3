"""Gaps are never silent (issue 12, item 3).

A participant-month inside a course without a row in hours.csv is listed as not evaluated by the hours
rules; a dataset with no participants says in every output that nothing (or no participant) was checked.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from helpers import make_dataset, participant

from procurekit import check, read_dataset
from procurekit.cli import cli

HOURS_RULES = ("hours.weekly-max", "hours.conversion")


def _hours(pid: str, month: str) -> dict:
    return {"participant_id": pid, "month": month, "praktik_hours": 40, "subsidised_hours": 0, "ordinary_hours": 0}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_month_without_hours_is_not_evaluated(tmp_path) -> None:
    people = [participant("A", enrolled_on="2017-01-02"),
              participant("B", enrolled_on="2017-01-20", left_on="2017-02-10", exit_reason="other"),
              participant("C", enrolled_on="2017-05-01")]  # enrolled after as_of: not yet known
    hours = [_hours("A", "2017-01"), _hours("A", "2017-03"), _hours("B", "2017-01"), _hours("C", "2017-05")]
    folder = make_dataset(tmp_path / "ds", people, hours=hours)
    for engine in ("durable", "python"):
        result = check(read_dataset(folder), as_of=dt.date(2017, 4, 15), engine=engine)
        gaps = [(n.rule, n.subject, n.reason) for n in result.not_evaluated if n.subject is not None]
        assert gaps == [(rule, subject, f"no row for {subject} in the hours table")
                        for rule in HOURS_RULES for subject in ("A@2017-02", "A@2017-04", "B@2017-02")]


def test_without_hours_csv_the_rules_are_not_evaluated_as_a_whole(tmp_path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A")])
    result = check(read_dataset(folder), as_of=dt.date(2017, 4, 15), engine="python")
    assert {(n.rule, n.subject) for n in result.not_evaluated} >= {(r, None) for r in HOURS_RULES}
    assert all(n.subject is None for n in result.not_evaluated)


def test_a_dataset_without_participants_says_nothing_was_checked(tmp_path) -> None:
    code, _, err = invoke("dataset", "template", str(tmp_path / "tpl"))
    assert code == 0, err
    code, out, _ = invoke("check", str(tmp_path / "tpl"), "--format", "json")
    doc = json.loads(out)
    assert doc["nothing_checked"] is True
    assert doc["notes"] == ["Datasættet indeholder ingen deltagere og ingen andre rækker: intet er kontrolleret."]
    code, out, _ = invoke("check", str(tmp_path / "tpl"), "--lang", "en")
    assert "The dataset holds no participants and no other rows: nothing was checked." in out.splitlines()
    report = tmp_path / "r.html"
    invoke("report", str(tmp_path / "tpl"), "-o", str(report))
    assert "intet er kontrolleret" in report.read_text()


def test_no_participants_but_other_rows_says_no_participant_was_checked(tmp_path) -> None:
    folder = make_dataset(tmp_path / "ds", [], supplier=[
        {"month": "2017-01", "ordinary_staff": 10, "contract_fte": 7, "target_group_fte": 1}])
    result = check(read_dataset(folder), as_of=dt.date(2017, 3, 1), engine="python")
    assert not result.nothing_checked
    assert result.notes == ["Datasættet indeholder ingen deltagere: ingen deltager er kontrolleret."]
    assert "nothing_checked" not in result.to_json()


def test_a_dataset_with_participants_has_no_note(tmp_path) -> None:
    result = check(read_dataset(make_dataset(tmp_path / "ds", [participant()])), as_of=dt.date(2017, 3, 1))
    assert result.notes == [] and not result.nothing_checked
    assert "notes" not in result.to_json() and Path(tmp_path).exists()
