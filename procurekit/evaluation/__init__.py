"""Evaluating a rule set on facts: the plan, the engines, `check` and batches of contracts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurekit.lazy import exports

if TYPE_CHECKING:
    from procurekit.evaluation.batch import (
        DEFAULT_TIMEOUT,
        Job,
        bulk_gc,
        check_apart,
        find_datasets,
        register_errors,
        register_json,
        run_apart,
        run_check,
        run_jobs,
        share_cores,
        worker_count,
    )
    from procurekit.evaluation.check import CheckResult, Finding, NotEvaluated, default_as_of
    from procurekit.evaluation.engines import (
        DurableEngine,
        PythonEngine,
        durable_problems,
        get_engine,
        load_checked_ruleset,
        make_plan,
    )
    from procurekit.evaluation.output import ruleset_json, ruleset_text, to_json

#: Where each public name lives: imported when first used (procurekit.lazy).
_WHERE = {
    "DEFAULT_TIMEOUT": "procurekit.evaluation.batch",
    "Job": "procurekit.evaluation.batch",
    "bulk_gc": "procurekit.evaluation.batch",
    "check_apart": "procurekit.evaluation.batch",
    "find_datasets": "procurekit.evaluation.batch",
    "register_errors": "procurekit.evaluation.batch",
    "register_json": "procurekit.evaluation.batch",
    "run_check": "procurekit.evaluation.batch",
    "run_apart": "procurekit.evaluation.batch",
    "run_jobs": "procurekit.evaluation.batch",
    "share_cores": "procurekit.evaluation.batch",
    "worker_count": "procurekit.evaluation.batch",
    "CheckResult": "procurekit.evaluation.check",
    "Finding": "procurekit.evaluation.check",
    "NotEvaluated": "procurekit.evaluation.check",
    "default_as_of": "procurekit.evaluation.check",
    "DurableEngine": "procurekit.evaluation.engines",
    "PythonEngine": "procurekit.evaluation.engines",
    "durable_problems": "procurekit.evaluation.engines",
    "get_engine": "procurekit.evaluation.engines",
    "load_checked_ruleset": "procurekit.evaluation.engines",
    "make_plan": "procurekit.evaluation.engines",
    "ruleset_json": "procurekit.evaluation.output",
    "ruleset_text": "procurekit.evaluation.output",
    "to_json": "procurekit.evaluation.output",
}
__getattr__, __dir__ = exports(__name__, _WHERE)

__all__ = [
    "CheckResult",
    "DEFAULT_TIMEOUT",
    "DurableEngine",
    "Finding",
    "Job",
    "NotEvaluated",
    "PythonEngine",
    "bulk_gc",
    "check_apart",
    "default_as_of",
    "durable_problems",
    "find_datasets",
    "get_engine",
    "load_checked_ruleset",
    "make_plan",
    "register_errors",
    "register_json",
    "ruleset_json",
    "ruleset_text",
    "run_apart",
    "run_check",
    "run_jobs",
    "share_cores",
    "to_json",
    "worker_count",
]
