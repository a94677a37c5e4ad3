"""durable_rules, wrapped (docs/engine.md): one long-lived host without background threads, behind one
lock; rulesets compiled once per (rule set, subject, parameter values) and cached; every evaluation
uses a fresh sid that is deleted afterwards. A check makes the facts column-wise and hands durable_rules
their JSON text (`DurableEngine.run_frame`); `run` makes them one dict at a time."""


from __future__ import annotations

import copy
import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import procurekit.conditions as ex
from procurekit.errors import EngineError
from procurekit.ruleset.subjects import SUBJECTS

if TYPE_CHECKING:
    import polars as pl

from procurekit.evaluation.plans import FACT, MARK, NOT_APPLICABLE, Plan, Verdicts

# --- durable_rules ---------------------------------------------------------------------------


class _Compiler:
    """Translates bound outcome trees into durable_rules JSON conditions.

    durable_rules compares a field with a constant or another field of the same fact (`$m`). Any
    other sub-expression (arithmetic, function calls) is *materialised*: computed in Python into a
    field `__mN` before the fact is asserted, so both engines use identical arithmetic. Missing values
    are omitted from the fact; every nullable operand also gets a presence flag `__nn_<field>`
    (durable's `$nex` hangs when used on its own; see docs/engine.md).
    """

    def __init__(self, kind: str) -> None:
        self.nullable = {n for n, f in SUBJECTS[kind].items() if f.nullable}
        self.types = {n: f.type for n, f in SUBJECTS[kind].items()}
        self.never_null: set[str] = set()
        self.materialised: dict[ex.Node, str] = {}
        self.flags: set[str] = set()
        self.fields: set[str] = set()  # the fact's own fields the conditions read

    def field_of(self, node: ex.Node) -> str:
        if isinstance(node, ex.Name):
            self.fields.add(node.name)
            return node.name
        key = ex.shape(node)
        if key not in self.materialised:
            self.materialised[key] = f"__m{len(self.materialised)}"
            if isinstance(key, ex.Call) and key.func == ex.SIGN and not any(map(self._may_be_null, key.args)):
                self.never_null.add(self.materialised[key])  # needs no presence flag
        return self.materialised[key]

    def _may_be_null(self, node: ex.Node) -> bool:
        if isinstance(node, ex.Const):
            return node.value is None
        return not isinstance(node, ex.Name) or node.name in self.nullable

    def is_nullable(self, name: str) -> bool:
        return name in self.nullable or (name.startswith("__m") and name not in self.never_null)

    def float_exact(self, node: ex.Node) -> bool:
        """Whether durable sees exactly this operand's value: a string, a truth value, a day number of a
        date field, a whole-number constant. Any other number (a decimal from a file, a computed value)
        may not survive the trip through a float."""
        if isinstance(node, ex.Const):
            return not isinstance(node.value, (float, Decimal))
        if isinstance(node, ex.Name):
            return self.types.get(node.name) in (ex.DATE, ex.STRING, ex.BOOL)
        try:
            return ex.typecheck(node, self.types) in (ex.STRING, ex.BOOL)
        except ex.ExprError:
            return False

    def flag(self, name: str, present: bool) -> dict[str, Any]:
        self.flags.add(name)
        return {f"__nn_{name}": present}

    def cond(self, node: ex.Node, negate: bool = False) -> dict[str, Any]:
        if isinstance(node, ex.Not):
            return self.cond(node.operand, not negate)
        if isinstance(node, ex.Logic):
            op = node.op if not negate else ("or" if node.op == "and" else "and")
            return {f"${op}": [self.cond(item, negate) for item in node.items]}
        if isinstance(node, ex.Const):
            truth = (node.value is True) != negate
            return {"kind": FACT} if truth else {"kind": "__never__"}
        if isinstance(node, ex.Cmp):
            return self.compare(node, negate)
        name = self.field_of(node)  # a boolean field or materialised boolean expression
        if not negate:
            return {name: True}
        if self.is_nullable(name):
            return {"$or": [self.flag(name, False), {name: False}]}
        return {name: False}

    def compare(self, node: ex.Cmp, negate: bool) -> dict[str, Any]:
        left, right, op = node.left, node.right, node.op
        if _is_null(left) or _is_null(right):
            other = right if _is_null(left) else left
            return self.flag(self.field_of(other), (op == "!=") != negate)
        if not (self.float_exact(left) and self.float_exact(right)):
            # Numbers reach durable as floats, which cannot tell 0.1 from 0.0999…9 or 160.3334 from
            # 160.33333…: the comparison's sign is computed exactly in Python and durable compares it
            # with 0 (docs/engine.md, "Exact numbers").
            left, right = ex.Call(ex.SIGN, (left, right)), ex.Const(0, ex.NUMBER)
        if isinstance(left, ex.Const) and not isinstance(right, ex.Const):
            left, right, op = right, left, _FLIP[op]
        lname = self.field_of(left)
        operands = [lname]
        if isinstance(right, ex.Const):
            rvalue: Any = right.value
        else:
            rname = self.field_of(right)
            operands.append(rname)
            rvalue = {"$m": rname}
        if negate:
            op = _NEGATE[op]
        test = {lname: rvalue} if op == "==" else {_DURABLE_OP[op]: {lname: rvalue}}
        if not negate:
            # durable matches `$m` against a missing field (a == b held with b absent): a comparison
            # with a missing value must be false, as in the Python engine, so demand presence.
            present = [self.flag(n, True) for n in operands if self.is_nullable(n)]
            return {"$and": [*present, test]} if present else test
        missing = [self.flag(n, False) for n in operands if self.is_nullable(n)]
        return {"$or": [*missing, test]} if missing else test


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_DURABLE_OP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def _is_null(node: ex.Node) -> bool:
    return isinstance(node, ex.Const) and node.type == ex.NULL


