"""Outcome plans: a rule's parts combined into mutually exclusive outcome trees, bound to the parameter
values of a check's day, and the verdict a plan gives when some of its trees hold."""


from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import procurekit.conditions as ex
from procurekit.ruleset.load import Rule, RuleSet, Scalar, param_const

if TYPE_CHECKING:
    pass


NOT_APPLICABLE = "not_applicable"
#: The `kind` of a fact asserted into durable_rules, and of the one marker fact of each batch.
FACT, MARK = "f", "batch"


@dataclass(frozen=True)
class RulePlan:
    """One rule's outcome trees, bound to parameter values."""

    rule: Rule
    outcomes: tuple[tuple[str, ex.Node], ...]


@dataclass(frozen=True)
class Plan:
    """Everything an engine needs to evaluate one subject kind."""

    key: str
    kind: str
    rules: tuple[RulePlan, ...]


def make_plan(ruleset: RuleSet, kind: str, params: dict[str, Scalar], rules: Sequence[Rule]) -> Plan:
    """Bind the outcome trees of `rules` (all of subject `kind`) to `params`."""
    consts = {name: param_const(v) for name, v in params.items()}
    plans = []
    for rule in rules:
        lets: dict[str, ex.Node] = {}
        for name, node in rule.lets.items():
            lets[name] = ex.bind(node, consts, lets)

        applies, cond, warn, due = (
            None if node is None else ex.bind(node, consts, lets)
            for node in (rule.applies, rule.condition, rule.warning, rule.due)
        )
        assert cond is not None
        base = [applies] if applies is not None else []
        outcomes: list[tuple[str, ex.Node]] = []
        if applies is not None:
            outcomes.append((NOT_APPLICABLE, ex.Not(applies)))
        fail = [*base, ex.Not(cond)]
        if due is not None:
            outcomes.append((rule.severity, _and([*fail, ex.Not(due)])))
            outcomes.append(("due", _and([*fail, due])))
        else:
            outcomes.append((rule.severity, _and(fail)))
        if warn is not None:
            outcomes.append(("warning", _and([*base, cond, warn])))
        plans.append(RulePlan(rule, tuple(outcomes)))
    key_src = json.dumps(
        [ruleset.digest, kind, sorted((k, str(v)) for k, v in params.items()), [r.id for r in rules]]
    )
    return Plan(hashlib.sha1(key_src.encode()).hexdigest()[:16], kind, tuple(plans))


def _and(items: list[ex.Node]) -> ex.Node:
    return items[0] if len(items) == 1 else ex.Logic("and", tuple(items))


Verdicts = list[list[str | None]]  # per fact, per rule: verdict, or None when not applicable


def decide(plan: Plan, fired: Callable[[int, int], bool]) -> list[str | None]:
    """Each rule's verdict: its first outcome whose tree `fired` (rule, outcome) says holds, else ok."""
    out: list[str | None] = []
    for i, rp in enumerate(plan.rules):
        verdict: str | None = "ok"
        for j, (name, _) in enumerate(rp.outcomes):
            if fired(i, j):
                verdict = None if name == NOT_APPLICABLE else name
                break
        out.append(verdict)
    return out


