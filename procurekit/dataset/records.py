"""A table's records: its header and the raw cells of every data row, as the csv module would give them.

A clean CSV file (no `"`, no `\\r` but in `\\r\\n`, no field over the csv module's limit) is split by
polars' multi-threaded reader; each record is then checked against its line (its fields joined must be
exactly as long), so a record of another field count is never taken as well-formed. Any other file, and
every workbook sheet, is split by the row reader (`dataset/rows.py`, `dataset/excel.py`) and its records
collected into the same frame. `tests/test_frames.py` holds the two side by side on hostile files.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from procurekit.dataset.rows import MAX_FIELD, csv_rows, delimiter_of, read_bytes, read_text
from procurekit.dataset.schema import RawRows
from procurekit.errors import DatasetError

_BOM = b"\xef\xbb\xbf"
_BLANK = re.compile(rb"[\t\n\x0b\x0c\r\x1c-\x1f ]*")  # ASCII text Python's str.strip() empties
_BLOCK = 1 << 23
#: Data (bytes) up to which lines are found in plain Python.
_SMALL = 1 << 16


@dataclass
class Records:
    """A table's raw records: the header cells, and a frame of raw cells.

    `frame` has one String column `c0` … per header cell and `row` (the row number a spreadsheet shows).
    `ragged` holds the cells of every record the frame does not hold as they are (another field count
    than the header's: padded or cut in the frame): those rows go to the row reader. `error` is the
    reader's problem after the last record (malformed CSV), raised only when every record before it is
    valid, as the row reader would.
    """

    header: list[str]
    frame: pl.DataFrame
    decimal_comma: bool
    ragged: dict[int, list[str]] = field(default_factory=dict)
    error: DatasetError | None = None
    #: Rows that could not be read into cells (a workbook cell holding an Excel error), with their problem.
    problems: dict[int, DatasetError] = field(default_factory=dict)
    #: Stacked records (`stacked_records`): the numbers of their files, in order (`frame` has `file`).
    files: tuple[int, ...] = ()

    def cells(self, index: int) -> list[str]:
        """The raw cells of the record at `index` of the frame."""
        row = int(self.frame["row"][index])
        if row in self.ragged:
            return self.ragged[row]
        return [self.frame[f"c{i}"][index] for i in range(len(self.header))]


def csv_records(path: Path) -> Records:
    """The records of a CSV file: split by polars when that gives what the csv module gives, else by it."""
    raw = read_bytes(path)
    data = raw[len(_BOM):] if raw.startswith(_BOM) else raw
    if data.isascii() and b"\x00" not in data and not _BLANK.fullmatch(data):
        fast = _polars_records(data)  # ASCII: what every accepted encoding reads the same
        if fast is not None:
            return fast
    text = read_text(path, raw)
    if not data.isascii():
        fast = _polars_records(text.encode("utf-8"))
        if fast is not None:
            return fast
    header, rows, decimal_comma = csv_rows(path, text)
    return collect_records(header, rows, decimal_comma)


def stacked_records(files: Mapping[int, Path]) -> list[Records]:
    """The records of several CSV files (numbered by the caller), stacked: each `Records` holds files
    with the same header, their records in file order, with `file` (the number) and each its own `row`.

    Clean files (ASCII, no `"`, no `\\r` but in `\\r\\n`, ending in a line end) with the very same header
    line are split by polars at once (one query for them all); any other file by `csv_records`. A file
    read with a record of another field count, a cell its reader could not read or a malformed end is
    left out (its reading alone reports it), as is a file that cannot be read at all.
    """
    alike: dict[bytes, list[tuple[int, bytes]]] = {}
    alone: list[tuple[int, Path]] = []
    for number, path in files.items():
        try:
            raw = read_bytes(path)
        except DatasetError:
            continue
        data = raw[len(_BOM):] if raw.startswith(_BOM) else raw
        end = data.find(b"\n")
        if (end > 0 and data.endswith(b"\n") and data.isascii() and b"\x00" not in data and b'"' not in data
                and data.count(b"\r") == data.count(b"\r\n") and not _BLANK.fullmatch(data)):
            alike.setdefault(data[:end], []).append((number, data[end + 1:]))
        else:
            alone.append((number, path))
    out: list[Records] = []
    for header_line, group in alike.items():
        together = _polars_records(header_line + b"\n" + b"".join(body for _, body in group))
        if together is None or together.ragged:
            alone.extend((n, files[n]) for n, _ in group)
            continue
        counts = [body.count(b"\n") for _, body in group]
        spans = pl.DataFrame({
            "file": pl.Series([n for n, _ in group], dtype=pl.Int32), "count": pl.Series(counts, dtype=pl.Int64),
            "before": pl.Series(list(itertools.accumulate(counts, initial=0))[:-1], dtype=pl.Int64),
        }).select(pl.col("file", "before").repeat_by("count").explode())  # one row a record
        frame = together.frame.with_columns(spans["file"], pl.col("row") - spans["before"])
        out.append(Records(together.header, frame, together.decimal_comma, files=tuple(n for n, _ in group)))
    for number, path in sorted(alone):
        try:
            records = csv_records(path)
        except DatasetError:
            continue
        if not (records.ragged or records.problems or records.error is not None):
            records.frame = records.frame.with_columns(file=pl.lit(number, pl.Int32))
            records.files = (number,)
            out.append(records)
    return out


def by_file(frame: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """The rows of each file of a stacked frame (`file`; a file's rows are consecutive), as slices, without
    `file`; a file of no rows is not there."""
    runs = frame["file"].rle().struct.unnest()
    rows = frame.drop("file")
    out: dict[int, pl.DataFrame] = {}
    start = 0
    for length, number in runs.iter_rows():
        out[number] = rows.slice(start, length)
        start += length
    return out


def collect_records(header: list[str], data: RawRows, decimal_comma: bool) -> Records:
    """Records from a row reader (the csv module, a workbook sheet), keeping its error for later."""
    width = len(header)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    ragged: dict[int, list[str]] = {}
    error = None
    problems: dict[int, DatasetError] = {}
    try:
        for row, cells in data:
            numbers.append(row)
            if isinstance(cells, DatasetError):  # the row's problem, reported in its turn (frames._reread)
                problems[row] = cells
                cells = [""] * width
            elif len(cells) != width:
                ragged[row] = cells
                cells = (cells + [""] * width)[:width]
            for column, cell in zip(columns, cells, strict=True):
                column.append(cell)
    except DatasetError as exc:
        error = exc
    frame = pl.DataFrame(
        [pl.Series(f"c{i}", c, dtype=pl.String) for i, c in enumerate(columns)]
        + [pl.Series("row", numbers, dtype=pl.Int64)]
    )
    return Records(header, frame, decimal_comma, ragged, error, problems)


def _lines(data: bytes, start: int, small: int = _SMALL) -> tuple[Any, Any]:
    """Where each data line starts, and its length without its line end (`\n`, or `\r\n`); a last line
    without line end counts. Two numpy arrays for a large file (no list of a million lines); two lists for
    a small one, which then never imports numpy (0.1 s of a small check)."""
    if len(data) - start <= small:
        lines = data[start:].split(b"\n")
        if start >= len(data) or data.endswith(b"\n"):
            lines.pop()  # after the last line end
        starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=start))[: len(lines)]
        return starts, [len(line) - line.endswith(b"\r") for line in lines]
    import numpy as np

    found = []
    view = np.frombuffer(data, dtype=np.uint8)
    for block in range(start, len(data), _BLOCK):  # in blocks: a mask of the whole file would double it
        found.append(np.flatnonzero(view[block : block + _BLOCK] == 10) + block)
    ends = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    if start < len(data) and not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    begins = np.concatenate(([start], ends[:-1] + 1)).astype(np.int64)[: len(ends)]
    returns = (ends > begins) & (view[np.maximum(ends - 1, 0)] == 13)  # a \r before the \n is no content
    return begins, ends - begins - returns


def _polars_records(data: bytes) -> Records | None:
    """The records of CSV text (UTF-8 bytes, no BOM) as polars splits them, or None where that could differ
    from what the csv module reads.

    Each record polars gives is checked against its line: its fields joined by the delimiter must be
    exactly as long as the line. A record of another field count fails that (polars pads a short one,
    and cuts a trailing empty field off a last line without line end), so its cells are taken from its
    line, and the row reader reports it.
    """
    if b'"' in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    end = data.find(b"\n")
    start = len(data) if end < 0 else end + 1
    header_line = data[: start - 1 if end >= 0 else len(data)].decode("utf-8")
    delimiter = delimiter_of(header_line)
    header_line = header_line.removesuffix("\r")
    header = header_line.split(delimiter) if header_line else []
    width = len(header)
    if not width or len(header_line) > MAX_FIELD:
        return None
    starts, lengths = _lines(data, start)
    try:  # the header line is read again only to be skipped (the file's own bytes: no copy of them)
        frame = pl.read_csv(
            data, has_header=True, new_columns=[f"c{i}" for i in range(width)], separator=delimiter,
            quote_char=None, infer_schema=False, empty_string_is_null=False, truncate_ragged_lines=False,
            raise_if_empty=False, row_index_name="row", row_index_offset=2,
        )
    except Exception:  # a record with more fields, or anything polars reads otherwise: the csv module
        return None
    # Its chunks (one per parsing thread) are kept: a column added in one chunk would make polars copy all.
    if frame.height != len(starts) or frame.width != width + 1:
        return None
    if frame.height and max(frame.select(pl.exclude("row").str.len_bytes().max()).row(0)) > MAX_FIELD:
        return None
    frame = frame.with_columns(pl.col("row").cast(pl.Int64))
    return Records(header, frame, delimiter == ";", _ragged(data, starts, lengths, frame, delimiter))


def _ragged(
    data: bytes, starts: Sequence[int], lengths: Sequence[int], frame: pl.DataFrame, delimiter: str
) -> dict[int, list[str]]:
    """The cells of each record whose line is not its fields joined (another field count)."""
    width = frame.width - 1
    joined = frame.select(pl.sum_horizontal(pl.exclude("row").str.len_bytes().cast(pl.Int64)) + (width - 1))
    wrong = (joined.to_series() != pl.Series(lengths, dtype=pl.Int64)).arg_true().to_list()
    lines = {i: data[starts[i] : starts[i] + lengths[i]].decode("utf-8") for i in wrong}
    return {i + 2: (line.split(delimiter) if line else []) for i, line in lines.items()}
