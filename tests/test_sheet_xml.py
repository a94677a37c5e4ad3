"""The fast sheet reader (`dataset/sheet_xml.py`) against openpyxl's (`excel._SheetRows`): the same header and
rows wherever the fast one reads a sheet, and no reading at all where openpyxl refuses the sheet or could differ."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import CONTRACT, PARTICIPANT_COLUMNS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import procurekit.dataset.excel as excel
from procurekit.cli import cli
from procurekit.dataset import sheet_xml
from procurekit.dataset.read import read_dataset
from procurekit.errors import DatasetError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["participant_id", "month", "years_on_benefits", "enrolled_on", "met_quality", "note"]


def slow(path: Path, sheet: str) -> tuple[str, Any]:
    """openpyxl's reading of a sheet: ("rows", header, rows) or ("error", message)."""
    try:
        reader = excel._SheetRows(path, sheet)
        return ("rows", (reader.header, list(reader)))
    except DatasetError as exc:
        return ("error", str(exc))


def same(path: Path, sheet: str = "participants") -> bool:
    """Assert both readers agree; True when the fast reader read the sheet, False when it left it to openpyxl."""
    kind, expected = slow(path, sheet)
    try:
        fast = excel._fast_rows(path, sheet)
    except DatasetError as exc:  # a workbook openpyxl cannot open: both readers open it alike
        assert (kind, expected) == ("error", str(exc))
        return False
    if fast is None:
        return False
    assert kind == "rows", f"the fast reader read a sheet openpyxl refuses: {expected}"
    assert fast == expected
    return True


def workbook(path: Path, rows: list[list[Any]], sheet: str = "participants") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def with_sheet_xml(path: Path, xml: str | bytes, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """The workbook at `path` with one part replaced or added (the sheet XML, by default)."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == part else src.read(info))
        if part not in src.namelist():
            dst.writestr(part, data)
    path.write_bytes(buffer.getvalue())
    return path


def with_shared_strings(path: Path, strings: list[str]) -> Path:
    """The workbook with a shared-strings part (openpyxl writes none: it writes text inline)."""
    items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    with_sheet_xml(path, f'<sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>', "xl/sharedStrings.xml")
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml").decode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return with_sheet_xml(path, types.replace("</Types>", override + "</Types>"), "[Content_Types].xml")


def sheet(rows: str, root: str = f'<worksheet xmlns="{MAIN}">', tail: str = "") -> str:
    """Sheet XML as Excel writes it: with a dimension element, so openpyxl opens it without reading the rows."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n{root}<dimension ref="A1:B2"/>'
        f"<sheetData>{rows}</sheetData>{tail}</worksheet>"
    )


HEAD_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>participant_id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>month</t></is></c></row>'
)


def test_py_space_is_what_str_strip_removes() -> None:
    assert sheet_xml.PY_SPACE == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_the_template_and_a_filled_one_are_read_fast(tmp_path: Path) -> None:
    folder = tmp_path / "contract"
    assert CliRunner().invoke(cli, ["dataset", "template", str(folder)]).exit_code == 0
    book = folder / "dataset.xlsx"
    for name in ("participants", "hours", "supplier", "turnover"):
        assert same(book, name), name
    wb = load_workbook(book)
    wb["participants"].append(["A-1", 6.5, dt.date(2017, 1, 2), None, None, True, False, None, None, None])
    wb["participants"].append(["#note", "010190-4837 is not read here", None])  # a comment row: its CPR refused
    wb["hours"].append(["A-1", dt.datetime(2017, 2, 1), 100, 0.1 + 0.2, 10])
    wb["supplier"].append([dt.datetime(2017, 1, 1), 40, 30, 2.5])
    wb.save(book)
    assert same(book, "hours") and same(book, "supplier")
    assert not same(book, "participants")  # refused: openpyxl words it


