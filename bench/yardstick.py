"""The yardstick: the Ikast-Brande rule set's nine rules written out by hand in plain polars. Not a test.

    python bench/yardstick.py DATASET_OR_REGISTER [--as-of YYYY-MM-DD] -o FILE.json

`bench/speed.py` runs this next to `procurekit check` on the same data, to show what the machine can do
(CSV read to findings, vectorised) and to check that procurekit's findings are right: the non-ok findings
(contract, rule, subject, verdict) and the verdict counts (ok included) must be equal.

What it implements, independently of procurekit's reader, facts and engines:

- Reading: comma-separated UTF-8 CSV (participants.csv, optional hours.csv and supplier.csv) read by
  polars as strings, cells stripped, a register (a folder of contract folders) read as one frame per table.
  Validation, vectorised, the first problem aborts with file, row and column: known and required columns;
  CPR-shaped cells (procurekit's ASCII pattern: a plausible day and month, two year digits, four digits);
  pseudonyms, months (YYYY-MM), ISO dates, yes/no, codes, plain decimals up to 1e9, counts; unique ids,
  hours of known participants within their course, no repeated participant-month or supplier month,
  left_on/exit_reason and job_offer_on/job_offer_terms given together and not before enrolment,
  target_group_fte not above contract_fte, at most 100 years on benefits.
- Numbers are exact: a decimal column is held as whole numbers of its smallest unit (Int128; 12.5 with
  scale 1 is 125), and every comparison with a parameter or a quotient is made by cross-multiplication,
  never on a rounded quotient.
- Facts, as of a day: what `procurekit.dataset.facts` documents (participants enrolled by then, exits and
  job offers known by then, the contract's end bounding what is measured, course months, the most places
  held on one day of a month by an interval sweep, trainees per month from hours.csv).
- The rules: each rule's expressions below (`RULES`) written as polars expressions, the outcomes combined
  as procurekit defines them (not applicable, violation, due, warning, else ok; a comparison with a
  missing value is false). The parameter values come from the rule set through procurekit's public API
  (`procurekit.load_ruleset(...).params_at(day)`); the rule texts are checked against `RULES` first, so a
  changed rule stops the yardstick instead of silently measuring something else.

What it does not do: messages, values, explanations, `not_evaluated` (hours gaps, missing supplier months
are only left out), the JSON document, the year rules and turnover.csv, xlsx, semicolon files, decimal
commas, day-first dates, Windows-1252, CPR numbers in other scripts (a non-ASCII cell fails its column's
pattern instead), dates beyond year 9999, a contract whose check date is before its start (it stops), and
rule sets other than these nine rules (any parameter values). Where procurekit computes a quotient in a
28-digit decimal context (`max_weekly_hours * 52 / 12`, `target_group_fte / contract_fte`) this compares
exactly; the two agree unless a number has more than about 25 decimals. Its wall time includes importing
procurekit (for the rule set), which `timings` shows separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import operator
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

_T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402
import yaml  # noqa: E402

#: The rules this file implements, as the rule set writes them (whitespace aside): id -> subject, parts.
RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "eligibility.benefit-years": ("participant", {
        "condition": "years_on_benefits >= min_benefit_years"}),
    "cap.course-months": ("participant", {
        "let": {"cap_on": "add_months(enrolled_on, max_course_months)"},
        "condition": "end_on <= cap_on",
        "warning": "active and cap_on - end_on <= cap_warning_days"}),
    "capacity.training-places": ("month", {"condition": "places_in_use <= training_places"}),
    "guarantee.job-offer": ("participant", {
        "let": {"offer_deadline": "left_on + job_offer_deadline_days"},
        "applies": 'exit_reason == "completed" and met_stability and met_efficiency and met_quality',
        "condition": "job_offer_on != null and job_offer_on <= offer_deadline",
        "due": "job_offer_on == null and as_of <= offer_deadline"}),
    "guarantee.ordinary-terms": ("participant", {
        "applies": 'exit_reason == "completed" and met_stability and met_efficiency and met_quality'
                   " and job_offer_on != null",
        "condition": 'job_offer_terms == "ordinary"'}),
    "hours.weekly-max": ("participant_month", {
        "let": {"month_max_hours": "max_weekly_hours * 52 / 12"},
        "condition": "total_hours <= month_max_hours"}),
    "hours.conversion": ("participant_month", {
        "applies": "course_month >= first_paid_month and total_hours > 0",
        "condition": "paid_hours > 0"}),
    "ratio.rimelighed": ("month", {
        "let": {"max_trainees": "max(ratio_min_trainees, floor(min(ordinary_staff, ratio_band_limit) / "
                                "ratio_staff_per_trainee)) + floor(max(0, ordinary_staff - ratio_band_limit) / "
                                "ratio_staff_per_trainee_above)"},
        "condition": "trainees <= max_trainees"}),
    "clause.target-group-share": ("month", {
        "let": {"target_group_share": "target_group_fte / contract_fte"},
        "applies": "contract_fte > 0",
        "condition": "target_group_share >= min_target_group_share"}),
}

PARTICIPANT_COLUMNS = ("participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason",
                       "met_stability", "met_efficiency", "met_quality", "job_offer_on", "job_offer_terms",
                       "aktivitetsparat")
PARTICIPANT_REQUIRED = PARTICIPANT_COLUMNS[:5]
HOURS_COLUMNS = ("participant_id", "month", "praktik_hours", "subsidised_hours", "ordinary_hours")
SUPPLIER_COLUMNS = ("month", "ordinary_staff", "contract_fte", "target_group_fte")
EXIT_REASONS = ("completed", "dropped_out", "other")
OFFER_TERMS = ("ordinary", "subsidised", "flexjob")
VERDICTS = ("violation", "warning", "due", "ok")  # ok last: the others are findings
_TRUE, _FALSE = ("true", "yes", "ja", "sand"), ("false", "no", "nej", "falsk")
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_PLAIN_NUMBER = r"^(\d+\.?\d*|\.\d+)$"
_SEP = r"[-.,_/\\\s]*"
_CPR = (r"(^|[^0-9])(0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])" + _SEP + r"(0[1-9]|1[0-2])" + _SEP
        + r"[0-9]{2}" + _SEP + r"[0-9]{4}([^0-9]|$)")
MAX_SCALE = 18  # decimals a column may hold: 1e9 * 10**scale times a parameter's terms must fit in Int128


#: The findings that are not ok (c, subject, rule, verdict) and the number of each verdict.
Verdicts = tuple[pl.DataFrame, dict[str, int]]


class Refused(Exception):
    """Input the yardstick does not read; the message names file, row and column."""


# --- reading ---------------------------------------------------------------------------------------


def contracts(path: Path, as_of: dt.date | None) -> pl.DataFrame:
    """One row per contract folder: c (index), folder, contract_id, ruleset, start, end, day, known.

    `day` is the check date (the end when `as_of` lies after it) and `known` the day facts are known on.
    """
    folders = [path] if (path / "contract.yaml").is_file() else sorted(
        p for p in path.iterdir() if p.is_dir() and (p / "contract.yaml").is_file())
    if not folders:
        raise Refused(f"{path}: no contract.yaml in it or in its folders")
    rows = []
    for c, folder in enumerate(folders):
        meta = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
        start, end = meta["start"], meta["end"]
        asked = as_of or min(dt.date.today(), end)
        if asked < start:
            raise Refused(f"{folder}: the check date {asked} is before the contract's start {start}")
        rows.append({"c": c, "folder": str(folder), "contract_id": str(meta["contract_id"]),
                     "ruleset": str(meta["ruleset"]), "start": start, "end": end,
                     "day": min(asked, end), "known": asked})
    return pl.DataFrame(rows)


def read_table(c_frame: pl.DataFrame, name: str, columns: tuple[str, ...], required: tuple[str, ...]
               ) -> pl.DataFrame | None:
    """`name`.csv of every contract as one frame of stripped strings (empty = null), with c and row."""
    files = [(c, Path(folder) / f"{name}.csv") for c, folder in c_frame.select("c", "folder").iter_rows()]
    files = [(c, f) for c, f in files if f.is_file()]
    if not files:
        return None
    for c, f in files:
        _FILES[c, f.name] = f
        with f.open(encoding="utf-8") as fh:
            header = tuple(h.strip() for h in fh.readline().rstrip("\r\n").split(","))
        unknown = [h for h in header if h not in columns]
        missing = [h for h in required if h not in header]
        if unknown or missing or len(set(header)) != len(header):
            raise Refused(f"{f}, row 1: columns {header} (unknown {unknown}, missing {missing})")
    frames = [pl.scan_csv(f, infer_schema=False).with_columns(c=pl.lit(c, pl.Int64), row=pl.int_range(2, pl.len() + 2))
              for c, f in files]  # row: as a spreadsheet numbers it (the header is row 1)
    lazy = pl.concat(frames, how="diagonal")
    text = [n for n in columns if n in lazy.collect_schema().names()]
    raw = lazy.with_columns(  # cells stripped, an empty cell is a missing value, an absent column all missing
        [pl.col(n).str.strip_chars().replace("", None).alias(n) for n in text]
        + [pl.lit(None, pl.String).alias(n) for n in columns if n not in text]).collect()
    for n in text:
        first_bad(raw, pl.col(n).str.contains(_CPR), f"{name}.csv", n, "looks like a CPR number (value not shown)")
    return raw


#: (contract index, table) -> the file read, for error messages.
_FILES: dict[tuple[int, str], Path] = {}


def first_bad(frame: pl.DataFrame, bad: pl.Expr, table: str, column: str, problem: str) -> None:
    """Refuse the frame when `bad` holds on a row: name the first one (file, row, column)."""
    hits = frame.filter(bad.fill_null(False)).sort("c", "row").select("c", "row").head(1)
    if hits.height:
        c, row = hits.row(0)
        raise Refused(f"{_FILES[c, table]}, row {row}, column {column}: {problem}")


def parse_text(frame: pl.DataFrame, table: str, column: str, pattern: str, required: bool = False) -> None:
    """Check a text column against a pattern (and, when required, that no cell is empty)."""
    bad = ~pl.col(column).str.contains(pattern)
    if required:
        bad = bad | pl.col(column).is_null()
    first_bad(frame, bad, table, column, f"not {pattern}" + (" or empty" if required else ""))


def parse_dates(frame: pl.DataFrame, table: str, names: tuple[str, ...], required: tuple[str, ...] = ()
                ) -> pl.DataFrame:
    """ISO dates as pl.Date; a bad or (for `required`) empty cell refuses the table."""
    out = frame.with_columns(
        [pl.when(pl.col(n).str.contains(_DATE)).then(pl.col(n).str.to_date("%Y-%m-%d", strict=False))
         .alias(f"{n}__d") for n in names])
    for n in names:
        first_bad(out, pl.col(n).is_not_null() & pl.col(f"{n}__d").is_null(), table, n, "not a date YYYY-MM-DD")
        if n in required:
            first_bad(out, pl.col(n).is_null(), table, n, "empty")
    return out.drop(names).rename({f"{n}__d": n for n in names})


def parse_decimals(frame: pl.DataFrame, table: str, names: tuple[str, ...]) -> tuple[pl.DataFrame, int]:
    """Required plain decimals (0 to 1e9) as exact whole numbers of one shared scale: (frame, scale)."""
    for n in names:
        parse_text(frame, table, n, _PLAIN_NUMBER, required=True)
    decimals = {n: pl.col(n).str.len_bytes() - pl.col(n).str.find(".", literal=True) - 1 for n in names}
    scale = max((frame.select(decimals[n].max()).item() or 0) for n in names)
    if scale > MAX_SCALE:
        raise Refused(f"{table}: more than {MAX_SCALE} decimals")
    ten = 10 ** scale

    def units(n: str) -> pl.Expr:
        # A Decimal's physical value is the whole number of its smallest unit; the scale is at least
        # every cell's number of decimals, so nothing is rounded.
        return pl.col(n).str.to_decimal(scale=scale).to_physical()

    out = frame.with_columns([units(n).alias(n) for n in names])
    for n in names:
        first_bad(out, pl.col(n) > 10**9 * ten, table, n, "too large")
    return out, scale


def parse_choices(frame: pl.DataFrame, table: str, column: str, options: tuple[str, ...]) -> None:
    """Refuse a cell that is neither empty nor one of `options`."""
    bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(options)
    first_bad(frame, bad, table, column, f"not one of {options}")


def parse_bools(frame: pl.DataFrame, table: str, names: tuple[str, ...]) -> pl.DataFrame:
    """Yes/no cells (any case; empty = null) as Boolean."""
    for n in names:
        bad = pl.col(n).is_not_null() & ~pl.col(n).str.to_lowercase().is_in(_TRUE + _FALSE)
        first_bad(frame, bad, table, n, "not yes or no")
    return frame.with_columns([pl.col(n).str.to_lowercase().is_in(_TRUE).alias(n) for n in names])


def month_index(day: pl.Expr) -> pl.Expr:
    """Months since year 0 of a date (January of year 1 is 12), as procurekit.months counts them."""
    return day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1


def label_index(label: pl.Expr) -> pl.Expr:
    """Month index of a YYYY-MM label."""
    return label.str.slice(0, 4).cast(pl.Int64) * 12 + label.str.slice(5, 2).cast(pl.Int64) - 1


def read_participants(cf: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """participants.csv of every contract, typed and validated: (frame, scale of years_on_benefits)."""
    t = "participants.csv"
    p = read_table(cf, "participants", PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED)
    if p is None:
        raise Refused(f"{cf['folder'][0]}: participants.csv is missing")
    parse_text(p, t, "participant_id", _ID, required=True)
    parse_choices(p, t, "exit_reason", EXIT_REASONS)
    parse_choices(p, t, "job_offer_terms", OFFER_TERMS)
    p = parse_bools(p, t, ("met_stability", "met_efficiency", "met_quality", "aktivitetsparat"))
    p = parse_dates(p, t, ("enrolled_on", "left_on", "job_offer_on"), required=("enrolled_on",))
    p, scale = parse_decimals(p, t, ("years_on_benefits",))
    first_bad(p, pl.struct("c", "participant_id").is_duplicated(), t, "participant_id", "a repeated id")
    first_bad(p, pl.col("years_on_benefits") > 100 * 10**scale, t, "years_on_benefits", "more than 100 years")
    first_bad(p, pl.col("left_on").is_null() != pl.col("exit_reason").is_null(), t, "left_on",
              "left_on and exit_reason not given together")
    first_bad(p, pl.col("left_on") < pl.col("enrolled_on"), t, "left_on", "before enrolled_on")
    first_bad(p, pl.col("job_offer_on").is_null() != pl.col("job_offer_terms").is_null(), t, "job_offer_on",
              "job_offer_on and job_offer_terms not given together")
    first_bad(p, pl.col("job_offer_on") < pl.col("enrolled_on"), t, "job_offer_on", "before enrolled_on")
    return p, scale


def read_hours(cf: pl.DataFrame, people: pl.DataFrame) -> tuple[pl.DataFrame | None, int]:
    """hours.csv of every contract (None where no contract has one), validated against participants."""
    t = "hours.csv"
    h = read_table(cf, "hours", HOURS_COLUMNS, HOURS_COLUMNS)
    if h is None:
        return None, 0
    parse_text(h, t, "participant_id", _ID, required=True)
    parse_text(h, t, "month", _MONTH, required=True)
    h, scale = parse_decimals(h, t, HOURS_COLUMNS[2:])
    course = people.select("c", "participant_id", person=pl.int_range(pl.len()),
                           first=month_index(pl.col("enrolled_on")), last=month_index(pl.col("left_on")))
    h = h.with_columns(m=label_index(pl.col("month"))).join(course, on=["c", "participant_id"], how="left")
    first_bad(h, pl.col("first").is_null(), t, "participant_id", "unknown participant")
    first_bad(h, (pl.col("person") * 120_000 + pl.col("m")).is_duplicated(), t, "month", "a repeated month")
    first_bad(h, (pl.col("m") < pl.col("first")) | (pl.col("m") > pl.col("last")), t, "month",
              "outside the participant's course")
    return h.drop("person", "first", "last"), scale


def read_supplier(cf: pl.DataFrame) -> pl.DataFrame | None:
    """supplier.csv of every contract (None where no contract has one)."""
    t = "supplier.csv"
    s = read_table(cf, "supplier", SUPPLIER_COLUMNS, SUPPLIER_COLUMNS)
    if s is None:
        return None
    parse_text(s, t, "month", _MONTH, required=True)
    parse_text(s, t, "ordinary_staff", r"^\d{1,8}$", required=True)
    s = s.with_columns(pl.col("ordinary_staff").cast(pl.Int64))
    first_bad(s, pl.col("ordinary_staff") > 10_000_000, t, "ordinary_staff", "too large")
    s, _ = parse_decimals(s, t, ("contract_fte", "target_group_fte"))
    first_bad(s, pl.struct("c", "month").is_duplicated(), t, "month", "a repeated month")
    first_bad(s, pl.col("target_group_fte") > pl.col("contract_fte"), t, "target_group_fte",
              "exceeds contract_fte")
    return s


# --- the rules -------------------------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """Whether a parameter value is a number (not a date, a text or a truth value)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def rational(value: int | float | Decimal) -> Fraction:
    """A parameter value as an exact fraction (a float by its shortest spelling, as procurekit takes it)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def days(later: str, earlier: str) -> pl.Expr:
    """Days from one date column to another."""
    return (pl.col(later) - pl.col(earlier)).dt.total_days()


def cmp(units: pl.Expr, scale: int, op: Callable[[Any, Any], Any], value: Fraction) -> pl.Expr:
    """`units / 10**scale  op  value`, exactly (cross-multiplied); false when units is missing."""
    return op(units * value.denominator, value.numerator * 10**scale).fill_null(False)


def verdict(applies: pl.Expr, condition: pl.Expr, due: pl.Expr | None = None,
            warning: pl.Expr | None = None) -> pl.Expr:
    """The outcome, as procurekit combines a rule's parts; null when the rule does not apply."""
    out = pl.when(~applies).then(pl.lit(None, pl.String))
    if due is not None:
        out = out.when(~condition & ~due).then(pl.lit("violation")).when(~condition).then(pl.lit("due"))
    else:
        out = out.when(~condition).then(pl.lit("violation"))
    if warning is not None:
        out = out.when(warning).then(pl.lit("warning"))
    return out.otherwise(pl.lit("ok"))


