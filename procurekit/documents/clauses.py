"""The clause library: parameterised clause texts, checked against a rule set and rendered from it.

A clause file (clauses/*.yaml, see clauses/README.md) holds texts with `{{ p.<parameter> }}` and
`{{ rule("<id>") }}`. `clause_errors` finds, without rendering anything, every parameter or rule a clause
names that the rule set lacks, and every clause id a rule names that no file has; `render_clauses`
renders the clauses a rule set uses with the parameter values in force on a day.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from procurekit.errors import RuleFileError, RuleSetErrors
from procurekit.files import FileCache, data_dir, fingerprint
from procurekit.ruleset.load import RULE_ID, RuleSet, Text, read_model
from procurekit.yamlio import LineMap

if TYPE_CHECKING:
    from procurekit.documents.render import Params

# Jinja2 (and the renderer on it) and the statutes are imported by the functions that parse or render a
# clause text, not here: `check` needs only the clauses' point numbers (documents.actions).

_CLAUSE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ALLOWED_NAMES = {"p", "rule", "law", "t", "lang"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paragraph(_Strict):
    """One numbered paragraph; with `when`, only included when the rule set has that rule."""

    da: str = Field(min_length=1)
    en: str = Field(min_length=1)
    when: str | None = Field(None, description="rule id: include the paragraph only if the rule set has it")


class ClauseFile(_Strict):
    """A clause as written in clauses/<id>.yaml."""

    id: str = Field(pattern=_CLAUSE_ID)
    order: int = Field(ge=0)
    general: bool = Field(False, description="in every tender pack, not only when a rule names it")
    title: Text
    legal_basis: Text
    requirement: Text
    documentation: Text
    text: list[Paragraph] = Field(min_length=1)


@dataclass(frozen=True)
class Clause:
    """A loaded clause with where it came from (for error lines)."""

    spec: ClauseFile
    path: Path
    lines: LineMap

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class RenderedClause:
    """A clause rendered for one rule set, day and language."""

    id: str
    number: int
    title: str
    legal_basis: str
    requirement: str
    documentation: str
    paragraphs: tuple[str, ...]
    rules: tuple[tuple[str, str], ...]  # (rule id, title) of the rules enforcing it


def load_library(extra: Path | None = None) -> dict[str, Clause]:
    """The bundled clauses, then `extra`'s (same id replaces). Every file's errors at once."""
    folders = [data_dir("clauses")] + ([extra] if extra is not None else [])
    for folder in folders:
        if not folder.is_dir():
            raise RuleSetErrors([RuleFileError(folder, None, "not a folder of clause files")])
    paths = [path for folder in folders for path in sorted(folder.glob("*.yaml"))]
    key = tuple(paths)  # a file added or removed makes another library
    found = _LIBRARIES.get(key)
    if found is not None:
        return dict(found)
    files = [(path, fingerprint(path)) for path in paths]  # before reading: see FileCache
    library: dict[str, Clause] = {}
    errors: list[RuleFileError] = []
    for path in paths:
        try:
            spec, lines = read_model(path, ClauseFile, "a clause file")
        except RuleSetErrors as exc:
            errors.extend(exc.errors)
            continue
        library[spec.id] = Clause(spec, path, lines)
    if errors:
        raise RuleSetErrors(errors)
    _LIBRARIES.put(key, files, dict(library))
    return library


#: Clause libraries loaded in this process: the output of every check (of every contract of a register)
#: names contract points from the library, which is read once, and again only when a file changed.
_LIBRARIES: FileCache[dict[str, Clause]] = FileCache()


def clauses_for(ruleset: RuleSet, library: dict[str, Clause]) -> list[Clause]:
    """The clauses a rule set uses: those its rules name, and the general ones; in annex order."""
    named = {r.clause for r in ruleset.rules}
    used = [c for c in library.values() if c.id in named or c.spec.general]
    return sorted(used, key=lambda c: (c.spec.order, c.id))


@functools.cache
def _parser() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment()


def _references(source: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """(parameters, rules, law references, other names) a text refers to; raises TemplateSyntaxError."""
    from jinja2 import nodes

    tree = _parser().parse(source)
    params: set[str] = set()
    rules: set[str] = set()
    laws: set[str] = set()
    for attr in tree.find_all(nodes.Getattr):
        if isinstance(attr.node, nodes.Name) and attr.node.name == "p":
            params.add(attr.attr)
    for item in tree.find_all(nodes.Getitem):
        if isinstance(item.node, nodes.Name) and item.node.name == "p" and isinstance(item.arg, nodes.Const):
            params.add(str(item.arg.value))
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("rule", "law"):
            for arg in call.args:
                if isinstance(arg, nodes.Const):
                    (rules if call.node.name == "rule" else laws).add(str(arg.value))
    names = {n.name for n in tree.find_all(nodes.Name)} - _ALLOWED_NAMES
    return params, rules, laws, names


def _texts(clause: Clause, ruleset: RuleSet) -> list[tuple[tuple[object, ...], str]]:
    """(location, text) of every text of the clause that the rule set's documents would contain."""
    spec = clause.spec
    rule_ids = {r.id for r in ruleset.rules}
    out: list[tuple[tuple[object, ...], str]] = []
    for key in ("title", "legal_basis", "requirement", "documentation"):
        text: Text = getattr(spec, key)
        out += [((key, "da"), text.da), ((key, "en"), text.en)]
    for i, para in enumerate(spec.text):
        if para.when is None or para.when in rule_ids:
            out += [(("text", i, "da"), para.da), (("text", i, "en"), para.en)]
    return out


