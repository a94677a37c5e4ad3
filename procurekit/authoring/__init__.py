"""Adapting and testing rule sets: init, diff, schema, plain-language explain, scenario tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurekit.lazy import exports

if TYPE_CHECKING:
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

#: Where each public name lives: imported when first used (procurekit.lazy).
_WHERE = {
    "diff_rulesets": "procurekit.authoring.adapt",
    "diff_text": "procurekit.authoring.adapt",
    "init_ruleset": "procurekit.authoring.adapt",
    "ruleset_schema": "procurekit.authoring.adapt",
    "explain_ruleset": "procurekit.authoring.explain",
    "ENGINES": "procurekit.authoring.scenarios",
    "LoadedCase": "procurekit.authoring.scenarios",
    "ScenarioFile": "procurekit.authoring.scenarios",
    "bundled_scenarios": "procurekit.authoring.scenarios",
    "coverage_gaps": "procurekit.authoring.scenarios",
    "find_scenarios": "procurekit.authoring.scenarios",
    "load_scenario_file": "procurekit.authoring.scenarios",
    "load_scenarios": "procurekit.authoring.scenarios",
    "run_case": "procurekit.authoring.scenarios",
    "run_scenarios": "procurekit.authoring.scenarios",
    "shown_path": "procurekit.authoring.scenarios",
}
__getattr__, __dir__ = exports(__name__, _WHERE)

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
