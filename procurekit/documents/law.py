"""Dated legal references: which act and paragraph a document may cite on a given day.

`rules/law/dk.yaml` lists the acts (name, number and date, the window in which that version applies)
and the references documents ask for (`law("udbl-176")`). A reference is resolved against the tender's
publication date: the first entry whose own window and whose act's window both hold the day wins; when
none does, the reference is not in force and a document leaves it out. The same file holds the minimum
periods of the procedure and the thresholds of the mandatory trainee requirement (udbudsloven § 176,
stk. 2), each with its source. Sources and notes are internal; documents only get the citation.
"""

from __future__ import annotations

import datetime as dt
import functools

from pydantic import BaseModel, ConfigDict, Field

from procurekit.errors import RuleFileError, RuleSetErrors
from procurekit.files import data_dir
from procurekit.ruleset.load import Text, read_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Act(_Strict):
    """One version of an act (or a convention), cited by name and number."""

    name: Text
    number: Text | None = None
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    source: str
    note: str | None = None

    def holds(self, day: dt.date) -> bool:
        """Whether this version applies on `day`."""
        return self.from_ <= day and (self.to is None or day <= self.to)


class Reference(_Strict):
    """A reference a document may ask for; several with the same `ref` are alternatives in order."""

    ref: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    act: str | None = None
    section: str = ""
    text: Text | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    source: str | None = None


class OpenPeriod(_Strict):
    """Minimum days for receipt of tenders in an open procedure."""

    days: int = Field(gt=0)
    electronic_reduction: int = Field(ge=0)
    with_prior_information_notice: int = Field(gt=0)
    ref: Text
    source: str


class PinWindow(_Strict):
    """When a prior information notice must have been sent to shorten the period."""

    min_days_before: int = Field(gt=0)
    max_months_before: int = Field(gt=0)
    source: str


class AnswersRule(_Strict):
    """Answers to questions must be given at least this many full days before the tender deadline."""

    full_days_before_deadline: int = Field(gt=0)
    ref: Text
    source: str


class MinimumPeriods(_Strict):
    open: OpenPeriod
    prior_information_notice: PinWindow
    answers: AnswersRule


class TraineeRequirement(_Strict):
    """The mandatory requirement to use persons in training and its thresholds for services."""

    ref: str
    services_min_value_dkk: float = Field(gt=0)
    services_min_months: int = Field(gt=0)
    source: str


class Period(_Strict):
    """A period the documents state, in calendar days, and the reference that sets it."""

    days: int = Field(gt=0)
    ref: str
    source: str


class LawFile(_Strict):
    """rules/law/dk.yaml."""

    acts: dict[str, Act]
    references: list[Reference]
    minimum_periods: MinimumPeriods
    trainee_requirement: TraineeRequirement
    periods: dict[str, Period]

    def holds(self, entry: Reference, day: dt.date) -> bool:
        """Whether `entry` (its own window and its act's) is in force on `day`."""
        if entry.from_ is not None and day < entry.from_:
            return False
        if entry.to is not None and day > entry.to:
            return False
        return entry.act is None or self.acts[entry.act].holds(day)

    def refs(self) -> set[str]:
        """Every reference id."""
        return {r.ref for r in self.references}

    def citation(self, entry: Reference, lang: str) -> str:
        """The full citation of one entry: "udbudsloven § 176 (lov nr. 1564 af 15. december 2015 …)"."""
        if entry.act is None:
            return entry.text.get(lang) if entry.text is not None else ""
        act = self.acts[entry.act]
        head = " ".join(part for part in (act.name.get(lang), entry.section) if part)
        return f"{head} ({act.number.get(lang)})" if act.number is not None else head

    def cite(self, ref: str, day: dt.date, lang: str) -> str | None:
        """The citation of `ref` in force on `day`, or None when no version of it is."""
        for entry in self.references:
            if entry.ref == ref and self.holds(entry, day):
                return self.citation(entry, lang)
        return None


@functools.lru_cache(maxsize=1)
def load_law() -> LawFile:
    """The bundled dated legal references (checked on load; a broken file is a one-line error)."""
    path = data_dir("rules") / "law" / "dk.yaml"
    law, lines = read_model(path, LawFile, "a law file")
    errors = [RuleFileError(path, lines.line_of(("references", i, "act")),
                            f"references.{i}.act: '{entry.act}' is not an act of the file")
              for i, entry in enumerate(law.references) if entry.act is not None and entry.act not in law.acts]
    errors += [RuleFileError(path, lines.line_of(("periods", name, "ref")), f"periods.{name}.ref: unknown reference")
               for name, period in law.periods.items() if period.ref not in law.refs()]
    if law.trainee_requirement.ref not in law.refs():
        errors.append(RuleFileError(path, lines.line_of(("trainee_requirement", "ref")),
                                    "trainee_requirement.ref: unknown reference"))
    if errors:
        raise RuleSetErrors(errors)
    return law