def clause_errors(ruleset: RuleSet, library: dict[str, Clause]) -> list[RuleFileError]:
    """Every clause problem of a rule set, one per line: missing clause, parameter or rule."""
    import jinja2

    from procurekit.documents.law import load_law

    errors: list[RuleFileError] = []
    for rule in ruleset.rules:
        if rule.clause not in library:
            errors.append(RuleFileError(
                ruleset.path, None,
                f"rule '{rule.id}' (from {rule.defined_in}) names clause '{rule.clause}', "
                "which the clause library does not have",
            ))
    rule_ids = {r.id for r in ruleset.rules}
    for clause in clauses_for(ruleset, library):
        for i, para in enumerate(clause.spec.text):
            if para.when is not None and para.when not in rule_ids and not _looks_like_rule(para.when):
                errors.append(RuleFileError(
                    clause.path, clause.lines.line_of(("text", i, "when")), f"'{para.when}' is not a rule id"
                ))
        for loc, text in _texts(clause, ruleset):
            line = clause.lines.line_of(loc)
            try:
                params, rules, laws, names = _references(text)
            except jinja2.TemplateSyntaxError as exc:
                errors.append(RuleFileError(clause.path, line, f"clause '{clause.id}': {exc.message}"))
                continue
            for name in sorted(params - set(ruleset.parameters)):
                errors.append(RuleFileError(
                    clause.path, line,
                    f"clause '{clause.id}' names parameter '{name}', "
                    f"which rule set '{ruleset.id}' does not have",
                ))
            for rid in sorted(rules - rule_ids):
                errors.append(RuleFileError(
                    clause.path, line,
                    f"clause '{clause.id}' names rule '{rid}', which rule set '{ruleset.id}' does not have",
                ))
            for ref in sorted(laws - load_law().refs()):
                errors.append(RuleFileError(
                    clause.path, line, f"clause '{clause.id}' cites law(\"{ref}\"), which rules/law/dk.yaml lacks"
                ))
            for name in sorted(names):
                errors.append(RuleFileError(
                    clause.path, line,
                    f"clause '{clause.id}' uses '{name}'; "
                    "a clause text may use only p.<parameter> and rule(\"id\")",
                ))
    return errors


def _looks_like_rule(text: str) -> bool:
    return re.match(RULE_ID, text) is not None


def check_clauses(ruleset: RuleSet, library: dict[str, Clause] | None = None) -> dict[str, Clause]:
    """Raise RuleSetErrors with every clause problem of `ruleset`; return the library."""
    library = library if library is not None else load_library()
    errors = clause_errors(ruleset, library)
    if errors:
        raise RuleSetErrors(errors)
    return library


