"""Columnar reading: each table of a dataset read into typed polars columns and validated column-wise.

Why polars: one dependency gives a multi-threaded CSV reader, string and regex kernels to validate
millions of cells at once, typed columns (exact 38-digit decimals, dates) and the lazy expressions the
later steps (facts, evaluation) compute with.

How it stays exactly the reader users know (`dataset/rows.py`, one row at a time):

- Records (`dataset/records.py`): a clean CSV file is split by polars into exactly the records Python's
  csv module gives; any other file, and every workbook sheet, is split by the row reader and only
  validated here.
- Cells. Each column kind has a strict *fast form* (`2017-01-31`, `160.5`, `ja`, a pseudonym …) that
  polars reads to the very value the row parser gives. A row with a cell outside its fast form, a cell
  that could look like a CPR number (`cpr_candidates`), a wrong field count, or a failing table check
  (duplicate, unknown participant, dates out of order …, computed column-wise) is *suspect*. Suspect
  rows are re-read in row order by the row reader with the state it would have had (the first row of
  each key), so the first bad row raises the very message it always did; a suspect row that passes
  (a number spelt `1e3`, a date `١٢-٠١-٢٠١٧`) is read by the row parser and patched in.
- Numbers are `pl.Decimal(38, scale)`, the scale being the most decimals the column holds. A cell's own
  spelling of its value (`4.10`, `1E+3`) is kept beside the frame (`ColumnDigits`), so the row tuples of
  `Dataset` hold exactly the decimals they always did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import polars as pl

from procurekit.dataset.records import Records, by_file, collect_records, csv_records, stacked_records
from procurekit.dataset.rows import (
    Cells,
    cell_parsers,
    check_header,
    check_hours,
    check_participant,
    check_supplier,
    check_turnover,
    parse_row,
)
from procurekit.dataset.schema import (
    FALSE_WORDS,
    HOURS_COLUMNS,
    NUMBER,
    PARTICIPANT_COLUMNS,
    SUPPLIER_COLUMNS,
    TRUE_WORDS,
    TURNOVER_COLUMNS,
    Choice,
    TableOpener,
    decimals,
    parse_bool,
    parse_count,
    parse_date,
    parse_month,
    parse_opt_date,
    parse_pid,
    parse_year,
    problem_limit,
)
from procurekit.errors import DatasetError, DatasetErrors

#: Exactly the characters Python's `str.strip()` removes (`test_frames` checks it against `str.isspace`).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The CPR detector's pattern (`privacy._CPR`) without its look-arounds, over ASCII: it matches every
# ASCII text the detector matches, and some more. Its separators are `privacy._SEP` on ASCII text.
_SEP = r"[-.,_/\\\t\n\x0b\x0c\r\x1c-\x1f ]*"
_CPR_ASCII = (
    rf"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01]){_SEP}(?:0[1-9]|1[0-2]){_SEP}[0-9]{{2}}{_SEP}[0-9]{{4}}"
)
_ISO_DATE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_DAY_FIRST = r"^[0-9]{1,2}-[0-9]{1,2}-[1-9][0-9]{3}$|^[0-9]{1,2}\.[0-9]{1,2}\.[1-9][0-9]{3}$"
_NUMBER = r"^[0-9]{1,9}(?:\.[0-9]{1,28})?$"  # below 1e9, at most MAX_DECIMALS decimals
_BOOL_WORDS = sorted(TRUE_WORDS | FALSE_WORDS)
_PRECISION = 38  # digits of a polars decimal


def cpr_candidates(cells: pl.Expr) -> pl.Expr:
    """True for every cell `privacy.looks_like_cpr` may call CPR-like (and some more); False only for cells
    it certainly does not: ASCII text without the detector's shape. Non-ASCII text is always a candidate
    (its spelling is canonicalised first)."""
    return cells.str.contains(r"[^\x00-\x7f]|" + _CPR_ASCII)


# --- the fast form of each column kind ------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """A column kind: its polars type, which stripped cells are in the fast form, and their values.

    `accept` and `value` get the stripped cell and whether the file writes decimal commas; `value` also
    the column's decimal scale. `cpr`: whether a cell in the fast form can still look like a CPR number
    (dates, months, years, codes and counts in their fast forms hold at most eight digits; a CPR number
    has ten).
    """

    dtype: Callable[[int], pl.DataType]
    accept: Callable[[pl.Expr, bool], pl.Expr]
    value: Callable[[pl.Expr, bool, int], pl.Expr]
    cpr: bool = False


def _number_text(v: pl.Expr, decimal_comma: bool) -> pl.Expr:
    return v.str.replace_all(",", ".", literal=True) if decimal_comma else v


def _places(v: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """The decimals a number cell in the fast form is written with."""
    text = _number_text(v, decimal_comma)
    point = text.str.find(".", literal=True)
    return pl.when(point.is_null()).then(0).otherwise(text.str.len_bytes() - point - 1).cast(pl.Int16)


def _date(v: pl.Expr) -> pl.Expr:
    """`YYYY-MM-DD`, `D-M-YYYY` or `D.M.YYYY` (year 1000 or later) as a date; null for anything else."""
    parts = v.str.replace_all(".", "-", literal=True).str.split_exact("-", 2)
    day_first = pl.concat_str(
        [parts.struct.field("field_2"), parts.struct.field("field_1").str.zfill(2),
         parts.struct.field("field_0").str.zfill(2)],
        separator="-",
    )
    return (
        pl.when(v.str.contains(_ISO_DATE)).then(v.str.to_date("%Y-%m-%d", strict=False))
        .when(v.str.contains(_DAY_FIRST)).then(day_first.str.to_date("%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def _text(pattern: str, cpr: bool = False) -> _Kind:
    return _Kind(lambda _: pl.String(), lambda v, _: v.str.contains(pattern), lambda v, _, __: v, cpr)


def _choice(options: Sequence[str]) -> _Kind:
    return _Kind(
        lambda _: pl.String(),
        lambda v, _: v.is_in(list(options)) | (v == ""),
        lambda v, _, __: pl.when(v == "").then(None).otherwise(v),
    )


_BOOL = _Kind(
    lambda _: pl.Boolean(),
    lambda v, _: (v.str.to_lowercase().is_in(_BOOL_WORDS) & v.str.contains("^[A-Za-z]+$")) | (v == ""),
    lambda v, _, __: pl.when(v == "").then(None).otherwise(v.str.to_lowercase().is_in(sorted(TRUE_WORDS))),
)
_COUNT = _Kind(
    lambda _: pl.Int64(),
    lambda v, _: v.str.contains("^[0-9]{1,8}$") & (v.cast(pl.Int64, strict=False) <= 10_000_000),
    lambda v, _, __: v.cast(pl.Int64, strict=False),
)
_NUMBER_KIND = _Kind(
    lambda scale: pl.Decimal(_PRECISION, scale),
    lambda v, dc: _number_text(v, dc).str.contains(_NUMBER),
    lambda v, dc, scale: _number_text(v, dc).cast(pl.Decimal(_PRECISION, scale), strict=False),
    cpr=True,
)
_DATE = _Kind(lambda _: pl.Date(), lambda v, _: _date(v).is_not_null(), lambda v, _, __: _date(v))
_OPT_DATE = _Kind(
    lambda _: pl.Date(), lambda v, _: _date(v).is_not_null() | (v == ""), lambda v, _, __: _date(v)
)
_KINDS: dict[Callable[[str], Any], _Kind] = {
    parse_pid: _text("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", cpr=True),
    parse_month: _text("^[0-9]{4}-(?:0[1-9]|1[0-2])$"),
    parse_year: _text("^[0-9]{4}$"),
    parse_bool: _BOOL,
    parse_count: _COUNT,
    NUMBER: _NUMBER_KIND,
    parse_date: _DATE,
    parse_opt_date: _OPT_DATE,
}


def kind_of(parser: Callable[[str], Any]) -> _Kind:
    """The column kind of a schema parser."""
    if isinstance(parser, Choice):
        return _choice(parser.options)
    return _KINDS[parser]


# --- the tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnDigits:
    """How a number column's cells spell their values, where the frame's common scale does not tell:
    `exponents` (per frame row; null for a cell read by the row parser) and `exact` (row → that value)."""

    exponents: pl.Series | None
    exact: dict[int, Decimal]


@dataclass(frozen=True)
class Table:
    """A validated table: its typed frame (the schema's columns and `row`) and its numbers' own digits."""

    frame: pl.DataFrame
    digits: dict[str, ColumnDigits]


#: A table's column-wise checks: (typed frame columns, context, the columns naming a row's file when several
#: files are stacked: `read_stacked`) → True where a row may fail a table check.
Checks = Callable[[pl.DataFrame, Any, list[str]], pl.Expr | pl.Series]


def _after(later: str, earlier: str) -> pl.Expr:
    return pl.col(later).is_not_null() & (pl.col(later) < pl.col(earlier))


def _both_or_neither(a: str, b: str) -> pl.Expr:
    return pl.col(a).is_null() != pl.col(b).is_null()


def _participant_checks(frame: pl.DataFrame, _: Any, by: list[str]) -> pl.Expr:
    return pl.any_horizontal(
        repeated(frame, [*by, "v:participant_id"]),
        pl.col("years_on_benefits") > 100,
        _both_or_neither("left_on", "exit_reason"),
        _after("left_on", "enrolled_on"),
        _both_or_neither("job_offer_on", "job_offer_terms"),
        _after("job_offer_on", "enrolled_on"),
    )


def _month_number(month: pl.Expr) -> pl.Expr:
    """A `YYYY-MM` month as year * 12 + month (ordered as the text is, for four-digit years)."""
    return month.str.slice(0, 4).cast(pl.Int32, strict=False) * 12 + month.str.slice(5, 2).cast(pl.Int32, strict=False)


def courses(participants: pl.DataFrame) -> pl.DataFrame:
    """Each participant's first and last course month (year * 12 + month), and whether a year is below 1000
    (Python's `strftime` writes it with fewer than four digits, and the row check compares text: it decides)."""
    first, last = pl.col("enrolled_on"), pl.col("left_on")
    return participants.select(
        (first.dt.year() * 12 + first.dt.month()).alias("first"),
        (last.dt.year() * 12 + last.dt.month()).alias("last"),
        ((first.dt.year() < 1000) | (last.dt.year() < 1000).fill_null(False)).alias("odd"),
    )


def participant_rows(ids: pl.Series, participants: pl.DataFrame, files: pl.Series | None = None) -> pl.Series:
    """The row in `participants` of each id's participant (null: unknown). Ids are unique there, so one
    contract's are an enumeration (no join of strings); stacked contracts' (`files` naming each id's file,
    `participants` with `file`) are unique within a file only, and are joined on the file and the id."""
    if files is None:
        return ids.cast(pl.Enum(participants["participant_id"]), strict=False).to_physical()
    rows = participants.select("file", "participant_id").with_row_index("row")
    return pl.DataFrame({"file": files, "participant_id": ids}).join(
        rows, on=["file", "participant_id"], how="left", maintain_order="left")["row"]


def _hours_checks(frame: pl.DataFrame, participants: pl.DataFrame, by: list[str]) -> pl.Series:
    # Each row's participant by its index among the participants (null: unknown); computed on Series, so
    # that no column in one chunk joins the frame's chunked ones (a copy of all).
    index = participant_rows(frame["v:participant_id"], participants, frame[by[0]] if by else None)
    course = courses(participants).select(pl.all().gather(index))
    first, last = course["first"], course["last"]
    month = frame.select(_month_number(pl.col("month"))).to_series().rechunk()
    outside = first.is_null() | (month < first) | (last.is_not_null() & (month > last)) | course["odd"]
    # (participant, month) as one number: equal exactly when both cells are (a null is in a suspect row).
    key = pl.DataFrame({"key": index.cast(pl.Int64) * (1 << 20) + month})
    return outside | key.select(repeated(key, ["key"])).to_series()


def _supplier_checks(frame: pl.DataFrame, _: Any, by: list[str]) -> pl.Expr:
    return repeated(frame, [*by, "v:month"]) | (pl.col("target_group_fte") > pl.col("contract_fte"))


def _turnover_checks(frame: pl.DataFrame, years: tuple[str, str], by: list[str]) -> pl.Expr:
    year = pl.col("year")
    return pl.any_horizontal(
        repeated(frame, [*by, "v:year"]),
        (year < years[0]) | (year > years[1]),
        pl.col("reported_on").dt.year() < year.cast(pl.Int32, strict=False),
    )


@dataclass(frozen=True)
class Spec:
    """What a table reader needs: the columns, the required ones, the key of a row, and the checks."""

    columns: Mapping[str, Callable[[str], Any]]
    required: tuple[str, ...]
    key: tuple[str, ...]
    checks: Checks
    check_row: Callable[[Path, int, Cells, Mapping[Any, int], Any], None]
    row_context: Callable[[Any], Any] = lambda context: context
    #: Columns whose cells the checks compare with cells already read and cleared of CPR numbers
    #: (an hours row's participant must be in participants.csv): no CPR test of their own.
    known: frozenset[str] = frozenset()


def _course_map(participants: pl.DataFrame) -> dict[str, tuple[Any, Any]]:
    ids, first, last = (participants[c].to_list() for c in ("participant_id", "enrolled_on", "left_on"))
    return {p: (f, lt) for p, f, lt in zip(ids, first, last, strict=True)}


SPECS: dict[str, Spec] = {
    "participants": Spec(
        PARTICIPANT_COLUMNS,
        ("participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason"),
        ("participant_id",),
        _participant_checks,
        lambda path, row, c, seen, _: check_participant(path, row, c, seen),
    ),
    "hours": Spec(
        HOURS_COLUMNS, tuple(HOURS_COLUMNS), ("participant_id", "month"), _hours_checks,
        check_hours, _course_map, frozenset({"participant_id"}),
    ),
    "supplier": Spec(
        SUPPLIER_COLUMNS, tuple(SUPPLIER_COLUMNS), ("month",), _supplier_checks,
        lambda path, row, c, seen, _: check_supplier(path, row, c, seen),
    ),
    "turnover": Spec(
        TURNOVER_COLUMNS, tuple(TURNOVER_COLUMNS), ("year",), _turnover_checks, check_turnover,
    ),
}


def read_table(path: Path, kind: str, context: Any = None, opener: TableOpener | None = None) -> Table:
    """Read and validate one table of a dataset: a CSV file, or a workbook sheet through `opener`.

    Args:
        path: the CSV file (or the workbook).
        kind: participants, hours, supplier or turnover.
        context: hours: the participants frame; turnover: the contract's (first, last) years as `YYYY`.
        opener: a workbook sheet's opener (`excel.sheet_opener`); None for a CSV file.

    Raises:
        DatasetError: the first problem, exactly as the row reader words it.
    """
    if opener is None:
        records = csv_records(path)
    else:
        header, data, decimal_comma = opener(path)
        records = collect_records(header, data, decimal_comma)
    return _validate(path, records, SPECS[kind], context)


def _cells(records: Records, header: list[str], kinds: dict[str, _Kind], by: list[str]) -> pl.DataFrame:
    """`row` (and `by`), the stripped cells (`v:<column>`) and whether each is in its fast form (`a:<column>`).

    A cell in its fast form has no white space around it, so a column whose raw cells all are in their
    fast forms is not stripped at all (the common, clean file); stripping it would change none of them.
    """
    dc = records.decimal_comma
    raw = records.frame.with_columns(
        kinds[n].accept(pl.col(f"c{i}"), dc).fill_null(False).alias(f"a:{n}") for i, n in enumerate(header)
    )
    clean = raw.select(pl.col(f"a:{n}").all() for n in header).row(0)
    w = raw.select(
        "row", *by,
        *(
            pl.col(f"c{i}").alias(f"v:{n}") if clean[i] else pl.col(f"c{i}").str.strip_chars(WHITESPACE).alias(f"v:{n}")
            for i, n in enumerate(header)
        ),
        *(pl.col(f"a:{n}") for i, n in enumerate(header) if clean[i]),
    )
    return w.with_columns(
        kinds[n].accept(pl.col(f"v:{n}"), dc).fill_null(False).alias(f"a:{n}")
        for i, n in enumerate(header)
        if not clean[i]
    )


def _cpr_rows(w: pl.DataFrame, names: list[str]) -> list[int]:
    """The rows with a cell in its fast form that `cpr_candidates` cannot clear (a CPR number needs ten
    characters at least)."""
    found: list[int] = []
    for name in names:
        v = pl.col(f"v:{name}")
        long = w.select("row", v, pl.col(f"a:{name}")).filter(pl.col(f"a:{name}") & (v.str.len_bytes() >= 10))
        found += long.filter(cpr_candidates(v))["row"].to_list()
    return found


def repeated(w: pl.DataFrame, key: list[str]) -> pl.Expr:
    """True for a row whose key an earlier row holds; cheap when the rows come sorted by their key."""
    columns = [pl.col(k) for k in key]
    later = columns[-1] > columns[-1].shift(1)
    for column in reversed(columns[:-1]):
        later = (column > column.shift(1)) | ((column == column.shift(1)) & later)
    if w.height < 2 or w.select(later.slice(1).all(ignore_nulls=False)).item():
        return columns[0].is_null() & False  # no repeat, one flag a row
    return ~(pl.struct(*columns) if len(columns) > 1 else columns[0]).is_first_distinct()


def _typed(spec: Spec, kinds: dict[str, _Kind], scales: dict[str, int], decimal_comma: bool) -> list[pl.Expr]:
    """The typed value of each column of the table (null where a cell is not in its fast form or absent)."""
    typed = []
    for name, parser in spec.columns.items():
        kind = kinds.get(name) or kind_of(parser)
        dtype = kind.dtype(scales.get(name, 0))
        if name in kinds:
            value = kind.value(pl.col(f"v:{name}"), decimal_comma, scales.get(name, 0))
            typed.append(pl.when(pl.col(f"a:{name}")).then(value).cast(dtype).alias(name))
        else:
            typed.append(pl.lit(None, dtype).alias(name))
    return typed


def _working_frame(
    records: Records, header: list[str], spec: Spec, context: Any, by: list[str] | None = None
) -> tuple[pl.DataFrame, pl.Series, dict[str, int]]:
    """The records' stripped cells (`v:`), whether each is in its fast form (`a:`), the written decimals of
    numbers (`d:`) and the typed values (named after the columns); and `suspect`, the rows the row reader
    must read. A blank row is one: each table's key has a column no empty cell is the fast form of.
    `by`: the columns naming each record's file, when the records are several files' (`read_stacked`);
    the scales are then the most decimals any of them writes."""
    by = by or []
    kinds = {name: kind_of(spec.columns[name]) for name in header}
    numbers = [n for n in header if kinds[n] is _NUMBER_KIND]
    w = _cells(records, header, kinds, by)
    scales: dict[str, int] = {}
    if numbers:
        w = w.with_columns(_places(pl.col(f"v:{n}"), records.decimal_comma).alias(f"d:{n}") for n in numbers)
        found = w.select(pl.col(f"d:{n}").filter(pl.col(f"a:{n}")).max() for n in numbers).row(0)
        scales = {n: int(d or 0) for n, d in zip(numbers, found, strict=True)}
    w = w.with_columns(_typed(spec, kinds, scales, records.decimal_comma))
    # A number in its fast form always has a value; should one not (a polars change), its row is re-read.
    lost = [n for n in numbers if w[n].null_count() != w.height - w[f"a:{n}"].sum()]
    cpr = _cpr_rows(w, [n for n in header if kinds[n].cpr and n not in spec.known])
    unread = [*records.ragged, *records.problems]
    odd = pl.any_horizontal(
        pl.col("row").is_in(unread) if unread else pl.lit(False),
        pl.col("row").is_in(cpr) if cpr else pl.lit(False),
        *(~pl.col(f"a:{n}") for n in header),
        *(pl.col(n).is_null() for n in lost),
    )
    bad = spec.checks(w, context, by)
    flags = w.select(odd, *([] if isinstance(bad, pl.Series) else [bad.fill_null(False).alias("bad")]))
    suspect = flags.to_series(0).rechunk()
    suspect = suspect | (bad.fill_null(False) if isinstance(bad, pl.Series) else flags.to_series(1).rechunk())
    return w, suspect, scales


def _first_rows(w: pl.DataFrame, suspects: pl.DataFrame, key: list[str]) -> dict[Any, int]:
    """The first row of each key the suspect rows hold (a blank row's key is empty: no key of a good row)."""
    keys = suspects.select(key).unique()
    firsts = w.join(keys, on=key, how="semi").group_by(key).agg(pl.col("row").min())
    if len(key) == 1:
        return dict(zip(firsts[key[0]].to_list(), firsts["row"].to_list(), strict=True))
    return {tuple(r[:-1]): r[-1] for r in firsts.iter_rows()}


def _reread(
    path: Path, records: Records, header: list[str], spec: Spec, w: pl.DataFrame, suspect: pl.Series, context: Any
) -> tuple[list[Cells], list[DatasetError]]:
    """Read the suspect rows with the row reader, in order, up to `problems_up_to`'s number of bad ones.

    Returns:
        the parsed cells (and `row`) of the suspect rows that are good, blank rows left out; and the
        problems of the bad ones, in row order.
    """
    indices = suspect.arg_true().to_list()
    if not indices:
        return [], []
    parsers = cell_parsers(header, spec.columns, records.decimal_comma)
    key = [f"v:{k}" for k in spec.key]
    firsts = _first_rows(w, w[indices], key)
    row_context = spec.row_context(context)
    numbers = w["row"]
    good: list[Cells] = []
    problems: list[DatasetError] = []
    for index in indices:
        row = int(numbers[index])
        try:
            if row in records.problems:
                raise records.problems[row]
            out = parse_row(path, row, records.cells(index), parsers, spec.columns)
            if out is None:
                continue
            value = out[spec.key[0]] if len(spec.key) == 1 else tuple(out[k] for k in spec.key)
            first = firsts.get(value)
            seen = {value: first} if first is not None and first < row else {}
            spec.check_row(path, row, out, seen, row_context)
        except DatasetError as exc:
            problems.append(exc)
            if len(problems) >= problem_limit():
                break
            continue
        out["row"] = row
        good.append(out)
    return good, problems


def _validate(path: Path, records: Records, spec: Spec, context: Any) -> Table:
    """The table; else its problems: the first one, or (within `problems_up_to`) `DatasetErrors` holding them
    all, in row order (a malformed end of the file last), the first one's as its message."""
    header = check_header(path, records.header, spec.columns, spec.required)
    w, suspect, scales = _working_frame(records, header, spec, context)
    patches, problems = _reread(path, records, header, spec, w, suspect, context)
    if records.error is not None and len(problems) < problem_limit():
        problems.append(records.error)
    if problems:
        raise problems[0] if len(problems) == 1 else DatasetErrors(problems)
    return _assemble(w.filter(~suspect), spec, scales, patches)


def read_stacked(
    kind: str, files: Mapping[int, Path], context: pl.DataFrame | None = None
) -> tuple[dict[int, Table], pl.DataFrame]:
    """Tables of one kind from several datasets (a register), read and validated together: a small file's
    reading is mostly each query's fixed cost, which the files then share.

    Only what a file's reading alone would give without its row reader is taken from here: a file with
    any suspect row, any record its reader had to split by itself (another field count, an unreadable
    cell, a malformed end), or a header that `check_header` refuses is left out, to be read alone (which
    then reports its problems exactly). A file read here is the very table `read_table` gives.

    Args:
        kind: participants, hours or supplier (turnover's check needs each contract's years: read alone).
        files: a number for each file (the caller's, e.g. its dataset's place in the register) → its path.
        context: hours: the participants frame this function returned for the same numbers.

    Returns:
        number → table, for the files read here; and, with `file` (the number), the typed columns of
        their rows (the context of hours).
    """
    spec = SPECS[kind]
    groups: dict[tuple[tuple[str, ...], bool], list[Records]] = {}
    for records in stacked_records(files):
        groups.setdefault((tuple(records.header), records.decimal_comma), []).append(records)
    tables: dict[int, Table] = {}
    typed: list[pl.DataFrame] = []
    for (raw_header, decimal_comma), group in groups.items():
        names = [*(f"c{i}" for i in range(len(raw_header))), "row", "file"]
        stacked = pl.concat([r.frame.select(names) for r in group], rechunk=False)
        numbered = [n for r in group for n in r.files]
        try:
            header = check_header(files[numbered[0]], list(raw_header), spec.columns, spec.required)
        except DatasetError:
            continue  # each file's reading alone says so
        w, suspect, _ = _working_frame(Records(list(raw_header), stacked, decimal_comma), header, spec, context,
                                       ["file"])
        unread = set(w.filter(suspect)["file"].unique().to_list())
        good = w.filter(~pl.col("file").is_in(unread)) if unread else w
        numbers = [n for n in header if kind_of(spec.columns[n]) is _NUMBER_KIND]
        parts = by_file(good)
        for number in numbered:
            if number not in unread:
                part = parts[number] if number in parts else good.clear()  # a file of no rows has no part
                tables[number] = _assemble(part, spec, _scales(part, numbers), [])
        typed.append(good.select("file", *(n for n in ("participant_id", "enrolled_on", "left_on") if n in header)))
    return tables, (pl.concat(typed, how="diagonal_relaxed") if typed else pl.DataFrame())


def _scales(w: pl.DataFrame, numbers: list[str]) -> dict[str, int]:
    """The scale of each number column of a file's rows: the most decimals its cells in the fast form write
    (as `_working_frame` finds them for one file)."""
    return {n: int(w[f"d:{n}"].filter(w[f"a:{n}"]).max() or 0) for n in numbers}  # type: ignore[arg-type]


def _assemble(good: pl.DataFrame, spec: Spec, scales: dict[str, int], patches: list[Cells]) -> Table:
    """The typed frame: the good rows read column-wise, and the re-read rows patched in, in row order."""
    numbers = list(scales)
    for name in numbers:
        scales[name] = max([scales[name], *(decimals(p[name]) for p in patches)])
    columns = [*spec.columns, "row"]
    keep = good.select(
        *(pl.col(n).cast(pl.Decimal(_PRECISION, scales[n])) if n in scales else pl.col(n) for n in columns),
        *((-pl.col(f"d:{n}")).cast(pl.Int16).alias(f"e:{n}") for n in numbers),
    )
    if patches:
        extra = pl.DataFrame(
            [{k: _at_scale(p[k], scales[k]) if k in scales else p[k] for k in columns} for p in patches],
            schema={n: keep.schema[n] for n in columns}, orient="row",
        ).with_columns(pl.lit(None, pl.Int16).alias(f"e:{n}") for n in numbers)
        keep = pl.concat([keep, extra]).sort("row")
    digits: dict[str, ColumnDigits] = {}
    for name in numbers:
        exponents = keep[f"e:{name}"]
        exact = {p["row"]: p[name] for p in patches if p[name] is not None}
        if exact or (exponents != -scales[name]).any():
            digits[name] = ColumnDigits(exponents, exact)
    return Table(keep.select(columns), digits)


_WIDE = Context(prec=2 * _PRECISION)


def _at_scale(value: Decimal | None, scale: int) -> Decimal | None:
    """`value` written with `scale` decimals (exactly: it holds no more), so that polars can take it."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-scale), context=_WIDE)


def decimal_values(table: Table, name: str) -> list[Decimal | None]:
    """A number column's values, each with the digits its cell was written with (`4.10` stays `4.10`)."""
    series = table.frame[name]
    scale = series.dtype.scale if isinstance(series.dtype, pl.Decimal) else 0
    digits = table.digits.get(name)
    exponents = (
        digits.exponents if digits is not None and digits.exponents is not None
        else pl.repeat(-scale, series.len(), dtype=pl.Int16, eager=True)
    )
    # One Decimal per distinct (value, exponent), numbered: hours repeat a few values over millions of rows.
    # A cell's key: its coefficient (or that one's rank, when too large) * 64 + its exponent (-28 to 0) + 32.
    coefficients = series.to_physical()
    largest = coefficients.max()
    small = largest is None or largest < 1 << 56  # type: ignore[operator]
    number = coefficients.cast(pl.Int64) if small else coefficients.rank("dense").cast(pl.Int64)
    cells = pl.DataFrame({"c": coefficients, "e": exponents}).with_columns(key=number * 64 + pl.col("e") + 32)
    distinct = cells.unique("key").select("key", "c", "e").iter_rows()
    made: dict[int | None, Decimal | None] = {
        k: Decimal(f"{c // 10 ** (scale + e)}E{e}") for k, c, e in distinct if k is not None
    }
    made[None] = None
    out = [made[k] for k in cells["key"].to_list()]
    if digits is not None and digits.exact:  # a cell the row parser read keeps its very value
        rows = table.frame["row"].to_list()
        out = [digits.exact.get(r) if v is None else v for r, v in zip(rows, out, strict=True)]
    return out


def column_values(table: Table, name: str) -> list[Any]:
    """A column's values as Python objects (`decimal_values` for numbers); a text repeated over many rows
    is one object (a participant's id on each of its hours rows)."""
    series = table.frame[name]
    if isinstance(series.dtype, pl.Decimal):
        return decimal_values(table, name)
    if series.dtype != pl.String or series.null_count():
        return series.to_list()
    distinct = series.unique(maintain_order=True)
    texts = distinct.to_list()
    return [texts[i] for i in series.cast(pl.Enum(distinct)).to_physical().to_list()]


def table_from_rows(kind: str, rows: list[dict[str, Any]]) -> Table:
    """A table of rows built in code: the typed frame a read table has, numbers with their own digits."""
    columns = [*SPECS[kind].columns, "row"]
    data = [{**r, "row": r.get("row") or i + 2} for i, r in enumerate(rows)]
    schema: dict[str, Any] = {}
    digits: dict[str, ColumnDigits] = {}
    for name, parser in SPECS[kind].columns.items():
        kind_ = kind_of(parser)
        if kind_ is _NUMBER_KIND:
            values = [r.get(name) for r in data]
            scale = max([0, *(decimals(v) for v in values if v is not None)])
            exact = {r["row"]: v for r, v in zip(data, values, strict=True) if v is not None}
            digits[name] = ColumnDigits(pl.Series([None] * len(data), dtype=pl.Int16), exact)
        else:
            scale = 0
        schema[name] = kind_.dtype(scale)
    schema["row"] = pl.Int64()
    scales = {n: d.scale for n, d in schema.items() if isinstance(d, pl.Decimal)}
    frame = pl.DataFrame(
        [{c: _at_scale(r.get(c), scales[c]) if c in scales else r.get(c) for c in columns} for r in data],
        schema=schema, orient="row",
    )
    return Table(frame, digits)
