"""procurekit: social-clause public procurement as rules as code.

One declarative rule set per programme holds eligibility, caps, triggers and compliance checks; the
checks run on durable_rules and the documents are generated from the same rules.

Everything the command line does is a call here: `check` (`check_json`, `check_text`), `read_dataset`,
`load_ruleset`, the tender pack (`load_tender`, `tender_documents`, `build_pack`), `report_document`,
`business_case`, `explain_ruleset`, `init_ruleset` and `diff_rulesets`, `run_scenarios`, the dataset
template (`write_template`) and the contract ledger (`Ledger`). The subpackages list their public names
in their own `__all__`.
"""

from __future__ import annotations

from procurekit.authoring import diff_rulesets, explain_ruleset, init_ruleset, load_scenarios, run_scenarios
from procurekit.business import business_case, load_assumptions
from procurekit.dataset import Dataset, looks_like_cpr, read_dataset, write_template
from procurekit.documents import (
    Chart,
    Series,
    build_pack,
    chart,
    check_json,
    check_text,
    load_tender,
    report_document,
    tender_documents,
)
from procurekit.errors import (
    AssumptionsError,
    DatasetError,
    EngineError,
    OutputError,
    ProcurekitError,
    RuleFileError,
    RuleSetErrors,
    UnknownRuleSetError,
)
from procurekit.evaluation import CheckResult, Finding, NotEvaluated, default_as_of
from procurekit.evaluation import load_checked_ruleset as load_ruleset
from procurekit.evaluation import load_checked_ruleset as validate_ruleset
from procurekit.evaluation.check import check  # the package's `check` is the module
from procurekit.files import write_atomic
from procurekit.ledger import Ledger, LedgerError
from procurekit.ruleset import Parameter, Rule, RuleSet, list_bundled, resolve_ref
from procurekit.version import __version__

__all__ = [
    "AssumptionsError",
    "Chart",
    "CheckResult",
    "Dataset",
    "DatasetError",
    "EngineError",
    "Explanation",
    "Finding",
    "Ledger",
    "LedgerError",
    "NotEvaluated",
    "OutputError",
    "Parameter",
    "ProcurekitError",
    "ReportModel",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "RuleSetErrors",
    "Series",
    "TENDER_PARAMETERS",
    "Tender",
    "UNCONFIRMED",
    "UnknownRuleSetError",
    "__version__",
    "build_pack",
    "business_case",
    "chart",
    "check",
    "check_json",
    "check_text",
    "default_as_of",
    "diff_rulesets",
    "diff_text",
    "explain_ruleset",
    "explain_subject",
    "fmt_date",
    "fmt_money",
    "fmt_number",
    "init_ruleset",
    "list_bundled",
    "load_assumptions",
    "load_ruleset",
    "load_scenarios",
    "load_tender",
    "looks_like_cpr",
    "notice_data",
    "read_dataset",
    "report_document",
    "report_model",
    "resolve_ref",
    "run_scenarios",
    "shown",
    "subject_kind",
    "tender_documents",
    "tender_pack",
    "validate_ruleset",
    "write_atomic",
    "write_template",
]

# What the web workspace (procurekit.web) reads besides the library API: the report's page one, the
# explanations, the rule-set views, the tender pack and the documents' Danish formats.
from procurekit.authoring.adapt import diff_text  # noqa: E402
from procurekit.documents.report import ReportModel, report_model  # noqa: E402
from procurekit.documents.tender import TENDER_PARAMETERS, UNCONFIRMED, Tender, notice_data, tender_pack  # noqa: E402
from procurekit.documents.why import Explanation, explain_subject, subject_kind  # noqa: E402
from procurekit.l10n import date as fmt_date  # noqa: E402
from procurekit.l10n import money as fmt_money  # noqa: E402
from procurekit.l10n import number as fmt_number  # noqa: E402
from procurekit.privacy import shown  # noqa: E402
