"""The municipality's business case for a social-clause programme, month by month.

Cost: the programme (places × price per place per month, mentors, wage subsidies, fixed costs).
Savings: kontanthjælp no longer paid, at the municipality's share after state reimbursement. Under the
refusion reform (in force 4 January 2016) the state reimburses a share that falls with the time a person
has been on public support: 80 % in weeks 1–4, 40 % in weeks 5–26, 30 % in weeks 27–52 and 20 % after
52 weeks, so for people on benefits for years the municipality pays 80 % (docs/sources.md, "Business
case"). Savings arise (1) during the course, when paid hours reduce the benefit, and (2) once a
participant holds an ordinary job. A person earning less than the benefit still receives part of it:
the benefit is reduced by net earnings less an hourly disregard (docs/sources.md, "Business case").

Outcomes (enrolments, exits, jobs, hours) come from a contract dataset when one is given; otherwise from
assumed rates in the assumptions file. Every number in that file carries its source.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from procurekit.dataset.facts import Occupancy
from procurekit.dataset.read import Dataset
from procurekit.errors import AssumptionsError, RuleFileError
from procurekit.months import month_start, months_between
from procurekit.yamlio import LineMap, load_mapping, model_errors

WEEKS_PER_YEAR = 365.2425 / 7
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


# --- the assumptions file -----------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Amount(_Model):
    """A non-negative number with its source."""

    value: float = Field(ge=0, allow_inf_nan=False, description="the number (kr., hours, persons, …)")
    source: str = Field(min_length=1, description="where the number comes from, or 'Assumed: …' and why")
    note: str | None = Field(default=None, description="anything else a reader should know")


class Share(Amount):
    """A share between 0 and 1 with its source."""

    value: float = Field(ge=0, le=1, allow_inf_nan=False, description="a share, 0–1")


class Whole(Amount):
    """A whole number with its source."""

    value: int = Field(ge=0, description="a whole number")  # type: ignore[assignment]


class Dated(_Model):
    """An amount that changes over time: each value applies from its date until the next."""

    description: str | None = None
    values: dict[dt.date, Amount] = Field(min_length=1, description="date from which it applies → amount")

    def at(self, day: dt.date) -> float | None:
        """The value in force on `day`, or None before the first date."""
        current = None
        for since in sorted(self.values):
            if since <= day:
                current = self.values[since].value
        return current


class Step(_Model):
    """One step of the state reimbursement: from this week on public support, this share is reimbursed."""

    from_week: int = Field(ge=1, description="first week (1-based) on public support the step applies to")
    value: float = Field(ge=0, le=1, allow_inf_nan=False, description="share reimbursed by the state")
    source: str = Field(min_length=1)


class Programme(_Model):
    """What the municipality pays for the programme."""

    billing: Literal["contracted", "occupied"] = Field(
        default="contracted",
        description="contracted: every place, every programme month; occupied: only place-months in use",
    )
    places: Whole
    price_per_place_month: Amount
    mentor_cost_per_participant_month: Amount
    fixed_cost_per_month: Amount | None = None
    wage_subsidy_per_hour: Amount
    wage_subsidy_municipal_share: Share


class Benefits(_Model):
    """The benefit saved and how much of it the municipality bears."""

    monthly_rate: Dated
    reimbursement: list[Step] = Field(min_length=1)
    net_hourly_wage: Amount
    hourly_disregard: Amount

    @field_validator("reimbursement")
    @classmethod
    def _check_reimbursement(cls, steps: list[Step]) -> list[Step]:
        if steps[0].from_week != 1:
            raise ValueError("the first step must start at week 1")
        weeks = [s.from_week for s in steps]
        if weeks != sorted(set(weeks)):
            raise ValueError("from_week must increase from step to step")
        return steps


class Outcomes(_Model):
    """Assumed outcomes: used without a dataset (and for hours a dataset does not give)."""

    initial_intake: Amount
    intake_per_month: Amount
    completion_share: Share
    job_share: Share
    course_months_shortest: Whole
    course_months_longest: Whole
    dropout_months: Whole
    months_to_job: Whole
    years_on_benefits_at_enrolment: Amount
    subsidised_hours_per_participant_month: Amount
    ordinary_hours_per_participant_month: Amount
    hours_per_month_in_job: Amount


class Sensitivity(_Model):
    """The grid of the sensitivity table."""

    job_shares: list[float] = Field(default=[0.5, 0.6, 0.75, 0.9], min_length=1, max_length=12)
    price_factors: list[float] = Field(default=[0.5, 0.75, 1.0, 1.25, 1.5], min_length=1, max_length=12)

    @field_validator("job_shares")
    @classmethod
    def _check_job_shares(cls, shares: list[float]) -> list[float]:
        if any(not 0 <= s <= 1 for s in shares):
            raise ValueError("job shares must be between 0 and 1")
        return sorted(set(shares))

    @field_validator("price_factors")
    @classmethod
    def _check_price_factors(cls, factors: list[float]) -> list[float]:
        if any(not 0 < f <= 100 for f in factors):
            raise ValueError("price factors must be above 0 (1 = the assumed price)")
        return sorted(set(factors))


class Assumptions(_Model):
    """A business-case assumptions file."""

    title: str = Field(min_length=1)
    start: str | None = Field(default=None, pattern=_MONTH_PATTERN, description="first programme month, YYYY-MM")
    programme_months: Whole | None = None
    horizon_months: Whole | None = None
    programme: Programme
    benefits: Benefits
    outcomes: Outcomes
    sensitivity: Sensitivity = Sensitivity()
    _path: str = PrivateAttr(default="")
    _lines: LineMap = PrivateAttr(default_factory=LineMap)

    def error(self, loc: tuple[Any, ...], message: str) -> AssumptionsError:
        """An error naming this file and the line of `loc`."""
        return AssumptionsError(self._path, self._lines.line_of(loc), f"{'.'.join(map(str, loc))}: {message}")


def load_assumptions(path: Path | str) -> Assumptions:
    """Read and validate an assumptions file (safe YAML).

    Raises:
        AssumptionsError: the first problem, as `file:line: where: what`.
    """
    path = Path(path)
    try:
        data, lines = load_mapping(path, "must be a mapping with title, programme, benefits and outcomes")
    except RuleFileError as exc:
        raise AssumptionsError(exc.path, exc.line, exc.message) from None
    try:
        model = Assumptions.model_validate(data)
    except ValidationError as exc:  # the first problem: the business case reports one, like a dataset
        line, where, message = model_errors(lines, exc)[0]
        raise AssumptionsError(path, line, f"{where or 'file'}: {message}") from None
    model._path, model._lines = str(path), lines
    o = model.outcomes
    if o.job_share.value > o.completion_share.value:
        raise model.error(("outcomes", "job_share"), "is larger than completion_share (jobs follow completion)")
    for field in ("course_months_shortest", "dropout_months"):
        if getattr(o, field).value < 1:
            raise model.error(("outcomes", field), "must be at least 1 month")
    if o.course_months_longest.value < o.course_months_shortest.value:
        raise model.error(("outcomes", "course_months_longest"), "is shorter than course_months_shortest")
    return model


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """One participant (weight 1) or a fraction of an assumed intake (weight < 1) through the programme."""

    weight: float
    enrolled: dt.date
    course_end: dt.date  # last day in the course: left_on, or the end of the data while still active
    left: bool
    job_start: dt.date | None  # first day in an ordinary job
    years_on_benefits: float  # at enrolment
    hours: Mapping[str, tuple[float, float]] | None  # month → (subsidised, ordinary); None: assumed averages


@dataclass(frozen=True)
class Month:
    """One month of the business case (amounts in kr.; people may be fractions under assumed rates)."""

    month: str
    n: int
    places_in_use: float
    enrolled: float
    left: float
    in_jobs: float
    cost_places: float
    cost_mentors: float
    cost_wage_subsidies: float
    cost_fixed: float
    savings_in_course: float
    savings_in_jobs: float
    cumulative_cost: float
    cumulative_savings: float

    @property
    def cost(self) -> float:
        """All costs of the month."""
        return self.cost_places + self.cost_mentors + self.cost_wage_subsidies + self.cost_fixed

    @property
    def savings(self) -> float:
        """All savings of the month."""
        return self.savings_in_course + self.savings_in_jobs


@dataclass(frozen=True)
class Grid:
    """Break-even month for each price per place (rows) and share of participants into jobs (columns)."""

    prices: tuple[float, ...]
    job_shares: tuple[float, ...]
    break_even: tuple[tuple[int | None, ...], ...]
    base_price: float
    base_job_share: float | None


@dataclass(frozen=True)
class InputValue:
    """One input number as used, with its source."""

    name: str
    value: float
    source: str


@dataclass(frozen=True)
class BusinessCase:
    """The result: months, totals, the break-even month, the sensitivity grid and the inputs used."""

    title: str
    basis: Literal["dataset", "assumptions"]
    contract_id: str | None
    assumptions_path: str
    months: tuple[Month, ...]
    programme_months: int
    participants: float
    left: float  # participants who left the course within the horizon
    into_jobs: float
    break_even: int | None  # 1-based month number; None: not within the horizon
    grid: Grid
    inputs: tuple[InputValue, ...]
    hours_assumed: bool

    @property
    def start(self) -> str:
        """The first month, YYYY-MM."""
        return self.months[0].month

    @property
    def end(self) -> str:
        """The last month of the horizon, YYYY-MM."""
        return self.months[-1].month

    @property
    def break_even_month(self) -> str | None:
        """The break-even month as YYYY-MM."""
        return None if self.break_even is None else self.months[self.break_even - 1].month

    @property
    def job_share(self) -> float | None:
        """Share of the participants who left the course that reached an ordinary job within the horizon."""
        return self.into_jobs / self.left if self.left else None

    @property
    def total_cost(self) -> float:
        """Cost over the horizon."""
        return self.months[-1].cumulative_cost

    @property
    def total_savings(self) -> float:
        """Savings over the horizon."""
        return self.months[-1].cumulative_savings


def reimbursed_share(week: int, steps: Sequence[Step]) -> float:
    """The share of the benefit the state reimburses in `week` (1-based) on public support."""
    share = steps[0].value
    for step in steps:
        if step.from_week <= week:
            share = step.value
    return share


def residual_benefit(rate: float, hours: float, net_wage: float, disregard: float) -> float:
    """The benefit still paid to someone working `hours` in a month.

    Self-supporting (nothing paid) once net earnings reach the benefit; below that the benefit is reduced
    by net earnings less the hourly disregard (docs/sources.md, "Business case").
    """
    if hours * net_wage >= rate:
        return 0.0
    return max(0.0, rate - hours * max(0.0, net_wage - disregard))


def dataset_trajectories(ds: Dataset) -> list[Trajectory]:
    """Participants of a dataset: enrolment, exit, an ordinary job (from the offer) and hours by month."""
    hours: dict[str, dict[str, tuple[float, float]]] | None = None
    if ds.hours is not None:
        hours = defaultdict(dict)
        for h in ds.hours:
            hours[h.participant_id][h.month] = (float(h.subsidised_hours), float(h.ordinary_hours))
    out = []
    for p in ds.participants:
        job = None
        if p.job_offer_terms == "ordinary" and p.job_offer_on is not None and p.left_on is not None:
            job = max(p.job_offer_on, p.left_on + dt.timedelta(days=1))
        out.append(Trajectory(
            1.0, p.enrolled_on, p.left_on or ds.contract.end, p.left_on is not None, job, float(p.years_on_benefits),
            None if hours is None else hours.get(p.participant_id, {}),
        ))
    return out


def assumed_trajectories(a: Assumptions, start: dt.date, programme_months: int) -> list[Trajectory]:
    """Intakes from assumed rates: places fill up to capacity; each intake splits into those who reach a
    job, those who complete without one (course lengths spread evenly from the shortest to the longest)
    and those who drop out."""
    o = a.outcomes
    places = float(a.programme.places.value)
    lengths = range(o.course_months_shortest.value, o.course_months_longest.value + 1)
    shares = [
        *((o.job_share.value / len(lengths), m, True) for m in lengths),
        *(((o.completion_share.value - o.job_share.value) / len(lengths), m, False) for m in lengths),
        (1 - o.completion_share.value, o.dropout_months.value, False),
    ]
    out: list[Trajectory] = []
    for k in range(programme_months):
        first = month_start(start, k)
        in_use = sum(t.weight for t in out if t.course_end >= first)
        wanted = o.initial_intake.value if k == 0 else o.intake_per_month.value
        n = min(wanted, max(0.0, places - in_use))
        if n <= 1e-9:
            continue
        for share, months, job in shares:
            if share <= 0:
                continue
            end = month_start(first, months) - dt.timedelta(days=1)
            start_job = month_start(first, months + o.months_to_job.value) if job else None
            out.append(Trajectory(n * share, first, end, True, start_job, o.years_on_benefits_at_enrolment.value,
                                  None))
    return out


@dataclass
class _Components:
    places_in_use: list[float]
    enrolled: list[float]
    left: list[float]
    in_jobs: list[float]
    cost_places: list[float]
    cost_mentors: list[float]
    cost_subsidies: list[float]
    cost_fixed: list[float]
    savings_course: list[float]
    savings_jobs: list[float]


def _components(
    a: Assumptions, trajectories: Sequence[Trajectory], start: dt.date, horizon: int, programme_months: int,
    price: float,
) -> _Components:
    p, b, o = a.programme, a.benefits, a.outcomes
    zeros = [0.0] * horizon
    c = _Components(*[list(zeros) for _ in range(10)])
    subsidy = p.wage_subsidy_per_hour.value * p.wage_subsidy_municipal_share.value
    assumed_hours = (o.subsidised_hours_per_participant_month.value, o.ordinary_hours_per_participant_month.value)
    wage, disregard = b.net_hourly_wage.value, b.hourly_disregard.value
    occupancy = Occupancy((t.enrolled, t.course_end, t.weight) for t in trajectories)
    for i in range(horizon):
        first, next_first = month_start(start, i), month_start(start, i + 1)
        last = next_first - dt.timedelta(days=1)
        c.places_in_use[i] = occupancy.peak(first.toordinal(), last.toordinal())
        rate = b.monthly_rate.at(first)
        if rate is None:
            first_date = min(b.monthly_rate.values)
            raise a.error(("benefits", "monthly_rate"), f"no rate in force in {first:%Y-%m} (the first is from "
                                                        f"{first_date.isoformat()})")
        key = f"{first:%Y-%m}"
        for t in trajectories:
            weeks = t.years_on_benefits * WEEKS_PER_YEAR + max(0, (first - t.enrolled).days) / 7
            municipal = 1 - reimbursed_share(math.floor(weeks) + 1, b.reimbursement)
            if first <= t.enrolled <= last:
                c.enrolled[i] += t.weight
            if t.left and first <= t.course_end <= last:
                c.left[i] += t.weight
            if t.enrolled <= last and t.course_end >= first:
                sub, ordinary = assumed_hours if t.hours is None else t.hours.get(key, (0.0, 0.0))
                c.cost_mentors[i] += t.weight * p.mentor_cost_per_participant_month.value
                c.cost_subsidies[i] += t.weight * sub * subsidy
                kept = residual_benefit(rate, sub + ordinary, wage, disregard)
                c.savings_course[i] += t.weight * (rate - kept) * municipal
            if t.job_start is not None and first >= t.job_start:
                kept = residual_benefit(rate, o.hours_per_month_in_job.value, wage, disregard)
                c.in_jobs[i] += t.weight
                c.savings_jobs[i] += t.weight * (rate - kept) * municipal
        if i < programme_months:
            billed = p.places.value if p.billing == "contracted" else c.places_in_use[i]
            c.cost_places[i] = billed * price
            c.cost_fixed[i] = p.fixed_cost_per_month.value if p.fixed_cost_per_month else 0.0
    return c


def break_even_month(costs: Sequence[float], savings: Sequence[float]) -> int | None:
    """The first month (1-based) in which cumulative savings reach cumulative cost; None if none does."""
    total_cost = total_savings = 0.0
    for i, (cost, saving) in enumerate(zip(costs, savings, strict=True)):
        total_cost += cost
        total_savings += saving
        if (total_cost > 0 or total_savings > 0) and total_savings >= total_cost - 1e-6:
            return i + 1
    return None


def _grid(a: Assumptions, c: _Components, base_share: float | None) -> Grid:
    base_price = a.programme.price_per_place_month.value
    prices = tuple(base_price * f for f in a.sensitivity.price_factors)
    shares = tuple(a.sensitivity.job_shares)
    other = [m + s + f for m, s, f in zip(c.cost_mentors, c.cost_subsidies, c.cost_fixed, strict=True)]
    rows = []
    for price in prices:
        factor = price / base_price if base_price else 0.0
        costs = [cp * factor + x for cp, x in zip(c.cost_places, other, strict=True)]
        row: list[int | None] = []
        for share in shares:
            if not base_share:
                row.append(None)
                continue
            savings = [sc + sj * share / base_share for sc, sj in zip(c.savings_course, c.savings_jobs, strict=True)]
            row.append(break_even_month(costs, savings))
        rows.append(tuple(row))
    return Grid(prices, shares, tuple(rows), base_price, base_share)


def _inputs(a: Assumptions) -> tuple[InputValue, ...]:
    out: list[InputValue] = []

    def walk(prefix: str, model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            where = f"{prefix}{name}"
            if isinstance(value, Amount):
                out.append(InputValue(where, value.value, value.source))
            elif isinstance(value, Dated):
                for since, amount in sorted(value.values.items()):
                    out.append(InputValue(f"{where}@{since.isoformat()}", amount.value, amount.source))
            elif isinstance(value, list) and value and isinstance(value[0], Step):
                for step in value:
                    out.append(InputValue(f"{where}@week{step.from_week}", step.value, step.source))
            elif isinstance(value, _Model) and not isinstance(value, Sensitivity):
                walk(f"{where}.", value)

    walk("", a)
    return tuple(out)


def business_case(a: Assumptions, dataset: Dataset | None = None) -> BusinessCase:
    """Compute the business case from a dataset's outcomes, or from the assumed rates without one.

    Raises:
        AssumptionsError: an input the computation needs is missing or unusable (with file and line).
    """
    if dataset is not None:
        start = month_start(dataset.contract.start)
        end = dataset.contract.end
        programme_months = months_between(start, end) + 1
        trajectories = dataset_trajectories(dataset)
        participants = float(len(trajectories))
    else:
        if a.start is None:
            raise a.error(("start",), "needed without a dataset (the first programme month, YYYY-MM)")
        if a.programme_months is None:
            raise a.error(("programme_months",), "needed without a dataset (how long the programme runs)")
        start = dt.date(int(a.start[:4]), int(a.start[5:]), 1)
        programme_months = a.programme_months.value
        trajectories = assumed_trajectories(a, start, programme_months)
        participants = sum(t.weight for t in trajectories)
    horizon = a.horizon_months.value if a.horizon_months is not None else programme_months
    if not 1 <= horizon <= 600:
        raise a.error(("horizon_months",), "must be between 1 and 600 months")
    c = _components(a, trajectories, start, horizon, programme_months, a.programme.price_per_place_month.value)
    end = month_start(start, horizon)
    into_jobs = sum(t.weight for t in trajectories if t.job_start is not None and t.job_start < end)
    left = sum(c.left)
    # The sensitivity varies the share into jobs: the assumed share of each intake, or the observed share
    # of those who left; job savings scale with it, everything else stays as computed.
    base_share = a.outcomes.job_share.value if dataset is None else (into_jobs / left if left else None)
    months, cost, saving = [], 0.0, 0.0
    for i in range(horizon):
        cost += c.cost_places[i] + c.cost_mentors[i] + c.cost_subsidies[i] + c.cost_fixed[i]
        saving += c.savings_course[i] + c.savings_jobs[i]
        months.append(Month(
            f"{month_start(start, i):%Y-%m}", i + 1, c.places_in_use[i], c.enrolled[i], c.left[i], c.in_jobs[i],
            c.cost_places[i], c.cost_mentors[i], c.cost_subsidies[i], c.cost_fixed[i], c.savings_course[i],
            c.savings_jobs[i], cost, saving,
        ))
    return BusinessCase(
        title=a.title,
        basis="assumptions" if dataset is None else "dataset",
        contract_id=None if dataset is None else dataset.contract.contract_id,
        assumptions_path=a._path,
        months=tuple(months),
        programme_months=programme_months,
        participants=participants,
        left=left,
        into_jobs=into_jobs,
        break_even=break_even_month([m.cost for m in months], [m.savings for m in months]),
        grid=_grid(a, c, base_share),
        inputs=_inputs(a),
        hours_assumed=dataset is None or dataset.hours is None,
    )
