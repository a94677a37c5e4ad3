"""Speed benchmark of issue 17: the engines and a plain polars yardstick side by side. Not a test.

    python bench/speed.py [--quick] [--sizes 1000,10000,100000] [--shapes contract,register]
                          [--engines yardstick,python,durable] [--repeat 5] [--calm LOAD]
                          [--out bench/results-speed.md]

1. Large data: synthetic participants (bench/synth.py, 18 months of hours each), 1k, 10k and 100k of them
   (100k ≈ 1.8M participant-months), each as ONE contract and as a REGISTER (a folder of contracts of
   ~1,020 participants, as bench/run.py makes them), generated once into bench/data and reused. On each:
   `procurekit check PATH --engine python|durable --format json -o FILE` and `bench/yardstick.py PATH -o FILE`
   (a plain polars evaluation of the same rules, CSV read to findings), each once, in a fresh process:
   wall time, CPU time, the peak resident memory of the whole process tree (parent and workers, /proc
   sampled every 10 ms; at least the largest single process's own peak), participant-months per second. The non-ok
   findings (contract, rule, subject, verdict) and the verdict counts of each engine must equal the
   yardstick's (and each other's): a difference is printed with the first differing rows, written into the
   results, and makes this script exit 1.
2. Small commands, the median of `--repeat` fresh processes (start-up and imports included):
   `procurekit --help`, `procurekit check examples/ikast-brande`, `procurekit report examples/ikast-brande
   --format pdf`.
3. Agreement of the yardstick itself with procurekit on data made to hit the rules' boundaries
   (bench/agreement.py), so a wrong yardstick cannot pass unnoticed.

The results, with the targets of issue 17 beside the measured values, go to one Markdown file. Every
procurekit command runs this worktree's code (PYTHONPATH), with the as-of date 2021-12-31 (the synthetic
contracts' end) for the large data. The machine may be shared: the load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

DATA = BENCH / "data"
EXAMPLE = ROOT / "examples" / "ikast-brande"
AS_OF = "2021-12-31"
PER_CONTRACT = 1020.4  # participants per contract of a register, as bench/run.py
GIB = 1024.0  # MiB
#: Issue 17's targets for 1.8M participant-months (100k participants), one contract or a register.
WALL_TARGET = {"python": 3.0, "durable": 20.0}
PEAK_TARGET_MIB = 1 * GIB
SMALL_TARGET = {"check": 0.3, "report pdf": 2.0}
ENGINES = ("yardstick", "python", "durable")
SHAPES = ("contract", "register")


@dataclass
class Run:
    """One measured process: wall seconds, CPU seconds of the tree, peak tree RSS (MiB), exit code, stderr."""

    seconds: float
    cpu: float
    peak_mib: float
    code: int
    stderr: str


# --- measuring -------------------------------------------------------------------------------------


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB: its resident memory now, and the most it has had."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def measure(cmd: list[str]) -> Run:
    """Run `cmd` from the repository root with this worktree's procurekit first on the path.

    The peak is the larger of the most the process tree held at once (VmRSS summed, sampled every 10 ms)
    and the most any one process of it held (its VmHWM as last seen), so a burst between two samples is
    not lost entirely. (wait4's ru_maxrss is not used: it counts this parent's memory at fork time.)
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, env=env)
        peak_kib, hwm_kib = 0, 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = [rss_kib(p) for p in process_tree(proc.pid)]
            peak_kib = max(peak_kib, sum(rss for rss, _ in now))
            hwm_kib = max([hwm_kib, *(hwm for _, hwm in now)])
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime  # the child and every descendant it waited for (the workers)
    return Run(seconds, cpu, max(peak_kib, hwm_kib) / 1024, proc.returncode, stderr)


#: --calm: before each measured run, wait until the 1-minute load average is at most this (None: do not wait).
CALM: float | None = None
CALM_MAX_WAIT = 600.0


def settle() -> float:
    """Wait (up to CALM_MAX_WAIT seconds) for the machine to calm down; return the load the run starts at."""
    waited = 0.0
    while CALM is not None and os.getloadavg()[0] > CALM and waited < CALM_MAX_WAIT:
        time.sleep(5)
        waited += 5
    return os.getloadavg()[0]


def procurekit(*args: str) -> list[str]:
    """The command line of `procurekit ARGS` in this interpreter."""
    return [sys.executable, "-m", "procurekit", *args]


# --- data --------------------------------------------------------------------------------------------


