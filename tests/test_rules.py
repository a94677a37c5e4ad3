"""Loading rule sets: extends, overrides, dated parameters, and one-line errors with file and line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from helpers import make_dataset, participant, verdicts, write_rules

from procurekit import RuleSetErrors, UnknownRuleSetError, check, load_ruleset
from procurekit.ruleset.load import bundled_rules_dir, resolve_ref

PARENT = str(bundled_rules_dir() / "ikast-brande.yaml")


def child(tmp_path: Path, body: str, name: str = "child") -> Path:
    head = f"id: {name}\ntitle: {{da: Barn, en: Child}}\nextends: {PARENT}\n"
    return write_rules(tmp_path / f"{name}.yaml", head + textwrap.dedent(body).lstrip("\n"))


def errors_of(path: Path) -> list[str]:
    with pytest.raises(RuleSetErrors) as info:
        load_ruleset(path)
    return [str(e) for e in info.value.errors]


def test_reference_rule_set_loads_with_sources() -> None:
    rs = load_ruleset("ikast-brande")
    assert [r.id for r in rs.rules] == [
        "eligibility.benefit-years", "cap.course-months", "capacity.training-places",
        "guarantee.job-offer", "guarantee.ordinary-terms", "hours.weekly-max", "hours.conversion",
        "ratio.rimelighed", "clause.target-group-share",
    ]
    for p in rs.parameters.values():
        assert p.source.strip() and p.description and p.unit and p.confidence
    assert "not published" in rs.parameters["min_target_group_share"].source


def test_child_overrides_drops_and_adds(tmp_path: Path) -> None:
    path = child(tmp_path, """
        parameters:
          training_places: {value: 10, source: "Kontrakt 2024 § 3"}
        drop: [ratio.rimelighed]
        rules:
          - id: eligibility.benefit-years
            subject: participant
            title: {da: Målgruppe, en: Target group}
            condition: years_on_benefits >= min_benefit_years + 1
            message:
              violation: {da: "for kort tid", en: "too short"}
            clause: target-group
            reference: test
    """)
    rs = load_ruleset(path)
    assert rs.lineage == ("ikast-brande", "child")
    assert rs.parameters["training_places"].value == 10
    assert rs.parameters["training_places"].unit == "places"  # inherited field
    assert rs.parameters["training_places"].source == "Kontrakt 2024 § 3"
    assert "ratio.rimelighed" not in [r.id for r in rs.rules]
    assert rs.rule("eligibility.benefit-years").defined_in == "child"
    assert rs.rule("cap.course-months").defined_in == "ikast-brande"


def test_dated_parameter_uses_value_in_force_on_as_of(tmp_path: Path) -> None:
    path = child(tmp_path, """
        parameters:
          min_benefit_years:
            values:
              2016-01-01: 5
              2018-01-01: {value: 3, source: "Ny aftale 2018"}
    """)
    ds = make_dataset(tmp_path / "ds", [participant("A", years_on_benefits=4)])
    before = check(ds, rules=path, as_of=dt.date(2017, 12, 31), engine="python")
    after = check(ds, rules=path, as_of=dt.date(2018, 1, 1), engine="python")
    assert verdicts(before, "eligibility.benefit-years") == {"A": "violation"}
    assert verdicts(after, "eligibility.benefit-years") == {"A": "ok"}


def test_two_rule_sets_in_one_process_do_not_leak(tmp_path: Path) -> None:
    strict = child(tmp_path, "parameters:\n  min_benefit_years: {value: 7}\n", name="strict")
    ds = make_dataset(tmp_path / "ds", [participant("A", years_on_benefits=6)])
    for _ in range(2):
        a = check(ds, rules="ikast-brande", as_of=dt.date(2017, 3, 1))
        b = check(ds, rules=strict, as_of=dt.date(2017, 3, 1))
        assert verdicts(a, "eligibility.benefit-years") == {"A": "ok"}
        assert verdicts(b, "eligibility.benefit-years") == {"A": "violation"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "parameters:\n  traning_places: {value: 10}\n",
            "child.yaml:5: parameter 'traning_places' is new here and needs unit, description, source"
            " (or is it a misspelt parent parameter?)",
        ),
        (
            "rules:\n  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
            "    condition: years_on_benefit >= 5\n    message: {violation: {da: a, en: b}}\n"
            "    clause: c\n    reference: r\n",
            "child.yaml:8: rule 'x.y' condition: unknown name 'years_on_benefit' (column 1)",
        ),
        (
            "rules:\n  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
            "    condition: exit_reason > 5\n    message: {violation: {da: a, en: b}}\n"
            "    clause: c\n    reference: r\n",
            "child.yaml:8: rule 'x.y' condition: cannot order string and number with '>' (column 13)",
        ),
        (
            "rules:\n  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
            "    condition: years_on_benefits + 5\n    message: {violation: {da: a, en: b}}\n"
            "    clause: c\n    reference: r\n",
            "child.yaml:8: rule 'x.y' condition: must be a bool condition, got number",
        ),
        (
            "rules:\n  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
            "    condition: years_on_benefits >= (5\n    message: {violation: {da: a, en: b}}\n"
            "    clause: c\n    reference: r\n",
            "child.yaml:8: rule 'x.y' condition: expected ')' but found end of condition (column 24)",
        ),
        (
            "rules:\n  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
            "    condition: __import__(\"os\")\n    message: {violation: {da: a, en: b}}\n"
            "    clause: c\n    reference: r\n",
            "child.yaml:8: rule 'x.y' condition: unknown function '__import__' (column 1)",
        ),
        ("drop: [no.such-rule]\n", "child.yaml:4: drop: no rule 'no.such-rule' to drop"),
        ("severity: fatal\n", "child.yaml:4: severity: Extra inputs are not permitted"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, body: str, expected: str) -> None:
    path = child(tmp_path, body)
    assert [e.replace(str(tmp_path) + "/", "") for e in errors_of(path)] == [expected]


def test_duplicate_rule_id(tmp_path: Path) -> None:
    rule = (
        "  - id: x.y\n    subject: participant\n    title: {da: a, en: b}\n"
        "    condition: active\n    message: {violation: {da: a, en: b}}\n    clause: c\n    reference: r\n"
    )
    path = child(tmp_path, "rules:\n" + rule + rule)
    assert errors_of(path) == [f"{path}:12: duplicate rule id 'x.y'"]


def test_every_error_is_reported_in_one_run(tmp_path: Path) -> None:
    bad = (
        "  - id: a.{n}\n    subject: participant\n    title: {{da: a, en: b}}\n"
        "    condition: nonsense_{n} > 1\n    message: {{violation: {{da: a, en: b}}}}\n"
        "    clause: c\n    reference: r\n"
    )
    path = child(tmp_path, "rules:\n" + bad.format(n=1) + bad.format(n=2))
    assert len(errors_of(path)) == 2


def test_cycle_and_unknown_parent(tmp_path: Path) -> None:
    write_rules(tmp_path / "a.yaml", "id: a\ntitle: {da: a, en: a}\nextends: b\n")
    write_rules(tmp_path / "b.yaml", "id: b\ntitle: {da: b, en: b}\nextends: a\n")
    (msg,) = errors_of(tmp_path / "a.yaml")
    assert msg == f"{tmp_path / 'b.yaml'}: extends cycle: a -> b -> a"
    write_rules(tmp_path / "c.yaml", "id: c\ntitle: {da: c, en: c}\nextends: nowhere\n")
    (msg,) = errors_of(tmp_path / "c.yaml")
    assert msg.startswith(f"{tmp_path / 'c.yaml'}:3: unknown rule set 'nowhere' (bundled: ")


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = write_rules(tmp_path / "evil.yaml", "id: !!python/object/apply:os.system ['echo hi']\n")
    (msg,) = errors_of(path)
    assert msg == f"{path}:1: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"


def test_yaml_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write_rules(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    (msg,) = errors_of(path)
    assert "document expands to too many nodes" in msg


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = write_rules(tmp_path / "dup.yaml", "id: a\nid: b\n")
    assert errors_of(path) == [f"{path}:2: duplicate key 'id'"]


def test_unknown_rule_set() -> None:
    with pytest.raises(UnknownRuleSetError, match="unknown rule set 'nope'"):
        load_ruleset("nope")


def test_a_missing_file_is_file_not_found_not_an_unknown_id(tmp_path: Path) -> None:
    with pytest.raises(UnknownRuleSetError) as info:
        load_ruleset(resolve_ref("nosuch.yaml"))
    assert str(info.value) == "nosuch.yaml: file not found"
    with pytest.raises(UnknownRuleSetError) as info:
        resolve_ref(str(tmp_path))
    assert str(info.value) == f"{tmp_path}: a folder, not a rule-set file"
    write_rules(tmp_path / "c.yaml", "id: c\ntitle: {da: c, en: c}\nextends: parent.yaml\n")
    (msg,) = errors_of(tmp_path / "c.yaml")
    assert msg == f"{tmp_path / 'c.yaml'}:3: {tmp_path / 'parent.yaml'}: file not found"


def test_a_misspelt_parameter_block_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    path = child(tmp_path, """
        parameters:
          max_course_month: {value: 12, unit: months, description: d, source: s}
          traning_place: {value: 3, unit: places, description: d, source: s}
          unrelated_thing: {value: 3, unit: places, description: d, source: s}
    """)
    assert errors_of(path) == [
        f"{path}:5: parameter 'max_course_month' is not used by any rule, message, reference, clause or template; "
        "did you mean 'max_course_months'?",
        f"{path}:6: parameter 'traning_place' is not used by any rule, message, reference, clause or template; "
        "did you mean 'training_places'?",
        f"{path}:7: parameter 'unrelated_thing' is not used by any rule, message, reference, clause or template; "
        "remove it, or use it in a rule",
    ]


def test_a_new_parameter_used_by_a_rule_a_reference_or_a_users_clause_is_fine(tmp_path: Path) -> None:
    from procurekit.ruleset.load import also_used_in

    path = child(tmp_path, """
        parameters:
          in_reference: {value: 3, unit: places, description: d, source: s}
          in_my_clause: {value: 3, unit: places, description: d, source: s}
        rules:
          - id: capacity.training-places
            subject: participant
            title: {da: t, en: t}
            condition: "true"
            message: {violation: {da: v, en: v}}
            clause: training-places
            reference: "højst {in_reference}"
    """)
    assert len(errors_of(path)) == 1  # in_my_clause: only the user's own clause folder names it
    clauses = tmp_path / "clauses"
    clauses.mkdir()
    (clauses / "mine.yaml").write_text("text: '{{ p.in_my_clause }}'\n")
    with also_used_in(clauses):
        assert load_ruleset(path).parameters["in_my_clause"].value == 3
    assert len(errors_of(path)) == 1


def test_an_unknown_placeholder_in_a_reference_or_source_is_an_error(tmp_path: Path) -> None:
    path = child(tmp_path, """
        parameters:
          max_course_months: {value: 12, source: "Herning ({max_course_mnths})"}
        rules:
          - id: cap.course-months
            subject: participant
            title: {da: t, en: t}
            condition: "true"
            message: {violation: {da: v, en: v}}
            clause: course-cap
            reference: "højst {max_course_month}"
    """)
    assert errors_of(path) == [
        f"{path}:13: rule 'cap.course-months': reference names unknown parameter '{{max_course_month}}'",
        f"{path}:5: parameter 'max_course_months': source names unknown parameter '{{max_course_mnths}}'",
    ]


def test_an_override_that_keeps_the_parents_source_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = child(tmp_path, """
        parameters:
          max_course_months: {value: 12}
          training_places: {value: 15}
          cap_warning_days: {value: 30, source: "our own choice"}
    """)
    load_ruleset(path)
    assert capsys.readouterr().err == (
        f"{path}:5: warning: parameter 'max_course_months': the override changes the value but keeps the "
        "parent's source; give the source of the new value (source:)\n"
    )
