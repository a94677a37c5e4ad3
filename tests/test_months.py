"""procurekit.months: the one month arithmetic, checked against the calendar."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurekit.months import (
    add_months,
    month_end,
    month_index,
    month_of,
    month_start,
    month_text,
    months_between,
    parse_month,
)

days = st.dates(min_value=dt.date(100, 1, 1), max_value=dt.date(9900, 12, 31))


@given(days)
def test_a_day_lies_in_its_month(day: dt.date) -> None:
    first, last = month_of(month_index(day))
    assert first <= day <= last
    assert first.day == 1 and last.day == calendar.monthrange(day.year, day.month)[1]
    assert (month_start(day), month_end(day)) == (first, last)


@given(days)
def test_text_and_index_round_trip(day: dt.date) -> None:
    index = month_index(day)
    assert month_text(index) == f"{day.year:04d}-{day.month:02d}"
    assert parse_month(month_text(index)) == index


@given(days, st.integers(-1000, 1000))
def test_add_months_moves_by_whole_months_and_clamps_the_day(day: dt.date, n: int) -> None:
    moved = add_months(day, n)
    assert months_between(day, moved) == n
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])
    assert month_start(day, n) == moved.replace(day=1)


def test_the_31st_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2016, 1, 31), 1) == dt.date(2016, 2, 29)
    assert add_months(dt.date(2016, 3, 31), -1) == dt.date(2016, 2, 29)


@pytest.mark.parametrize("text", ["2016-13", "2016-00", "16-01", "2016-1", "2016-01-01", ""])
def test_parse_month_refuses_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month YYYY-MM"):
        parse_month(text)


def test_beyond_the_calendar_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside years"):
        add_months(dt.date(9999, 12, 1), 1)
