"""The reference rule set, rule by rule, at its boundaries; every test runs on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import completed, make_dataset, participant, verdicts

from procurekit import check

D = dt.date


@pytest.fixture(params=["durable", "python"])
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


def run(tmp_path: Path, engine: str, as_of: dt.date, participants, hours=None, supplier=None):
    ds = make_dataset(tmp_path / "ds", participants, hours, supplier)
    return check(ds, as_of=as_of, engine=engine)


class TestEligibility:
    def test_boundary_five_years_is_eligible(self, tmp_path: Path, engine: str) -> None:
        rows = [participant("A", years_on_benefits=5), participant("B", years_on_benefits=4.99)]
        result = run(tmp_path, engine, D(2017, 3, 1), rows)
        assert verdicts(result, "eligibility.benefit-years") == {"A": "ok", "B": "violation"}

    def test_finding_explains_itself(self, tmp_path: Path, engine: str) -> None:
        result = run(tmp_path, engine, D(2017, 3, 1), [participant("B", years_on_benefits=3.5)])
        (f,) = [f for f in result.findings if f.rule == "eligibility.benefit-years"]
        assert f.values == {"years_on_benefits": 3.5, "min_benefit_years": 5}
        assert f.message == "3,5 år på kontanthjælp ved optagelse; kravet er mindst 5 år."
        assert f.clause == "target-group"
        assert "§ 176" in f.reference


class TestCourseCap:
    def test_exactly_18_months_is_ok_one_day_more_is_not(self, tmp_path: Path, engine: str) -> None:
        rows = [
            completed("A", enrolled_on="2017-01-15", left_on="2018-07-15"),
            completed("B", enrolled_on="2017-01-15", left_on="2018-07-16"),
        ]
        result = run(tmp_path, engine, D(2018, 8, 1), rows)
        assert verdicts(result, "cap.course-months") == {"A": "ok", "B": "violation"}

    def test_month_end_clamps(self, tmp_path: Path, engine: str) -> None:
        # 31 August 2017 + 18 months = 28 February 2019 (no 31 February).
        rows = [
            completed("A", enrolled_on="2017-08-31", left_on="2019-02-28"),
            completed("B", enrolled_on="2017-08-31", left_on="2019-03-01"),
        ]
        result = run(tmp_path, engine, D(2019, 3, 5), rows)
        assert verdicts(result, "cap.course-months") == {"A": "ok", "B": "violation"}

    def test_active_course_warns_within_60_days_and_fails_after_cap(self, tmp_path: Path, engine: str) -> None:
        rows = [participant("A", enrolled_on="2017-01-15")]
        cap = D(2018, 7, 15)
        at = {
            cap - dt.timedelta(days=61): "ok",
            cap - dt.timedelta(days=60): "warning",
            cap: "warning",
            cap + dt.timedelta(days=1): "violation",
        }
        for as_of, expected in at.items():
            result = run(tmp_path / as_of.isoformat(), engine, as_of, rows)
            assert verdicts(result, "cap.course-months") == {"A": expected}, as_of


class TestCapacity:
    def _people(self, n: int, first_day: str = "2017-02-01") -> list[dict]:
        return [participant(f"P{i:02d}", enrolled_on=first_day) for i in range(n)]

    def test_exactly_15_places_is_ok(self, tmp_path: Path, engine: str) -> None:
        result = run(tmp_path, engine, D(2017, 2, 28), self._people(15))
        assert verdicts(result, "capacity.training-places")["2017-02"] == "ok"

    def test_16_on_one_day_is_a_violation(self, tmp_path: Path, engine: str) -> None:
        rows = self._people(14) + [
            completed("X", enrolled_on="2017-01-02", left_on="2017-02-10"),
            participant("Y", enrolled_on="2017-02-10"),  # same day X leaves: both hold a place
        ]
        result = run(tmp_path, engine, D(2017, 3, 31), rows)
        v = verdicts(result, "capacity.training-places")
        assert v["2017-02"] == "violation"
        assert v["2017-03"] == "ok"
        (f,) = [f for f in result.findings if f.subject == "2017-02" and f.rule == "capacity.training-places"]
        assert f.values["places_in_use"] == 16

    def test_leaving_the_day_before_frees_the_place(self, tmp_path: Path, engine: str) -> None:
        rows = self._people(14) + [
            completed("X", enrolled_on="2017-01-02", left_on="2017-02-09"),
            participant("Y", enrolled_on="2017-02-10"),
        ]
        result = run(tmp_path, engine, D(2017, 3, 31), rows)
        assert verdicts(result, "capacity.training-places")["2017-02"] == "ok"


class TestJobGuarantee:
    def test_offer_on_deadline_day_is_ok_day_after_is_late(self, tmp_path: Path, engine: str) -> None:
        rows = [
            completed("A", left_on="2018-01-31", job_offer_on="2018-03-02", job_offer_terms="ordinary"),
            completed("B", left_on="2018-01-31", job_offer_on="2018-03-03", job_offer_terms="ordinary"),
        ]
        result = run(tmp_path, engine, D(2018, 6, 1), rows)
        assert verdicts(result, "guarantee.job-offer") == {"A": "ok", "B": "violation"}

    def test_due_until_deadline_then_violation(self, tmp_path: Path, engine: str) -> None:
        rows = [completed("A", left_on="2018-01-31")]
        deadline = D(2018, 3, 2)
        for as_of, expected in {deadline: "due", deadline + dt.timedelta(days=1): "violation"}.items():
            result = run(tmp_path / str(as_of), engine, as_of, rows)
            assert verdicts(result, "guarantee.job-offer") == {"A": expected}

    def test_not_triggered_without_all_requirements_met(self, tmp_path: Path, engine: str) -> None:
        rows = [
            completed("A", met_quality=False),
            completed("B", met_stability=None),
            participant("C", left_on="2018-01-31", exit_reason="dropped_out"),
        ]
        result = run(tmp_path, engine, D(2018, 6, 1), rows)
        assert verdicts(result, "guarantee.job-offer") == {}

    def test_offer_made_after_as_of_is_not_yet_known(self, tmp_path: Path, engine: str) -> None:
        rows = [completed("A", left_on="2018-01-31", job_offer_on="2018-02-20", job_offer_terms="ordinary")]
        result = run(tmp_path, engine, D(2018, 2, 10), rows)
        assert verdicts(result, "guarantee.job-offer") == {"A": "due"}

    def test_ordinary_terms(self, tmp_path: Path, engine: str) -> None:
        rows = [
            completed("A", job_offer_on="2018-02-01", job_offer_terms="ordinary"),
            completed("B", job_offer_on="2018-02-01", job_offer_terms="flexjob"),
            completed("C"),
        ]
        result = run(tmp_path, engine, D(2018, 6, 1), rows)
        assert verdicts(result, "guarantee.ordinary-terms") == {"A": "ok", "B": "violation"}


class TestHours:
    def test_weekly_max_boundary(self, tmp_path: Path, engine: str) -> None:
        people = [participant("A"), participant("B")]
        hours = [
            {"participant_id": "A", "month": "2017-02", "praktik_hours": 100, "subsidised_hours": 30,
             "ordinary_hours": 30.3333},
            {"participant_id": "B", "month": "2017-02", "praktik_hours": 100, "subsidised_hours": 30,
             "ordinary_hours": 30.34},
        ]
        result = run(tmp_path, engine, D(2017, 3, 1), people, hours)
        assert verdicts(result, "hours.weekly-max") == {"A@2017-02": "ok", "B@2017-02": "violation"}

    def test_conversion_from_course_month_four(self, tmp_path: Path, engine: str) -> None:
        people = [participant("A", enrolled_on="2017-01-20")]
        hours = [
            {"participant_id": "A", "month": m, "praktik_hours": 80, "subsidised_hours": 0, "ordinary_hours": 0}
            for m in ("2017-01", "2017-02", "2017-03", "2017-04")
        ] + [
            {"participant_id": "A", "month": "2017-05", "praktik_hours": 60, "subsidised_hours": 0,
             "ordinary_hours": 5},
            {"participant_id": "A", "month": "2017-06", "praktik_hours": 0, "subsidised_hours": 0,
             "ordinary_hours": 0},
        ]
        result = run(tmp_path, engine, D(2017, 7, 1), people, hours)
        assert verdicts(result, "hours.conversion") == {"A@2017-04": "violation", "A@2017-05": "ok"}


class TestRatio:
    @pytest.mark.parametrize(
        ("staff", "allowed"),
        [(0, 1), (4, 1), (9, 1), (10, 2), (24, 4), (50, 10), (59, 10), (60, 11), (120, 17)],
    )
    def test_rimelighed_table(self, tmp_path: Path, engine: str, staff: int, allowed: int) -> None:
        people = [participant(f"P{i}", enrolled_on="2017-02-01") for i in range(allowed + 1)]
        hours = [
            {"participant_id": p["participant_id"], "month": "2017-02", "praktik_hours": 10,
             "subsidised_hours": 0, "ordinary_hours": 0}
            for p in people
        ]
        supplier = [{"month": "2017-02", "ordinary_staff": staff, "contract_fte": 10, "target_group_fte": 2}]
        ok = run(tmp_path / "ok", engine, D(2017, 2, 28), people[:-1], hours[:-1], supplier)
        over = run(tmp_path / "over", engine, D(2017, 2, 28), people, hours, supplier)
        assert verdicts(ok, "ratio.rimelighed")["2017-02"] == "ok"
        assert verdicts(over, "ratio.rimelighed")["2017-02"] == "violation"


class TestTargetGroupShare:
    def test_share_boundary_and_missing_month(self, tmp_path: Path, engine: str) -> None:
        supplier = [
            {"month": "2017-01", "ordinary_staff": 50, "contract_fte": 40, "target_group_fte": 4},
            {"month": "2017-02", "ordinary_staff": 50, "contract_fte": 40, "target_group_fte": 3.9},
            {"month": "2017-03", "ordinary_staff": 50, "contract_fte": 0, "target_group_fte": 0},
        ]
        result = run(tmp_path, engine, D(2017, 4, 30), [participant("A")], supplier=supplier)
        assert verdicts(result, "clause.target-group-share") == {"2017-01": "ok", "2017-02": "violation"}
        missing = [n for n in result.not_evaluated if n.rule == "clause.target-group-share"]
        assert [(n.subject, n.reason) for n in missing] == [("2017-04", "no row for 2017-04 in the supplier table")]


def test_absent_files_are_not_evaluated_not_passed(tmp_path: Path) -> None:
    result = run(tmp_path, "durable", D(2017, 3, 1), [participant("A")])
    rules = {n.rule: n.reason for n in result.not_evaluated}
    assert rules == {
        "hours.weekly-max": "no hours table in the dataset (hours.csv or sheet 'hours')",
        "hours.conversion": "no hours table in the dataset (hours.csv or sheet 'hours')",
        "ratio.rimelighed": (
            "no hours, supplier table in the dataset (hours.csv or sheet 'hours'; supplier.csv or sheet 'supplier')"
        ),
        "clause.target-group-share": "no supplier table in the dataset (supplier.csv or sheet 'supplier')",
    }
    assert not any(f.rule in rules for f in result.findings)
