"""The condition language: a small, safe expression language parsed by our own parser.

Grammar (lowest precedence first)::

    expr  := and ('or' and)*
    and   := not ('and' not)*
    not   := 'not' not | cmp
    cmp   := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?
    sum   := term (('+'|'-') term)*
    term  := unary (('*'|'/') unary)*
    unary := '-' unary | atom
    atom  := number | "string" | true | false | null | name | name '(' args ')' | '(' expr ')'

Names are fact fields, rule-set parameters or a rule's `let` names. Functions: `min`, `max`, `floor`,
`ceil`, `add_months(date, n)`, `date("YYYY-MM-DD")`, `if(condition, a, b)` (a when the condition is
true, else b: a missing value counts as false; both branches have one type). Nothing is ever handed to
Python's `eval`.

Semantics, shared by both engines: dates are day numbers (`date.toordinal()`); a missing value is
`None`; arithmetic with `None`, or a division by zero, gives `None`; a comparison with `None` is false
(only `x == null` / `x != null` test for it); `not` is true for anything that is not `True`.

Numbers are exact decimals (`decimal.Decimal`; integers stay `int`): a literal `0.1` is one tenth, and
`+ - * /` are computed in a 28-digit decimal context (a quotient is exact whenever it fits, so
`0.7 / 7` is `0.1`). Comparisons are exact. A float handed in (a parameter read from YAML) is taken
by its shortest decimal spelling (`str(0.1)` → `0.1`).

Numbers are finite and bounded: a number literal (and a rule-set parameter) must lie within
±`MAX_NUMBER`. A computed number beyond that bound, and a computed date outside 0001-01-01..9999-12-31
(`add_months(d, 100000)`, `d + 1000000000`), is `None`, like a division by zero: the value is computed
once, in Python, for both engines, so they agree. An expression nests at most `MAX_DEPTH` levels
(parentheses, `not`, `-` and each operator of a chain like `a + b + c` count), also after its `let`
names are substituted, and expands to at most `MAX_NODES` nodes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

import procurekit.months as months_mod

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

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>\"[^\"\\]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,))"
)
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
_CMP = {"==", "!=", "<", "<=", ">", ">="}
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


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character '{text[col - 1]}'", col)
        kind = m.lastgroup or ""
        value = m.group(kind)
        tokens.append((kind, value, m.start(kind) + 1))
        pos = m.end()
    tokens.append(("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExprError(f"condition longer than {MAX_LENGTH} characters")
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        kind, val, _ = self.peek()
        if val == value and kind in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        kind, val, col = self.peek()
        if not self.accept(value):
            raise ExprError(f"expected '{value}' but found {_describe(kind, val)}", col)

    def parse(self) -> Node:
        node = self.expr()
        kind, val, col = self.peek()
        if kind != "end":
            raise ExprError(f"unexpected {_describe(kind, val)}", col)
        return node

    def nest(self, delta: int) -> None:
        """Track how deep the parser has recursed, so a hostile condition never overflows the stack."""
        self.depth += delta
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested too deeply (limit {MAX_DEPTH})", self.peek()[2])

    def expr(self) -> Node:
        self.nest(1)
        col = self.peek()[2]
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        self.nest(-1)
        return items[0] if len(items) == 1 else Logic("or", tuple(items), col)

    def and_(self) -> Node:
        col = self.peek()[2]
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else Logic("and", tuple(items), col)

    def not_(self) -> Node:
        col = self.peek()[2]
        if self.accept("not"):
            self.nest(1)
            node = Not(self.not_(), col)
            self.nest(-1)
            return node
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        kind, val, col = self.peek()
        if kind == "op" and val in _CMP:
            self.take()
            right = self.sum()
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] in _CMP:
                raise ExprError("chained comparisons are not allowed; use 'and'", nxt[2])
            return Cmp(val, left, right, col)
        return left

    def sum(self) -> Node:
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            _, op, col = self.take()
            node = Arith(op, node, self.term(), col)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            _, op, col = self.take()
            node = Arith(op, node, self.unary(), col)
        return node

    def unary(self) -> Node:
        col = self.peek()[2]
        if self.peek() == ("op", "-", col):
            self.take()
            self.nest(1)
            node = Neg(self.unary(), col)
            self.nest(-1)
            return node
        return self.atom()

    def atom(self) -> Node:
        kind, val, col = self.take()
        if kind == "num":
            number: int | Decimal = Decimal(val) if "." in val else int(val)
            problem = number_problem(number)
            if problem:
                raise ExprError(f"the number {val[:20]}{'…' if len(val) > 20 else ''} {problem}", col)
            return Const(number, NUMBER, col)
        if kind == "str":
            return Const(val[1:-1], STRING, col)
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "name":
            if val in ("true", "false"):
                return Const(val == "true", BOOL, col)
            if val == "null":
                return Const(None, NULL, col)
            if val in _KEYWORDS:
                raise ExprError(f"unexpected keyword '{val}'", col)
            if self.accept("("):
                if val not in FUNCTIONS:
                    raise ExprError(f"unknown function '{val}'", col)
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.expr())
                    while self.accept(","):
                        args.append(self.expr())
                    self.expect(")")
                return Call(val, tuple(args), col)
            return Name(val, col)
        raise ExprError(f"unexpected {_describe(kind, val)}", col)


def _describe(kind: str, val: str) -> str:
    return "end of condition" if kind == "end" else f"'{val}'"


def parse(text: str) -> Node:
    """Parse a condition into a tree.

    Raises:
        ExprError: on a syntax error, with its column.
    """
    if not isinstance(text, str):
        raise ExprError("a condition must be a string")
    node = _Parser(text).parse()
    check_shape(node)
    return node


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
        kids = _children(n)
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


def _children(node: Node) -> tuple[Node, ...]:
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


# --- type checking -----------------------------------------------------------------------------


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


# --- evaluation -------------------------------------------------------------------------------


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
