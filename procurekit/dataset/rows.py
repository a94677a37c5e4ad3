"""One row at a time: the CSV text, its records, and the checks of one row, exactly as a user reads them.

The columnar reader (`dataset/frames.py`) validates whole columns at once; every message it reports is
made here, by these functions, on the one row that failed, so the two can never word a problem
differently. A row is checked in this order: its field count, then each cell in header order (CPR
shape, length, the column's parser), then the table's own checks (duplicates, references, ranges).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from procurekit.dataset.schema import NUMBER, CellError, RawRows, number_parser, show_cell
from procurekit.errors import DatasetError
from procurekit.privacy import looks_like_cpr

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_CELL = 1000
#: The csv module's field size limit while procurekit parses: a longer field is malformed CSV.
MAX_FIELD = MAX_CELL * 10
_HEADER = re.compile(r"^(?=.{1,40}$)[^\W\d]\w*(?: \w+){0,3}$")
Cells = dict[str, Any]


# --- the CSV text and its records ---------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DatasetError(path, "UTF-16 text; save the file as CSV UTF-8")
    if b"\x00" in raw:
        raise DatasetError(path, "binary file (contains NUL bytes); expected CSV text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DatasetError(path, f"not UTF-8 or Windows-1252 text (byte {exc.start})") from None


def read_bytes(path: Path) -> bytes:
    """A data file's bytes, refusing a file that cannot be read or is larger than `MAX_FILE_BYTES`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DatasetError(path, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # a file whose size stat does not tell (/proc) is capped too
    except OSError as exc:
        raise DatasetError(path, f"cannot read file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise DatasetError(path, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return raw


def read_text(path: Path, raw: bytes | None = None) -> str:
    """A CSV file's text (UTF-8 with or without BOM, or Windows-1252), refusing what is no text.

    Raises:
        DatasetError: too large, unreadable, binary, UTF-16, undecodable or empty.
    """
    text = _decode(path, read_bytes(path) if raw is None else raw)
    if not text or text.isspace():
        raise DatasetError(path, "file is empty; expected a header row")
    return text


def delimiter_of(text: str) -> str:
    """`;` when the first line holds more semicolons than commas (Danish Excel), else `,`."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _next_row(reader: Iterator[list[str]]) -> list[str]:
    """The next row, parsed under our field size limit.

    `csv.field_size_limit` is process-wide; it is set only while one row is parsed and restored at once,
    so code around us (another library, the caller's own CSV reading) never sees our limit.
    """
    previous = csv.field_size_limit(MAX_FIELD)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def csv_rows(path: Path, text: str | None = None) -> tuple[list[str], RawRows, bool]:
    """Open a CSV file: its header, an iterator of (row number, cells), and whether decimals use ','."""
    if text is None:
        text = read_text(path)
    delimiter = delimiter_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = _next_row(reader)
    except csv.Error as exc:
        raise DatasetError(path, f"unreadable header ({exc})", row=1) from None
    except StopIteration:
        raise DatasetError(path, "file is empty; expected a header row") from None

    def rows() -> RawRows:
        row = 1
        try:
            while True:
                try:
                    cells = _next_row(reader)
                except StopIteration:
                    return
                row += 1
                yield row, cells
        except csv.Error as exc:
            raise DatasetError(path, f"malformed CSV ({exc})", row=row + 1) from None

    return header, rows(), delimiter == ";"


# --- the header and one row ---------------------------------------------------------------------


def _unknown_column(path: Path, name: str, index: int, columns: Mapping[str, Any]) -> DatasetError:
    expected = ", ".join(columns)
    if _HEADER.match(name):
        return DatasetError(path, f"unknown column '{show_cell(name)}' (expected: {expected})", row=1)
    # A header that is no column name (a file that is not a table: a letter, a key, /etc/passwd) is
    # content, not a typo: it is not echoed.
    return DatasetError(
        path, f"unknown column, not shown as it is not a column name (expected: {expected})", 1, str(index)
    )


def check_header(
    path: Path, raw_header: list[str], columns: Mapping[str, Callable[[str], Any]], required: tuple[str, ...]
) -> list[str]:
    """The header's column names (stripped), refusing CPR-like, unknown, repeated and missing columns."""
    header = [h.strip() for h in raw_header]
    for i, name in enumerate(header):
        if looks_like_cpr(name):
            raise DatasetError(path, "looks like a CPR number; use a pseudonym", row=1, column=str(i + 1))
        if name not in columns:
            raise _unknown_column(path, name, i + 1, columns)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DatasetError(path, f"column '{name}' appears twice", row=1)
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        raise DatasetError(path, f"missing column {', '.join(missing)}", row=1)
    return header


def cell_parsers(
    header: list[str], columns: Mapping[str, Callable[[str], Any]], decimal_comma: bool
) -> list[tuple[str, Callable[[str], Any]]]:
    """(column, parser) in header order; numbers read with decimal commas when the file uses them."""
    parsers = [(name, columns[name]) for name in header]
    if decimal_comma:
        parsers = [(n, number_parser(True) if p is NUMBER else p) for n, p in parsers]
    return parsers


def parse_row(
    path: Path,
    row: int,
    cells: list[str],
    parsers: list[tuple[str, Callable[[str], Any]]],
    columns: Mapping[str, Any],
) -> Cells | None:
    """One data row's parsed cells (every column of the table, None where absent); None for a blank row.

    Raises:
        DatasetError: the row's first bad cell.
    """
    if not cells or all(not c.strip() for c in cells):
        return None
    if len(cells) != len(parsers):
        raise DatasetError(path, f"expected {len(parsers)} fields, found {len(cells)}", row=row)
    out: Cells = {}
    for (name, parse), cell in zip(parsers, cells, strict=True):
        value = cell.strip()
        if looks_like_cpr(value):
            raise DatasetError(path, "looks like a CPR number; use a pseudonym (value not shown)", row, name)
        if len(value) > MAX_CELL:
            raise DatasetError(path, f"cell longer than {MAX_CELL} characters", row, name)
        try:
            out[name] = parse(value)
        except CellError as exc:
            raise DatasetError(path, str(exc), row, name) from None
    for name in columns:
        out.setdefault(name, None)
    return out


# --- each table's own checks of a parsed row ------------------------------------------------------
# `seen` maps a key to the row it is first on, for the rows before this one.


def check_participant(path: Path, row: int, c: Cells, seen: Mapping[str, int]) -> None:
    """A participant row: a new id, at most 100 years, and its dates and codes consistent."""
    pid = c["participant_id"]
    if pid in seen:
        raise DatasetError(path, f"participant_id '{pid}' already on row {seen[pid]}", row, "participant_id")
    if c["years_on_benefits"] > 100:
        raise DatasetError(path, "more than 100 years", row, "years_on_benefits")
    if (c["left_on"] is None) != (c["exit_reason"] is None):
        col = "exit_reason" if c["left_on"] else "left_on"
        raise DatasetError(path, "left_on and exit_reason must both be given or both be empty", row, col)
    if c["left_on"] is not None and c["left_on"] < c["enrolled_on"]:
        raise DatasetError(path, "left_on is before enrolled_on", row, "left_on")
    if (c["job_offer_on"] is None) != (c["job_offer_terms"] is None):
        col = "job_offer_terms" if c["job_offer_on"] else "job_offer_on"
        raise DatasetError(path, "job_offer_on and job_offer_terms must both be given or both be empty", row, col)
    if c["job_offer_on"] is not None and c["job_offer_on"] < c["enrolled_on"]:
        raise DatasetError(path, "job_offer_on is before enrolled_on", row, "job_offer_on")


def check_hours(
    path: Path,
    row: int,
    c: Cells,
    seen: Mapping[tuple[str, str], int],
    courses: Mapping[str, tuple[dt.date, dt.date | None]],
) -> None:
    """An hours row: a known participant, a new month, within the participant's course.

    Args:
        courses: participant id → (enrolled_on, left_on).
    """
    pid, month = c["participant_id"], c["month"]
    course = courses.get(pid)
    if course is None:
        raise DatasetError(path, f"unknown participant '{pid}' (not in participants.csv)", row, "participant_id")
    key = (pid, month)
    if key in seen:
        raise DatasetError(path, f"{pid} {month} already on row {seen[key]}", row, "month")
    enrolled_on, left_on = course
    first = enrolled_on.strftime("%Y-%m")
    last = left_on.strftime("%Y-%m") if left_on else None
    if month < first or (last is not None and month > last):
        span = f"{first} to {last}" if last else f"from {first}"
        raise DatasetError(path, f"{month} is outside {pid}'s course ({span})", row, "month")


def check_supplier(path: Path, row: int, c: Cells, seen: Mapping[str, int]) -> None:
    """A supplier row: a new month, and no more target-group FTE than contract FTE."""
    if c["month"] in seen:
        raise DatasetError(path, f"{c['month']} already on row {seen[c['month']]}", row, "month")
    if c["target_group_fte"] > c["contract_fte"]:
        raise DatasetError(path, "target_group_fte exceeds contract_fte", row, "target_group_fte")


def check_turnover(path: Path, row: int, c: Cells, seen: Mapping[str, int], years: tuple[str, str]) -> None:
    """A turnover row: a new year within the contract's (first, last) years, reported after it began."""
    year = c["year"]
    first, last = years
    if year in seen:
        raise DatasetError(path, f"{year} already on row {seen[year]}", row, "year")
    if not first <= year <= last:
        raise DatasetError(path, f"{year} is outside the contract ({first} to {last})", row, "year")
    if c["reported_on"].year < int(year):
        raise DatasetError(path, f"reported_on is before {year} began", row, "reported_on")
