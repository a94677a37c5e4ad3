"""The tender pack: TENDER.yaml (what is not a rule) + the rule set + the clause library → documents.

Three documents, each a template in templates/: the conditions of tender (udbudsbetingelser) section on
the employment effort, the requirement specification (kravspecifikation) and the contract annex with
the social clause (kontraktbilag). Every number that belongs to the rule set comes from it, at the value
in force on the tender's publication date. The same pack gives the OCDS release and the eForms fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from procurekit import l10n
from procurekit.documents.charts import Chart
from procurekit.documents.clauses import RenderedClause, load_library, render_clauses
from procurekit.documents.formats import write_formats
from procurekit.documents.law import load_law
from procurekit.documents.notice import AwardCriterion, Notice, eforms_fields, ocds_release
from procurekit.documents.render import Params, ParamView, render
from procurekit.documents.tender_checks import confirm_errors, timetable_errors
from procurekit.documents.tender_file import TenderFile
from procurekit.errors import RuleFileError, RuleSetErrors, UnknownRuleSetError
from procurekit.evaluation.engines import load_checked_ruleset
from procurekit.months import add_months
from procurekit.ruleset.load import RuleSet, read_model, resolve_ref

DOCUMENTS = ("udbudsbetingelser", "kravspecifikation", "kontraktbilag")

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


@dataclass(frozen=True)
class Tender:
    """A loaded tender: the file's contents, where it is, and its rule set."""

    spec: TenderFile
    path: Path
    ruleset: RuleSet


#: Confidence tags whose values are not binding until the authority confirms them (docs/sources.md: L and
#: NOT CONFIRMED are to be checked; `user` is the authority's own choice).
UNCONFIRMED = ("NOT CONFIRMED", "L", "user")

#: Values the tender needs that no rule set holds: (unit, Danish label, English label).
TENDER_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "trainee_positions": ("persons", "antal personer under uddannelse ved kontraktens udførelse",
                          "number of persons in training used to perform the contract"),
}


def load_tender(path: Path) -> Tender:
    """Read and check TENDER.yaml and its rule set; every problem one line with file:line."""
    spec, lines = read_model(path, TenderFile, "a tender file")
    try:
        ruleset_path = resolve_ref(spec.ruleset, base=path.parent)
    except UnknownRuleSetError as exc:
        raise RuleSetErrors([RuleFileError(path, lines.line_of(("ruleset",)), str(exc))]) from None
    ruleset = load_checked_ruleset(ruleset_path)
    errors = timetable_errors(spec, path, lines) + confirm_errors(
        spec, path, lines, ruleset, dict.fromkeys(TENDER_PARAMETERS)
    )
    if errors:
        raise RuleSetErrors(errors)
    return Tender(spec, path, ruleset)


@dataclass(frozen=True)
class FillIn:
    """A value the documents show as a field for the authority to fill in."""

    name: str
    label: str  # Danish
    label_en: str
    source: str

    def text(self, lang: str) -> str:
        """The field as a document in `lang` shows it."""
        return fill_text(self.label_en if lang == "en" else self.label, lang)


@dataclass(frozen=True)
class TraineeClause:
    """Udbudsloven § 176, stk. 2 (persons in training): in force on the day, and whether it applies."""

    applies: bool
    citation: str
    min_value: str
    min_months: str


def _label(description: str) -> str:
    head = re.split(r"(?<!-), ", description)[0].strip().rstrip(".")
    return head[:1].lower() + head[1:]


def fill_text(label: str, lang: str) -> str:
    """The visible field a document shows instead of an unconfirmed value."""
    return f"[udfyldes af ordregiver: {label}]" if lang == "da" else f"[to be completed by the authority: {label}]"


def pack_params(tender: Tender, lang: str) -> tuple[Params, dict[str, FillIn]]:
    """Parameter views for the documents: confirmed values, rule-set values, or fill-in fields."""
    spec, day = tender.spec, tender.spec.published
    views: dict[str, ParamView] = {}
    fills: dict[str, FillIn] = {}
    for name, param in tender.ruleset.parameters.items():
        if name in spec.confirm:
            views[name] = ParamView(name, spec.confirm[name].value, param.unit, lang)
        elif param.confidence in UNCONFIRMED:
            da = param.label.da if param.label else _label(param.description)
            fill = FillIn(name, da, param.label.en if param.label else da, tender.ruleset.source(param, day))
            fills[name] = fill
            views[name] = ParamView(name, param.at(day), param.unit, lang, fill=fill.text(lang))
        else:
            views[name] = ParamView(name, param.at(day), param.unit, lang)
    for name, (unit, da, en) in TENDER_PARAMETERS.items():
        if name in spec.confirm:
            views[name] = ParamView(name, spec.confirm[name].value, unit, lang)
        else:
            fills[name] = FillIn(name, da, en, "the tender (no rule set holds it)")
            views[name] = ParamView(name, None, unit, lang, fill=fills[name].text(lang))
    return Params(views), fills


