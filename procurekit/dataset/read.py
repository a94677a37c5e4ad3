"""The contract dataset: a folder with contract.yaml, participants.csv and optional hours.csv,
supplier.csv and turnover.csv. Reading validates every cell and reports the first problem as one `DatasetError` naming
file, row (as a spreadsheet shows it: the header is row 1) and column.

CSV files may be comma- or semicolon-separated (Danish Excel writes `;` and decimal commas), UTF-8
with or without BOM, or Windows-1252. A cell that looks like a CPR number is refused and never echoed.
The tables are read and validated column-wise (`dataset/frames.py`) with the very messages of the row
reader (`dataset/rows.py`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from procurekit.dataset.excel import refuse_outside, table_sources
from procurekit.dataset.schema import Kind, problems_up_to, show_cell
from procurekit.errors import MAX_PROBLEMS, DatasetError, ProcurekitError, RuleFileError
from procurekit.privacy import looks_like_cpr
from procurekit.yamlio import load_mapping, model_errors

T = TypeVar("T")

if TYPE_CHECKING:
    import polars as pl

    from procurekit.dataset.frames import Table

__all__ = ["Contract", "Dataset", "Hours", "Participant", "SupplierMonth", "TurnoverYear", "looks_like_cpr",
           "read_contract", "read_dataset", "read_datasets"]


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


#: The row type of each table.
ROW_TYPES: dict[str, type] = {
    "participants": Participant, "hours": Hours, "supplier": SupplierMonth, "turnover": TurnoverYear,
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A contract dataset read from a folder.

    `frames` holds each table present as a typed polars DataFrame (numbers `pl.Decimal`, dates `pl.Date`,
    counts `Int64`, yes/no `Boolean`, codes and ids `String`, and `row`, the row number in its file). The
    row tuples `participants`, `hours`, `supplier` and `turnover` are built from them on first use, each
    number with the digits its cell was written with. Two datasets are equal when their paths, contracts
    and rows are.
    """

    path: Path
    contract: Contract
    tables: Mapping[str, Table] = field(repr=False)

    @classmethod
    def from_rows(
        cls,
        path: Path,
        contract: Contract,
        participants: tuple[Participant, ...],
        hours: tuple[Hours, ...] | None = None,
        supplier: tuple[SupplierMonth, ...] | None = None,
        turnover: tuple[TurnoverYear, ...] | None = None,
    ) -> Dataset:
        """A dataset of rows built in code (tests, tools), with the frames a read one has."""
        from procurekit.dataset.frames import table_from_rows

        given = {"participants": participants, "hours": hours, "supplier": supplier, "turnover": turnover}
        return cls(path, contract, {
            kind: table_from_rows(kind, [dataclasses.asdict(r) for r in rows])
            for kind, rows in given.items() if rows is not None
        })

    @cached_property
    def frames(self) -> dict[str, pl.DataFrame]:
        """Each table present as a typed polars DataFrame."""
        return {kind: table.frame for kind, table in self.tables.items()}

    @property
    def sources(self) -> frozenset[str]:
        """The data files present: participants always, hours, supplier and turnover when given."""
        return frozenset(self.tables)

    @cached_property
    def participants(self) -> tuple[Participant, ...]:
        """The rows of participants.csv."""
        return self._rows("participants")

    @cached_property
    def hours(self) -> tuple[Hours, ...] | None:
        """The rows of hours.csv, or None without it."""
        return self._rows("hours") if "hours" in self.tables else None

    @cached_property
    def supplier(self) -> tuple[SupplierMonth, ...] | None:
        """The rows of supplier.csv, or None without it."""
        return self._rows("supplier") if "supplier" in self.tables else None

    @cached_property
    def turnover(self) -> tuple[TurnoverYear, ...] | None:
        """The rows of turnover.csv, or None without it."""
        return self._rows("turnover") if "turnover" in self.tables else None

    def _rows(self, kind: str) -> tuple[Any, ...]:
        from procurekit.dataset.frames import column_values

        make = ROW_TYPES[kind]
        table = self.tables[kind]
        names = [f.name for f in dataclasses.fields(make)]
        columns = [column_values(table, n) for n in names]
        # Millions of new objects and no cycle among them: the cyclic collector would only walk them again
        # and again (seconds for a large contract), so it waits until they are built.
        paused = gc.isenabled()
        gc.disable()
        try:
            return tuple(map(make, *columns))  # the columns of one frame: all of one length
        finally:
            if paused:
                gc.enable()

    def _key(self) -> tuple[Any, ...]:
        return (self.path, self.contract, self.participants, self.hours, self.supplier, self.turnover)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.path, self.contract))

    def __getstate__(self) -> dict[str, Any]:
        # The frames travel (compactly, as Arrow data); the row tuples and views are rebuilt on use.
        return {"path": self.path, "contract": self.contract, "tables": self.tables}


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
    dataset = _read(Path(folder), None)
    assert dataset is not None  # without a list of problems, the first one is raised
    return dataset


