"""A large contract checked in parts (one per worker, by participant) gives exactly the check of the whole:
the same findings in the same order, the same not-evaluated entries, the same JSON and text."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import completed, make_dataset, participant

import procurekit.evaluation.batch as batch
from procurekit import check, check_json, check_text, read_dataset
from procurekit.cli import cli

AS_OF = dt.date(2018, 9, 30)


def _contract(folder: Path) -> Path:
    """40 participants of every kind; hours.csv in month order (participants interleaved) with gaps and
    breaches; supplier.csv without some months; turnover.csv without the last years."""
    people = []
    for i in range(40):
        pid = f"P{i:02d}"
        start = dt.date(2017, 1 + i % 12, 1 + i % 27)
        if i % 5 == 0:
            people.append(completed(pid, enrolled_on=start.isoformat(), left_on=(start + dt.timedelta(days=300))
                                    .isoformat()))
        else:
            offer = {"job_offer_on": "2018-03-01", "job_offer_terms": "ordinary"} if i % 7 == 0 else {}
            people.append(participant(pid, enrolled_on=start.isoformat(), years_on_benefits=i % 8, **offer))
    hours = []
    for month in range(24):
        label = f"{2017 + month // 12}-{month % 12 + 1:02d}"
        for i, person in enumerate(people):
            first = _index(dt.date.fromisoformat(person["enrolled_on"]))
            last = _index(dt.date.fromisoformat(person.get("left_on") or "2099-12-31"))
            if not first <= month <= last or (i + month) % 11 == 0:  # (i + month) % 11: a gap
                continue
            hours.append({"participant_id": person["participant_id"], "month": label,
                          "praktik_hours": 60 + (i * month) % 130, "subsidised_hours": (i + month) % 40,
                          "ordinary_hours": 0})
    supplier = [{"month": f"2017-{m:02d}", "ordinary_staff": 20, "contract_fte": 25, "target_group_fte": m % 3}
                for m in range(1, 13) if m != 6]
    turnover = [{"year": "2017", "turnover_dkk": 9_000_000, "target_group_fte": 3, "reported_on": "2018-03-01"}]
    return make_dataset(folder, people, hours=hours, supplier=supplier, turnover=turnover)


def _index(day: dt.date) -> int:
    return (day.year - 2017) * 12 + day.month - 1


def _parts(ds: Any, count: int, **kw: Any) -> list[dict[str, Any]]:
    return [batch.part_result(check(ds, as_of=AS_OF, part=(index, count), **kw)) for index in range(count)]


@pytest.mark.parametrize("engine", ["python", "durable"])
@pytest.mark.parametrize("ok", ["counted", "listed", "explained"])
def test_parts_put_together_are_the_whole_check(tmp_path: Path, engine: str, ok: Any) -> None:
    ds = read_dataset(_contract(tmp_path / "ds"))
    whole = check(ds, as_of=AS_OF, engine=engine, ok=ok)
    assert whole.not_evaluated and {f.verdict for f in whole.findings} >= {"violation"}
    assert sum(whole.ok_counts.values()) > 0
    shown = ok == "explained"
    for count in (1, 2, 3, 7):
        merged = batch.merge_parts(ds, _parts(ds, count, engine=engine, ok=ok))
        assert merged.findings == whole.findings
        assert merged.not_evaluated == whole.not_evaluated
        assert merged.ok_counts == whole.ok_counts and merged.summary == whole.summary
        assert check_json(merged, shown) == check_json(whole, shown)
        assert check_text(merged, shown) == check_text(whole, shown)


def test_a_later_part_holds_only_its_share_of_participants(tmp_path: Path) -> None:
    ds = read_dataset(_contract(tmp_path / "ds"))
    first, second = _parts(ds, 2, engine="python")
    assert second["not_evaluated"] == []
    kinds = {r.id: r.subject for r in first["ruleset"].rules}
    assert {kinds[row[0]] for row in second["findings"]} == {"participant", "participant_month"}
    assert {kinds[row[0]] for row in first["findings"]} == {"participant", "participant_month", "month"}
    with pytest.raises(ValueError, match="part 2 of 2"):
        check(ds, as_of=AS_OF, part=(2, 2))


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_command_splits_a_large_contract_with_the_same_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  fmt: str) -> None:
    ds = _contract(tmp_path / "ds")
    args = ("check", str(ds), "--as-of", AS_OF.isoformat(), "--format", fmt, "--engine", "python")
    alone = _invoke(*args, "-j", "1")
    calls = _spy_calls(monkeypatch)
    monkeypatch.setattr(batch, "SPLIT_AT", 10)
    assert _invoke(*args, "-j", "3") == alone
    assert calls == [["_run_part"] * 3 + ["_merged"]] and alone[0] == 1
    assert _invoke(*args, "-j", "1") == alone and calls[1] == ["run_job"]  # one worker: no parts
    assert _invoke(*args) == alone and calls[2] == ["run_job"]  # parts only when asked: each holds the dataset


def _spy_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The functions each run of `batch._in_workers` had its workers run, in order."""
    calls: list[list[str]] = []
    real = batch._in_workers

    def spy(todo: list[Any], *args: Any, then: Any = None, **kw: Any) -> list[dict[str, Any]]:
        names = [func.__name__ for func, _ in todo]
        calls.append(names)

        def then_spied(found: list[dict[str, Any]]) -> Any:
            last = then(found)
            names.extend([] if last is None else [last[0].__name__])
            return last

        return real(todo, *args, then=None if then is None else then_spied, **kw)

    monkeypatch.setattr(batch, "_in_workers", spy)
    return calls


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_the_parent_reads_nothing_of_a_split_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      engine: str) -> None:
    """The workers read the dataset for their parts, and one of them, holding it already, renders the
    merged check: a third read, in the parent, cost a core's worth of time and memory."""
    import procurekit.dataset.read as read_module

    ds = _contract(tmp_path / "ds")
    args = ("check", str(ds), "--as-of", AS_OF.isoformat(), "--format", "json", "--engine", engine)
    alone = _invoke(*args, "-j", "1")

    def refuse(*a: Any, **k: Any) -> None:
        raise AssertionError("the parent read the dataset")

    # Workers come from a fork server here (this process has run polars): they do not see this.
    monkeypatch.setattr(read_module, "read_dataset", refuse)
    monkeypatch.setattr(batch, "SPLIT_AT", 10)
    assert _invoke(*args, "-j", "2") == alone


