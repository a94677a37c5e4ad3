"""Benchmark: how long the documents take, end to end through the CLI. Not a test.

    python bench/docs.py [--repeat 3] [--out bench/results-docs.md]

For each format: `procurekit tender examples/ikast-brande/tender.yaml --format F` (three documents, or
one JSON file) and `procurekit report examples/ikast-brande --format F` (39 participants, 3 charts),
each run `--repeat` times in a fresh process (interpreter start-up and imports included); the median
wall time and the output size are reported.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCUREKIT = [sys.executable, "-m", "procurekit"]
EXAMPLE = ROOT / "examples" / "ikast-brande"


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([*PROCUREKIT, *args], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"procurekit {' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-docs.md")
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for fmt in ("md", "html", "docx", "pdf", "ocds", "eforms"):
            folder = out / f"tender-{fmt}"
            times = [_run(["tender", str(EXAMPLE / "tender.yaml"), "--format", fmt, "-o", str(folder)])
                     for _ in range(opts.repeat)]
            size = sum(p.stat().st_size for p in folder.iterdir())
            rows.append(("tender", fmt, statistics.median(times), size))
        for fmt in ("md", "html", "docx", "pdf"):
            target = out / f"report.{fmt}"
            times = [_run(["report", str(EXAMPLE), "--format", fmt, "-o", str(target)]) for _ in range(opts.repeat)]
            rows.append(("report", fmt, statistics.median(times), target.stat().st_size))
    lines = [
        "# Document benchmark",
        "",
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"median of {opts.repeat} runs, each a fresh process (start-up and imports included).",
        "",
        "| command | format | seconds | bytes written |",
        "|---|---|---:|---:|",
        *(f"| {cmd} | {fmt} | {sec:.2f} | {size:,} |" for cmd, fmt, sec, size in rows),
        "",
    ]
    opts.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