def dataset(size: int, shape: str) -> tuple[Path, int, int]:
    """(path, participant-months, contracts) of the synthetic data; written on first use."""
    if shape == "register":
        folder, marker = DATA / f"register-{size}", DATA / f"register-{size}" / ".rows"  # bench/run.py's layout
        contracts = max(1, round(size / PER_CONTRACT))
        if not marker.exists():
            print(f"writing {folder} ...", flush=True)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(synth.write_register(folder, size, contracts)))
        return folder, int(marker.read_text()), contracts
    folder, marker = DATA / f"contract-{size}", DATA / f"contract-{size}.rows"
    if not marker.exists():
        print(f"writing {folder} ...", flush=True)
        marker.write_text(str(synth.write_contract(folder, size, 1)))
    return folder, int(marker.read_text()), 1


# --- findings ----------------------------------------------------------------------------------------


def procurekit_findings(path: Path) -> tuple[list[list[str]], dict[str, int]]:
    """The non-ok findings (contract, rule, subject, verdict), sorted, and the verdict counts of a
    `procurekit check --format json` document (one contract or a register)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    checks = doc["checks"] if "checks" in doc else [doc]
    found = sorted([c["contract"], f["rule"], f["subject"], f["verdict"]] for c in checks for f in c["findings"])
    if doc.get("errors"):
        raise SystemExit(f"{path}: contracts not checked: {doc['errors'][:3]}")
    return found, dict(doc["summary"])


def yardstick_findings(path: Path) -> tuple[list[list[str]], dict[str, int]]:
    """The same from a bench/yardstick.py document."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc["findings"], doc["summary"]


# --- the runs ------------------------------------------------------------------------------------------


Result = tuple[list[list[str]], dict[str, int]]


def run_one(path: Path, out: Path, engine: str) -> tuple[Run, Result | None, dict[str, float]]:
    """One large run: the measurement, its findings (None when it failed) and the yardstick's phases."""
    out.unlink(missing_ok=True)
    if engine == "yardstick":
        run = measure([sys.executable, str(BENCH / "yardstick.py"), str(path), "--as-of", AS_OF, "-o", str(out)])
        if run.code != 0:
            return run, None, {}
        return run, yardstick_findings(out), json.loads(out.read_text(encoding="utf-8"))["timings"]
    # No time limit: a slow engine is measured, not cut off (`check`'s own default is 600 s).
    run = measure(procurekit("check", str(path), "--engine", engine, "--format", "json", "--as-of", AS_OF,
                             "--timeout", "0", "-o", str(out)))
    found = procurekit_findings(out) if run.code in (0, 1) else None
    out.unlink(missing_ok=True)  # up to ~100 MB; the yardstick's stays for a look
    return run, found, {}