def render_clauses(
    ruleset: RuleSet, library: dict[str, Clause], day: dt.date, lang: str, p: Params | None = None
) -> list[RenderedClause]:
    """The clauses a rule set uses, rendered with the parameter values in force on `day`.

    `p` replaces the rule set's values (a tender's confirmed values and fill-in fields). `rule("id")`
    renders the rule's title (never its id: the texts are for bidders); `law("ref")` the full citation
    in force on `day`, or nothing when none is.
    """
    from procurekit.documents.law import load_law
    from procurekit.documents.render import param_views, render_text
    from procurekit.documents.sandbox import helper

    check_clauses(ruleset, library)
    p = p if p is not None else param_views(ruleset.parameters, day, lang)
    titles = {r.id: r.title.get(lang) for r in ruleset.rules}
    statutes = load_law()

    @helper
    def rule(rule_id: str) -> str:
        return f"»{titles[rule_id]}«" if lang == "da" else f"“{titles[rule_id]}”"

    @helper
    def law(ref: str) -> str:
        return statutes.cite(ref, day, lang) or ""

    rule_ids = set(titles)
    out = []
    for number, clause in enumerate(clauses_for(ruleset, library), start=1):
        spec = clause.spec

        def text(value: Text, where: str, clause: Clause = clause) -> str:
            origin = f"{clause.path}:{where}"
            return " ".join(render_text(value.get(lang), lang, origin, p=p, rule=rule, law=law).split())

        paragraphs = tuple(
            text(Text(da=para.da, en=para.en), f"text[{i}]")
            for i, para in enumerate(spec.text)
            if para.when is None or para.when in rule_ids
        )
        out.append(RenderedClause(
            id=spec.id,
            number=number,
            title=text(spec.title, "title"),
            legal_basis=text(spec.legal_basis, "legal_basis"),
            requirement=text(spec.requirement, "requirement"),
            documentation=text(spec.documentation, "documentation"),
            paragraphs=paragraphs,
            rules=tuple((r.id, r.title.get(lang)) for r in ruleset.rules if r.clause == spec.id),
        ))
    return out


def point_numbers(ruleset: RuleSet, library: dict[str, Clause]) -> dict[tuple[str, int | None], str]:
    """The contract annex's point numbers: (clause id, None) → "2", (clause id, paragraph) → "2.2".

    The paragraph is the index in the clause file's `text` list; a paragraph the rule set leaves out
    (its `when` rule is missing) has no number. The numbers are those the kontraktbilag prints, so a
    report can cite "pkt. 2.2".
    """
    rule_ids = {r.id for r in ruleset.rules}
    out: dict[tuple[str, int | None], str] = {}
    for number, clause in enumerate(clauses_for(ruleset, library), start=1):
        out[(clause.id, None)] = str(number)
        shown = [i for i, para in enumerate(clause.spec.text) if para.when is None or para.when in rule_ids]
        for point, index in enumerate(shown, start=1):
            out[(clause.id, index)] = f"{number}.{point}"
    return out


def point_of(ruleset: RuleSet, clause_id: str, paragraph: int | None = None,
             library: dict[str, Clause] | None = None) -> str | None:
    """"pkt. 2.2" for a clause (and paragraph index) of the contract annex; None if it is not in it."""
    number = point_numbers(ruleset, library if library is not None else load_library()).get((clause_id, paragraph))
    return f"pkt. {number}" if number else None


def contract_point(
    ruleset: RuleSet,
    library: dict[str, Clause],
    clause_id: str,
    rule_id: str | None = None,
    paragraph: int | None = None,
) -> str | None:
    """The number of a point in the contract annex ("2.2"), as the kontraktbilag numbers it.

    The point is the paragraph that names `rule_id` in its `when`, else paragraph `paragraph` (0-based, as
    in the clause file), else the clause alone ("2"). None when the rule set's annex does not hold the
    clause (or the paragraph is left out). Numbers come from `point_numbers`, as the annex prints them.
    """
    numbers = point_numbers(ruleset, library)
    clause = library.get(clause_id)
    if rule_id is not None and clause is not None:
        for index, para in enumerate(clause.spec.text):
            if para.when == rule_id and (clause_id, index) in numbers:
                return numbers[(clause_id, index)]
    if paragraph is not None:
        return numbers.get((clause_id, paragraph))
    return numbers.get((clause_id, None))
