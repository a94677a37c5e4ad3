"""The parsed blocks of a rendered document: what `formats` reads from HTML and every writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Verdict colours (RGB) of status cells in DOCX and PDF; HTML has the same in its stylesheet.
STATUS_COLOURS = {"violation": (164, 38, 44), "warning": (138, 90, 0), "due": (138, 90, 0), "ok": (47, 110, 60)}


@dataclass
class Run:
    """Text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """One block of a document."""

    kind: str  # heading | para | item | table | figure | pagebreak | toc
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level; list depth for items
    number: str = ""  # clause number, or "1." for ordered list items
    css: str = ""
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 0
    status: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → verdict class
    row_headers: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of <th> cells below the header
    chart: str = ""
    caption: str = ""

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)