def read_datasets(folders: Sequence[Path]) -> list[Dataset | ProcurekitError]:
    """Several contract dataset folders (a register's), each read as `read_dataset` reads it alone: the
    dataset, or the error it raises.

    Their CSV tables are split and validated together, table by table (`frames.read_stacked`): a contract of
    a thousand participants is read in about 60 % of the time it takes alone, most of which was each query's
    fixed cost. A dataset with anything out of the ordinary (a workbook, a problem, a row only the row reader
    reads) is read alone, so its problems are exactly `read_dataset`'s.
    """
    from procurekit.dataset.frames import read_stacked

    opened: dict[int, tuple[Contract, dict[str, Any]]] = {}
    for number, folder in enumerate(folders):
        with contextlib.suppress(ProcurekitError):
            contract, sources = _opened(folder)
            if "participants" in sources and all(s.sheet is None for s in sources.values()):
                opened[number] = (contract, sources)
    tables: dict[int, dict[str, Table]] = {number: {} for number in opened}
    people: pl.DataFrame | None = None
    for kind in ("participants", "hours", "supplier"):
        files = {n: sources[kind].path for n, (_, sources) in opened.items() if kind in sources and n in tables}
        found, typed = read_stacked(kind, files, people)
        people = typed if kind == "participants" else people
        for number in files:
            if number in found:
                tables[number][kind] = found[number]
            else:
                del tables[number]  # read alone
    for number, (contract, sources) in opened.items():
        if "turnover" in sources and number in tables:
            years = (f"{contract.start.year:04d}", f"{contract.end.year:04d}")
            try:
                tables[number]["turnover"] = _read_table(sources["turnover"].path, "turnover", years)
            except DatasetError:
                del tables[number]
    return [Dataset(folder, opened[n][0], tables[n]) if n in tables else _alone(folder)
            for n, folder in enumerate(folders)]


def _opened(folder: Path) -> tuple[Contract, dict[str, Any]]:
    """A dataset folder's contract and table sources, as `_read` finds them (raising the first problem)."""
    contract_path = folder / "contract.yaml"
    refuse_outside(folder, contract_path)
    return read_contract(contract_path), table_sources(folder, get_args(Kind))


def _alone(folder: Path) -> Dataset | ProcurekitError:
    try:
        return read_dataset(folder)
    except ProcurekitError as exc:
        return exc


def dataset_problems(folder: Path | str) -> list[DatasetError]:
    """The problems of each file of a dataset folder (a table's rows: up to `MAX_PROBLEMS` a file), in the
    order `read_dataset` reads them; none when it reads. `read_dataset` raises the first problem; this goes
    on to the other rows and files, so that a submission is put right at once. A file whose header or
    encoding is wrong has that one problem. hours.csv is checked only when participants.csv reads
    (its rows must name known participants), turnover only when contract.yaml does (its years must lie in
    the contract)."""
    problems: list[DatasetError] = []
    with problems_up_to():
        _read(Path(folder), problems)
    return problems


def cut_short(problems: list[DatasetError]) -> dict[str, int]:
    """The files of `dataset_problems` whose reading stopped at the most problems a file reports
    (`MAX_PROBLEMS`): they may hold more. File → the number shown."""
    counts = Counter(e.path for e in problems)
    return {path: n for path, n in counts.items() if n >= MAX_PROBLEMS}


def _read(folder: Path, problems: list[DatasetError] | None) -> Dataset | None:
    """The dataset; with `problems`, each file's problems collected there instead of raised (and None
    returned when there is one)."""

    def attempt(step: Callable[[], T]) -> T | None:
        if problems is None:
            return step()
        try:
            return step()
        except DatasetError as exc:
            problems.extend(getattr(exc, "problems", [exc]))
            return None

    if not folder.is_dir():
        raise DatasetError(folder, "not a folder (a contract dataset is a folder with contract.yaml)")
    contract_path = folder / "contract.yaml"
    refuse_outside(folder, contract_path)
    if not contract_path.is_file():
        raise DatasetError(contract_path, "missing (every dataset needs contract.yaml)")
    contract = attempt(lambda: read_contract(contract_path))
    # Each table is <name>.csv or a sheet of an .xlsx workbook in the folder (see dataset/excel.py).
    tables = attempt(lambda: table_sources(folder, get_args(Kind)))
    if tables is None:
        return None
    read: dict[str, Table] = {}
    if "participants" not in tables:
        ppath = folder / "participants.csv"
        attempt(lambda: _missing(ppath))
    else:
        found = attempt(lambda: tables["participants"].read(_read_table, "participants"))
        if found is not None:
            read["participants"] = found
    if "hours" in tables and "participants" in read:
        found = attempt(lambda: tables["hours"].read(_read_table, "hours", read["participants"].frame))
        if found is not None:
            read["hours"] = found
    if "supplier" in tables:
        found = attempt(lambda: tables["supplier"].read(_read_table, "supplier"))
        if found is not None:
            read["supplier"] = found
    if "turnover" in tables and contract is not None:
        years = (f"{contract.start.year:04d}", f"{contract.end.year:04d}")
        found = attempt(lambda: tables["turnover"].read(_read_table, "turnover", years))
        if found is not None:
            read["turnover"] = found
    if problems or contract is None:
        return None
    return Dataset(folder, contract, read)


def _missing(path: Path) -> None:
    raise DatasetError(path, "missing (participants.csv, or a 'participants' sheet in an .xlsx workbook, is required)")


def _read_table(path: Path, kind: str, context: Any = None, opener: Any = None) -> Table:
    from procurekit.dataset.frames import read_table

    return read_table(path, kind, context, opener)
