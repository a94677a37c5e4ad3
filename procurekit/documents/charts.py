"""Charts for documents: one matplotlib figure, two encodings.

Every chart is drawn once and kept as inline SVG (for HTML, sharp at any zoom, no external file) and as
PNG (for DOCX and PDF, which cannot take SVG reliably). Text in the SVG is drawn as paths, so the chart
looks the same without the font installed. Output is deterministic (no timestamps, fixed ids), so a
report rendered twice from the same data is byte-identical.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procurekit import l10n

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


@dataclass(frozen=True)
class Series:
    """One data series: a label for the legend and one value per x position."""

    label: str
    values: Sequence[float]
    kind: str = "line"  # line | step | bar


@dataclass(frozen=True)
class Mark:
    """A point to point out: x position, value, and the label written beside it."""

    x: int
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its title, a text alternative, and the two encodings."""

    title: str
    alt: str
    svg: str = field(repr=False)
    png: bytes = field(repr=False)


_COLOURS = ["#1f5f8b", "#c8553d", "#4f9d69", "#8a6fb0", "#d9a441"]
_ALARM = "#a4262c"  # the report's colour for a violation
_LIMIT = "#333333"


def _tick(value: float, percent: bool, lang: str) -> str:
    """An axis tick or a bar's value: whole percents for a share, at most two decimals otherwise."""
    if percent:
        return l10n.percent(value, lang, places=0)
    return l10n.number(value, lang, places=2)


