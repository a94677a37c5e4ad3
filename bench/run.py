"""Benchmark: throughput, peak memory, wrapper overhead and memory flatness. Not a test.

    python bench/run.py [--sizes 1000,10000,100000] [--out bench/results.md]

1. End to end: `procurekit check REGISTER --format json -o FILE` (read, derive, evaluate, write) on
   synthetic registers (bench/synth.py; 1 contract per ~1,020 participants, 18 months of hours each),
   for both engines; participant-months per second and the peak resident memory of the whole process
   tree (parent + workers, sampled every 50 ms from /proc).
2. Wrapper overhead: the same facts asserted into the same compiled durable_rules ruleset through
   procurekit's DurableEngine and raw (host.assert_facts in batches + delete_state), in one process.
3. Memory flatness: 1,000 consecutive checks of the example contract in one process; RSS growth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402
from speed import process_tree, rss_kib  # noqa: E402  (the /proc sampling speed.py does)

DATA = ROOT / "bench" / "data"
PROCUREKIT = [sys.executable, "-m", "procurekit"]


def run_measured(cmd: list[str]) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak tree RSS in MiB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(rss_kib(p)[0] for p in process_tree(proc.pid)))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, peak / 1024, proc.returncode


def register(size: int) -> tuple[Path, int]:
    contracts = max(1, round(size / 1020.4))
    folder = DATA / f"register-{size}"
    marker = folder / ".rows"
    if not marker.exists():
        rows = synth.write_register(folder, size, contracts)
        marker.write_text(str(rows))
    return folder, int(marker.read_text())


def end_to_end(sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        folder, months = register(size)
        for engine in ("durable", "python"):
            out = DATA / f"check-{size}-{engine}.json"
            seconds, peak, code = run_measured(
                [*PROCUREKIT, "check", str(folder), "--format", "json", "--engine", engine,
                 "--as-of", "2021-12-31", "-o", str(out)]
            )
            summary = json.loads(out.read_text())["summary"]
            rows.append({"participants": size, "participant_months": months, "engine": engine,
                         "seconds": round(seconds, 1), "pm_per_s": round(months / seconds),
                         "peak_mib": round(peak), "violations": summary["violation"], "exit": code})
            print(rows[-1], flush=True)
        a = json.loads((DATA / f"check-{size}-durable.json").read_text())
        b = json.loads((DATA / f"check-{size}-python.json").read_text())
        for doc in (a, b):
            for c in doc["checks"]:
                c.pop("engine")
        assert a == b, "engines disagree"
    return rows


def overhead(size: int = 10000) -> dict:
    """procurekit's DurableEngine vs raw durable_rules on the same facts and the same ruleset."""
    from procurekit import check, load_ruleset, read_dataset
    from procurekit.dataset.facts import derive
    from procurekit.evaluation.engines import DurableEngine, make_plan

    folder, _ = register(size)
    datasets = [read_dataset(p) for p in sorted(folder.iterdir()) if p.is_dir()]
    rs = load_ruleset("ikast-brande")
    as_of = dt.date(2021, 12, 31)
    params = rs.params_at(as_of)
    engine = DurableEngine()
    kind = "participant_month"
    plan = make_plan(rs, kind, params, [r for r in rs.rules if r.subject == kind])
    facts = [f.values for ds in datasets for f in derive(ds, as_of)[kind]]
    engine.run(plan, facts[:10])  # compile
    compiled = engine._compile(plan)
    raw_facts = [engine._to_fact(compiled, i, v, "raw") for i, v in enumerate(facts)]
    host = engine._host
    best_raw = best_wrapped = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for start in range(0, len(raw_facts), engine.BATCH):
            batch = raw_facts[start:start + engine.BATCH]
            host.assert_facts(compiled.name, batch)
            host.delete_state(compiled.name, "raw")
        engine._hits.clear()
        best_raw = min(best_raw, time.perf_counter() - t)
        t = time.perf_counter()
        engine.run(plan, facts)
        best_wrapped = min(best_wrapped, time.perf_counter() - t)
    check(datasets[0], as_of=as_of)  # the whole path still works after the raw runs
    return {"facts": len(facts), "raw_s": round(best_raw, 3), "procurekit_s": round(best_wrapped, 3),
            "ratio": round(best_wrapped / best_raw, 2)}


def flat_memory(n: int = 1000) -> dict:
    from procurekit import check, read_dataset

    ds = read_dataset(ROOT / "examples" / "ikast-brande")
    for _ in range(20):  # warm up caches and allocator arenas
        check(ds)
    before = rss_kib(os.getpid())[0]
    start = time.perf_counter()
    for _ in range(n):
        check(ds)
    seconds = time.perf_counter() - start
    growth = (rss_kib(os.getpid())[0] - before) / 1024
    return {"checks": n, "rss_growth_mib": round(growth, 1), "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    e2e = end_to_end(sizes)
    ovh = overhead(min(10000, max(sizes)))
    print(ovh, flush=True)
    mem = flat_memory()
    print(mem, flush=True)
    lines = [
        f"# Benchmark results ({dt.date.today()}, {platform.python_version()}, {os.cpu_count()} CPUs)",
        "",
        "End to end, `procurekit check REGISTER --format json -o FILE` (read, derive, evaluate, write):",
        "",
        "| participants | participant-months | engine | seconds | participant-months/s | peak RSS (MiB) |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for r in e2e:
        lines.append(f"| {r['participants']:,} | {r['participant_months']:,} | {r['engine']} | {r['seconds']} "
                     f"| {r['pm_per_s']:,} | {r['peak_mib']} |")
    lines += [
        "",
        f"Wrapper overhead on {ovh['facts']:,} participant-month facts: raw durable_rules {ovh['raw_s']} s, "
        f"through procurekit {ovh['procurekit_s']} s: **{ovh['ratio']}×** (goal ≤ 1.3×).",
        "",
        f"Memory: {mem['checks']:,} consecutive checks of the example contract in one process grew RSS by "
        f"**{mem['rss_growth_mib']} MiB** (goal < 20 MiB) in {mem['seconds']} s.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
