"""`check --format json` has a JSON Schema shipped in the package; every output validates against it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import completed, make_dataset, participant

from procurekit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
SCHEMA_FILE = ROOT / "procurekit" / "schemas" / "check.schema.json"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_check_schema_prints_the_shipped_schema() -> None:
    code, out = run("check", "--schema")
    assert code == 0 and json.loads(out) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("extra", [[], ["--all"], ["--as-of", "2018-10-15"], ["--engine", "python", "--lang", "en"]])
def test_the_example_validates(validator: jsonschema.Draft202012Validator, extra: list[str]) -> None:
    code, out = run("check", str(EXAMPLE), "--format", "json", *extra)
    assert code == 1
    doc = json.loads(out)
    validator.validate(doc)
    assert doc["format_version"] == "1.1"
    conversion = [f for f in doc["findings"] if f["rule"] == "hours.conversion" and f["verdict"] == "violation"]
    if conversion:  # one breach over two months: both findings say since its first month
        assert {f["since"] for f in conversion} == {"2018-08"}
        assert {f["contract_point"] for f in conversion} == {"3.2"}


def test_a_register_validates(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "reg" / "a")
    make_dataset(tmp_path / "reg" / "b", [participant("A", years_on_benefits=2)])
    code, out = run("check", str(tmp_path / "reg"), "--format", "json", "--jobs", "1")
    assert code == 1
    doc = json.loads(out)
    validator.validate(doc)
    assert doc["contracts"] == 2 and doc["format_version"] == "1.1"


def test_a_due_finding_has_no_since_and_a_broken_document_fails(
    validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    ds = make_dataset(tmp_path / "d", [participant("A", years_on_benefits=2), completed("B")])
    code, out = run("check", str(ds), "--as-of", "2018-02-10", "--format", "json")
    doc = json.loads(out)
    validator.validate(doc)
    due = next(f for f in doc["findings"] if f["verdict"] == "due")
    assert due["since"] is None and due["contract_point"] == "4.1"
    del doc["findings"][0]["since"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(doc)