def participant_verdicts(p: pl.DataFrame, cf: pl.DataFrame, scale: int, par: dict[str, Fraction]) -> Verdicts:
    """The participant rules, on the participants enrolled by the day facts are known."""
    f = p.join(cf.select("c", "known", "end", "day"), on="c").filter(pl.col("enrolled_on") <= pl.col("known"))
    end = pl.min_horizontal("known", "end")
    left = pl.col("left_on").is_not_null() & (pl.col("left_on") <= end)
    offer = pl.col("job_offer_on").is_not_null() & (pl.col("job_offer_on") <= pl.col("known"))
    f = f.select(
        "c", "participant_id", "years_on_benefits", "enrolled_on", "met_stability", "met_efficiency",
        "met_quality", "known", active=~left,
        left_on=pl.when(left).then(pl.col("left_on")),
        exit_reason=pl.when(left).then(pl.col("exit_reason")),
        job_offer_on=pl.when(offer).then(pl.col("job_offer_on")),
        job_offer_terms=pl.when(offer).then(pl.col("job_offer_terms")),
        end_on=pl.when(left).then(pl.col("left_on")).otherwise(end),
    )
    completed = ((pl.col("exit_reason") == "completed").fill_null(False) & pl.col("met_stability").fill_null(False)
                 & pl.col("met_efficiency").fill_null(False) & pl.col("met_quality").fill_null(False))
    months = par["max_course_months"]
    cap_on = pl.col("enrolled_on").dt.offset_by(f"{int(months)}mo")  # add_months takes whole months
    within_cap = (pl.col("end_on") <= cap_on).fill_null(False)
    cap_warning = pl.col("active") & cmp((cap_on - pl.col("end_on")).dt.total_days(), 0, operator.le,
                                         par["cap_warning_days"])
    deadline = par["job_offer_deadline_days"]
    offered_in_time = pl.col("job_offer_on").is_not_null() & cmp(days("job_offer_on", "left_on"), 0, operator.le,
                                                                  deadline)
    still_due = pl.col("job_offer_on").is_null() & cmp(days("known", "left_on"), 0, operator.le, deadline)
    out = f.select(
        "c", "participant_id",
        **{
            "eligibility.benefit-years": verdict(pl.lit(True), cmp(pl.col("years_on_benefits"), scale,
                                                                   operator.ge, par["min_benefit_years"])),
            "cap.course-months": verdict(pl.lit(True), within_cap, warning=cap_warning),
            "guarantee.job-offer": verdict(completed, offered_in_time, due=still_due),
            "guarantee.ordinary-terms": verdict(completed & pl.col("job_offer_on").is_not_null(),
                                                (pl.col("job_offer_terms") == "ordinary").fill_null(False)),
        },
    )
    return long(out, pl.col("participant_id"))


