"""The compliance report: the findings of `check`, for people.

A summary per rule in plain language, the participants needing action now (deadlines due, caps
approaching), the violations with the clause each breaches and the values that decided it, the
programme's key figures and three charts. Participants appear only by pseudonym (the dataset reader
refuses CPR-like input; the report shows nothing else about a person).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ._charts import Chart, Series, chart
from ._check import CheckResult, Finding
from ._clauses import load_library
from ._dataset import Dataset
from ._docs import write_formats
from ._facts import derive
from ._render import fmt_date, fmt_number, render
from ._rules import VERDICTS

FORMATS = ("html", "pdf", "docx", "md")
_RANK = {v: i for i, v in enumerate(VERDICTS)}  # violation first


@dataclass(frozen=True)
class RuleLine:
    """One rule's result: counts per verdict and its worst verdict (or why it was not evaluated)."""

    rule: str
    title: str
    clause: str
    counts: dict[str, int]
    status: str  # violation | warning | due | ok | none | not-evaluated
    note: str


@dataclass(frozen=True)
class Row:
    """One finding as a table row."""

    rule: str
    title: str
    subject: str
    verdict: str
    message: str
    values: str
    clause: str
    reference: str


@dataclass(frozen=True)
class KeyFigures:
    """The programme's key figures at the report date."""

    participants: int
    active: int
    left: int
    completed: int
    dropped_out: int
    met_requirements: int
    offered: int
    ordinary_jobs: int
    share_into_jobs: float | None  # ordinary jobs / participants who have left


@dataclass(frozen=True)
class Economy:
    """The business case of the same contract, when the report is given an assumptions file."""

    break_even: str
    total_cost: float
    total_savings: float
    basis: str
    assumptions: str


@dataclass(frozen=True)
class ReportModel:
    """What report.html.j2 sees."""

    contract_id: str
    municipality: str
    supplier: str
    ruleset_id: str
    ruleset_title: str
    ruleset_version: str
    as_of: dt.date
    engine: str
    lang: str
    rules: list[RuleLine]
    actions: list[Row]
    violations: list[Row]
    not_evaluated: list[tuple[str, str]]
    figures: KeyFigures
    charts: dict[str, Chart]
    generator: str
    economy: Economy | None = None


def _values_text(values: dict[str, Any], lang: str) -> str:
    parts = []
    for key, value in values.items():
        if isinstance(value, bool):
            shown = ("ja" if value else "nej") if lang == "da" else ("yes" if value else "no")
        elif isinstance(value, (int, float)):
            shown = fmt_number(value, lang)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                shown = fmt_date(dt.date.fromisoformat(value), lang)
            except ValueError:
                shown = value
        elif value is None:
            shown = "–"
        else:
            shown = str(value)
        parts.append(f"{key} = {shown}")
    return "; ".join(parts)


def key_figures(ds: Dataset, as_of: dt.date) -> KeyFigures:
    """Counts from the participants known at `as_of` (exits and offers after it are not yet known)."""
    people = [p for p in ds.participants if p.enrolled_on <= as_of]
    left = [p for p in people if p.left_on is not None and p.left_on <= as_of]
    completed = [p for p in left if p.exit_reason == "completed"]
    met = [p for p in completed if p.met_stability and p.met_efficiency and p.met_quality]
    offered = [p for p in left if p.job_offer_on is not None and p.job_offer_on <= as_of]
    ordinary = [p for p in offered if p.job_offer_terms == "ordinary"]
    return KeyFigures(
        participants=len(people),
        active=len(people) - len(left),
        left=len(left),
        completed=len(completed),
        dropped_out=sum(1 for p in left if p.exit_reason == "dropped_out"),
        met_requirements=len(met),
        offered=len(offered),
        ordinary_jobs=len(ordinary),
        share_into_jobs=len(ordinary) / len(left) if left else None,
    )


