"""From rendered HTML to Markdown, DOCX and PDF.

A template renders HTML from this subset, and every format is written from it:

    h1 h2 h3            headings (DOCX: Heading 1–3 styles, so Word's navigation pane and TOC work)
    p                   paragraph; <p class="clause"><span class="num">3.1</span> text</p> is a
                        numbered clause paragraph (hanging indent)
    strong b em i       bold / italic runs; a, span, div, section, article are transparent
    ul ol li            lists
    table tr th td      tables (a row of <th> is a header row); <td class="violation|warning|due|ok">
                        is coloured in DOCX and PDF
    figure[data-chart]  a chart: the inline SVG is used in HTML; DOCX and PDF take the chart's PNG;
                        Markdown links an image file written beside it
    figcaption          the caption under a chart
    br                  line break
    hr.page-break       a page break (after a title page)
    nav.toc             the table of contents: DOCX gets a TOC field, PDF a generated one with page
                        numbers; its contents (the HTML list) are not text
    meta[name=footer]   the running footer text; every page also gets "Side X af Y"

Anything else is kept as text. `<title>`, `<style>` and `<svg>` contents are never text.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from procurekit.documents.blocks import STATUS_COLOURS, Block, Run
from procurekit.documents.charts import Chart
from procurekit.documents.docx import column_widths, to_docx

#: The formats of a tender pack's documents, of its notice data, and of a compliance report. They are
#: here, with the writers, so the command line can offer them without loading the renderers.
DOCUMENT_FORMATS = ("docx", "pdf", "html", "md")
DATA_FORMATS = ("ocds", "eforms")
REPORT_FORMATS = ("html", "pdf", "docx", "md")

#: characters XML 1.0 cannot hold (C0 controls but tab, newline, return; surrogates; U+FFFE, U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_SKIP = {"style", "title", "svg", "script", "head"}
#: A table cell with one of these classes is coloured in DOCX and PDF as in the HTML (violation, etc.).
_BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "figcaption"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.skip = 0
        self.bold = 0
        self.italic = 0
        self.lists: list[list[int]] = []  # stack of [ordered, counter]
        self.table: Block | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.row_is_header = True
        self.figure: Block | None = None
        self.in_num = False
        self.in_toc = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "nav" and "toc" in (a.get("class") or "").split():
            self._close()
            self.blocks.append(Block("toc"))
            self.in_toc = True
            return
        if self.in_toc:
            return
        if tag == "hr" and "page-break" in (a.get("class") or "").split():
            self._close()
            self.blocks.append(Block("pagebreak"))
            return
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br":
            if self.cell is not None:
                self.cell.append("\n")
            else:
                self._text("\n")
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "table":
            self.table = Block("table")
        elif tag == "tr":
            self.row, self.row_is_header = [], True
        elif tag in ("td", "th"):
            self.cell = []
            status = next((c for c in (a.get("class") or "").split() if c in STATUS_COLOURS), None)
            if status is not None and self.table is not None and self.row is not None:
                self.table.status[(len(self.table.rows), len(self.row))] = status
            if tag == "td":
                self.row_is_header = False
            elif self.table is not None and self.row is not None:
                self.table.row_headers.add((len(self.table.rows), len(self.row)))
        elif tag == "figure":
            self.figure = Block("figure", chart=a.get("data-chart") or "")
        elif tag == "span" and "num" in (a.get("class") or "").split():
            self.in_num = True
        elif tag in _BLOCKS and self.cell is None:
            self._close()
            if tag.startswith("h"):
                self.current = Block("heading", level=int(tag[1]))
            elif tag == "li":
                depth = len(self.lists)
                number = ""
                if self.lists and self.lists[-1][0]:
                    self.lists[-1][1] += 1
                    number = f"{self.lists[-1][1]}."
                self.current = Block("item", level=max(1, depth), number=number)
            elif tag == "figcaption":
                self.current = Block("caption")
            else:
                self.current = Block("para", css=a.get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "nav" and self.in_toc:
            self.in_toc = False
            return
        if self.in_toc:
            return
        if tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            lines = "".join(self.cell).split("\n")
            self.row.append("\n".join(" ".join(line.split()) for line in lines).strip(" "))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.table.rows.append(self.row)
            if self.row_is_header and len(self.table.rows) == self.table.header_rows + 1:
                self.table.header_rows += 1
                self.table.row_headers = {(i, j) for i, j in self.table.row_headers if i >= self.table.header_rows}
            self.row = None
        elif tag == "table" and self.table is not None:
            self._close()
            self.blocks.append(self.table)
            self.table = None
        elif tag == "figure" and self.figure is not None:
            self._close()
            self.blocks.append(self.figure)
            self.figure = None
        elif tag == "span":
            self.in_num = False
        elif tag in _BLOCKS:
            self._close()

    def handle_data(self, data: str) -> None:
        if self.skip or self.in_toc:
            return
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.in_num and self.current is not None:
            self.current.number += data.strip()
            return
        self._text(data)

    def _text(self, data: str) -> None:
        if self.current is None:
            if not data.strip():
                return
            self.current = Block("para")
        text = re.sub(r"[ \t\r\n]+", " ", data) if data != "\n" else "\n"
        runs = self.current.runs
        if runs and runs[-1].bold == bool(self.bold) and runs[-1].italic == bool(self.italic):
            runs[-1].text += text
        else:
            runs.append(Run(text, bool(self.bold), bool(self.italic)))

    def _close(self) -> None:
        block, self.current = self.current, None
        if block is None:
            return
        if block.runs:
            block.runs[0].text = block.runs[0].text.lstrip(" ")
            block.runs[-1].text = block.runs[-1].text.rstrip(" ")
            block.runs = [r for r in block.runs if r.text]
        if not block.runs:
            return
        if block.kind == "caption":
            if self.figure is not None:
                self.figure.caption = block.text
            return
        self.blocks.append(block)


def parse_html(html: str) -> list[Block]:
    """The blocks of a rendered document, in order."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser._close()
    return parser.blocks