def participant_month_verdicts(h: pl.DataFrame, p: pl.DataFrame, cf: pl.DataFrame, scale: int,
                               par: dict[str, Fraction]) -> tuple[Verdicts, int]:
    """The hours rules, on the hours rows of participants enrolled by then, up to the last month measured;
    and the number of participant-months evaluated."""
    people = p.join(cf.select("c", "known", "end"), on="c").filter(pl.col("enrolled_on") <= pl.col("known"))
    last = month_index(pl.min_horizontal("known", "end"))
    f = h.join(people.select("c", "participant_id", "enrolled_on", last=last), on=["c", "participant_id"])
    f = f.filter(pl.col("m") <= pl.col("last")).select(
        "c", "participant_id", "month",
        course_month=pl.col("m") - month_index(pl.col("enrolled_on")) + 1,
        total=pl.col("praktik_hours") + pl.col("subsidised_hours") + pl.col("ordinary_hours"),
        paid=pl.col("subsidised_hours") + pl.col("ordinary_hours"),
    )
    weekly = par["max_weekly_hours"]
    month_max = weekly * 52 / 12  # a Fraction: exact
    out = f.select(
        "c", "participant_id", "month",
        **{
            "hours.weekly-max": verdict(pl.lit(True), cmp(pl.col("total"), scale, operator.le, month_max)),
            "hours.conversion": verdict(
                cmp(pl.col("course_month"), 0, operator.ge, par["first_paid_month"]) & (pl.col("total") > 0),
                pl.col("paid") > 0),
        },
    )
    return long(out, pl.concat_str("participant_id", pl.lit("@"), "month")), f.height


