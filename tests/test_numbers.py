"""Hostile numbers, dates and nesting: refused with file and line, or evaluated identically by both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_dataset, participant, write_rules

import procurekit.conditions as ex
from procurekit import check, load_ruleset, read_dataset
from procurekit.cli import cli
from procurekit.errors import RuleSetErrors
from procurekit.ruleset.load import MAX_EXTENDS

TYPES = {"n": ex.NUMBER, "m": ex.NUMBER, "d": ex.DATE}


def ev(text: str, **env: object) -> object:
    node = ex.parse(text)
    ex.typecheck(node, TYPES)
    return ex.evaluate(ex.mark_dates(node, TYPES), env)


def test_computed_values_out_of_range_are_null() -> None:
    day = dt.date(2017, 1, 31).toordinal()
    assert ev("n * m", n=10**15, m=10**15) is None
    assert ev("n * m", n=1e300, m=1e300) is None  # would be inf
    assert ev("-n", n=10**15) == -(10**15)
    assert ev("d + n", d=day, n=10**12) is None  # beyond 9999-12-31
    assert ev("d - n", d=day, n=10**6) is None  # before 0001-01-01
    assert ev("add_months(d, n)", d=day, n=100_000) is None
    assert ev("add_months(d, n)", d=day, n=-30_000) is None
    assert ev("add_months(d, 1)", d=day) == dt.date(2017, 2, 28).toordinal()
    assert ev("(d + n) - d", d=day, n=10**12) is None


def test_a_tree_folded_to_a_date_keeps_its_type() -> None:
    node = ex.mark_dates(ex.parse('date("2017-01-01") + 1'), TYPES)
    folded = ex.bind(node, {}, {})
    assert folded == ex.Const(dt.date(2017, 1, 2).toordinal(), ex.DATE, folded.col)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n" + "+1" * 985 + " > 0", "expression nested too deeply (limit 60)"),
        ("not " * 490 + "n > 0", "expression nested too deeply (limit 60)"),
        ("-" * 300 + "n > 0", "expression nested too deeply (limit 60)"),
        ("(" * 200 + "n" + ")" * 200 + " > 0", "expression nested too deeply (limit 60)"),
        ("n < 1180591620717411303424", "the number 11805916207174113034… is out of range"),
        ("n < 1" + "0" * 400 + ".5", "is out of range"),  # an exact decimal: finite, but too large
    ],
)
def test_hostile_conditions_are_refused_not_crashing(text: str, message: str) -> None:
    with pytest.raises(ex.ExprError) as info:
        ex.typecheck(ex.parse(text), TYPES)
    assert message in str(info.value)


def test_the_limits_allow_ordinary_conditions() -> None:
    ex.typecheck(ex.parse("n" + "+1" * 50 + " > 0"), TYPES)
    ex.typecheck(ex.parse("n < 1000000000000000 and n > -1000000000000000 and n > 0.0000001"), TYPES)


def _rules(tmp: Path, condition: str, extra: str = "") -> Path:
    return write_rules(tmp / "rules.yaml", f"""
        id: numbers
        title: {{da: Tal, en: Numbers}}
        parameters:
          {"tiny: {value: 0.0000001, unit: share, description: d, source: s}" if "tiny" in condition else "{}"}
        rules:
          - id: numbers.rule
            subject: participant
            title: {{da: r, en: r}}
            {extra}
            condition: '{condition}'
            message:
              violation: {{da: 'v {{years_on_benefits}}', en: v}}
            clause: c
            reference: r
    """)


@pytest.mark.parametrize(
    "condition",
    [
        "add_months(enrolled_on, 100000) > as_of",
        "enrolled_on + 1000000000000000 > as_of",
        "years_on_benefits * 1000000000000000 * 1000000000000000 > 0",
        "years_on_benefits / 1000000 > tiny",
        "years_on_benefits > tiny",
        "years_on_benefits * 0.0000001 < 0.0000005",
    ],
)
def test_extreme_computed_values_agree_on_both_engines(tmp_path: Path, condition: str) -> None:
    rules = _rules(tmp_path, condition)
    people = [participant(f"P{i}", years_on_benefits=v) for i, v in
              enumerate([0, 0.0000001, 0.00001, 4.99, 5, 99.99, 100])]
    ds = read_dataset(make_dataset(tmp_path / "ds", people))
    day = dt.date(2018, 6, 30)
    durable = check(ds, rules=rules, as_of=day, engine="durable")
    python = check(ds, rules=rules, as_of=day, engine="python")
    key = [(f.subject, f.verdict, f.message) for f in durable.findings]
    assert key == [(f.subject, f.verdict, f.message) for f in python.findings]
    assert len(key) == len(people)


def test_a_tiny_share_reaches_durable_as_a_number(tmp_path: Path) -> None:
    # 0.0001 / 40 is 2.5e-06: durable's parser misread it (all facts of the batch judged "ok").
    rules = _rules(tmp_path, "years_on_benefits / 40 > 0.000001")
    people = [participant("P1", years_on_benefits=0.0001), participant("P2", years_on_benefits=0.00001)]
    ds = read_dataset(make_dataset(tmp_path / "ds", people))
    result = check(ds, rules=rules, as_of=dt.date(2018, 1, 1), engine="durable")
    assert [(f.subject, f.verdict) for f in result.findings] == [("P1", "ok"), ("P2", "violation")]


def test_a_parameter_may_not_shadow_a_fact_field(tmp_path: Path) -> None:
    path = write_rules(tmp_path / "r.yaml", """
        id: shadow
        title: {da: s, en: s}
        extends: ikast-brande
        parameters:
          years_on_benefits: {value: 100, unit: years, description: d, source: s}
    """)
    with pytest.raises(RuleSetErrors) as info:
        load_ruleset(path)
    assert str(info.value) == f"{path}:5: parameter 'years_on_benefits' has the name of a fact field; rename it"


def test_durable_refusal_is_found_at_validation_with_the_rules_line(tmp_path: Path) -> None:
    path = _rules(tmp_path, " and ".join(["(active or met_quality)"] * 15))
    with pytest.raises(RuleSetErrors) as info:
        load_ruleset(path)
    assert str(info.value).startswith(f"{path}:6: rule 'numbers.rule': too complex for the durable_rules engine")


def test_an_extends_chain_has_a_limit(tmp_path: Path) -> None:
    count = 1200
    for i in range(count):
        parent = f"extends: r{i + 1}.yaml\n" if i + 1 < count else ""
        (tmp_path / f"r{i}.yaml").write_text(f"id: r{i}\ntitle: {{da: r, en: r}}\n{parent}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "validate", str(tmp_path / "r0.yaml")])
    assert result.exit_code == 2
    where = tmp_path / f"r{MAX_EXTENDS - 1}.yaml"
    assert result.stderr == f"Error: {where}:3: extends chain longer than {MAX_EXTENDS} rule sets\n"
    # A chain within the limit loads.
    (tmp_path / f"r{MAX_EXTENDS - 1}.yaml").write_text("id: last\ntitle: {da: r, en: r}\n", encoding="utf-8")
    assert load_ruleset(tmp_path / "r0.yaml").lineage[0] == "last"


def test_extends_never_echoes_the_file_it_names(tmp_path: Path) -> None:
    passwd = Path("/etc/passwd")
    child = tmp_path / "child.yaml"
    for ref in (str(passwd), "secret.yaml", "secret.txt"):
        (tmp_path / "secret.yaml").write_text("hunter2: x:0:0\nsw0rdfish: x:1:1\n", encoding="utf-8")
        (tmp_path / "secret.txt").write_text("hunter2: x:0:0\n", encoding="utf-8")
        child.write_text(f"id: child\ntitle: {{da: c, en: c}}\nextends: {ref}\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["rules", "validate", str(child)])
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1
        assert "hunter2" not in result.stderr and "sw0rdfish" not in result.stderr
        for line in passwd.read_text(encoding="utf-8").splitlines():
            assert line not in result.stderr


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_as_of_outside_the_supported_range_is_a_usage_error(tmp_path: Path, day: str) -> None:
    folder = make_dataset(tmp_path / "ds", [participant()])
    result = CliRunner().invoke(cli, ["check", str(folder), "--as-of", day])
    assert result.exit_code == 2
    assert result.stderr == f"Error: --as-of {day} is outside the supported 1900-01-01..2199-12-31\n"


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_as_of_at_the_ends_of_the_range_works_on_both_engines(tmp_path: Path, day: str) -> None:
    # A contract spanning the whole range: a check before a contract's start is an error of its own.
    folder = make_dataset(tmp_path / "ds", [participant()], start="1900-01-01", end="2199-12-31")
    for engine in ("durable", "python"):
        result = CliRunner().invoke(cli, ["check", str(folder), "--as-of", day, "--engine", engine])
        assert result.exit_code in (0, 1), result.stderr


def test_floats_reach_durable_without_exponents() -> None:
    from procurekit.evaluation.durable_engine import _DurableJson

    values = [1e-07, -2.5e-06, 5e-324, 1e16, 0.5, 3, "1e-07", {"x": [1e-05]}]
    text = _DurableJson.dumps(values, ensure_ascii=False)
    assert "e-" not in text.replace('"1e-07"', "") and "e+" not in text
    assert _DurableJson.loads(text) == values


def test_a_scenario_parameter_that_makes_a_rule_too_complex_is_an_input_error(tmp_path: Path) -> None:
    pairs = " and ".join(["(active or met_quality)"] * 15)
    write_rules(tmp_path / "rules.yaml", f"""
        id: folding
        title: {{da: f, en: f}}
        parameters:
          simple: {{value: true, unit: flag, description: d, source: s}}
        rules:
          - id: folding.rule
            subject: participant
            title: {{da: r, en: r}}
            condition: 'if(simple, active, {pairs})'
            message:
              violation: {{da: v, en: v}}
            clause: c
            reference: r
    """)
    assert load_ruleset(tmp_path / "rules.yaml").id == "folding"  # folds to `active`: compiles
    scenarios = write_rules(tmp_path / "f.scenarios.yaml", """
        ruleset: rules.yaml
        contract: {start: 2017-01-01, end: 2019-12-31}
        cases:
          - name: complex
            as_of: 2017-03-01
            parameters:
              simple: {value: false}
            participants:
              - {participant_id: A, years_on_benefits: 6, enrolled_on: 2017-01-02}
            expect:
              - {rule: folding.rule, subject: A, verdict: ok}
    """)
    result = CliRunner().invoke(cli, ["rules", "test", str(scenarios)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {scenarios}:6: rule 'folding.rule': too complex for the durable_rules")
