"""Evaluating a tree (the row evaluator both engines agree with), and binding parameters into it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import procurekit.months as months_mod
from procurekit.conditions.nodes import (
    BOOL,
    DECIMALS,
    MAX_DAY,
    MIN_DAY,
    NULL,
    NUMBER,
    SIGN,
    STRING,
    Arith,
    Call,
    Cmp,
    Const,
    ExprError,
    Logic,
    Name,
    Neg,
    Node,
    Not,
    exact,
    number_problem,
)
from procurekit.conditions.static import typecheck


def add_months(day: int, months: float) -> int | None:
    """Add whole calendar months to a day number; the 31st clamps to the month's last day.

    Returns None when the day or the result lies outside 0001-01-01..9999-12-31.
    """
    if not MIN_DAY <= day <= MAX_DAY:
        return None
    try:
        return months_mod.add_months(dt.date.fromordinal(int(day)), int(months)).toordinal()
    except ValueError:
        return None


def _arith(op: str, a: Any, b: Any, date: bool = False) -> Any:
    if a is None or b is None:
        return None
    a, b = exact(a), exact(b)
    if type(a) is int and type(b) is int and op != "/":
        # Whole numbers and day numbers stay ints: exact, and cheap.
        value: int | Decimal = a + b if op == "+" else a - b if op == "-" else a * b
    elif op == "+":
        value = DECIMALS.add(a, b)
    elif op == "-":
        value = DECIMALS.subtract(a, b)
    elif op == "*":
        value = DECIMALS.multiply(a, b)
    elif b == 0:
        return None
    else:
        value = DECIMALS.divide(a, b)
    return _bounded(value, date)


def sign(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 as `a` is below, equal to or above `b` (exactly), or None when either is missing.

    The durable engine compares this (computed in Python) with 0 instead of comparing two numbers
    that a float could not tell apart (docs/engine.md, "Exact numbers").
    """
    if a is None or b is None:
        return None
    a, b = exact(a), exact(b)
    return (a > b) - (a < b)


def _bounded(value: Any, date: bool = False) -> Any:
    """A computed number, or None when it is non-finite or out of range (a date: out of the calendar)."""
    if date:
        return value if MIN_DAY <= value <= MAX_DAY else None
    return None if number_problem(value) else value


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    """Evaluate a (bound) tree against the values in `env`. This is the plain-Python engine."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Name):
        return env.get(node.name)
    if isinstance(node, Logic):
        if node.op == "and":
            return all(evaluate(item, env) is True for item in node.items)
        return any(evaluate(item, env) is True for item in node.items)
    if isinstance(node, Not):
        return evaluate(node.operand, env) is not True
    if isinstance(node, Cmp):
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        is_null_test = _is_null(node.left) or _is_null(node.right)
        if is_null_test:
            value = b if _is_null(node.left) else a
            return (value is None) == (node.op == "==")
        if a is None or b is None:
            return False
        return _COMPARE[node.op](exact(a), exact(b))
    if isinstance(node, Arith):
        return _arith(node.op, evaluate(node.left, env), evaluate(node.right, env), node.date)
    if isinstance(node, Neg):
        value = evaluate(node.operand, env)
        return None if value is None else _bounded(-exact(value))
    return _call(node.func, [evaluate(arg, env) for arg in node.args])


def _is_null(node: Node) -> bool:
    return isinstance(node, Const) and node.type == NULL


def _call(func: str, args: list[Any]) -> Any:
    if func == "date":
        return dt.date.fromisoformat(args[0]).toordinal()
    if func == "if":
        return args[1] if args[0] is True else args[2]
    if any(a is None for a in args):
        return None
    if func == SIGN:
        return sign(args[0], args[1])
    if func == "min":
        return min(exact(a) for a in args)
    if func == "max":
        return max(exact(a) for a in args)
    if func == "floor":
        return math.floor(args[0])
    if func == "ceil":
        return math.ceil(args[0])
    return add_months(args[0], args[1])


# --- binding ----------------------------------------------------------------------------------


def bind(node: Node, consts: Mapping[str, Const], lets: Mapping[str, Node]) -> Node:
    """Replace parameter names by constants and `let` names by their trees, then fold constants."""

    def go(n: Node) -> Node:
        if isinstance(n, Name):
            if n.name in lets:
                return lets[n.name]
            if n.name in consts:
                return consts[n.name]
            return n
        if isinstance(n, Const):
            return n
        if isinstance(n, Neg):
            return _fold(Neg(go(n.operand), n.col))
        if isinstance(n, Not):
            return _fold(Not(go(n.operand), n.col))
        if isinstance(n, Arith):
            return _fold(Arith(n.op, go(n.left), go(n.right), n.col, n.date))
        if isinstance(n, Cmp):
            return _fold(Cmp(n.op, go(n.left), go(n.right), n.col))
        if isinstance(n, Logic):
            return _fold(Logic(n.op, tuple(go(i) for i in n.items), n.col))
        return _fold(Call(n.func, tuple(go(a) for a in n.args), n.col))

    return go(node)


def _fold(node: Node) -> Node:
    children: tuple[Node, ...]
    if isinstance(node, (Neg, Not)):
        children = (node.operand,)
    elif isinstance(node, (Arith, Cmp)):
        children = (node.left, node.right)
    elif isinstance(node, Logic):
        children = node.items
    elif isinstance(node, Call):
        children = node.args
    else:
        return node
    if isinstance(node, Call) and node.func == "if" and isinstance(node.args[0], Const):
        chosen = node.args[1] if node.args[0].value is True else node.args[2]
        return chosen if not isinstance(chosen, Const) else Const(chosen.value, chosen.type, node.col)
    if all(isinstance(c, Const) for c in children):
        value = evaluate(node, {})
        if value is None:
            return Const(None, NULL, node.col)
        # A date is a day number at run time, so the value alone cannot tell `date(...) + 30` (a date)
        # from `30 + 30` (a number): the folded constant takes the type the type checker gives the node.
        try:
            kind = typecheck(node, {})
        except ExprError:
            kind = BOOL if isinstance(value, bool) else NUMBER if isinstance(value, (int, float, Decimal)) else STRING
        return Const(value, kind, node.col)
    return node
