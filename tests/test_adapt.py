"""`procurekit rules init|diff|explain|schema`, and `rules validate` reporting every error of a file."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import write_rules

from procurekit import load_ruleset
from procurekit.authoring.adapt import ruleset_schema
from procurekit.cli import cli
from procurekit.ruleset.load import bundled_rules_dir, list_bundled
from procurekit.yamlio import load_yaml

PARENT = bundled_rules_dir() / "ikast-brande.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# --- init ----------------------------------------------------------------------------------------


def test_init_writes_a_child_that_loads_to_the_parent(tmp_path: Path) -> None:
    code, out, _ = invoke("rules", "init", "herning", "--from", "ikast-brande", "-o", str(tmp_path))
    path = tmp_path / "herning.yaml"
    assert code == 0
    assert out == f"wrote {path} (extends ikast-brande; edit it, then: procurekit rules validate {path})\n"
    parent, child = load_ruleset("ikast-brande"), load_ruleset(path)
    assert child.lineage == ("ikast-brande", "herning")
    assert child.parameters == parent.parameters
    assert [r.source for r in child.rules] == [r.source for r in parent.rules]
    assert child.digest == parent.digest
    code, out, _ = invoke("rules", "validate", str(path))
    assert code == 0 and out.startswith(f"{path}: ok (herning 0.1.0, {len(parent.rules)} rules")


def test_init_lists_every_parameter_as_a_block_that_uncomments_to_the_same_values(tmp_path: Path) -> None:
    invoke("rules", "init", "herning", "--from", "ikast-brande", "-o", str(tmp_path))
    text = (tmp_path / "herning.yaml").read_text(encoding="utf-8")
    parent = load_ruleset("ikast-brande")
    for name, p in parent.parameters.items():
        assert f"#   {name}:\n" in text
        block = re.split(r"\n#   \S|\n\n", text.split(f"#   {name}:\n", 1)[1])[0]
        assert f"unit: {p.unit}" in block and "source:" in block and "description:" in block
        assert f"confidence: {p.confidence}" in block.replace("'", "")
    lines = text.splitlines()
    start = lines.index("# parameters:")
    end = lines.index("", start)
    uncommented = [line[2:] if line.startswith("# ") else line for line in lines[start:end]]
    edited = tmp_path / "edited.yaml"
    edited.write_text("\n".join(lines[:start] + uncommented + lines[end:]) + "\n", encoding="utf-8")
    child = load_ruleset(edited)
    for name, p in parent.parameters.items():
        c = child.parameters[name]
        assert (c.values, c.unit, c.confidence) == (p.values, p.unit, p.confidence), name
        assert c.source == " ".join(p.source.split())


def test_init_refuses_to_overwrite_and_bad_ids(tmp_path: Path) -> None:
    target = tmp_path / "herning.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    code, out, err = invoke("rules", "init", "herning", "--from", "ikast-brande", "-o", str(tmp_path))
    assert (code, out, err) == (2, "", f"Error: {target}: already exists; not overwritten\n")
    assert target.read_text(encoding="utf-8") == "keep me\n"
    code, _, err = invoke("rules", "init", "Herning_2", "--from", "ikast-brande", "-o", str(tmp_path))
    assert (code, err) == (2, "Error: 'Herning_2' is not a rule-set id (lower-case letters, digits and dashes)\n")
    code, _, err = invoke("rules", "init", "x", "--from", "nowhere", "-o", str(tmp_path))
    assert code == 2 and err.startswith("Error: unknown rule set 'nowhere'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["herning.yaml"]


def test_init_from_a_file_extends_it_by_relative_path(tmp_path: Path) -> None:
    invoke("rules", "init", "herning", "--from", "ikast-brande", "-o", str(tmp_path / "a"))
    code, _, _ = invoke("rules", "init", "herning-2025", "--from", str(tmp_path / "a" / "herning.yaml"),
                        "-o", str(tmp_path / "b"))
    assert code == 0
    text = (tmp_path / "b" / "herning-2025.yaml").read_text(encoding="utf-8")
    assert "\nextends: ../a/herning.yaml\n" in text
    assert load_ruleset(tmp_path / "b" / "herning-2025.yaml").lineage == ("ikast-brande", "herning", "herning-2025")


# --- diff ----------------------------------------------------------------------------------------


def test_diff_of_the_bundled_adaptation() -> None:
    code, out, _ = invoke("rules", "diff", "ikast-brande", "flere-skal-med", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc["parameters"]["changed"]["min_benefit_years"]) == ["description", "source", "confidence"]
    assert doc["parameters"]["changed"]["min_benefit_years"]["confidence"] == {"old": "L", "new": "H"}
    assert list(doc["parameters"]["added"]) == ["first_ordinary_month"]
    assert doc["parameters"]["removed"] == {}
    assert [r["id"] for r in doc["rules"]["added"]] == ["eligibility.aktivitetsparat", "hours.ordinary"]
    assert doc["rules"]["dropped"] == [] and doc["rules"]["changed"] == {}


def test_diff_text_shows_dated_values_dropped_and_changed_rules(tmp_path: Path) -> None:
    child = write_rules(tmp_path / "child.yaml", f"""
        id: child
        title: {{da: Barn, en: Child}}
        extends: {PARENT}
        parameters:
          training_places:
            values:
              2016-01-01: 15
              2018-07-01: {{value: 10, source: "Tillæg 2018"}}
        drop: [ratio.rimelighed]
        rules:
          - id: eligibility.benefit-years
            subject: participant
            title: {{da: Målgruppe, en: Target group}}
            condition: years_on_benefits > min_benefit_years
            message:
              violation: {{da: "for kort", en: "too short"}}
            clause: target-group
            reference: test
    """)
    code, out, _ = invoke("rules", "diff", "ikast-brande", str(child))
    assert code == 0
    assert out.splitlines() == [
        "ikast-brande 1.0.0 → child 1.0.0",
        "",
        "Parameters:",
        "  ~ training_places: values",
        "      value: 15 → 15 from 2016-01-01, 10 from 2018-07-01",
        "",
        "Rules:",
        "  - ratio.rimelighed (month) — Rimelighedskravet",
        "  ~ eligibility.benefit-years: title, condition, message, reference",
        "      condition: years_on_benefits >= min_benefit_years → years_on_benefits > min_benefit_years",
    ]
    code, out, _ = invoke("rules", "diff", str(child), "ikast-brande")
    assert code == 0 and "  + ratio.rimelighed (month) — Rimelighedskravet" in out.splitlines()
    from procurekit import diff_rulesets, diff_text, load_ruleset

    danish = diff_text(diff_rulesets(load_ruleset("ikast-brande"), load_ruleset(child)), "da").splitlines()
    assert danish[2:5] == ["Parametre:", "  ~ training_places: values",
                           "      værdi: 15 → 15 fra 2016-01-01, 10 fra 2018-07-01"]
    assert danish[6] == "Regler:"
    english = diff_text(diff_rulesets(load_ruleset("ikast-brande"), load_ruleset(child)), "en").splitlines()
    assert english[7].startswith("  - ratio.rimelighed (month) — ") and "Rimelighedskravet" not in english[7]


def test_diff_of_equal_rule_sets_and_unknown_ones() -> None:
    code, out, _ = invoke("rules", "diff", "ikast-brande", str(PARENT))
    assert (code, out.splitlines()[-1]) == (0, "No differences in parameters or rules.")
    code, _, err = invoke("rules", "diff", "ikast-brande", "nope")
    assert code == 2 and err.startswith("Error: unknown rule set 'nope'")


# --- explain -------------------------------------------------------------------------------------


def test_explain_in_danish_fills_in_values_and_sources() -> None:
    code, out, _ = invoke("rules", "explain", "ikast-brande", "--as-of", "2024-01-01")
    assert code == 0
    assert out.startswith("# Ikast-Brande-modellen – rengøring med jobtræning og jobgaranti\n")
    assert "Værdier i kraft pr. 1. januar 2024." in out
    assert "- **Krav:** År på kontanthjælp ved optagelse er mindst 5 år." in out
    assert ("- **Krav:** Forløbets slutdag (opgørelsesdagen, mens det varer) er senest 18 måneder efter "
            "optagelsesdagen.") in out
    assert "- **Klausul:** target-group · **Hjemmel:** Kontraktens sociale klausul; udbudsloven § 176" in out
    assert "- **min_benefit_years** = 5 år [L]: Mindste antal år på kontanthjælp" in out
    assert "  Kilde: KL, Råderum nr. 15/2019" in out
    rs = load_ruleset("ikast-brande")
    assert out.count("\n### ") == len(rs.rules)


def test_explain_in_english_with_a_dated_value(tmp_path: Path) -> None:
    child = write_rules(tmp_path / "child.yaml", f"""
        id: child
        title: {{da: Barn, en: Child}}
        extends: {PARENT}
        parameters:
          min_target_group_share:
            values:
              2016-01-01: 0.1
              2020-01-01: {{value: 0.125, source: "Tillæg 2020"}}
    """)
    _, before, _ = invoke("rules", "explain", str(child), "--lang", "en", "--as-of", "2019-12-31")
    _, after, _ = invoke("rules", "explain", str(child), "--lang", "en", "--as-of", "2020-01-01")
    assert "(the target group's FTE / the contract's FTE) is at least 10%." in before
    assert "(the target group's FTE / the contract's FTE) is at least 12.5%." in after
    assert ("- **min_target_group_share** = 10% from 1 January 2016; 12.5% from 1 January 2020 "
            "[NOT CONFIRMED]: Mindste andel") in after
    assert "  1 January 2020: Tillæg 2020" in after


def test_explain_renders_if_bands() -> None:
    _, out, _ = invoke("rules", "explain", "gladsaxe-vask", "--as-of", "2021-01-01")
    assert ("- **Krav:** Målgruppens årsværk er mindst (0 hvis årets omsætning på kontrakten er højst "
            "1.000.000 kr., ellers 0,5 årsværk hvis årets omsætning på kontrakten er højst 2.000.000 kr., "
            "ellers 1 årsværk).") in out
    assert "`clause.turnover-band` · Gælder for: hvert kalenderår i kontrakten · Kræver: turnover.csv" in out


def test_explain_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "forklaring.md"
    code, out, err = invoke("rules", "explain", "flere-skal-med", "-o", str(target))
    assert (code, out, err) == (0, "", f"wrote {target}\n")
    assert "Deltageren er aktivitetsparat" in target.read_text(encoding="utf-8")


# --- schema --------------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """A loaded YAML document as a YAML language server sees it (dates are strings)."""
    if isinstance(value, dict):
        return {str(k.isoformat() if isinstance(k, dt.date) else k): _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = ruleset_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", list_bundled(), ids=lambda p: p.stem)
def test_every_bundled_rule_set_validates_against_the_schema(path: Path, validator) -> None:
    data, _ = load_yaml(path)
    assert list(validator.iter_errors(_json(data))) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": "fatal"}, "Additional properties are not allowed ('severity' was unexpected)"),
        ({"rules": [{"id": "NoDot"}]}, "'NoDot' does not match"),
        ({"id": "Bad Id"}, "'Bad Id' does not match"),
        ({"parameters": {"x": {"value": 1, "confidence": "sure"}}},
         "'sure' is not valid under any of the given schemas"),
    ],
)
def test_a_broken_rule_set_does_not_validate(change: dict, message: str, validator) -> None:
    data, _ = load_yaml(PARENT)
    errors = [e.message for e in validator.iter_errors(_json({**data, **change}))]
    assert any(message in e for e in errors), errors


def test_schema_command_has_titles_and_descriptions(tmp_path: Path) -> None:
    code, out, _ = invoke("rules", "schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "procurekit rule set"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    rule = schema["$defs"]["RuleFile"]["properties"]
    assert rule["subject"]["enum"] == ["participant", "participant_month", "month", "year"]
    assert [k for k, v in rule.items() if "description" not in v] == []
    target = tmp_path / "rule-set.schema.json"
    code, _, err = invoke("rules", "schema", "-o", str(target))
    assert (code, err) == (0, f"wrote {target}\n")
    assert json.loads(target.read_text(encoding="utf-8")) == schema


# --- validate: every error in one run ------------------------------------------------------------


def test_validate_reports_every_error_of_a_file_in_one_run(tmp_path: Path) -> None:
    bad = write_rules(tmp_path / "bad.yaml", """
        id: bad
        title: {da: Dårlig, en: Bad}
        parameters:
          places: {value: 10, unit: places, description: d, source: s}
        rules:
          - id: a.first
            subject: nobody
            title: {da: a, en: a}
            condition: places > 1
            message: {violation: {da: v, en: v}}
            clause: c
            reference: r
          - id: a.second
            subject: month
            title: {da: b, en: b}
            condition: places_in_use <= plces
            message: {violation: {da: "{nothing}", en: v}}
            clause: c
            reference: r
          - id: a.third
            subject: year
            title: {da: c, en: c}
            requires: [turnover]
            let: {need: 'if(turnover_dkk > 1, 1, "none")'}
            condition: target_group_fte >= 1
            severity: warning
            message: {violation: {da: v, en: v}}
            clause: c
            reference: r
    """)
    code, _, err = invoke("rules", "validate", str(bad))
    assert code == 2
    assert err.splitlines() == [
        f"Error: {bad}:7: rules.0.subject: Input should be 'participant', 'participant_month', 'month' or 'year'",
        f"{bad}:16: rule 'a.second' condition: unknown name 'plces' (column 18)",
        f"{bad}:17: rule 'a.second': message.violation.da names unknown '{{nothing}}'",
        f"{bad}:24: rule 'a.third' let need: if() branches must have one type, got number and string (column 1)",
        f"{bad}:27: rule 'a.third': no message for verdict 'warning'",
    ]
    assert all(re.match(rf"(Error: )?{re.escape(str(bad))}:\d+: ", line) for line in err.splitlines())


def test_explain_reads_a_boolean_test_as_a_statement() -> None:
    _, out, _ = invoke("rules", "explain", "flere-skal-med")
    assert "- **Krav:** Deltageren er aktivitetsparat.\n- **Ellers:** overtrædelse." in out
    assert "- **Krav:** De ordinære timer er over 0.\n- **Ellers:** advarsel." in out
