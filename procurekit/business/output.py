"""The business case for people (text, HTML) and programs (JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procurekit import l10n
from procurekit.business.model import BusinessCase
from procurekit.documents.charts import Chart, Series, chart
from procurekit.documents.render import render


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def break_even_text(case: BusinessCase, lang: str) -> str:
    """The break-even month in words."""
    if case.break_even is None:
        return _t(lang, f"ikke inden for perioden ({len(case.months)} måneder)",
                  f"not within the horizon ({len(case.months)} months)")
    when = l10n.month(case.break_even_month, lang)
    return _t(lang, f"måned {case.break_even} ({when})", f"month {case.break_even} ({when})")


def assumed_notes(case: BusinessCase, lang: str) -> list[str]:
    """What the computation assumes, in plain words."""
    notes = [
        _t(lang, "Uden forløbet var deltagerne blevet på kontanthjælp i hele perioden (ingen dødvægt).",
           "Without the programme the participants would have stayed on kontanthjælp for the whole horizon "
           "(no deadweight)."),
        _t(lang, "Et job på ordinære vilkår varer perioden ud; job med løntilskud eller fleksjob giver ingen "
                 "besparelse her.",
           "A job on ordinary terms lasts to the end of the horizon; subsidised jobs and flexjobs save nothing "
           "here."),
        _t(lang, "Besparelser regnes med kommunens andel efter statsrefusion (refusionstrappen). Skat, "
                 "bloktilskud og sparet sagsbehandling er ikke medregnet.",
           "Savings are counted at the municipality's share after state reimbursement (the refusion steps). "
           "Tax, block grants and saved case handling are left out."),
        _t(lang, "Mellem to kendte satser gælder den seneste kendte sats.",
           "Between two known rates the latest known rate applies."),
    ]
    if case.basis == "dataset":
        notes.append(_t(lang, "Forløb, afgange og jobtilbud er fra datasættet; et ordinært jobtilbud regnes som "
                              "job fra dagen efter forløbets afslutning.",
                        "Courses, exits and job offers are from the dataset; an ordinary job offer counts as a "
                        "job from the day after the course ended."))
    else:
        notes.append(_t(lang, "Optag, gennemførelse, job og forløbslængder er antagne satser, ikke data.",
                        "Intake, completion, jobs and course lengths are assumed rates, not data."))
    if case.hours_assumed:
        notes.append(_t(lang, "Timer under forløbet er antagne gennemsnit.",
                        "Hours during the course are assumed averages."))
    if case.grid.base_job_share is None or case.grid.base_job_share == 0:
        notes.append(_t(lang, "Ingen deltagere i job: følsomheden for jobandelen kan ikke beregnes.",
                        "No participant in a job: the sensitivity to the job share cannot be computed."))
    return notes


def _r(value: float) -> float:
    return round(value, 2) + 0.0


def business_case_json(case: BusinessCase, lang: str = "da") -> dict[str, Any]:
    """The documented JSON document of a business case."""
    return {
        "title": case.title,
        "basis": case.basis,
        "contract": case.contract_id,
        "assumptions": case.assumptions_path,
        "start": case.start,
        "end": case.end,
        "programme_months": case.programme_months,
        "horizon_months": len(case.months),
        "summary": {
            "participants": _r(case.participants),
            "left": _r(case.left),
            "into_jobs": _r(case.into_jobs),
            "job_share": None if case.job_share is None else round(case.job_share, 4),
            "total_cost": _r(case.total_cost),
            "total_savings": _r(case.total_savings),
            "net": _r(case.total_savings - case.total_cost),
            "break_even_month": case.break_even,
            "break_even": case.break_even_month,
        },
        "months": [
            {
                "month": m.month, "n": m.n, "places_in_use": _r(m.places_in_use), "enrolled": _r(m.enrolled),
                "left": _r(m.left), "in_jobs": _r(m.in_jobs),
                "cost": {"places": _r(m.cost_places), "mentors": _r(m.cost_mentors),
                         "wage_subsidies": _r(m.cost_wage_subsidies), "fixed": _r(m.cost_fixed),
                         "total": _r(m.cost)},
                "savings": {"in_course": _r(m.savings_in_course), "in_jobs": _r(m.savings_in_jobs),
                            "total": _r(m.savings)},
                "cumulative_cost": _r(m.cumulative_cost),
                "cumulative_savings": _r(m.cumulative_savings),
            }
            for m in case.months
        ],
        "sensitivity": {
            "base_price": _r(case.grid.base_price),
            "base_job_share": None if case.grid.base_job_share is None else round(case.grid.base_job_share, 4),
            "prices": [_r(p) for p in case.grid.prices],
            "job_shares": list(case.grid.job_shares),
            "break_even_month": [list(row) for row in case.grid.break_even],
        },
        "inputs": [{"name": i.name, "value": i.value, "source": i.source} for i in case.inputs],
        "assumed": assumed_notes(case, lang),
    }


def business_case_text(case: BusinessCase, lang: str = "da") -> str:
    """A readable business case: summary, month table and sensitivity grid."""
    n = lambda v: l10n.number(round(v), lang)  # noqa: E731
    basis = case.contract_id or _t(lang, "antagne satser", "assumed rates")
    lines = [
        f"{case.title}",
        f"{_t(lang, 'Grundlag', 'Basis')}: {basis} · {case.start} – {case.end} ({len(case.months)} "
        f"{_t(lang, 'måneder', 'months')})",
        f"{_t(lang, 'Break-even', 'Break-even')}: {break_even_text(case, lang)}",
        f"{_t(lang, 'Deltagere', 'Participants')} {l10n.number(round(case.participants, 1), lang)} · "
        f"{_t(lang, 'afsluttet', 'left')} {l10n.number(round(case.left, 1), lang)} · "
        f"{_t(lang, 'i ordinært job', 'into ordinary jobs')} {l10n.number(round(case.into_jobs, 1), lang)}"
        + (f" ({l10n.percent(case.job_share, lang)} {_t(lang, 'af de afsluttede', 'of those who left')})"
           if case.job_share is not None else "")
        + f" · {_t(lang, 'udgifter', 'cost')} {l10n.money(case.total_cost, lang)} · "
        f"{_t(lang, 'besparelser', 'savings')} {l10n.money(case.total_savings, lang)} · "
        f"{_t(lang, 'netto', 'net')} {l10n.money(case.total_savings - case.total_cost, lang)}",
        "",
    ]
    head = [_t(lang, "måned", "month"), _t(lang, "pladser", "places"), _t(lang, "i job", "in jobs"),
            _t(lang, "udgifter", "cost"), _t(lang, "besparelser", "savings"), _t(lang, "akk. udgifter", "cum. cost"),
            _t(lang, "akk. besparelser", "cum. savings")]
    rows = [[m.month, l10n.number(round(m.places_in_use, 1), lang), l10n.number(round(m.in_jobs, 1), lang),
             n(m.cost), n(m.savings), n(m.cumulative_cost), n(m.cumulative_savings)] for m in case.months]
    lines += _table(head, rows)
    lines += ["", _t(lang, "Følsomhed: break-even-måned efter pris pr. plads (rækker) og andel i job (kolonner)",
                     "Sensitivity: break-even month by price per place (rows) and share into jobs (columns)")]
    never = "–"
    head = [_t(lang, "pris/plads/md.", "price/place/month")] + [l10n.percent(s, lang) for s in case.grid.job_shares]
    rows = [[l10n.money(p, lang)] + [never if b is None else str(b) for b in row]
            for p, row in zip(case.grid.prices, case.grid.break_even, strict=True)]
    lines += _table(head, rows)
    lines += ["", f"{_t(lang, 'Antaget', 'Assumed')}:"] + [f"  - {note}" for note in assumed_notes(case, lang)]
    return "\n".join(lines) + "\n"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                               strict=True)))
    return [line(head)] + [line(r) for r in rows]


@dataclass(frozen=True)
class BusinessCaseView:
    """What the HTML template gets: the result, its chart and texts in the document's language."""

    case: BusinessCase
    chart: Chart
    break_even: str
    notes: list[str]
    month_names: dict[str, str]


def cumulative_chart(case: BusinessCase, lang: str = "da") -> Chart:
    """Cumulative cost and savings, month by month."""
    labels = [m.month for m in case.months]
    return chart(
        _t(lang, "Udgifter og besparelser, akkumuleret", "Cost and savings, cumulative"),
        labels,
        [Series(_t(lang, "Akkumulerede udgifter", "Cumulative cost"), [m.cumulative_cost for m in case.months]),
         Series(_t(lang, "Akkumulerede besparelser", "Cumulative savings"),
                [m.cumulative_savings for m in case.months])],
        y_label=_t(lang, "kr.", "DKK"),
        lang=lang,
        alt=_t(lang, f"Break-even: {break_even_text(case, lang)}.", f"Break-even: {break_even_text(case, lang)}."),
    )


def business_case_html(case: BusinessCase, lang: str = "da") -> str:
    """The business case as a self-contained HTML document (templates/business-case.html.j2)."""
    view = BusinessCaseView(
        case=case,
        chart=cumulative_chart(case, lang),
        break_even=break_even_text(case, lang),
        notes=assumed_notes(case, lang),
        month_names={m.month: l10n.month(m.month, lang) for m in case.months},
    )
    return render("business-case.html.j2", lang, view=view)
