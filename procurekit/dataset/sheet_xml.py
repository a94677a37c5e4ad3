"""The fast reader of a workbook sheet: its XML cut into tokens by polars' (Rust) regex engine.

openpyxl reads a sheet through Python's XML parser and builds one dict per cell (6 s for 95,000 rows).
This module reads the `<sheetData>` part of the same XML as one string, cut by one regular expression
into tokens of a few exact shapes: a row tag, `</row>`, white space between tags, and a cell that is
empty or holds a number, a shared or inline string, a yes/no, or a formula with its saved value. The
tokens must cover the text to the byte and nest as rows of cells; the rest of the sheet's XML (all but
the rows) goes through openpyxl's own parser, which must find it well-formed and hold no row. Within that
shape every cell means exactly what openpyxl reads, so the values go through the very functions the
openpyxl path uses (`excel.cell_text`, openpyxl's `from_excel`, openpyxl's shared strings and date
styles) and the rows follow its rules (`excel._SheetRows`: a row's number is its `<row r>`, a cell's
column its letters, dense rows up to the last value, repeated cells the last one, comment rows, the
header in row 1).

Anything else returns None, and the caller reads the sheet with openpyxl, which words every problem. So
a sheet read here gives the very rows openpyxl gives, and a sheet openpyxl refuses is never read here:
other XML shapes (attributes in another order, rich text, `t="e"` error cells, `t="d"` ISO dates, a
formula without a saved value, comments, CDATA, a DOCTYPE, a carriage return in text, an undeclared
prefix, an XML declaration other than UTF-8 1.0), and every sheet that openpyxl would refuse or that needs
a message (text such as `#N/A`, a date out of range, a header not in row 1, an empty sheet, the row,
column and cell limits, a CPR number in a comment row). `tests/test_sheet_xml.py` holds the two readers
side by side.

calamine (python-calamine 0.9, fastexcel 0.21) was measured and left out: it trims text saved without
`xml:space="preserve"`, decodes `_x000D_` escapes, places a cell by its own reference where openpyxl uses
its row's, stops reading at `</sheetData>` (so a sheet openpyxl refuses as damaged reads), allocates a
dense grid up to the farthest cell (A1 and XFD1048576: 17 billion cells), and fastexcel turns the cells of
a mixed column into its own text. Keeping it exact takes the very tokenising done here, which then gives
the values as well: calamine would only add its own parse (0.5 s of the 95,000-row sheet).
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import polars as pl

from procurekit.privacy import looks_like_cpr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Every character Python's `str.strip()` removes (`tests/test_sheet_xml.py` checks the list).
PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: Sheet XML (bytes) up to which this reader is used; a larger sheet is streamed by openpyxl.
MAX_XML_BYTES = 256 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"

# Character data as XML 1.0 allows it, with the five entities and character references (checked below);
# no carriage return (the parser would turn it into a line feed), no `]]>`.
_TEXT = (
    r"(?:[^<&\r\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
    r"|&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)"
)
_NUM = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_FORMULA = r'<f(?: t="shared")?(?: ref="[A-Z0-9:$]+")?(?: si="[0-9]+")?(?:/>|>' + _TEXT + r"*</f>)"
_ATTR_VALUE = r'"[^"<&>\r\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]*"'
_TOKEN = (
    r"[ \t\n]+|</row>"
    r'|<row r="[1-9][0-9]{0,6}"(?: [A-Za-z_][A-Za-z0-9_.:-]*=' + _ATTR_VALUE + r")*/?>"
    r'|<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="[0-9]{1,9}")?(?:'
    r'(?: t="(?:n|s|b|inlineStr|str)")?(?:/>|></c>)'
    r'|(?: t="n")?>(?:' + _FORMULA + r")?<v>" + _NUM + r"</v></c>"
    r'|(?: t="n")?><v></v></c>'
    r'| t="s"><v>[0-9]{1,9}</v></c>'
    r'| t="b">(?:' + _FORMULA + r")?<v>[01]</v></c>"
    r'| t="inlineStr"><is><t(?: xml:space="preserve")?>' + _TEXT + r"*</t></is></c>"
    r'| t="str">' + _FORMULA + r"<v>" + _TEXT + r"+</v></c>)"
)
_CHAR_REF = r"&#(?:[0-9]+|x[0-9A-Fa-f]+);"
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ROW_ATTR = re.compile(r' ([^=]+)="[^"]*"')
_DECLARATION = re.compile(
    rb"(?:\xef\xbb\xbf)?<\?xml version=([\"'])1\.0\1(?: encoding=([\"'])(?i:utf-8)\2)?"
    rb"(?: standalone=([\"'])(?:yes|no)\3)? ?\?>"
)
# Token kinds, and cell kinds.
_SPACE, _ROW, _ROW_EMPTY, _ROW_END, _CELL = range(5)
_EMPTY, _NUMBER, _SHARED, _BOOL, _INLINE, _FORMULA_TEXT = range(6)


@dataclass(frozen=True)
class SheetStyles:
    """What openpyxl reads from the workbook for a sheet's cells.

    Attributes:
        strings: the shared strings.
        dates: the cell styles (`s`) whose number format is a date.
        durations: those of them that are a duration (`[h]:mm`).
        epoch: the workbook's day 0 (1900 or 1904 system).
    """

    strings: Sequence[str]
    dates: frozenset[int]
    durations: frozenset[int]
    epoch: dt.datetime


@dataclass(frozen=True)
class Rules:
    """What `excel.py` decides for every sheet (read at each call: tests lower the limits).

    Attributes:
        rows: the row limit.
        columns: the column limit.
        cells: the cell limit.
        cell_text: a cell's value as text (`excel.cell_text`).
        errors: the texts refused as Excel error values.
        months: the column names whose dates on the 1st read as `YYYY-MM`.
    """

    rows: int
    columns: int
    cells: int
    cell_text: Callable[..., str]
    errors: frozenset[str]
    months: frozenset[str]


def read_sheet(
    xml: bytes, styles: SheetStyles, rules: Rules, rest_is_clean: Callable[[bytes], bool]
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header and data rows of a sheet exactly as `excel._SheetRows` reads them, or None.

    Args:
        xml: the sheet's XML.
        styles: the workbook's shared strings, date styles and epoch as openpyxl read them.
        rules: the limits and the cell rules of `excel.py`.
        rest_is_clean: openpyxl's parser run on XML: whether it finds no problem and no row in it.

    Returns:
        (header, [(row number, cells as text), ...]), or None where openpyxl is needed (see module doc).
    """
    body = _body(xml, rest_is_clean)
    if body is None:
        return None
    cells, rows = body
    return _rows(cells, rows, styles, rules)