def document_title(html: str) -> str:
    """The text of <title>."""
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return unescape(" ".join(match.group(1).split())) if match else ""


def document_footer(html: str) -> str:
    """The running footer text (<meta name="footer">), or the title."""
    match = re.search(r'<meta name="footer" content="(.*?)">', html, re.S)
    return unescape(" ".join(match.group(1).split())) if match else document_title(html)


def page_label(lang: str) -> tuple[str, str]:
    """("Side", "af") or ("Page", "of"): the words around the page number and the page count."""
    return ("Page", "of") if lang == "en" else ("Side", "af")


# ---- Markdown ---------------------------------------------------------------------------------------

def _md_text(text: str) -> str:
    """Text from data as Markdown text: HTML in it is shown, never interpreted (no <script>, no <!--)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_runs(runs: list[Run]) -> str:
    out = []
    for r in runs:
        text = _md_text(r.text).replace("\n", "  \n")
        core = text.strip()
        if core and (r.bold or r.italic):
            mark = "**" if r.bold else "*"
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            text = f"{lead}{mark}{core}{mark}{trail}"
        out.append(text)
    return "".join(out)


def _md_cell(text: str) -> str:
    return _md_text(text).replace("|", "\\|")


def to_markdown(blocks: list[Block], images: dict[str, str] | None = None) -> str:
    """Markdown for review in git: headings, paragraphs, lists, pipe tables; a chart as an image link to
    the file `images` names for it (written beside the document), with its caption."""
    out: list[str] = []
    previous = ""
    for b in blocks:
        if b.kind != "item" and previous == "item":
            out.append("")
        if b.kind == "heading":
            out.append(f"{'#' * b.level} {_md_text(b.text)}\n")
        elif b.kind == "para":
            prefix = f"**{_md_text(b.number)}** " if b.number else ""
            out.append(prefix + _md_runs(b.runs) + "\n")
        elif b.kind == "item":
            indent = "   " * (b.level - 1)
            out.append(f"{indent}{b.number or '-'} {_md_runs(b.runs)}")
        elif b.kind == "table" and b.rows:
            width = max(len(r) for r in b.rows)
            rows = [r + [""] * (width - len(r)) for r in b.rows]
            head = rows[0] if b.header_rows else [""] * width
            body = rows[1:] if b.header_rows else rows
            out.append("| " + " | ".join(_md_cell(c) for c in head) + " |")
            out.append("|" + "---|" * width)
            out.extend("| " + " | ".join(_md_cell(c) for c in r) + " |" for r in body)
            out.append("")
        elif b.kind == "figure":
            image = (images or {}).get(b.chart)
            if image is not None:
                out.append(f"![{_md_cell(b.caption or b.chart)}]({image})\n")
            if b.caption:
                out.append(f"*{_md_text(b.caption)}*\n")
        previous = b.kind
    return "\n".join(out).rstrip() + "\n"


# ---- PDF --------------------------------------------------------------------------------------------

def _font_dir() -> Path:
    """matplotlib's DejaVu fonts, where `matplotlib.get_data_path()` has them, found without importing
    matplotlib: a report's charts may be drawn in another process (`charts_drawn_aside`), and importing
    it here only for this path would cost a tenth of a PDF report."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("matplotlib, whose DejaVu fonts a PDF embeds, is not installed")
    return Path(spec.origin).with_name("mpl-data") / "fonts" / "ttf"


