"""Type checking a tree: the type of every node, given the type of every name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from procurekit.conditions.nodes import (
    BOOL,
    DATE,
    NULL,
    NUMBER,
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
)


def typecheck(node: Node, types: Mapping[str, str]) -> str:
    """Return the type of `node`, given the type of every name.

    Raises:
        ExprError: unknown name or function, wrong argument count, or a type mismatch.
    """
    if isinstance(node, Const):
        return node.type
    if isinstance(node, Name):
        if node.name not in types:
            raise ExprError(f"unknown name '{node.name}'", node.col)
        return types[node.name]
    if isinstance(node, Neg):
        _want(node.operand, types, (NUMBER,), "'-'")
        return NUMBER
    if isinstance(node, Arith):
        lt, rt = typecheck(node.left, types), typecheck(node.right, types)
        result = _ARITH_TYPES.get((node.op, lt, rt))
        if result is None:
            raise ExprError(f"cannot apply '{node.op}' to {lt} and {rt}", node.col)
        return result
    if isinstance(node, Cmp):
        lt, rt = typecheck(node.left, types), typecheck(node.right, types)
        if node.op in ("==", "!="):
            if lt != rt and NULL not in (lt, rt):
                raise ExprError(f"cannot compare {lt} with {rt}", node.col)
        elif lt != rt or lt not in (NUMBER, DATE):
            raise ExprError(f"cannot order {lt} and {rt} with '{node.op}'", node.col)
        return BOOL
    if isinstance(node, Not):
        _want(node.operand, types, (BOOL,), "'not'")
        return BOOL
    if isinstance(node, Logic):
        for item in node.items:
            _want(item, types, (BOOL,), f"'{node.op}'")
        return BOOL
    return _typecheck_call(node, types)


_ARITH_TYPES = {
    ("+", NUMBER, NUMBER): NUMBER,
    ("-", NUMBER, NUMBER): NUMBER,
    ("*", NUMBER, NUMBER): NUMBER,
    ("/", NUMBER, NUMBER): NUMBER,
    ("+", DATE, NUMBER): DATE,
    ("+", NUMBER, DATE): DATE,
    ("-", DATE, NUMBER): DATE,
    ("-", DATE, DATE): NUMBER,
}


def mark_dates(node: Node, types: Mapping[str, str]) -> Node:
    """The same (type-checked) tree with every date-valued `Arith` marked, so evaluation can bound it."""
    if isinstance(node, Arith):
        left, right = mark_dates(node.left, types), mark_dates(node.right, types)
        return Arith(node.op, left, right, node.col, typecheck(node, types) == DATE)
    if isinstance(node, Neg):
        return Neg(mark_dates(node.operand, types), node.col)
    if isinstance(node, Not):
        return Not(mark_dates(node.operand, types), node.col)
    if isinstance(node, Cmp):
        return Cmp(node.op, mark_dates(node.left, types), mark_dates(node.right, types), node.col)
    if isinstance(node, Logic):
        return Logic(node.op, tuple(mark_dates(i, types) for i in node.items), node.col)
    if isinstance(node, Call):
        return Call(node.func, tuple(mark_dates(a, types) for a in node.args), node.col)
    return node


def _want(node: Node, types: Mapping[str, str], allowed: tuple[str, ...], what: str) -> str:
    got = typecheck(node, types)
    if got not in allowed:
        raise ExprError(f"{what} needs {' or '.join(allowed)}, got {got}", _col(node))
    return got


def _col(node: Node) -> int:
    return node.col


def _typecheck_call(node: Call, types: Mapping[str, str]) -> str:
    args = node.args
    if node.func in ("min", "max"):
        if len(args) < 2:
            raise ExprError(f"{node.func}() needs at least 2 arguments", node.col)
        first = _want(args[0], types, (NUMBER, DATE), f"{node.func}()")
        for arg in args[1:]:
            _want(arg, types, (first,), f"{node.func}()")
        return first
    arity = {"floor": 1, "ceil": 1, "add_months": 2, "date": 1, "if": 3}[node.func]
    if len(args) != arity:
        raise ExprError(f"{node.func}() takes {arity} argument(s), got {len(args)}", node.col)
    if node.func in ("floor", "ceil"):
        _want(args[0], types, (NUMBER,), f"{node.func}()")
        return NUMBER
    if node.func == "if":
        _want(args[0], types, (BOOL,), "if()")
        then, other = typecheck(args[1], types), typecheck(args[2], types)
        if then == NULL and other == NULL:
            raise ExprError("if() needs a branch that is not null", node.col)
        if NULL not in (then, other) and then != other:
            raise ExprError(f"if() branches must have one type, got {then} and {other}", node.col)
        return other if then == NULL else then
    if node.func == "add_months":
        _want(args[0], types, (DATE,), "add_months()")
        _want(args[1], types, (NUMBER,), "add_months()")
        return DATE
    arg = args[0]
    if not (isinstance(arg, Const) and arg.type == STRING):
        raise ExprError('date() takes a literal "YYYY-MM-DD"', node.col)
    try:
        dt.date.fromisoformat(arg.value)
    except ValueError:
        raise ExprError(f"date() got an invalid date '{arg.value}'", node.col) from None
    return DATE
