"""The rule-set file models (what a YAML file may hold) and the resolved objects (`RuleSet`, `Rule`,
`Parameter`) every other module uses; `ruleset/load.py` turns the first into the second."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.errors import RuleFileError, RuleSetErrors
from procurekit.ruleset.subjects import Source
from procurekit.yamlio import LineMap, load_mapping, model_errors

Verdict = Literal["violation", "warning", "due", "ok"]
VERDICTS: tuple[str, ...] = ("violation", "warning", "due", "ok")
Scalar = Union[bool, int, float, str, dt.date]
RULE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")



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
            if not re.match(NAME_PATTERN, name):
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
        return scalar_type(self.values[-1][1])

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

    def fill(self, text: str, day: dt.date, lang: str = "da") -> str:
        """`text` (a reference or a source) with each `{parameter}` replaced by its value with unit in force
        on `day`, as the documents write it (`{max_course_months}` → "18 måneder")."""
        def value(match: re.Match[str]) -> str:
            param = self.parameters.get(match.group(1))
            return match.group(0) if param is None else l10n.quantity(param.at(day), param.unit, lang)

        return PLACEHOLDER.sub(value, text)

    def reference(self, rule: Rule, day: dt.date, lang: str = "da") -> str:
        """The rule's legal reference with the parameter values in force on `day` filled in (references are
        Danish citations, so Danish by default)."""
        return self.fill(rule.reference, day, lang)

    def source(self, param: Parameter, day: dt.date, lang: str = "en") -> str:
        """The parameter's source with the parameter values in force on `day` filled in (sources are written
        in English around their Danish quotations, so English by default)."""
        return self.fill(param.source, day, lang)


def scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return ex.BOOL
    if isinstance(value, (int, float, Decimal)):
        return ex.NUMBER
    if isinstance(value, dt.date):
        return ex.DATE
    return ex.STRING


_M = TypeVar("_M", bound=BaseModel)


def read_model(path: Path, model: type[_M], what: str) -> tuple[_M, LineMap]:
    """Load a YAML file into a pydantic model.

    Raises:
        RuleSetErrors: every problem, one per line with file and line (`what` names the file's kind).
    """
    try:
        data, lines = load_mapping(path, f"{what} must be a mapping")
    except RuleFileError as exc:
        raise RuleSetErrors([exc]) from None
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise RuleSetErrors(pydantic_errors(path, lines, exc)) from None


def without_bad_rules(
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
    return [RuleFileError(path, line, f"{where}: {message}") for line, where, message in model_errors(lines, exc)]