def test_a_worker_keeps_the_dataset_of_its_part_for_the_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _contract(tmp_path / "ds")
    job = batch.Job(ds, None, AS_OF, "python", "da", False, True)
    from procurekit.documents import finding_notes

    render = (check_json, check_text, finding_notes)
    parts = [batch._run_part(job, index, 2) for index in range(2)]
    assert list(batch._READ) == [ds]
    read: list[Path] = []
    import procurekit.dataset.read as read_module

    real = read_module.read_dataset
    monkeypatch.setattr(read_module, "read_dataset", lambda path: read.append(path) or real(path))
    merged = batch._merged(job, parts, render)
    assert read == [] and batch._READ == {}  # the part's dataset, then let go
    assert batch._merged(job, parts, render) == merged and read == [ds]  # a worker that did no part reads it
    assert merged == batch.run_job(job, render)


def test_a_crash_in_a_part_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import procurekit.evaluation.check as check_module

    ds = _contract(tmp_path / "ds")
    monkeypatch.setattr(batch, "SPLIT_AT", 10)
    monkeypatch.setattr(check_module, "check", lambda *a, **k: os.kill(os.getpid(), signal.SIGSEGV))
    # Forked workers, so they see the crashing check (this test process has run polars, which would
    # otherwise send them to a fork server; the crash comes before any polars work in the child).
    monkeypatch.setattr(batch, "_polars_pool_running", lambda: False)
    out = tmp_path / "out.json"
    code, stdout, err = _invoke("check", str(ds), "-j", "2", "-o", str(out))
    assert (code, stdout) == (3, "")
    assert err == f"Error: {ds}: the rules engine crashed in its worker process; nothing was written\n"
    assert not out.exists()
