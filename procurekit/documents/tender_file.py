"""TENDER.yaml as a model: everything about a tender that is not a rule (the authority, timetable, criteria)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from procurekit.months import months_between
from procurekit.ruleset.load import Scalar, Text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    """Who answers questions for the contracting authority."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None


class Authority(_Strict):
    """The contracting authority."""

    name: str = Field(min_length=1)
    cvr: str = Field(pattern=r"^\d{8}$", description="CVR number, 8 digits")
    address: str = Field(min_length=1, description="street, postcode and town")
    contact: Contact
    id: str | None = Field(None, description="an organisation identifier; default DK-CVR-<cvr>")
    web: str | None = None

    @property
    def org_id(self) -> str:
        """The identifier for notices."""
        return self.id or f"DK-CVR-{self.cvr}"


class ContractPeriod(_Strict):
    """The contract period and the options to extend it."""

    start: dt.date
    end: dt.date
    extension_months: int = Field(0, ge=0, description="total months the authority may extend by")
    options: Text | None = Field(None, description="other options (services the authority may add)")

    @model_validator(mode="after")
    def _order(self) -> ContractPeriod:
        if self.end <= self.start:
            raise ValueError("contract.end must be after contract.start")
        return self

    @property
    def months(self) -> int:
        """Whole calendar months from start to end (inclusive of a partial last month)."""
        months = months_between(self.start, self.end)
        return months + (1 if self.end.day >= self.start.day - 1 else 0)


class SubCriterion(_Strict):
    """A sub-criterion of a quality criterion, weighted within it (percent)."""

    name: Text
    weight: float = Field(gt=0, le=100)
    description: Text


class Criterion(_Strict):
    """An award criterion with its weight in percent."""

    name: Text
    weight: float = Field(gt=0, le=100)
    type: Literal["price", "quality", "cost"] = "quality"
    description: Text | None = None
    sub_criteria: list[SubCriterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _described(self) -> Criterion:
        if self.type != "price" and self.description is None:
            raise ValueError("a quality or cost criterion needs a description of what is evaluated")
        if self.sub_criteria:
            total = sum(s.weight for s in self.sub_criteria)
            if abs(total - 100) > 1e-9:
                raise ValueError(f"sub_criteria weights add up to {total:g}, not 100")
        return self


class ScaleStep(_Strict):
    """One step of the scoring scale for quality criteria."""

    points: int = Field(ge=0)
    text: Text


class Evaluation(_Strict):
    """The evaluation model: points scale and price model."""

    max_points: int = Field(gt=0, le=100)
    price_zero_factor: float = Field(gt=1, le=10, description="a price this many times the lowest gets 0 points")
    scale: list[ScaleStep] = Field(min_length=2)


class Deadlines(_Strict):
    """The timetable of the procedure."""

    prior_information_notice: dt.date | None = Field(None, description="day a prior information notice was sent")
    questions: dt.date
    answers: dt.date = Field(description="last day the authority answers questions")
    tender: dt.datetime
    award: dt.date | None = Field(None, description="expected award decision")
    signing: dt.date | None = Field(None, description="expected contract signing")


class Submission(_Strict):
    """How tenders are submitted."""

    system: str = Field(min_length=1, description="the e-tendering system")
    url: str | None = None
    electronic: bool = True


class Confirmation(_Strict):
    """A value the authority has decided, with where it was decided."""

    value: Scalar
    source: str = Field(min_length=3, description="e.g. the council decision")


class TenderFile(_Strict):
    """TENDER.yaml: everything about the tender that is not a rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: Text
    authority: Authority
    subject: Text
    procedure: Literal["open", "restricted", "negotiated", "competitive-dialogue", "innovation-partnership"]
    cpv: str = Field(pattern=r"^\d{8}-\d$", description="main CPV code, e.g. 90911200-8")
    estimated_value_dkk: float = Field(gt=0, description="estimated total value, DKK excl. VAT, options included")
    contract: ContractPeriod
    published: dt.date = Field(description="publication date; parameters are taken as in force on it")
    deadlines: Deadlines
    submission: Submission
    validity_months: int = Field(ge=1, le=24, description="months a tender stays binding after the deadline")
    alternative_tenders: bool = False
    suitability: list[Text] = Field(default_factory=list, description="minimum suitability requirements")
    award_criteria: list[Criterion] = Field(min_length=1)
    evaluation: Evaluation
    confirm: dict[str, Confirmation] = Field(default_factory=dict)
    ruleset: str = Field(min_length=1, description="a bundled rule-set id or a path")

    @field_validator("award_criteria")
    @classmethod
    def _weights(cls, value: list[Criterion]) -> list[Criterion]:
        total = sum(c.weight for c in value)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"weights add up to {total:g}, not 100")
        return value
