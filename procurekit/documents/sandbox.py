"""The template sandbox: what a template may reach, call and spend.

Templates (bundled, from `--templates DIR`, and clause texts) are data, never code. They get plain data
only: strings, numbers, booleans, dates, lists and read-only mappings (`View`), built by `template_data`
from the typed models; never a path, file, module or object with methods. The environment is an
allow-list: an attribute or call not listed here is refused, whatever the object.

Untrusted templates (user templates and clause texts) also run under limits (`Limits`): time, output
size, size of any one value, items of a range or repeated list, and call depth. Exceeding one is a
`SecurityError`, which `_render` reports as a one-line error naming the template file and line.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import enum
import functools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup
from pydantic import BaseModel


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one rendering of an untrusted template may spend."""

    seconds: float = 3.0
    output_chars: int = 20_000_000
    value_chars: int = 5_000_000  # any one string, list or number (in digits) made while rendering
    range_items: int = 100_000
    loop_items: int = 500_000  # items of all for-loops of one rendering together
    call_depth: int = 64
    number_digits: int = 4_300  # any one integer (Python's own limit for printing one)
    template_bytes: int = 1_000_000  # a template file larger than this is refused


LIMITS = Limits()


@dataclasses.dataclass
class Budget:
    """The running account of one rendering against its limits."""

    limits: Limits
    deadline: float
    depth: int = 0
    iterations: int = 0
    produced: int = 0  # characters of every output statement run, kept or captured (set blocks, macros)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"rendering took longer than {self.limits.seconds:g} s (the limit)")


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("procurekit_budget", default=None)


def budget() -> Budget | None:
    """The budget of the rendering under way in this context (None: unlimited, a bundled template)."""
    return _BUDGET.get()


def start_budget(limits: Limits | None) -> contextvars.Token[Budget | None]:
    """Open an account for one rendering; None renders without limits."""
    account = None if limits is None else Budget(limits, time.monotonic() + limits.seconds)
    return _BUDGET.set(account)


def end_budget(token: contextvars.Token[Budget | None]) -> None:
    """Close the account opened by `start_budget`."""
    _BUDGET.reset(token)


def _limits() -> Limits:
    account = _BUDGET.get()
    return account.limits if account is not None else LIMITS


def _tick() -> None:
    account = _BUDGET.get()
    if account is not None:
        account.check_time()


def _size(value: Any) -> int:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    return 0


def _check_digits(digits: float, what: str) -> None:
    limit = _limits().number_digits
    if digits > limit:
        raise SecurityError(f"{what} would give a number of more than {limit:,} digits (the limit)")


def check_size(value: Any, what: str = "a value") -> Any:
    """`value`, or a SecurityError when it is larger than one value may be."""
    limit = _limits().value_chars
    if _size(value) > limit:
        raise SecurityError(f"{what} would exceed {limit:,} characters (the limit)")
    if isinstance(value, int):
        _check_digits(_digits(value), what)
    return value


def _check_planned(size: int | float, what: str) -> None:
    limit = _limits().value_chars
    if size > limit:
        raise SecurityError(f"{what} would exceed {limit:,} characters (the limit)")


# ---- plain data ---------------------------------------------------------------------------------


class View(Mapping[str, Any]):
    """A read-only record of plain data: fields by attribute or key; get/items/keys/values as a dict."""

    __slots__ = ("_fields", "_kind")

    def __init__(self, fields: Mapping[str, Any], kind: str = "record") -> None:
        self._fields = dict(fields)
        self._kind = kind

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"<{self._kind}>"


_SCALARS = (str, int, float, bool, type(None), dt.date, dt.time, Markup)


def template_data(value: Any) -> Any:
    """`value` as plain data: models and dataclasses become Views, lists tuples, paths strings."""
    return _convert(value, {})


