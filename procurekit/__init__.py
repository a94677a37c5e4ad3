"""procurekit: social-clause public procurement as rules as code.

One declarative rule set per programme holds eligibility, caps, triggers and compliance checks; the
checks run on durable_rules and the documents are generated from the same rules.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._check import CheckResult, Finding, NotEvaluated, check, default_as_of  # noqa: E402
from ._dataset import Dataset, read_dataset  # noqa: E402
from ._rules import Parameter, Rule, RuleSet, load_ruleset, validate_ruleset  # noqa: E402
from .errors import (  # noqa: E402
    DatasetError,
    EngineError,
    ProcurekitError,
    RuleFileError,
    RuleSetErrors,
    UnknownRuleSetError,
)

__all__ = [
    "CheckResult",
    "Dataset",
    "DatasetError",
    "EngineError",
    "Finding",
    "NotEvaluated",
    "Parameter",
    "ProcurekitError",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "RuleSetErrors",
    "UnknownRuleSetError",
    "check",
    "default_as_of",
    "load_ruleset",
    "read_dataset",
    "validate_ruleset",
]
