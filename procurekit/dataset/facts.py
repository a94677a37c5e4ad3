"""The facts rules are evaluated on, as rows: a view of the frames `fact_frames.derive_frames` derives.

Dates are day numbers, aggregates (places in use, trainees) are computed there, and what happened after
`as_of` is hidden: a participant enrolled later is left out, a later exit or job offer is not yet known,
later hours and months are not counted. So a check "as of" a past date sees what a contract manager could
have seen that day. Every fact is defined once, column-wise, in `fact_frames`; explain, durable_rules and
the report read these rows of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from procurekit.dataset.fact_frames import Occupancy, derive_frames, hours_gaps_frame
from procurekit.dataset.read import Dataset
from procurekit.ruleset.subjects import SUBJECTS

__all__ = ["Fact", "Occupancy", "derive", "facts_of", "hours_gaps"]


@dataclass(frozen=True, slots=True)
class Fact:
    """One subject's fact: its display subject, its values, and required sources it lacks."""

    subject: str
    values: dict[str, Any]
    missing: frozenset[str] = frozenset()


def derive(dataset: Dataset, as_of: dt.date) -> dict[str, list[Fact]]:
    """Return the facts of every subject kind, as of `as_of` (`fact_frames.derive_frames`, as rows).

    The contract's own period bounds what is measured: after its end, a course still running is
    measured to the end (`end_on`), and no month or year after it is a subject. What is *known* and
    every deadline is as of `as_of`: an annual report due 90 days after the end is late when a check
    after that day finds it missing.
    """
    return {kind: facts_of(kind, frame) for kind, frame in derive_frames(dataset, as_of).items()}


def facts_of(kind: str, frame: pl.DataFrame) -> list[Fact]:
    """The rows of a fact frame of `kind` as `Fact`s, in the frame's order."""
    fields = list(SUBJECTS[kind])
    out = []
    for subject, missing, *values in frame.select("subject", "missing", *fields).iter_rows():
        out.append(Fact(subject, dict(zip(fields, values, strict=True)), missing_sources(missing)))
    return out


def missing_sources(text: str) -> frozenset[str]:
    """The data files of a frame's `missing` cell (comma-separated) as a set."""
    return frozenset(text.split(",")) if text else frozenset()


def hours_gaps(dataset: Dataset, as_of: dt.date) -> list[str]:
    """The participant-months (`<participant_id>@<YYYY-MM>`) of every course, from the enrolment month to
    the leaving month (or the month of `as_of`), that have no row in hours.csv; none without hours.csv.

    Such a month cannot be judged by the hours rules, and must not pass for one that was.
    """
    return hours_gaps_frame(dataset, as_of).to_list()
