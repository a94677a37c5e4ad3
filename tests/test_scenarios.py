"""Scenario tests as data: the bundled scenarios (one test per case, both engines), boundary coverage
of every bundled rule, `procurekit rules test` exit codes and lines, and the pytest plugin."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from procurekit import load_ruleset
from procurekit.authoring.scenarios import bundled_scenarios, coverage_gaps, load_scenarios, run_case
from procurekit.cli import cli
from procurekit.ruleset.load import list_bundled

FILES = load_scenarios(bundled_scenarios())
CASES = [(f, c) for f in FILES for c in f.cases]

HEAD = "ruleset: ikast-brande\ncontract: {start: 2017-01-01, end: 2019-12-31}\ncases:\n"
GOOD = """\
  - name: right
    as_of: 2017-03-01
    participants: [{participant_id: A, years_on_benefits: 5, enrolled_on: 2017-01-02}]
    expect:
      - {rule: eligibility.benefit-years, subject: A, verdict: ok}
"""
WRONG = """\
  - name: wrong on purpose
    as_of: 2017-03-01
    participants: [{participant_id: A, years_on_benefits: 5, enrolled_on: 2017-01-02}]
    expect:
      - {rule: eligibility.benefit-years, subject: A, verdict: violation}
"""
WRONG_LINE = (
    "wrong on purpose [durable, python]: expected eligibility.benefit-years A violation, got ok"
    " (5 år på kontanthjælp (mindst 5).)"
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scenario(tmp_path: Path, body: str, name: str = "t") -> Path:
    path = tmp_path / f"{name}.scenarios.yaml"
    path.write_text(HEAD + textwrap.dedent(body) if not body.startswith("ruleset") else body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f.ruleset.id}: {c.spec.name}" for f, c in CASES])
def test_bundled_scenario(file, case) -> None:
    assert run_case(file, case).failures == []


def test_every_bundled_rule_set_has_scenarios_on_both_engines() -> None:
    assert sorted(f.ruleset.id for f in FILES) == sorted(load_ruleset(p).id for p in list_bundled())
    assert all(f.engines == ("durable", "python") for f in FILES)


def test_every_bundled_rule_has_a_boundary_pair() -> None:
    # For each rule: an ok expectation at its limit and one with its failing verdict just past it.
    assert coverage_gaps(FILES, [load_ruleset(p) for p in list_bundled()]) == []


def test_a_parameter_changing_mid_contract_is_tested_before_and_after() -> None:
    dated = [c for f in FILES for c in f.cases
             if any(len(p.values) > 1 for p in c.ruleset.parameters.values())]
    assert {c.ruleset.lineage[0] for c in dated} >= {"ikast-brande", "gladsaxe-vask"}
    for rs_id in ("ikast-brande", "gladsaxe-vask"):
        days = {c.spec.as_of for c in dated if c.ruleset.lineage[0] == rs_id}
        changes = {d for c in dated if c.ruleset.lineage[0] == rs_id
                   for p in c.ruleset.parameters.values() if len(p.values) > 1 for d, _, _ in p.values[1:]}
        assert any(day < change for day in days for change in changes)
        assert any(day >= change for day in days for change in changes)


def test_coverage_gap_is_named(tmp_path: Path) -> None:
    files = load_scenarios([scenario(tmp_path, GOOD.replace("verdict: ok}", "verdict: ok, boundary: true}"))])
    gaps = coverage_gaps(files, [load_ruleset("ikast-brande")])
    assert gaps[0] == "ikast-brande: rule eligibility.benefit-years has no boundary case expecting violation"
    assert "ikast-brande: rule cap.course-months has no boundary case expecting ok and violation" in gaps
    code, out, _ = invoke("rules", "test", "--coverage", str(tmp_path))
    assert code == 1
    assert out.splitlines()[0] == f"GAP   {gaps[0]}"


def test_rules_test_runs_the_bundled_scenarios() -> None:
    code, out, err = invoke("rules", "test")
    assert code == 0, out
    n = len(CASES)
    assert out.splitlines()[-1] == f"{n} cases in {len(FILES)} files: {n} passed, 0 failed"


def test_a_failing_case_exits_1_naming_file_line_and_case(tmp_path: Path) -> None:
    path = scenario(tmp_path, GOOD + WRONG)
    code, out, _ = invoke("rules", "test", str(path))
    assert code == 1
    assert out.splitlines() == [f"FAIL  {path}:13 {WRONG_LINE}", "2 cases in 1 files: 1 passed, 1 failed"]
    code, out, _ = invoke("rules", "test", "--engine", "python", str(path))
    assert code == 1 and "[python]: expected" in out


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            "ruleset: ikast-brande\ncases:\n  - name: x\n    as_of: 2017-01-01\n"
            "    expect: [{rule: no.such, subject: A, verdict: maybe}]\n",
            ["{p}:5: cases.0.expect.0.verdict: Input should be 'violation', 'warning', 'due' or 'ok'"],
        ),
        (
            "ruleset: ikast-brande\ncases:\n  - name: x\n    as_of: 2017-01-01\n"
            "    parameters: {training_places: {value: ten}}\n"
            "    expect: [{rule: no.such, subject: A, verdict: ok}]\n  - name: x\n    as_of: 2017-01-01\n",
            [
                "{p}:5: parameter 'training_places': values of different types ['number', 'string']",
                "{p}:3: case 'x': no contract start (in file or case)",
                "{p}:3: case 'x': no contract end (in file or case)",
                "{p}:6: case 'x': rule set ikast-brande has no rule 'no.such'",
                "{p}:7: case name 'x' is already on line 3",
                "{p}:7: case 'x': no contract start (in file or case)",
                "{p}:7: case 'x': no contract end (in file or case)",
                "{p}:7: case 'x': expects nothing (give expect, absent or not_evaluated)",
            ],
        ),
        ("ruleset: nowhere\ncases: [{name: x, as_of: 2017-01-01}]\n",
         ["{p}:1: unknown rule set 'nowhere' (bundled: flere-skal-med, gladsaxe-vask, ikast-brande)"]),
        ("ruleset: ikast-brande\ncases: [{name: x, as_of: 2017-02-30}]\n",
         ["{p}:2: bad value: day is out of range for month"]),
    ],
)
def test_a_bad_scenario_file_exits_2_with_every_error(tmp_path: Path, body: str, errors: list[str]) -> None:
    path = scenario(tmp_path, body)
    code, out, err = invoke("rules", "test", str(path))
    assert code == 2 and out == ""
    expected = [e.format(p=path) for e in errors]
    assert err.splitlines() == [f"Error: {expected[0]}", *expected[1:]]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("{participant_id: '010203-1234', years_on_benefits: 5, enrolled_on: 2017-01-02}",
         ":7: case 'r': participants[0].participant_id: looks like a CPR number; use a pseudonym (value not shown)"),
        ("{participant_id: A, years_on_benefits: 5, enrolled_on: '2017-02-30'}",
         ":7: case 'r': participants[0].enrolled_on: '2017-02-30' is not a date (YYYY-MM-DD)"),
        ("{participant_id: A, years: 5, enrolled_on: 2017-01-02}",
         ":7: case 'r': participants[0]: unknown column 'years' (expected: participant_id, years_on_benefits,"
         " enrolled_on, left_on, exit_reason, met_stability, met_efficiency, met_quality, job_offer_on,"
         " job_offer_terms, aktivitetsparat)"),
    ],
)
def test_bad_rows_are_named_by_scenario_line(tmp_path: Path, row: str, error: str) -> None:
    path = scenario(tmp_path, f"""\
      - name: r
        as_of: 2017-03-01
        participants:
          - {row}
        expect: [{{rule: eligibility.benefit-years, subject: A, verdict: ok}}]
    """)
    code, out, err = invoke("rules", "test", str(path))
    assert code == 2
    assert err == f"Error: {path}{error}\n"
    assert "010203" not in err


def test_unknown_argument_exits_2() -> None:
    code, _, err = invoke("rules", "test", "nope")
    assert code == 2
    assert err == "Error: nope: no such scenario file, folder or bundled rule set with scenarios\n"


def test_only_absent_and_not_evaluated_are_asserted(tmp_path: Path) -> None:
    path = scenario(tmp_path, """\
      - name: checks
        as_of: 2017-03-01
        participants:
          - {participant_id: A, years_on_benefits: 5, enrolled_on: 2017-01-02}
          - {participant_id: B, years_on_benefits: 6, enrolled_on: 2017-01-02}
        expect: [{rule: eligibility.benefit-years, subject: A, verdict: ok}]
        only: true
        absent: [cap.course-months]
        not_evaluated: [{rule: capacity.training-places}]
    """)
    code, out, _ = invoke("rules", "test", str(path))
    assert code == 1
    assert [line.split("[durable, python]: ")[1] for line in out.splitlines()[:-1]] == [
        "expected only the listed findings of eligibility.benefit-years, got B ok",
        "expected no finding of cap.course-months, got A ok",
        "expected no finding of cap.course-months, got B ok",
        "expected capacity.training-places not evaluated, got evaluated",
    ]
    assert re.match(rf"FAIL  {re.escape(str(path))}:10 checks ", out.splitlines()[0])


def test_pytest_plugin_is_registered_and_collects_scenario_files(tmp_path: Path) -> None:
    assert "procurekit.pytest_plugin" in {e.value for e in entry_points(group="pytest11")}
    scenario(tmp_path, GOOD + WRONG, name="mine")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "mine.scenarios.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"mine.scenarios.yaml:13 {WRONG_LINE}" in run.stdout
    assert "1 failed, 1 passed" in run.stdout
    assert "Traceback" not in run.stdout


def test_pytest_plugin_reports_a_bad_file_as_a_collection_error(tmp_path: Path) -> None:
    scenario(tmp_path, "ruleset: ikast-brande\ncases: []\n", name="bad")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "bad.scenarios.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2
    assert "bad.scenarios.yaml:2: cases: List should have at least 1 item after validation, not 0" in run.stdout
