"""The facts rules are evaluated on, derived column-wise: one polars DataFrame per subject kind.

Every fact is defined here once. A frame has one row per subject, the columns of
`procurekit.ruleset.subjects.SUBJECTS[kind]` (dates as Int64 day ordinals, `date.toordinal()`; numbers
from files as exact `pl.Decimal`, counts as Int64), plus `subject` (the display subject) and `missing`
(the data files lacking the subject's row, sorted and comma-separated; "" when none). `facts.derive`
(the row facts explain, durable_rules and the report use) is a view of these frames.

What happened after `as_of` is hidden: a participant enrolled later is left out, a later exit or job
offer is not yet known, later hours and months are not counted. The contract's own period bounds what is
measured: after its end a course still running is measured to the end (`end_on`), and no month or year
after it is a subject. Deadlines and what is known are as of `as_of`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from procurekit.dataset.frames import participant_rows
from procurekit.dataset.read import Contract, Dataset
from procurekit.dataset.records import by_file
from procurekit.errors import DatasetError
from procurekit.months import month_index, parse_month
from procurekit.ruleset.subjects import SUBJECTS

#: `date.toordinal()` of 1970-01-01, the day polars counts `pl.Date` from.
EPOCH = dt.date(1970, 1, 1).toordinal()
_MAX_DIGITS = 38  # what a polars Decimal holds
_TABLES = ("participants", "hours", "supplier", "turnover")
_MONTH_SLOTS = 1 << 17  # more than every month index of years 1..9999


def input_frames(dataset: Dataset) -> dict[str, pl.DataFrame]:
    """The dataset's tables as typed frames (`Dataset.frames` when the reader gives them)."""
    frames = getattr(dataset, "frames", None)
    return dict(frames) if frames is not None else _frames_from_tuples(dataset)


def table_rows(dataset: Dataset) -> dict[str, int]:
    """The number of data rows of each table (0 for a table not in the dataset)."""
    frames = getattr(dataset, "frames", None)
    if frames is not None:
        return {name: frames[name].height if name in frames else 0 for name in _TABLES}
    return {name: len(getattr(dataset, name) or ()) for name in _TABLES}


def _frames_from_tuples(dataset: Dataset) -> dict[str, pl.DataFrame]:
    """The typed frames of a dataset read into tuples: dates `pl.Date`, numbers `pl.Decimal` (scale: the most
    decimals the column holds), counts Int64, yes/no Boolean, codes and ids String."""
    people = dataset.participants
    out = {"participants": pl.DataFrame({
        "participant_id": pl.Series([p.participant_id for p in people], dtype=pl.String),
        "years_on_benefits": _decimals(dataset, "participants", "years_on_benefits",
                                       [p.years_on_benefits for p in people]),
        **{name: pl.Series([getattr(p, name) for p in people], dtype=pl.Date)
           for name in ("enrolled_on", "left_on", "job_offer_on")},
        **{name: pl.Series([getattr(p, name) for p in people], dtype=pl.String)
           for name in ("exit_reason", "job_offer_terms")},
        **{name: pl.Series([getattr(p, name) for p in people], dtype=pl.Boolean)
           for name in ("met_stability", "met_efficiency", "met_quality", "aktivitetsparat")},
    })}
    if dataset.hours is not None:
        hours = dataset.hours
        out["hours"] = pl.DataFrame({
            "participant_id": pl.Series([h.participant_id for h in hours], dtype=pl.String),
            "month": pl.Series([h.month for h in hours], dtype=pl.String),
            **{name: _decimals(dataset, "hours", name, [getattr(h, name) for h in hours])
               for name in ("praktik_hours", "subsidised_hours", "ordinary_hours")},
        })
    if dataset.supplier is not None:
        rows = dataset.supplier
        out["supplier"] = pl.DataFrame({
            "month": pl.Series([s.month for s in rows], dtype=pl.String),
            "ordinary_staff": pl.Series([s.ordinary_staff for s in rows], dtype=pl.Int64),
            **{name: _decimals(dataset, "supplier", name, [getattr(s, name) for s in rows])
               for name in ("contract_fte", "target_group_fte")},
        })
    if dataset.turnover is not None:
        years = dataset.turnover
        out["turnover"] = pl.DataFrame({
            "year": pl.Series([t.year for t in years], dtype=pl.String),
            **{name: _decimals(dataset, "turnover", name, [getattr(t, name) for t in years])
               for name in ("turnover_dkk", "target_group_fte")},
            "reported_on": pl.Series([t.reported_on for t in years], dtype=pl.Date),
        })
    return out


