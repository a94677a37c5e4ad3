"""Charts for documents: one matplotlib figure, two encodings.

Every chart is drawn once and kept as inline SVG (for HTML, sharp at any zoom, no external file) and as
PNG (for DOCX and PDF, which cannot take SVG reliably). Text in the SVG is drawn as paths, so the chart
looks the same without the font installed. Output is deterministic (no timestamps, fixed ids), so a
report rendered twice from the same data is byte-identical.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal

_LOCALES = {"da": "da_DK", "en": "en_GB"}


@dataclass(frozen=True)
class Series:
    """One data series: a label for the legend and one value per x position."""

    label: str
    values: Sequence[float]
    kind: str = "line"  # line | step | bar


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its title, a text alternative, and the two encodings."""

    title: str
    alt: str
    svg: str = field(repr=False)
    png: bytes = field(repr=False)


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "svg.hashsalt": "procurekit",
        "svg.fonttype": "path",
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return plt


_COLOURS = ["#1f5f8b", "#c8553d", "#4f9d69", "#8a6fb0", "#d9a441"]


def chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str,
    lang: str = "da",
    limit: float | None = None,
    limit_label: str = "",
    alt: str = "",
    percent: bool = False,
) -> Chart:
    """Draw `series` over `x_labels`; an optional horizontal `limit` line (e.g. capacity)."""
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    locale = _LOCALES.get(lang, "da_DK")
    fig, ax = plt.subplots(figsize=(7.0, 3.0), dpi=100)
    try:
        xs = list(range(len(x_labels)))
        bars = [s for s in series if s.kind == "bar"]
        width = 0.8 / max(1, len(bars))
        for i, s in enumerate(series):
            colour = _COLOURS[i % len(_COLOURS)]
            if s.kind == "bar":
                j = bars.index(s)
                offset = (j - (len(bars) - 1) / 2) * width
                ax.bar([x + offset for x in xs], list(s.values), width=width, label=s.label, color=colour)
            elif s.kind == "step":
                ax.step(xs, list(s.values), where="mid", label=s.label, color=colour, linewidth=1.6)
            else:
                ax.plot(xs, list(s.values), label=s.label, color=colour, linewidth=1.6)
        if limit is not None:
            ax.axhline(limit, color="#444444", linestyle="--", linewidth=1.0, label=limit_label or None)
        step = max(1, -(-len(xs) // 10))
        ax.set_xticks(xs[::step], [x_labels[i] for i in xs[::step]], rotation=0)
        ax.set_ylabel(y_label)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")

        def tick(value: float, _pos: int) -> str:
            if percent:
                return format_decimal(value * 100, format="#,##0", locale=locale) + " %"
            return format_decimal(value, format="#,##0.##", locale=locale)

        ax.yaxis.set_major_formatter(FuncFormatter(tick))
        if percent:
            ax.set_ylim(0, 1.05)
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            top = max([*(v for s in series for v in s.values), limit or 0, 1])
            ax.set_ylim(0, top * 1.15)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        if len(series) > 1 or limit_label:
            ax.legend(frameon=False, fontsize=8, loc="best")
        fig.tight_layout()
        svg_buf, png_buf = io.StringIO(), io.BytesIO()
        fig.savefig(svg_buf, format="svg", metadata={"Date": None, "Creator": "procurekit"})
        fig.savefig(png_buf, format="png", dpi=150, metadata={"Software": "procurekit"})
    finally:
        plt.close(fig)
    svg = svg_buf.getvalue()
    svg = svg[svg.index("<svg"):]  # inline: no XML declaration or doctype
    return Chart(title=title, alt=alt or title, svg=svg, png=png_buf.getvalue())
