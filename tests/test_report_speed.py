"""What keeps `procurekit report` fast (issue 17) without changing what it writes: each chart laid out and
drawn once per encoding."""

from __future__ import annotations

from typing import Any

import pytest

from procurekit.documents.charts import Series, chart, encodings


def test_a_chart_is_drawn_once_per_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    # A figure left holding a layout engine (what `fig.tight_layout()` leaves) is laid out once more,
    # without drawing, inside every savefig: a third of a chart's time.
    from matplotlib.figure import Figure

    draws: list[bool] = []
    original = Figure.draw

    def counted(self: Figure, renderer: Any) -> None:
        draws.append(True)
        original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    series = [Series("a", (1.0, 2.0), "bar")]
    with encodings("png"):
        chart("t", ["x", "y"], series, y_label="n", limit=1.5, limit_label="limit")
    assert len(draws) == 1
    draws.clear()
    chart("t", ["x", "y"], series, y_label="n")
    assert len(draws) == 2  # the SVG and the PNG
