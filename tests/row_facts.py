"""Derive the facts rules are evaluated on from a dataset and an `as_of` date.

Dates become day numbers, aggregates (places in use, trainees) are computed here, and what happened
after `as_of` is hidden: a participant enrolled later is left out, a later exit or job offer is not yet
known, later hours and months are not counted. So a check "as of" a past date sees what a contract
manager could have seen that day.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from procurekit.dataset.read import Dataset, Participant
from procurekit.months import month_index as _month_index
from procurekit.months import month_of as _month_bounds
from procurekit.months import month_text as _label
from procurekit.months import parse_month


@dataclass(frozen=True, slots=True)
class Fact:
    """One subject's fact: its display subject, its values, and required sources it lacks."""

    subject: str
    values: dict[str, Any]
    missing: frozenset[str] = frozenset()


def _ord(day: dt.date | None) -> int | None:
    return day.toordinal() if day is not None else None


def _visible_exit(p: Participant, as_of: dt.date) -> bool:
    return p.left_on is not None and p.left_on <= as_of


class Occupancy:
    """Training places in use: the one definition shared by the capacity rule, the report and the
    business case. A place is held from the enrolment day up to and including the last day; "places in
    use" in a period is the most (weighted) participants holding a place on any one day of it.
    """

    def __init__(self, spans: Iterable[tuple[dt.date, dt.date | None, float]]) -> None:
        changes: dict[int, float] = defaultdict(float)
        for first, last, weight in spans:
            changes[first.toordinal()] += weight
            if last is not None:
                changes[last.toordinal() + 1] -= weight
        self._days = sorted(changes)
        self._running: list[float] = []
        running = 0.0
        for d in self._days:
            running += changes[d]
            self._running.append(running)

    def peak(self, lo: int, hi: int) -> float:
        """The most places in use on any day from ordinal `lo` to `hi` (both included)."""
        at = bisect.bisect_right(self._days, lo) - 1
        peak = self._running[at] if at >= 0 else 0.0
        j = at + 1
        while j < len(self._days) and self._days[j] <= hi:
            peak = max(peak, self._running[j])
            j += 1
        return round(peak, 9) + 0.0


def derive(dataset: Dataset, as_of: dt.date) -> dict[str, list[Fact]]:
    """Return the facts of every subject kind, as of `as_of`.

    The contract's own period bounds what is measured: after its end, a course still running is
    measured to the end (`end_on`), and no month or year after it is a subject. What is *known* and
    every deadline is as of `as_of`: an annual report due 90 days after the end is late when a check
    after that day finds it missing.
    """
    c = dataset.contract
    common = {
        "as_of": as_of.toordinal(),
        "contract_start": c.start.toordinal(),
        "contract_end": c.end.toordinal(),
    }
    people = [p for p in dataset.participants if p.enrolled_on <= as_of]
    participants = [_participant_fact(p, as_of, common) for p in people]
    by_id = {p.participant_id: p for p in people}
    return {
        "participant": participants,
        "participant_month": _participant_months(dataset, by_id, as_of, common),
        "month": _months(dataset, people, as_of, common),
        "year": _years(dataset, as_of, common),
    }


def hours_gaps(dataset: Dataset, as_of: dt.date) -> list[str]:
    """The participant-months (`<participant_id>@<YYYY-MM>`) of every course, from the enrolment month to
    the leaving month (or the month of `as_of`), that have no row in hours.csv; none without hours.csv.

    Such a month cannot be judged by the hours rules, and must not pass for one that was.
    """
    if dataset.hours is None:
        return []
    have = {(h.participant_id, h.month) for h in dataset.hours}
    out = []
    for p in dataset.participants:
        if p.enrolled_on > as_of:
            continue
        last = p.left_on if _visible_exit(p, as_of) and p.left_on is not None else min(as_of, dataset.contract.end)
        for index in range(_month_index(p.enrolled_on), _month_index(last) + 1):
            if (p.participant_id, _label(index)) not in have:
                out.append(f"{p.participant_id}@{_label(index)}")
    return out


def _common_end(common: dict[str, Any]) -> dt.date:
    """The contract's last day, from the values every fact shares."""
    return dt.date.fromordinal(common["contract_end"])