def _decimals(dataset: Dataset, table: str, name: str, values: Sequence[Decimal]) -> pl.Series:
    """Exact decimals as a `pl.Decimal` column whose scale is the most decimals a value has.

    Raises:
        DatasetError: the column needs more than 38 digits (integer digits and decimals) to be held exactly.
    """
    texts = pl.Series(name, [format(v, "f") for v in values], dtype=pl.String)
    point = texts.str.find(".", literal=True)
    digits = texts.str.len_chars()
    sizes = pl.DataFrame({"point": point, "digits": digits}).select(
        scale=(pl.col("digits") - pl.col("point") - 1).max().fill_null(0),
        whole=pl.col("point").fill_null(pl.col("digits")).max().fill_null(1),
    )
    scale, whole = (int(v) for v in sizes.row(0))
    if whole + scale > _MAX_DIGITS:
        raise DatasetError(dataset.path / f"{table}.csv",
                           f"column {name}: too many decimals to hold exactly (at most {_MAX_DIGITS} digits)")
    return texts.cast(pl.Decimal(_MAX_DIGITS, scale))


# --- places in use -----------------------------------------------------------------------------


class Occupancy:
    """Training places in use: the one definition shared by the capacity rule, the report and the
    business case. A place is held from the enrolment day up to and including the last day; "places in
    use" in a period is the most (weighted) participants holding a place on any one day of it.

    Computed by an interval sweep: the changes (+weight on the first day, -weight the day after the
    last) summed per day and accumulated in day order.
    """

    def __init__(self, spans: Iterable[tuple[dt.date, dt.date | None, float]] | pl.DataFrame) -> None:
        """`spans`: (first day, last day or None while open, weight), or a frame of Int64 day ordinals
        `first`, `last` (null while open) and a numeric `weight`."""
        if not isinstance(spans, pl.DataFrame):
            rows = list(spans)
            spans = pl.DataFrame(
                {"first": [a.toordinal() for a, _, _ in rows],
                 "last": [b.toordinal() if b is not None else None for _, b, _ in rows],
                 "weight": [float(w) for _, _, w in rows]},
                schema={"first": pl.Int64, "last": pl.Int64, "weight": pl.Float64},
            )
        self._whole = spans.schema["weight"].is_integer()
        if self._whole:  # by Series operations (a frame's group-by costs ~1 ms a contract): whole sums are exact
            closed = spans["last"].is_not_null()
            days = pl.concat([spans["first"], (spans["last"] + 1).filter(closed)])
            order = days.arg_sort()
            days = days.gather(order)
            running = pl.concat([spans["weight"], -spans["weight"].filter(closed)]).gather(order).cum_sum()
            last = (days != days.shift(-1)).fill_null(True)  # a day's last change: its running total
            self._days, running = days.filter(last), running.filter(last)
        else:  # fractional weights: each day's changes summed first, as floats add up in an order
            starts = spans.select(day=pl.col("first"), change=pl.col("weight"))
            ends = spans.filter(pl.col("last").is_not_null()).select(day=pl.col("last") + 1, change=-pl.col("weight"))
            changes = (
                pl.concat([starts, ends]).group_by("day").agg(pl.col("change").sum()).sort("day")
                .select("day", running=pl.col("change").cum_sum())
            )
            self._days, running = changes["day"], changes["running"]
        self._running: list[Any] = running.to_list()

    def peaks(self, lo: Sequence[int], hi: Sequence[int]) -> list[Any]:
        """The most places in use on any day from ordinal `lo[i]` to `hi[i]` (both included), for every i:
        ints for whole weights, else floats rounded to 9 decimals."""
        at = self._days.search_sorted(pl.Series(lo, dtype=pl.Int64), side="right").cast(pl.Int64) - 1
        stop = self._days.search_sorted(pl.Series(hi, dtype=pl.Int64), side="right").cast(pl.Int64)
        out: list[Any] = []
        for a, b in zip(at.to_list(), stop.to_list(), strict=True):
            # The level on day lo is the running total after the last change on or before it.
            held = self._running[max(a, 0):b]
            peak = max(held, default=0) if a >= 0 else max([0, *held])
            out.append(peak if self._whole else round(peak, 9) + 0.0)
        return out

    def peak(self, lo: int, hi: int) -> float:
        """The most places in use on any day from ordinal `lo` to `hi` (both included)."""
        return float(self.peaks([lo], [hi])[0])