def _convert(value: Any, seen: dict[int, Any]) -> Any:
    if isinstance(value, _SCALARS) or isinstance(value, (View, ParamLike)):
        return value
    key = id(value)
    if key in seen:
        return seen[key]
    out: Any
    if isinstance(value, enum.Enum):
        out = _convert(value.value, seen)
    elif isinstance(value, Path):
        out = str(value)
    elif isinstance(value, Mapping):
        out = View({str(k): _convert(v, seen) for k, v in value.items()}, "mapping")
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        out = tuple(_convert(v, seen) for v in items)
    elif isinstance(value, BaseModel) or dataclasses.is_dataclass(value):
        out = View(_record(value, seen), type(value).__name__)
    else:
        raise TypeError(f"{type(value).__name__} is not template data")
    seen[key] = out
    return out


def _record(value: Any, seen: dict[int, Any]) -> dict[str, Any]:
    cls = type(value)
    names = list(cls.model_fields) if isinstance(value, BaseModel) else [f.name for f in dataclasses.fields(value)]
    for klass in cls.__mro__:
        if klass.__module__.startswith("procurekit"):
            names += [n for n, a in vars(klass).items() if isinstance(a, property) and not n.startswith("_")]
    fields: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        if name.startswith("_"):
            continue
        try:
            fields[name] = _convert(getattr(value, name), seen)
        except TypeError:
            continue  # not data (a compiled condition, a function): templates do not see it
    return fields


class ParamLike:
    """Base of view objects that are data already (a parameter with its formatted forms)."""

    __slots__ = ()
    fields: tuple[str, ...] = ()


# ---- the environment ----------------------------------------------------------------------------

_STR_METHODS = frozenset({
    "lower", "upper", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip", "rstrip",
    "startswith", "endswith", "split", "rsplit", "splitlines", "count", "find", "rfind",
    "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "isnumeric", "replace",
    "removeprefix", "removesuffix", "partition", "rpartition",
})
_DATE_ATTRS = frozenset({"year", "month", "day", "hour", "minute", "second", "isoformat", "strftime",
                         "weekday", "isoweekday"})
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_LOOP_ATTRS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                         "depth0", "previtem", "nextitem", "cycle", "changed"})

_SAFE_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first",
    "float", "forceescape", "groupby", "int", "items", "last", "length", "list", "lower", "map", "max",
    "min", "reject", "rejectattr", "reverse", "round", "safe", "select", "selectattr", "sort", "string",
    "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
    "wordwrap", "xmlattr",
)


class _Method:
    """A bounded, allowed method of a plain value (the only callable attribute a template gets)."""

    __slots__ = ("_fn", "_name")

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self._fn = fn
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _tick()
        return check_size(self._fn(*args, **kwargs), f"{self._name}()")

    def __repr__(self) -> str:
        return f"<method {self._name}>"


def _str_method(value: str, name: str) -> _Method:
    method = getattr(value, name)
    if name == "replace":
        def replace(old: str, new: str, count: int = -1) -> str:
            times = value.count(str(old)) if count < 0 else min(count, value.count(str(old)))
            _check_planned(len(value) + times * max(0, len(str(new)) - len(str(old))), "replace()")
            return value.replace(str(old), str(new), count)
        return _Method(replace, name)
    return _Method(method, name)


def _strftime(value: dt.date) -> _Method:
    def strftime(pattern: str) -> str:
        _check_planned(len(str(pattern)) * 20, "strftime()")
        return value.strftime(str(pattern))
    return _Method(strftime, "strftime")


def _guard_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        return check_size(fn(*args, **kwargs), f"filter {name}")
    return guarded