def _render_toc(lang: str) -> Callable[[Any, list[Any]], None]:
    """The function fpdf2 calls at the end to write the table of contents with page numbers."""

    def render(pdf: Any, outline: list[Any]) -> None:
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(0, 10, "Contents" if lang == "en" else "Indholdsfortegnelse", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for section in outline:
            indent = 6.0 * section.level
            pdf.set_font("DejaVu", "B" if section.level == 0 else "", 10)
            pdf.set_x(pdf.l_margin + indent)
            label = f"{section.page_number}"
            text_w = pdf.epw - indent - 12
            pdf.cell(text_w, 6.5, section.name)
            pdf.cell(12, 6.5, label, align="R", new_x="LMARGIN", new_y="NEXT")

    return render


def to_pdf(
    blocks: list[Block], *, title: str, footer: str, lang: str, charts: dict[str, Chart], day: dt.date,
    author: str = "",
) -> bytes:
    """An A4 PDF with DejaVu Sans embedded (æ, ø, å and every other character render the same everywhere)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    fonts = _font_dir()
    page, of = page_label(lang)
    front_page = any(b.kind == "pagebreak" for b in blocks)

    class _PDF(FPDF):
        def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
            # Bold italic is added when first used: few documents have any, and each face is a TrueType
            # file parsed whole. It was added last, so the PDF is the same either way.
            if {"B", "I"} <= set(str(getattr(style, "style", style)).upper()) and "dejavuBI" not in self.fonts:
                self.add_font("DejaVu", "BI", str(fonts / "DejaVuSans-BoldOblique.ttf"))
            super().set_font(family, style, size)

        def footer(self) -> None:
            if front_page and self.page_no() == 1:
                return
            self.set_y(-14)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(self.epw - 30, 8, footer, align="L")
            self.cell(30, 8, f"{page} {self.page_no()} {of} {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    pdf = _PDF(format="A4", unit="mm")
    pdf.set_creation_date(dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("da-DK" if lang == "da" else "en-GB")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    body = 10.0
    line = 5.0

    def write_runs(runs: list[Run], size: float) -> None:
        for r in runs:
            pdf.set_font("DejaVu", ("B" if r.bold else "") + ("I" if r.italic else ""), size)
            pdf.write(line, r.text)

    sizes = {1: 17.0, 2: 13.0, 3: 11.0, 4: 10.5}
    after_toc = False
    for b in blocks:
        pdf.set_x(pdf.l_margin)
        if b.kind == "pagebreak":
            if not after_toc:
                pdf.add_page()
            after_toc = False
            continue
        after_toc = False
        if b.kind == "toc":
            pdf.insert_toc_placeholder(_render_toc(lang), pages=1, reset_page_indices=False)
            after_toc = True
            continue
        if b.kind == "heading":
            size = sizes.get(b.level, 11.0)
            if b.level > 1 and pdf.get_y() > pdf.h - 50:
                pdf.add_page()
            if b.level == 2:
                pdf.start_section(b.text, level=0)
            pdf.ln(3 if b.level > 1 else 0)
            pdf.set_font("DejaVu", "B", size)
            if b.level == 1:
                pdf.set_text_color(31, 95, 139)
            pdf.multi_cell(0, size * 0.5, b.text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1.5)
        elif b.kind == "para":
            if b.number:
                pdf.set_font("DejaVu", "B", body)
                pdf.cell(12, line, b.number)
                left = pdf.l_margin
                pdf.set_left_margin(left + 12)
                write_runs(b.runs, body)
                pdf.set_left_margin(left)
            elif b.css in ("front-title", "front"):
                size = 15.0 if b.css == "front-title" else 12.0
                pdf.set_font("DejaVu", "B" if b.css == "front-title" else "", size)
                pdf.multi_cell(0, size * 0.5, b.text, align="L", new_x="LMARGIN", new_y="NEXT")
            else:
                write_runs(b.runs, 8.5 if b.css in ("meta", "basis") else body)
            pdf.ln(line + 1.5)
        elif b.kind == "item":
            indent = 6.0 * b.level
            pdf.set_font("DejaVu", "", body)
            pdf.set_x(pdf.l_margin + indent - 5)
            pdf.cell(5, line, b.number or "•")
            left = pdf.l_margin
            pdf.set_left_margin(left + indent)
            write_runs(b.runs, body)
            pdf.set_left_margin(left)
            pdf.ln(line + 0.8)
        elif b.kind == "table" and b.rows:
            width = max(len(r) for r in b.rows)
            pdf.set_font("DejaVu", "", 8.5)
            heading = FontFace(emphasis="BOLD", fill_color=(241, 244, 247))
            widths = tuple(column_widths(b.rows, pdf.epw / 10, b.header_rows))
            with pdf.table(
                col_widths=widths,
                headings_style=heading, num_heading_rows=b.header_rows, line_height=4.2,
                text_align="LEFT", v_align="TOP", first_row_as_headings=b.header_rows > 0,
            ) as table:
                for i, row in enumerate(b.rows):
                    cells = table.row()
                    for j in range(width):
                        colour = STATUS_COLOURS.get(b.status.get((i, j), ""))
                        if colour is not None:
                            style = FontFace(emphasis="BOLD", color=colour)
                        elif (i, j) in b.row_headers:
                            style = FontFace(emphasis="BOLD")
                        else:
                            style = None
                        cells.cell(row[j] if j < len(row) else "", style=style)
            pdf.ln(2)
        elif b.kind == "figure":
            chart = charts.get(b.chart)
            if chart is not None:
                # the chart and its caption stay on one page (a caption alone at the top of the next reads
                # as belonging to nothing)
                height = pdf.epw * _png_ratio(chart.png) + (5 + 4.5 * (len(b.caption) // 95 + 1) if b.caption else 0)
                if pdf.get_y() + height > pdf.h - pdf.b_margin:
                    pdf.add_page()
                pdf.image(io.BytesIO(chart.png), w=pdf.epw)
            if b.caption:
                pdf.set_font("DejaVu", "I", 8.5)
                pdf.multi_cell(0, 4.5, b.caption, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def _png_ratio(png: bytes) -> float:
    """Height / width of a PNG, from its header."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return height / width if width else 0.5


def write_formats(
    html: str, fmt: str, *, lang: str, charts: dict[str, Chart], day: dt.date, author: str = "",
    images: dict[str, str] | None = None,
) -> bytes:
    """The document in `fmt` (html, md, docx or pdf) from its rendered HTML (Markdown: charts link `images`)."""
    if fmt == "html":
        return html.encode("utf-8")
    html = _NOT_XML.sub("\ufffd", html)  # DOCX (XML) and PDF cannot hold control characters
    blocks = parse_html(html)
    if fmt == "md":
        return to_markdown(blocks, images).encode("utf-8")
    title, footer = document_title(html), document_footer(html)
    if fmt == "docx":
        return to_docx(blocks, title=title, footer=footer, lang=lang, charts=charts, day=day, author=author)
    if fmt == "pdf":
        return to_pdf(blocks, title=title, footer=footer, lang=lang, charts=charts, day=day, author=author)
    raise ValueError(f"unknown format {fmt}")
