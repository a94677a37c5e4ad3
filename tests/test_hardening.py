"""Hardening: crashes and hangs in the engine, malformed input fuzzing, no CPR number in any output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import PARTICIPANT_COLUMNS, make_dataset, participant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurekit.cli import cli
from procurekit.dataset.read import looks_like_cpr, read_dataset

CPR_SHAPE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cli_with_check(replacement: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI run in a fresh process whose `check` is `replacement` (Python source).

    A fresh process, as its workers must be forked from it to run the replacement: a process that has
    run polars (this test session) starts its workers from a fork server instead (`batch._context`).
    """
    code = (
        "import os, signal, sys, time\n"
        "import procurekit.evaluation.check as check_module\n"
        f"check_module.check = {replacement}\n"
        "from procurekit.cli import cli\n"
        "cli(sys.argv[1:], prog_name='procurekit')\n"
    )
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_engine_crash_is_a_clear_error(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    out = tmp_path / "out.json"
    done = cli_with_check("lambda *a, **k: os.kill(os.getpid(), signal.SIGSEGV)", "check", str(ds), "-o", str(out))
    assert done.returncode == 3
    assert done.stderr == f"Error: {ds}: the rules engine crashed in its worker process; nothing was written\n"
    assert not out.exists() and done.stdout == ""


def test_engine_hang_times_out(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    start = time.monotonic()
    done = cli_with_check("lambda *a, **k: time.sleep(60)", "check", str(ds), "--timeout", "1")
    assert time.monotonic() - start < 15
    assert done.returncode == 3
    assert done.stderr == f"Error: {ds}: the rules engine did not finish within 1 s; nothing was written\n"


def test_a_check_after_polars_ran_in_this_process_does_not_hang(tmp_path: Path) -> None:
    # polars' thread pool does not survive fork(): workers come from a fork server once polars is loaded.
    from procurekit import read_dataset

    ds = make_dataset(tmp_path / "ds", [participant("A")])
    assert read_dataset(ds).frames["participants"].height == 1
    code, _, err = invoke("check", str(ds), "--timeout", "60", "--as-of", "2017-03-01")
    assert (code, err) == (0, "")


def test_register_of_contracts_matches_single_runs(tmp_path: Path) -> None:
    reg = tmp_path / "register"
    make_dataset(reg / "a", [participant("A", years_on_benefits=1)], contract_id="A")
    make_dataset(reg / "b", [participant("B")], contract_id="B")
    code, out, _ = invoke("check", str(reg), "--as-of", "2017-03-01", "--format", "json", "-j", "2")
    assert code == 1
    import json

    doc = json.loads(out)
    assert doc["contracts"] == 2
    assert [c["contract"] for c in doc["checks"]] == ["A", "B"]
    single = json.loads(invoke("check", str(reg / "a"), "--as-of", "2017-03-01", "--format", "json")[1])
    assert doc["checks"][0] == single


@pytest.mark.parametrize(
    "text",
    ["0102031234", "010203-1234", "abc 311299-9999 xyz", "P-280584-4433"],
)
def test_cpr_shapes_are_recognised(text: str) -> None:
    assert looks_like_cpr(text)


@pytest.mark.parametrize("text", ["P-0001", "2017-01-01", "12.5", "IB-RENG-2016", "3213991234"])
def test_non_cpr_values_pass(text: str) -> None:
    assert not looks_like_cpr(text)


cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "-1", "nan", "inf", "1e999", "2017-02-30", "ja", "TRUE", "010203-1234", "0102031234",
                     "x" * 2000, "completed", "2017-01-01", "5,5", "\x00", '"', "a;b", "ordinary"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=8, max_size=11), min_size=1, max_size=4),
       sep=st.sampled_from([",", ";"]))
