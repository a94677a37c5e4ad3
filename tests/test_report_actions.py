"""The actions layer: breaches merged over months, since when, contract point, next step, sort order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import completed, make_dataset, participant, write_rules

from procurekit import load_ruleset
from procurekit.documents.actions import breaches, upcoming
from procurekit.documents.clauses import contract_point, load_library
from procurekit.evaluation.check import check

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"


def test_contract_point_follows_the_annex_numbering() -> None:
    rs, library = load_ruleset("ikast-brande"), load_library()
    assert contract_point(rs, library, "training-places", rule_id="cap.course-months") == "2.2"
    assert contract_point(rs, library, "training-places", rule_id="capacity.training-places") == "2.1"
    assert contract_point(rs, library, "sanctions", paragraph=0) == "7.1"
    assert contract_point(rs, library, "sanctions", paragraph=1) == "7.2"
    assert contract_point(rs, library, "sanctions") == "7"
    assert contract_point(rs, library, "no-such-clause") is None


def test_contract_point_renumbers_when_a_rule_is_dropped(tmp_path: Path) -> None:
    path = write_rules(tmp_path / "r.yaml", """
        id: smaller
        title: {da: Mindre, en: Smaller}
        extends: ikast-brande
        version: 1.0.0
        drop: [capacity.training-places]
        """)
    rs = load_ruleset(path)
    assert contract_point(rs, load_library(), "training-places", rule_id="cap.course-months") == "2.1"


def _places(tmp_path: Path, places: int) -> Path:
    path = write_rules(tmp_path / "rules" / "few.yaml", f"""
        id: few
        title: {{da: Få pladser, en: Few places}}
        extends: ikast-brande
        version: 1.0.0
        parameters:
          training_places: {{value: {places}, source: test}}
          remedy_deadline_days: {{value: 7, source: test}}
          penalty_per_week_dkk: {{value: 1234, source: test}}
        """)
    return path


def test_an_ongoing_breach_over_months_is_one_row_since_its_first_month(tmp_path: Path) -> None:
    rules = _places(tmp_path, 2)
    ds = make_dataset(tmp_path / "d", [participant(f"P{i}", enrolled_on="2017-03-10") for i in range(3)])
    result = check(ds, load_ruleset(rules), as_of=dt.date(2017, 8, 15))
    months = [f.subject for f in result.findings if f.rule == "capacity.training-places" and f.verdict == "violation"]
    assert months == ["2017-03", "2017-04", "2017-05", "2017-06", "2017-07", "2017-08"]
    (row,) = [b for b in breaches(result) if b.rule == "capacity.training-places"]
    assert row.since == dt.date(2017, 3, 1) and row.months == 6 and row.ongoing and row.until is None
    assert row.point == "2.1"
    # the numbers of the ladder come from the rule set, not from the code
    assert "7 dages frist" in row.next_step and "1.234 kr. pr. påbegyndt uge" in row.next_step
    assert "pkt. 7.1" in row.next_step and "pkt. 7.2" in row.next_step
    assert row.next_date == dt.date(2017, 8, 22)


def test_a_gap_splits_a_run_and_ended_breaches_ask_for_an_account(tmp_path: Path) -> None:
    rules = _places(tmp_path, 1)
    ds = make_dataset(tmp_path / "d", [
        participant("A", enrolled_on="2017-01-02", left_on="2017-12-31", exit_reason="other"),
        participant("B", enrolled_on="2017-02-01", left_on="2017-03-15", exit_reason="other"),
        participant("C", enrolled_on="2017-06-01", left_on="2017-06-30", exit_reason="other"),
    ])
    result = check(ds, load_ruleset(rules), as_of=dt.date(2017, 10, 31))
    rows = [b for b in breaches(result) if b.rule == "capacity.training-places"]
    assert [(b.since, b.until, b.months) for b in rows] == [
        (dt.date(2017, 2, 1), dt.date(2017, 3, 31), 2), (dt.date(2017, 6, 1), dt.date(2017, 6, 30), 1)]
    assert not any(b.ongoing for b in rows)
    assert all("redegørelse" in b.next_step and "pkt. 7.3" in b.next_step for b in rows)


def test_sorted_by_severity_ongoing_first_then_oldest(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "d", [
        participant("OLD", years_on_benefits=3, enrolled_on="2017-01-02", left_on="2017-02-01", exit_reason="other"),
        participant("NEW", years_on_benefits=3, enrolled_on="2017-05-02", left_on="2017-06-01", exit_reason="other"),
        participant("NOW", years_on_benefits=3, enrolled_on="2017-07-02"),
        completed("DUE", enrolled_on="2017-01-02", left_on="2017-12-20"),
    ])
    result = check(ds, as_of=dt.date(2017, 12, 31))
    rows = breaches(result)
    assert [b.who for b in rows] == ["NOW", "OLD", "NEW"]
    assert rows[0].ongoing and rows[0].since == dt.date(2017, 7, 2)
    (due,) = upcoming(result)
    assert due.who == "DUE" and due.verdict == "due" and due.deadline == dt.date(2018, 1, 19)


def test_a_deadline_breach_runs_from_the_day_after_the_deadline() -> None:
    result = check(EXAMPLE, as_of=dt.date(2019, 10, 31))
    rows = {b.rule: b for b in breaches(result)}
    cap = rows["cap.course-months"]
    assert (cap.who, cap.since, cap.until, cap.point) == ("IB-012", dt.date(2018, 5, 18), dt.date(2018, 6, 17), "2.2")
    offer = rows["guarantee.job-offer"]
    assert (offer.since, offer.until) == (dt.date(2019, 6, 11), dt.date(2019, 6, 25))
    conversion = rows["hours.conversion"]
    assert conversion.subjects == ("IB-028@2018-08", "IB-028@2018-09") and conversion.months == 2
    assert len(breaches(result)) == 8  # nine violations, two of them one breach over two months