def helper(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a function of ours as callable from templates (it must return plain, bounded data)."""
    fn._template_helper = True  # type: ignore[attr-defined]
    return fn


def bounded_range(*args: int) -> range:
    """range() with at most `range_items` items."""
    result = range(*args)
    limit = _limits().range_items
    if len(result) > limit:
        raise SecurityError(f"range of {len(result):,} items exceeds {limit:,} (the limit)")
    return result


class SafeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox turned into an allow-list, with limits on size, time and depth."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        join = self.filters["join"]
        replace = self.filters["replace"]
        center = self.filters["center"]
        indent = self.filters["indent"]
        self.filters = {name: _guard_filter(name, self.filters[name]) for name in _SAFE_FILTERS}
        self.filters["attr"] = lambda obj, name: self.getattr(obj, str(name))

        @jinja2.pass_eval_context
        def safe_join(ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
            items = list(value)
            _check_planned(sum(len(str(i)) for i in items) + len(items) * len(str(d)), "join")
            return join(ctx, items, d, attribute)

        def safe_replace(ctx: Any, s: str, old: str, new: str, count: int | None = None) -> Any:
            text = str(s)
            times = text.count(str(old)) if count is None else min(count, text.count(str(old)))
            _check_planned(len(text) + times * max(0, len(str(new)) - len(str(old))), "replace")
            return replace(ctx, s, old, new, count)

        def safe_center(value: str, width: int = 80) -> str:
            _check_planned(width, "center")
            return center(value, width)  # type: ignore[no-any-return]

        def safe_indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> Any:
            lines = str(s).count("\n") + 1
            _check_planned(len(str(s)) + lines * (width if isinstance(width, int) else len(width)), "indent")
            return indent(s, width, first, blank)

        self.filters["join"] = safe_join
        self.filters["replace"] = jinja2.pass_eval_context(safe_replace)
        self.filters["center"] = safe_center
        self.filters["indent"] = safe_indent
        self.globals.clear()
        self.globals.update(range=bounded_range, dict=dict, namespace=Namespace)
        self.guard_iter = _guard_iter
        self.guard_value = _guard_value
        self.guard_data = _guard_data
        self.guard_output = _guard_output

    # -- what a template may reach

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, jinja2.Undefined):
            return obj  # fails with its own message ("'x' is undefined") where it is used
        if not isinstance(attribute, str) or attribute.startswith("_"):
            return self.unsafe_undefined(obj, str(attribute))
        value = self._attribute(obj, attribute)
        if value is _MISSING:
            if isinstance(obj, (View, Namespace, dict, ParamLike)) and not hasattr(type(obj), attribute):
                return self.undefined(obj=obj, name=attribute)  # a field that is not there
            return self.unsafe_undefined(obj, attribute)
        return value

    def _attribute(self, obj: Any, name: str) -> Any:  # noqa: C901 - one branch per kind of data
        if isinstance(obj, View):
            if name in obj:
                return obj[name]
            return getattr(obj, name) if name in _MAPPING_METHODS else _MISSING
        if isinstance(obj, ParamLike):
            return getattr(obj, name) if name in obj.fields else _MISSING
        if isinstance(obj, str):
            return _str_method(obj, name) if name in _STR_METHODS else _MISSING
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            return _Method(getattr(obj, name), name) if name in _MAPPING_METHODS else _MISSING
        if isinstance(obj, (dt.date, dt.time)) and name in _DATE_ATTRS:
            return _strftime(obj) if name == "strftime" else getattr(obj, name)  # type: ignore[arg-type]
        if isinstance(obj, LoopContext) and name in _LOOP_ATTRS:
            return getattr(obj, name)
        if isinstance(obj, Namespace):
            try:
                return getattr(obj, name)
            except AttributeError:
                return _MISSING
        if isinstance(obj, TemplateReference):
            try:
                return obj[name]
            except KeyError:
                return _MISSING
        if isinstance(obj, TemplateModule):  # {% import "x" as m %}: its macros and exported plain values
            value = obj.__dict__.get(name, _MISSING)
            return value if isinstance(value, (Macro, str, int, float, bool)) else _MISSING
        return _MISSING

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, jinja2.Undefined):
            return obj
        if isinstance(argument, str) and argument.startswith("_"):
            return self.unsafe_undefined(obj, argument)
        if isinstance(obj, (View, dict)) or (isinstance(obj, (list, tuple, str)) and not isinstance(argument, str)):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=str(argument))
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=str(argument))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and self._attribute(obj, attr) is not _MISSING

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, (_Method, Macro, BlockReference, LoopContext, jinja2.Undefined)):
            return True
        if isinstance(obj, type):
            return obj in (dict, Namespace)
        if getattr(obj, "__self__", None) is not None and isinstance(obj.__self__, (View, LoopContext)):
            return getattr(obj, "__name__", "") in _MAPPING_METHODS | {"cycle", "changed"}
        return any(obj is g for g in self.globals.values()) or getattr(obj, "_template_helper", False)

    # -- what a template may spend

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        account = budget()
        if account is None:
            return super().call(__context, __obj, *args, **kwargs)
        account.check_time()
        if account.depth >= account.limits.call_depth:
            raise SecurityError(f"calls nested deeper than {account.limits.call_depth} (the limit)")
        account.depth += 1
        try:
            return check_size(super().call(__context, __obj, *args, **kwargs), "a call's result")
        finally:
            account.depth -= 1

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "%" and isinstance(left, str):
            raise SecurityError("'%' string formatting is not allowed in templates; use the filters")
        if operator == "**" and _is_number(left) and _is_number(right):
            magnitude = math.log10(abs(left)) if left else 0.0
            _check_digits(abs(right) * magnitude if abs(right) > 1 else 0, "'**'")
        if operator == "*":
            if _is_number(left) and _is_number(right):
                _check_digits(_digits(left) + _digits(right), "'*'")
            else:
                seq, n = (left, right) if _is_number(right) else (right, left)
                if _is_number(n):
                    _check_planned(_size(seq) * max(0, int(n)), "'*'")
        result = super().call_binop(context, operator, left, right)
        return check_size(result, f"'{operator}'")

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("guard_iter"), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
        for output in tree.find_all(nodes.Output):
            data = sum(len(n.data) for n in output.nodes if isinstance(n, nodes.TemplateData))
            guarded: list[nodes.Expr] = [nodes.Call(nodes.EnvironmentAttribute("guard_data"), [nodes.Const(data)],
                                                    [], None, None, lineno=output.lineno)]
            for n in output.nodes:
                if not isinstance(n, nodes.TemplateData):
                    n = nodes.Call(nodes.EnvironmentAttribute("guard_output"), [n], [], None, None, lineno=n.lineno)
                guarded.append(n)
            output.nodes = guarded
        for concat in tree.find_all(nodes.Concat):
            concat.nodes = [
                nodes.Call(nodes.EnvironmentAttribute("guard_value"), [n], [], None, None, lineno=n.lineno)
                for n in concat.nodes
            ]
        return tree


_MISSING = object()


def _digits(value: Any) -> float:
    return value.bit_length() * 0.302 if isinstance(value, int) else 0.0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@helper
def _guard_iter(items: Any) -> Iterator[Any]:
    account = _BUDGET.get()
    if account is None:
        yield from items
        return
    limit = account.limits.loop_items
    for item in items:
        account.iterations += 1
        if account.iterations % 256 == 0:
            account.check_time()
            if account.iterations > limit:
                raise SecurityError(f"loops ran more than {limit:,} times (the limit)")
        yield item


@helper
def _guard_value(value: Any) -> Any:
    return check_size(value, "a joined string")


def _produce(chars: int) -> None:
    account = _BUDGET.get()
    if account is None:
        return
    account.produced += chars
    if account.produced > account.limits.output_chars:
        raise SecurityError(f"output would exceed {account.limits.output_chars:,} characters (the limit)")
    account.check_time()


@helper
def _guard_data(chars: int) -> str:
    _produce(chars)
    return ""


@helper
def _guard_output(value: Any) -> Any:
    if _BUDGET.get() is not None:
        _produce(len(value) if isinstance(value, str) else len(str(value)))
    return value
