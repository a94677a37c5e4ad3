"""Benchmark: reading a contract dataset from .xlsx against the same data as CSV. Not a test.

    python bench/excel.py [--participants 5000]

Writes one synthetic contract (bench/synth.py, 18 months of hours per participant) as CSV, copies it
into one workbook with a sheet per table (openpyxl, the normal writer), and times `read_dataset` on both
(best of three).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from procurekit import read_dataset  # noqa: E402


def _best(folder: Path) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        read_dataset(folder)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    from openpyxl import Workbook

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=5000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        as_csv, as_xlsx = Path(tmp) / "csv", Path(tmp) / "xlsx"
        as_csv.mkdir()
        synth.write_contract(as_csv, opts.participants, seed=7)
        as_xlsx.mkdir()
        shutil.copy(as_csv / "contract.yaml", as_xlsx / "contract.yaml")
        book = Workbook()
        book.remove(book.active)
        rows = 0
        for table in sorted(as_csv.glob("*.csv")):
            sheet = book.create_sheet(table.stem)
            with table.open(encoding="utf-8", newline="") as fh:
                for row in csv.reader(fh):
                    sheet.append(row)
                    rows += 1
        book.save(as_xlsx / "dataset.xlsx")
        csv_s, xlsx_s = _best(as_csv), _best(as_xlsx)
    print(f"{rows:,} rows: CSV {csv_s:.2f} s, xlsx {xlsx_s:.2f} s ({xlsx_s / csv_s:.1f}x)")


if __name__ == "__main__":
    main()