def trainee_clause(spec: TenderFile, p: Params, lang: str) -> TraineeClause | None:
    """The trainee requirement when it is in force on the publication date; None before."""
    rule = load_law().trainee_requirement
    citation = load_law().cite(rule.ref, spec.published, lang)
    if citation is None:
        return None
    applies = (spec.estimated_value_dkk or 0) >= rule.services_min_value_dkk and (
        spec.contract.months >= rule.services_min_months)
    return TraineeClause(applies, citation, l10n.money(rule.services_min_value_dkk, lang),
                         l10n.quantity(rule.services_min_months, "months", lang))


@dataclass(frozen=True)
class TenderPack:
    """What the tender templates see."""

    tender: TenderFile
    ruleset: RuleSet
    lang: str
    p: Params
    clauses: list[RenderedClause]
    procedure: str
    contract_months: int
    trainee_clause: TraineeClause | None
    law: dict[str, str]  # reference id → full citation in force on the publication date ("" if none)
    documents: list[tuple[str, str]]  # (annex number, title) of the tender documents
    buyer_id: str
    validity_until: dt.date
    answers_days: int
    periods: dict[str, int]  # statutory periods in days (standstill, complaints)
    suitability: list[str]
    trainee_point: str  # the contract annex's point number of the trainee requirement
    spec_toc: list[tuple[str, str]]  # (number, title) of the requirement specification's sections
    annex_toc: list[tuple[str, str]]  # (number, title) of the contract annex's points
    generator: str  # internal note only


def _documents(lang: str) -> list[tuple[str, str]]:
    names = {
        "da": [("", "Udbudsbetingelser (dette dokument)"), ("Bilag 1", "Kontraktudkast"),
               ("Bilag 2", "Kravspecifikation – social klausul om beskæftigelse (kontraktbilag 1)"),
               ("Bilag 3", "Kontraktbilag 2 – social klausul om beskæftigelse"),
               ("Bilag 4", "Tilbudsliste"), ("Bilag 5", "ESPD (det fælles europæiske udbudsdokument)")],
        "en": [("", "Conditions of tender (this document)"), ("Annex 1", "Draft contract"),
               ("Annex 2", "Requirement specification – social clause on employment (contract annex 1)"),
               ("Annex 3", "Contract annex 2 – social clause on employment"),
               ("Annex 4", "Price schedule"), ("Annex 5", "ESPD (European Single Procurement Document)")],
    }
    return names["en" if lang == "en" else "da"]


def tender_pack(tender: Tender, lang: str, clauses_dir: Path | None = None) -> TenderPack:
    """The model of the tender documents in one language."""
    spec, rs = tender.spec, tender.ruleset
    day = spec.published
    library = load_library(clauses_dir)
    p, _ = pack_params(tender, lang)
    law = load_law()
    names = PROCEDURES[spec.procedure]
    clauses = render_clauses(rs, library, day, lang, p=p)
    trainee = trainee_clause(spec, p, lang)
    annex_toc = [(str(c.number), c.title) for c in clauses]
    if trainee is not None and trainee.applies:
        title = "Personer under uddannelse" if lang == "da" else "Persons in training"
        annex_toc.append((str(len(clauses) + 1), title))
    annex_toc.append((str(len(annex_toc) + 1), "Underskrifter" if lang == "da" else "Signatures"))
    return TenderPack(
        tender=spec,
        ruleset=rs,
        lang=lang,
        p=p,
        clauses=clauses,
        procedure=names[1] if lang == "en" else names[0],
        contract_months=spec.contract.months,
        trainee_clause=trainee,
        law={ref: law.cite(ref, day, lang) or "" for ref in sorted(law.refs())},
        documents=_documents(lang),
        buyer_id=spec.authority.org_id,
        validity_until=add_months(spec.deadlines.tender.date(), spec.validity_months),
        answers_days=law.minimum_periods.answers.full_days_before_deadline,
        periods={name: period.days for name, period in law.periods.items()},
        suitability=[s.get(lang) for s in spec.suitability],
        trainee_point=str(len(clauses) + 1),
        spec_toc=[("1", "Indledning" if lang == "da" else "Introduction"),
                  *((str(i), c.title) for i, c in enumerate(clauses, start=2))],
        annex_toc=annex_toc,
        generator=f"procurekit · {rs.id} {rs.version} · {rs.digest[:12]}",
    )