def _computer(tree: ex.Node) -> Callable[[dict[str, Any]], Any]:
    """A function computing a materialised tree from a fact's values, as `ex.evaluate` would."""
    return lambda values: ex.evaluate(tree, values)


def _field_sign(tree: ex.Node) -> tuple[str, Any] | None:
    """(field, exact limit) when `tree` is the sign of a field against a constant (most limits:
    `total_hours <= 160.333…`); `_to_fact` computes those inline, once per fact and rule, on every fact."""
    if isinstance(tree, ex.Call) and tree.func == ex.SIGN:
        left, right = tree.args
        if isinstance(left, ex.Name) and isinstance(right, ex.Const) and right.value is not None:
            return left.name, ex.exact(right.value)
    return None


@dataclass
class _Compiled:
    name: str
    materialised: list[tuple[str, Callable[[dict[str, Any]], Any]]]
    flags: list[str]
    index: dict[str, tuple[int, int]] = field(default_factory=dict)
    fields: tuple[str, ...] = ()  # the fact's fields the compiled conditions read: the only ones asserted
    signs: tuple[tuple[str, str, Any], ...] = ()  # (materialised name, field, exact limit): see _field_sign
    trees: tuple[tuple[str, ex.Node], ...] = ()  # every materialised name with its tree (`run_frame`)


