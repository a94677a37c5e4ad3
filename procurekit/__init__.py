"""procurekit: social-clause public procurement as rules as code.

One declarative rule set per programme holds eligibility, caps, triggers and compliance checks; the
checks run on durable_rules and the documents are generated from the same rules.

Everything the command line does is a call here: `check` (`check_json`, `check_text`), `read_dataset`,
`load_ruleset`, the tender pack (`load_tender`, `tender_documents`, `build_pack`), `report_document`,
`business_case`, `explain_ruleset`, `init_ruleset` and `diff_rulesets`, `run_scenarios`, the dataset
template (`write_template`) and the contract ledger (`Ledger`). The subpackages list their public names
in their own `__all__`.

A name is imported when it is first used (`procurekit.lazy`): `import procurekit` costs almost nothing,
and a check never loads the document writers or matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurekit.errors import (
    AssumptionsError,
    DatasetError,
    DatasetErrors,
    EngineError,
    OutputError,
    ProcurekitError,
    RuleFileError,
    RuleSetErrors,
    UnknownRuleSetError,
)
from procurekit.lazy import exports
from procurekit.version import __version__

if TYPE_CHECKING:
    from procurekit.authoring import diff_rulesets, explain_ruleset, init_ruleset, load_scenarios, run_scenarios
    from procurekit.authoring.adapt import diff_text
    from procurekit.business import business_case, load_assumptions
    from procurekit.dataset import Dataset, cut_short, dataset_problems, looks_like_cpr, read_dataset, write_template
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
    from procurekit.documents.report import ReportModel, report_model
    from procurekit.documents.tender import TENDER_PARAMETERS, UNCONFIRMED, Tender, notice_data, tender_pack
    from procurekit.documents.why import Explanation, explain_subject, subject_kind
    from procurekit.evaluation import CheckResult, Finding, NotEvaluated, default_as_of
    from procurekit.evaluation import load_checked_ruleset as load_ruleset
    from procurekit.evaluation import load_checked_ruleset as validate_ruleset
    from procurekit.evaluation.check import check  # the package's `check` is the module
    from procurekit.files import write_atomic
    from procurekit.l10n import date as fmt_date
    from procurekit.l10n import money as fmt_money
    from procurekit.l10n import number as fmt_number
    from procurekit.ledger import Ledger, LedgerError
    from procurekit.privacy import shown
    from procurekit.ruleset import Parameter, Rule, RuleSet, list_bundled, resolve_ref

#: Where each public name lives (see procurekit.lazy); the web workspace (procurekit.web) also reads the
#: report's page one, the explanations, the rule-set views, the tender pack and the documents' Danish formats.
_WHERE = {
    "diff_rulesets": "procurekit.authoring",
    "explain_ruleset": "procurekit.authoring",
    "init_ruleset": "procurekit.authoring",
    "load_scenarios": "procurekit.authoring",
    "run_scenarios": "procurekit.authoring",
    "diff_text": "procurekit.authoring.adapt",
    "business_case": "procurekit.business",
    "load_assumptions": "procurekit.business",
    "Dataset": "procurekit.dataset",
    "cut_short": "procurekit.dataset",
    "dataset_problems": "procurekit.dataset",
    "looks_like_cpr": "procurekit.dataset",
    "read_dataset": "procurekit.dataset",
    "write_template": "procurekit.dataset",
    "Chart": "procurekit.documents",
    "Series": "procurekit.documents",
    "build_pack": "procurekit.documents",
    "chart": "procurekit.documents",
    "check_json": "procurekit.documents",
    "check_text": "procurekit.documents",
    "load_tender": "procurekit.documents",
    "report_document": "procurekit.documents",
    "tender_documents": "procurekit.documents",
    "ReportModel": "procurekit.documents.report",
    "report_model": "procurekit.documents.report",
    "TENDER_PARAMETERS": "procurekit.documents.tender",
    "UNCONFIRMED": "procurekit.documents.tender",
    "Tender": "procurekit.documents.tender",
    "notice_data": "procurekit.documents.tender",
    "tender_pack": "procurekit.documents.tender",
    "Explanation": "procurekit.documents.why",
    "explain_subject": "procurekit.documents.why",
    "subject_kind": "procurekit.documents.why",
    "CheckResult": "procurekit.evaluation",
    "Finding": "procurekit.evaluation",
    "NotEvaluated": "procurekit.evaluation",
    "default_as_of": "procurekit.evaluation",
    "load_ruleset": "procurekit.evaluation:load_checked_ruleset",
    "validate_ruleset": "procurekit.evaluation:load_checked_ruleset",
    "check": "procurekit.evaluation.check",
    "write_atomic": "procurekit.files",
    "fmt_date": "procurekit.l10n:date",
    "fmt_money": "procurekit.l10n:money",
    "fmt_number": "procurekit.l10n:number",
    "Ledger": "procurekit.ledger",
    "LedgerError": "procurekit.ledger",
    "shown": "procurekit.privacy",
    "Parameter": "procurekit.ruleset",
    "Rule": "procurekit.ruleset",
    "RuleSet": "procurekit.ruleset",
    "list_bundled": "procurekit.ruleset",
    "resolve_ref": "procurekit.ruleset",
}
__getattr__, __dir__ = exports(__name__, _WHERE)

__all__ = [
    "AssumptionsError",
    "Chart",
    "CheckResult",
    "Dataset",
    "DatasetError",
    "DatasetErrors",
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
    "cut_short",
    "dataset_problems",
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
