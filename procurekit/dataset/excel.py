"""Excel workbooks in a contract dataset (the template suppliers fill in is in `dataset/template.py`).

Convention: a dataset folder may hold any number of `.xlsx` workbooks beside (or instead of) the CSV
files. Every sheet named after a table (`participants`, `hours`, `supplier`, … matched without regard
to case) is that table, with the same header row and columns as the CSV file. Sheets whose names start
with `_` are notes and are skipped, and so are empty sheets (Excel's `Ark1`); any other sheet name is an
error. An old `.xls` workbook is refused (save it as .xlsx), never skipped. Each table comes from exactly one
place: a table given both as CSV and as a sheet, or in two workbooks, is an error naming both.

Cells are turned into the strings the CSV parsers read: dates → `YYYY-MM-DD` (a date in a `month`
column on the 1st → `YYYY-MM`), booleans → `true`/`false`, whole numbers without `.0`, empty → "".
A row whose first cell starts with `#` is a comment (the template's example rows) and is skipped. The
header is row 1; row numbers are the ones Excel shows.

A sheet is read by the fast reader (`dataset/sheet_xml.py`: its XML cut into tokens by polars' regex
engine, several times faster) when the XML has the few exact shapes Excel, LibreOffice and openpyxl
write, and by openpyxl's streaming parser (`_SheetRows`) otherwise: other XML shapes (rich text, `t="d"`
dates, comments, a DOCTYPE, a carriage return in text, attributes in another order), formulas without a
saved value, error cells, a sheet over 256 MiB of XML, and every sheet that needs an error message. Both
give the very same rows (`tests/test_sheet_xml.py`); openpyxl still opens every workbook and reads its
shared strings, styles and all of each sheet but the rows.

Refused with one line (exit 2): encrypted (password-protected) or damaged workbooks, workbooks that
unpack to more than `MAX_UNPACKED_BYTES`, sheets with more than `MAX_ROWS` rows, `MAX_COLUMNS` columns or
`MAX_CELLS` cells, formulas without a saved value, and Excel error values such as `#DIV/0!`; sheet and
workbook names that look like a CPR number, and workbooks or CSV files that are symbolic links leading out
of the dataset folder. Messages from a damaged file's parser are shown without what they quote of it.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import itertools
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from procurekit.dataset.schema import RawRows, TableOpener, problem_limit
from procurekit.errors import DatasetError, DatasetErrors, ProcurekitError
from procurekit.privacy import NOT_SHOWN, looks_like_cpr, shown

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook  # type: ignore[import-untyped]


MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_ROWS = 1_048_576
MAX_COLUMNS = 200
MAX_CELLS = 20_000_000
WORKBOOK_SUFFIX = ".xlsx"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_MONTH_COLUMNS = frozenset({"month"})
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_BATCH = 512
_EMPTY_SHEET = "sheet is empty; expected a header row"
T = TypeVar("T")


@dataclass(frozen=True)
class TableSource:
    """Where one table of a dataset comes from: a CSV file, or a sheet of a workbook."""

    name: str
    path: Path
    sheet: str | None = None

    @property
    def opener(self) -> TableOpener | None:
        """The opener for the table reader of `read.py`; None means the CSV reader."""
        return None if self.sheet is None else sheet_opener(self.sheet)

    def read(self, reader: Callable[..., T], *args: Any) -> T:
        """Call a table reader of `read.py` on this source; errors name the sheet too."""
        opener = self.opener
        try:
            if opener is None:
                return reader(self.path, *args)
            return reader(self.path, *args, opener=opener)
        except DatasetError as exc:
            problems = getattr(exc, "problems", [exc])
            if self.sheet is None or all(e.sheet is not None for e in problems):
                raise
            named = [e if e.sheet is not None else DatasetError(e.path, e.message, e.row, e.column, sheet=self.sheet)
                     for e in problems]
            raise (named[0] if len(named) == 1 else DatasetErrors(named)) from None

    def __str__(self) -> str:
        return str(self.path) if self.sheet is None else f"{self.path} [{self.sheet}]"


def workbooks(folder: Path) -> list[Path]:
    """The `.xlsx` workbooks in a folder, by name; Excel's `~$` lock files and hidden files skipped."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() == WORKBOOK_SUFFIX and not p.name.startswith(("~$", ".")) and p.is_file()
    )


