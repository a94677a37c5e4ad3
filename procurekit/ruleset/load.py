"""Rule sets as data: loading, `extends`, validation and dated parameters.

A rule-set file is YAML (see README, "Rule-set files"). Loading resolves the `extends` chain, merges
parameters and rules, parses every condition with our own parser and type-checks it against the fact
fields of the rule's subject. Every problem is reported as a `RuleFileError` naming file and line;
`validate` collects all of them in one run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import procurekit.conditions as ex
from procurekit.errors import RuleFileError, RuleSetErrors, UnknownRuleSetError
from procurekit.files import data_dir
from procurekit.ruleset.subjects import SUBJECTS, Source
from procurekit.yamlio import LineMap, load_yaml

Verdict = Literal["violation", "warning", "due", "ok"]
VERDICTS: tuple[str, ...] = ("violation", "warning", "due", "ok")
Scalar = Union[bool, int, float, str, dt.date]
RULE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$"
_NAME = r"^[a-z][a-z0-9_]*$"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


_M = TypeVar("_M", bound=BaseModel)
#: How long an `extends` chain may be (the file itself included).
MAX_EXTENDS = 16
_RULESET_SUFFIXES = (".yaml", ".yml")
_FACT_FIELDS = frozenset(name for fields in SUBJECTS.values() for name in fields)



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Danish (first) and English."""

    da: str = Field(min_length=1, description="Danish text")
    en: str = Field(min_length=1, description="English text")

    def get(self, lang: str) -> str:
        """Return the text in `lang` (da or en)."""
        return self.en if lang == "en" else self.da


class DatedValue(_Strict):
    """A value taking effect on a day, with its own source."""

    value: Scalar = Field(description="the value from that day")
    source: str | None = Field(None, description="why the value changed (law, agreement, URL)")


class ParameterFile(_Strict):
    """A parameter as written in a file. In a child rule set every field is optional (override)."""

    value: Scalar | None = Field(None, description="the value (when it never changes)")
    values: dict[dt.date, Scalar | DatedValue] | None = Field(
        None, description="values by the day they take effect (YYYY-MM-DD: value)"
    )
    unit: str | None = Field(None, description="unit: years, months, days, places, hours, share, DKK …")
    description: str | None = Field(None, description="what the parameter means")
    source: str | None = Field(None, description="legal or factual source, with URL where there is one")
    confidence: Literal["H", "M", "L", "NOT CONFIRMED", "user"] | None = Field(
        None,
        description="confidence of the source (H, M, L, NOT CONFIRMED: see docs/sources.md); "
        "user = the municipality's own choice",
    )
    label: Text | None = Field(
        None, description="short name in a document's fill-in field while the value is not confirmed"
    )


