"""procurekit leaves process-wide state as it found it: the csv field size limit, matplotlib's backend and style."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import make_dataset, participant

from procurekit.dataset.read import read_dataset
from procurekit.documents.charts import Series, chart


@pytest.fixture
def small_csv_limit() -> Iterator[int]:
    previous = csv.field_size_limit(60)
    yield 60
    csv.field_size_limit(previous)


def test_csv_field_size_limit_is_restored(tmp_path: Path, small_csv_limit: int) -> None:
    # A 64-character pseudonym is within procurekit's own limit but over the caller's: read under
    # ours, and the caller's limit is back afterwards.
    pid = "P" * 64
    folder = make_dataset(tmp_path / "ds", [participant(pid)])
    assert [p.participant_id for p in read_dataset(folder).participants] == [pid]
    assert csv.field_size_limit() == small_csv_limit
    with pytest.raises(csv.Error):
        next(csv.reader([pid]))


def test_chart_leaves_matplotlib_state_alone() -> None:
    code = """
import matplotlib
matplotlib.use("svg")
matplotlib.rcParams["font.size"] = 17.0
from procurekit.documents.charts import Series, chart
chart("t", ["a", "b"], [Series("s", [1, 2])], y_label="n")
import sys
print(matplotlib.get_backend(), matplotlib.rcParams["font.size"], matplotlib.rcParams["svg.hashsalt"],
      "matplotlib.pyplot" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["svg", "17.0", "None", "False"]


def test_chart_is_the_same_after_someone_changes_rcparams() -> None:
    import matplotlib

    before = chart("t", ["a", "b"], [Series("s", [1, 2])], y_label="n")
    with matplotlib.rc_context({"font.size": 20, "axes.spines.top": True}):
        during = chart("t", ["a", "b"], [Series("s", [1, 2])], y_label="n")
    assert during.svg == before.svg


def test_a_chart_is_drawn_only_in_the_encodings_asked_for() -> None:
    """A PDF report draws PNGs only, an HTML report SVGs only; outside the block, both (and back again)."""
    from procurekit.documents.charts import encodings

    series = [Series("a", (1.0, 2.0), "bar")]
    with encodings("png"):
        png_only = chart("t", ["x", "y"], series, y_label="n")
        with encodings("svg"):
            svg_only = chart("t", ["x", "y"], series, y_label="n")
    both = chart("t", ["x", "y"], series, y_label="n")
    assert png_only.svg == "" and png_only.png.startswith(b"\x89PNG")
    assert svg_only.png == b"" and svg_only.svg.startswith("<svg")
    assert both.svg.startswith("<svg") and both.png.startswith(b"\x89PNG")


_SHARE = """
import os, sys
os.environ.pop("POLARS_MAX_THREADS", None)
{before}
from procurekit.evaluation.batch import share_cores
share_cores({workers})
import polars
print(os.environ.get("POLARS_MAX_THREADS"), polars.thread_pool_size())
"""


@pytest.mark.parametrize(("before", "workers", "want"), [
    ("", 2, "share"),  # a register on two workers: polars' pool sized to each one's share of the CPUs
    ("", 1, None),  # one worker keeps every CPU
    ("import polars", 2, None),  # too late: polars sized its pool at import; nothing is changed
    ("os.environ['POLARS_MAX_THREADS'] = '3'", 2, "3"),  # the user's own setting stands
])
def test_register_workers_share_the_cpus(before: str, workers: int, want: str | None) -> None:
    import os

    out = subprocess.run([sys.executable, "-c", _SHARE.format(before=before, workers=workers)],
                         capture_output=True, text=True, check=True).stdout.split()
    share = str(max(1, (os.cpu_count() or 1) // workers))
    expected = share if want == "share" else want
    assert out[0] == str(expected)
    if expected is not None:
        assert out[1] == expected  # polars' pool has that size


def test_the_ledger_timeline_leaves_matplotlib_state_alone() -> None:
    code = """
import matplotlib
matplotlib.use("svg")
matplotlib.rcParams["font.size"] = 17.0
import matplotlib.pyplot as plt
plt.figure()
from procurekit.ledger.gantt import Span, breach_timeline
c = breach_timeline("T", ["2019-01", "2019-02"], [Span("r P1", 0, 1, True)], alt="a", legend=("open", "closed"))
assert c.svg.startswith("<svg") and c.png.startswith(b"\\x89PNG")
print(matplotlib.get_backend(), matplotlib.rcParams["font.size"], len(plt.get_fignums()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["svg", "17.0", "1"]
