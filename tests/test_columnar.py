"""The python engine evaluates the condition trees column-wise (evaluation/columnar.py); every verdict must be
the row evaluator's (`conditions.evaluate`), also for numbers at and around a limit, missing values, divisions
by zero, numbers and dates out of range. Random trees over boundary decimal data check it as a property."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import procurekit.conditions as ex
from procurekit.evaluation import columnar
from procurekit.evaluation.engines import Plan, RulePlan

settings.register_profile("columnar", max_examples=300, deadline=None)

D = Decimal
DAY = dt.date.toordinal
TYPES = {"a": ex.NUMBER, "b": ex.NUMBER, "n": ex.NUMBER, "d": ex.DATE, "e": ex.DATE, "flag": ex.BOOL,
         "s": ex.STRING}
SCHEMA = {"a": pl.Decimal(38, 4), "b": pl.Decimal(38, 19), "n": pl.Int64, "d": pl.Int64, "e": pl.Int64,
          "flag": pl.Boolean, "s": pl.String}
VALUES: dict[str, list[Any]] = {
    "a": [D("0"), D("0.7"), D("7"), D("4.999"), D("5"), D("160.3333"), D("160.3334"), D("0.0001"),
          D("1000000000"), D("12.5"), None],
    "b": [D("4.9999999999999999999"), D("5"), D("0.1"), D("7.0"), D("0"), D("0.6999999999999999999"),
          D("0.0000000000000000001"), D("3"), None],
    "n": [0, 1, 3, 5, 49, 50, 51, 120, 10_000_000, None],
    "d": [DAY(dt.date(2016, 1, 31)), DAY(dt.date(2016, 2, 29)), DAY(dt.date(2017, 1, 1)), 1, DAY(dt.date.max),
          DAY(dt.date(2017, 8, 31)), None],
    "e": [DAY(dt.date(2017, 7, 31)), DAY(dt.date(2016, 2, 29)), DAY(dt.date(2018, 2, 28)), None],
    "flag": [True, False, None],
    "s": ["x", "y", None],
}

NUM_ATOMS = ["a", "b", "n", "0.1", "5", "0", "7", "3", "1000000000000000", "160.3333333333333333333333333",
             "(d - e)", "(n * 1000000000000000)"]
DATE_ATOMS = ["d", "e", 'date("2016-02-29")', 'date("9999-12-31")', 'date("0001-01-01")']
BOOL_ATOMS = ["flag", 's == "x"', "s != null", "a == null", "flag == true", "d == null"]
OPS = ["==", "!=", "<", "<=", ">", ">="]


@st.composite
def numbers(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 9 if depth < 2 else 0))
    if choice == 0:
        return draw(st.sampled_from(NUM_ATOMS))
    sub = numbers(depth + 1)
    if choice <= 4:
        return f"({draw(sub)} {'+-*/'[choice - 1]} {draw(sub)})"
    if choice == 5:
        return f"{draw(st.sampled_from(['min', 'max']))}({draw(sub)}, {draw(sub)})"
    if choice == 6:
        return f"{draw(st.sampled_from(['floor', 'ceil']))}({draw(sub)})"
    if choice == 7:
        return f"if({draw(booleans(depth + 1))}, {draw(sub)}, {draw(sub)})"
    if choice == 8:
        return f"-{draw(sub)}"
    return f"({draw(dates(depth + 1))} - {draw(dates(depth + 1))})"


@st.composite
def dates(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 5 if depth < 2 else 0))
    if choice == 0:
        return draw(st.sampled_from(DATE_ATOMS))
    if choice == 1:
        return f"add_months({draw(dates(depth + 1))}, {draw(numbers(depth + 1))})"
    if choice == 2:
        return f"({draw(dates(depth + 1))} {draw(st.sampled_from(['+', '-']))} {draw(numbers(depth + 1))})"
    if choice == 3:
        return f"if({draw(booleans(depth + 1))}, {draw(dates(depth + 1))}, {draw(dates(depth + 1))})"
    if choice == 4:
        return f"min({draw(dates(depth + 1))}, {draw(dates(depth + 1))})"
    return f"add_months(d, {draw(st.sampled_from(['18', '1', '-1', '0.5', '-30000', '100000', 'n', 'b']))})"


@st.composite
def booleans(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 6 if depth < 2 else 0))
    if choice == 0:
        return draw(st.sampled_from(BOOL_ATOMS))
    if choice == 1:
        return f"{draw(numbers(depth + 1))} {draw(st.sampled_from(OPS))} {draw(numbers(depth + 1))}"
    if choice == 2:
        return f"{draw(dates(depth + 1))} {draw(st.sampled_from(OPS))} {draw(dates(depth + 1))}"
    if choice == 3:
        return f"not ({draw(booleans(depth + 1))})"
    if choice == 4:
        return f"{draw(numbers(depth + 1))} {draw(st.sampled_from(['==', '!=']))} null"
    op = "and" if choice == 5 else "or"
    return f"({draw(booleans(depth + 1))}) {op} ({draw(booleans(depth + 1))})"


rows = st.lists(st.fixed_dictionaries({name: st.sampled_from(values) for name, values in VALUES.items()}),
                min_size=1, max_size=25)


def bound(text: str) -> ex.Node:
    """A condition as `make_plan` hands it over: parsed, type-checked, dates marked, constants folded."""
    tree = ex.parse(text)
    ex.typecheck(tree, TYPES)
    return ex.bind(ex.mark_dates(tree, TYPES), {}, {})


def frame_of(data: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(data, schema=SCHEMA)


def column_verdicts(trees: list[tuple[str, ex.Node]], frame: pl.DataFrame) -> list[str | None]:
    plan = Plan("test", "test", (RulePlan(None, tuple(trees)),))  # type: ignore[arg-type]
    return columnar.evaluate_frame(plan, frame)["r0"].to_list()


def row_verdicts(trees: list[tuple[str, ex.Node]], frame: pl.DataFrame) -> list[str | None]:
    out = []
    for values in frame.to_dicts():
        fired = [name for name, tree in trees if ex.evaluate(tree, values) is True]
        out.append(None if fired and fired[0] == "not_applicable" else fired[0] if fired else "ok")
    return out


@settings(settings.get_profile("columnar"))
@given(cond=booleans(), data=rows)
def test_a_random_condition_gets_the_row_evaluators_verdict(cond: str, data: list[dict[str, Any]]) -> None:
    try:
        tree = bound(cond)
    except ex.ExprError:  # e.g. if() over two nulls, nested too deeply: not a rule anyone can load
        return
    frame = frame_of(data)
    trees = [("violation", tree)]
    assert column_verdicts(trees, frame) == row_verdicts(trees, frame)


@settings(settings.get_profile("columnar"))
@given(applies=booleans(), cond=booleans(), warn=booleans(), data=rows)
def test_random_outcome_trees_decide_as_the_row_evaluator(applies: str, cond: str, warn: str,
                                                          data: list[dict[str, Any]]) -> None:
    try:
        a, c, w = bound(applies), bound(cond), bound(warn)
    except ex.ExprError:
        return
    trees = [("not_applicable", ex.Not(a)), ("violation", ex.Logic("and", (a, ex.Not(c)))),
             ("warning", ex.Logic("and", (a, c, w)))]
    frame = frame_of(data)
    assert column_verdicts(trees, frame) == row_verdicts(trees, frame)


def _one(text: str, **values: Any) -> str | None:
    row = {name: None for name in SCHEMA} | values
    frame = frame_of([row])
    trees = [("violation", bound(text))]
    got = column_verdicts(trees, frame)[0]
    assert got == row_verdicts(trees, frame)[0]
    return got


@pytest.mark.parametrize(("text", "values", "holds"), [
    ("a / b >= 0.1", {"a": D("0.7"), "b": D("7.0")}, True),  # 0.7 / 7.0 is exactly one tenth
    ("a / b >= 0.1", {"a": D("0.6999"), "b": D("7.0")}, False),
    ("b >= 5", {"b": D("4.9999999999999999999")}, False),  # 5.0 as a float
    ("b >= 5", {"b": D("5")}, True),
    ("a <= 37 * 52 / 12", {"a": D("160.3333")}, True),
    ("a <= 37 * 52 / 12", {"a": D("160.3334")}, False),
    ("a / 0 == null", {"a": D("1")}, True),  # a division by zero is missing
    ("a / n > 0", {"a": D("1"), "n": 0}, False),
    ("not (a > 1)", {}, True),  # a comparison with a missing value is false, and not of it true
    ("not flag", {"flag": None}, True),
    ("n * 1000000000000000 * 1000 > 0", {"n": 1}, False),  # beyond ±1e15: missing
    ('add_months(d, 1) == date("2016-02-29")', {"d": DAY(dt.date(2016, 1, 31))}, True),  # to the month's end
    ('add_months(d, -1) == date("2017-07-31")', {"d": DAY(dt.date(2017, 8, 31))}, True),
    ("add_months(d, 100000) == null", {"d": DAY(dt.date(2017, 8, 31))}, True),  # after 9999
    ("add_months(d, 0.9) == d", {"d": DAY(dt.date(2017, 8, 31))}, True),  # whole months, towards zero
    ("d + 1 == null", {"d": DAY(dt.date.max)}, True),  # after the calendar's end
    ("floor(n / 5) == 10", {"n": 50}, True),
    ("floor(n / 5) == 9", {"n": 49}, True),
    ("ceil(n / 5) == 10", {"n": 49}, True),
    ("floor(a) == 4", {"a": D("4.999")}, True),
    ("if(flag, a, b) == 5", {"flag": None, "a": D("1"), "b": D("5")}, True),
    ("min(a, b) == null", {"a": D("1")}, True),
])
def test_decisions_at_the_edges(text: str, values: dict[str, Any], holds: bool) -> None:
    assert _one(text, **values) == ("violation" if holds else "ok")


def test_rows_far_from_a_limit_take_no_slow_path() -> None:
    """Only rows whose comparison an error bound cannot settle go to the row evaluator."""
    frame = frame_of([{"a": D(str(x)), "b": D(str(x)), "n": x, "d": 736000 + x} for x in range(0, 300, 7)])
    compiler = columnar._Compiler(frame.schema)
    for text in ("a <= 37 * 52 / 12", "b >= 5", "n >= 5", "a / b >= 0.1", "add_months(d, 18) - d <= 60"):
        col = compiler.node(bound(text))
        staged = frame
        for stage in compiler.stages:  # the computed numbers' columns
            staged = staged.with_columns(**stage)
        unsure = staged.select(col.unsure if col.unsure is not None else pl.lit(False)).to_series()
        assert unsure.fill_null(False).sum() <= (1 if "/" in text else 0), text


@pytest.mark.parametrize("text", ["5 == if(flag, 5, n)", "0.1 == 0.1", "true", "flag or true"])
def test_a_condition_constant_over_the_frame_gives_a_verdict_per_row(text: str) -> None:
    frame = frame_of([{"flag": True, "n": 0}, {"flag": True, "n": 0}, {"flag": True, "n": 5}])
    trees = [("violation", bound(text))]
    assert column_verdicts(trees, frame) == row_verdicts(trees, frame) == ["violation"] * 3


# --- exact_values: what the durable engine asserts of a computed input ----------------------------


def _same(got: Any, want: Any) -> bool:
    """A value of `exact_values` is the row evaluator's: a number as the float of its exact value."""
    if want is None or isinstance(want, (bool, str)):
        return got is want or (got == want and type(got) is type(want))
    return type(got) is float and got == float(want)