@dataclass(frozen=True)
class Pack:
    """The rendered pack: bidder-facing files, the internal note, and the fill-in fields left open."""

    files: dict[str, bytes]
    internal: dict[str, bytes]
    fill_ins: list[FillIn]


def build_pack(
    tender: Tender, fmt: str, lang: str, templates_dir: Path | None = None, clauses_dir: Path | None = None
) -> Pack:
    """Every document of the pack in `fmt` and the internal note (nothing is written here)."""
    pack = tender_pack(tender, lang, clauses_dir)
    _, fills = pack_params(tender, lang)
    suffix = "" if lang == "da" else ".en"
    charts: dict[str, Chart] = {}
    files: dict[str, bytes] = {}
    shown: set[str] = set()
    author = tender.spec.authority.name
    for name in DOCUMENTS:
        html = render(f"{name}.html.j2", lang, templates_dir, pack=pack, p=pack.p)
        shown |= {k for k, f in fills.items() if f.text(lang) in html}
        files[f"{name}{suffix}.{fmt}"] = write_formats(html, fmt, lang=lang, charts=charts,
                                                       day=tender.spec.published, author=author)
    used = [fills[k] for k in fills if k in shown]
    html = render("intern-notat.html.j2", lang, templates_dir, pack=pack, p=pack.p, fill_ins=used,
                  parameters=_parameter_rows(tender, lang), references=_law_rows(tender.spec.published, lang),
                  rules=[(r.id, r.title.get(lang), r.clause) for r in tender.ruleset.rules])
    internal = {f"intern-notat{suffix}.{fmt}": write_formats(html, fmt, lang=lang, charts=charts,
                                                             day=tender.spec.published, author=author)}
    return Pack(files, internal, used)


def fill_ins_shown(tender: Tender, text: str) -> list[FillIn]:
    """The fill-in fields (in either language) that occur in `text`, e.g. a notice's JSON."""
    _, fills = pack_params(tender, "da")
    return [f for name, f in fills.items()
            if f.text("da") in text or f.text("en") in text]


def _parameter_rows(tender: Tender, lang: str) -> list[dict[str, str]]:
    """Every parameter for the internal note: value, confidence, source, and how the documents show it."""
    day, confirm = tender.spec.published, tender.spec.confirm
    rows = []
    for name, param in tender.ruleset.parameters.items():
        value = confirm[name].value if name in confirm else param.at(day)
        status = ("confirmed: " + confirm[name].source if name in confirm else
                  "fill-in field" if param.confidence in UNCONFIRMED else "binding")
        source = " ".join(tender.ruleset.source(param, day).split())
        rows.append({"name": name, "value": l10n.quantity(value, param.unit, lang),
                     "confidence": param.confidence or "", "source": source,
                     "status": status})
    return rows


def _law_rows(day: dt.date, lang: str) -> list[dict[str, str]]:
    """Every dated reference for the internal note, with its window and whether the documents cite it."""
    law = load_law()
    rows = []
    for r in law.references:
        act = law.acts[r.act] if r.act else None
        start = r.from_ or (act.from_ if act else None)
        end = r.to or (act.to if act else None)
        rows.append({"ref": r.ref, "citation": law.citation(r, lang), "from": str(start or ""),
                     "to": str(end or ""), "cited": "ja" if law.holds(r, day) and
                     law.cite(r.ref, day, lang) == law.citation(r, lang) else ""})
    return rows


def tender_documents(
    tender: Tender, fmt: str, lang: str, templates_dir: Path | None = None, clauses_dir: Path | None = None
) -> dict[str, bytes]:
    """File name → content for every bidder-facing document of the pack in `fmt`."""
    return build_pack(tender, fmt, lang, templates_dir, clauses_dir).files


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
        buyer_id=spec.authority.org_id,
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