# --- the facts -----------------------------------------------------------------------------------


def _ordinal(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Int64) + EPOCH


def _month_of(column: str) -> pl.Expr:
    """The month index (`procurekit.months.month_index`) of a `YYYY-MM` text column."""
    return pl.col(column).str.slice(0, 4).cast(pl.Int64) * 12 + pl.col(column).str.slice(5, 2).cast(pl.Int64) - 1


def _month_label(index: pl.Expr) -> pl.Expr:
    """A month index written YYYY-MM (`procurekit.months.month_text`)."""
    return pl.concat_str((index // 12).cast(pl.String).str.zfill(4), pl.lit("-"),
                         (index % 12 + 1).cast(pl.String).str.zfill(2))


_EPOCH = dt.date(1970, 1, 1).toordinal()


@functools.cache
def _first_days() -> pl.Series:
    """The day ordinal of the first day of every month index from year 1 to year 10000's January."""
    firsts = pl.date_range(dt.date(1, 1, 1), dt.date(9999, 12, 1), "1mo", eager=True)  # days since 1970
    return (firsts.cast(pl.Int64) + _EPOCH).append(pl.Series([dt.date.max.toordinal() + 1]))


def first_day_of_month(index: pl.Expr) -> pl.Expr:
    """The day ordinal of the first day of the month with this index (`procurekit.months.month_index`;
    years 1..9999, and 10000-01 for the day after the calendar's end), looked up: far cheaper per row than
    building dates."""
    return pl.lit(_first_days()).gather(index - 12)


def _last_day(index: pl.Expr) -> pl.Expr:
    """The day ordinal of the last day of the month with this index."""
    return pl.lit(_first_days()).gather(index - 11) - 1


def _month_index(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int64) * 12 + pl.col(column).dt.month().cast(pl.Int64) - 1


@dataclass(frozen=True)
class _Period:
    """The contract's days the facts read, as expressions over a table's rows: literals for one contract
    (`_period`), or, for the stacked tables of several (`derive_many`), each row's own contract's, looked
    up by its `file` (the contract's place among them)."""

    as_of: pl.Expr  # Date: the day what is known and every deadline is judged by
    end: pl.Expr  # Date: the contract's end, or as_of if earlier
    common: dict[str, pl.Expr]  # as_of, contract_start, contract_end: day ordinals, facts of every kind
    by: tuple[str, ...] = ()  # ("file",) when the tables are stacked

    @property
    def end_ordinal(self) -> pl.Expr:
        return self.end.cast(pl.Int64) + EPOCH

    @property
    def last_month(self) -> pl.Expr:
        """The month index of `end`."""
        return self.end.dt.year().cast(pl.Int64) * 12 + self.end.dt.month().cast(pl.Int64) - 1


def _period(dataset: Dataset, as_of: dt.date) -> _Period:
    c = dataset.contract
    return _Period(pl.lit(as_of), pl.lit(min(as_of, c.end)), {
        "as_of": pl.lit(as_of.toordinal(), pl.Int64), "contract_start": pl.lit(c.start.toordinal(), pl.Int64),
        "contract_end": pl.lit(c.end.toordinal(), pl.Int64)})


def _stacked_period(datasets: Sequence[Dataset], as_of: Sequence[dt.date]) -> _Period:
    def each(values: list[Any], dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(pl.col("file"))

    contracts = [d.contract for d in datasets]
    return _Period(
        each(list(as_of), pl.Date()), each([min(a, c.end) for a, c in zip(as_of, contracts, strict=True)], pl.Date()),
        {"as_of": each([a.toordinal() for a in as_of], pl.Int64()),
         "contract_start": each([c.start.toordinal() for c in contracts], pl.Int64()),
         "contract_end": each([c.end.toordinal() for c in contracts], pl.Int64())},
        ("file",),
    )


def derive_frames(
    dataset: Dataset, as_of: dt.date, tables: dict[str, pl.DataFrame] | None = None, keys: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """The facts of every subject kind as of `as_of`, one frame per kind (see the module's docstring).

    Args:
        dataset: the contract dataset.
        as_of: the day what is known and every deadline is judged by (it may lie after the contract's end).
        tables: the dataset's typed tables, when the caller already has them (`input_frames`).
        keys: `hours_keys(tables)`, when the caller has them (`hours_gaps_frame` takes them too).
    """
    tables = tables if tables is not None else input_frames(dataset)
    period = _period(dataset, as_of)
    people = _visible(tables["participants"], period)
    return {
        "participant": _finish(_participants(people, period), "participant", pl.col("participant_id")),
        "participant_month": _participant_months(tables, period, keys),
        "month": _finish(_months([dataset.contract], [as_of], tables, people, period), "month", pl.col("month"),
                         pl.col("missing")),
        "year": _finish(_years([dataset.contract], [as_of], tables, period), "year", pl.col("year")),
    }


def derive_many(
    datasets: Sequence[Dataset], as_of: Sequence[dt.date], tables: Sequence[dict[str, pl.DataFrame]]
) -> list[tuple[dict[str, pl.DataFrame], pl.Series]]:
    """`derive_frames` and `hours_gaps_frame` of several datasets (a register's), each exactly as alone, made
    on their tables stacked: a small contract's facts are mostly the fixed cost of each query.

    Their tables must be alike: the same tables, each with the same columns of the same types.
    """
    count = len(datasets)
    stacked = {name: pl.concat([t[name].with_columns(file=pl.lit(i, pl.Int32)) for i, t in enumerate(tables)],
                               rechunk=False) for name in tables[0]}
    period = _stacked_period(datasets, as_of)
    contracts = [d.contract for d in datasets]
    keys = hours_keys(stacked)
    people = _visible(stacked["participants"], period)
    by = pl.col("file")
    frames = {
        "participant": _finish(_participants(people, period), "participant", pl.col("participant_id"), by=by),
        "participant_month": _participant_months(stacked, period, keys),
        "month": _finish(_months(contracts, as_of, stacked, people, period), "month", pl.col("month"),
                         pl.col("missing"), by=by),
        "year": _finish(_years(contracts, as_of, stacked, period), "year", pl.col("year"), by=by),
    }
    parts = {kind: _files(frame, count) for kind, frame in frames.items()}
    gaps = _gaps(stacked, period, keys)
    gap_parts = _files(gaps, count) if gaps.width > 1 else [gaps] * count
    return [({kind: parts[kind][i] for kind in frames}, gap_parts[i]["gap"]) for i in range(count)]


def _files(frame: pl.DataFrame, count: int) -> list[pl.DataFrame]:
    """The rows of each of `count` stacked files (`file`: 0, 1, …), without `file`."""
    parts = by_file(frame)
    return [parts[i] if i in parts else frame.drop("file").clear() for i in range(count)]


def _visible(participants: pl.DataFrame, period: _Period) -> pl.DataFrame:
    """The participants enrolled by `as_of`, with `aktivitetsparat` (an optional column) always there."""
    people = participants.filter(pl.col("enrolled_on") <= period.as_of)
    if "aktivitetsparat" not in people.columns:
        people = people.with_columns(aktivitetsparat=pl.lit(None, pl.Boolean))
    return people


def _finish(frame: pl.DataFrame | pl.LazyFrame, kind: str, subject: pl.Expr, missing: pl.Expr | None = None,
            by: pl.Expr | None = None) -> pl.DataFrame:
    """The frame's fact columns in SUBJECTS order, with `subject` and `missing` (and `by`, stacked)."""
    columns: list[pl.Expr | str] = [*SUBJECTS[kind], subject.alias("subject"),
                                    (missing if missing is not None else pl.lit("")).alias("missing")]
    return frame.lazy().select(*columns, *([] if by is None else [by])).collect()


def _participants(people: pl.DataFrame, period: _Period) -> pl.LazyFrame:
    left = pl.col("left_on").is_not_null() & (pl.col("left_on") <= period.end)  # leaving after the end: running
    offer = pl.col("job_offer_on").is_not_null() & (pl.col("job_offer_on") <= period.as_of)
    return people.lazy().with_columns(
        left_on=pl.when(left).then(_ordinal("left_on")),
        exit_reason=pl.when(left).then(pl.col("exit_reason")),
        job_offer_on=pl.when(offer).then(_ordinal("job_offer_on")),
        job_offer_terms=pl.when(offer).then(pl.col("job_offer_terms")),
        enrolled_on=_ordinal("enrolled_on"),
        active=~left,
        end_on=pl.when(left).then(_ordinal("left_on")).otherwise(period.end_ordinal),
        **period.common,
    )


def _participant_months(tables: dict[str, pl.DataFrame], period: _Period, keys: pl.DataFrame | None) -> pl.DataFrame:
    by = [pl.col(c) for c in period.by]
    hours = tables.get("hours")
    if hours is None:
        empty = pl.DataFrame(schema={**_schema("participant_month"), **dict.fromkeys(period.by, pl.Int32())})
        return _finish(empty, "participant_month", pl.lit(""), by=by[0] if by else None)
    participants = tables["participants"]
    course = participants.select(
        visible=pl.col("enrolled_on") <= period.as_of, enrolled_on=_ordinal("enrolled_on"),
        first_month=_month_index("enrolled_on"),
        left_on=pl.when(pl.col("left_on") <= period.as_of).then(_ordinal("left_on")),
    )
    keys = keys if keys is not None else _hours_keys(hours, participants)
    at = keys["position"]
    joined = hours.with_columns(index=keys["index"], **{name: course[name].gather(at) for name in course.columns})
    keep = pl.col("visible").fill_null(False) & (pl.col("index") <= period.last_month)
    if not joined.select(keep.all()).item():  # most checks keep every row: no copy then
        joined = joined.filter(keep)
    index = pl.col("index")
    paid = pl.sum_horizontal("subsidised_hours", "ordinary_hours")  # every hours cell is given: none is missing
    frame = joined.lazy().with_columns(
        month_start=first_day_of_month(index),
        month_end=_last_day(index),
        course_month=index - pl.col("first_month") + 1,
        total_hours=pl.sum_horizontal("praktik_hours", "subsidised_hours", "ordinary_hours"),
        paid_hours=paid,
        **period.common,
    )
    return _finish(frame, "participant_month", pl.concat_str("participant_id", pl.lit("@"), "month"),
                   by=by[0] if by else None)


def hours_keys(tables: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """`_hours_keys` of a dataset's tables (None without hours): for `derive_frames` and `hours_gaps_frame`,
    which both need them."""
    return _hours_keys(tables["hours"], tables["participants"]) if "hours" in tables else None


def _hours_keys(hours: pl.DataFrame, participants: pl.DataFrame) -> pl.DataFrame:
    """Per hours row: `position`, the row of its participant in `participants` (`frames.participant_rows`; an
    hours row names a known participant: read.py sees to it), and `index`, the month's index, through an
    enumeration of the distinct months."""
    months = hours["month"].unique().sort()
    indexes = pl.Series([parse_month(m) for m in months.to_list()], dtype=pl.Int64)
    position = participant_rows(hours["participant_id"], participants, hours["file"] if "file" in hours.columns
                                else None)
    return hours.select(position=pl.lit(position.cast(pl.Int64)),
                        index=pl.lit(indexes).gather(pl.col("month").cast(pl.Enum(months)).to_physical()))


#: Days apart the contracts' days are put in one sweep of places in use (`_months`): more than any ordinal.
_DAY_SLOTS = 1 << 22


def _with_file(frame: pl.DataFrame, period: _Period) -> pl.DataFrame:
    """A table of one contract numbered as a stacked one's (`file` 0); a stacked one as it is."""
    return frame if period.by else frame.with_columns(file=pl.lit(0, pl.Int32))


def _months(
    contracts: Sequence[Contract], as_of: Sequence[dt.date], tables: dict[str, pl.DataFrame], people: pl.DataFrame,
    period: _Period,
) -> pl.DataFrame:
    """One fact per month of each contract up to its `as_of`, with `file` (its place among `contracts`)."""
    spans = [(month_index(c.start), month_index(min(c.end, a))) for c, a in zip(contracts, as_of, strict=True)]
    months = pl.DataFrame({
        "file": pl.Series([i for i, (a, b) in enumerate(spans) for _ in range(a, b + 1)], dtype=pl.Int32),
        "index": pl.Series([m for a, b in spans for m in range(a, b + 1)], dtype=pl.Int64),
    }).with_columns(
        month=_month_label(pl.col("index")),
        month_start=first_day_of_month(pl.col("index")),
        month_end=_last_day(pl.col("index")),
    )
    # One sweep for every contract: each contract's days moved _DAY_SLOTS apart, and a place still held
    # given back at its contract's far end, so that no contract's places count in another's.
    shift = pl.col("file").cast(pl.Int64) * _DAY_SLOTS
    held = _with_file(people, period).select(
        first=_ordinal("enrolled_on") + shift,
        last=pl.when(pl.col("left_on") <= period.as_of).then(_ordinal("left_on")).otherwise(_DAY_SLOTS - 2) + shift,
        weight=pl.lit(1, pl.Int64),
    )
    bounds = months.select(lo=pl.col("month_start") + shift,
                           hi=pl.min_horizontal("month_end", period.common["as_of"]) + shift)
    months = months.with_columns(places_in_use=pl.Series(
        Occupancy(held).peaks(bounds["lo"].to_list(), bounds["hi"].to_list()), dtype=pl.Int64))
    hours = tables.get("hours")
    if hours is not None:
        # A participant has at most one row a month (read.py refuses a second), so rows count people.
        trainees = (hours.lazy().filter((pl.col("praktik_hours") > 0) | (pl.col("subsidised_hours") > 0))
                    .group_by(*period.by, "month").agg(trainees=pl.len().cast(pl.Int64))
                    .with_columns(file=pl.col("file") if period.by else pl.lit(0, pl.Int32)))
        months = (months.lazy().join(trainees, on=["file", "month"], how="left", maintain_order="left")
                  .with_columns(pl.col("trainees").fill_null(0)).collect())
    else:
        months = months.with_columns(trainees=pl.lit(None, pl.Int64))
    supplier = tables.get("supplier")
    if supplier is None:
        months = months.with_columns(ordinary_staff=pl.lit(None, pl.Int64),
                                     contract_fte=pl.lit(None, pl.Decimal(38, 0)),
                                     target_group_fte=pl.lit(None, pl.Decimal(38, 0)), missing=pl.lit(""))
    else:
        months = months.join(_with_file(supplier, period).with_columns(known=pl.lit(True)), on=["file", "month"],
                             how="left", maintain_order="left")
        months = months.with_columns(missing=pl.when(pl.col("known")).then(pl.lit("")).otherwise(pl.lit("supplier")))
    return months.with_columns(**period.common)


def _years(contracts: Sequence[Contract], as_of: Sequence[dt.date], tables: dict[str, pl.DataFrame],
           period: _Period) -> pl.DataFrame:
    """One fact per calendar year of each contract up to its `as_of`, with `file`; a report received later
    is unknown."""
    years = [(i, y, c) for i, (c, a) in enumerate(zip(contracts, as_of, strict=True))
             for y in range(c.start.year, min(c.end, a).year + 1)]
    frame = pl.DataFrame({
        "file": pl.Series([i for i, _, _ in years], dtype=pl.Int32),
        "year": pl.Series([f"{y:04d}" for _, y, _ in years], dtype=pl.String),
        "year_start": pl.Series([max(dt.date(y, 1, 1), c.start).toordinal() for _, y, c in years], dtype=pl.Int64),
        "year_end": pl.Series([min(dt.date(y, 12, 31), c.end).toordinal() for _, y, c in years], dtype=pl.Int64),
    })
    reports = tables.get("turnover")
    if reports is None:
        reports = pl.DataFrame(schema={"file": pl.Int32, "year": pl.String, "turnover_dkk": pl.Decimal(38, 0),
                                       "target_group_fte": pl.Decimal(38, 0), "reported_on": pl.Date})
    known = pl.col("reported_on") <= period.as_of
    return frame.join(_with_file(reports, period), on=["file", "year"], how="left", maintain_order="left").with_columns(
        turnover_dkk=pl.when(known).then(pl.col("turnover_dkk")),
        target_group_fte=pl.when(known).then(pl.col("target_group_fte")),
        reported_on=pl.when(known).then(_ordinal("reported_on")),
        **period.common,
    )


def _schema(kind: str) -> dict[str, pl.DataType]:
    """Column types of an empty frame of `kind` (numbers that may hold decimals as Decimal)."""
    out: dict[str, pl.DataType] = {}
    for name, field in SUBJECTS[kind].items():
        if field.type == "number":
            out[name] = pl.Int64() if name == "course_month" else pl.Decimal(38, 0)
        else:
            out[name] = {"date": pl.Int64(), "bool": pl.Boolean(), "string": pl.String()}[field.type]
    return out


def hours_gaps_frame(dataset: Dataset, as_of: dt.date, tables: dict[str, pl.DataFrame] | None = None,
                     keys: pl.DataFrame | None = None) -> pl.Series:
    """The participant-months (`<participant_id>@<YYYY-MM>`) of every course, from the enrolment month to
    the leaving month (or the month of `as_of`), that have no row in hours.csv; none without hours.csv.
    `tables`, `keys`: as `derive_frames` takes them."""
    tables = tables if tables is not None else input_frames(dataset)
    return _gaps(tables, _period(dataset, as_of), keys)["gap"]


def _gaps(tables: dict[str, pl.DataFrame], period: _Period, keys: pl.DataFrame | None) -> pl.DataFrame:
    """`hours_gaps_frame` as a frame: `gap` (and `file`, stacked)."""
    hours = tables.get("hours")
    if hours is None:
        return pl.DataFrame({"gap": pl.Series([], dtype=pl.String)})
    participants = tables["participants"]
    stop = pl.when(pl.col("left_on") <= period.as_of).then(pl.col("left_on")).otherwise(period.end)
    courses = participants.lazy().with_row_index("position").filter(pl.col("enrolled_on") <= period.as_of).select(
        *period.by, "participant_id", pl.col("position").cast(pl.Int64),
        index=pl.int_ranges(_month_index("enrolled_on"),
                            stop.dt.year().cast(pl.Int64) * 12 + stop.dt.month().cast(pl.Int64), dtype=pl.Int64),
    ).explode("index").drop_nulls("index")
    # One integer per participant-month (the participant's row, the month's index): a set lookup, not a join.
    keys = (keys if keys is not None else _hours_keys(hours, participants)).select(
        pl.col("position") * _MONTH_SLOTS + pl.col("index"))
    have = pl.col("position") * _MONTH_SLOTS + pl.col("index")
    return (
        courses.filter(~have.is_in(keys.to_series().implode()))
        .select(*period.by, gap=pl.concat_str("participant_id", pl.lit("@"), _month_label(pl.col("index"))))
        .collect()
    )
