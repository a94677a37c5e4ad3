"""The tender pack: TENDER.yaml (what is not a rule) + the rule set + the clause library → documents.

Three documents, each a template in templates/: the conditions of tender (udbudsbetingelser) section on
the employment effort, the requirement specification (kravspecifikation) and the contract annex with
the social clause (kontraktbilag). Every number that belongs to the rule set comes from it, at the value
in force on the tender's publication date. The same pack gives the OCDS release and the eForms fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._charts import Chart
from ._clauses import RenderedClause, load_library, render_clauses
from ._docs import write_formats
from ._notice import AwardCriterion, Notice, eforms_fields, ocds_release
from ._render import Params, param_views, render
from ._rules import RuleSet, Text, load_ruleset, read_model, resolve_ref
from .errors import RuleFileError, RuleSetErrors, UnknownRuleSetError

DOCUMENTS = ("udbudsbetingelser", "kravspecifikation", "kontraktbilag")
DOCUMENT_FORMATS = ("docx", "pdf", "html", "md")
DATA_FORMATS = ("ocds", "eforms")

#: procedure → (Danish name, English name, OCDS procurementMethod)
PROCEDURES: dict[str, tuple[str, str, str]] = {
    "open": ("Offentligt udbud", "Open procedure", "open"),
    "restricted": ("Begrænset udbud", "Restricted procedure", "selective"),
    "negotiated": (
        "Udbud med forhandling (udbudsloven § 61)", "Competitive procedure with negotiation (§ 61)", "selective"
    ),
    "competitive-dialogue": ("Konkurrencepræget dialog", "Competitive dialogue", "selective"),
    "innovation-partnership": ("Innovationspartnerskab (udbudsloven §§ 73-79)",
                               "Innovation partnership (§§ 73-79)", "selective"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(_Strict):
    """The contracting authority."""

    name: str = Field(min_length=1)
    id: str | None = Field(None, description="an organisation identifier, e.g. DK-CVR-12345678")
    address: str | None = None
    contact: str | None = Field(None, description="who answers questions (e-mail or name)")


class ContractPeriod(_Strict):
    """The contract period and the options to extend it."""

    start: dt.date
    end: dt.date
    extension_months: int = Field(0, ge=0, description="total months the authority may extend by")

    @model_validator(mode="after")
    def _order(self) -> ContractPeriod:
        if self.end <= self.start:
            raise ValueError("contract.end must be after contract.start")
        return self

    @property
    def months(self) -> int:
        """Whole calendar months from start to end (inclusive of a partial last month)."""
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        return months + (1 if self.end.day >= self.start.day - 1 else 0)


class Criterion(_Strict):
    """An award criterion with its weight in percent."""

    name: Text
    weight: float = Field(gt=0, le=100)
    type: Literal["price", "quality", "cost"] = "quality"
    description: Text | None = None


class Deadlines(_Strict):
    """The deadlines of the procedure."""

    questions: dt.date | None = None
    tender: dt.datetime


class TenderFile(_Strict):
    """TENDER.yaml: everything about the tender that is not a rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: Text
    authority: Authority
    subject: Text
    procedure: Literal["open", "restricted", "negotiated", "competitive-dialogue", "innovation-partnership"]
    cpv: str = Field(pattern=r"^\d{8}-\d$", description="main CPV code, e.g. 90911200-8")
    estimated_value_dkk: float | None = Field(None, gt=0, description="estimated total value, DKK excl. VAT")
    contract: ContractPeriod
    published: dt.date = Field(description="publication date; parameters are taken as in force on it")
    deadlines: Deadlines
    award_criteria: list[Criterion] = Field(min_length=1)
    ruleset: str = Field(min_length=1, description="a bundled rule-set id or a path")

    @model_validator(mode="after")
    def _consistent(self) -> TenderFile:
        total = sum(c.weight for c in self.award_criteria)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"award_criteria weights add up to {total:g}, not 100")
        if self.deadlines.tender.date() <= self.published:
            raise ValueError("deadlines.tender must be after published")
        if self.deadlines.questions and not (self.published <= self.deadlines.questions
                                             <= self.deadlines.tender.date()):
            raise ValueError("deadlines.questions must lie between published and deadlines.tender")
        if self.contract.start <= self.deadlines.tender.date():
            raise ValueError("contract.start must be after deadlines.tender")
        return self


@dataclass(frozen=True)
class Tender:
    """A loaded tender: the file's contents, where it is, and its rule set."""

    spec: TenderFile
    path: Path
    ruleset: RuleSet


