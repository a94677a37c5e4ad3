"""The table schema of a contract dataset: every table, its columns and the parser of each cell.

The CSV reader (`read.py`), the xlsx reader and the Excel template (`excel.py`) all read their tables and
columns from here, so a column added here is read from CSV and from workbooks and appears in the template.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from procurekit.errors import MAX_PROBLEMS, DatasetError
from procurekit.privacy import shown

EXIT_REASONS = ("completed", "dropped_out", "other")
OFFER_TERMS = ("ordinary", "subsidised", "flexjob")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
# Day first, as Danish Excel saves a date in CSV: 31-12-2017 or 31.12.2017 (the separator used twice).
_DAY_FIRST = re.compile(r"^(\d{1,2})([-.])(\d{1,2})\2(\d{2}|\d{4})$")
_SLASHED = re.compile(r"^\d{1,4}/\d{1,2}/\d{1,4}$")
#: Yes and no as a cell may hold them: English, Danish (`ja`/`nej`, Excel's `SAND`/`FALSK`); any case.
TRUE_WORDS = frozenset({"true", "yes", "ja", "sand"})
FALSE_WORDS = frozenset({"false", "no", "nej", "falsk"})
#: The most decimals a number cell may hold (its trailing zeros not counted): with values up to 1e9 (ten
#: digits before the point) every number then fits an exact 38-digit decimal column (`dataset/frames.py`).
MAX_DECIMALS = 28


class CellError(Exception):
    """A bad cell; the reader adds file, row and column."""


def parse_date(text: str) -> dt.date:
    """A date: `YYYY-MM-DD`, or day first as Danish Excel saves it, `DD-MM-YYYY` or `DD.MM.YYYY`.

    A day-first date needs a four-digit year; a two-digit year or a slashed date (day or month first?)
    is refused, never guessed.
    """
    if len(text) == 10 and text[4:5] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CellError(f"'{show_cell(text)}' is not a date (YYYY-MM-DD)") from None
    match = _DAY_FIRST.match(text)
    if match:
        day, _, month, year = match.groups()
        if len(year) != 4:
            raise CellError(
                f"'{show_cell(text)}' has a two-digit year, which is ambiguous; write YYYY-MM-DD or DD-MM-YYYY"
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise CellError(f"'{show_cell(text)}' is not a date (no such day)") from None
    if _SLASHED.match(text):
        raise CellError(
            f"'{show_cell(text)}' is ambiguous (day or month first?); write YYYY-MM-DD or DD-MM-YYYY"
        )
    raise CellError(f"'{show_cell(text)}' is not a date (YYYY-MM-DD)")


def parse_opt_date(text: str) -> dt.date | None:
    """A date, or None for an empty cell."""
    return parse_date(text) if text else None


def decimals(value: Decimal) -> int:
    """How many decimals a finite decimal holds, its trailing zeros not counted (`4.10` → 1, `1E+3` → 0)."""
    _, digits, exponent = value.as_tuple()
    if value.is_zero() or not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = 0
    for digit in reversed(digits):
        if digit != 0 or zeros >= -exponent:
            break
        zeros += 1
    return -exponent - zeros


def number_parser(decimal_comma: bool) -> Callable[[str], Decimal]:
    """A parser of finite, non-negative numbers up to 1e9 with at most `MAX_DECIMALS` decimals, as exact
    decimals (`0,7` is seven tenths, not the float nearest to it); `decimal_comma` reads `1,5` as 1.5."""

    def parse(text: str) -> Decimal:
        raw = text.replace(",", ".") if decimal_comma else text
        try:
            value = Decimal(raw)
        except (ArithmeticError, ValueError):
            raise CellError(f"'{show_cell(text)}' is not a number") from None
        if not value.is_finite():
            raise CellError(f"'{show_cell(text)}' is not a finite number")
        if value < 0:
            raise CellError(f"{show_cell(text)} is negative")
        if value > 1e9:
            raise CellError(f"{show_cell(text)} is too large")
        if decimals(value) > MAX_DECIMALS:
            raise CellError(f"{show_cell(text)} has more than {MAX_DECIMALS} decimals")
        return value.copy_abs() if value.is_zero() else value  # -0 reads as 0

    return parse


def parse_count(text: str) -> int:
    """A whole number from 0 to 10,000,000."""
    try:
        value = int(text)
    except ValueError:
        raise CellError(f"'{show_cell(text)}' is not a whole number") from None
    if value < 0:
        raise CellError(f"{value} is negative")
    if value > 10_000_000:
        raise CellError(f"{value} is too large")
    return value


def parse_bool(text: str) -> bool | None:
    """Yes or no: `true`/`false`, `yes`/`no`, `ja`/`nej`, `sand`/`falsk` (any case); None for an empty cell."""
    low = text.lower()
    if low in TRUE_WORDS or low in FALSE_WORDS:
        return low in TRUE_WORDS
    if text == "":
        return None
    raise CellError(f"'{show_cell(text)}' is not yes or no (true/false, ja/nej, sand/falsk) or empty")


class Choice:
    """A parser of one of `options`, or None for an empty cell (the columnar reader reads `options`)."""

    def __init__(self, options: tuple[str, ...]) -> None:
        self.options = options

    def __call__(self, text: str) -> str | None:
        if text == "":
            return None
        if text not in self.options:
            raise CellError(f"'{show_cell(text)}' is not one of {', '.join(self.options)}")
        return text


def choice_parser(options: tuple[str, ...]) -> Choice:
    """A parser of one of `options`, or None for an empty cell."""
    return Choice(options)


def parse_pid(text: str) -> str:
    """A participant pseudonym: letters, digits, `.`, `_`, `-`; at most 64."""
    if not text:
        raise CellError("participant_id is empty")
    if not _ID.match(text):
        raise CellError(f"'{show_cell(text)}' is not a pseudonym (letters, digits, . _ -; at most 64)")
    return text


def parse_month(text: str) -> str:
    """A month, `YYYY-MM`."""
    if not _MONTH.match(text):
        raise CellError(f"'{show_cell(text)}' is not a month (YYYY-MM)")
    return text


def parse_year(text: str) -> str:
    """A year, `YYYY`."""
    if not _YEAR.match(text):
        raise CellError(f"'{show_cell(text)}' is not a year (YYYY)")
    return text


def show_cell(text: str) -> str:
    """`text` made safe for a one-line error: never a value that could hold a CPR number."""
    # One place decides what an error may echo (never a value that could hold a CPR number).
    return shown(text)


#: How many bad rows a table reports: one for `read_dataset` (the first stops the reading, as it always
#: did: a large file is not read row by row to its end for problems nobody is shown), up to `MAX_PROBLEMS`
#: within `problems_up_to` (`dataset_problems`).
_LIMIT: ContextVar[int] = ContextVar("procurekit_problem_limit", default=1)


@contextmanager
def problems_up_to(limit: int = MAX_PROBLEMS) -> Iterator[None]:
    """Within the block, a table reports up to `limit` bad rows (`DatasetErrors`), not only the first."""
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def problem_limit() -> int:
    """How many bad rows a table reports now (see `problems_up_to`)."""
    return _LIMIT.get()


#: The data rows of one table: (row number as a spreadsheet shows it, raw cells), or for a row that cannot be
#: read into cells (a workbook cell holding an Excel error) its problem in place of the cells.
RawRows = Iterator[tuple[int, list[str] | DatasetError]]


#: Opens a table file: returns (header, rows, decimal_comma). `dataset/excel.py` adds one for .xlsx sheets.
TableOpener = Callable[[Path], tuple[list[str], RawRows, bool]]


NUMBER = number_parser(False)


PARTICIPANT_COLUMNS: dict[str, Callable[[str], Any]] = {
    "participant_id": parse_pid,
    "years_on_benefits": NUMBER,
    "enrolled_on": parse_date,
    "left_on": parse_opt_date,
    "exit_reason": choice_parser(EXIT_REASONS),
    "met_stability": parse_bool,
    "met_efficiency": parse_bool,
    "met_quality": parse_bool,
    "job_offer_on": parse_opt_date,
    "job_offer_terms": choice_parser(OFFER_TERMS),
    "aktivitetsparat": parse_bool,
}


HOURS_COLUMNS: dict[str, Callable[[str], Any]] = {
    "participant_id": parse_pid,
    "month": parse_month,
    "praktik_hours": NUMBER,
    "subsidised_hours": NUMBER,
    "ordinary_hours": NUMBER,
}


SUPPLIER_COLUMNS: dict[str, Callable[[str], Any]] = {
    "month": parse_month,
    "ordinary_staff": parse_count,
    "contract_fte": NUMBER,
    "target_group_fte": NUMBER,
}


TURNOVER_COLUMNS: dict[str, Callable[[str], Any]] = {
    "year": parse_year,
    "turnover_dkk": NUMBER,
    "target_group_fte": NUMBER,
    "reported_on": parse_date,
}


Kind = Literal["participants", "hours", "supplier", "turnover"]


TABLE_COLUMNS: dict[Kind, dict[str, Callable[[str], Any]]] = {
    "participants": PARTICIPANT_COLUMNS,
    "hours": HOURS_COLUMNS,
    "supplier": SUPPLIER_COLUMNS,
    "turnover": TURNOVER_COLUMNS,
}

_KINDS: dict[Callable[[str], Any], str] = {
    parse_date: "date",
    parse_opt_date: "date",
    parse_bool: "bool",
    parse_count: "count",
    parse_month: "month",
    parse_pid: "id",
    NUMBER: "number",
}


def column_kind(parser: Callable[[str], Any]) -> str:
    """The kind of value a column parser reads (date, bool, count, month, id, number), else "text"."""
    return _KINDS.get(parser, "text")
