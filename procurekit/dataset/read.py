"""The contract dataset: a folder with contract.yaml, participants.csv and optional hours.csv,
supplier.csv and turnover.csv. Reading validates every cell and reports the first problem as one `DatasetError` naming
file, row (as a spreadsheet shows it: the header is row 1) and column.

CSV files may be comma- or semicolon-separated (Danish Excel writes `;` and decimal commas), UTF-8
with or without BOM, or Windows-1252. A cell that looks like a CPR number is refused and never echoed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from procurekit.dataset.excel import refuse_outside, table_sources
from procurekit.dataset.schema import (
    HOURS_COLUMNS,
    NUMBER,
    PARTICIPANT_COLUMNS,
    SUPPLIER_COLUMNS,
    TURNOVER_COLUMNS,
    CellError,
    Kind,
    RawRows,
    TableOpener,
    number_parser,
    show_cell,
)
from procurekit.errors import DatasetError, RuleFileError
from procurekit.privacy import looks_like_cpr
from procurekit.yamlio import load_mapping, model_errors

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_CELL = 1000
_HEADER = re.compile(r"^(?=.{1,40}$)[^\W\d]\w*(?: \w+){0,3}$")


class Contract(BaseModel):
    """contract.yaml: who, what, which rule set, and the contract period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_id: str = Field(min_length=1, max_length=100)
    municipality: str = Field(min_length=1, max_length=200)
    supplier: str = Field(min_length=1, max_length=200)
    ruleset: str = Field(min_length=1, description="bundled rule-set id or path relative to the dataset")
    start: dt.date
    end: dt.date
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """One row of participants.csv."""

    participant_id: str
    years_on_benefits: Decimal
    enrolled_on: dt.date
    left_on: dt.date | None
    exit_reason: str | None
    met_stability: bool | None
    met_efficiency: bool | None
    met_quality: bool | None
    job_offer_on: dt.date | None
    job_offer_terms: str | None
    row: int
    aktivitetsparat: bool | None = None


@dataclass(frozen=True, slots=True)
class Hours:
    """One row of hours.csv: a participant's hours in one calendar month."""

    participant_id: str
    month: str
    praktik_hours: Decimal
    subsidised_hours: Decimal
    ordinary_hours: Decimal


@dataclass(frozen=True, slots=True)
class SupplierMonth:
    """One row of supplier.csv: the supplier's workforce on the contract in one month."""

    month: str
    ordinary_staff: int
    contract_fte: Decimal
    target_group_fte: Decimal


@dataclass(frozen=True, slots=True)
class TurnoverYear:
    """One row of turnover.csv: the supplier's annual report for one calendar year of the contract."""

    year: str
    turnover_dkk: Decimal
    target_group_fte: Decimal
    reported_on: dt.date


@dataclass(frozen=True)
class Dataset:
    """A contract dataset read from a folder."""

    path: Path
    contract: Contract
    participants: tuple[Participant, ...]
    hours: tuple[Hours, ...] | None
    supplier: tuple[SupplierMonth, ...] | None
    turnover: tuple[TurnoverYear, ...] | None = None

    @property
    def sources(self) -> frozenset[str]:
        """The data files present: participants always, hours, supplier and turnover when given."""
        out = {"participants"}
        if self.hours is not None:
            out.add("hours")
        if self.supplier is not None:
            out.add("supplier")
        if self.turnover is not None:
            out.add("turnover")
        return frozenset(out)


# --- the CSV reader ---------------------------------------------------------------------------


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


def _next_row(reader: Iterator[list[str]]) -> list[str]:
    """The next row, parsed under our field size limit.

    `csv.field_size_limit` is process-wide; it is set only while one row is parsed and restored at once,
    so code around us (another library, the caller's own CSV reading) never sees our limit.
    """
    previous = csv.field_size_limit(MAX_CELL * 10)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def _csv_rows(path: Path) -> tuple[list[str], RawRows, bool]:
    """Open a CSV file: its header, an iterator of (row number, cells), and whether decimals use ','."""
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
    text = _decode(path, raw)
    if not text.strip():
        raise DatasetError(path, "file is empty; expected a header row")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
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


