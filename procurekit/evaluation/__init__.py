"""Evaluating a rule set on facts: the plan, the engines, `check` and batches of contracts."""

from __future__ import annotations

from procurekit.evaluation.batch import DEFAULT_TIMEOUT, Job, find_datasets, register_errors, register_json, run_jobs
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

__all__ = [
    "CheckResult",
    "DEFAULT_TIMEOUT",
    "DurableEngine",
    "Finding",
    "Job",
    "NotEvaluated",
    "PythonEngine",
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
    "run_jobs",
    "to_json",
]
