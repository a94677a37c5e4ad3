"""The condition language: parsing, types, null semantics, and that nothing runs as Python."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import procurekit.conditions as ex

TYPES = {"n": ex.NUMBER, "m": ex.NUMBER, "d": ex.DATE, "s": ex.STRING, "b": ex.BOOL}


def ev(text: str, **env: object) -> object:
    node = ex.parse(text)
    ex.typecheck(node, TYPES)
    return ex.evaluate(node, env)


def test_precedence_and_arithmetic() -> None:
    assert ev("1 + 2 * 3 == 7") is True
    assert ev("(1 + 2) * 3 == 9") is True
    assert ev("-n + 1 == 0", n=1) is True
    assert ev("not b or n > 1", b=True, n=2) is True
    assert ev("floor(7 / 2) == 3 and ceil(7 / 2) == 4 and max(1, n, 3) == 5 and min(2, n) == 2", n=5) is True


def test_null_semantics() -> None:
    assert ev("n > 1") is False
    assert ev("not (n > 1)") is True
    assert ev("n == null") is True
    assert ev("n != null", n=0) is True
    assert ev("n / m > 0", n=1, m=0) is False  # division by zero is null
    assert ev("b") is None and ev("not b") is True and ev("b and true") is False


def test_dates() -> None:
    d = dt.date(2017, 8, 31).toordinal()
    assert ev('add_months(d, 18) == date("2019-02-28")', d=d) is True
    assert ev('d + 30 > date("2017-09-29")', d=d) is True
    assert ev('date("2017-09-30") - d == 30', d=d) is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n >", "unexpected end of condition (column 4)"),
        ("n > 1 > 0", "chained comparisons are not allowed; use 'and' (column 7)"),
        ("n $ 1", "unexpected character '$' (column 3)"),
        ("__class__", "unknown name '__class__' (column 1)"),
        ("open('x')", "unexpected character ''' (column 6)"),
        ("eval(1)", "unknown function 'eval' (column 1)"),
        ("s < 1", "cannot order string and number with '<' (column 3)"),
        ("d + d > d", "cannot apply '+' to date and date (column 3)"),
        ("b and n", "'and' needs bool, got number (column 7)"),
        ('date("2017-02-30") > d', "date() got an invalid date '2017-02-30' (column 1)"),
        ("add_months(n, 1) > d", "add_months() needs date, got number (column 12)"),
        ("min(n)", "min() needs at least 2 arguments (column 1)"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(ex.ExprError) as info:
        ex.typecheck(ex.parse(text), TYPES)
    assert str(info.value) == message


@given(st.text(max_size=60))
def test_parser_never_crashes(text: str) -> None:
    try:
        ex.typecheck(ex.parse(text), TYPES)
    except ex.ExprError:
        pass


@given(st.integers(dt.date(2000, 1, 1).toordinal(), dt.date(2040, 1, 1).toordinal()), st.integers(0, 60))
def test_add_months_lands_in_the_right_month(day: int, months: int) -> None:
    start = dt.date.fromordinal(day)
    end = dt.date.fromordinal(ex.add_months(day, months))
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + dt.timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('date("2020-01-01") + 30', ex.DATE),
        ('30 + date("2020-01-01")', ex.DATE),
        ('date("2020-01-01") - 1', ex.DATE),
        ('date("2020-03-01") - date("2020-01-01")', ex.NUMBER),
        ('min(date("2020-01-01"), date("2021-01-01"))', ex.DATE),
        ('add_months(date("2020-01-31"), 1)', ex.DATE),
        ('if(true, date("2020-01-01"), date("2021-01-01"))', ex.DATE),
        ("1 + 2", ex.NUMBER),
        ('date("2020-01-01") < date("2021-01-01")', ex.BOOL),
    ],
)
def test_folded_constants_keep_their_type(text: str, kind: str) -> None:
    folded = ex.bind(ex.parse(text), {}, {})
    assert isinstance(folded, ex.Const)
    assert folded.type == kind
