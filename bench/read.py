"""Benchmark of reading a contract dataset: `read_dataset` wall time, each table's read and validation, the
row tuples built from the frames, and peak memory. Not a test.

    python bench/synth.py /tmp/read100k --participants 100000
    python bench/read.py /tmp/read100k/c001 [--repeat 3] [--tree /path/to/other/checkout]

Every measurement runs in a fresh process, so its peak resident memory is its own. `--tree` measures
another checkout of procurekit as well (main before the columnar reader, say), side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in the measured process: read once, time each table on its own, then the row tuples.
_PROBE = r"""
import json, resource, sys, time
from pathlib import Path
folder = Path(sys.argv[1])
t = time.perf_counter()
from procurekit.dataset.read import read_dataset
imported = time.perf_counter() - t
t = time.perf_counter()
ds = read_dataset(folder)
out = {"import": imported, "read_dataset": time.perf_counter() - t, "tables": {},
       "peak_read_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
try:
    from procurekit.dataset.frames import read_table
except ImportError:
    read_table = None
if read_table is not None:
    context = {"hours": ds.frames["participants"], "turnover": (
        f"{ds.contract.start.year:04d}", f"{ds.contract.end.year:04d}")}
    for kind in ds.frames:
        t = time.perf_counter()
        table = read_table(folder / f"{kind}.csv", kind, context.get(kind))
        out["tables"][kind] = {"rows": table.frame.height, "seconds": time.perf_counter() - t}
t = time.perf_counter()
rows = {k: len(getattr(ds, k) or ()) for k in ("participants", "hours", "supplier", "turnover")}
out["tuples"] = time.perf_counter() - t
out["rows"] = rows
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(tree: Path, folder: Path) -> dict:
    """One fresh process reading `folder` with the procurekit of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(  # run in `tree`: `python -c` puts the working folder first on the path
        [sys.executable, "-c", _PROBE, str(folder.resolve())], env=env, cwd=tree, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr.strip().splitlines()[-1]}")
    return json.loads(done.stdout)


def best(tree: Path, folder: Path, repeat: int) -> dict:
    """The fastest of `repeat` runs (the machine is shared: the least disturbed run)."""
    return min((measure(tree, folder) for _ in range(repeat)), key=lambda r: r["read_dataset"])


def report(name: str, r: dict) -> None:
    print(f"{name}: read_dataset {r['read_dataset']:.2f} s, peak {r['peak_read_mib']:.0f} MiB, rows {r['rows']}")
    for kind, t in r["tables"].items():
        print(f"    {kind:<12} {t['rows']:>9,} rows  read + validated in {t['seconds']:.3f} s")
    print(f"    row tuples built in {r['tuples']:.2f} s (imports {r['import']:.2f} s); peak {r['peak_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, help="another procurekit checkout to measure too")
    args = parser.parse_args()
    report(f"this checkout ({ROOT})", best(ROOT, args.folder, args.repeat))
    if args.tree:
        report(f"{args.tree}", best(args.tree, args.folder, args.repeat))


if __name__ == "__main__":
    main()
