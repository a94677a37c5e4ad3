"""A register checks every readable contract: one bad contract is listed, never stops the others."""

from __future__ import annotations

import io
import json
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