def _body(xml: bytes, rest_is_clean: Callable[[bytes], bool]) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The cells and rows of `<sheetData>`, when it has the exact shape and the rest is clean XML."""
    if len(xml) > MAX_XML_BYTES or xml.count(b"<sheetData") != 1 or xml.count(_CLOSE) != 1:
        return None
    start, end = xml.find(_OPEN), xml.find(_CLOSE)
    if start < 0 or end < start or b"<!DOCTYPE" in xml[:start] or b"]]>" in xml:
        return None
    if xml.startswith((b"<?", b"\xef\xbb\xbf<?")) and not _DECLARATION.match(xml):
        return None  # another encoding than UTF-8, or another XML version
    rest = xml[:start] + b"<sheetData/>" + xml[end + len(_CLOSE) :]
    if not rest_is_clean(rest):  # first: openpyxl's parser refuses entity declarations
        return None
    prefixes = _prefixes(rest)
    if prefixes is None:
        return None
    fields = []
    for chunk in _chunks(xml, start + len(_OPEN), end):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            return None
        found = _tokens(text, len(chunk))
        if found is None:
            return None
        fields.append(found)
    if not fields:
        return None
    return _structure(pl.concat(fields), prefixes)


def _prefixes(rest: bytes) -> dict[str, str] | None:
    """The namespace prefixes in force at `<sheetData>`, if it is the main namespace's element (and no
    other default namespace applies to the rows)."""
    scope: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    try:
        for event, item in ET.iterparse(BytesIO(rest), events=("start-ns", "start", "end")):
            if event == "start-ns":
                prefix, uri = item
                pending[prefix] = uri
            elif event == "start":
                scope.append(pending)
                pending = {}
                if item.tag.endswith("}sheetData") or item.tag == "sheetData":
                    merged = {k: v for level in scope for k, v in level.items()}
                    if item.tag != f"{{{MAIN_NS}}}sheetData" or scope[-1]:
                        return None
                    return merged
            else:
                scope.pop()
    except ET.ParseError:
        return None
    return None


def _chunks(xml: bytes, start: int, end: int) -> list[bytes]:
    """`xml[start:end]` in pieces of about `_CHUNK` bytes, each ending after a `</row>` (a token end)."""
    pieces = []
    while start < end:
        cut = xml.find(b"</row>", min(start + _CHUNK, end), end)
        stop = end if cut < 0 else cut + len(b"</row>")
        pieces.append(xml[start:stop])
        start = stop
    return pieces


def _tokens(text: str, size: int) -> pl.Series | None:
    """The tokens of `text`, or None when they leave any byte of it uncovered."""
    tokens = pl.Series("tok", [text]).str.extract_all(_TOKEN).explode().drop_nulls()
    if int(tokens.str.len_bytes().sum() or 0) != size:
        return None
    refs = pl.Series([text]).str.extract_all(_CHAR_REF).explode().drop_nulls().unique().to_list()
    if not all(_legal(_ENTITY.fullmatch(r)) for r in refs):
        return None
    return tokens


def _legal(ref: re.Match[str] | None) -> bool:
    """Whether a character reference names a character XML 1.0 allows (else the parser fails)."""
    if ref is None:
        return False
    code = int(ref[2]) if ref[2] else int(ref[3], 16)
    return code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _structure(tokens: pl.Series, prefixes: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """(cells, rows) in document order, if the tokens nest as rows of cells with valid row attributes.

    Every token has one of _TOKEN's shapes, so plain string operations find its parts: the quotes of a
    start tag split off r, s and t (a cell's attributes come in that order), and text holds no "<".
    """
    tok, kind = pl.col("tok"), pl.col("kind")
    two = tok.str.head(2)
    f = tokens.to_frame().lazy().with_columns(
        kind=pl.when(two == "<c").then(_CELL)
        .when(two == "<r").then(pl.when(tok.str.ends_with("/>")).then(_ROW_EMPTY).otherwise(_ROW))
        .when(two == "</").then(_ROW_END)
        .otherwise(_SPACE)
    )
    step = (kind == _ROW).cast(pl.Int32) - (kind == _ROW_END).cast(pl.Int32)
    is_row = kind.is_in([_ROW, _ROW_EMPTY])
    f = f.with_columns(depth=step.cum_sum() - step, idx=is_row.cast(pl.Int32).cum_sum())
    depth = pl.col("depth")
    bad = f.select(
        (is_row & (depth != 0)).any() | (kind.is_in([_CELL, _ROW_END]) & (depth != 1)).any() | (step.sum() != 0)
    )
    number = tok.str.split_exact('"', 2).struct.field("field_1")
    rows = f.filter(is_row).select(
        "idx", number.cast(pl.Int64).alias("number"), tok.str.slice(9 + number.str.len_bytes()).alias("tail")
    )
    q = [pl.col("q").struct.field(f"field_{i}") for i in range(6)]
    t = pl.when(q[2] == " t=").then(q[3]).when((q[2] == " s=") & (q[4] == " t=")).then(q[5])
    cells = (
        f.filter(kind == _CELL).select("idx", "tok", tok.str.split_exact('"', 5).alias("q"))
        .select(
            "idx",
            letters=q[1].str.strip_chars_end("0123456789"),
            s=pl.when(q[2] == " s=").then(q[3]),
            t=t,
            v=tok.str.extract("<v>([^<]*)</v>", 1),
            text=pl.when(t == "inlineStr").then(tok.str.extract(r'<is><t(?: xml:space="preserve")?>([^<]*)</t>', 1)),
        )
    )
    found_bad, found_rows, found_cells = pl.collect_all([bad, rows, cells])
    if found_bad.item():
        return None
    if not all(_attributes_ok(a.removesuffix(">").removesuffix("/"), prefixes) for a in found_rows["tail"].unique()):
        return None
    return found_cells, found_rows.select("idx", "number")


def _attributes_ok(attrs: str, prefixes: dict[str, str]) -> bool:
    """Whether a row's other attributes are ones the XML parser accepts: each once, prefixes declared."""
    seen = set()
    for name in _ROW_ATTR.findall(attrs):
        prefix, _, local = name.rpartition(":")
        if name == "xmlns" or prefix == "xmlns" or ":" in prefix or not local or name == "r":
            return False
        if prefix and prefix != "xml" and prefix not in prefixes:
            return False
        key = (prefixes.get(prefix, prefix) if prefix else None, local)
        if key in seen:
            return False
        seen.add(key)
    return True


def _rows(
    cells: pl.DataFrame, rows: pl.DataFrame, styles: SheetStyles, rules: Rules
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header and data rows from the cells, by `excel._SheetRows`' rules; None where it raises."""
    valued = _values(cells, styles, rules)
    if valued is None:
        return None
    last = valued.filter(~pl.col("blank")).group_by("idx").agg(pl.col("col").max().alias("last"))
    rows = rows.join(last, on="idx", how="left", maintain_order="left").with_columns(pl.col("last").fill_null(0))
    filled = rows.filter(pl.col("last") > 0)
    if filled.is_empty() or filled.item(0, "number") != 1 or _max(rows, "last") > rules.columns:
        return None  # an empty sheet, a header not in row 1, a value beyond the column limit: openpyxl words it
    header_idx: int = filled.item(0, "idx")
    dense = _dense(valued, rows)
    header = _header(dense.filter(pl.col("idx") == header_idx))
    data = rows.filter(pl.col("idx") > header_idx)
    if _max(data, "number") > rules.rows:
        return None
    dense = dense.filter(pl.col("idx") > header_idx)
    comments = _comment_rows(dense)
    if comments is None:
        return None
    if comments:
        data = data.filter(~pl.col("idx").is_in(comments))
        dense = dense.filter(~pl.col("idx").is_in(comments))
    if data.select(pl.col("last").sum()).item() > rules.cells:
        return None
    month_cols = [i + 1 for i, name in enumerate(header) if name in rules.months]
    if month_cols:
        dense = dense.with_columns(plain=pl.when(pl.col("col").is_in(month_cols)).then("month").otherwise("plain"))
    return header, _assemble(dense, data, len(header))


def _values(cells: pl.DataFrame, styles: SheetStyles, rules: Rules) -> pl.DataFrame | None:
    """Each cell's column, its text (`plain`, and `month` for a month column), whether it is text, blank."""
    t, v = pl.col("t"), pl.col("v")
    kind = (
        pl.when((t.is_null() | (t == "n")) & v.is_not_null() & (v != "")).then(_NUMBER)
        .when((t == "s") & v.is_not_null()).then(_SHARED)
        .when((t == "b") & v.is_not_null()).then(_BOOL)
        .when((t == "inlineStr") & pl.col("text").is_not_null()).then(_INLINE)
        .when((t == "str") & v.is_not_null()).then(_FORMULA_TEXT)
        .otherwise(_EMPTY)
    )
    style = pl.col("s").cast(pl.Int64).fill_null(0)
    dkind = (
        pl.when(style.is_in(list(styles.durations))).then(2).when(style.is_in(list(styles.dates))).then(1).otherwise(0)
        if styles.dates or styles.durations else pl.lit(0)
    )
    columns = {s: _column_index(s) for s in cells["letters"].unique().to_list()}
    c = cells.with_columns(
        kind.alias("kind"),
        dkind.alias("dkind"),
        pl.col("letters").replace_strict(columns, return_dtype=pl.Int64).alias("col"),
    )
    strings = _strings(c, styles.strings)
    numbers = _numbers(c, styles.epoch, rules)
    if strings is None or numbers is None:
        return None
    k = pl.col("kind")
    is_text = k.is_in([_SHARED, _INLINE, _FORMULA_TEXT])
    c = c.with_columns(string=strings)
    plain = (
        pl.when(is_text).then("string")
        .when(k == _BOOL).then(pl.when(v == "1").then(pl.lit("true")).otherwise(pl.lit("false")))
        .otherwise(pl.lit(""))
    )
    month = plain
    if numbers.height:
        c = c.join(numbers, on=["v", "dkind"], how="left", maintain_order="left")
        plain = pl.when(k == _NUMBER).then("n_plain").otherwise(plain)
        month = pl.when(k == _NUMBER).then("n_month").otherwise(month)
    c = c.select(
        "idx", "col", plain.alias("plain"), month.alias("month"), is_text.alias("is_text"),
        ((k == _EMPTY) | (is_text & (pl.col("string").str.strip_chars(PY_SPACE) == ""))).alias("blank"),
    )
    suspects = c.filter(pl.col("is_text") & pl.col("plain").str.contains("#", literal=True))["plain"]
    if any(s.strip() in rules.errors for s in suspects.unique().to_list()):
        return None  # text such as #N/A is refused: openpyxl's path words it
    return c


def _max(frame: pl.DataFrame, column: str) -> int:
    return int(frame.select(pl.col(column).max()).item() or 0)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def _strings(c: pl.DataFrame, shared: Sequence[str]) -> pl.Series | None:
    """Each cell's text for the text kinds (shared strings looked up, XML references decoded)."""
    k = pl.col("kind")
    raw = c.select(pl.when(k == _INLINE).then("text").when(k == _FORMULA_TEXT).then("v").alias("s"))["s"]
    escaped = raw.str.contains("&", literal=True).fill_null(False)
    if escaped.any():
        decoded = {s: _ENTITY.sub(_unescape, s) for s in raw.filter(escaped).unique().to_list()}
        raw = raw.replace(decoded)
    indices = c.select(pl.when(k == _SHARED).then(pl.col("v").cast(pl.Int64)).alias("i"))["i"]
    if indices.is_null().all():
        return raw
    if int(indices.max() or 0) >= len(shared):  # type: ignore[arg-type]
        return None  # openpyxl fails on it (IndexError)
    table = pl.Series("shared", list(shared), dtype=pl.String)
    return pl.select(pl.when(indices.is_not_null()).then(table.gather(indices.fill_null(0))).otherwise(raw)).to_series()


def _unescape(ref: re.Match[str]) -> str:
    if ref[1]:
        return _NAMED[ref[1]]
    return chr(int(ref[2]) if ref[2] else int(ref[3], 16))


def _numbers(c: pl.DataFrame, epoch: dt.datetime, rules: Rules) -> pl.DataFrame | None:
    """(v, dkind) → the number's text, plain and in a month column, as openpyxl and `cell_text` give it."""
    pairs = c.filter(pl.col("kind") == _NUMBER).select("v", "dkind").unique()
    month_column = next(iter(rules.months), "")
    plain, month = [], []
    for raw, dkind in pairs.iter_rows():
        value: Any = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)  # openpyxl's _cast_number
        if dkind:
            from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

            try:
                value = from_excel(value, epoch, timedelta=dkind == 2)
            except (OverflowError, ValueError):  # openpyxl makes it an error cell (#VALUE!)
                return None
        plain.append(rules.cell_text(value))
        month.append(rules.cell_text(value, column=month_column))
    return pairs.with_columns(
        n_plain=pl.Series(plain, dtype=pl.String), n_month=pl.Series(month, dtype=pl.String)
    )


def _dense(valued: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The cells openpyxl's `_dense` keeps: up to the row's last value, the last of a column's repeats."""
    kept = valued.join(rows.select("idx", "last"), on="idx", maintain_order="left").filter(
        pl.col("col") <= pl.col("last")
    )
    ordered = kept.select(
        ((pl.col("idx") != pl.col("idx").shift(1)) | (pl.col("col") > pl.col("col").shift(1))).fill_null(True).all()
    ).item()
    if ordered:  # columns rise along each row (the common case): nothing repeats, nothing to sort
        return kept
    return kept.unique(subset=["idx", "col"], keep="last", maintain_order=True).sort("idx", "col", maintain_order=True)


def _header(cells: pl.DataFrame) -> list[str]:
    header = [""] * int(cells.item(0, "last"))
    for col, text in cells.select("col", "plain").iter_rows():
        header[col - 1] = text
    while header and header[-1] == "":
        header.pop()
    return header


def _comment_rows(dense: pl.DataFrame) -> list[int] | None:
    """The rows whose first cell is text starting with #; None if one holds a CPR-like value."""
    first = dense.filter(
        (pl.col("col") == 1) & pl.col("is_text") & pl.col("plain").str.strip_chars_start(PY_SPACE).str.starts_with("#")
    )
    rows = first["idx"].to_list()
    if rows:
        texts = dense.filter(pl.col("idx").is_in(rows))["plain"].unique().to_list()
        if any(looks_like_cpr(t) for t in texts):
            return None  # refused with a message naming the column: openpyxl's path gives it
    return rows


def _assemble(dense: pl.DataFrame, data: pl.DataFrame, width: int) -> list[tuple[int, list[str]]]:
    """The rows as the row reader gives them: cells 1 … last (gaps empty), padded to the header's width.

    `dense` holds the cells of the `data` rows in row and column order, so each row's cells are the next
    slice of one flat list.
    """
    counts = dense.group_by("idx", maintain_order=True).len()
    joined = data.join(counts, on="idx", how="left", maintain_order="left").with_columns(pl.col("len").fill_null(0))
    flat = dense["plain"].to_list()
    gaps = joined.select((pl.col("len") != pl.col("last")).any()).item()
    cols = dense["col"].to_list() if gaps else []
    numbers, lasts, lengths = (joined[name].to_list() for name in ("number", "last", "len"))
    out: list[tuple[int, list[str]]] = []
    append, at = out.append, 0
    # A list per row and no cycle among them: the cyclic collector would only walk them again and again.
    paused = gc.isenabled()
    gc.disable()
    try:
        for number, last, n in zip(numbers, lasts, lengths, strict=True):
            cells = flat[at : at + n]
            if n != last:  # gaps: the empty cells openpyxl fills in
                cells = [""] * last
                for i in range(at, at + n):
                    cells[cols[i] - 1] = flat[i]
            at += n
            if 0 < last < width:
                cells += [""] * (width - last)
            append((number, cells))
    finally:
        if paused:
            gc.enable()
    return out
