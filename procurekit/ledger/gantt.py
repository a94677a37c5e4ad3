"""The breach timeline chart: one bar per breach, from the month it opened to the month it was resolved.

Drawn like the other report charts (`documents.styled` and `documents.drawn`: a figure of its own, never
pyplot; text as paths, fixed SVG ids, no timestamps, laid out once) so a report rendered twice is
byte-identical; in the encodings the report's format shows (SVG for HTML, PNG for DOCX and PDF).
"""

from __future__ import annotations

from dataclasses import dataclass

from procurekit.documents import Chart, drawn, styled

_OPEN, _RESOLVED = "#c8553d", "#4f9d69"
MAX_BARS = 40


@dataclass(frozen=True)
class Span:
    """One breach run: its label, first and last month index (inclusive), and whether it is still open."""

    label: str
    first: int
    last: int
    still_open: bool


def breach_timeline(title: str, months: list[str], spans: list[Span], *, alt: str, legend: tuple[str, str]) -> Chart:
    """A horizontal bar per breach run over the submission months (at most `MAX_BARS`, latest first)."""
    from matplotlib.figure import Figure

    shown = spans[-MAX_BARS:]
    with styled(8):
        fig = Figure(figsize=(7.0, max(1.6, 0.6 + 0.22 * len(shown))), dpi=100)
        ax = fig.subplots()
        for y, s in enumerate(reversed(shown)):
            ax.barh(y, s.last - s.first + 1, left=s.first - 0.5, height=0.6,
                    color=_OPEN if s.still_open else _RESOLVED)
        ax.set_yticks(range(len(shown)), [s.label for s in reversed(shown)])
        step = max(1, -(-len(months) // 10))
        ax.set_xticks(range(0, len(months), step), months[::step])
        ax.set_xlim(-0.5, len(months) - 0.5)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        ax.bar(0, 0, color=_OPEN, label=legend[0])
        ax.bar(0, 0, color=_RESOLVED, label=legend[1])
        ax.legend(frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2)
        return drawn(fig, title, alt)
