"""A check is bounded by the contract's own period (issue 12, item 2).

A day after the contract's end is checked as of the end, and the output says so; a participant still
active at the end is judged as of the end. A day before the start is an error (exit 2). A course still
running is worded as running, not as having lasted until the day of the check.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from helpers import make_dataset, participant
from jsonschema import Draft202012Validator

from procurekit import check, read_dataset
from procurekit.cli import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "procurekit" / "schemas" / "check.schema.json").read_text())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _key(result) -> list[tuple]:
    return [(f.rule, f.subject, f.verdict, f.message) for f in result.findings]


def test_a_day_after_the_end_is_the_end() -> None:
    ds = read_dataset(EXAMPLE)
    at_end = check(ds, as_of=dt.date(2019, 10, 31), engine="python")
    later = check(ds, as_of=dt.date(2026, 6, 30), engine="python")
    assert later.as_of == dt.date(2019, 10, 31)
    assert later.requested_as_of == dt.date(2026, 6, 30)
    assert later.summary == at_end.summary
    assert _key(later) == _key(at_end)
    assert at_end.requested_as_of is None and at_end.notes == []


def test_the_output_says_the_check_was_made_as_of_the_end() -> None:
    code, out, _ = invoke("check", str(EXAMPLE), "--as-of", "2026-06-30", "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["as_of"] == "2019-10-31" and doc["requested_as_of"] == "2026-06-30"
    assert doc["notes"] == ["2026-06-30 er efter kontraktens ophør 2019-10-31: forløb og måneder er opgjort pr. "
                            "ophøret, frister pr. 2026-06-30."]
    Draft202012Validator(SCHEMA).validate(doc)
    code, out, _ = invoke("check", str(EXAMPLE), "--as-of", "2026-06-30", "--lang", "en")
    assert ("2026-06-30 is after the contract's end 2019-10-31: courses and months are measured to the end, "
            "deadlines as of 2026-06-30.") in out.splitlines()
    assert "as of 2019-10-31" in out.splitlines()[0]


def test_a_day_before_the_start_is_an_error() -> None:
    code, out, err = invoke("check", str(EXAMPLE), "--as-of", "2016-10-31")
    assert code == 2 and out == ""
    assert err == (f"Error: {EXAMPLE / 'contract.yaml'}: start: the contract starts 2016-11-01; "
                   "a check as of 2016-10-31 is before it\n")


def test_a_course_still_running_is_worded_as_running(tmp_path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A", enrolled_on="2017-01-02")], end="2019-12-31")
    for engine in ("durable", "python"):
        result = check(read_dataset(folder), as_of=dt.date(2018, 8, 1), engine=engine)
        found = [f for f in result.findings if f.rule == "cap.course-months"]
        assert [f.verdict for f in found] == ["violation"]
        assert found[0].message == ("Forløbet skulle være slut senest 2. juli 2018 (18 måneder fra "
                                    "2. januar 2017), men løber stadig pr. 1. august 2018.")
        en = check(read_dataset(folder), as_of=dt.date(2018, 8, 1), engine=engine, lang="en")
        assert [f.message for f in en.findings if f.rule == "cap.course-months"] == [
            "The course had to end by 2 July 2018 (18 months from 2 January 2017) but is still running "
            "as of 1 August 2018."]


def test_a_course_that_ended_keeps_its_wording(tmp_path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A", left_on="2018-08-01", exit_reason="other")])
    result = check(read_dataset(folder), as_of=dt.date(2018, 9, 1), engine="python")
    assert [f.message for f in result.findings if f.rule == "cap.course-months"] == [
        "Forløbet skulle være slut senest 2. juli 2018 (18 måneder fra 2. januar 2017), men varede til "
        "1. august 2018."]