def _point_out(  # type: ignore[no-untyped-def]
    ax, n: int, limit: float | None, limit_label: str, marks: Sequence[Mark], vline: tuple[float, str] | None
) -> None:
    """Draw what the chart is about above the data: the limit line, the marked points, the vertical line."""
    if limit is not None:
        ax.axhline(limit, color=_LIMIT, linestyle="--", linewidth=1.6, label=limit_label or None, zorder=5)
    for m in marks:
        ax.plot([m.x], [m.y], marker="o", markersize=7, color=_ALARM, zorder=6, linestyle="none")
        ax.annotate(m.label, (m.x, m.y), xytext=(0, 9), textcoords="offset points", fontsize=8,
                    color=_ALARM, fontweight="bold", zorder=7, va="bottom",
                    ha="right" if m.x > n * 0.7 else "left" if m.x < n * 0.3 else "center",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": _ALARM, "lw": 0.6})
    if vline is not None:
        ax.axvline(vline[0], color=_LIMIT, linestyle=":", linewidth=1.4, zorder=5)
        ax.annotate(vline[1], (vline[0], 1), xycoords=("data", "axes fraction"), xytext=(4, -4),
                    textcoords="offset points", fontsize=8, color=_LIMIT, va="top", zorder=7,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"})


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
    x_label: str = "",
    marks: Sequence[Mark] = (),
    highlight: Sequence[int] = (),
    vline: tuple[float, str] | None = None,
    value_labels: bool = False,
) -> Chart:
    """Draw `series` over `x_labels`.

    Options: a horizontal `limit` line drawn above the data (e.g. capacity), `marks` (a dot and a label
    at a point, e.g. a breach), `highlight` (bars drawn in the alarm colour), a vertical `vline` at an x
    position with its label (e.g. the first paid month), and `value_labels` (each bar's value on it).
    Within `charts_drawn_aside`, the chart is drawn in the worker process and its encodings are waited
    for when first read.
    """
    worker = _WORKER.get()
    if worker is not None:
        options = {"y_label": y_label, "lang": lang, "limit": limit, "limit_label": limit_label, "alt": alt,
                   "percent": percent, "x_label": x_label, "marks": tuple(marks), "highlight": tuple(highlight),
                   "vline": vline, "value_labels": value_labels}
        return worker.draw(title, alt or title, (title, tuple(x_labels), tuple(series)), options)
    # matplotlib is imported here, when a chart is drawn: a check (which draws none) does not load it.
    from matplotlib.figure import Figure

    with styled(9):
        fig = Figure(figsize=(7.0, 3.0), dpi=100)
        ax = fig.subplots()
        _plot(ax, x_labels, series, highlight, value_labels, percent, lang)
        _point_out(ax, len(x_labels), limit, limit_label, marks, vline)
        _axes(ax, title, x_labels, series, y_label, x_label, lang, limit, limit_label,
              percent, bool(marks or value_labels))
        return drawn(fig, title, alt or title)


@contextmanager
def styled(font_size: float) -> Iterator[None]:
    """The report charts' style around the drawing of one chart only (`rc_context`): draw into a `Figure`
    made directly, never through pyplot, so that a program that imports procurekit keeps its own backend,
    rcParams and figure list."""
    from matplotlib import rc_context

    with rc_context({
        "font.family": "DejaVu Sans",
        "font.size": font_size,
        "svg.hashsalt": "procurekit",
        "svg.fonttype": "path",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }):
        yield


def drawn(fig: Any, title: str, alt: str) -> Chart:
    """A drawn figure as a `Chart`: laid out once, then written in the encodings asked for (`encodings`):
    SVG without timestamps and with fixed ids, PNG at 150 dpi, so that a report made twice is byte-identical."""
    from matplotlib.layout_engine import TightLayoutEngine

    # The engine's one pass, as `fig.tight_layout()` does it, but not left on the figure: a figure that
    # holds a layout engine is laid out once more (without drawing) inside every `savefig`.
    TightLayoutEngine().execute(fig)
    svg_buf, png_buf = io.StringIO(), io.BytesIO()
    wanted = _ENCODINGS.get()
    if "svg" in wanted:
        fig.savefig(svg_buf, format="svg", metadata={"Date": None, "Creator": "procurekit"})
    if "png" in wanted:
        fig.savefig(png_buf, format="png", dpi=150, metadata={"Software": "procurekit"})
    svg = svg_buf.getvalue()
    svg = svg[svg.index("<svg"):] if svg else ""  # inline: no XML declaration or doctype
    return Chart(title=title, alt=alt, svg=svg, png=png_buf.getvalue())


#: The encodings `chart` draws: both unless a caller that knows its output format asks for one (`encodings`).
_ENCODINGS: ContextVar[frozenset[str]] = ContextVar("procurekit_chart_encodings", default=frozenset({"svg", "png"}))


@contextmanager
def encodings(*names: str) -> Iterator[None]:
    """Within the block, charts are drawn only in `names` ("svg" for HTML, "png" for PDF, DOCX and Markdown):
    each encoding is a full render, a quarter of a report's time."""
    token = _ENCODINGS.set(frozenset(names))
    try:
        yield
    finally:
        _ENCODINGS.reset(token)


def _plot(  # type: ignore[no-untyped-def]
    ax, x_labels: Sequence[str], series: Sequence[Series], highlight: Sequence[int], value_labels: bool,
    percent: bool, lang: str,
) -> None:
    """The data: bars side by side (the highlighted ones in the alarm colour), steps and lines."""
    xs = list(range(len(x_labels)))
    bars = [s for s in series if s.kind == "bar"]
    width = 0.8 / max(1, len(bars))
    for i, s in enumerate(series):
        colour = _COLOURS[i % len(_COLOURS)]
        if s.kind == "bar":
            j = bars.index(s)
            offset = (j - (len(bars) - 1) / 2) * width
            colours = [_ALARM if k in highlight else colour for k in range(len(s.values))]
            drawn = ax.bar([x + offset for x in xs], list(s.values), width=width, label=s.label, color=colours)
            if value_labels:
                ax.bar_label(drawn, labels=[_tick(v, percent, lang) for v in s.values], padding=2, fontsize=8)
        elif s.kind == "step":
            ax.step(xs, list(s.values), where="mid", label=s.label, color=colour, linewidth=1.6)
        else:
            ax.plot(xs, list(s.values), label=s.label, color=colour, linewidth=1.6)


def _axes(  # type: ignore[no-untyped-def]
    ax, title: str, x_labels: Sequence[str], series: Sequence[Series], y_label: str, x_label: str, lang: str,
    limit: float | None, limit_label: str, percent: bool, headroom: bool,
) -> None:
    """Ticks, labels, title, scale, grid and legend."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    xs = list(range(len(x_labels)))
    widest = max((len(label) for label in x_labels), default=1)
    most = max(3, min(10, 70 // max(1, widest)))  # as many labels as fit side by side
    step = 1 if len(xs) <= 8 else max(1, -(-len(xs) // most))
    ax.set_xticks(xs[::step], [x_labels[i] for i in xs[::step]], rotation=0)
    ax.set_ylabel(y_label)
    if x_label:
        ax.set_xlabel(x_label)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _tick(value, percent, lang)))
    if percent:
        top = max([*(v for s in series for v in s.values), limit or 0, 0.01])
        ax.set_ylim(0, 1.12 if top > 0.75 else top * 1.35)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))  # whole percents
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        top = max([*(v for s in series for v in s.values), limit or 0, 1])
        ax.set_ylim(0, top * (1.3 if headroom else 1.15))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if len(series) > 1 or limit_label:  # below the plot, where it hides no data
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16 if x_label else -0.1),
                  ncol=len(series) + (1 if limit_label else 0))


# ---- drawing beside the work that needs the charts ------------------------------------------------


class _PendingChart(Chart):
    """A chart being drawn in the worker: its title and text alternative now, each encoding when first
    read (an encoding not asked for is empty at once, as `chart` leaves it)."""

    _wanted: frozenset[str]
    _future: Future[Chart]
    _call: tuple[tuple[Any, ...], dict[str, Any]]
    _here: Chart | None

    def __init__(self, title: str, alt: str, wanted: frozenset[str], future: Future[Chart],
                 call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
        for name, value in (("title", title), ("alt", alt), ("_wanted", wanted), ("_future", future),
                            ("_call", call), ("_here", None)):
            object.__setattr__(self, name, value)  # frozen, as Chart

    @property
    def svg(self) -> str:  # type: ignore[override]
        return self._drawn().svg if "svg" in self._wanted else ""

    @property
    def png(self) -> bytes:  # type: ignore[override]
        return self._drawn().png if "png" in self._wanted else b""

    def _drawn(self) -> Chart:
        from concurrent.futures.process import BrokenProcessPool

        if self._here is not None:
            return self._here
        try:
            return self._future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): drawn here instead
            object.__setattr__(self, "_here", _draw_here(self._wanted, *self._call))
            return self._drawn()


class _Worker:
    """One forked process that loads matplotlib at once, then draws the charts sent to it."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool

    def draw(self, title: str, alt: str, args: tuple[Any, ...], options: dict[str, Any]) -> Chart:
        from concurrent.futures.process import BrokenProcessPool

        wanted = _ENCODINGS.get()
        try:
            future = self.pool.submit(_draw_here, wanted, args, options)
        except BrokenProcessPool:  # it died before this chart: drawn here
            return _draw_here(wanted, args, options)
        return _PendingChart(title, alt, wanted, future, (args, options))


def _draw_here(wanted: frozenset[str], args: tuple[Any, ...], options: dict[str, Any]) -> Chart:
    """Draw one chart in this process (in the worker, or here when the worker is gone)."""
    token = _WORKER.set(None)
    try:
        with encodings(*wanted):
            return chart(*args, **options)
    finally:
        _WORKER.reset(token)


def _worker_start(parent: int) -> None:
    """The worker: loads matplotlib at once. It ends with the command however the command ends (killed
    too: Linux's PR_SET_PDEATHSIG), and ignores Ctrl-C, which the command handles and then shuts the worker
    down (else a key press would also print the worker's traceback)."""
    import ctypes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl in this C library: the command's own exit ends it
        pass
    if os.getppid() != parent:  # the command ended before the line above
        os._exit(0)
    import matplotlib.backends.backend_agg  # noqa: F401  (the PNG canvas; the font list comes with it)
    import matplotlib.figure  # noqa: F401
    import matplotlib.layout_engine  # noqa: F401


def _can_fork() -> bool:
    """A fork is safe and worth it: Linux, two CPUs for us, and this process runs one thread (a fork copies
    no other thread, so a lock one of them held, polars' pool for one, would never be released)."""
    if sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _import_numpy_unthreaded() -> bool:
    """Import numpy before the fork: both processes need it (matplotlib in the worker, the dataset reader
    here), and imported once it costs one of them nothing. OpenBLAS's thread pool is kept off for it (one
    thread: nothing in a report is linear algebra worth a thread), so this process stays safe to fork; the
    environment is left as it was. False if numpy is not installed."""
    if "numpy" in sys.modules:
        return True
    saved = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    finally:
        if saved is None:
            del os.environ["OPENBLAS_NUM_THREADS"]
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = saved
    return True


#: The worker charts are drawn in, within `charts_drawn_aside`; None: drawn where `chart` is called.
_WORKER: ContextVar[_Worker | None] = ContextVar("procurekit_chart_worker", default=None)


@contextmanager
def charts_drawn_aside() -> Iterator[None]:
    """Within the block, charts are drawn in a worker process forked on entry, beside the work that
    follows (the check, the document's text): it loads matplotlib while this process checks, and draws a
    chart while this one lays out the pages before it. Each chart is the one `chart` draws here, byte for
    byte. Where a fork is not safe or has no second CPU, charts are drawn here as always.

    Enter it before anything has started a thread (polars does, when imported): the command line does.
    """
    if not _can_fork() or not (_import_numpy_unthreaded() and _can_fork()):
        yield
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start,
                               initargs=(os.getpid(),))
    known = set(multiprocessing.active_children())
    pool.submit(int)  # forks now, before this process starts any thread
    forked = [p for p in multiprocessing.active_children() if p not in known]
    token = _WORKER.set(_Worker(pool))
    try:
        yield
    except BaseException:
        for process in forked:  # the command failed: no chart is needed, nor the worker's start waited for
            process.kill()
        raise
    finally:
        _WORKER.reset(token)
        pool.shutdown(wait=True, cancel_futures=True)