def cell_values() -> st.SearchStrategy[Any]:
    alphabet = list("aøÆå #-,.\"'&<>;:\t\n 0123456789E+N/!") + ["\xa0", "\u2003"]
    text = st.text(st.sampled_from(alphabet), max_size=8)
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.1 + 0.2, 1e20, 1e-7, 2.5, -0.0, 12345678901234567.0, 10190.4837, 103851234]),
        st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 30)),
        st.sampled_from(
            [dt.datetime(2017, 2, 1), dt.datetime(2017, 2, 1, 0, 0, 1), dt.time(13, 30), dt.timedelta(hours=30)]
        ),
        text,
        st.sampled_from(["#EKSEMPEL", " #x", "7,5", "6", "2017-02", "  ", "", "#N/A", "#DIV/0!", "æøå", "010190-4837"]),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_values(), max_size=8), max_size=12), st.booleans())
def test_both_readers_agree_on_generated_sheets(tmp_path: Path, rows: list[list[Any]], header: bool) -> None:
    path = workbook(tmp_path / "g.xlsx", ([HEADER] if header else []) + rows)
    same(path)


def test_every_cell_type_is_read_fast_and_alike(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["P1", dt.datetime(2017, 2, 1), 6, dt.date(2017, 1, 2), True, "æøå\tx\ny"],
        ["P2", dt.date(2017, 3, 1), 7.5, dt.datetime(2017, 1, 2, 13, 30), False, "  IB-001 "],
        ["P3", dt.datetime(2017, 4, 3), 0.1 + 0.2, dt.datetime(2017, 1, 2), None, 'a "quoted" & <b>'],
        ["P4", "2017-05", 1e20, dt.time(13, 30), "true", 12345678901234567890],
        [None, None, None, None, None, None],
        ["#EKSEMPEL", "comment row", "not read"],
        ["P5", dt.datetime(2017, 6, 1), "7,5", dt.timedelta(hours=30), None, 2**53 + 1],
        ["P6", None, "6", None, None, None, None, None, None],
        [],
        ["P7", "2017-07", 0.5, None, None, "last", None, "  "],
    ]
    path = workbook(tmp_path / "t.xlsx", rows)
    assert same(path)
    _, (header, read) = slow(path, "participants")
    assert header == HEADER
    assert read[0] == (2, ["P1", "2017-02", "6", "2017-01-02", "true", "æøå\tx\ny"])
    assert read[2][1][2] == "0.30000000000000004" or read[2][1][2] == "0.3"  # as openpyxl saved it


@pytest.mark.parametrize(
    ("rows", "fast"),
    [
        # Shapes the fast reader reads as openpyxl does.
        (HEAD_ROW + '<row r="2"><c r="A2" s="0" t="s"><v>1</v></c><c r="B2"><f>1+1</f><v>2</v></c></row>', True),
        (HEAD_ROW + '<row r="3"><c r="B3" t="str"><f>A1&amp;"x"</f><v>a&amp;x</v></c></row>', True),
        (HEAD_ROW + '<row r="2" spans="1:2" x14ac:dyDescent="0.25"><c r="A2"><v>1</v></c></row>', True),
        (HEAD_ROW + '\n  <row r="2">\n <c r="A2"><v>1</v></c>\n</row>\n', True),  # pretty-printed
        (HEAD_ROW + '<row r="2"><c r="A9"><v>1</v></c></row>', True),  # a cell's row is the row it is in
        (HEAD_ROW + '<row r="5"><c r="A5"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>', True),
        (HEAD_ROW + '<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c><c r="B2"/></row>', True),
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>&#230;&#x1F600;&lt;&gt;</t></is></c></row>', True),
        (HEAD_ROW + '<row r="2"/><row r="3"><c r="XFD3" s="1"/></row>', True),
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>_x000D_ x005F_</t></is></c></row>', True),
        # Shapes left to openpyxl.
        (HEAD_ROW + '<row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2"><f>1/0</f></c></row>', False),  # a formula without a saved value
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>a\rb</t></is></c></row>', False),
        (HEAD_ROW + '<row r="2"><c t="n" r="A2"><v>1</v></c></row>', False),  # attributes in another order
        (HEAD_ROW + '<row r="2"><c r="A2" t="d"><v>2017-01-02T00:00:00</v></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2"><v>abc</v></c></row>', False),  # malformed
        (HEAD_ROW + '<row r="2"><c r="A2"><v>1 </v></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>', False),  # no such shared string
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><r><t>rich</t></r></is></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>a&#1;b</t></is></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>a\x01b</t></is></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[x]]></t></is></c></row>', False),
        (HEAD_ROW + '<!-- <row r="2"><c r="A2"><v>1</v></c></row> -->', False),
        (HEAD_ROW + '<row r="2"><row r="3"><c r="A3"><v>1</v></c></row></row>', False),  # nested rows
        (HEAD_ROW + '<c r="A2"><v>1</v></c>', False),  # a cell outside a row
        (HEAD_ROW + '<row r="2" a="1" a="2"><c r="A2"><v>1</v></c></row>', False),  # not well-formed
        (HEAD_ROW + '<row r="2" q:a="1"><c r="A2"><v>1</v></c></row>', False),  # an undeclared prefix
        (HEAD_ROW + '<row r="2" xmlns="urn:other"><c r="A2"><v>1</v></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="A2" s="1"><v>99999999</v></c></row>', False),  # a date out of range
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t> #N/A </t></is></c></row>', False),
        (HEAD_ROW + '<row r="2"><c r="GS2"><v>1</v></c></row>', False),  # beyond the column limit
        (HEAD_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>#x</t></is></c><c r="B2" t="inlineStr">'
         "<is><t>010190-4837</t></is></c></row>", False),  # a CPR number in a comment row
        ('<row r="2"><c r="A2"><v>1</v></c></row>', False),  # the header not in row 1
        ("", False),  # an empty sheet
    ],
)
def test_sheet_xml_shapes(tmp_path: Path, rows: str, fast: bool) -> None:
    path = with_shared_strings(workbook(tmp_path / "s.xlsx", [["x"]]), ["P0", " _x0041_ x005F_a "])
    root = f'<worksheet xmlns="{MAIN}" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    with_sheet_xml(path, sheet(rows, root))
    styles = with_date_style(path)
    assert styles
    assert same(path) is fast