def _unknown_column(path: Path, name: str, index: int, columns: dict[str, Any]) -> DatasetError:
    expected = ", ".join(columns)
    if _HEADER.match(name):
        return DatasetError(path, f"unknown column '{show_cell(name)}' (expected: {expected})", row=1)
    # A header that is no column name (a file that is not a table: a letter, a key, /etc/passwd) is
    # content, not a typo: it is not echoed.
    return DatasetError(
        path, f"unknown column, not shown as it is not a column name (expected: {expected})", 1, str(index)
    )


def _read_table(
    path: Path,
    columns: dict[str, Callable[[str], Any]],
    required: tuple[str, ...],
    opener: TableOpener = _csv_rows,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, parsed cells) for each data row, validating the header first."""
    raw_header, raw_rows, decimal_comma = opener(path)
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
    parsers = [(name, columns[name]) for name in header]
    if decimal_comma:
        parsers = [(n, number_parser(True) if p is NUMBER else p) for n, p in parsers]
    for row, cells in raw_rows:
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DatasetError(path, f"expected {len(header)} fields, found {len(cells)}", row=row)
        out: dict[str, Any] = {}
        for (name, parse), cell in zip(parsers, cells, strict=True):
            value = cell.strip()
            if looks_like_cpr(value):
                raise DatasetError(
                    path, "looks like a CPR number; use a pseudonym (value not shown)", row, name
                )
            if len(value) > MAX_CELL:
                raise DatasetError(path, f"cell longer than {MAX_CELL} characters", row, name)
            try:
                out[name] = parse(value)
            except CellError as exc:
                raise DatasetError(path, str(exc), row, name) from None
        for name in columns:
            out.setdefault(name, None)
        yield row, out


def _participants(path: Path, opener: TableOpener = _csv_rows) -> tuple[Participant, ...]:
    required = ("participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason")
    out: list[Participant] = []
    ids: dict[str, int] = {}
    for row, c in _read_table(path, PARTICIPANT_COLUMNS, required, opener):
        pid = c["participant_id"]
        if pid in ids:
            raise DatasetError(path, f"participant_id '{pid}' already on row {ids[pid]}", row, "participant_id")
        ids[pid] = row
        if c["years_on_benefits"] > 100:
            raise DatasetError(path, "more than 100 years", row, "years_on_benefits")
        if (c["left_on"] is None) != (c["exit_reason"] is None):
            col = "exit_reason" if c["left_on"] else "left_on"
            raise DatasetError(path, "left_on and exit_reason must both be given or both be empty", row, col)
        if c["left_on"] is not None and c["left_on"] < c["enrolled_on"]:
            raise DatasetError(path, "left_on is before enrolled_on", row, "left_on")
        if (c["job_offer_on"] is None) != (c["job_offer_terms"] is None):
            col = "job_offer_terms" if c["job_offer_on"] else "job_offer_on"
            raise DatasetError(
                path, "job_offer_on and job_offer_terms must both be given or both be empty", row, col
            )
        if c["job_offer_on"] is not None and c["job_offer_on"] < c["enrolled_on"]:
            raise DatasetError(path, "job_offer_on is before enrolled_on", row, "job_offer_on")
        out.append(Participant(**c, row=row))
    return tuple(out)


def _hours(
    path: Path, participants: dict[str, Participant], opener: TableOpener = _csv_rows
) -> tuple[Hours, ...]:
    out: list[Hours] = []
    seen: dict[tuple[str, str], int] = {}
    for row, c in _read_table(path, HOURS_COLUMNS, tuple(HOURS_COLUMNS), opener):
        pid, month = c["participant_id"], c["month"]
        p = participants.get(pid)
        if p is None:
            raise DatasetError(path, f"unknown participant '{pid}' (not in participants.csv)", row, "participant_id")
        key = (pid, month)
        if key in seen:
            raise DatasetError(path, f"{pid} {month} already on row {seen[key]}", row, "month")
        seen[key] = row
        first = p.enrolled_on.strftime("%Y-%m")
        last = p.left_on.strftime("%Y-%m") if p.left_on else None
        if month < first or (last is not None and month > last):
            span = f"{first} to {last}" if last else f"from {first}"
            raise DatasetError(path, f"{month} is outside {pid}'s course ({span})", row, "month")
        out.append(Hours(**c))
    return tuple(out)


def _supplier(path: Path, opener: TableOpener = _csv_rows) -> tuple[SupplierMonth, ...]:
    out: list[SupplierMonth] = []
    seen: dict[str, int] = {}
    for row, c in _read_table(path, SUPPLIER_COLUMNS, tuple(SUPPLIER_COLUMNS), opener):
        if c["month"] in seen:
            raise DatasetError(path, f"{c['month']} already on row {seen[c['month']]}", row, "month")
        seen[c["month"]] = row
        if c["target_group_fte"] > c["contract_fte"]:
            raise DatasetError(path, "target_group_fte exceeds contract_fte", row, "target_group_fte")
        out.append(SupplierMonth(**c))
    return tuple(out)


def _turnover(
    path: Path, contract: Contract, opener: TableOpener = _csv_rows
) -> tuple[TurnoverYear, ...]:
    out: list[TurnoverYear] = []
    seen: dict[str, int] = {}
    first, last = f"{contract.start.year:04d}", f"{contract.end.year:04d}"
    for row, c in _read_table(path, TURNOVER_COLUMNS, tuple(TURNOVER_COLUMNS), opener):
        year = c["year"]
        if year in seen:
            raise DatasetError(path, f"{year} already on row {seen[year]}", row, "year")
        seen[year] = row
        if not first <= year <= last:
            raise DatasetError(path, f"{year} is outside the contract ({first} to {last})", row, "year")
        if c["reported_on"].year < int(year):
            raise DatasetError(path, f"reported_on is before {year} began", row, "reported_on")
        out.append(TurnoverYear(**c))
    return tuple(out)


def read_contract(path: Path) -> Contract:
    """Read and validate contract.yaml."""
    try:
        data, lines = load_mapping(
            path, "must be a mapping of contract_id, municipality, supplier, ruleset, start, end", refuse_cpr=True
        )
    except RuleFileError as exc:
        raise DatasetError(path, exc.message, line=exc.line) from None
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:  # the first problem: a dataset reports one
        line, where, message = model_errors(lines, exc)[0]
        raise DatasetError(path, f"{show_cell(where) or 'contract'}: {message}", line=line) from None
    if contract.end < contract.start:
        raise DatasetError(path, "end: end is before start", line=lines.line_of(("end",)))
    return contract


def read_dataset(folder: Path | str) -> Dataset:
    """Read a contract dataset folder.

    Raises:
        DatasetError: the first problem found, with file, row and column.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(folder, "not a folder (a contract dataset is a folder with contract.yaml)")
    contract_path = folder / "contract.yaml"
    refuse_outside(folder, contract_path)
    if not contract_path.is_file():
        raise DatasetError(contract_path, "missing (every dataset needs contract.yaml)")
    contract = read_contract(contract_path)
    # Each table is <name>.csv or a sheet of an .xlsx workbook in the folder (see dataset/excel.py).
    tables = table_sources(folder, get_args(Kind))
    if "participants" not in tables:
        ppath = folder / "participants.csv"
        raise DatasetError(
            ppath, "missing (participants.csv, or a 'participants' sheet in an .xlsx workbook, is required)"
        )
    participants = tables["participants"].read(_participants)
    by_id = {p.participant_id: p for p in participants}
    hours = tables["hours"].read(_hours, by_id) if "hours" in tables else None
    supplier = tables["supplier"].read(_supplier) if "supplier" in tables else None
    turnover = tables["turnover"].read(_turnover, contract) if "turnover" in tables else None
    return Dataset(folder, contract, participants, hours, supplier, turnover)
