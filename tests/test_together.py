"""A register's contracts checked side by side (`check_many`, on datasets read together by `read_datasets`)
give each contract exactly the check it gets alone: the same findings in the same order, the same counts,
the same not-evaluated entries, in both engines."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import make_dataset, participant

from procurekit.dataset.read import read_datasets
from procurekit.errors import ProcurekitError
from procurekit.evaluation.check import CheckResult, check, check_many

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"


def _copy(folder: Path, change: tuple[str, str] | None = None) -> Path:
    """A copy of the example, `change` (old, new) made in each of its tables."""
    shutil.copytree(EXAMPLE, folder)
    for path in folder.glob("*.csv") if change is not None else ():
        path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    return folder


def _register(root: Path) -> list[Path]:
    hours = (EXAMPLE / "hours.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    folders = [
        _copy(root / "same"),
        _copy(root / "ids", ("IB-0", "X-")),  # same columns: evaluated together
        _copy(root / "scale", (",9.6,", ",9.65,")),  # another decimal scale: its own plan run
        _copy(root / "gaps"),  # months without hours rows, and a month without its supplier row
        _copy(root / "bad", ("2016-11-05", "2016-11-31")),  # not readable: its error
        make_dataset(root / "small", [participant("A", years_on_benefits=1), participant("B")]),
        make_dataset(root / "empty", []),
    ]
    (root / "gaps" / "hours.csv").write_text("".join(hours[:1] + hours[1::3]), encoding="utf-8")
    supplier = (root / "gaps" / "supplier.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (root / "gaps" / "supplier.csv").write_text("".join(supplier[:3] + supplier[4:]), encoding="utf-8")
    return folders


def _spelt(found: CheckResult | ProcurekitError) -> object:
    if isinstance(found, ProcurekitError):
        return f"error: {found}"
    return (found.as_of, found.findings, found.not_evaluated, found.ok_counts, found.ok_first, found.summary,
            found.to_json(include_ok=True))


def _alone(folder: Path, **kwargs: object) -> object:
    try:
        return _spelt(check(folder, **kwargs))  # type: ignore[arg-type]
    except ProcurekitError as exc:
        return _spelt(exc)


@pytest.mark.parametrize(("engine", "ok", "as_of"), [
    ("python", "counted", dt.date(2018, 6, 30)),
    ("python", "explained", dt.date(2019, 10, 31)),
    ("durable", "counted", dt.date(2018, 6, 30)),
    ("durable", "listed", None),
])
def test_contracts_checked_together_are_checked_as_alone(tmp_path: Path, engine: str, ok: str,
                                                          as_of: dt.date | None) -> None:
    folders = _register(tmp_path)
    kwargs = {"as_of": as_of, "engine": engine, "ok": ok}
    together = [_spelt(r) for r in check_many(read_datasets(folders), **kwargs)]  # type: ignore[arg-type]
    assert together == [_alone(f, **kwargs) for f in folders]
    assert together[4] == (f"error: {folders[4]}/participants.csv: row 2, column enrolled_on: '2016-11-31' "
                           "is not a date (YYYY-MM-DD)")


def test_rows_the_same_plan_evaluates_are_evaluated_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procurekit.evaluation import check as check_module

    folders = _register(tmp_path)[:3]
    calls: list[int] = []
    evaluate = check_module.verdict_frame
    monkeypatch.setattr(check_module, "verdict_frame",
                        lambda runner, plan, frame: calls.append(frame.height) or evaluate(runner, plan, frame))
    check_many(read_datasets(folders), engine="python", ok="counted")
    together = list(calls)
    calls.clear()
    check(folders[0], engine="python", ok="counted")
    # One evaluation a subject kind for all three, but the participants of "scale" (a number column with
    # other decimals: another frame schema), evaluated apart.
    assert len(calls) == 3 and len(together) == 4 and sum(together) == 3 * sum(calls)
    assert together[:2] == [2 * calls[0], calls[0]]