def with_date_style(path: Path) -> bool:
    """Make cell style 1 a date (yyyy-mm-dd) in the workbook's styles."""
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    styles = re.sub(
        r'<cellXfs count="1">(<xf [^>]*/>)',
        r'<cellXfs count="2">\1<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/>',
        styles,
    )
    with_sheet_xml(path, styles, "xl/styles.xml")
    return 'numFmtId="14"' in styles


@pytest.mark.parametrize(
    ("xml", "fast"),
    [
        (sheet(HEAD_ROW, f'<s:worksheet xmlns:s="{MAIN}">').replace("</worksheet>", "</s:worksheet>"), False),
        (sheet(HEAD_ROW, '<worksheet xmlns="urn:other">'), False),  # openpyxl finds no row at all
        (sheet(HEAD_ROW, tail="<pageMargins left="), False),  # damaged after the rows
        (sheet(HEAD_ROW, tail='<pageMargins left="x" right="1" top="1" bottom="1" header="1" footer="1"/>'), False),
        (sheet(HEAD_ROW, tail=f'<extLst><row xmlns="{MAIN}" r="7"><c r="A7"><v>1</v></c></row></extLst>'), False),
        ('<!DOCTYPE worksheet [<!ATTLIST c t CDATA "s">]>' + sheet(HEAD_ROW).split("\r\n", 1)[1], False),
        (sheet(HEAD_ROW).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), False),
        (sheet(HEAD_ROW).replace("<sheetData>", "<sheetData >"), False),
        (sheet(HEAD_ROW, tail='<pageMargins left="0.7" right="0.7" top="1" bottom="1" header="0" footer="0"/>'), True),
    ],
)
def test_the_rest_of_the_sheet_is_openpyxls(tmp_path: Path, xml: str, fast: bool) -> None:
    path = with_sheet_xml(workbook(tmp_path / "s.xlsx", [["x"]]), xml)
    assert same(path) is fast


def test_1904_workbooks_and_shared_strings(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [["x"]])
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
    with_sheet_xml(path, book.replace("<workbookPr/>", '<workbookPr date1904="1"/>'), "xl/workbook.xml")
    with_date_style(path)
    with_shared_strings(path, ["participant_id", " _x0041_ "])
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>40000</v></c></row>'
    )
    with_sheet_xml(path, sheet(rows))
    assert load_workbook(path, read_only=True).epoch.year == 1904
    assert same(path)


