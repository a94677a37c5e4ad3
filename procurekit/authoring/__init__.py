"""Adapting and testing rule sets: init, diff, schema, plain-language explain, scenario tests."""

from __future__ import annotations

from procurekit.authoring.adapt import diff_rulesets, diff_text, init_ruleset, ruleset_schema
from procurekit.authoring.explain import explain_ruleset
from procurekit.authoring.scenarios import (
    ENGINES,
    LoadedCase,
    ScenarioFile,
    bundled_scenarios,
    coverage_gaps,
    find_scenarios,
    load_scenario_file,
    load_scenarios,
    run_case,
    run_scenarios,
    shown_path,
)

__all__ = [
    "ENGINES",
    "LoadedCase",
    "ScenarioFile",
    "bundled_scenarios",
    "coverage_gaps",
    "diff_rulesets",
    "diff_text",
    "explain_ruleset",
    "find_scenarios",
    "init_ruleset",
    "load_scenario_file",
    "load_scenarios",
    "ruleset_schema",
    "run_case",
    "run_scenarios",
    "shown_path",
]
