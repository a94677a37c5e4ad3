"""Record the example contract's history in a ledger, month by month (used by `make demo`).

Cuts examples/ikast-brande at every month end (what the supplier would have sent that month: see
procurekit.ledger.month_end_snapshots), writes the snapshot folders into OUT/snapshots/YYYY-MM and records
each with `ledger add` into OUT/procurekit.db. Recording again changes nothing (same content).

Run: python examples/ledger_history.py [OUT [UNTIL]]      (default: out/ledger; UNTIL a last month, YYYY-MM)

`make serve` records the history up to 2019-09, so that the month's work in the browser is to upload the
example's own submission (October 2019).
"""

from __future__ import annotations

import sys
from pathlib import Path

from procurekit.ledger import Ledger, month_end_snapshots

EXAMPLE = Path(__file__).resolve().parent / "ikast-brande"


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/ledger")
    until = sys.argv[2] if len(sys.argv) > 2 else "9999-12"
    snaps = [s for s in month_end_snapshots(EXAMPLE, out / "snapshots") if s.name <= until]
    with Ledger.open(out / "procurekit.db", create=True) as ledger:
        for snap in snaps:
            added = ledger.add(snap, note=f"månedlig indberetning {snap.name}")
            state = "recorded" if added.new else "already recorded as"
            print(f"{state} submission {added.submission}: {added.contract_id} {added.month}")


if __name__ == "__main__":
    main()
