"""The trees of the condition language: node types, value types, limits, exact numbers, walking a tree."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

NUMBER, BOOL, STRING, DATE, NULL = "number", "bool", "string", "date", "null"
TYPES = (NUMBER, BOOL, STRING, DATE)


class ExprError(Exception):
    """A syntax or type error in a condition, with the 1-based column where it was found."""

    def __init__(self, message: str, col: int | None = None) -> None:
        self.message = message
        self.col = col
        super().__init__(f"{message} (column {col})" if col else message)


@dataclass(frozen=True)
class Const:
    value: Any
    type: str
    col: int = 0


@dataclass(frozen=True)
class Name:
    name: str
    col: int = 0


@dataclass(frozen=True)
class Neg:
    operand: Node
    col: int = 0


@dataclass(frozen=True)
class Arith:
    op: str
    left: Node
    right: Node
    col: int = 0
    date: bool = False  # the result is a date (set by `mark_dates`): out of range means None


@dataclass(frozen=True)
class Cmp:
    op: str
    left: Node
    right: Node
    col: int = 0


@dataclass(frozen=True)
class Not:
    operand: Node
    col: int = 0


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    items: tuple[Node, ...]
    col: int = 0


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    col: int = 0


Node = Union[Const, Name, Neg, Arith, Cmp, Not, Logic, Call]

FUNCTIONS = {"min", "max", "floor", "ceil", "add_months", "date", "if"}
#: An internal function (no rule can name it: it is not in FUNCTIONS): `sign(a, b)`, see `sign`.
SIGN = "__sign"
MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_NODES = 5000
MAX_NUMBER = 10**15  # below 2**53: every integer up to it is exact as a float, in both engines
MIN_DAY, MAX_DAY = 1, dt.date.max.toordinal()
#: The one context every computation uses (never the thread's current one, which a caller may change):
#: 28 significant digits, enough for any bounded number with 13 decimals.
DECIMALS = decimal.Context(
    prec=28, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation, decimal.DivisionByZero]
)


def exact(value: Any) -> Any:
    """`value` as the language computes with it: a float becomes the Decimal of its shortest spelling."""
    return Decimal(repr(value)) if type(value) is float else value


def number_problem(value: Any) -> str | None:
    """Why `value` is not a usable number (non-finite or beyond ±MAX_NUMBER), or None when it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    if isinstance(value, Decimal) and not value.is_finite():
        return "is not a finite number"
    if abs(value) > MAX_NUMBER:  # type: ignore[operator]  # an int, float or Decimal here
        return "is out of range (numbers must lie within ±1e15)"
    return None


def check_shape(node: Node) -> None:
    """Refuse a tree deeper than MAX_DEPTH or larger than MAX_NODES (shared subtrees count each time).

    Raises:
        ExprError: the tree is too deep or too large.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # Iterative post-order walk: a deep tree must not overflow the stack while it is being measured.
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in sizes:
            continue
        kids = children(n)
        if not done:
            stack.append((n, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
            continue
        sizes[id(n)] = 1 + sum(sizes[id(k)] for k in kids)
        depths[id(n)] = 1 + max((depths[id(k)] for k in kids), default=0)
        if depths[id(n)] > MAX_DEPTH:
            raise ExprError(f"expression nested too deeply (limit {MAX_DEPTH})", n.col or None)
        if sizes[id(n)] > MAX_NODES:
            raise ExprError(f"expression too large (limit {MAX_NODES} parts)", n.col or None)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Neg, Not)):
        return (node.operand,)
    if isinstance(node, (Arith, Cmp)):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.items
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Yield the node and all its descendants."""
    yield node
    if isinstance(node, (Neg, Not)):
        yield from walk(node.operand)
    elif isinstance(node, (Arith, Cmp)):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Logic):
        for item in node.items:
            yield from walk(item)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


def names(node: Node) -> list[str]:
    """The distinct names a tree refers to, in order of appearance."""
    seen: dict[str, None] = {}
    for n in walk(node):
        if isinstance(n, Name):
            seen.setdefault(n.name)
    return list(seen)


def shape(node: Node) -> Node:
    """The same tree with every source column set to 0, so equal expressions compare (and hash) equal:
    one computed field in durable_rules, one shared subtree in the column engine."""
    if isinstance(node, Const):
        return Const(node.value, node.type)
    if isinstance(node, Name):
        return Name(node.name)
    if isinstance(node, (Neg, Not)):
        return type(node)(shape(node.operand))
    if isinstance(node, Arith):
        return Arith(node.op, shape(node.left), shape(node.right), date=node.date)
    if isinstance(node, Cmp):
        return Cmp(node.op, shape(node.left), shape(node.right))
    if isinstance(node, Logic):
        return Logic(node.op, tuple(shape(i) for i in node.items))
    return Call(node.func, tuple(shape(a) for a in node.args))