@settings(settings.get_profile("columnar"))
@given(text=st.one_of(numbers(), dates(), booleans()), data=rows)
def test_exact_values_are_the_row_evaluators(text: str, data: list[dict[str, Any]]) -> None:
    try:
        tree = bound(text)
    except ex.ExprError:
        return
    frame = frame_of(data)
    [got] = columnar.exact_values([tree], frame)
    assert got.len() == frame.height
    for value, row in zip(got.to_list(), frame.to_dicts(), strict=True):
        assert _same(value, ex.evaluate(tree, row)), (text, row, value)


@settings(settings.get_profile("columnar"))
@given(left=st.one_of(numbers(), dates()), right=numbers(), data=rows)
def test_exact_signs_even_where_floats_cannot_tell(left: str, right: str, data: list[dict[str, Any]]) -> None:
    # The durable engine compares numbers through these signs (durable_engine._Compiler.compare).
    try:
        trees = [ex.Call(ex.SIGN, (bound(left), bound(right))), ex.Call(ex.SIGN, (bound(right), bound(left)))]
    except ex.ExprError:
        return
    frame = frame_of(data)
    for tree, got in zip(trees, columnar.exact_values(trees, frame), strict=True):
        want = [ex.evaluate(tree, row) for row in frame.to_dicts()]
        assert got.to_list() == want


def test_exact_values_at_the_limits() -> None:
    limit = ex.Const(D("160.3333333333333333333333333"), ex.NUMBER)
    frame = frame_of([{"a": D("160.3333")}, {"a": D("160.3334")}, {"a": None},
                      {"a": D("0.7"), "b": D("7.0")}, {"a": D("0.6999"), "b": D("7.0")}])
    sign = ex.Call(ex.SIGN, (ex.Name("a"), limit))
    share = ex.Call(ex.SIGN, (bound("a / b"), ex.Const(D("0.1"), ex.NUMBER)))
    got = columnar.exact_values([sign, share], frame)
    assert got[0].to_list() == [-1.0, 1.0, None, -1.0, -1.0]
    assert got[1].to_list() == [None, None, None, 0.0, -1.0]  # 0.7 / 7.0 is exactly one tenth
