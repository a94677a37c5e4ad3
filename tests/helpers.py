"""Builders for tests: contract datasets and rule-set files in a temporary folder."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

PARTICIPANT_COLUMNS = [
    "participant_id", "years_on_benefits", "enrolled_on", "left_on", "exit_reason",
    "met_stability", "met_efficiency", "met_quality", "job_offer_on", "job_offer_terms",
]
HOURS_COLUMNS = ["participant_id", "month", "praktik_hours", "subsidised_hours", "ordinary_hours"]
SUPPLIER_COLUMNS = ["month", "ordinary_staff", "contract_fte", "target_group_fte"]
TURNOVER_COLUMNS = ["year", "turnover_dkk", "target_group_fte", "reported_on"]

CONTRACT = {
    "contract_id": "T-1",
    "municipality": "Testrup Kommune",
    "supplier": "Rengøring A/S",
    "ruleset": "ikast-brande",
    "start": "2017-01-01",
    "end": "2019-12-31",
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]], sep: str = ",") -> Path:
    """Write rows (dicts; missing keys empty) as a CSV file."""
    lines = [sep.join(columns)]
    for row in rows:
        lines.append(sep.join(_cell(row.get(c)) for c in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def participant(pid: str = "P1", **kw: Any) -> dict[str, Any]:
    """A participant row: eligible, enrolled 2017-01-02, active, unless overridden."""
    row = {"participant_id": pid, "years_on_benefits": 6, "enrolled_on": "2017-01-02"}
    row.update(kw)
    return row


def completed(pid: str = "P1", left_on: str = "2018-01-31", **kw: Any) -> dict[str, Any]:
    """A participant who completed and met every requirement."""
    row = participant(pid, left_on=left_on, exit_reason="completed", met_stability=True,
                      met_efficiency=True, met_quality=True)
    row.update(kw)
    return row


def make_dataset(
    folder: Path,
    participants: list[dict[str, Any]],
    hours: list[dict[str, Any]] | None = None,
    supplier: list[dict[str, Any]] | None = None,
    turnover: list[dict[str, Any]] | None = None,
    **contract: Any,
) -> Path:
    """Write a dataset folder; hours/supplier/turnover files only when given."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {**CONTRACT, **contract}
    (folder / "contract.yaml").write_text(
        "".join(f"{k}: {v}\n" for k, v in data.items()), encoding="utf-8"
    )
    write_csv(folder / "participants.csv", PARTICIPANT_COLUMNS, participants)
    if hours is not None:
        write_csv(folder / "hours.csv", HOURS_COLUMNS, hours)
    if supplier is not None:
        write_csv(folder / "supplier.csv", SUPPLIER_COLUMNS, supplier)
    if turnover is not None:
        write_csv(folder / "turnover.csv", TURNOVER_COLUMNS, turnover)
    return folder


def write_rules(path: Path, text: str) -> Path:
    """Write a rule-set file from an indented literal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def verdicts(result: Any, rule: str) -> dict[str, str]:
    """subject → verdict for one rule of a CheckResult."""
    return {f.subject: f.verdict for f in result.findings if f.rule == rule}