class RuleFile(_Strict):
    """One rule as written in a file."""

    id: str = Field(pattern=RULE_ID, description="stable id family.name (public API)")
    subject: Literal["participant", "participant_month", "month", "year"] = Field(
        description="what the rule is checked on: each participant, participant-month, month or year"
    )
    title: Text = Field(description="the rule's name in Danish and English")
    requires: list[Source] = Field(
        default_factory=list, description="data files the rule needs; absent ⇒ not evaluated"
    )
    applies: str | None = Field(None, description="condition: when the rule applies at all")
    let: dict[str, str] = Field(default_factory=dict, description="named helper expressions")
    condition: str = Field(description="the requirement: true ⇒ ok")
    severity: Literal["violation", "warning"] = Field("violation", description="verdict when the condition fails")
    warning: str | None = Field(None, description="when the requirement holds but needs attention")
    due: str | None = Field(None, description="when the requirement fails but its deadline has not passed")
    message: dict[Verdict, Text] = Field(
        description="per verdict, a text with {name} placeholders for fields, parameters and let values"
    )
    message_active: dict[Verdict, Text] | None = Field(
        None,
        description="per verdict, the text used instead of `message` for a subject still active at as_of"
        " (a participant holding a place: `active` is true), e.g. 'still running as of'",
    )
    clause: str = Field(description="id of the clause the rule enforces")
    reference: str = Field(description="legal reference")

    @field_validator("let")
    @classmethod
    def _check_let(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.match(_NAME, name):
                raise ValueError(f"let name '{name}' must be lower_snake_case")
        return value


class RuleSetFile(_Strict):
    """A rule-set file."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", description="rule-set id")
    title: Text = Field(description="the rule set's name in Danish and English")
    jurisdiction: str | None = Field(None, description="who it is for, e.g. DK / Ikast-Brande Kommune")
    version: str = Field("1.0.0", description="version of the rule set (semantic versioning)")
    extends: str | None = Field(None, description="id or relative path of the parent rule set")
    description: str | None = Field(None, description="what the rule set is, with its sources")
    parameters: dict[str, ParameterFile] = Field(
        default_factory=dict, description="named values with unit, description, source and confidence"
    )
    rules: list[RuleFile] = Field(
        default_factory=list, description="rules; a rule with a parent's id replaces it"
    )
    drop: list[str] = Field(default_factory=list, description="parent rule ids to remove")


# --- resolved, public objects ----------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A resolved parameter: its dated values, unit, description and source."""

    name: str
    values: tuple[tuple[dt.date, Scalar, str | None], ...]
    unit: str
    description: str
    source: str
    confidence: str | None
    defined_in: str
    label: Text | None = None

    @property
    def type(self) -> str:
        """The expression type of the value."""
        return _scalar_type(self.values[-1][1])

    def at(self, day: dt.date) -> Scalar:
        """The value in force on `day` (the earliest value when `day` precedes every date)."""
        current = self.values[0][1]
        for since, value, _ in self.values:
            if since <= day:
                current = value
        return current

    @property
    def value(self) -> Scalar:
        """The latest value."""
        return self.values[-1][1]


@dataclass(frozen=True)
class Rule:
    """A resolved rule with its parsed condition trees."""

    id: str
    subject: str
    title: Text
    requires: tuple[str, ...]
    applies: ex.Node | None
    lets: dict[str, ex.Node]
    condition: ex.Node
    severity: str
    warning: ex.Node | None
    due: ex.Node | None
    messages: dict[str, Text]
    clause: str
    reference: str
    source: dict[str, Any]
    defined_in: str
    file: str = field(default="", compare=False)  # where the rule is written, for errors found later
    line: int | None = field(default=None, compare=False)
    active_messages: dict[str, Text] = field(default_factory=dict)  # `message_active`

    def predicates(self) -> dict[str, ex.Node]:
        """The named boolean trees an engine must evaluate for this rule."""
        out = {"condition": self.condition}
        for key in ("applies", "warning", "due"):
            node = getattr(self, key)
            if node is not None:
                out[key] = node
        return out

    @cached_property
    def names(self) -> list[str]:
        """Every name the rule's trees refer to (fields, parameters, lets), in order."""
        seen: dict[str, None] = {}
        for node in [*self.predicates().values(), *self.lets.values()]:
            for n in ex.names(node):
                seen.setdefault(n)
        return list(seen)


@dataclass(frozen=True)
class RuleSet:
    """A rule set after `extends` is resolved: the one source of truth for checks and documents."""

    id: str
    title: Text
    jurisdiction: str | None
    version: str
    description: str | None
    path: Path
    lineage: tuple[str, ...]
    parameters: dict[str, Parameter]
    rules: tuple[Rule, ...]
    digest: str = field(default="")

    def params_at(self, day: dt.date) -> dict[str, Scalar]:
        """Every parameter's value in force on `day`."""
        return {name: p.at(day) for name, p in self.parameters.items()}

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with this id."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --- loading ---------------------------------------------------------------------------------


def bundled_rules_dir() -> Path:
    """The folder of the rule sets shipped with procurekit."""
    return data_dir("rules")


def list_bundled() -> list[Path]:
    """Paths of the bundled rule-set files."""
    return sorted(bundled_rules_dir().glob("*.yaml"))


def resolve_ref(ref: str, base: Path | None = None) -> Path:
    """Turn a rule-set id or path into a file path.

    Raises:
        UnknownRuleSetError: when neither a file nor a bundled id matches.
    """
    candidates = []
    as_path = Path(ref)
    if base is not None and not as_path.is_absolute():
        candidates.append(base / ref)
        candidates.append(base / f"{ref}.yaml")
    candidates += [as_path, bundled_rules_dir() / f"{ref}.yaml"]
    for c in candidates:
        if c.is_file():
            return c
    known = ", ".join(p.stem for p in list_bundled())
    raise UnknownRuleSetError(f"unknown rule set '{ref}' (bundled: {known})")


def load_ruleset(ref: str | Path) -> RuleSet:
    """Load a rule set by bundled id or path, resolving `extends`.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
        UnknownRuleSetError: the id or path does not exist.
    """
    path = ref if isinstance(ref, Path) else resolve_ref(ref)
    ruleset = _Loader().load(path, ())
    from procurekit.evaluation.engines import durable_problems  # the engine module imports this one

    problems = durable_problems(ruleset)
    if problems:
        raise RuleSetErrors([RuleFileError(r.file, r.line, f"rule '{r.id}': {m}") for r, m in problems])
    return ruleset


def merge_child(
    path: Path, spec: RuleSetFile, lines: LineMap, parent: RuleSet | None
) -> tuple[RuleSet, list[RuleFileError]]:
    """`spec` merged onto `parent` exactly as a child rule-set file at `path` would be.

    Returns:
        The merged rule set and every problem found (the rule set is unusable when there is one).
    """
    loader = _Loader()
    ruleset = loader._merge(path, spec, lines, parent)
    return ruleset, loader.errors


def validate_ruleset(ref: str | Path) -> RuleSet:
    """Load a rule set, the same as `load_ruleset`: loading already checks everything.

    Kept as the name a reader looks for when the point is the check (`procurekit rules validate`).
    The clauses a rule set names are checked by `documents.clauses.check_clauses`, not here.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
        UnknownRuleSetError: the id or path does not exist.
    """
    return load_ruleset(ref)


class _Loader:
    def __init__(self) -> None:
        self.errors: list[RuleFileError] = []

    def load(self, path: Path, chain: tuple[Path, ...], via: tuple[str, int | None] = ("", None)) -> RuleSet:
        """Load `path`; `chain` holds the files extending it, `via` the child's `extends` value and line."""
        path = path.resolve()
        if path in chain:
            names = " -> ".join(p.stem for p in (*chain, path))
            raise RuleSetErrors([RuleFileError(chain[-1], None, f"extends cycle: {names}")])
        data, lines = self._read(path, chain, via)
        try:
            spec = RuleSetFile.model_validate(data)
        except ValidationError as exc:
            # Only some rules are malformed: report them, and check the others too (every error in one run).
            salvaged = _without_bad_rules(data, lines, exc)
            if salvaged is None:
                raise RuleSetErrors(pydantic_errors(path, lines, exc)) from None
            self.errors.extend(pydantic_errors(path, lines, exc))
            spec, lines = salvaged
        parent: RuleSet | None = None
        if spec.extends:
            line = lines.line_of(("extends",))
            try:
                parent_path = resolve_ref(spec.extends, base=path.parent)
            except UnknownRuleSetError as exc:
                raise RuleSetErrors([RuleFileError(path, line, str(exc))]) from None
            if parent_path.suffix.lower() not in _RULESET_SUFFIXES:
                raise RuleSetErrors(
                    [RuleFileError(path, line, f"extends: '{spec.extends}' is not a rule-set file (.yaml)")]
                )
            if len(chain) + 1 >= MAX_EXTENDS:
                raise RuleSetErrors(
                    [RuleFileError(path, line, f"extends chain longer than {MAX_EXTENDS} rule sets")]
                )
            parent = self.load(parent_path, (*chain, path), (spec.extends, line))
        ruleset = self._merge(path, spec, lines, parent)
        if self.errors:
            raise RuleSetErrors(self.errors)
        return ruleset

    def _read(
        self, path: Path, chain: tuple[Path, ...], via: tuple[str, int | None]
    ) -> tuple[dict[str, Any], LineMap]:
        """The YAML mapping of a rule-set file. A parent (named by `extends`) that is not a rule set is
        refused without quoting any of it: it may be any file at all (`extends: /etc/shadow`)."""
        try:
            data, lines = load_yaml(path)
        except RuleFileError as exc:
            if chain and exc.line is not None:  # the kind of error only: its details may quote the file
                kind = re.split(r"[:']", exc.message)[0].strip()
                exc = RuleFileError(path, exc.line, f"not a valid YAML rule-set file ({kind})")
            raise RuleSetErrors([exc]) from None
        if chain and not (isinstance(data, dict) and "id" in data and set(data) <= set(RuleSetFile.model_fields)):
            raise RuleSetErrors([RuleFileError(chain[-1], via[1], f"extends: '{via[0]}' is not a rule-set file")])
        if not isinstance(data, dict):
            raise RuleSetErrors([RuleFileError(path, 1, "a rule set must be a mapping")])
        if "id" not in data and not set(data) <= set(RuleSetFile.model_fields):
            # Its keys would be echoed as "Extra inputs": say what it is not instead.
            raise RuleSetErrors([RuleFileError(path, 1, "not a rule-set file (no id, unknown keys)")])
        return data, lines

    def err(self, path: Path, line: int | None, message: str) -> None:
        self.errors.append(RuleFileError(path, line, message))

    def _merge(
        self, path: Path, spec: RuleSetFile, lines: LineMap, parent: RuleSet | None
    ) -> RuleSet:
        params = dict(parent.parameters) if parent else {}
        for name, pf in spec.parameters.items():
            line = lines.line_of(("parameters", name))
            if not re.match(_NAME, name):
                self.err(path, line, f"parameter name '{name}' must be lower_snake_case")
                continue
            if name in _FACT_FIELDS:
                # A parameter would silently replace the fact's value in every condition naming it.
                self.err(path, line, f"parameter '{name}' has the name of a fact field; rename it")
                continue
            if not self._numbers_ok(path, lines, name, pf):
                continue
            merged = self._parameter(path, line, name, pf, params.get(name), spec.id)
            if merged is not None:
                params[name] = merged
        rules = {r.id: r for r in parent.rules} if parent else {}
        for i, rule_id in enumerate(spec.drop):
            if rule_id not in rules:
                self.err(path, lines.line_of(("drop", i)), f"drop: no rule '{rule_id}' to drop")
            rules.pop(rule_id, None)
        seen: set[str] = set()
        for i, rf in enumerate(spec.rules):
            line = lines.line_of(("rules", i))
            if rf.id in seen:
                self.err(path, line, f"duplicate rule id '{rf.id}'")
                continue
            seen.add(rf.id)
            rule = self._rule(path, lines, i, rf, params, spec.id)
            if rule is not None:
                rules[rf.id] = rule
        ruleset = RuleSet(
            id=spec.id,
            title=spec.title,
            jurisdiction=spec.jurisdiction or (parent.jurisdiction if parent else None),
            version=spec.version,
            description=spec.description,
            path=path,
            lineage=(*(parent.lineage if parent else ()), spec.id),
            parameters=params,
            rules=tuple(rules.values()),
        )
        return RuleSet(**{**ruleset.__dict__, "digest": digest(ruleset)})

    def _numbers_ok(self, path: Path, lines: LineMap, name: str, pf: ParameterFile) -> bool:
        """Every number of the parameter is finite and within ±1e15 (else an error on its line)."""
        loc: tuple[Any, ...] = ("parameters", name)
        found = [((*loc, "value"), pf.value)] if pf.value is not None else []
        for since, v in (pf.values or {}).items():
            found.append(((*loc, "values", since), v.value if isinstance(v, DatedValue) else v))
        ok = True
        for where, value in found:
            problem = ex.number_problem(value)
            if problem:
                self.err(path, lines.line_of(where), f"parameter '{name}': the value {problem}")
                ok = False
        return ok

    def _parameter(
        self,
        path: Path,
        line: int | None,
        name: str,
        pf: ParameterFile,
        base: Parameter | None,
        owner: str,
    ) -> Parameter | None:
        if pf.value is not None and pf.values is not None:
            self.err(path, line, f"parameter '{name}': give either value or values, not both")
            return None
        values: list[tuple[dt.date, Scalar, str | None]] = []
        if pf.values is not None:
            if not pf.values:
                self.err(path, line, f"parameter '{name}': values is empty")
                return None
            for since, v in sorted(pf.values.items()):
                if isinstance(v, DatedValue):
                    values.append((since, v.value, v.source))
                else:
                    values.append((since, v, None))
        elif pf.value is not None:
            values.append((dt.date.min, pf.value, None))
        if base is None:
            missing = [k for k in ("unit", "description", "source") if getattr(pf, k) is None]
            if not values:
                missing.insert(0, "value")
            if missing:
                self.err(
                    path,
                    line,
                    f"parameter '{name}' is new here and needs {', '.join(missing)}"
                    " (or is it a misspelt parent parameter?)",
                )
                return None
        types = {_scalar_type(v) for _, v, _ in values}
        if base is not None:
            types.add(base.type)
        types.discard("int")
        if len(types) > 1:
            self.err(path, line, f"parameter '{name}': values of different types {sorted(types)}")
            return None
        return Parameter(
            name=name,
            values=tuple(values) if values else base.values,  # type: ignore[union-attr]
            unit=pf.unit or base.unit,  # type: ignore[union-attr]
            description=pf.description or base.description,  # type: ignore[union-attr]
            source=pf.source or base.source,  # type: ignore[union-attr]
            # A child that gives its own source vouches for the value; the parent's tag was for its source.
            confidence=pf.confidence or (base.confidence if base and not pf.source else None),
            defined_in=owner if base is None or values else base.defined_in,
            label=pf.label or (base.label if base else None),
        )

    def _rule(
        self,
        path: Path,
        lines: LineMap,
        index: int,
        rf: RuleFile,
        params: Mapping[str, Parameter],
        owner: str,
    ) -> Rule | None:
        fields = SUBJECTS[rf.subject]
        types: dict[str, str] = {name: f.type for name, f in fields.items()}
        for name, p in params.items():
            types.setdefault(name, p.type)
        before = len(self.errors)
        lets: dict[str, ex.Node] = {}
        for name, text in rf.let.items():
            loc: tuple[Any, ...] = ("rules", index, "let", name)
            if name in types:
                self.err(path, lines.line_of(loc), f"rule '{rf.id}': let '{name}' shadows a name")
                continue
            node = self._expr(path, lines, loc, rf.id, f"let {name}", text, types, None)
            if node is not None:
                lets[name] = node
                types[name] = ex.typecheck(node, types)
        trees: dict[str, ex.Node | None] = {}
        for key in ("applies", "condition", "warning", "due"):
            text = getattr(rf, key)
            if text is None:
                trees[key] = None
                continue
            loc = ("rules", index, key)
            trees[key] = self._expr(path, lines, loc, rf.id, key, text, types, ex.BOOL)
        needed = {rf.severity} | {k for k in ("warning", "due") if getattr(rf, k) is not None}
        for verdict in sorted(needed - set(rf.message)):
            self.err(
                path,
                lines.line_of(("rules", index, "message")),
                f"rule '{rf.id}': no message for verdict '{verdict}'",
            )
        if rf.message_active is not None and "active" not in SUBJECTS[rf.subject]:
            self.err(path, lines.line_of(("rules", index, "message_active")),
                     f"rule '{rf.id}': message_active needs a subject with an 'active' field (participant)")
        for key, messages in (("message", rf.message), ("message_active", rf.message_active or {})):
            for verdict, msg in messages.items():
                for lang in ("da", "en"):
                    for m in _PLACEHOLDER.finditer(msg.get(lang)):
                        if m.group(1) not in types:
                            self.err(
                                path,
                                lines.line_of(("rules", index, key, verdict, lang)),
                                f"rule '{rf.id}': {key}.{verdict}.{lang} names unknown '{{{m.group(1)}}}'",
                            )
        if len(self.errors) > before:
            return None
        self._check_expanded(path, lines, index, rf.id, lets, trees)
        if len(self.errors) > before:
            return None
        condition = trees["condition"]
        assert condition is not None
        return Rule(
            id=rf.id,
            subject=rf.subject,
            title=rf.title,
            requires=tuple(dict.fromkeys(("participants", *rf.requires))),
            applies=trees["applies"],
            lets=lets,
            condition=condition,
            severity=rf.severity,
            warning=trees["warning"],
            due=trees["due"],
            messages={str(k): v for k, v in rf.message.items()},
            clause=rf.clause,
            reference=rf.reference,
            active_messages={str(k): v for k, v in (rf.message_active or {}).items()},
            # Without message_active when it is absent: the digests of rules without it stay as they were.
            source=rf.model_dump(mode="json", exclude={"message_active"} if rf.message_active is None else None),
            defined_in=owner,
            file=str(path),
            line=lines.line_of(("rules", index)),
        )

    def _check_expanded(
        self,
        path: Path,
        lines: LineMap,
        index: int,
        rule_id: str,
        lets: Mapping[str, ex.Node],
        trees: Mapping[str, ex.Node | None],
    ) -> None:
        """Each tree with its `let` names substituted stays within the nesting and size limits."""
        bound: dict[str, ex.Node] = {}
        items: list[tuple[str, tuple[str, ...], ex.Node]] = [
            (f"let {n}", ("let", n), node) for n, node in lets.items()
        ]
        items += [(k, (k,), node) for k, node in trees.items() if node is not None]
        for key, loc, node in items:
            expanded = ex.bind(node, {}, bound)
            try:
                ex.check_shape(expanded)
            except ex.ExprError as exc:
                line = lines.line_of(("rules", index, *loc))
                self.err(path, line, f"rule '{rule_id}' {key}: {exc.message} once its let names are filled in")
                return
            if key.startswith("let "):
                bound[loc[1]] = expanded

    def _expr(
        self,
        path: Path,
        lines: LineMap,
        loc: tuple[Any, ...],
        rule_id: str,
        key: str,
        text: str,
        types: Mapping[str, str],
        want: str | None,
    ) -> ex.Node | None:
        line = lines.line_of(loc)
        try:
            node = ex.parse(text)
            got = ex.typecheck(node, types)
        except ex.ExprError as exc:
            self.err(path, line, f"rule '{rule_id}' {key}: {exc}")
            return None
        if want is not None and got != want:
            self.err(path, line, f"rule '{rule_id}' {key}: must be a {want} condition, got {got}")
            return None
        return ex.mark_dates(node, types)


def digest(ruleset: RuleSet) -> str:
    """A short hash of a resolved rule set's parameters and rules (cache keys, report stamps)."""
    payload = json.dumps(
        {
            "params": {n: [(str(d), v, s) for d, v, s in p.values] for n, p in ruleset.parameters.items()},
            "rules": [r.source for r in ruleset.rules],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:12]


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return ex.BOOL
    if isinstance(value, (int, float)):
        return ex.NUMBER
    if isinstance(value, dt.date):
        return ex.DATE
    return ex.STRING


def read_model(path: Path, model: type[_M], what: str) -> tuple[_M, LineMap]:
    """Load a YAML file into a pydantic model.

    Raises:
        RuleSetErrors: every problem, one per line with file and line (`what` names the file's kind).
    """
    try:
        data, lines = load_yaml(path)
    except RuleFileError as exc:
        raise RuleSetErrors([exc]) from None
    if not isinstance(data, dict):
        raise RuleSetErrors([RuleFileError(path, 1, f"{what} must be a mapping")])
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise RuleSetErrors(pydantic_errors(path, lines, exc)) from None


def _without_bad_rules(
    data: dict[str, Any], lines: LineMap, exc: ValidationError
) -> tuple[RuleSetFile, LineMap] | None:
    """The file without its malformed rules (lines renumbered), when only rules are malformed."""
    bad: set[int] = set()
    for e in exc.errors():
        loc = e["loc"]
        if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
            return None
        bad.add(loc[1])
    keep = [i for i in range(len(data["rules"])) if i not in bad]
    try:
        spec = RuleSetFile.model_validate({**data, "rules": [data["rules"][i] for i in keep]})
    except ValidationError:
        return None
    index = {old: new for new, old in enumerate(keep)}
    remapped = LineMap()
    for loc, line in lines.items():
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            if loc[1] in index:
                remapped[("rules", index[loc[1]], *loc[2:])] = line
        else:
            remapped[loc] = line
    return spec, remapped


def pydantic_errors(path: Path, lines: LineMap, exc: ValidationError) -> list[RuleFileError]:
    """One `RuleFileError` per problem pydantic found in a YAML file, each with its line and dotted location."""
    out = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        # Union members add their type name to the location; drop those for the message.
        shown = [str(p) for p in loc if not (isinstance(p, str) and p[:1].isupper() or "[" in str(p))]
        out.append(RuleFileError(path, lines.line_of(loc), f"{'.'.join(shown)}: {e['msg']}"))
    return out


def param_const(value: Scalar) -> ex.Const:
    """A parameter value as a constant of the condition language."""
    if isinstance(value, dt.date):
        return ex.Const(value.toordinal(), ex.DATE)
    return ex.Const(ex.exact(value), _scalar_type(value))
