"""The python engine, column-wise: a plan's outcome trees compiled to polars expressions.

The trees are the very ones `conditions.evaluate` walks (the row evaluator stays the oracle, and explains);
here each node becomes an expression over a whole fact frame (`dataset.fact_frames`), so a rule is
decided for every subject at once.

Exactness. Numbers are computed in Float64, and every number carries a bound on how far its float may
lie from the value the row evaluator computes in exact decimals (`err`: none for whole numbers and day
numbers, which floats hold exactly; the rounding of every operation added to what its operands carry).
A comparison whose two sides lie within their bounds of each other, a division by a number that may be
zero, a number or date at the edge of its range, a `floor` or `add_months` whose whole part is in doubt:
such a row is *unsure*. An unsure row is decided again by `conditions.evaluate` on its exact values, so
every verdict is the row evaluator's. Data rarely sits that close to a limit; when it does (a share of
exactly 10 %), only those rows take the slow path.

Null semantics are the row evaluator's: arithmetic with a missing value is missing, a comparison with a
missing value is false (only `x == null` / `x != null` test for it), `not` is true for anything not true.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

import polars as pl

import procurekit.conditions as ex

NOT_APPLICABLE = "not_applicable"  # plans.NOT_APPLICABLE (this module reads plans by their shape only)


class RulePlan(Protocol):
    """What this module reads of an `plans.RulePlan`: the rule's outcome trees, in order."""

    @property
    def outcomes(self) -> tuple[tuple[str, ex.Node], ...]: ...


class Plan(Protocol):
    """What this module reads of an `plans.Plan`: its rules."""

    @property
    def rules(self) -> Sequence[RulePlan]: ...
#: Relative rounding error allowed per operation: a float's own rounding (2**-53) with room for the
#: double rounding of a decimal column cast to Float64 and for the 28-digit decimal context (1e-28).
REL = 2.0**-50
#: A comparison is sure only when its sides lie further apart than this many times their error bounds.
MARGIN = 2.0
#: Day ordinal of 1970-01-01, where polars counts `pl.Date` from.
_EPOCH = 719163
_MONTHS = 12 * 10000


@dataclass(frozen=True)
class _Col:
    """A compiled node: its kind, its value per row, the error bound of a number, and the unsure rows."""

    kind: str  # "num" (numbers and day numbers), "bool", "str" or "null" (the constant null)
    value: pl.Expr
    err: pl.Expr | None = None  # None: the float is the exact value
    unsure: pl.Expr | None = None  # None: no row is unsure
    whole: bool = False  # a whole number wherever it is not missing (day numbers, counts, floor)


_NULL = _Col("null", pl.lit(None))


