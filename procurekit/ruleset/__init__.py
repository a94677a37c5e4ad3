"""Rule sets: the file models, loading with `extends`, dated parameters, subjects and fields."""

from __future__ import annotations

from procurekit.ruleset.load import (
    MAX_EXTENDS,
    RULE_ID,
    VERDICTS,
    Parameter,
    ParameterFile,
    Rule,
    RuleSet,
    RuleSetFile,
    Scalar,
    Text,
    Verdict,
    also_used_in,
    bundled_rules_dir,
    list_bundled,
    merge_child,
    param_const,
    pydantic_errors,
    read_model,
    resolve_ref,
)
from procurekit.ruleset.subjects import FIELD_WORDS, SOURCES, SUBJECTS

__all__ = [
    "FIELD_WORDS",
    "MAX_EXTENDS",
    "Parameter",
    "ParameterFile",
    "RULE_ID",
    "Rule",
    "RuleSet",
    "RuleSetFile",
    "SOURCES",
    "SUBJECTS",
    "Scalar",
    "Text",
    "VERDICTS",
    "Verdict",
    "also_used_in",
    "bundled_rules_dir",
    "list_bundled",
    "merge_child",
    "param_const",
    "pydantic_errors",
    "read_model",
    "resolve_ref",
]
