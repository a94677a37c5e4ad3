"""The breach timeline chart: one bar per breach, from the month it opened to the month it was resolved.

Drawn like the other report charts (matplotlib, Agg, text as paths, fixed SVG ids, no timestamps) so a
report rendered twice is byte-identical; kept as inline SVG for HTML and PNG for DOCX and PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from procurekit.documents import Chart

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
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    shown = spans[-MAX_BARS:]
    with plt.rc_context({"font.family": "DejaVu Sans", "font.size": 8, "svg.hashsalt": "procurekit",
                         "svg.fonttype": "path", "axes.spines.top": False, "axes.spines.right": False}):
        fig, ax = plt.subplots(figsize=(7.0, max(1.6, 0.6 + 0.22 * len(shown))), dpi=100)
        try:
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
            fig.tight_layout()
            svg_buf, png_buf = io.StringIO(), io.BytesIO()
            fig.savefig(svg_buf, format="svg", metadata={"Date": None, "Creator": "procurekit"})
            fig.savefig(png_buf, format="png", dpi=150, metadata={"Software": "procurekit"})
        finally:
            plt.close(fig)
    svg = svg_buf.getvalue()
    return Chart(title=title, alt=alt, svg=svg[svg.index("<svg"):], png=png_buf.getvalue())
