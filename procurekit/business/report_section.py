"""The compliance report's economics section: the business case of the same contract, as plain data.

The totals, the cumulative chart with the month the savings catch up with the cost marked, the
sensitivity table (break-even month by price per place and share into jobs) and every input used with
its source, labelled in the report's language.
"""

from __future__ import annotations

from pathlib import Path

from procurekit import l10n
from procurekit.business.model import BusinessCase, InputValue, business_case, load_assumptions
from procurekit.documents.charts import Chart, Series, chart
from procurekit.documents.report import EconomyView
from procurekit.evaluation.check import CheckResult

#: Input names of an assumptions file → (da, en, kind); kind: money | share | number.
INPUT_LABELS: dict[str, tuple[str, str, str]] = {
    "programme_months": ("Programmets længde (måneder)", "Programme length (months)", "number"),
    "horizon_months": ("Beregningsperiode (måneder)", "Horizon (months)", "number"),
    "programme.places": ("Pladser", "Places", "number"),
    "programme.price_per_place_month": ("Pris pr. plads pr. måned", "Price per place per month", "money"),
    "programme.mentor_cost_per_participant_month": ("Mentor og opfølgning pr. deltager pr. måned",
                                                    "Mentor and follow-up per participant per month", "money"),
    "programme.fixed_cost_per_month": ("Faste udgifter pr. måned", "Fixed cost per month", "money"),
    "programme.wage_subsidy_per_hour": ("Løntilskud pr. time", "Wage subsidy per hour", "money"),
    "programme.wage_subsidy_municipal_share": ("Kommunens andel af løntilskuddet",
                                               "Municipality's share of the wage subsidy", "share"),
    "benefits.monthly_rate": ("Kontanthjælp pr. måned", "Cash benefit per month", "money"),
    "benefits.reimbursement": ("Statsrefusion", "State reimbursement", "share"),
    "benefits.net_hourly_wage": ("Nettoløn pr. time", "Net wage per hour", "money"),
    "benefits.hourly_disregard": ("Fradrag pr. arbejdstime", "Disregard per hour worked", "money"),
    "outcomes.hours_per_month_in_job": ("Timer pr. måned i job", "Hours a month in a job", "number"),
    "outcomes.subsidised_hours_per_participant_month": ("Løntilskudstimer pr. deltager pr. måned",
                                                        "Wage-subsidy hours per participant per month", "number"),
    "outcomes.ordinary_hours_per_participant_month": ("Ordinære timer pr. deltager pr. måned",
                                                      "Ordinary hours per participant per month", "number"),
}


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def _input_row(i: InputValue, lang: str) -> tuple[str, str, str]:
    base, _, qualifier = i.name.partition("@")
    da, en, kind = INPUT_LABELS.get(base, (base, base, "number"))
    name = _t(lang, da, en)
    if qualifier.startswith("week"):
        name += _t(lang, f", fra uge {qualifier[4:]}", f", from week {qualifier[4:]}")
    elif qualifier:
        name += _t(lang, f", fra {l10n.date(qualifier, lang)}", f", from {l10n.date(qualifier, lang)}")
    value = (l10n.money(i.value, lang) if kind == "money" else l10n.percent(i.value, lang) if kind == "share"
             else l10n.number(i.value, lang))
    return name, value, " ".join(i.source.split())


def _used(case: BusinessCase, i: InputValue) -> bool:
    """With a dataset, the assumed outcome rates are not used (only the hours in a job, and the hours
    during the course when the dataset has none)."""
    if case.basis != "dataset":
        return True
    if i.name == "programme_months":
        return False
    if i.name.startswith("outcomes."):
        keep = {"outcomes.hours_per_month_in_job"}
        if case.hours_assumed:
            keep |= {"outcomes.subsidised_hours_per_participant_month",
                     "outcomes.ordinary_hours_per_participant_month"}
        return i.name in keep
    return True