def large(sizes: list[int], shapes: list[str], engines: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every size × shape × engine once; rows for the table and the problems found (mismatches, failures)."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for size in sizes:
        for shape in shapes:
            path, months, contracts = dataset(size, shape)
            results: dict[str, Result] = {}
            for engine in engines:
                load = settle()
                run, found, phases = run_one(path, DATA / f"out-{shape}-{size}-{engine}.json", engine)
                where = f"{size:,} participants, {shape}, {engine}"
                if found is None:
                    last = (run.stderr.strip().splitlines() or [""])[-1][:300]
                    problems.append(f"{where}: exit {run.code}: {last}")
                    agrees = f"**failed** (exit {run.code})"
                else:
                    results[engine] = found
                    agrees = _agreement(where, results, engine, problems)
                rows.append({"participants": size, "shape": shape, "contracts": contracts, "months": months,
                             "engine": engine, "seconds": run.seconds, "cpu": run.cpu, "peak_mib": run.peak_mib,
                             "load": load,
                             "non_ok": len(found[0]) if found else None, "agrees": agrees, "phases": phases})
                print(f"{size:>7,} {shape:8} {engine:9} {run.seconds:7.2f} s (CPU {run.cpu:6.2f} s) "
                      f"{run.peak_mib:7.0f} MiB {len(found[0]) if found else '-':>7} non-ok  agrees: {agrees}",
                      flush=True)
    return rows, problems


def _agreement(where: str, results: dict[str, Result], engine: str, problems: list[str]) -> str:
    """'yes' when `engine`'s findings equal the yardstick's and the python engine's (those present), else
    '**NO**' with the differences added to `problems` and printed; '—' for the yardstick itself."""
    from agreement import differences  # (agreement imports polars and procurekit: only when comparing)

    verdicts = []
    for other in ("yardstick", "python"):
        if other in results and other != engine:
            diff = differences(other, results[other], engine, results[engine])
            if diff:
                problems += [f"{where}: {diff[0]}", *diff[1:]]
                print("\n*** MISMATCH ***\n" + "\n".join([f"{where}: {diff[0]}", *diff[1:]]), file=sys.stderr)
            verdicts.append(not diff)
    return "—" if not verdicts else "yes" if all(verdicts) else "**NO**"


def small(repeat: int) -> list[dict[str, Any]]:
    """Median wall time of the small commands, each in a fresh process."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "--help": procurekit("--help"),
            "check": procurekit("check", str(EXAMPLE)),
            "report pdf": procurekit("report", str(EXAMPLE), "--format", "pdf", "-o", str(Path(tmp) / "report.pdf")),
        }
        for name, cmd in commands.items():
            settle()
            runs = [measure(cmd) for _ in range(repeat + 1)][1:]  # the first warms the file cache
            if any(r.code not in (0, 1) for r in runs):
                raise SystemExit(f"{' '.join(cmd)} failed: {runs[0].stderr.strip()[-1000:]}")
            rows.append({"command": name, "argv": cmd[3:], "median": statistics.median(r.seconds for r in runs),
                         "min": min(r.seconds for r in runs), "cpu": statistics.median(r.cpu for r in runs),
                         "peak_mib": max(r.peak_mib for r in runs)})
            print(f"{name:10} median {rows[-1]['median']:.3f} s (min {rows[-1]['min']:.3f} s)", flush=True)
    return rows


# --- the report -------------------------------------------------------------------------------------


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return "—"
    return f"≤ {target:g}: {'met' if value <= target else '**not met**'}"


def _machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    import polars

    head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--", "procurekit"],
                          capture_output=True, text=True)  # the last commit that changed procurekit/
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "procurekit"],
                           capture_output=True, text=True).stdout.strip()
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {_mem_gib():.0f} GiB; Python {platform.python_version()}, "
        f"polars {polars.__version__}; {dt.datetime.now().isoformat(timespec='minutes')}",
        f"- Code: procurekit/ as of commit {head.stdout.strip()}{' with local changes' if dirty else ''}",
    ]


def _mem_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def markdown(big: list[dict[str, Any]], little: list[dict[str, Any]], agreement: list[str],
             problems: list[str], loads: tuple[str, str], repeat: int) -> str:
    """The results file: the machine, the tables with the targets beside the values, any problem."""
    lines = ["# Speed benchmark (issue 17)", "", "Written by `python bench/speed.py` (`make bench`).", "",
             *_machine(),
             f"- Load average (1, 5, 15 min) before: {loads[0]}; after: {loads[1]} (the machine may be shared: "
             "where a one-process run's wall time is well above its CPU time, it waited for a CPU)",
             *([f"- Each run waited until the 1-minute load average was at most {CALM:g} (`--calm`; at most "
                f"{CALM_MAX_WAIT / 60:g} minutes)"] if CALM is not None else []), ""]
    if problems:
        lines += ["## PROBLEMS: findings that differ, runs that failed", "", "```", *problems, "```", ""]
    if big:
        lines += _large_table(big)
    if little:
        lines += _small_table(little, repeat)
    if agreement:
        lines += ["## The yardstick checked against procurekit", "", *agreement, ""]
    return "\n".join(lines)


def _large_table(big: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Large data: `procurekit check` and the yardstick", "",
        f"Each run once in a fresh process, as of {AS_OF}; wall time from start to exit; CPU = user + system "
        "time of the process tree (less sensitive than wall time to other work on a shared machine); peak = "
        "resident memory of the whole process tree (a forked worker's pages shared with its parent count in "
        "both). Targets (issue 17, for 1.8M participant-months: 100k participants, one contract or a register): "
        "python ≤ 3 s, durable ≤ 20 s, peak ≤ 1 GiB. The yardstick (bench/yardstick.py: plain polars, CSV read "
        "to findings, exact decimals) has no target: it shows what the machine can do, and its findings are "
        "the reference ('agrees': the non-ok findings and the verdict counts equal the yardstick's and the "
        "python engine's). Load = the 1-minute load average as the run began (2 CPUs: above 2, others "
        "were waiting).", "",
        "| participants | shape | contracts | participant-months | run | wall (s) | target | CPU (s) "
        "| × yardstick | peak (MiB) | target | participant-months/s | non-ok findings | agrees | load |",
        "|---:|---|---:|---:|---|---:|---|---:|---:|---:|---|---:|---:|---|---:|",
    ]
    yard = {(r["participants"], r["shape"]): r["seconds"] for r in big if r["engine"] == "yardstick"}
    for r in big:
        is_pk = r["engine"] != "yardstick"
        base = yard.get((r["participants"], r["shape"]))
        times = f"{r['seconds'] / base:.1f}" if base and is_pk else "—"
        name = f"check --engine {r['engine']}" if is_pk else "yardstick (polars)"
        wall = _verdict(r["seconds"], WALL_TARGET.get(r["engine"]) if r["participants"] == 100_000 else None)
        peak = _verdict(r["peak_mib"], PEAK_TARGET_MIB if is_pk else None).replace("≤ 1024", "≤ 1 GiB")
        found = "—" if r["non_ok"] is None else f"{r['non_ok']:,}"
        lines.append(
            f"| {r['participants']:,} | {r['shape']} | {r['contracts']} | {r['months']:,} | {name} "
            f"| {r['seconds']:.2f} | {wall} | {r['cpu']:.2f} | {times} | {r['peak_mib']:,.0f} | {peak} "
            f"| {r['months'] / r['seconds']:,.0f} | {found} | {r['agrees']} | {r['load']:.1f} |")
    phased = [r for r in big if r["phases"]]
    if phased:
        lines += ["", "Where the yardstick's time goes (seconds, measured inside it; start = importing polars and "
                  "yaml; rule set = importing procurekit and loading the rule set through its API):", "",
                  "| participants | shape | start | rule set | read and validate | facts and rules |",
                  "|---:|---|---:|---:|---:|---:|"]
        for r in phased:
            p = r["phases"]
            lines.append(f"| {r['participants']:,} | {r['shape']} | {p['start_and_import']:.2f} "
                         f"| {p['rule_set']:.2f} | {p['read_and_validate']:.2f} | {p['evaluate']:.2f} |")
    return [*lines, ""]


def _small_table(little: list[dict[str, Any]], repeat: int) -> list[str]:
    lines = ["## Small commands", "",
             f"examples/ikast-brande ({_participants(EXAMPLE)} participants); the median of {repeat} fresh "
             "processes (interpreter start and imports included), after one unmeasured run.", "",
             "| command | median (s) | target | fastest (s) | CPU, median (s) | peak (MiB) |",
             "|---|---:|---|---:|---:|---:|"]
    for r in little:
        lines.append(f"| `procurekit {' '.join(_short(a) for a in r['argv'])}` | {r['median']:.3f} "
                     f"| {_verdict(r['median'], SMALL_TARGET.get(r['command']))} | {r['min']:.3f} "
                     f"| {r['cpu']:.3f} | {r['peak_mib']:,.0f} |")
    return [*lines, ""]


def _short(arg: str) -> str:
    """A path in a command as the reader would type it (relative to the repository, temp files named)."""
    if arg.startswith(str(ROOT)):
        return os.path.relpath(arg, ROOT)
    if arg.startswith(tempfile.gettempdir()):
        return Path(arg).name
    return arg


def _participants(folder: Path) -> int:
    with (folder / "participants.csv").open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip()) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="participants, comma-separated")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only (for iteration)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="contract, register")
    parser.add_argument("--engines", default=",".join(ENGINES), help="yardstick, python, durable")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each small command (the median is shown)")
    parser.add_argument("--no-small", action="store_true", help="skip the small commands")
    parser.add_argument("--no-agreement", action="store_true", help="skip checking the yardstick itself")
    parser.add_argument("--calm", type=float, metavar="LOAD",
                        help="before each run wait (up to 10 min) until the 1-minute load average is at most LOAD")
    parser.add_argument("--out", type=Path, default=BENCH / "results-speed.md")
    args = parser.parse_args()
    global CALM
    CALM = args.calm
    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    shapes = [s for s in args.shapes.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    for given, allowed in ((shapes, SHAPES), (engines, ENGINES)):
        if set(given) - set(allowed):
            parser.error(f"unknown {sorted(set(given) - set(allowed))}; choose from {', '.join(allowed)}")
    engines = [e for e in ENGINES if e in engines]  # the yardstick first: the others are compared with it
    before = _load()
    agreement: list[str] = []
    problems: list[str] = []
    if not args.no_agreement:
        import agreement as agree_mod

        agreement, wrong = agree_mod.report()
        problems += wrong
        print("\n".join(agreement), flush=True)
    big, mismatches = large(sizes, shapes, engines)
    problems += mismatches
    little = [] if args.no_small else small(args.repeat)
    text = markdown(big, little, agreement, problems, (before, _load()), args.repeat)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.out}")
    if problems:
        print("\n*** MISMATCH: see the top of the results ***", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
