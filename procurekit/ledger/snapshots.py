"""A contract's monthly submissions, derived from one dataset by cutting it at month ends.

What a supplier would have sent at the end of each month: the participants enrolled by then; an exit
(with its assessment), a job offer, hours and supplier rows only if they fall on or before the cut; the
turnover reports received by then. Used by `make demo` and the tests to record a history month by month.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from procurekit.dataset import read_dataset
from procurekit.months import month_index, month_of, month_text, parse_month

PARTICIPANT_COLUMNS = ["participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason",
                       "met_stability", "met_efficiency", "met_quality", "job_offer_on", "job_offer_terms"]
HOURS_COLUMNS = ["participant_id", "month", "praktik_hours", "subsidised_hours", "ordinary_hours"]
SUPPLIER_COLUMNS = ["month", "ordinary_staff", "contract_fte", "target_group_fte"]
TURNOVER_COLUMNS = ["year", "turnover_dkk", "target_group_fte", "reported_on"]


def month_end_snapshots(dataset: Path | str, out_dir: Path | str, months: list[str] | None = None) -> list[Path]:
    """Write one dataset folder per month end (`out_dir/YYYY-MM`), each cut at that month's last day.

    Args:
        dataset: the full dataset folder.
        out_dir: where the snapshot folders go (created).
        months: the months to cut at (YYYY-MM); default every month of the contract.

    Returns:
        The snapshot folders, in month order.
    """
    source = Path(dataset)
    ds = read_dataset(source)
    c = ds.contract
    if months is None:
        months = [month_text(i) for i in range(month_index(c.start), month_index(c.end) + 1)]
    contract_text = (source / "contract.yaml").read_bytes()
    out = []
    for month in months:
        cut = min(month_of(parse_month(month))[1], c.end)
        folder = Path(out_dir) / month
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "contract.yaml").write_bytes(contract_text)
        _write_cut(ds, folder, cut, month)
        out.append(folder)
    return out


def _write_cut(ds: Any, folder: Path, cut: dt.date, month: str) -> None:
    people = []
    for p in ds.participants:
        if p.enrolled_on > cut:
            continue
        row = {c: getattr(p, c) for c in PARTICIPANT_COLUMNS}
        if p.left_on is None or p.left_on > cut:
            for col in ("left_on", "exit_reason", "met_stability", "met_efficiency", "met_quality"):
                row[col] = None
        if p.job_offer_on is None or p.job_offer_on > cut:
            row["job_offer_on"] = row["job_offer_terms"] = None
        people.append(row)
    _write(folder / "participants.csv", PARTICIPANT_COLUMNS, people)
    ids = {r["participant_id"] for r in people}
    if ds.hours is not None:
        rows = [{c: getattr(h, c) for c in HOURS_COLUMNS} for h in ds.hours
                if h.month <= month and h.participant_id in ids]
        _write(folder / "hours.csv", HOURS_COLUMNS, rows)
    if ds.supplier is not None:
        rows = [{c: getattr(s, c) for c in SUPPLIER_COLUMNS} for s in ds.supplier if s.month <= month]
        _write(folder / "supplier.csv", SUPPLIER_COLUMNS, rows)
    if ds.turnover is not None:
        rows = [{c: getattr(t, c) for c in TURNOVER_COLUMNS} for t in ds.turnover if t.reported_on <= cut]
        _write(folder / "turnover.csv", TURNOVER_COLUMNS, rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    path.write_text(buf.getvalue(), encoding="utf-8")
