"""Benchmark of the durable engine on one large contract (issue 17): end to end, and where one part's time goes.

    python bench/durable_contract.py [--sizes 100000] [--shapes contract,register] [--engines durable,python]
                            [--tree /path/to/other/checkout] [--no-stages] [--calm LOAD]
                            [--out bench/results-durable.md]

1. End to end: `procurekit check PATH --engine E --format json -o FILE` as of 2021-12-31, once per run in a
   fresh process (bench/speed.py's `measure`: wall time, CPU time of the process tree, peak resident memory
   of the whole tree, parent and workers, sampled every 10 ms). `--tree` measures another checkout too (main
   before a change, say), side by side; the JSON documents of the two trees must be byte-identical but for
   "engine", else this script says so and exits 1.
2. Stages: one part of the contract split in two (`check(..., part=(0, 2))`, what each worker does), in a
   fresh process of this checkout: seconds and peak resident memory of reading, deriving the facts, making
   durable's facts (the computed inputs and the fact frame), writing them as JSON, durable_rules' matching
   (its C core and its Python layer, actions included), turning what fired into verdicts, and explaining.

The data is bench/speed.py's synthetic data (bench/data, written on first use). Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import speed  # noqa: E402

# Runs in the measured process: one part of the check, each stage timed and its peak memory taken (VmHWM,
# reset at the stage's start through /proc/self/clear_refs).
_PROBE = r"""
import datetime, functools, json, sys, time
from pathlib import Path

def status(key):
    with open("/proc/self/status") as fh:
        return int(fh.read().split(key + ":")[1].split()[0]) / 1024

stages = {}

def note(name, seconds, peak):
    seconds0, peak0 = stages.get(name, (0.0, 0.0))
    stages[name] = (seconds0 + seconds, max(peak0, peak))

def reset():
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")

def timed(owner, attr, name):
    real = getattr(owner, attr)
    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        reset()
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            note(name, time.perf_counter() - t, status("VmHWM"))
    setattr(owner, attr, wrapper)

def timed_iter(owner, attr, name):
    real = getattr(owner, attr)
    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        it = real(*args, **kwargs)
        while True:
            reset()
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                return
            finally:
                note(name, time.perf_counter() - t, status("VmHWM"))
            yield item
    setattr(owner, attr, wrapper)

import procurekit.evaluation.check as check
import procurekit.evaluation.engines as engines
timed(check, "read_dataset", "read the dataset")
timed(check, "derive_frames", "derive the fact frames")
timed(check, "hours_gaps_frame", "hours gaps (part 0)")
timed(engines, "_fact_frame", "durable's facts: computed inputs, fact frame")
timed_iter(engines, "_json_lines", "durable's facts written as JSON")
timed(engines.DurableEngine, "_fire", "durable_rules matching (C core and Python layer)")
timed(engines, "_verdict_columns", "verdicts from what fired")
timed(check, "_facts", "explain: facts of the findings")
timed(check.Explainer, "__call__", "explain: messages and values")
start = time.perf_counter()
result = check.check(Path(sys.argv[1]), None, as_of=datetime.date(2021, 12, 31), engine="durable",
                     ok="counted", part=(0, 2))
total = time.perf_counter() - start
peak = max([status("VmHWM"), *(p for _, p in stages.values())])  # each stage reset the high-water mark
print(json.dumps({"total": total, "peak": peak, "findings": len(result.findings),
                  "stages": stages}))
