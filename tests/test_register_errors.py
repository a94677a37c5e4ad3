"""A register checks every readable contract: one bad contract is listed, never stops the others."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import make_dataset, participant

import procurekit.cli.check as cli_check
from procurekit.cli import cli

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "procurekit" / "schemas" / "check.schema.json"


def register(root: Path) -> Path:
    reg = root / "register"
    make_dataset(reg / "a", [participant("A", years_on_benefits=1)], contract_id="A")
    make_dataset(reg / "b", [participant("B", enrolled_on="2017-02-30")], contract_id="B")
    make_dataset(reg / "c", [participant("C")], contract_id="C")
    return reg


BAD = "{reg}/b/participants.csv: row 2, column enrolled_on: '2017-02-30' is not a date (YYYY-MM-DD)"


def test_json_lists_the_bad_contract_and_checks_the_others(tmp_path: Path) -> None:
    reg = register(tmp_path)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["check", str(reg), "--as-of", "2017-03-01", "--format", "json", "-j", "1",
                                      "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (f"wrote {out}\nError: 1 of 3 contracts in {reg} could not be checked "
                             f"(first: {BAD.format(reg=reg)})\n")
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(doc)
    assert [c["contract"] for c in doc["checks"]] == ["A", "C"]
    assert doc["errors"] == [{"dataset": str(reg / "b"), "error": BAD.format(reg=reg)}]
    assert doc["contracts"] == 3 and doc["summary"]["violation"] >= 1


def test_text_lists_the_errors_at_the_end(tmp_path: Path) -> None:
    reg = register(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(reg), "--as-of", "2017-03-01", "-j", "2"])
    assert result.exit_code == 2
    assert result.stdout.endswith(f"Not checked (1 of 3 contracts):\n  {reg / 'b'}: {BAD.format(reg=reg)}\n")
    assert "A" in result.stdout and "C" in result.stdout


def test_a_healthy_register_has_no_errors_and_exits_as_before(tmp_path: Path) -> None:
    reg = register(tmp_path)
    make_dataset(reg / "b", [participant("B")], contract_id="B")
    result = CliRunner().invoke(cli, ["check", str(reg), "--as-of", "2017-03-01", "--format", "json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["errors"] == []


def test_progress_goes_to_a_terminal_stderr_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    reg = register(tmp_path)
    make_dataset(reg / "b", [participant("B")], contract_id="B")
    err = Terminal()
    monkeypatch.setattr(cli_check.sys, "stderr", err)
    with pytest.raises(SystemExit):
        cli_check.check.main(["check", str(reg), "--as-of", "2017-03-01", "-j", "1"][1:], standalone_mode=False)
    assert "\rchecked 1 of 3 contracts\rchecked 2 of 3 contracts\r\x1b[K" in err.getvalue()


def test_contracts_read_together_are_checked_as_each_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procurekit.evaluation import batch

    reg = register(tmp_path)
    example = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
    for name, change in [("d", None), ("e", ("IB-0", "X-")), ("f", (",", ";"))]:
        shutil.copytree(example, reg / name)
        for table in ("participants.csv", "hours.csv", "supplier.csv"):
            text = (reg / name / table).read_text(encoding="utf-8")
            (reg / name / table).write_text(text if change is None else text.replace(*change), encoding="utf-8")
    args = ["check", str(reg), "--as-of", "2018-06-30", "--format", "json", "--engine", "python", "-j", "1"]
    monkeypatch.setattr(batch, "CHUNK_BYTES", 1)  # each contract read and checked alone
    alone = CliRunner().invoke(cli, args)
    assert [len(c) for c in batch.chunked([batch.Job(p, None, None, "python", "da", False, False)
                                            for p in sorted(reg.iterdir())], 1)] == [1] * 6
    monkeypatch.setattr(batch, "CHUNK_BYTES", 1 << 30)
    monkeypatch.setattr(batch, "CHUNKS_A_WORKER", 1)  # all six read together, by one worker
    together = CliRunner().invoke(cli, args)
    assert together.exit_code == alone.exit_code == 2
    assert together.stdout == alone.stdout
    doc = json.loads(together.stdout)
    assert [c["contract"] for c in doc["checks"]] == ["A", "C", "IB-RENG-2016", "IB-RENG-2016", "IB-RENG-2016"]
    assert doc["checks"][2]["summary"] == doc["checks"][3]["summary"] == doc["checks"][4]["summary"]


def test_a_register_is_read_in_chunks_of_about_equal_size(tmp_path: Path) -> None:
    from procurekit.evaluation.batch import CHUNKS_A_WORKER, Job, chunked

    jobs = []
    for i, rows in enumerate([10, 10, 400, 10, 10, 10, 10, 10] * 3):
        make_dataset(tmp_path / f"c{i:02d}", [participant(f"P{n}") for n in range(rows)])
        jobs.append(Job(tmp_path / f"c{i:02d}", None, None, "python", "da", False, False))
    chunks = chunked(jobs, 2)
    assert [job for chunk in chunks for job in chunk] == jobs  # consecutive, in order, each once
    assert CHUNKS_A_WORKER <= len(chunks) <= 3 * CHUNKS_A_WORKER
    assert [len(c) for c in chunks if any(j.path.name in ("c02", "c10", "c18") for j in c)] == [1, 1, 1]
