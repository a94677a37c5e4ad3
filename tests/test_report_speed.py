"""What keeps `procurekit report` fast (issue 17) without changing what it writes: each chart laid out and
drawn once per encoding; the command draws its charts in a worker process (loading matplotlib there while
it checks), loads only the writer of its format, and leaves no worker behind however it ends."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
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


# ---- charts drawn aside: the command's worker process -------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
PYTHON_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
#: The worker is used on Linux with two CPUs (charts_drawn_aside); elsewhere charts are drawn in the command.
ASIDE = sys.platform == "linux" and len(os.sched_getaffinity(0)) >= 2


def _python(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT,
                          env=PYTHON_ENV, timeout=timeout)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "md"])
def test_the_command_writes_what_the_library_writes_and_loads_only_its_writer(fmt: str, tmp_path: Path) -> None:
    # The command draws its charts in a worker; the document is the one drawn here, byte for byte (the
    # PDF's and the PNGs'; a DOCX is a zip whose entries carry the time they were written).
    out = tmp_path / f"r.{fmt}"
    script = """
import json, sys
from procurekit.cli import cli
try:
    cli(["report", sys.argv[1], "--format", sys.argv[2], "-o", sys.argv[3]])
except SystemExit as exc:
    assert exc.code in (0, 1), exc.code
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""
    done = _python(script, str(EXAMPLE), fmt, str(out))
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "docx" not in loaded or fmt == "docx"
    assert "fpdf" not in loaded or fmt == "pdf"
    if ASIDE:  # matplotlib is the worker's alone
        assert "matplotlib" not in loaded

    from procurekit import check, report_document

    here = report_document(check(EXAMPLE), fmt, image_prefix="r")
    if fmt == "docx":
        with zipfile.ZipFile(out) as written, zipfile.ZipFile(io.BytesIO(here[""])) as drawn:
            assert {n: written.read(n) for n in written.namelist()} == {n: drawn.read(n) for n in drawn.namelist()}
    else:
        assert out.read_bytes() == here[""]
    for name, data in here.items():
        if name:
            assert (tmp_path / name).read_bytes() == data


_DRAW = """
import os, signal, sys
from procurekit.documents.charts import Series, _WORKER, chart, charts_drawn_aside, encodings
args = ("t", ["x", "y"], [Series("a", (1.0, 2.0), "bar")])
with encodings("png"):
    with charts_drawn_aside():
        worker = _WORKER.get()
        assert worker is not None, "no worker"
        pid = worker.pool.submit(os.getpid).result()
        assert pid != os.getpid()
        if sys.argv[1] == "before":
            os.kill(pid, signal.SIGKILL)
        pending = chart(*args, y_label="n")
        if sys.argv[1] == "while":
            os.kill(pid, signal.SIGKILL)
        assert pending.svg == ""
        aside, again = pending.png, chart(*args, y_label="n").png
        assert sys.argv[1] != "never" or "matplotlib" not in sys.modules, "drawn here"
    here = chart(*args, y_label="n").png
assert aside == here and again == here, "not the chart drawn here"
print("ok")
"""


@pytest.mark.skipif(not ASIDE, reason="the worker is used on Linux with two CPUs")
@pytest.mark.parametrize("when", ["never", "before", "while"])
def test_a_chart_is_drawn_even_when_the_worker_dies(when: str) -> None:
    done = _python(_DRAW, when)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = task / "children"
        if children.exists():
            out += [int(c) for c in children.read_text().split()]
    return out


@pytest.mark.skipif(not ASIDE, reason="the worker is used on Linux with two CPUs")
def test_the_worker_ends_with_a_killed_command(tmp_path: Path) -> None:
    command = subprocess.Popen(
        [sys.executable, "-m", "procurekit", "report", str(EXAMPLE), "--format", "pdf", "-o", str(tmp_path / "r.pdf")],
        cwd=ROOT, env=PYTHON_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (workers := _children(command.pid)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert workers, "no worker started"
    finally:
        command.kill()
        command.wait()
    deadline = time.monotonic() + 20
    while [w for w in workers if _state(w) != "Z"] and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [w for w in workers if _state(w) != "Z"]
    for w in alive:  # not left running when this fails
        os.kill(w, signal.SIGKILL)
    assert not alive, "the worker lives on"
    assert not (tmp_path / "r.pdf").exists()


def _state(pid: int) -> str:
    """A process's state letter; "Z" (as good as gone) when it has no /proc entry."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_a_failed_report_is_one_line_and_leaves_no_worker(tmp_path: Path) -> None:
    bad = tmp_path / "ds"
    bad.mkdir()
    for f in EXAMPLE.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    lines = (bad / "participants.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = "IB-X,garbage"
    (bad / "participants.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "procurekit", "report", str(bad), "--format", "pdf", "-o", str(tmp_path / "r.pdf")],
        cwd=ROOT, env=PYTHON_ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"Error: {bad / 'participants.csv'}: row 3: expected 10 fields, found 2\n"
    assert done.stdout == ""
    assert not (tmp_path / "r.pdf").exists()


def test_bold_italic_is_embedded_only_when_used() -> None:
    # Each face added is a TrueType file parsed whole; the bold italic one, which few documents use, is
    # added on first use.
    import datetime as dt

    from procurekit.documents.formats import write_formats

    def pdf(body: str) -> bytes:
        html = f"<html><head><title>T</title></head><body><h1>Æ</h1><p>{body}</p></body></html>"
        return write_formats(html, "pdf", lang="da", charts={}, day=dt.date(2020, 1, 1))

    plain = pdf("plain <strong>bold</strong> <em>italic</em>")
    assert b"DejaVuSansBoldOblique" not in plain and b"DejaVuSansOblique" in plain
    both = pdf("plain <strong><em>bold italic æøå</em></strong>")
    assert b"DejaVuSansBoldOblique" in both


@pytest.mark.skipif(not ASIDE, reason="the worker is used on Linux with two CPUs")
@pytest.mark.parametrize("threads", [None, "3"])
def test_numpy_is_imported_once_for_both_processes_and_the_environment_is_kept(threads: str | None) -> None:
    script = """
import os, sys
from procurekit.documents.charts import _WORKER, charts_drawn_aside
with charts_drawn_aside():
    assert _WORKER.get() is not None, "no worker"
    assert "numpy" in sys.modules  # imported before the fork: the worker has it already
    print(os.environ.get("OPENBLAS_NUM_THREADS"))
"""
    env = {k: v for k, v in PYTHON_ENV.items() if k != "OPENBLAS_NUM_THREADS"}
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = threads
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(threads)


def test_a_report_freezes_what_is_left_at_exit(tmp_path: Path) -> None:
    # atexit runs its handlers last registered first: this probe, registered before the report, sees
    # what the report's handler left.
    script = """
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
from procurekit.cli import cli
for _ in range(2):
    try:
        cli(["report", sys.argv[1], "--format", "md", "-o", sys.argv[2]])
    except SystemExit as exc:
        assert exc.code in (0, 1), exc.code
print("frozen before exit:", gc.get_freeze_count() > 0, flush=True)
"""
    done = _python(script, str(EXAMPLE), str(tmp_path / "r.md"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["frozen before exit: False", "frozen at exit: True"]
