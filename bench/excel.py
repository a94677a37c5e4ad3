"""Benchmark: reading a contract dataset from .xlsx against the same data as CSV. Not a test.

    python bench/excel.py [--participants 5000] [--openpyxl]

Writes one synthetic contract (bench/synth.py, 18 months of hours per participant) as CSV, copies it
into two workbooks with a sheet per table (openpyxl, the normal writer): one of text cells (the CSV
cells as they are), one of typed cells (numbers, dates, yes/no as Excel holds them when typed in), and
times `read_dataset` on each (best of three). `--openpyxl` reads the workbooks with openpyxl only (the
reader before `dataset/sheet_xml.py`), for comparison.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

from procurekit import read_dataset  # noqa: E402
from procurekit.dataset import excel  # noqa: E402


def _best(folder: Path) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        read_dataset(folder)
        best = min(best, time.perf_counter() - start)
    return best


def _typed(column: str, text: str) -> Any:
    """A CSV cell as Excel holds it when typed in: a number, a date, yes/no; text stays text."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if column == "month":
        return dt.datetime.strptime(text, "%Y-%m")  # Excel turns 2017-02 into 1 Feb 2017
    if column.endswith("_on"):
        return dt.datetime.strptime(text, "%Y-%m-%d")
    try:
        return int(text) if text.isdigit() else float(text)
    except ValueError:
        return text


def _workbook(source: Path, target: Path, typed: bool) -> int:
    from openpyxl import Workbook

    target.mkdir()
    shutil.copy(source / "contract.yaml", target / "contract.yaml")
    book = Workbook()
    book.remove(book.active)
    rows = 0
    for table in sorted(source.glob("*.csv")):
        sheet = book.create_sheet(table.stem)
        with table.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            sheet.append(header)
            for row in reader:
                sheet.append([_typed(c, v) for c, v in zip(header, row, strict=True)] if typed else row)
                rows += 1
    book.save(target / "dataset.xlsx")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--openpyxl", action="store_true", help="read workbooks with openpyxl only")
    opts = parser.parse_args()
    if opts.openpyxl:
        excel._fast_rows = lambda path, sheet: None  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        as_csv = Path(tmp) / "csv"
        as_csv.mkdir()
        synth.write_contract(as_csv, opts.participants, seed=7)
        rows = _workbook(as_csv, Path(tmp) / "text", typed=False)
        _workbook(as_csv, Path(tmp) / "typed", typed=True)
        csv_s, text_s, typed_s = (_best(Path(tmp) / name) for name in ("csv", "text", "typed"))
    print(
        f"{rows:,} rows: CSV {csv_s:.2f} s, xlsx text cells {text_s:.2f} s ({text_s / csv_s:.1f}x), "
        f"xlsx typed cells {typed_s:.2f} s ({typed_s / csv_s:.1f}x)"
    )


if __name__ == "__main__":
    main()