def table_sources(folder: Path, tables: tuple[str, ...]) -> dict[str, TableSource]:
    """Find each table of a dataset folder as `<table>.csv` or as a sheet of an `.xlsx` workbook.

    Args:
        folder: the dataset folder.
        tables: the table names the dataset knows, in order.

    Returns:
        table name → source, for the tables present.

    Raises:
        DatasetError: a table given twice, an unknown sheet, or an unreadable workbook.
    """
    found: dict[str, TableSource] = {}
    for name in tables:
        csv_path = folder / f"{name}.csv"
        refuse_outside(folder, csv_path)
        if csv_path.is_file():
            found[name] = TableSource(name, csv_path)
        elif csv_path.exists():  # a folder, a FIFO (reading it would block), a device
            raise DatasetError(csv_path, "not a regular file")
    old_books = (p for p in folder.iterdir() if p.suffix.lower() == ".xls" and not p.name.startswith(("~$", ".")))
    for old in sorted(old_books):
        # Never skipped in silence: its tables would be reported missing while the user sees them in Excel.
        raise DatasetError(old, "an old Excel 97-2003 workbook (.xls); save it as .xlsx")
    for book in workbooks(folder):
        if looks_like_cpr(book.name):
            raise DatasetError(folder, "a workbook's file name looks like a CPR number; rename it (name not shown)")
        refuse_outside(folder, book)
        for index, sheet in enumerate(sheet_names(book), start=1):
            if looks_like_cpr(sheet):
                raise DatasetError(
                    book, f"sheet {index}: the name looks like a CPR number; rename the sheet (name not shown)"
                )
            key = sheet.strip().lower()
            if key.startswith("_"):
                continue
            if key not in tables:
                if sheet_is_empty(book, sheet):  # Excel's default `Ark1`/`Sheet1` left empty
                    continue
                raise DatasetError(
                    book,
                    f"unknown sheet '{_show(sheet)}' (expected: {', '.join(tables)}; "
                    "sheets whose names start with _ are skipped)",
                )
            here = TableSource(key, book, sheet)
            if key in found:
                raise DatasetError(
                    book, f"table {key} is also given in {found[key]}; keep only one of them", sheet=sheet
                )
            found[key] = here
    return found


def refuse_outside(folder: Path, path: Path) -> None:
    """Refuse a dataset file that is a symbolic link leading out of the dataset folder.

    Such a link can make the reader show another file's content in an error; a link within the folder
    is fine. The target is not named.

    Raises:
        DatasetError: one line naming the file.
    """
    if not path.is_symlink():
        return
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop of links, or a link to nothing: a table given but missing
        raise DatasetError(path, "a symbolic link that leads to no file") from None
    if not target.is_relative_to(folder.resolve()):
        raise DatasetError(
            path, "a symbolic link to a file outside the dataset folder; copy the file into the folder"
        )


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook, in order."""
    wb = open_workbook(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def sheet_is_empty(path: Path, sheet: str) -> bool:
    """Whether a sheet holds no value at all (no cells, or only empty ones)."""
    try:
        _SheetRows(path, sheet).close()
    except DatasetError as exc:
        return exc.message == _EMPTY_SHEET
    return False


def open_workbook(path: Path) -> Workbook:
    """Open a workbook read-only with cached formula values, refusing encrypted, damaged or bomb files.

    Raises:
        DatasetError: one line naming the file.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise DatasetError(path, f"cannot read file ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise DatasetError(path, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if magic.startswith(_OLE_MAGIC):
        raise DatasetError(
            path, "password-protected workbook or old .xls format; remove the password and save as .xlsx"
        )
    if not magic.startswith(_ZIP_MAGIC):
        raise DatasetError(path, "not an .xlsx workbook (damaged, or another format renamed)")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DatasetError(path, f"damaged workbook ({_reason(exc)})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DatasetError(path, f"workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB")
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=True)
    except ProcurekitError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files; all mean the same to a user
        reason = _reason(exc)
    # The failed reader's open file sits in a reference cycle: closed now, not whenever the collector runs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    raise DatasetError(path, f"damaged workbook ({reason})") from None


def _reason(exc: BaseException) -> str:
    # A damaged file's parser quotes the file's content ('could not convert string to float: ...'):
    # quoted parts are not echoed, nor is a message that could still hold a CPR number.
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = _QUOTED.sub(NOT_SHOWN, text)
    return f"{type(exc).__name__}: {_show(text, 80)}" if text else type(exc).__name__


def _show(text: str, width: int = 40) -> str:
    return shown(text, width)


# --- reading one sheet ------------------------------------------------------------------------


class _NoValue:
    """A formula cell without a saved value."""


_NO_VALUE = _NoValue()


class _MalformedCell(Exception):
    """A cell whose value does not fit its declared type; `where` is its reference (B3) if given."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _sheet_parser(wb: Workbook, sheet: str, source: Any = None) -> tuple[Any, Any]:
    """openpyxl's streaming sheet parser for `sheet`, and the XML source it reads (to close).

    The one place that uses openpyxl's private internals (`worksheet._reader.WorkSheetParser`,
    `ws._get_source`, `ws._shared_strings`, `wb._date_formats`, `wb._timedelta_formats`): the public
    read-only `iter_rows` gives None both for an empty cell and for a formula without a saved value,
    and the second must be refused, not read as empty. pyproject.toml bounds openpyxl below 3.2;
    check these names on an upgrade. `source` replaces the sheet's XML (the fast reader's check).
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser  # type: ignore[import-untyped]

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's sheet parser, telling a formula without a saved value from an empty cell."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            try:
                cell: dict[str, Any] = super().parse_cell(element)
            except (ValueError, TypeError):  # e.g. a number cell holding text: its value is not echoed
                raise _MalformedCell(element.get("r") or "") from None
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = _NO_VALUE
            return cell

    ws = wb[sheet]
    if source is None:
        source = ws._get_source()
    try:
        parser = Parser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
    except BaseException:
        source.close()
        raise
    return parser, source