def test_limits_are_left_to_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "s.xlsx", [HEADER] + [[f"P{i}", "2017-01", 1] for i in range(10)])
    assert same(path)
    for name, value in (("MAX_ROWS", 8), ("MAX_CELLS", 20), ("MAX_COLUMNS", 2)):
        with monkeypatch.context() as patch:
            patch.setattr(excel, name, value)
            assert not same(path), name


def test_a_dataset_reads_the_same_through_either_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "contract.yaml").write_text("".join(f"{k}: {v}\n" for k, v in CONTRACT.items()), encoding="utf-8")
    workbook(
        folder / "dataset.xlsx",
        [
            PARTICIPANT_COLUMNS,
            ["A", 6, dt.date(2017, 1, 2)],
            ["B", "7.5", "2017-02-01", dt.datetime(2018, 1, 31), "completed", True, "ja", False, None, None],
        ],
    )
    fast = read_dataset(folder)
    monkeypatch.setattr(excel, "_fast_rows", lambda path, sheet: None)
    assert read_dataset(folder) == fast
    assert [p.years_on_benefits for p in fast.participants] == [6, 7.5]


def xml_cells() -> st.SearchStrategy[str]:
    """One cell as XML: mostly of shapes the fast reader takes, now and then one it leaves to openpyxl."""
    ref = st.builds(lambda c, r: f"{c}{r}", st.sampled_from("ABCZ"), st.integers(1, 6))
    number = st.sampled_from(["1", "6.5", "1e20", "-3", "43000", "0.5", "12345678901234567890", ""])
    text = st.sampled_from(["P1", "#x", " ", "", "a&amp;b", "&#230;&#x20;", "2017-02", "participant_id", "month"])
    clean = st.one_of(
        st.builds('<c r="{}"><v>{}</v></c>'.format, ref, number),
        st.builds('<c r="{}" s="1"><v>{}</v></c>'.format, ref, st.sampled_from(["43000", "43101.5", "61", ""])),
        st.builds('<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'.format, ref, text),
        st.builds('<c r="{}" s="1" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>'.format, ref, text),
        st.builds('<c r="{}" t="s"><v>{}</v></c>'.format, ref, st.sampled_from(["0", "1"])),
        st.builds('<c r="{}" t="b"><v>{}</v></c>'.format, ref, st.sampled_from(["0", "1"])),
        st.builds('<c r="{}" s="{}"/>'.format, ref, st.sampled_from(["0", "1"])),
        st.builds('<c r="{}" t="str"><f>A1</f><v>{}</v></c>'.format, ref, st.sampled_from(["x", "#y"])),
        st.builds('<c r="{}"><f>A1</f><v>2</v></c>'.format, ref),
    )
    hostile = st.one_of(
        st.builds('<c r="{}" t="e"><v>#REF!</v></c>'.format, ref),
        st.builds('<c r="{}"><f>A1</f>{}</c>'.format, ref, st.sampled_from(["", "<v></v>"])),
        st.builds(
            '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'.format, ref, st.sampled_from(["#N/A", "010190-4837"])
        ),
        st.builds('<c r="{}" s="1"><v>{}</v></c>'.format, ref, st.sampled_from(["99999999", "-1"])),
        st.builds('<c r="{}" t="{}"><v>{}</v></c>'.format, ref, st.sampled_from("sb"), st.sampled_from("25")),
    )
    return st.one_of(*[clean] * 12, hostile)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.lists(xml_cells(), max_size=4), st.sampled_from(["", "", "\n", "/"])),
        max_size=7,
    )
)
def test_both_readers_agree_on_generated_xml(tmp_path: Path, rows: list[tuple[int, list[str], str]]) -> None:
    """Rows out of order, repeated, cells in other rows' references, repeated columns, empty rows."""
    xml = HEAD_ROW + "".join(
        f'<row r="{r}"/>' if gap == "/" else f'<row r="{r}">{gap}{gap.join(cells)}</row>{gap}'
        for r, cells, gap in rows
    )
    path = with_shared_strings(workbook(tmp_path / "x.xlsx", [["x"]]), ["month", "  "])
    with_date_style(path)
    with_sheet_xml(path, sheet(xml))
    event("read fast" if same(path) else "left to openpyxl")
