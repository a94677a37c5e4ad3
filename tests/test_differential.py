"""durable_rules and the plain-Python oracle must give identical findings on any data.

Hypothesis generates random participants, hours and supplier rows (including the edge values the rules
care about: exact boundaries, empty fields, zero FTE) and random rule conditions over the same
fields; both engines must agree finding for finding. Extreme values are drawn too: 0, negatives, tiny
decimals (written with an exponent by Python, which durable's parser misread), the largest numbers
allowed (±1e15), computed values beyond them and dates at and beyond the ends of the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from helpers import make_dataset, write_rules
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from procurekit import check, read_dataset
from procurekit.errors import RuleSetErrors

BASE = dt.date(2017, 1, 1)
settings.register_profile("ci", max_examples=40, deadline=None)
settings.load_profile("ci")
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def participants(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(1, 20))
    rows = []
    for i in range(n):
        enrolled = BASE + dt.timedelta(days=draw(st.integers(0, 400)))
        left = None
        reason = None
        if draw(st.booleans()):
            left = enrolled + dt.timedelta(days=draw(st.sampled_from([0, 30, 500, 545, 546, 547, 600])))
            reason = draw(st.sampled_from(["completed", "completed", "dropped_out", "other"]))
        met = [draw(st.sampled_from([True, False, None, True])) for _ in range(3)]
        offer, terms = None, None
        if left and draw(st.booleans()):
            offer = left + dt.timedelta(days=draw(st.sampled_from([0, 29, 30, 31, 60])))
            terms = draw(st.sampled_from(["ordinary", "ordinary", "subsidised", "flexjob"]))
        rows.append({
            "participant_id": f"P{i}",
            "years_on_benefits": draw(st.sampled_from([0, 4.99, 5, 5.01, 12.5, 0.0000001, 0.00005, 100])),
            "enrolled_on": enrolled, "left_on": left, "exit_reason": reason,
            "met_stability": met[0], "met_efficiency": met[1], "met_quality": met[2],
            "job_offer_on": offer, "job_offer_terms": terms,
        })
    return rows


def _months(first: dt.date, last: dt.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@st.composite
def datasets(draw: st.DrawFn) -> tuple[list, list, list, dt.date]:
    people = draw(participants())
    hours = []
    for p in people:
        last = p["left_on"] or BASE + dt.timedelta(days=700)
        for month in _months(p["enrolled_on"], last)[: draw(st.integers(0, 8))]:
            hours.append({
                "participant_id": p["participant_id"], "month": month,
                "praktik_hours": draw(st.sampled_from([0, 10, 80.5, 160.33])),
                "subsidised_hours": draw(st.sampled_from([0, 0, 20])),
                "ordinary_hours": draw(st.sampled_from([0, 0.5, 40, 160.3333])),
            })
    supplier = [
        {"month": m, "ordinary_staff": draw(st.sampled_from([0, 5, 49, 50, 51, 120])),
         "contract_fte": draw(st.sampled_from([0, 10, 40])),
         "target_group_fte": 0}
        for m in _months(BASE, BASE + dt.timedelta(days=400)) if draw(st.booleans())
    ]
    for s in supplier:
        s["target_group_fte"] = draw(st.sampled_from(
            [0, s["contract_fte"] * 0.1, s["contract_fte"], min(0.00001, s["contract_fte"])]))
    as_of = BASE + dt.timedelta(days=draw(st.integers(0, 1000)))
    return people, hours, supplier, as_of


def _key(result) -> list[tuple]:
    return sorted((f.rule, f.subject, f.verdict, f.message, tuple(sorted(f.values.items()))) for f in result.findings)


@SLOW
@given(data=datasets())
def test_engines_agree_on_the_reference_rules(tmp_path_factory, data) -> None:
    people, hours, supplier, as_of = data
    folder = make_dataset(tmp_path_factory.mktemp("ds"), people, hours, supplier)
    ds = read_dataset(folder)
    durable = check(ds, as_of=as_of, engine="durable")
    python = check(ds, as_of=as_of, engine="python")
    assert _key(durable) == _key(python)
    assert durable.not_evaluated == python.not_evaluated


# Random conditions over participant fields, to exercise the compiler beyond the bundled rules.
_NUM = st.sampled_from(["years_on_benefits", "5", "0", "min_benefit_years", "(years_on_benefits - 5)",
                        "-5", "-years_on_benefits", "0.0000001", "years_on_benefits / 1000000",
                        "1000000000000000", "years_on_benefits * 1000000000000000",
                        "years_on_benefits * 1000000000000000 * 1000", "(enrolled_on - as_of) * 0.00001"])
_DATE = st.sampled_from(["enrolled_on", "left_on", "job_offer_on", "as_of", "end_on", "enrolled_on + 30",
                         "add_months(enrolled_on, 18)", "date(\"2017-06-01\")", "date(\"0001-01-01\")",
                         "date(\"9999-12-31\")", "add_months(enrolled_on, 100000)",
                         "add_months(as_of, -30000)", "enrolled_on + 1000000000000000", "as_of - 1000000"])
_EXTREME_DAYS = [dt.date(1900, 1, 1), dt.date(2199, 12, 31)]  # the ends of the --as-of range
_BOOL = st.sampled_from(["active", "met_quality", "met_stability", "exit_reason == \"completed\"",
                         "left_on == null", "job_offer_terms != \"ordinary\"", "job_offer_on != null"])
_OP = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


def condition_grammar(
    num: st.SearchStrategy[str], date: st.SearchStrategy[str], boolean: st.SearchStrategy[str]
) -> Callable[..., st.SearchStrategy[str]]:
    """Random conditions over these atoms: comparisons, not, and/or, nested at most two deep."""

    @st.composite
    def grammar(draw: st.DrawFn, depth: int = 0) -> str:
        choice = draw(st.integers(0, 5 if depth < 2 else 2))
        if choice == 0:
            return f"{draw(num)} {draw(_OP)} {draw(num)}"
        if choice == 1:
            return f"{draw(date)} {draw(_OP)} {draw(date)}"
        if choice == 2:
            return draw(boolean)
        if choice == 3:
            return f"not ({draw(grammar(depth + 1))})"
        op = "and" if choice == 4 else "or"
        return f"({draw(grammar(depth + 1))}) {op} ({draw(grammar(depth + 1))})"

    return grammar


conditions = condition_grammar(_NUM, _DATE, _BOOL)


@SLOW
@given(people=participants(), cond=conditions(), applies=conditions(), warn=conditions(),
       days=st.one_of(st.integers(0, 900), st.sampled_from([(d - BASE).days for d in _EXTREME_DAYS])))
def test_engines_agree_on_random_conditions(tmp_path_factory, people, cond, applies, warn, days) -> None:
    tmp = tmp_path_factory.mktemp("rc")
    rules = write_rules(tmp / "random.yaml", f"""
        id: random
        title: {{da: Tilfældig, en: Random}}
        parameters:
          min_benefit_years: {{value: 5, unit: years, description: d, source: s}}
        rules:
          - id: random.rule
            subject: participant
            title: {{da: r, en: r}}
            applies: '{applies}'
            condition: '{cond}'
            warning: '{warn}'
            message:
              violation: {{da: v, en: v}}
              warning: {{da: w, en: w}}
            clause: c
            reference: r
    """)
    # The contract spans the whole --as-of range, so a check at its ends stays inside the contract.
    ds = read_dataset(make_dataset(tmp / "ds", people, start="1900-01-01", end="2199-12-31"))
    as_of = BASE + dt.timedelta(days=days)
    try:
        durable = check(ds, rules=Path(rules), as_of=as_of, engine="durable")
    except RuleSetErrors as exc:
        # Exact comparisons give durable a sign field per number comparison; a random rule of nine
        # comparisons of computed numbers can exceed what durable compiles (its error 113). Such a rule
        # is refused when loaded, with that reason (never a wrong verdict); too many refusals would fail
        # the health check.
        assume("error code 113" not in str(exc))
        raise
    python = check(ds, rules=Path(rules), as_of=as_of, engine="python")
    assert _key(durable) == _key(python)


# --- the `year` subject (turnover.csv) and if() ------------------------------------------------------


@st.composite
def turnover(draw: st.DrawFn) -> list[dict]:
    rows = []
    for year in (2017, 2018, 2019):
        if draw(st.booleans()):
            rows.append({
                "year": year,
                "turnover_dkk": draw(st.sampled_from([0, 999_999, 1_000_000, 1_000_001, 1_500_000, 2_000_000,
                                                      2_000_001, 5_000_000.5])),
                "target_group_fte": draw(st.sampled_from([0, 0.49, 0.5, 0.99, 1, 2])),
                "reported_on": dt.date(year, 1, 1) + dt.timedelta(
                    days=draw(st.sampled_from([0, 364, 454, 455, 456, 700]))),
            })
    return rows


@SLOW
@given(people=participants(), rows=turnover(), days=st.integers(0, 1300))
def test_engines_agree_on_the_turnover_bands(tmp_path_factory, people, rows, days) -> None:
    folder = make_dataset(tmp_path_factory.mktemp("tb"), people, turnover=rows)
    ds = read_dataset(folder)
    as_of = BASE + dt.timedelta(days=days)
    durable = check(ds, rules="gladsaxe-vask", as_of=as_of, engine="durable")
    python = check(ds, rules="gladsaxe-vask", as_of=as_of, engine="python")
    assert _key(durable) == _key(python)
    assert durable.not_evaluated == python.not_evaluated


_YNUM = st.sampled_from(["turnover_dkk", "target_group_fte", "1000000", "0.5",
                         "if(turnover_dkk <= 1000000, 0, if(turnover_dkk <= 2000000, 0.5, 1))",
                         "if(reported_on == null, 1, target_group_fte)"])
_YDATE = st.sampled_from(["year_start", "year_end", "reported_on", "as_of", "year_end + 90",
                          "if(turnover_dkk > 2000000, year_end, reported_on)", "date(\"2018-03-31\")"])
_YBOOL = st.sampled_from(["reported_on == null", "turnover_dkk != null", "year == \"2018\"",
                          "if(target_group_fte > 0, true, false)", "if(turnover_dkk > 1, null, true)"])


year_conditions = condition_grammar(_YNUM, _YDATE, _YBOOL)


@SLOW
@given(rows=turnover(), cond=year_conditions(), applies=year_conditions(), days=st.integers(0, 1300))
def test_engines_agree_on_random_year_conditions(tmp_path_factory, rows, cond, applies, days) -> None:
    tmp = tmp_path_factory.mktemp("yc")
    rules = write_rules(tmp / "random.yaml", f"""
        id: random
        title: {{da: Tilfældig, en: Random}}
        rules:
          - id: random.year
            subject: year
            requires: [turnover]
            title: {{da: r, en: r}}
            applies: '{applies}'
            condition: '{cond}'
            message:
              violation: {{da: v, en: v}}
            clause: c
            reference: r
    """)
    ds = read_dataset(make_dataset(tmp / "ds", [], turnover=rows))
    as_of = BASE + dt.timedelta(days=days)
    durable = check(ds, rules=Path(rules), as_of=as_of, engine="durable")
    python = check(ds, rules=Path(rules), as_of=as_of, engine="python")
    assert _key(durable) == _key(python)