def _fast_rows(path: Path, sheet: str) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The sheet's header and rows by the fast reader (`dataset/sheet_xml.py`), or None where only
    openpyxl's reading is sure to be exact (the caller then reads it with `_SheetRows`)."""
    from procurekit.dataset import sheet_xml

    wb = open_workbook(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ws = wb[sheet]
            source = ws._get_source()
            try:
                xml = source.read(sheet_xml.MAX_XML_BYTES + 1)
            finally:
                source.close()
            styles = sheet_xml.SheetStyles(
                ws._shared_strings, frozenset(wb._date_formats), frozenset(wb._timedelta_formats), wb.epoch
            )
            rules = sheet_xml.Rules(MAX_ROWS, MAX_COLUMNS, MAX_CELLS, cell_text, _EXCEL_ERRORS, _MONTH_COLUMNS)
            return sheet_xml.read_sheet(xml, styles, rules, lambda rest: _rest_is_clean(wb, sheet, rest))
    except Exception:  # whatever went wrong, openpyxl's path meets it again and words it
        return None
    finally:
        wb.close()


def _rest_is_clean(wb: Workbook, sheet: str, xml: bytes) -> bool:
    """Whether openpyxl's sheet parser reads `xml` (a sheet without its rows) without a problem or a row."""
    parser, source = _sheet_parser(wb, sheet, io.BytesIO(xml))
    try:
        for _ in parser.parse():
            return False
    except Exception:
        return False
    finally:
        source.close()
    return True


def sheet_opener(sheet: str) -> TableOpener:
    """A `TableOpener` for one sheet of a workbook (the path given to it is the workbook)."""

    def open_sheet(path: Path) -> tuple[list[str], RawRows, bool]:
        fast = _fast_rows(path, sheet)
        if fast is not None:
            return fast[0], iter(fast[1]), False
        rows = _SheetRows(path, sheet)
        return rows.header, rows, False

    return open_sheet


class _SheetRows:
    """Iterates a sheet's data rows as (row number, cells as text); owns the open workbook.

    The workbook is closed when the rows run out, on an error, or when the reader drops the iterator
    early (CPython frees it at once), so no file handle outlives the read.
    """

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = path, sheet
        self._source: Any = None
        self._wb: Workbook | None = None
        self._wb = open_workbook(path)
        try:
            parser, self._source = _sheet_parser(self._wb, sheet)
            self._raw = self._parse(parser)
            self.header = self._read_header()
            self._rows = self._data_rows()
        except BaseException:
            self.close()
            raise

    def error(self, message: str, row: int | None = None, column: str | None = None) -> DatasetError:
        """A DatasetError naming this workbook and sheet."""
        return DatasetError(self.path, message, row, column, sheet=self.sheet)

    def __iter__(self) -> _SheetRows:
        return self

    def __next__(self) -> tuple[int, list[str] | DatasetError]:
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the sheet and the workbook (idempotent)."""
        if self._source is not None:
            self._source.close()
            self._source = None
        if self._wb is not None:
            self._wb.close()
            self._wb = None

    def __del__(self) -> None:
        self.close()

    def _parse(self, parser: Any) -> Iterator[tuple[int, list[tuple[int, Any, str]]]]:
        parsed = parser.parse()
        while True:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    batch = list(itertools.islice(parsed, _BATCH))
                except _MalformedCell as exc:
                    raise self._malformed(exc.where) from None
                except Exception as exc:  # malformed sheet XML, in whatever form openpyxl reports it
                    raise self.error(f"damaged sheet ({_reason(exc)})") from None
            if not batch:
                return
            for number, cells in batch:
                yield number, [(c["column"], c["value"], c["data_type"]) for c in cells]

    def _malformed(self, where: str) -> DatasetError:
        message = "malformed cell: its value does not fit the cell's type (value not shown)"
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string  # type: ignore[import-untyped]

        try:
            letter, row = coordinate_from_string(where)
            index = column_index_from_string(letter)
        except ValueError:
            return self.error(message)
        header = getattr(self, "header", [])
        return self.error(message, row, header[index - 1] if row > 1 and index <= len(header) else str(index))

    def _read_header(self) -> list[str]:
        for number, cells in self._raw:
            if any(not _blank(v) for _, v, _ in cells):
                if number != 1:
                    raise self.error(f"the header must be in row 1 (the first values are in row {number})")
                header = [self._text(v, t, "", 1, str(col)) for col, v, t in self._dense(cells, 1)]
                while header and header[-1] == "":
                    header.pop()
                return header
        raise self.error(_EMPTY_SHEET)

    def _data_rows(self) -> Iterator[tuple[int, list[str] | DatasetError]]:
        header, width, cells_read = self.header, len(self.header), 0
        for number, cells in self._raw:
            if number > MAX_ROWS:
                raise self.error(f"sheet has more than {MAX_ROWS:,} rows", number)
            dense = self._dense(cells, number)
            if dense and isinstance(dense[0][1], str) and dense[0][1].lstrip().startswith("#"):
                self._refuse_cpr(dense, number)  # a comment row is not read, but a CPR number in it is refused
                continue
            cells_read += len(dense)
            if cells_read > MAX_CELLS:
                raise self.error(f"sheet has more than {MAX_CELLS:,} cells", number)
            try:
                values = [
                    self._text(v, t, header[i] if i < width else "", number, header[i] if i < width else str(col))
                    for i, (col, v, t) in enumerate(dense)
                ]
            except DatasetError as exc:  # a cell that holds no value (an Excel error): this row's problem
                if problem_limit() == 1:
                    raise  # the first problem stops the reading (read_dataset)
                yield number, exc
                continue
            if values:
                values += [""] * (width - len(values))
            yield number, values

    def _refuse_cpr(self, dense: list[tuple[int, Any, str]], row: int) -> None:
        for col, value, kind in dense:
            try:
                text = cell_text(value, kind)
            except ValueError:  # an error value or a formula without a value: nothing to look at
                continue
            if looks_like_cpr(text):
                where = self.header[col - 1] if col <= len(self.header) else str(col)
                raise self.error("looks like a CPR number; use a pseudonym (value not shown)", row, where)

    def _dense(self, cells: list[tuple[int, Any, str]], row: int) -> list[tuple[int, Any, str]]:
        """A row's cells from column 1 to its last non-empty cell, gaps filled with empty cells."""
        last = 0
        for col, value, _ in cells:
            if not _blank(value):
                last = max(last, col)
        if last > MAX_COLUMNS:
            raise self.error(f"row has a value in column {last}; at most {MAX_COLUMNS} columns are read", row)
        out: list[tuple[int, Any, str]] = [(i + 1, None, "n") for i in range(last)]
        for col, value, kind in cells:
            if col <= last:
                out[col - 1] = (col, value, kind)
        return out

    def _text(self, value: Any, kind: str, column: str, row: int, where: str) -> str:
        try:
            return cell_text(value, kind, column)
        except ValueError as exc:
            raise self.error(str(exc), row, where) from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any, kind: str = "n", column: str = "") -> str:
    """One cell's value as the string the CSV parsers expect.

    Raises:
        ValueError: a formula without a saved value, or an Excel error value.
    """
    if value is None:
        return ""
    if value is _NO_VALUE:
        raise ValueError("formula without a saved value; open the workbook in Excel and save it")
    if kind == "e" or (isinstance(value, str) and value.strip() in _EXCEL_ERRORS):
        raise ValueError(f"the cell holds the Excel error {_show(str(value))}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if column in _MONTH_COLUMNS and value.day == 1 and value.time() == dt.time():
            return value.strftime("%Y-%m")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        if column in _MONTH_COLUMNS and value.day == 1:
            return value.strftime("%Y-%m")
        return value.isoformat()
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    if isinstance(value, int):
        return _whole(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e18:
            return _whole(int(value))
        return _fraction(value)
    return str(value)


def _whole(value: int) -> str:
    # A CPR number typed into a number cell loses its leading zero (0103851234 → 103851234); pad it
    # back so the CPR check refuses it instead of letting it through as a nine-digit number.
    if 100_000_000 <= value <= 999_999_999:
        return f"{value:010d}" if _looks_like_cpr(f"{value:010d}") else str(value)
    return str(value)


def _fraction(value: float) -> str:
    # 010190,1234 typed into a number cell becomes 10190.1234 (leading zero and a trailing zero of the
    # four last digits may go): padded back to DDMMYY.XXXX when that is CPR-shaped, so it is refused.
    text = repr(value)
    whole, _, decimals = text.partition(".")
    if whole.isdigit() and len(whole) in (5, 6) and decimals.isdigit() and len(decimals) in (3, 4):
        padded = f"{value:011.4f}"
        if _looks_like_cpr(padded):
            return padded
    return text


def _looks_like_cpr(text: str) -> bool:
    return looks_like_cpr(text)
