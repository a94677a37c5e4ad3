"""procurekit: social-clause public procurement as rules as code.

One declarative rule set per programme holds eligibility, caps, triggers and compliance checks; the
checks run on durable_rules and the documents are generated from the same rules.
"""

from __future__ import annotations

from procurekit.dataset.read import Dataset, looks_like_cpr, read_dataset  # noqa: E402
from procurekit.documents.charts import Chart, Series, chart  # noqa: E402
from procurekit.documents.report import report_document  # noqa: E402
from procurekit.errors import (
    DatasetError,
    EngineError,
    ProcurekitError,
    RuleFileError,
    RuleSetErrors,
    UnknownRuleSetError,
)
from procurekit.evaluation.check import CheckResult, Finding, NotEvaluated, check, default_as_of  # noqa: E402
from procurekit.evaluation.engines import load_checked_ruleset as load_ruleset  # noqa: E402
from procurekit.evaluation.engines import load_checked_ruleset as validate_ruleset  # noqa: E402
from procurekit.files import write_atomic
from procurekit.ruleset.load import Parameter, Rule, RuleSet, resolve_ref  # noqa: E402
from procurekit.version import __version__  # noqa: E402

__all__ = [
    "__version__",
    "Chart",
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
    "Series",
    "UnknownRuleSetError",
    "chart",
    "check",
    "default_as_of",
    "load_ruleset",
    "looks_like_cpr",
    "read_dataset",
    "report_document",
    "resolve_ref",
    "validate_ruleset",
    "write_atomic",
]
