"""Benchmark: the contract ledger with a municipality-sized history. Not a test.

    python bench/ledger.py [--contracts 20] [--months 36] [--participants 50] [--engine durable] [--verify]

Writes `contracts` synthetic contracts (bench/synth.py, `participants` each), cuts each at its first
`months` month ends (procurekit.ledger.month_end_snapshots) and records every snapshot with `Ledger.add`
in one SQLite ledger; then times `status` of every contract, one contract's `history`, and optionally
`verify` (which re-runs every submission). Prints a Markdown table (the README's figures).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from procurekit.ledger import Ledger, month_end_snapshots  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=20)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--engine", default="durable")
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    months = [synth._month(synth.START.year * 12 + synth.START.month - 1 + i) for i in range(args.months)]
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        root = Path(tmp)
        db = root / "procurekit.db"
        adds: list[float] = []
        ids = []
        with Ledger.open(db, create=True) as ledger:
            for c in range(1, args.contracts + 1):
                full = root / f"c{c:03d}"
                synth.write_contract(full, args.participants, seed=c)
                for snap in month_end_snapshots(full, root / f"s{c:03d}", months):
                    start = time.perf_counter()
                    added = ledger.add(snap, engine=args.engine)
                    adds.append(time.perf_counter() - start)
                ids.append(added.contract_id)
            start = time.perf_counter()
            for cid in ids:
                ledger.status(cid)
            status_s = time.perf_counter() - start
            start = time.perf_counter()
            events = ledger.history(ids[0])
            history_s = time.perf_counter() - start
            verify_s = None
            if args.verify:
                start = time.perf_counter()
                assert ledger.verify() == []
                verify_s = time.perf_counter() - start
            rows = ledger.con.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
            data_rows = ledger.con.execute("SELECT COUNT(*) FROM data_row").fetchone()[0]
        size = db.stat().st_size
    n = len(adds)
    print(f"| contracts × months × participants | {args.contracts} × {args.months} × {args.participants} |")
    print("|---|---:|")
    print(f"| submissions recorded | {n:,} |")
    print(f"| stored rows: findings / data rows | {rows:,} / {data_rows:,} |")
    print(f"| `add`, mean / median / slowest (s) | {statistics.mean(adds):.3f} / {statistics.median(adds):.3f} / "
          f"{max(adds):.3f} |")
    print(f"| `status` of all {args.contracts} contracts (s) | {status_s:.2f} ({status_s / len(ids):.3f} each) |")
    print(f"| `history` of one contract, {len(events)} events (s) | {history_s:.3f} |")
    if verify_s is not None:
        print(f"| `verify` (re-runs all {n} submissions) (s) | {verify_s:.1f} |")
    print(f"| database size | {size / 2**20:.1f} MiB ({size / n / 1024:.0f} KiB per submission) |")


if __name__ == "__main__":
    main()