def _any(*flags: pl.Expr | None) -> pl.Expr | None:
    """The rows where any of the flags holds; None when none can."""
    present = [f for f in flags if f is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else pl.any_horizontal(present)


def _plus(*errs: pl.Expr | None) -> pl.Expr | None:
    present = [e for e in errs if e is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else pl.sum_horizontal(present)


def _truth(col: _Col) -> pl.Expr:
    """Whether a boolean node is `True` (a missing value is not)."""
    return col.value.cast(pl.Boolean).fill_null(False)


def _typed(col: _Col, dtype: pl.DataType) -> pl.Expr:
    return col.value.cast(dtype) if col.kind == "null" else col.value


_DTYPES: dict[str, pl.DataType] = {"num": pl.Float64(), "bool": pl.Boolean(), "str": pl.String()}
_COMPARE: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Compiler:
    """Compiles bound trees over the columns of one fact frame.

    A subtree the trees share (a rule's `let`, its `applies` in several outcomes) is computed once, into
    columns of its own (`stages`, added to the frame before the outcomes are computed). So is every
    computed number, with its error bound, and the float of a decimal column: an error bound and a range
    check repeat the value they bound, so written out in full a rule on two shares was an expression of
    60,000 characters, and polars' planning of it 9 ms a check. A column goes into the first stage after
    every column it reads.
    """

    def __init__(self, schema: pl.Schema, shared: frozenset[ex.Node] = frozenset()) -> None:
        self.schema = schema
        self.shared = shared
        self.refs: dict[ex.Node, _Col] = {}
        self.floats: dict[str, _Col] = {}  # a decimal column's float and error bound
        self._stages: dict[int, dict[str, pl.Expr]] = {}
        self._after: dict[str, int] = {}  # a stage column: the number of stages it needs before it

    @property
    def stages(self) -> list[dict[str, pl.Expr]]:
        """The columns to add to the frame, stage by stage, before the outcomes are computed."""
        return [self._stages[depth] for depth in sorted(self._stages)]

    def _column(self, name: str, expr: pl.Expr) -> pl.Expr:
        """`expr` computed into the stage column `name` (in the first stage after every column it reads)."""
        depth = max((self._after.get(root, 0) for root in expr.meta.root_names()), default=0)
        self._stages.setdefault(depth, {})[name] = expr
        self._after[name] = depth + 1
        return pl.col(name)

    def _stored(self, name: str, col: _Col) -> _Col:
        """`col` computed into stage columns named after `name`."""
        return _Col(col.kind, self._column(f"{name}_v", col.value),
                    None if col.err is None else self._column(f"{name}_e", col.err),
                    None if col.unsure is None else self._column(f"{name}_u", col.unsure), col.whole)

    def node(self, node: ex.Node) -> _Col:
        if isinstance(node, (ex.Const, ex.Name)):
            return self.compute(node)
        key = ex.shape(node)
        if key in self.refs:
            return self.refs[key]
        col = self.compute(node)
        if key in self.shared or col.kind == "num":
            col = self._stored(f"__c{len(self.refs)}", col)
            self.refs[key] = col
        return col

    def compute(self, node: ex.Node) -> _Col:
        if isinstance(node, ex.Const):
            return self.const(node.value, node.type)
        if isinstance(node, ex.Name):
            return self.name(node.name)
        if isinstance(node, ex.Logic):
            return self.logic(node)
        if isinstance(node, ex.Not):
            inner = self.node(node.operand)
            return _Col("bool", ~_truth(inner), unsure=inner.unsure)
        if isinstance(node, ex.Cmp):
            return self.compare(node)
        if isinstance(node, ex.Neg):
            inner = self.node(node.operand)
            if inner.kind == "null":
                return _NULL
            return _bounded(replace(inner, value=-inner.value), date=False)
        if isinstance(node, ex.Arith):
            return self.arith(node)
        return self.call(node)

    def const(self, value: Any, kind: str) -> _Col:
        if value is None:
            return _NULL
        if isinstance(value, bool):
            return _Col("bool", pl.lit(value, pl.Boolean))
        if isinstance(value, str):
            return _Col("str", pl.lit(value, pl.String))
        exact = ex.exact(value)
        as_float = float(exact)
        same = Decimal(as_float) == exact
        return _Col("num", pl.lit(as_float, pl.Float64), None if same else pl.lit(abs(as_float) * REL),
                    whole=same and as_float.is_integer())

    def name(self, name: str) -> _Col:
        dtype = self.schema.get(name)
        column = pl.col(name)
        if dtype is None or dtype == pl.Null:
            return _NULL
        if dtype == pl.Boolean:
            return _Col("bool", column)
        if dtype == pl.String:
            return _Col("str", column)
        if dtype.is_integer():
            return _Col("num", column.cast(pl.Float64), whole=True)
        if isinstance(dtype, pl.Decimal):
            if dtype.scale == 0:
                return _Col("num", column.cast(pl.Int64).cast(pl.Float64), whole=True)
            # A whole value is taken exactly (through Int64); any other is within REL of its float.
            if name not in self.floats:
                integral = column == column.floor()
                exact = column.cast(pl.Int64).cast(pl.Float64)
                value = pl.when(integral).then(exact).otherwise(column.cast(pl.Float64))
                col = _Col("num", value, pl.when(integral).then(0.0).otherwise(value.abs() * REL))
                self.floats[name] = self._stored(f"__f{len(self.floats)}", col)
            return self.floats[name]
        return _Col("num", column.cast(pl.Float64), column.cast(pl.Float64).abs() * REL)

    def logic(self, node: ex.Logic) -> _Col:
        items = [self.node(item) for item in node.items]
        truths = [_truth(item) for item in items]
        if node.op == "and":
            value = pl.all_horizontal(truths)
            # A row with one item surely false is surely false, whatever the other items are.
            decided = [~t if item.unsure is None else ~t & ~item.unsure for t, item in zip(truths, items, strict=True)]
        else:
            value = pl.any_horizontal(truths)
            decided = [t if item.unsure is None else t & ~item.unsure for t, item in zip(truths, items, strict=True)]
        unsure = _any(*(item.unsure for item in items))
        if unsure is not None:
            unsure = unsure & ~pl.any_horizontal(decided)
        return _Col("bool", value, unsure=unsure)

    def compare(self, node: ex.Cmp) -> _Col:
        if _is_null(node.left) or _is_null(node.right):
            other = self.node(node.right if _is_null(node.left) else node.left)
            value = other.value.is_null() if node.op == "==" else other.value.is_not_null()
            return _Col("bool", value, unsure=other.unsure)
        a, b = self.node(node.left), self.node(node.right)
        if "null" in (a.kind, b.kind):
            return _Col("bool", pl.lit(False))
        value = _COMPARE[node.op](a.value, b.value).fill_null(False)
        unsure = _any(a.unsure, b.unsure)
        err = _plus(a.err, b.err)
        if err is not None:
            unsure = _any(unsure, _close(a.value, b.value, err))
        return _Col("bool", value, unsure=unsure)

    def arith(self, node: ex.Arith) -> _Col:
        a, b = self.node(node.left), self.node(node.right)
        if "null" in (a.kind, b.kind):
            return _NULL
        x, y = a.value, b.value
        unsure = _any(a.unsure, b.unsure)
        exact_whole = a.whole and b.whole and a.err is None and b.err is None
        if node.op in ("+", "-"):
            value = x + y if node.op == "+" else x - y
            err = _plus(a.err, b.err)
        elif node.op == "*":
            value = x * y
            err = _plus(*(None if e is None else v.abs() * e for v, e in ((x, b.err), (y, a.err))),
                        None if a.err is None or b.err is None else a.err * b.err)
        else:
            exact_whole = False
            value = pl.when(y != 0).then(x / y)  # a division by zero is missing
            if b.err is not None:  # the divisor may be zero (or its sign unknown): decide exactly
                unsure = _any(unsure, (y.abs() <= MARGIN * b.err) & (b.err > 0))
            spread = _plus(None if b.err is None else x.abs() * b.err, None if a.err is None else y.abs() * a.err)
            err = None if spread is None else spread / (y.abs() * (y.abs() - (b.err if b.err is not None else 0.0)))
        if not exact_whole:  # whole operands within ±1e15 add, subtract and multiply exactly (or go out of range)
            err = _plus(err, value.abs() * REL)
        out = _Col("num", value, err, unsure, whole=exact_whole)
        return _bounded(out, date=node.date)

    def call(self, node: ex.Call) -> _Col:
        if node.func == "date":
            return self.const(ex.evaluate(node, {}), ex.DATE)
        if node.func == "if":
            return self.choose(*(self.node(arg) for arg in node.args))
        args = [self.node(arg) for arg in node.args]
        if any(arg.kind == "null" for arg in args):
            return _NULL
        present = pl.all_horizontal([arg.value.is_not_null() for arg in args])
        unsure = _any(*(arg.unsure for arg in args))
        if node.func in ("min", "max"):
            pick = pl.min_horizontal if node.func == "min" else pl.max_horizontal
            errs = [arg.err for arg in args if arg.err is not None]
            err = None if not errs else errs[0] if len(errs) == 1 else pl.max_horizontal(errs)
            return _Col("num", pl.when(present).then(pick([arg.value for arg in args])), err, unsure,
                        whole=all(arg.whole for arg in args))
        if node.func in ("floor", "ceil"):
            whole_division = self._whole_division(node.args[0], node.func)
            if whole_division is not None:
                return whole_division
            return _whole_part(args[0], "floor" if node.func == "floor" else "ceil")
        if node.func == ex.SIGN:
            a, b = args
            sign = pl.when(a.value > b.value).then(1.0).when(a.value < b.value).then(-1.0).otherwise(0.0)
            err = _plus(a.err, b.err)
            close = None if err is None else _close(a.value, b.value, err)
            return _Col("num", pl.when(present).then(sign), None, _any(unsure, close), whole=True)
        return _add_months(args[0], args[1])

    def _whole_division(self, arg: ex.Node, func: str) -> _Col | None:
        """`floor(a / b)` or `ceil(a / b)` of whole numbers a float holds exactly, as an integer division
        (exact; the decimal quotient of numbers within ±1e15 has its whole part right). A whole quotient
        (staff / 5) sits on the very edge `_whole_part` would leave to the row evaluator."""
        if not (isinstance(arg, ex.Arith) and arg.op == "/"):
            return None
        a, b = self.node(arg.left), self.node(arg.right)
        if not (a.kind == b.kind == "num" and a.whole and b.whole and a.err is None and b.err is None):
            return None
        x, y = a.value.cast(pl.Int64), b.value.cast(pl.Int64)
        quotient = x // y if func == "floor" else -((-x) // y)
        return _Col("num", pl.when(y != 0).then(quotient).cast(pl.Float64), None, _any(a.unsure, b.unsure),
                    whole=True)

    def choose(self, cond: _Col, then: _Col, other: _Col) -> _Col:
        kind = then.kind if then.kind != "null" else other.kind
        dtype = _DTYPES.get(kind, pl.Float64())
        pick = _truth(cond)
        value = pl.when(pick).then(_typed(then, dtype)).otherwise(_typed(other, dtype))
        err = None
        if then.err is not None or other.err is not None:
            err = pl.when(pick).then(then.err if then.err is not None else 0.0).otherwise(
                other.err if other.err is not None else 0.0)
        unsure = cond.unsure
        if then.unsure is not None or other.unsure is not None:
            chosen = pl.when(pick).then(then.unsure if then.unsure is not None else False).otherwise(
                other.unsure if other.unsure is not None else False)
            unsure = _any(unsure, chosen)
        whole = (then.whole or then.kind == "null") and (other.whole or other.kind == "null")
        return _Col(kind, value, err, unsure, whole)


def _shared(trees: list[ex.Node]) -> frozenset[ex.Node]:
    """The subtrees (beyond names and constants) met more than once in these trees; the parts of a repeated
    subtree are counted once, so only the outermost repeat is shared."""
    seen: set[ex.Node] = set()
    out: set[ex.Node] = set()
    stack = list(trees)
    while stack:
        node = stack.pop()
        if isinstance(node, (ex.Const, ex.Name)):
            continue
        key = ex.shape(node)
        if key in seen:
            out.add(key)
            continue
        seen.add(key)
        stack.extend(_children(node))
    return frozenset(out)


def _children(node: ex.Node) -> tuple[ex.Node, ...]:
    if isinstance(node, (ex.Neg, ex.Not)):
        return (node.operand,)
    if isinstance(node, (ex.Arith, ex.Cmp)):
        return (node.left, node.right)
    if isinstance(node, ex.Logic):
        return node.items
    if isinstance(node, ex.Call):
        return node.args
    return ()


def _is_null(node: ex.Node) -> bool:
    return isinstance(node, ex.Const) and node.type == ex.NULL


def _close(a: pl.Expr, b: pl.Expr, err: pl.Expr) -> pl.Expr:
    """Rows where two numbers lie too close, for their error bounds, to tell their order."""
    return ((a - b).abs() <= MARGIN * err) & (err > 0)


def _bounded(col: _Col, date: bool) -> _Col:
    """A computed number, missing when out of range (±MAX_NUMBER; a date: out of the calendar)."""
    lo, hi = (ex.MIN_DAY, ex.MAX_DAY) if date else (-ex.MAX_NUMBER, ex.MAX_NUMBER)
    v = col.value
    if col.err is None:
        return replace(col, value=pl.when((v >= lo) & (v <= hi)).then(v))
    inside = (v - col.err >= lo) & (v + col.err <= hi)
    outside = (v + col.err < lo) | (v - col.err > hi)
    return replace(col, value=pl.when(inside).then(v), unsure=_any(col.unsure, ~inside & ~outside))


def _whole_part(col: _Col, how: str) -> _Col:
    """`floor` or `ceil`: sure when the whole part is the same across the value's error bound."""
    def part(x: pl.Expr) -> pl.Expr:
        return x.floor() if how == "floor" else x.ceil()

    if col.whole and col.err is None:
        return col
    unsure = col.unsure
    if col.err is not None:
        unsure = _any(unsure, part(col.value - col.err) != part(col.value + col.err))
    return _Col("num", part(col.value), None, unsure, whole=True)


def _trunc(x: pl.Expr) -> pl.Expr:
    """The whole part towards zero, as Python's `int()` takes it."""
    return pl.when(x >= 0).then(x.floor()).otherwise(x.ceil())


def _add_months(day: _Col, months: _Col) -> _Col:
    """`add_months(day, n)`: the day's whole part and n's whole part (towards zero), the day clamped to the
    new month's end; missing when the day or the result lies outside the calendar (as `ex.add_months`)."""
    unsure = _any(day.unsure, months.unsure)
    d, n = day.value, months.value
    if day.err is not None:
        unsure = _any(unsure, _trunc(d - day.err) != _trunc(d + day.err))
        unsure = _any(unsure, (d - day.err < ex.MIN_DAY) & (d + day.err >= ex.MIN_DAY),
                      (d - day.err <= ex.MAX_DAY) & (d + day.err > ex.MAX_DAY))
    if months.err is not None:
        unsure = _any(unsure, _trunc(n - months.err) != _trunc(n + months.err))
    inside = (d >= ex.MIN_DAY) & (d <= ex.MAX_DAY)
    date = (pl.when(inside).then(_trunc(d)).cast(pl.Int64, strict=False) - _EPOCH).cast(pl.Date)
    # Beyond 10,000 years of months every result is out of the calendar: left missing, never computed.
    count = pl.when(n.abs() <= _MONTHS).then(_trunc(n)).cast(pl.Int64, strict=False)
    moved = date.dt.offset_by(pl.format("{}mo", count))  # clamps to the month's end, as months.add_months
    valid = (moved.dt.year() >= 1) & (moved.dt.year() <= 9999)
    return _Col("num", pl.when(valid).then(moved.cast(pl.Int64) + _EPOCH).cast(pl.Float64), None, unsure, whole=True)


# --- a plan on a frame ----------------------------------------------------------------------------


def _rule(compiler: _Compiler, rp: RulePlan) -> tuple[pl.Expr, pl.Expr | None]:
    """A rule's verdict per row (null: not applicable) and the rows where it must be decided exactly."""
    outcomes = [(name, compiler.node(tree)) for name, tree in rp.outcomes]
    chain: Any = None
    for name, col in outcomes:
        verdict = pl.lit(None if name == NOT_APPLICABLE else name, pl.String)
        chain = pl.when(_truth(col)).then(verdict) if chain is None else chain.when(_truth(col)).then(verdict)
    value = chain.otherwise(pl.lit("ok")) if chain is not None else pl.lit("ok")
    unsure = _any(*(col.unsure for _, col in outcomes))
    return value, None if unsure is None else unsure.fill_null(False)


def _row_verdict(rp: RulePlan, values: dict[str, Any]) -> str | None:
    """One rule's verdict on one row, decided by the row evaluator (`plans.decide` for one rule)."""
    for name, tree in rp.outcomes:
        if ex.evaluate(tree, values) is True:
            return None if name == NOT_APPLICABLE else name
    return "ok"


def plan_names(plan: Plan) -> list[str]:
    """The fact fields a plan's outcome trees read."""
    seen: dict[str, None] = {}
    for rp in plan.rules:
        for _, tree in rp.outcomes:
            seen.update(dict.fromkeys(ex.names(tree)))
    return list(seen)


#: Compiled plans by (outcome trees, frame schema): a register's contracts share their rules and parameters.
_COMPILED: dict[tuple[Any, ...], _Program] = {}
_Program = tuple[list[dict[str, pl.Expr]], list[pl.Expr], dict[int, str]]


def _compiled(plan: Plan, schema: pl.Schema) -> _Program:
    """The stages (shared subtrees), the verdict expressions and the exactness flags of a plan on frames of
    this schema, compiled once per process (the trees hold the parameters' values, bound)."""
    key = (tuple(rp.outcomes for rp in plan.rules), tuple(schema.items()))
    if key in _COMPILED:
        return _COMPILED[key]
    compiler = _Compiler(schema, _shared([tree for rp in plan.rules for _, tree in rp.outcomes]))
    exprs, checks = [], {}
    for i, rp in enumerate(plan.rules):
        value, unsure = _rule(compiler, rp)
        exprs.append(value.alias(f"r{i}"))
        if unsure is not None:
            exprs.append(unsure.alias(f"u{i}"))
            checks[i] = f"u{i}"
    if len(_COMPILED) >= 256:  # bounded: a long-lived process (the web workspace) sees many rule sets
        _COMPILED.clear()
    _COMPILED[key] = (compiler.stages, exprs, checks)
    return _COMPILED[key]


def evaluate_frame(plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """The verdict of every rule of `plan` on every row of `frame`: one String column per rule, in plan
    order ("ok", a severity, "warning", "due"; null when the rule does not apply)."""
    if frame.height == 0:
        return pl.DataFrame({f"r{i}": pl.Series([], dtype=pl.String) for i in range(len(plan.rules))})
    stages, exprs, checks = _compiled(plan, frame.schema)
    lazy = frame.lazy()
    for stage in stages:  # shared subtrees first, each once
        lazy = lazy.with_columns(**stage)
    # with_columns, not select: a constant outcome (`condition: true`) is still one verdict per row. Not
    # the in-memory engine: polars 2.1's gives one row for `5 == if(flag, 5, n)` when every flag is true.
    names = [e.meta.output_name() for e in exprs]
    out = lazy.with_columns(exprs).select(names).collect(engine="auto")
    fields = [n for n in plan_names(plan) if n in frame.columns]
    for i, flag in checks.items():
        rows = out[flag].arg_true()
        if rows.len():
            values = frame.select(pl.col(fields).gather(rows)).to_dicts()  # not [rows]: no copy of all chunks
            exact = [_row_verdict(plan.rules[i], v) for v in values]
            out = out.with_columns(out[f"r{i}"].scatter(rows, pl.Series(exact, dtype=pl.String)))
    return out.select(f"r{i}" for i in range(len(plan.rules)))


def verdict_frame(runner: Any, plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """The verdicts `runner` gives on a fact frame, as `evaluate_frame` returns them: column-wise when the
    engine evaluates frames, else row by row on dicts of the fields the plan reads (durable_rules)."""
    if hasattr(runner, "run_frame"):
        return runner.run_frame(plan, frame)  # type: ignore[no-any-return]
    return row_verdicts(runner, plan, frame)


def row_verdicts(runner: Any, plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
    """`verdict_frame` row by row: `runner.run` on dicts of the fields the plan reads."""
    fields = [n for n in plan_names(plan) if n in frame.columns]
    rows = frame.select(fields).to_dicts() if fields else [{} for _ in range(frame.height)]
    verdicts = runner.run(plan, rows)
    return pl.DataFrame({f"r{i}": pl.Series([row[i] for row in verdicts], dtype=pl.String)
                         for i in range(len(plan.rules))})


def exact_values(trees: Sequence[ex.Node], frame: pl.DataFrame) -> list[pl.Series]:
    """The value of each tree on every row of `frame`, as `conditions.evaluate` gives it: what the durable
    engine asserts of a computed input (the sign of a comparison, a computed truth value or text).

    A number whose float may not be its exact value, and every unsure row, is computed again by the row
    evaluator; a number is Float64 (the float of its exact value), a truth value Boolean, a text String;
    missing values are null.
    """
    compiler = _Compiler(frame.schema, _shared(list(trees)))
    exprs, checks = [], {}
    for i, tree in enumerate(trees):
        col = compiler.node(tree)
        exprs.append(_typed(col, _DTYPES.get(col.kind, pl.Float64())).alias(f"v{i}"))
        unsure = _any(col.unsure, None if col.err is None else col.err > 0)
        if unsure is not None:
            exprs.append(unsure.fill_null(False).alias(f"u{i}"))
            checks[i] = f"u{i}"
    lazy = frame.lazy()
    for stage in compiler.stages:
        lazy = lazy.with_columns(**stage)
    names = [e.meta.output_name() for e in exprs]
    out = lazy.with_columns(exprs).select(names).collect(engine="auto")  # with_columns: see evaluate_frame
    values = []
    for i, tree in enumerate(trees):
        column = out[f"v{i}"]
        rows = out[checks[i]].arg_true() if i in checks else None
        if rows is not None and rows.len():
            fields = [n for n in dict.fromkeys(ex.names(tree)) if n in frame.columns]
            rowdicts = frame[rows].select(fields).to_dicts() if fields else [{}] * rows.len()
            exact = [ex.evaluate(tree, v) for v in rowdicts]
            if column.dtype == pl.Float64:
                exact = [None if v is None else float(v) for v in exact]
            column = column.scatter(rows, pl.Series(exact, dtype=column.dtype))
        values.append(column)
    return values