def load_tender(path: Path) -> Tender:
    """Read and check TENDER.yaml and its rule set; every problem one line with file:line."""
    spec, lines = read_model(path, TenderFile, "a tender file")
    try:
        ruleset_path = resolve_ref(spec.ruleset, base=path.parent)
    except UnknownRuleSetError as exc:
        raise RuleSetErrors([RuleFileError(path, lines.line_of(("ruleset",)), str(exc))]) from None
    ruleset = load_ruleset(ruleset_path)
    return Tender(spec, path, ruleset)


@dataclass(frozen=True)
class TraineeClause:
    """Whether udbudsloven § 176, stk. 2 (persons under training) applies, and the thresholds."""

    applies: bool | None  # None: the value is unknown
    min_value: str
    min_months: str


@dataclass(frozen=True)
class TenderPack:
    """What the tender templates see (typed; no loose dicts)."""

    tender: TenderFile
    ruleset: RuleSet
    lang: str
    p: Params
    clauses: list[RenderedClause]
    procedure: str
    contract_months: int
    trainee_clause: TraineeClause | None
    generator: str


def tender_pack(tender: Tender, lang: str, clauses_dir: Path | None = None) -> TenderPack:
    """The model of the tender documents in one language."""
    spec, rs = tender.spec, tender.ruleset
    day = spec.published
    library = load_library(clauses_dir)
    p = param_views(rs.parameters, day, lang)
    trainee = None
    if "trainee_clause_min_value_dkk" in rs.parameters and "trainee_clause_min_months" in rs.parameters:
        min_value = float(rs.parameters["trainee_clause_min_value_dkk"].at(day))  # type: ignore[arg-type]
        min_months = float(rs.parameters["trainee_clause_min_months"].at(day))  # type: ignore[arg-type]
        applies = None if spec.estimated_value_dkk is None else (
            spec.estimated_value_dkk >= min_value and spec.contract.months >= min_months
        )
        trainee = TraineeClause(applies, str(p["trainee_clause_min_value_dkk"]),
                                str(p["trainee_clause_min_months"]))
    names = PROCEDURES[spec.procedure]
    return TenderPack(
        tender=spec,
        ruleset=rs,
        lang=lang,
        p=p,
        clauses=render_clauses(rs, library, day, lang),
        procedure=names[1] if lang == "en" else names[0],
        contract_months=spec.contract.months,
        trainee_clause=trainee,
        generator=f"procurekit · {rs.id} {rs.version} · {rs.digest[:12]}",
    )


def tender_documents(
    tender: Tender, fmt: str, lang: str, templates_dir: Path | None = None, clauses_dir: Path | None = None
) -> dict[str, bytes]:
    """File name → content for every document of the pack in `fmt` (nothing is written here)."""
    pack = tender_pack(tender, lang, clauses_dir)
    suffix = "" if lang == "da" else ".en"
    charts: dict[str, Chart] = {}
    out: dict[str, bytes] = {}
    for name in DOCUMENTS:
        html = render(f"{name}.html.j2", lang, templates_dir, pack=pack, p=pack.p)
        out[f"{name}{suffix}.{fmt}"] = write_formats(html, fmt, lang=lang, charts=charts, day=tender.spec.published)
    return out


def notice(tender: Tender, clauses_dir: Path | None = None) -> Notice:
    """The OCDS/eForms view of the tender; clause texts in Danish and English from the rule set."""
    spec = tender.spec
    texts: dict[str, dict[str, str]] = {"social": {}, "terms": {}}
    for lang in ("da", "en"):
        pack = tender_pack(tender, lang, clauses_dir)
        specific = [c for c in pack.clauses if c.rules]
        texts["social"][lang] = " ".join(c.requirement for c in specific)
        texts["terms"][lang] = " ".join(f"{c.title}: {c.requirement}" for c in pack.clauses)
    return Notice(
        tender_id=spec.id,
        title=spec.title.da,
        description=spec.subject.da,
        buyer_name=spec.authority.name,
        buyer_id=spec.authority.id,
        cpv=spec.cpv,
        procedure=PROCEDURES[spec.procedure][2],
        procedure_details=PROCEDURES[spec.procedure][0],
        value_amount=spec.estimated_value_dkk,
        currency="DKK",
        contract_start=spec.contract.start,
        contract_end=spec.contract.end,
        tender_deadline=spec.deadlines.tender,
        published=spec.published,
        social_description=texts["social"],
        performance_terms=texts["terms"],
        award_criteria=tuple(AwardCriterion(c.name.da, c.weight, c.type) for c in spec.award_criteria),
    )


def notice_data(tender: Tender, fmt: str, clauses_dir: Path | None = None) -> dict[str, object]:
    """The OCDS release or the eForms fields of the tender."""
    n = notice(tender, clauses_dir)
    return ocds_release(n) if fmt == "ocds" else eforms_fields(n)