class _DurableJson:
    """The `json` durable_rules' Python layer uses, writing numbers in a form its C parser reads.

    durable's JSON parser rejects or misreads exponent notation (`1e-07`, `2.5e-06`), which Python
    writes for floats below 1e-4: a share like 0.0001 / 40 made durable refuse a ruleset (error 204)
    or misjudge a whole batch. Such floats are written positionally (`0.0000025`) instead, the exact
    decimal of Python's shortest repr, which durable reads back to the same float.
    """

    # A per-process nonce: no string in a dataset can pose as a marked number.
    _NONCE = secrets.token_hex(8)
    _MARK = f"\x00pknum{_NONCE}:"
    _TOKEN = re.compile(rf'"\\u0000pknum{_NONCE}:(-?[0-9]+\.[0-9]+)\\u0000"')

    @classmethod
    def number(cls, value: float) -> float | str:
        """A float of a fact as the JSON writer must see it: itself, or marked to be written positionally."""
        if value == 0 or 1e-4 <= abs(value) < 1e16:  # Python's repr has no exponent
            return value
        prepared: float | str = cls._prepare(value)
        return prepared

    @classmethod
    def _prepare(cls, value: Any) -> Any:
        if type(value) is _Batch:  # its numbers went through `number` as the facts were made
            return value
        if isinstance(value, float) and "e" in repr(value):
            text = format(Decimal(repr(value)), "f")
            return f"{cls._MARK}{text if '.' in text else text + '.0'}\x00"
        if isinstance(value, dict):
            return {k: cls._prepare(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [cls._prepare(v) for v in value]
        return value

    @classmethod
    def dumps(cls, value: Any, **kwargs: Any) -> str:
        """`json.dumps`, with exponent-notation floats written positionally; a batch `run_frame` encoded
        itself (`_Encoded`) as it is."""
        if type(value) is _Encoded:
            return str(value)
        return cls._TOKEN.sub(lambda m: m.group(1), json.dumps(cls._prepare(value), **kwargs))

    loads = staticmethod(json.loads)


class _Encoded(str):
    """A batch of facts already written as the JSON array durable_rules parses (`DurableEngine.run_frame`):
    only ints, truth values and strings, no null, no float."""


class _Batch(list[dict[str, Any]]):
    """Facts ready for durable_rules: every float already as `_DurableJson.number` writes it, so the JSON
    writer does not walk them again (that walk cost more than durable_rules' own matching)."""


# --- durable_rules' private internals, used here and nowhere else --------------------------------
# durable_rules 2.0 has no public API for two things we need: a Host without its background timer
# thread (we drive every batch ourselves; the timer thread only costs a core), and deleting a ruleset
# (a long-running process compiles one ruleset per plan and would otherwise keep every one in the C
# engine). Both reach into `Host` internals (`_run`, `_ruleset_directory`, `_ruleset_list`,
# `Ruleset._handle`); the Host also gets durable's module-level `json` replaced (see _DurableJson).
# pyproject.toml bounds durable_rules below 2.1; check these on an upgrade.


def _quiet_host() -> Any:
    """A durable_rules Host that starts no timer thread and has no named actions."""
    from durable import engine as durable_engine

    durable_engine.json = _DurableJson  # see _DurableJson: numbers durable's parser can read

    class _QuietHost(durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            pass

        def get_action(self, action_name: str) -> Any:
            raise KeyError(action_name)

    return _QuietHost()


def _delete_ruleset(host: Any, name: str) -> None:
    """Remove ruleset `name` from `host` and free it in the C engine."""
    import durable_rules_engine

    ruleset = host._ruleset_directory.pop(name, None)
    host._ruleset_list = [r for r in host._ruleset_list if r is not ruleset]
    if ruleset is not None:
        durable_rules_engine.delete_ruleset(ruleset._handle)


class DurableEngine:
    """durable_rules behind a lock, with compiled rulesets cached and unloaded on eviction."""

    name = "durable"
    BATCH = 1000
    #: Batches written as JSON at once by `run_frame` (one polars call each, not one per batch).
    BLOCK = 50
    CACHE = 32

    def __init__(self) -> None:
        self._host = _quiet_host()
        self._lock = threading.RLock()
        self._compiled: OrderedDict[str, _Compiled] = OrderedDict()
        self._hits: list[tuple[str, str]] = []
        self._sid = 0

    def _recorder(self, rule_name: str) -> Callable[[Any], None]:
        hits = self._hits

        def record(c: Any) -> None:
            # With "cap", one call carries every match of the batch as a list.
            matched = c.m
            if isinstance(matched, list):
                hits.extend((rule_name, m["id"]) for m in matched)
            else:
                hits.append((rule_name, matched["id"]))

        return record

    def _compile(self, plan: Plan) -> _Compiled:
        compiled = self._compiled.get(plan.key)
        if compiled is not None:
            self._compiled.move_to_end(plan.key)
            return compiled
        comp = _Compiler(plan.kind)
        name = f"pk_{plan.key}"
        definition: dict[str, Any] = {}
        index: dict[str, tuple[int, int]] = {}
        for i, rp in enumerate(plan.rules):
            for j, (_, tree) in enumerate(rp.outcomes):
                rule_name = f"r{i}_{j}"
                definition[rule_name] = {
                    "all": [{"m": comp.cond(tree)}],
                    "cap": self.BATCH,
                    "run": self._recorder(rule_name),
                }
                index[rule_name] = (i, j)
        # Sentinel: every fact is handled (the first condition accepts any fact), so a batch never raises
        # MessageNotHandledException; it never fires (no fact is of kind "__never__"), so an ok fact
        # costs no action and is not sent back to Python as JSON.
        definition["sentinel"] = {"all": [{"m": {"$ex": {"kind": 1}}}, {"n": {"kind": "__never__"}}],
                                  "run": lambda c: None}
        # Marker: fires once per batch, on the one fact of kind MARK each batch holds. Deleting a session
        # in which no action ever fired crashed durable_rules (a free of an invalid pointer).
        definition["marker"] = {"all": [{"m": {"kind": MARK}}], "run": lambda c: None}
        try:
            self._host.register_rulesets({name: copy.copy(definition)})
        except Exception as exc:  # durable reports bad definitions as bare error codes
            raise EngineError(f"durable_rules refused the compiled rules ({exc})") from None
        signs = {n: found for t, n in comp.materialised.items() if (found := _field_sign(t)) is not None}
        computed = [(n, _computer(t)) for t, n in comp.materialised.items() if n not in signs]
        compiled = _Compiled(name, computed, sorted(comp.flags), index, tuple(sorted(comp.fields)),
                             tuple((n, f, limit) for n, (f, limit) in signs.items()),
                             tuple((n, t) for t, n in comp.materialised.items()))
        self._compiled[plan.key] = compiled
        while len(self._compiled) > self.CACHE:
            _, old = self._compiled.popitem(last=False)
            self._unload(old.name)
        return compiled

    def compile(self, plan: Plan) -> None:
        """Compile `plan` (and keep it cached) so a rule durable_rules refuses is found before a check.

        Raises:
            EngineError: durable_rules refused the compiled rules.
        """
        if plan.rules:
            with self._lock:
                self._compile(plan)

    def _unload(self, name: str) -> None:
        _delete_ruleset(self._host, name)

    def close(self) -> None:
        """Unload every compiled ruleset."""
        with self._lock:
            for compiled in self._compiled.values():
                self._unload(compiled.name)
            self._compiled.clear()

    def _to_fact(self, compiled: _Compiled, index: int, values: dict[str, Any], sid: str) -> dict[str, Any]:
        # Only the fields the conditions read are asserted: durable_rules encodes and decodes every
        # field of every fact as JSON, in Python. Decimals become floats only here, after every
        # computation and every comparison whose operands a float could blur was done exactly (see
        # _Compiler.compare).
        number = _DurableJson.number
        fact: dict[str, Any] = {}
        for k in compiled.fields:
            v = values.get(k)
            if v is not None:
                fact[k] = number(float(v)) if type(v) is Decimal or type(v) is float else v
        for name, key, limit in compiled.signs:
            v = values.get(key)
            if v is not None:
                if type(v) is float:
                    v = Decimal(repr(v))  # as ex.exact: the decimal of its shortest spelling
                fact[name] = (v > limit) - (v < limit)
        for name, compute in compiled.materialised:
            value = compute(values)
            if value is not None:
                fact[name] = number(float(value)) if type(value) is Decimal or type(value) is float else value
        for name in compiled.flags:
            fact[f"__nn_{name}"] = name in fact
        fact["id"] = str(index)
        fact["kind"] = FACT
        fact["sid"] = sid
        return fact

    def run(self, plan: Plan, facts: Sequence[dict[str, Any]]) -> Verdicts:
        """Assert the facts into durable_rules and return the verdicts it fired."""
        if not plan.rules or not facts:
            return [["ok"] * len(plan.rules) for _ in facts]
        with self._lock:
            compiled = self._compile(plan)
            fired: set[tuple[int, int, int]] = set()
            for start in range(0, len(facts), self.BATCH):
                chunk = range(start, min(start + self.BATCH, len(facts)))
                fired |= self._assert(compiled, facts, chunk)
        # A rule's verdict is its first outcome that fired (as `_decide` reads them), if any.
        first: dict[tuple[int, int], int] = {}
        for k, i, j in fired:
            if first.get((k, i), j) >= j:
                first[(k, i)] = j
        names = [[None if name == NOT_APPLICABLE else name for name, _ in rp.outcomes] for rp in plan.rules]
        out: Verdicts = [["ok"] * len(plan.rules) for _ in facts]  # no outcome fired: every rule holds
        for (k, i), j in first.items():
            out[k][i] = names[i][j]
        return out

    def run_frame(self, plan: Plan, frame: pl.DataFrame) -> pl.DataFrame:
        """The verdict of every rule of `plan` on every row of a fact frame, decided by durable_rules, as
        `columnar.evaluate_frame` returns them (one String column per rule; null: not applicable).

        The facts are made column-wise and written as JSON by polars (`_fact_frame`); the computed inputs
        (signs of comparisons, lets) are computed exactly (`columnar.exact_values`). durable_rules matches
        them as in `run`: what it fires is the verdict.
        """
        import polars as pl

        from procurekit.evaluation.columnar import row_verdicts

        if not plan.rules or frame.height == 0:
            return pl.DataFrame({f"r{i}": pl.repeat("ok", frame.height, dtype=pl.String, eager=True)
                                 for i in range(len(plan.rules))})
        with self._lock:
            compiled = self._compile(plan)
            facts = _fact_frame(compiled, frame)
            if facts is None:  # a value durable would read as a float: the row path writes those
                return row_verdicts(self, plan, frame)
            hits: list[tuple[str, str]] = []
            for lines in _json_lines(facts, self.BATCH * self.BLOCK):
                for start in range(0, len(lines), self.BATCH):
                    hits += self._assert_lines(compiled, lines[start:start + self.BATCH])
        return _verdict_columns(plan, hits, frame.height)

    def _assert_lines(self, compiled: _Compiled, lines: list[str]) -> list[tuple[str, str]]:
        """Assert facts written as JSON (`_json_lines`) as one batch; the hits (rule name, fact id)."""
        self._sid += 1
        sid = f"s{self._sid}"
        # Every line starts with its id, and no string holds `{"id":` (its quotes are escaped): so each
        # fact, and only a fact, gets its session and kind here.
        body = ",".join(lines).replace('{"id":', f'{{"sid":"{sid}","kind":"{FACT}","id":')
        batch = _Encoded(f"[{body},{json.dumps(_marker(sid))}]")
        hits = self._fire(compiled, batch, sid, len(lines))
        if hits is None:  # e.g. an id hash collision: each fact again in a sid of its own
            return [hit for line in lines for hit in self._assert_lines(compiled, [line])]
        return hits

    def _assert(
        self, compiled: _Compiled, facts: Sequence[dict[str, Any]], chunk: range
    ) -> set[tuple[int, int, int]]:
        self._sid += 1
        sid = f"s{self._sid}"
        batch = _Batch(self._to_fact(compiled, k, facts[k], sid) for k in chunk)
        batch.append(_marker(sid))
        hits = self._fire(compiled, batch, sid, len(chunk))
        if hits is None:  # e.g. an id hash collision: retry each fact in a sid of its own
            out: set[tuple[int, int, int]] = set()
            for k in chunk:
                out |= self._assert(compiled, facts, range(k, k + 1))
            return out
        return {(int(fact_id), *compiled.index[rule_name]) for rule_name, fact_id in hits}

    def _fire(self, compiled: _Compiled, batch: Any, sid: str, count: int) -> list[tuple[str, str]] | None:
        """Assert one batch of `count` facts and its marker, all in session `sid`, then delete the session;
        the hits (rule name, fact id), or None when durable_rules refused a batch of several facts.

        Raises:
            EngineError: durable_rules refused a single fact, or a rule action failed.
        """
        self._hits.clear()
        try:
            state = self._host.assert_facts(compiled.name, batch)
        except Exception as exc:
            self._safe_delete(compiled.name, sid)
            if count > 1:
                return None
            raise EngineError(f"durable_rules failed on a fact ({type(exc).__name__}: {exc})") from None
        self._safe_delete(compiled.name, sid)
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"a rule action failed inside durable_rules: {state['exception']}")
        hits = list(self._hits)
        self._hits.clear()
        return hits

    def _safe_delete(self, name: str, sid: str) -> None:
        try:
            self._host.delete_state(name, sid)
        except Exception:  # unknown sid: nothing was stored
            pass


def _marker(sid: str) -> dict[str, str]:
    """The one marker fact of a batch (see `DurableEngine._compile`)."""
    return {"id": f"m{sid}", "kind": MARK, "sid": sid}


def _fact_frame(compiled: _Compiled, frame: pl.DataFrame) -> pl.DataFrame | None:
    """The facts of a fact frame as durable_rules is given them (`_to_fact`, column-wise): the fields the
    conditions read, the computed inputs, the presence flags. None when a value would reach durable_rules as
    a float: the compiler compares numbers through exact signs, so no bundled rule asserts one.
    """
    import polars as pl

    from procurekit.evaluation.columnar import exact_values

    columns = {"id": pl.int_range(0, frame.height, eager=True).cast(pl.String)}  # first: see _json_lines
    for name in compiled.fields:
        columns[name] = frame[name] if name in frame.columns else pl.repeat(None, frame.height, eager=True)
    computed = exact_values([tree for _, tree in compiled.trees], frame) if compiled.trees else []
    for (name, _), values in zip(compiled.trees, computed, strict=True):
        columns[name] = values
    for name, values in list(columns.items())[1:]:
        if values.dtype.is_float():
            present = values.drop_nulls()
            if not (present == present.floor()).all() or not (present.abs() <= ex.MAX_NUMBER).all():
                return None
            columns[name] = values.cast(pl.Int64)  # a sign, a day: the whole number its float is
        elif not (values.dtype.is_integer() or values.dtype in (pl.Boolean, pl.String, pl.Null)):
            return None
    for name in compiled.flags:
        columns[f"__nn_{name}"] = columns[name].is_not_null()
    return pl.DataFrame({name: values.alias(name) for name, values in columns.items()}, nan_to_null=False)


def _json_lines(facts: pl.DataFrame, size: int) -> Iterator[list[str]]:
    """The facts of a fact frame (`_fact_frame`) as JSON objects, `size` at a time, each starting with its
    id; a missing value is left out of its fact, as `_to_fact` does."""
    nullable = [n for n in facts.columns if facts[n].null_count()]
    # No string can hold `,"name":null` (its quotes are escaped): only missing values match.
    nulls = re.compile(',"(?:' + "|".join(map(re.escape, nullable)) + ')":null(?=[,}])') if nullable else None
    for start in range(0, facts.height, size):
        text = facts.slice(start, size).write_ndjson()
        # One line per fact: JSON escapes a newline in a string (not splitlines: it also splits at U+2028).
        yield (nulls.sub("", text) if nulls else text).split("\n")[:-1]


def _verdict_columns(plan: Plan, hits: list[tuple[str, str]], height: int) -> pl.DataFrame:
    """The verdicts of `run_frame` from what durable_rules fired: a rule's verdict is its first outcome that
    fired (as `_decide` reads them), "ok" when none did."""
    import polars as pl

    fired: dict[str, list[int]] = {}
    for rule_name, fact_id in hits:
        fired.setdefault(rule_name, []).append(int(fact_id))
    columns = {}
    for i, rp in enumerate(plan.rules):
        column = pl.repeat("ok", height, dtype=pl.String, eager=True)
        for j in reversed(range(len(rp.outcomes))):  # an earlier outcome overwrites a later one
            rows = fired.get(f"r{i}_{j}")
            if rows:
                name = rp.outcomes[j][0]
                column = column.scatter(rows, None if name == NOT_APPLICABLE else name)
        columns[f"r{i}"] = column
    return pl.DataFrame(columns)


