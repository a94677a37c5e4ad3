"""Word documents from the parsed blocks of a rendered document (see `documents/formats.py` for the HTML subset).

What a procurement officer expects of a Word file: Title and Heading styles (so the navigation pane and
the table of contents work), a real TOC field, a footer "Side X af Y" from PAGE and NUMPAGES fields, tables
with column widths sized to their content, repeated header rows and rows that do not split across pages,
document properties naming the contracting authority, and Danish as the proofing language.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from procurekit.documents.blocks import STATUS_COLOURS, Block, Run
from procurekit.documents.charts import Chart

#: Text width of an A4 page with 2.2 cm margins, in cm.
_TEXT_WIDTH_CM = 16.6
#: Width of one character of 9 pt text, in cm: generous enough for a wide fallback font (DejaVu Sans).
_CHAR_CM = 0.24
_CELL_PAD_CM = 0.5
#: A cell this short is kept on one line ("40 %", "27. maj 2016").
_KEEP_WHOLE = 14


def column_widths(rows: list[list[str]], total: float = _TEXT_WIDTH_CM, header_rows: int = 0) -> list[float]:
    """Widths (cm) that fit each column's content: never narrower than its longest word, so no word breaks.

    A column wants room for its longest cell (capped, so long prose wraps); what is left after every
    column has its longest word is shared in proportion to what each still wants.
    """
    width = max(len(r) for r in rows)
    cols = [[r[j] if j < len(r) else "" for r in rows] for j in range(width)]
    floor = [max((len(c) if len(c) <= _KEEP_WHOLE and i >= header_rows else max(map(len, c.split()))
                  for i, c in enumerate(col) if c.strip()), default=1) * _CHAR_CM + _CELL_PAD_CM for col in cols]
    want = [min(max((len(c) for c in col), default=1), 60) * _CHAR_CM + _CELL_PAD_CM for col in cols]
    if sum(floor) >= total:
        return [total * f / sum(floor) for f in floor]
    if sum(want) <= total:
        scale = total / sum(want)
        return [w * scale for w in want]
    spare = total - sum(floor)
    extra = [max(w - f, 0.0) for w, f in zip(want, floor, strict=True)]
    return [f + spare * e / sum(extra) if sum(extra) else f for f, e in zip(floor, extra, strict=True)]


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _field(paragraph: Any, instr: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) with its current result."""
    field = _el("w:fldSimple", instr=instr)
    run = _el("w:r")
    text = _el("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _fld_char(paragraph: Any, kind: str, instr: str | None = None) -> None:
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", fldCharType=kind))
    if instr is not None:
        code = paragraph.add_run()
        text = _el("w:instrText")
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = instr
        code._r.append(text)


def _toc(document: Any, blocks: list[Block], lang: str) -> None:
    """A TOC field over Heading 1 (the numbered sections), pre-filled with the headings.

    Word updates the page numbers when the file is opened (w:updateFields).
    """
    from docx.shared import Pt

    title = document.add_paragraph()
    run = title.add_run("Contents" if lang == "en" else "Indholdsfortegnelse")
    run.bold, run.font.size = True, Pt(14)
    entries = [b for b in blocks if b.kind == "heading" and b.level == 2]
    first = document.add_paragraph(style="TOC 1" if "TOC 1" in document.styles else None)
    _fld_char(first, "begin", ' TOC \\o "1-1" \\h \\z \\u ')
    _fld_char(first, "separate")
    paragraph = first
    for i, b in enumerate(entries):
        if i:
            style = "TOC 2" if b.level == 3 and "TOC 2" in document.styles else None
            paragraph = document.add_paragraph(style=style)
        paragraph.add_run(("    " if b.level == 3 else "") + b.text)
    _fld_char(paragraph, "end")
    settings = document.settings.element
    settings.append(_el("w:updateFields", val="true"))


def _footer(document: Any, text: str, lang: str) -> None:
    """Footer "<text>  Side X af Y" on every page but the title page."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.footer.paragraphs[0]
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(_TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    page, of = ("Page", "of") if lang == "en" else ("Side", "af")
    paragraph.add_run(f"{text}\t{page} ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(f" {of} ")
    _field(paragraph, "NUMPAGES", "1")
    for run in paragraph.runs:
        run.font.size = Pt(8)


def _table(document: Any, b: Block) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    width = max(len(r) for r in b.rows)
    widths = column_widths(b.rows, header_rows=b.header_rows)
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(_el("w:tblLayout", type="fixed"))
    for j, col in enumerate(table.columns):
        col.width = Cm(widths[j])
    for i, row in enumerate(b.rows):
        cells = table.add_row().cells
        tr_pr = table.rows[i]._tr.get_or_add_trPr()
        tr_pr.append(_el("w:cantSplit", val="true"))
        if i < b.header_rows:
            tr_pr.append(_el("w:tblHeader", val="true"))
        for j in range(width):
            cells[j].width = Cm(widths[j])
            paragraph = cells[j].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(row[j] if j < len(row) else "")
            run.font.size = Pt(9)
            if i < b.header_rows or (i, j) in b.row_headers:
                run.bold = True
            colour = STATUS_COLOURS.get(b.status.get((i, j), ""))
            if colour is not None:  # a verdict cell: worded and coloured, as in HTML and PDF
                run.bold = True
                run.font.color.rgb = RGBColor(*colour)
    document.add_paragraph()


def _runs(paragraph: Any, runs: list[Run]) -> None:
    for r in runs:
        parts = r.text.split("\n")
        for i, part in enumerate(parts):
            run = paragraph.add_run(part)
            run.bold, run.italic = r.bold or None, r.italic or None
            if i < len(parts) - 1:
                run.add_break()


def _setup(document: Any, *, title: str, lang: str, day: dt.date, author: str) -> None:
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    language = "da-DK" if lang == "da" else "en-GB"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[name]
        if name == "Normal":
            style.font.name, style.font.size = "Calibri", Pt(11)
        style.element.get_or_add_rPr().append(_el("w:lang", val=language, eastAsia=language, bidi=language))
    props = document.core_properties
    props.title, props.author, props.language = title, author, language
    props.last_modified_by, props.comments, props.keywords, props.subject = author, "", "", title
    stamp = dt.datetime.combine(day, dt.time(12, 0))
    props.created = props.modified = stamp
    props.revision = 1


def to_docx(
    blocks: list[Block], *, title: str, footer: str, lang: str, charts: dict[str, Chart], day: dt.date,
    author: str,
) -> bytes:
    """A Word document with real headings, a TOC field, page-numbered footer, numbered clauses and tables."""
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    _setup(document, title=title, lang=lang, day=day, author=author)
    _footer(document, footer, lang)
    previous = None
    for b in blocks:
        if b.kind != "para":
            previous = None
        if b.kind == "heading":
            document.add_heading(b.text, level=0 if b.level == 1 else b.level - 1)
        elif b.kind == "pagebreak":
            document.add_page_break()
        elif b.kind == "toc":
            _toc(document, blocks, lang)
        elif b.kind == "para":
            paragraph = document.add_paragraph()
            if b.css in ("front-title", "front"):
                run = paragraph.add_run(b.text)
                run.font.size, run.bold = Pt(18 if b.css == "front-title" else 13), b.css == "front-title" or None
                continue
            if b.number:
                fmt = paragraph.paragraph_format
                fmt.left_indent, fmt.first_line_indent = Cm(1.25), Cm(-1.25)
                fmt.tab_stops.add_tab_stop(Cm(1.25))
                paragraph.add_run(b.number + "\t").bold = True
            _runs(paragraph, b.runs)
            if b.css == "basis":
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                if previous is not None:  # the legal basis stays on the page of the text it belongs to
                    previous.paragraph_format.keep_with_next = True
            previous = paragraph
        elif b.kind == "item":
            style = "List Number" if b.number else "List Bullet"
            if b.level > 1:
                style += f" {min(b.level, 3)}"
            _runs(document.add_paragraph(style=style), b.runs)
        elif b.kind == "table" and b.rows:
            _table(document, b)
        elif b.kind == "figure":
            chart = charts.get(b.chart)
            if chart is not None:
                document.add_picture(io.BytesIO(chart.png), width=Cm(16.5))
            if b.caption:
                document.add_paragraph(b.caption, style="Caption")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