def places_in_use(p: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """The most participants holding a place on any one day of each month (up to the day known): a sweep
    over the days a place is taken (+1) or given back (-1, the day after the last day)."""
    held = p.filter(pl.col("enrolled_on") <= pl.col("known")).select(
        "c", first=pl.col("enrolled_on").cast(pl.Int32),
        after=pl.when(pl.col("left_on") <= pl.col("known")).then(pl.col("left_on").cast(pl.Int32) + 1))
    events = pl.concat([
        held.select("c", day="first", delta=pl.lit(1)),
        held.filter(pl.col("after").is_not_null()).select("c", day="after", delta=pl.lit(-1)),
    ]).group_by("c", "day").agg(pl.col("delta").sum()).sort("c", "day").with_columns(
        running=pl.col("delta").cum_sum().over("c"))
    at_start = months.sort("lo").join_asof(  # places held on the month's first day: the last change before it
        events.sort("day"), left_on="lo", right_on="day", by="c", strategy="backward", check_sortedness=False,
    ).select("c", "m", start=pl.col("running"))
    in_month = events.with_columns(m=month_index(pl.from_epoch("day", time_unit="d"))).join(
        months.select("c", "m", "hi"), on=["c", "m"]).filter(pl.col("day") <= pl.col("hi")).group_by(
        "c", "m").agg(inside=pl.col("running").max())
    return months.join(at_start, on=["c", "m"], how="left").join(in_month, on=["c", "m"], how="left").with_columns(
        places=pl.max_horizontal(pl.col("start").fill_null(0), pl.col("inside").fill_null(0)))


def month_verdicts(p: pl.DataFrame, h: pl.DataFrame | None, s: pl.DataFrame | None, cf: pl.DataFrame,
                   par: dict[str, Fraction]) -> list[Verdicts]:
    """The month rules: every month of the contract up to the last one measured."""
    months = cf.select(
        "c", "known", m=pl.int_ranges(month_index(pl.col("start")),
                                      month_index(pl.min_horizontal("known", "end")) + 1)).explode("m")
    first = pl.date(pl.col("m") // 12, pl.col("m") % 12 + 1, 1)
    months = months.with_columns(
        lo=first.cast(pl.Int32), hi=pl.min_horizontal(first.dt.month_end(), "known").cast(pl.Int32),
        month=pl.format("{}-{}", (pl.col("m") // 12).cast(pl.String).str.zfill(4),
                        (pl.col("m") % 12 + 1).cast(pl.String).str.zfill(2)))
    people = p.join(cf.select("c", "known"), on="c")
    f = places_in_use(people, months)
    subject = pl.col("month")
    out = [long(f.select("c", "month", **{"capacity.training-places": verdict(
        pl.lit(True), cmp(pl.col("places"), 0, operator.le, par["training_places"]))}), subject)]
    if s is None:
        return out
    sup = f.join(s.select("c", "month", "ordinary_staff", "contract_fte", "target_group_fte"), on=["c", "month"])
    share = par["min_target_group_share"]
    applies = pl.col("contract_fte") > 0
    # tg / cf >= num / den, cross-multiplied (cf > 0 where it applies; both columns have one scale).
    enough = pl.col("target_group_fte") * share.denominator >= pl.col("contract_fte") * share.numerator
    out.append(long(sup.select("c", "month", **{"clause.target-group-share": verdict(applies, enough)}), subject))
    if h is not None:  # trainees: every hours row counts, as in procurekit (hours.csv rows, not facts)
        trainees = h.filter((pl.col("praktik_hours") > 0) | (pl.col("subsidised_hours") > 0)).group_by(
            "c", "month").agg(trainees=pl.col("participant_id").n_unique())
        with_hours = h["c"].unique().to_list()  # a month without trainees has 0; no hours.csv: not evaluated
        r = sup.filter(pl.col("c").is_in(with_hours)).join(trainees, on=["c", "month"], how="left").with_columns(
            pl.col("trainees").fill_null(0))
        out.append(long(r.select("c", "month", **{"ratio.rimelighed": verdict(
            pl.lit(True), pl.col("trainees") <= max_trainees(pl.col("ordinary_staff"), par))}), subject))
    return out


def max_trainees(staff: pl.Expr, par: dict[str, Fraction]) -> pl.Expr:
    """The reasonableness ratio's limit for a head count (whole-number parameters, which it states)."""
    names = ("ratio_min_trainees", "ratio_band_limit", "ratio_staff_per_trainee", "ratio_staff_per_trainee_above")
    low, band, per, above = (par[n] for n in names)
    if any(v.denominator != 1 for v in (low, band, per, above)) or per <= 0 or above <= 0:
        raise Refused("the ratio parameters must be whole numbers, the divisors above 0")
    low_i, band_i, per_i, above_i = (int(v) for v in (low, band, per, above))
    return (pl.max_horizontal(pl.lit(low_i), pl.min_horizontal(staff, pl.lit(band_i)) // per_i)
            + pl.max_horizontal(pl.lit(0), staff - band_i) // above_i)


def long(wide: pl.DataFrame, subject: pl.Expr) -> Verdicts:
    """From (c, the subject's columns, one verdict column per rule): the findings that are not ok as
    (c, subject, rule, verdict), and how many of each verdict (the ok ones are only counted)."""
    rules = [n for n in wide.columns if n in RULES]
    sums = wide.select([(pl.col(n) == v).sum().alias(f"{n}|{v}") for n in rules for v in VERDICTS])
    counts = {v: sum(sums[f"{n}|{v}"][0] for n in rules) for v in VERDICTS}
    noted = wide.filter(pl.any_horizontal([pl.col(n).is_in(VERDICTS[:-1]) for n in rules]))
    found = noted.select("c", subject.alias("subject"), *rules).unpivot(
        index=["c", "subject"], variable_name="rule", value_name="verdict").filter(pl.col("verdict") != "ok")
    return found, counts


# --- the rule set ----------------------------------------------------------------------------------


def rule_parameters(cf: pl.DataFrame) -> list[tuple[list[int], dict[str, Fraction]]]:
    """The parameter values in force on each contract's check day, read through procurekit's public API,
    grouped: (contract indexes, values). The rule set's rules must be the ones `RULES` implements."""
    import procurekit

    loaded: dict[Path, Any] = {}
    groups: dict[tuple[tuple[str, Fraction], ...], list[int]] = {}
    for c, folder, ref, day in cf.select("c", "folder", "ruleset", "day").iter_rows():
        path = procurekit.resolve_ref(ref, base=Path(folder))
        if path not in loaded:
            loaded[path] = procurekit.load_ruleset(path)
            same_rules(loaded[path])
        values = tuple(sorted((n, rational(v)) for n, v in loaded[path].params_at(day).items() if is_number(v)))
        groups.setdefault(values, []).append(c)
    return [(cs, dict(values)) for values, cs in groups.items()]


def same_rules(ruleset: Any) -> None:
    """Stop unless the rule set's rules are exactly those this file implements."""
    def norm(text: Any) -> Any:
        return " ".join(text.split()) if isinstance(text, str) else text

    have = {r.id: (r.subject, {k: ({n: norm(t) for n, t in v.items()} if isinstance(v, dict) else norm(v))
                               for k, v in r.source.items() if k in ("let", "applies", "condition", "warning", "due")
                               and v}) for r in ruleset.rules}
    sev = {r.id: r.severity for r in ruleset.rules}
    if have != RULES or set(sev.values()) != {"violation"}:
        raise Refused(f"{ruleset.id}: its rules are not the nine this yardstick implements (see RULES)")


# --- the whole run ---------------------------------------------------------------------------------


def run(path: Path, as_of: dt.date | None) -> dict[str, Any]:
    """Read, derive, evaluate: the findings that are not ok, the verdict counts and the phase timings."""
    timings: dict[str, float] = {"start_and_import": time.perf_counter() - _T0}
    t = time.perf_counter()
    cf = contracts(path, as_of)
    groups = rule_parameters(cf)
    timings["rule_set"] = time.perf_counter() - t
    t = time.perf_counter()
    p, y_scale = read_participants(cf)
    h, h_scale = read_hours(cf, p)
    s = read_supplier(cf)
    timings["read_and_validate"] = time.perf_counter() - t
    t = time.perf_counter()
    parts: list[Verdicts] = []
    participant_months = 0
    for cs, par in groups:
        sel = pl.col("c").is_in(cs)
        cfg, pg = cf.filter(sel), p.filter(sel)
        hg = h.filter(sel) if h is not None else None
        sg = s.filter(sel) if s is not None else None
        parts.append(participant_verdicts(pg, cfg, y_scale, par))
        if hg is not None and hg.height:
            pm, n = participant_month_verdicts(hg, pg, cfg, h_scale, par)
            parts.append(pm)
            participant_months += n
        parts += month_verdicts(pg, hg, sg, cfg, par)
    counts = {v: sum(n[v] for _, n in parts) for v in VERDICTS}
    found = pl.concat([f for f, _ in parts]).join(cf.select("c", "contract_id"), on="c").select(
        "contract_id", "rule", "subject", "verdict").sort(pl.all())
    timings["evaluate"] = time.perf_counter() - t
    return {
        "participant_months": participant_months,
        "summary": counts,
        "findings": [list(r) for r in found.iter_rows()],
        "timings": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="a contract dataset folder, or a register of them")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="the check date (default: today or the end)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the JSON file to write")
    args = parser.parse_args()
    try:
        doc = run(args.path, args.as_of)
    except Refused as exc:
        print(f"yardstick: {exc}", file=sys.stderr)
        sys.exit(2)
    args.out.write_text(json.dumps(doc), encoding="utf-8")


if __name__ == "__main__":
    main()
