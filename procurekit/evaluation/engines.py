"""The engines: durable_rules (the default) and a plain-Python evaluator of the same trees.

A rule's parts (applies, condition, warning, due) are combined into mutually exclusive *outcome*
trees, bound to the parameter values in force on `as_of`:

    not_applicable = not applies
    <severity>     = applies and not condition and not due
    due            = applies and not condition and due
    warning        = applies and condition and warning

Whatever matches none of them is `ok`. Both engines evaluate exactly these trees, so the verdicts
must be identical (tests/test_differential.py checks that on random data). Outcomes are rare in real
data, so durable_rules fires few actions, which is where its cost lies (docs/engine.md).

The plans are made in `plans.py`, durable_rules is wrapped in `durable_engine.py` (as docs/engine.md
describes); here are the plain-Python engine, the engine by name, and the rule-set loader that checks
durable_rules can compile every rule.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import procurekit.conditions as ex
from procurekit.errors import EngineError
from procurekit.evaluation.durable_engine import DurableEngine
from procurekit.evaluation.plans import FACT, MARK, NOT_APPLICABLE, Plan, RulePlan, Verdicts, decide, make_plan
from procurekit.ruleset.load import Rule, RuleSet, load_ruleset
from procurekit.ruleset.subjects import SUBJECTS

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FACT", "MARK", "NOT_APPLICABLE", "DurableEngine", "Plan", "PythonEngine", "RulePlan", "Verdicts",
    "decide", "durable_problems", "get_engine", "load_checked_ruleset", "make_plan",
]


class PythonEngine:
    """Evaluates the outcome trees directly: column-wise on a fact frame (`run_frame`, the fast bulk
    engine), or row by row (`run`, the oracle)."""

    name = "python"

    def run_frame(self, plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
        """The verdict of every rule of `plan` on every row of a fact frame (`columnar.evaluate_frame`)."""
        from procurekit.evaluation.columnar import evaluate_frame

        return evaluate_frame(plan, frame)

    def run(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> Verdicts:
        """Return the verdict of every rule of `plan` for every fact, evaluating each tree row by row."""
        results = []
        for values in facts:
            def fired(i: int, j: int, values: dict[str, Any] = values) -> bool:
                return ex.evaluate(plan.rules[i].outcomes[j][1], values) is True

            results.append(decide(plan, fired))
        return results



_DURABLE_CODES = {
    "113": "too complex for the durable_rules engine (too many comparisons in one outcome; error code 113)",
}


def load_checked_ruleset(ref: str | Path, check_unused: bool = True) -> RuleSet:
    """A rule set by bundled id or path, checked down to whether durable_rules can compile every rule.

    What every command loads (`procurekit.load_ruleset`): a rule durable_rules cannot run is reported
    with its file and line, like any other mistake in the file.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
        UnknownRuleSetError: the id or path does not exist.
    """
    return load_ruleset(ref, compile_check=durable_problems, check_unused=check_unused)


def durable_problems(ruleset: RuleSet) -> list[tuple[Rule, str]]:
    """The rules durable_rules cannot compile, with why, under every dated parameter value.

    Compiles each subject's rules as a check would (the compiled rulesets stay cached for it); when
    that fails, compiles the rules one by one to name the culprits.
    """
    days = sorted({since for p in ruleset.parameters.values() for since, _, _ in p.values}) or [dt.date.min]
    engine = get_engine("durable")
    assert isinstance(engine, DurableEngine)
    problems: dict[str, tuple[Rule, str]] = {}
    for day in days:
        params = ruleset.params_at(day)
        for kind in SUBJECTS:
            rules = [r for r in ruleset.rules if r.subject == kind and r.id not in problems]
            try:
                engine.compile(make_plan(ruleset, kind, params, rules))
                continue
            except EngineError:
                pass
            for rule in rules:
                try:
                    engine.compile(make_plan(ruleset, kind, params, [rule]))
                except EngineError as exc:
                    code = re.search(r"error code: (\d+)", str(exc))
                    reason = _DURABLE_CODES.get(code.group(1) if code else "", None)
                    problems[rule.id] = (rule, reason or f"the durable_rules engine cannot run it ({exc})")
            if not problems:  # each rule compiles alone, but not all of them together
                raise EngineError(f"durable_rules cannot run the {kind} rules of {ruleset.path} together")
    return list(problems.values())


_DURABLE: DurableEngine | None = None
_DURABLE_LOCK = threading.Lock()


def get_engine(name: str) -> PythonEngine | DurableEngine:
    """Return the engine called `name` (durable or python); durable is one per process."""
    global _DURABLE
    if name == "python":
        return PythonEngine()
    if name != "durable":
        raise EngineError(f"unknown engine '{name}' (durable or python)")
    with _DURABLE_LOCK:
        if _DURABLE is None:
            _DURABLE = DurableEngine()
        return _DURABLE
