"""ok verdicts are counted, not built, unless asked for: `check(ok="explained" | "listed" | "counted")`.

Every other verdict is explained whatever is asked; the summary and the text and JSON outputs are the same
for the same flags, however the ok verdicts were handled. The `check` command counts them unless `--all`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import make_dataset, participant

from procurekit import check, check_json, check_text, read_dataset

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
MODES = ("explained", "listed", "counted")


@pytest.fixture(scope="module")
def example():
    return read_dataset(EXAMPLE)


@pytest.mark.parametrize("engine", ["python", "durable"])
@pytest.mark.parametrize("as_of", [dt.date(2018, 6, 30), dt.date(2019, 12, 31)])
def test_the_modes_differ_only_in_the_ok_findings(example, engine: str, as_of: dt.date) -> None:
    results = {mode: check(example, as_of=as_of, engine=engine, lang="en", ok=mode) for mode in MODES}
    explained = results["explained"]
    others = [f for f in explained.findings if f.verdict != "ok"]
    assert others and any(f.verdict == "ok" for f in explained.findings)
    for mode, result in results.items():
        assert result.summary == explained.summary, mode
        assert result.ok_counts == explained.ok_counts, mode
        assert [f for f in result.findings if f.verdict != "ok"] == others, mode
        assert result.not_evaluated == explained.not_evaluated, mode
        # The outputs without ok findings are identical, byte for byte.
        assert check_text(result) == check_text(explained), mode
        assert check_json(result) == check_json(explained), mode
    assert sum(explained.ok_counts.values()) == explained.summary["ok"]
    assert not any(f.verdict == "ok" for f in results["counted"].findings)
    listed = [f for f in results["listed"].findings if f.verdict == "ok"]
    assert [(f.rule, f.subject) for f in listed] == [
        (f.rule, f.subject) for f in explained.findings if f.verdict == "ok"]
    assert all(f.message == "" and f.values == {} for f in listed)
    assert check_text(results["listed"], include_ok=True) != check_text(explained, include_ok=True)


@pytest.mark.parametrize(("people", "tally"), [
    ([participant("A", years_on_benefits=2), participant("B")], "overtrædelser 1, i orden 1"),
    ([participant("A"), participant("B", years_on_benefits=2)], "i orden 1, overtrædelser 1"),
    ([participant("A", years_on_benefits=2), participant("B"), participant("C", years_on_benefits=1)],
     "overtrædelser 2, i orden 1"),
])
def test_a_rules_tally_keeps_the_order_of_its_subjects(tmp_path: Path, people, tally: str) -> None:
    """The text tallies a rule's verdicts in the order they first appear, ok verdicts counted or not."""
    ds = read_dataset(make_dataset(tmp_path / "ds", people))
    texts = {mode: check_text(check(ds, as_of=dt.date(2017, 3, 1), ok=mode)) for mode in MODES}
    assert texts["counted"] == texts["explained"] == texts["listed"]
    assert f"Målgruppe – år på kontanthjælp [{tally}]" in texts["counted"]


def test_a_rule_with_only_ok_verdicts_is_still_tallied(tmp_path: Path) -> None:
    ds = read_dataset(make_dataset(tmp_path / "ds", [participant("A"), participant("B")]))
    result = check(ds, as_of=dt.date(2017, 6, 1), ok="counted")
    assert result.findings == [] and result.summary["ok"] == sum(result.ok_counts.values()) > 0
    assert "Forløbets længde [i orden 2]" in check_text(result)


def test_an_unknown_ok_mode_is_refused(example) -> None:
    with pytest.raises(ValueError, match="ok must be explained, listed or counted"):
        check(example, ok="some")  # type: ignore[arg-type]


def test_workers_start_safely_once_polars_has_computed(tmp_path: Path) -> None:
    """A process whose polars thread pool runs (any check in it) cannot fork a worker that uses polars: the
    child would hang. Then the workers start from a fork server; before it, they are forked (fast)."""
    folder = make_dataset(tmp_path / "ds", [participant("A")])
    code = textwrap.dedent(f"""
        import datetime as dt
        from procurekit import check, check_json, check_text
        from procurekit.documents.actions import finding_notes
        from procurekit.evaluation.batch import Job, _context, run_jobs
        print(_context().get_start_method())
        check({str(folder)!r}, engine="python", as_of=dt.date(2017, 3, 1))
        print(_context().get_start_method())
        job = Job(__import__("pathlib").Path({str(folder)!r}), None, dt.date(2017, 3, 1), "python", "da", False, True)
        print(run_jobs([job], (check_json, check_text, finding_notes), timeout=120)[0]["json"]["summary"])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["fork", "forkserver", "{'violation': 0, 'warning': 0, 'due': 0, 'ok': 5}"]
