"""Calendar months as numbers: the one place that does "year * 12 + month" arithmetic.

A month index counts months from year 0 (January of year 1 is 12), so months compare, subtract and add
as integers; `month_of` turns an index back into its first and last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_index(day: dt.date) -> int:
    """The index of the month `day` lies in."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month with this index.

    Raises:
        ValueError: the month lies outside years 1..9999.
    """
    year, month0 = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"month {index} lies outside years {dt.MINYEAR}..{dt.MAXYEAR}")
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, 1), dt.date(year, month0 + 1, last)


def parse_month(text: str) -> int:
    """The index of a month written YYYY-MM.

    Raises:
        ValueError: not YYYY-MM with a month 01..12.
    """
    m = _MONTH.match(text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month YYYY-MM")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_text(index: int) -> str:
    """A month index written YYYY-MM."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def months_between(first: dt.date, last: dt.date) -> int:
    """Calendar months from `first`'s month to `last`'s (0 within one month; negative when last is earlier)."""
    return month_index(last) - month_index(first)


def month_start(day: dt.date, add: int = 0) -> dt.date:
    """The first day of `day`'s month, `add` months on."""
    return month_of(month_index(day) + add)[0]


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return month_of(month_index(day))[1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); a day past the new month's end becomes its last day.

    Raises:
        ValueError: the result lies outside years 1..9999.
    """
    first, last = month_of(month_index(day) + months)
    return first.replace(day=min(day.day, last.day))