def _break_even(case: BusinessCase, lang: str) -> str:
    if case.break_even is None:
        return _t(lang, f"indhenter besparelserne ikke udgifterne inden for de {len(case.months)} måneder",
                  f"the savings do not catch up with the cost within the {len(case.months)} months")
    when = l10n.month(case.break_even_month or "", lang)
    return _t(lang, f"indhenter besparelserne udgifterne i måned {case.break_even} ({when})",
              f"the savings catch up with the cost in month {case.break_even} ({when})")


def economy_chart(case: BusinessCase, lang: str) -> Chart:
    """Cumulative cost and savings with the break-even month marked."""
    vline = None
    if case.break_even is not None:
        vline = (case.break_even - 1, _t(lang, f"Balance i {l10n.month(case.break_even_month or '', lang)}",
                                         f"Break-even in {l10n.month(case.break_even_month or '', lang)}"))
    return chart(
        _t(lang, "Udgifter og besparelser, akkumuleret", "Cost and savings, cumulative"),
        [l10n.month(m.month, lang, short=True) for m in case.months],
        [Series(_t(lang, "Akkumulerede udgifter", "Cumulative cost"), [m.cumulative_cost for m in case.months]),
         Series(_t(lang, "Akkumulerede besparelser", "Cumulative savings"),
                [m.cumulative_savings for m in case.months])],
        y_label=_t(lang, "kr.", "DKK"), lang=lang, vline=vline,
        alt=_t(lang, f"Akkumulerede udgifter og besparelser måned for måned; {_break_even(case, lang)}.",
               f"Cumulative cost and savings month by month; {_break_even(case, lang)}."),
    )


def economy(result: CheckResult, assumptions: Path) -> tuple[EconomyView, Chart]:
    """The business case of the checked contract under `assumptions`, for the report."""
    from procurekit.business.output import assumed_notes

    lang = result.lang
    case = business_case(load_assumptions(assumptions), result.dataset)
    net = case.total_savings - case.total_cost
    summary = _t(
        lang,
        f"Beregnet på kontraktens egne data ({l10n.month(case.start, lang)} – {l10n.month(case.end, lang)}) "
        f"med forudsætningerne «{case.title}»: {_break_even(case, lang)}.",
        f"Computed from the contract's own data ({l10n.month(case.start, lang)} – {l10n.month(case.end, lang)}) "
        f"with the assumptions “{case.title}”: {_break_even(case, lang)}.",
    )
    totals = (
        (_t(lang, "Udgifter i alt", "Cost in all"), l10n.money(case.total_cost, lang)),
        (_t(lang, "Besparelser i alt", "Savings in all"), l10n.money(case.total_savings, lang)),
        (_t(lang, "Netto", "Net"), l10n.money(net, lang)),
    )
    grid = case.grid
    head = (_t(lang, "Pris pr. plads pr. måned", "Price per place per month"),
            *(_t(lang, f"{l10n.percent(s, lang)} i job", f"{l10n.percent(s, lang)} into jobs")
              for s in grid.job_shares))
    rows = tuple(
        (l10n.money(price, lang), *("–" if b is None else _t(lang, f"måned {b}", f"month {b}") for b in row))
        for price, row in zip(grid.prices, grid.break_even, strict=True)
    )
    base_share = "–" if grid.base_job_share is None else l10n.percent(grid.base_job_share, lang)
    note = _t(lang, f"Måneden, hvor besparelserne indhenter udgifterne, ved andre priser og jobandele. "
                    f"Grundberegningen: {l10n.money(grid.base_price, lang)} pr. plads og {base_share} i job. "
                    "«–»: ikke inden for perioden.",
              f"The month the savings catch up with the cost, at other prices and job shares. "
              f"Base case: {l10n.money(grid.base_price, lang)} per place and {base_share} into jobs. "
              "“–”: not within the horizon.")
    inputs = tuple(_input_row(i, lang) for i in case.inputs if _used(case, i))
    view = EconomyView(summary, totals, head, rows, note, inputs, tuple(assumed_notes(case, lang)))
    return view, economy_chart(case, lang)
