"""A month without a supplier.csv row is not evaluated by the rules that need the row, and still
evaluated by every other rule of the month (it used to be dropped silently)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import make_dataset, participant, verdicts

from procurekit import check


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_month_without_supplier_row_still_gets_capacity(tmp_path: Path, engine: str) -> None:
    supplier = [{"month": "2017-01", "ordinary_staff": 5, "contract_fte": 4, "target_group_fte": 1}]
    ds = make_dataset(tmp_path / "ds", [participant("A")], supplier=supplier)
    result = check(ds, as_of=dt.date(2017, 3, 31), engine=engine)
    assert verdicts(result, "capacity.training-places") == {"2017-01": "ok", "2017-02": "ok", "2017-03": "ok"}
    assert verdicts(result, "clause.target-group-share") == {"2017-01": "ok"}
    missing = [(n.rule, n.subject) for n in result.not_evaluated if n.subject]
    assert missing == [("clause.target-group-share", "2017-02"), ("clause.target-group-share", "2017-03")]
    months = [f.subject for f in result.findings if f.rule == "capacity.training-places"]
    assert months == ["2017-01", "2017-02", "2017-03"]  # in month order across the groups