"""


def stages(path: Path) -> dict[str, Any]:
    """One part of the check of `path`, in a fresh process of this checkout, stage by stage."""
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise SystemExit(f"the stage probe failed:\n{done.stderr}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def end_to_end(tree: Path, path: Path, engine: str, out: Path) -> speed.Run:
    """`procurekit check` of `path` with the procurekit of `tree` (its working folder first on the path)."""
    cmd = [sys.executable, "-m", "procurekit", "check", str(path), "--engine", engine, "--format", "json",
           "--as-of", speed.AS_OF, "--timeout", "0", "-o", str(out)]
    saved = speed.ROOT
    speed.ROOT = tree  # measure() runs from ROOT with ROOT first on the path
    try:
        return speed.measure(cmd)
    finally:
        speed.ROOT = saved


def _same_but_engine(a: Path, b: Path) -> bool:
    def strip(doc: Any) -> Any:
        if isinstance(doc, dict):
            return {k: strip(v) for k, v in doc.items() if k != "engine"}
        if isinstance(doc, list):
            return [strip(v) for v in doc]
        return doc

    if a.read_bytes() == b.read_bytes():
        return True
    return bool(strip(json.loads(a.read_text(encoding="utf-8"))) == strip(json.loads(b.read_text(encoding="utf-8"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000", help="participants, comma-separated")
    parser.add_argument("--shapes", default="contract,register")
    parser.add_argument("--engines", default="durable", help="durable, python")
    parser.add_argument("--tree", type=Path, help="another checkout of procurekit, measured as well")
    parser.add_argument("--no-stages", action="store_true", help="skip the stages of one part")
    parser.add_argument("--calm", type=float, metavar="LOAD",
                        help="before each run wait (up to 10 min) until the 1-minute load average is at most LOAD")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-durable.md")
    args = parser.parse_args()
    speed.CALM = args.calm
    trees = [("this", ROOT)] + ([("other", args.tree.resolve())] if args.tree else [])
    rows, failed = [], False
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            for shape in args.shapes.split(","):
                path, months, contracts = speed.dataset(size, shape)
                outs: dict[str, Path] = {}
                for engine in args.engines.split(","):
                    for label, tree in trees:
                        out = Path(tmp) / f"{label}-{engine}-{size}-{shape}.json"
                        load = speed.settle()
                        run = end_to_end(tree, path, engine, out)
                        if run.code not in (0, 1):
                            raise SystemExit(f"{label} {engine} {path}: exit {run.code}\n{run.stderr}")
                        print(f"{size:>7,} {shape:8} {engine:7} {label:5} {run.seconds:7.2f} s  CPU {run.cpu:6.2f} s"
                              f"  peak {run.peak_mib:6.0f} MiB  load {load:.1f}", flush=True)
                        rows.append((size, shape, months, engine, label, tree, run, load))
                        outs[f"{label}-{engine}"] = out
                first = next(iter(outs.values()))
                for key, out in outs.items():
                    if not _same_but_engine(first, out):
                        print(f"DIFFERENT OUTPUT: {key} vs {next(iter(outs))} ({path})", flush=True)
                        failed = True
        probe = None
        if not args.no_stages:
            path = speed.dataset(int(args.sizes.split(",")[-1]), "contract")[0]
            probe = stages(path)
    args.out.write_text(_markdown(rows, probe, load_before, failed), encoding="utf-8")
    print(f"wrote {args.out}")
    if failed:
        sys.exit(1)


def _markdown(rows: list[tuple[Any, ...]], probe: dict[str, Any] | None, load: tuple[float, ...],
              failed: bool) -> str:
    lines = [
        "# The durable engine on large data (issue 17)", "",
        f"Written by `python bench/durable_contract.py` on {dt.datetime.now():%Y-%m-%dT%H:%M}; 2 CPUs shared "
        f"with other "
        f"work (load average at the start: {' '.join(f'{x:.2f}' for x in load)}; each run's own in its row). "
        f"Targets for 1.8M participant-months (100k participants): durable ≤ {speed.WALL_TARGET['durable']:g} s, "
        "peak ≤ 1 GiB for the whole process tree. Wall time varies with the load; CPU time (the process "
        "tree's user + system) much less.", "",
        "| participants | shape | participant-months | engine | code | wall (s) | CPU (s) | peak tree (MiB) | load |",
        "|---:|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for size, shape, months, engine, label, tree, run, load_at in rows:
        lines.append(f"| {size:,} | {shape} | {months:,} | {engine} | {label} ({tree}) | {run.seconds:.2f} | "
                     f"{run.cpu:.2f} | {run.peak_mib:,.0f} | {load_at:.1f} |")
    lines += ["", "Outputs: " + ("**differ** (see the run's messages)." if failed else
                                 "byte-identical JSON between the checkouts (but `engine` between engines).")]
    if probe is not None:
        lines += [
            "", "## One part of the 100k contract (what each of the two workers does)", "",
            f"`check(part=(0, 2))` in one process: {probe['total']:.2f} s, peak {probe['peak']:.0f} MiB, "
            f"{probe['findings']:,} findings. Peak = the most resident memory during the stage.", "",
            "| stage | seconds | peak (MiB) |", "|---|---:|---:|",
        ]
        for name, (seconds, peak) in probe["stages"].items():
            lines.append(f"| {name} | {seconds:.2f} | {peak:.0f} |")
        lines.append(f"| the rest (rule set, explanations' bookkeeping, …) | "
                     f"{probe['total'] - sum(s for s, _ in probe['stages'].values()):.2f} | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