def _charts(result: CheckResult, figures: KeyFigures, lang: str) -> dict[str, Chart]:
    def t(da: str, en: str) -> str:
        return en if lang == "en" else da

    facts = derive(result.dataset, result.as_of)
    out: dict[str, Chart] = {}
    months = facts["month"]
    if months:
        labels = [str(f.values["month"]) for f in months]
        used = [float(f.values["places_in_use"]) for f in months]
        capacity = result.ruleset.parameters.get("training_places")
        limit = float(capacity.at(result.as_of)) if capacity is not None else None  # type: ignore[arg-type]
        out["places"] = chart(
            t("Pladser i brug pr. måned", "Places in use per month"), labels,
            [Series(t("Højst i brug samme dag", "Most in use on one day"), used, "step")],
            y_label=t("deltagere", "participants"), lang=lang, limit=limit,
            limit_label=t("Pladser efter regelsættet", "Places under the rule set"),
            alt=t("Det højeste antal deltagere med plads samme dag i hver måned, mod antallet af pladser.",
                  "The most participants holding a place on one day in each month, against the number of places."),
        )
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for f in facts["participant_month"]:
        bucket = totals[int(f.values["course_month"])]
        bucket[0] += float(f.values["paid_hours"])
        bucket[1] += float(f.values["total_hours"])
    if totals:
        course_months = sorted(m for m in totals if totals[m][1] > 0)
        shares = [totals[m][0] / totals[m][1] for m in course_months]
        out["paid_share"] = chart(
            t("Lønnede timers andel pr. forløbsmåned", "Paid share of hours per course month"),
            [str(m) for m in course_months],
            [Series(t("Andel lønnede timer", "Share of paid hours"), shares, "bar")],
            y_label=t("andel", "share"), lang=lang, percent=True,
            alt=t("Løntilskuds- og ordinære timer som andel af alle timer, for hver forløbsmåned.",
                  "Wage-subsidy and ordinary hours as a share of all hours, for each course month."),
        )
    steps = [
        (t("Optaget", "Enrolled"), figures.participants),
        (t("Afsluttet", "Left"), figures.left),
        (t("Gennemført", "Completed"), figures.completed),
        (t("Opfyldt krav", "Met requirements"), figures.met_requirements),
        (t("Jobtilbud", "Job offered"), figures.offered),
        (t("Ordinært job", "Ordinary job"), figures.ordinary_jobs),
    ]
    out["funnel"] = chart(
        t("Fra optagelse til ordinært job", "From enrolment to ordinary job"),
        [s[0] for s in steps], [Series(t("Deltagere", "Participants"), [s[1] for s in steps], "bar")],
        y_label=t("deltagere", "participants"), lang=lang,
        alt=t("Antal deltagere på hvert trin fra optagelse til ordinært job.",
              "Number of participants at each step from enrolment to an ordinary job."),
    )
    return out


def report_model(result: CheckResult, clauses_dir: Path | None = None) -> ReportModel:
    """Build the report's model from a check (run with every finding, ok included)."""
    lang = result.lang
    rs = result.ruleset
    library = load_library(clauses_dir)
    clause_titles = {cid: c.spec.title.get(lang) for cid, c in library.items()}
    titles = {r.id: r.title.get(lang) for r in rs.rules}
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for f in result.findings:
        by_rule[f.rule][f.verdict] += 1
    skipped = {n.rule: n.reason for n in result.not_evaluated if n.subject is None}
    lines = []
    for r in rs.rules:
        counts = {v: by_rule[r.id].get(v, 0) for v in VERDICTS}
        if r.id in skipped:
            status, note = "not-evaluated", skipped[r.id]
        else:
            status = next((v for v in VERDICTS if counts[v]), "none")
            note = ""
        lines.append(RuleLine(r.id, titles[r.id], clause_titles.get(r.clause, r.clause), counts, status, note))

    def row(f: Finding) -> Row:
        return Row(f.rule, titles.get(f.rule, f.rule), f.subject, f.verdict, f.message,
                   _values_text(f.values, lang), clause_titles.get(f.clause, f.clause), f.reference)

    ordered = sorted(result.findings, key=lambda f: (_RANK[f.verdict], f.rule, f.subject))
    figures = key_figures(result.dataset, result.as_of)
    c = result.dataset.contract
    return ReportModel(
        contract_id=c.contract_id,
        municipality=c.municipality,
        supplier=c.supplier,
        ruleset_id=rs.id,
        ruleset_title=rs.title.get(lang),
        ruleset_version=rs.version,
        as_of=result.as_of,
        engine=result.engine,
        lang=lang,
        rules=lines,
        actions=[row(f) for f in ordered if f.verdict in ("warning", "due")],
        violations=[row(f) for f in ordered if f.verdict == "violation"],
        not_evaluated=[(n.rule, n.reason) for n in result.not_evaluated],
        figures=figures,
        charts=_charts(result, figures, lang),
        generator=f"procurekit · {rs.id} {rs.version} · {rs.digest[:12]}",
    )


def _economy(result: CheckResult, assumptions: Path) -> tuple[Economy, Chart]:
    from ._business import business_case, load_assumptions
    from ._business_output import break_even_text, cumulative_chart

    case = business_case(load_assumptions(assumptions), result.dataset)
    economy = Economy(
        break_even=break_even_text(case, result.lang),
        total_cost=case.total_cost,
        total_savings=case.total_savings,
        basis=f"{case.start} – {case.end}",
        assumptions=assumptions.name,
    )
    return economy, cumulative_chart(case, result.lang)


def report_document(
    result: CheckResult,
    fmt: str,
    templates_dir: Path | None = None,
    clauses_dir: Path | None = None,
    assumptions: Path | None = None,
    appendix: tuple[str, dict[str, Chart]] | None = None,
) -> bytes:
    """The compliance report in `fmt` (html, pdf, docx or md); with `assumptions`, the business case too.

    `appendix` is (HTML in the documented subset, its charts by `data-chart` name): sections added at the
    end of the report (the contract ledger's history uses it).
    """
    model = report_model(result, clauses_dir)
    if assumptions is not None:
        economy, cumulative = _economy(result, assumptions)
        model = replace(model, economy=economy, charts={**model.charts, "business": cumulative})
    html = render("report.html.j2", result.lang, templates_dir, report=model)
    charts = model.charts
    if appendix is not None:
        extra, extra_charts = appendix
        cut = html.rindex("</body>")
        html = html[:cut] + extra + html[cut:]
        charts = {**charts, **extra_charts}
    return write_formats(html, fmt, lang=result.lang, charts=charts, day=result.as_of)