def _participant_fact(p: Participant, as_of: dt.date, common: dict[str, Any]) -> Fact:
    end = min(as_of, _common_end(common))
    left = _visible_exit(p, end)  # leaving after the contract's end: still running at its end
    offer = p.job_offer_on is not None and p.job_offer_on <= as_of
    values = {
        "participant_id": p.participant_id,
        "years_on_benefits": p.years_on_benefits,
        "enrolled_on": p.enrolled_on.toordinal(),
        "left_on": _ord(p.left_on) if left else None,
        "exit_reason": p.exit_reason if left else None,
        "met_stability": p.met_stability,
        "met_efficiency": p.met_efficiency,
        "met_quality": p.met_quality,
        "job_offer_on": _ord(p.job_offer_on) if offer else None,
        "job_offer_terms": p.job_offer_terms if offer else None,
        "aktivitetsparat": p.aktivitetsparat,
        "active": not left,
        "end_on": _ord(p.left_on) if left else end.toordinal(),
        **common,
    }
    return Fact(p.participant_id, values)


def _participant_months(
    dataset: Dataset, by_id: dict[str, Participant], as_of: dt.date, common: dict[str, Any]
) -> list[Fact]:
    if dataset.hours is None:
        return []
    last_month = _month_index(min(as_of, dataset.contract.end))
    out = []
    for h in dataset.hours:
        p = by_id.get(h.participant_id)
        index = parse_month(h.month)
        if p is None or index > last_month:
            continue
        start, end = _month_bounds(index)
        left = _ord(p.left_on) if _visible_exit(p, as_of) else None
        values = {
            "participant_id": h.participant_id,
            "month": h.month,
            "month_start": start.toordinal(),
            "month_end": end.toordinal(),
            "course_month": index - _month_index(p.enrolled_on) + 1,
            "praktik_hours": h.praktik_hours,
            "subsidised_hours": h.subsidised_hours,
            "ordinary_hours": h.ordinary_hours,
            "total_hours": h.praktik_hours + h.subsidised_hours + h.ordinary_hours,
            "paid_hours": h.subsidised_hours + h.ordinary_hours,
            "enrolled_on": p.enrolled_on.toordinal(),
            "left_on": left,
            **common,
        }
        out.append(Fact(f"{h.participant_id}@{h.month}", values))
    return out


def _months(
    dataset: Dataset, people: list[Participant], as_of: dt.date, common: dict[str, Any]
) -> list[Fact]:
    c = dataset.contract
    first = _month_index(c.start)
    last = _month_index(min(c.end, as_of))
    occupancy = Occupancy(
        (p.enrolled_on, p.left_on if _visible_exit(p, as_of) else None, 1.0) for p in people
    )
    trainees: dict[str, set[str]] | None = None
    if dataset.hours is not None:
        trainees = defaultdict(set)
        for h in dataset.hours:
            if h.praktik_hours > 0 or h.subsidised_hours > 0:
                trainees[h.month].add(h.participant_id)
    supplier = {s.month: s for s in dataset.supplier} if dataset.supplier is not None else None
    out = []
    for index in range(first, last + 1):
        start, end = _month_bounds(index)
        lo, hi = start.toordinal(), min(end, as_of).toordinal()
        peak = int(occupancy.peak(lo, hi))
        label = _label(index)
        row = supplier.get(label) if supplier is not None else None
        values = {
            "month": label,
            "month_start": start.toordinal(),
            "month_end": end.toordinal(),
            "places_in_use": peak,
            "trainees": len(trainees.get(label, ())) if trainees is not None else None,
            "ordinary_staff": row.ordinary_staff if row else None,
            "contract_fte": row.contract_fte if row else None,
            "target_group_fte": row.target_group_fte if row else None,
            **common,
        }
        missing = frozenset({"supplier"}) if supplier is not None and row is None else frozenset()
        out.append(Fact(label, values, missing))
    return out


def _years(dataset: Dataset, as_of: dt.date, common: dict[str, Any]) -> list[Fact]:
    """One fact per calendar year of the contract up to `as_of`; a report received later is unknown."""
    c = dataset.contract
    reports = {t.year: t for t in dataset.turnover} if dataset.turnover is not None else {}
    out = []
    for year in range(c.start.year, min(c.end, as_of).year + 1):
        label = f"{year:04d}"
        row = reports.get(label)
        known = row is not None and row.reported_on <= as_of
        values = {
            "year": label,
            "year_start": max(dt.date(year, 1, 1), c.start).toordinal(),
            "year_end": min(dt.date(year, 12, 31), c.end).toordinal(),
            "turnover_dkk": row.turnover_dkk if known and row else None,
            "target_group_fte": row.target_group_fte if known and row else None,
            "reported_on": row.reported_on.toordinal() if known and row else None,
            **common,
        }
        out.append(Fact(label, values))
    return out
