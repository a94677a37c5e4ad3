"""Benchmark of `procurekit report` (issue 17: `report --format pdf` in at most 2 s, start-up included). Not a test.

    python bench/report.py [--formats pdf,docx,html,md] [--repeat 3] [--dataset DIR] [--tree /path/to/checkout]

For each format, in fresh processes, the median of `--repeat` runs of:

1. the whole command, `python -m procurekit report DATASET --format F -o FILE`: wall seconds, CPU seconds
   (user and system) of its process tree, and of its own process alone (without the worker that draws
   the charts beside it: the command's critical path, about its wall time on an idle machine);
2. its phases, timed one after another in one process that calls what the command calls: start-up (the
   interpreter and `procurekit.cli`), the check's imports, the check, the chart library's import, the charts,
   the rest of the report's model, the HTML template, the writer's import (fpdf2, python-docx) and the writer.

A phase's imports are timed where they happen first, so "charts" does not include loading matplotlib.
`--tree` measures another checkout (main before a change, say) the same way, side by side. The machine
may be shared: the load average is printed before and after; compare runs made under similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
FORMATS = ("pdf", "docx", "html", "md")

# Runs in the measured process. It calls the functions `procurekit report` calls, in the same order.
_PROBE = r"""
import json, sys, time
start = time.perf_counter()
from pathlib import Path
folder, fmt, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
phases = {}
def lap(name, since):
    now = time.perf_counter()
    phases[name] = phases.get(name, 0.0) + now - since
    return now
import procurekit.cli
t = lap("start-up", start)
from procurekit import check, report_document
import procurekit.evaluation.check, procurekit.documents.report
t = lap("check imports", t)
result = check(folder, None, None, engine="durable", lang="da")
t = lap("check", t)
import matplotlib.figure, matplotlib.backends.backend_agg  # HTML draws SVG, the others PNG
t = lap("chart imports", t)
from procurekit.documents import report as report_module
drawn = report_module.report_charts
def timed_charts(*args, **kwargs):
    began = time.perf_counter()
    try:
        return drawn(*args, **kwargs)
    finally:
        phases["charts"] = phases.get("charts", 0.0) + time.perf_counter() - began
report_module.report_charts = timed_charts
from procurekit.documents.charts import encodings
with encodings("svg" if fmt == "html" else "png"):
    model = report_module.report_model(result, None)
t = lap("model", t)
phases["model"] -= phases["charts"]
from procurekit.documents.render import render
html = render("report.html.j2", result.lang, None, report=model)
t = lap("template", t)
if fmt == "pdf":
    import fpdf
elif fmt == "docx":
    import docx
t = lap("writer imports", t)
from procurekit.documents.formats import write_formats
data = write_formats(html, fmt, lang=result.lang, charts=model.charts, day=result.as_of)
out.write_bytes(data)
t = lap("writer", t)
phases["total"] = t - start
print(json.dumps(phases))
"""

# Runs the command as `python -m procurekit` does, and prints the CPU seconds of its own process at exit:
# what a worker process (charts drawn aside) does beside it is not on the command's critical path.
_COMMAND = r"""
import atexit, resource, runpy, sys
def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"\nOWN-CPU {usage.ru_utime + usage.ru_stime}\n")
atexit.register(_own_cpu)
sys.argv[0] = "procurekit"
runpy.run_module("procurekit", run_name="__main__", alter_sys=True)
"""

PHASES = ("start-up", "check imports", "check", "chart imports", "charts", "model", "template", "writer imports",
          "writer", "total")


def measure(tree: Path, dataset: Path, fmt: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of the whole command, and the median of each phase."""
    import resource

    walls, cpus, own, phases = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _COMMAND, "report", str(dataset), "--format", fmt,
                 "-o", str(Path(tmp) / f"report{i}.{fmt}")],
                cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False)
            walls.append(time.perf_counter() - began)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode not in (0, 1):
                raise SystemExit(f"report --format {fmt}: exit {done.returncode}\n{done.stderr}")
            own.append(float(done.stderr.rsplit("OWN-CPU ", 1)[1]))
            probe = subprocess.run(
                [sys.executable, "-c", _PROBE, str(dataset), fmt, str(Path(tmp) / f"probe{i}.{fmt}")],
                cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False)
            if probe.returncode != 0:
                raise SystemExit(f"probe {fmt}: {probe.stderr}")
            phases.append(json.loads(probe.stdout.strip().splitlines()[-1]))
    result = {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "own cpu": statistics.median(own)}
    for name in PHASES:
        result[name] = statistics.median(p.get(name, 0.0) for p in phases)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of pdf,docx,html,md")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per format (the median is shown)")
    parser.add_argument("--dataset", type=Path, default=EXAMPLE, help="the contract dataset to report on")
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="another checkout to measure the same way (repeatable)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    trees = [ROOT, *(t.resolve() for t in args.tree)]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for fmt in formats:
        print(f"\nreport --format {fmt}  (seconds, median of {args.repeat})")
        print(f"{'':18}" + "".join(f"{str(t)[-22:]:>24}" for t in trees))
        rows = [measure(t, args.dataset.resolve(), fmt, args.repeat) for t in trees]
        for name in ("wall", "cpu", "own cpu", *PHASES):
            label = {"wall": "command wall", "cpu": "command cpu", "own cpu": "  its own process",
                     "total": "phases total"}.get(name, "  " + name)
            print(f"{label:18}" + "".join(f"{r[name]:24.3f}" for r in rows))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
