"""Rule sets as data: loading, `extends`, validation and dated parameters.

A rule-set file is YAML (see README, "Rule-set files"). Loading resolves the `extends` chain, merges
parameters and rules, parses every condition with our own parser and type-checks it against the fact
fields of the rule's subject. Every problem is reported as a `RuleFileError` naming file and line;
`validate` collects all of them in one run.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import procurekit.conditions as ex
from procurekit.errors import RuleFileError, RuleSetErrors, UnknownRuleSetError
from procurekit.files import FileCache, data_dir, fingerprint
from procurekit.ruleset.model import (  # re-exported: the resolved objects' home for most importers
    NAME_PATTERN,
    PLACEHOLDER,
    DatedValue,
    Parameter,
    ParameterFile,
    Rule,
    RuleFile,
    RuleSet,
    RuleSetFile,
    Scalar,
    scalar_type,
    without_bad_rules,
)
from procurekit.ruleset.model import (
    RULE_ID as RULE_ID,
)
from procurekit.ruleset.model import (
    VERDICTS as VERDICTS,
)
from procurekit.ruleset.model import (
    Text as Text,
)
from procurekit.ruleset.model import (
    Verdict as Verdict,
)
from procurekit.ruleset.model import (
    pydantic_errors as pydantic_errors,
)
from procurekit.ruleset.model import (
    read_model as read_model,
)
from procurekit.ruleset.subjects import SUBJECTS
from procurekit.yamlio import LineMap, load_yaml

#: How long an `extends` chain may be (the file itself included).
MAX_EXTENDS = 16
_RULESET_SUFFIXES = (".yaml", ".yml")
_FACT_FIELDS = frozenset(name for fields in SUBJECTS.values() for name in fields)



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
    if as_path.is_dir():
        raise UnknownRuleSetError(f"{ref}: a folder, not a rule-set file")
    if as_path.suffix.lower() in _RULESET_SUFFIXES or len(as_path.parts) > 1:
        # A path, not an id: say so, not "unknown rule set".
        raise UnknownRuleSetError(f"{base / ref if base is not None and not as_path.is_absolute() else ref}: "
                                  "file not found")
    known = ", ".join(p.stem for p in list_bundled())
    raise UnknownRuleSetError(f"unknown rule set '{ref}' (bundled: {known})")


#: The rules an engine cannot run, with why (see `load_ruleset`).
CompileCheck = Callable[[RuleSet], list[tuple[Rule, str]]]


def load_ruleset(ref: str | Path, compile_check: CompileCheck | None = None, check_unused: bool = True) -> RuleSet:
    """Load a rule set by bundled id or path, resolving `extends`.

    Args:
        ref: a bundled id or a path.
        compile_check: the rules an engine cannot run. The engines sit in the layer above this one, so
            they are passed in: `procurekit.load_ruleset` (`evaluation.engines.load_checked_ruleset`)
            passes durable_rules' compiler, and every command loads rule sets through it. Without it the
            file is checked, but not whether durable_rules can run its rules.
        check_unused: refuse a parameter nothing uses. False for a stored rule set (the ledger), which
            must load as it was even after the templates that used the parameter changed.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
        UnknownRuleSetError: the id or path does not exist.
    """
    path = ref if isinstance(ref, Path) else resolve_ref(ref)
    key = (path.resolve(), compile_check, check_unused, _use_dirs.get())
    found = _LOADED.get(key)
    if found is not None:
        return found
    loader = _Loader(check_unused)
    ruleset = loader.load(path, ())
    for warning in loader.warnings:
        _warn(str(warning))
    problems = compile_check(ruleset) if compile_check is not None else []
    if problems:
        raise RuleSetErrors([RuleFileError(r.file, r.line, f"rule '{r.id}': {m}") for r, m in problems])
    _LOADED.put(key, loader.files, ruleset)
    return ruleset


#: Rule sets loaded in this process: a register's worker (one rule set, many contracts) or the web
#: workspace reads, validates and compiles a rule set once, and again only after one of its files changed.
_LOADED: FileCache[RuleSet] = FileCache()


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


def validate_ruleset(ref: str | Path, compile_check: CompileCheck | None = None) -> RuleSet:
    """Load a rule set, the same as `load_ruleset`: loading already checks everything.

    Kept as the name a reader looks for when the point is the check (`procurekit rules validate`).
    The clauses a rule set names are checked by `documents.clauses.check_clauses`, not here.

    Raises:
        RuleSetErrors: every problem found, each with file and line.
        UnknownRuleSetError: the id or path does not exist.
    """
    return load_ruleset(ref, compile_check)


class _Loader:
    def __init__(self, check_unused: bool = True) -> None:
        self.check_unused = check_unused
        self.errors: list[RuleFileError] = []
        self.warnings: list[RuleFileError] = []
        self.files: list[tuple[Path, str | None]] = []  # every file read, with its digest before reading

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
            salvaged = without_bad_rules(data, lines, exc)
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
        # The digest is taken first: a file changed while being read leaves a digest that no longer
        # matches, so the cache reloads it rather than keeping what was read.
        self.files.append((path, fingerprint(path)))
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

    def warn(self, path: Path, line: int | None, message: str) -> None:
        self.warnings.append(RuleFileError(path, line, f"warning: {message}"))

    def _merge(
        self, path: Path, spec: RuleSetFile, lines: LineMap, parent: RuleSet | None
    ) -> RuleSet:
        params = dict(parent.parameters) if parent else {}
        for name, pf in spec.parameters.items():
            line = lines.line_of(("parameters", name))
            if not re.match(NAME_PATTERN, name):
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
        self._check_sources(path, lines, spec, params)
        self._check_used(path, lines, spec, parent, params, rules)
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

    def _check_sources(
        self, path: Path, lines: LineMap, spec: RuleSetFile, params: Mapping[str, Parameter]
    ) -> None:
        """Each `{name}` in a parameter's source (of this file) names a parameter."""
        for name, pf in spec.parameters.items():
            for m in PLACEHOLDER.finditer(pf.source or ""):
                if m.group(1) not in params:
                    line = lines.line_of(("parameters", name, "source"))
                    self.err(path, line, f"parameter '{name}': source names unknown parameter '{{{m.group(1)}}}'")

    def _check_used(
        self,
        path: Path,
        lines: LineMap,
        spec: RuleSetFile,
        parent: RuleSet | None,
        params: Mapping[str, Parameter],
        rules: Mapping[str, Rule],
    ) -> None:
        """A parameter new in this file is used somewhere: else it is a misspelt override (`max_course_month:`)
        that would leave the parent's value in force while the file reads as if it changed it."""
        new = [n for n in spec.parameters if n in params and (parent is None or n not in parent.parameters)]
        if not new or not self.check_unused or any(e.path == str(path) for e in self.errors):
            return  # a rule with an error may be the one that uses it: its own error comes first
        used = set(document_uses())
        for rule in rules.values():
            used.update(rule.names)
            texts = [rule.reference, *(m.get(lang) for ms in (rule.messages, rule.active_messages)
                                       for m in ms.values() for lang in ("da", "en"))]
            used.update(m.group(1) for text in texts for m in PLACEHOLDER.finditer(text))
        used.update(m.group(1) for p in params.values() for m in PLACEHOLDER.finditer(p.source))
        known = [n for n in params if n not in new] + sorted(_FACT_FIELDS)
        for name in new:
            if name in used:
                continue
            import difflib  # only for a name nobody defined: not worth loading for every rule set

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or use it in a rule"
            self.err(
                path,
                lines.line_of(("parameters", name)),
                f"parameter '{name}' is not used by any rule, message, reference, clause or template; {hint}",
            )

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
        if base is not None and values and pf.source is None and all(src is None for _, _, src in values):
            if [v for _, v, _ in values] != [v for _, v, _ in base.values]:
                self.warn(
                    path,
                    line,
                    f"parameter '{name}': the override changes the value but keeps the parent's source; "
                    "give the source of the new value (source:)",
                )
        types = {scalar_type(v) for _, v, _ in values}
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
                    for m in PLACEHOLDER.finditer(msg.get(lang)):
                        if m.group(1) not in types:
                            self.err(
                                path,
                                lines.line_of(("rules", index, key, verdict, lang)),
                                f"rule '{rf.id}': {key}.{verdict}.{lang} names unknown '{{{m.group(1)}}}'",
                            )
        for m in PLACEHOLDER.finditer(rf.reference):
            if m.group(1) not in params:
                self.err(
                    path,
                    lines.line_of(("rules", index, "reference")),
                    f"rule '{rf.id}': reference names unknown parameter '{{{m.group(1)}}}'",
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


_printed: set[str] = set()
_use_dirs: ContextVar[tuple[Path, ...]] = ContextVar("_use_dirs", default=())
_USE = re.compile(r"""\bp\.([a-z][a-z0-9_]*)|\bp\[\s*["']([a-z][a-z0-9_]*)["']\s*\]""")


def _warn(text: str) -> None:
    """A rule-set warning on stderr (`file:line: warning: …`), once per process."""
    if text not in _printed:
        _printed.add(text)
        print(text, file=sys.stderr)


@contextmanager
def also_used_in(*folders: Path | None) -> Iterator[None]:
    """Count the parameters that the user's own clause or template folders name as used, while loading."""
    token = _use_dirs.set((*_use_dirs.get(), *(f for f in folders if f is not None)))
    try:
        yield
    finally:
        _use_dirs.reset(token)


def document_uses() -> frozenset[str]:
    """The parameter names (`p.name`, `p["name"]`) the clause texts and templates use: the bundled ones and
    a user's own folders given to `also_used_in`."""
    folders = (data_dir("clauses"), data_dir("templates"), *_use_dirs.get())
    return frozenset().union(*(_folder_uses(f.resolve()) for f in folders))


@functools.lru_cache(maxsize=32)
def _folder_uses(folder: Path) -> frozenset[str]:
    found: set[str] = set()
    for path in _files(folder):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:  # an unreadable file is reported by the documents that read it
            continue
        found.update(a or b for a, b in _USE.findall(text))
    return frozenset(found)


def _files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml", ".j2"))


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


def param_const(value: Scalar) -> ex.Const:
    """A parameter value as a constant of the condition language."""
    if isinstance(value, dt.date):
        return ex.Const(value.toordinal(), ex.DATE)
    return ex.Const(ex.exact(value), scalar_type(value))