def test_fuzzed_rows_never_crash_or_echo_a_cpr(tmp_path_factory, rows: list[list[str]], sep: str) -> None:
    ds = make_dataset(tmp_path_factory.mktemp("fz") / "ds", [participant("A")])
    lines = [sep.join(PARTICIPANT_COLUMNS)]
    for row in rows:
        lines.append(sep.join('"' + c.replace('"', '""') + '"' if (sep in c or '"' in c or "\n" in c) else c
                              for c in row))
    (ds / "participants.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    target = ds.parent / "out.json"
    result = CliRunner().invoke(cli, ["check", str(ds), "--as-of", "2018-01-01", "--format", "json",
                                      "-o", str(target)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1, 2), result.output
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    if result.exit_code == 2:
        assert not target.exists()
        assert len(result.stderr.strip().splitlines()) == 1
    if target.exists():
        text += target.read_text(encoding="utf-8")
    assert not looks_like_cpr(text)


def test_demo_outputs_hold_no_cpr(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
    for fmt in ("text", "json"):
        code, out, err = invoke("check", str(example), "--all", "--format", fmt)
        assert code == 1
        assert not looks_like_cpr(out + err)
        assert not CPR_SHAPE.search(out)


def test_failed_or_interrupted_run_leaves_the_old_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import procurekit.files as _output

    ds = make_dataset(tmp_path / "ds", [participant("A")])
    target = tmp_path / "report.json"
    target.write_text("old report\n", encoding="utf-8")
    (ds / "participants.csv").write_text("broken\n", encoding="utf-8")
    code, _, _ = invoke("check", str(ds), "-o", str(target))
    assert code == 2
    assert target.read_text(encoding="utf-8") == "old report\n"

    make_dataset(ds, [participant("A")])

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _output.write_atomic(target, "new report\n")
    assert target.read_text(encoding="utf-8") == "old report\n"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["report.json"]


# --- checks apart from a process that must live on (the web workspace's server) -------------------------


def _crash(*args: object) -> dict[str, object]:
    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


def _hang(*args: object) -> dict[str, object]:
    time.sleep(60)
    return {}


@pytest.mark.parametrize(("call", "timeout", "message"), [
    (_crash, 600, "the rules engine crashed in its worker process"),
    (_hang, 1, "the rules engine did not finish within 1 s"),
])
def test_a_call_apart_survives_a_crash_or_a_hang(monkeypatch: pytest.MonkeyPatch, call: Any, timeout: float,
                                                message: str) -> None:
    from procurekit.errors import EngineError
    from procurekit.evaluation import batch

    # Forked from this process (which has run polars): the worker does no polars work before it crashes.
    monkeypatch.setattr(batch, "_polars_pool_running", lambda: False)
    start = time.monotonic()
    with pytest.raises(EngineError, match=message):
        batch.run_apart(call, what="ds", timeout=timeout)
    assert time.monotonic() - start < 20


def test_a_check_apart_is_the_check(tmp_path: Path) -> None:
    from procurekit.evaluation import check_apart
    from procurekit.evaluation.check import check, ruleset_for

    ds = read_dataset(make_dataset(tmp_path / "ds", [participant("A"), participant("B", years_on_benefits=2)]))
    rules = ruleset_for(ds, None)
    apart, here = check_apart(ds, rules, engine="python"), check(ds, rules, engine="python")
    assert apart.findings == here.findings and apart.as_of == here.as_of


def test_ledger_add_survives_an_engine_crash_and_a_hang(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    db = tmp_path / "ledger.db"
    done = cli_with_check("lambda *a, **k: os.kill(os.getpid(), signal.SIGSEGV)",
                          "ledger", "add", str(ds), "--db", str(db))
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr == f"Error: {ds}: the rules engine crashed in its worker process; nothing was written\n"
    start = time.monotonic()
    done = cli_with_check("lambda *a, **k: time.sleep(60)", "ledger", "add", str(ds), "--db", str(db), "--timeout", "1")
    assert time.monotonic() - start < 15
    assert done.returncode == 3
    assert done.stderr == f"Error: {ds}: the rules engine did not finish within 1 s; nothing was written\n"
    assert not db.exists()  # nothing was stored: the database is opened only once the check is made
