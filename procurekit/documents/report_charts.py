"""The compliance report's charts: each makes one point (a limit, a breach, a required month)."""

from __future__ import annotations

from collections import defaultdict

from procurekit import l10n
from procurekit.dataset.facts import Fact, derive
from procurekit.documents.charts import Chart, Mark, Series, chart
from procurekit.evaluation.check import CheckResult


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def _violations(result: CheckResult, rule_id: str) -> set[str]:
    return {f.subject for f in result.findings if f.rule == rule_id and f.verdict == "violation"}


def _param(result: CheckResult, name: str) -> float | None:
    p = result.ruleset.parameters.get(name)
    value = p.at(result.as_of) if p is not None else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def places_chart(result: CheckResult, months: list[Fact]) -> Chart:
    """Places in use per month (the capacity rule's own numbers) with the limit and each breach marked."""
    lang = result.lang
    labels = [str(f.values["month"]) for f in months]
    used = [float(f.values["places_in_use"]) for f in months]
    limit = _param(result, "training_places")
    over = _violations(result, "capacity.training-places")
    index = [i for i, m in enumerate(labels) if m in over]
    marks = [Mark(i, used[i], _t(lang, f"{l10n.number(used[i], lang)} i {l10n.month(labels[i], lang)}",
                                 f"{l10n.number(used[i], lang)} in {l10n.month(labels[i], lang)}")) for i in index]
    over_text = ", ".join(f"{l10n.month(labels[i], lang)} ({l10n.number(used[i], lang)})" for i in index)
    alt = _t(lang, "Det højeste antal deltagere med plads samme dag i hver måned"
                   + (f", mod {l10n.number(limit, lang)} pladser" if limit is not None else "") + ". "
                   + (f"Over grænsen i {over_text}." if index else "Aldrig over grænsen."),
             "The most participants holding a place on one day in each month"
             + (f", against {l10n.number(limit, lang)} places" if limit is not None else "") + ". "
             + (f"Over the limit in {over_text}." if index else "Never over the limit."))
    return chart(
        _t(lang, "Pladser i brug pr. måned", "Places in use per month"),
        [l10n.month(m, lang, short=True) for m in labels],
        [Series(_t(lang, "Højst i brug samme dag", "Most in use on one day"), used, "bar")],
        y_label=_t(lang, "deltagere", "participants"), lang=lang, limit=limit,
        limit_label=_t(lang, "Antal pladser i kontrakten", "Places in the contract"),
        alt=alt, marks=marks, highlight=index,
    )


def paid_share_chart(result: CheckResult, rows: list[Fact]) -> Chart | None:
    """Paid hours as a share of all hours, by course month, with the first month paid hours are required."""
    lang = result.lang
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for f in rows:
        bucket = totals[int(f.values["course_month"])]
        bucket[0] += float(f.values["paid_hours"])
        bucket[1] += float(f.values["total_hours"])
    course_months = sorted(m for m in totals if totals[m][1] > 0)
    if not course_months:
        return None
    shares = [totals[m][0] / totals[m][1] for m in course_months]
    first = _param(result, "first_paid_month")
    vline = None
    if first is not None and int(first) in course_months:
        vline = (course_months.index(int(first)) - 0.5,
                 _t(lang, f"Lønnede timer kræves fra forløbsmåned {l10n.number(first, lang)}",
                    f"Paid hours required from course month {l10n.number(first, lang)}"))
    return chart(
        _t(lang, "Lønnede timers andel pr. forløbsmåned", "Paid share of hours per course month"),
        [str(m) for m in course_months],
        [Series(_t(lang, "Andel lønnede timer", "Share of paid hours"), shares, "bar")],
        y_label=_t(lang, "andel lønnede timer", "share of paid hours"), lang=lang, percent=True,
        x_label=_t(lang, "forløbsmåned (1 = optagelsesmåneden)", "course month (1 = the month of enrolment)"),
        vline=vline,
        alt=_t(lang, "Løntilskuds- og ordinære timer som andel af alle timer for hver forløbsmåned"
               + (f"; kravet gælder fra forløbsmåned {l10n.number(first, lang)}." if first is not None else "."),
               "Wage-subsidy and ordinary hours as a share of all hours for each course month"
               + (f"; required from course month {l10n.number(first, lang)}." if first is not None else ".")),
    )


def target_group_chart(result: CheckResult, months: list[Fact]) -> Chart | None:
    """The target group's share of the contract's FTE per month against its minimum, breaches marked."""
    lang = result.lang
    rows = [f for f in months if f.values.get("contract_fte") and f.values.get("target_group_fte") is not None]
    if not rows:
        return None
    labels = [str(f.values["month"]) for f in rows]
    shares = [float(f.values["target_group_fte"]) / float(f.values["contract_fte"]) for f in rows]
    minimum = _param(result, "min_target_group_share")
    under = _violations(result, "clause.target-group-share")
    index = [i for i, m in enumerate(labels) if m in under]

    marks = [Mark(i, shares[i], _t(lang, f"{l10n.percent(shares[i], lang)} i {l10n.month(labels[i], lang)}",
                                   f"{l10n.percent(shares[i], lang)} in {l10n.month(labels[i], lang)}")) for i in index]
    under_text = ", ".join(f"{l10n.month(labels[i], lang)} ({l10n.percent(shares[i], lang)})" for i in index)
    return chart(
        _t(lang, "Målgruppens andel af kontraktens årsværk", "Target group's share of the contract's FTE"),
        [l10n.month(m, lang, short=True) for m in labels],
        [Series(_t(lang, "Målgruppens andel", "Target group's share"), shares, "bar")],
        y_label=_t(lang, "andel af årsværk", "share of FTE"), lang=lang, percent=True, limit=minimum,
        limit_label=_t(lang, "Mindste andel i kontrakten", "Minimum share in the contract"),
        marks=marks, highlight=index,
        alt=_t(lang, "Målgruppens andel af årsværkene hver måned mod kontraktens mindste andel. "
               + (f"Under kravet i {under_text}." if index else "Aldrig under kravet."),
               "The target group's share of the FTE each month against the contract's minimum. "
               + (f"Below it in {under_text}." if index else "Never below it.")),
    )


def funnel_chart(lang: str, steps: list[tuple[str, int]]) -> Chart:
    """From enrolment to an ordinary job, each step's count written on its bar."""
    return chart(
        _t(lang, "Fra optagelse til ordinært job", "From enrolment to an ordinary job"),
        [s[0] for s in steps], [Series(_t(lang, "Deltagere", "Participants"), [s[1] for s in steps], "bar")],
        y_label=_t(lang, "deltagere", "participants"), lang=lang, value_labels=True,
        alt=_t(lang, "Antal deltagere på hvert trin: " + ", ".join(f"{s[0].lower()} {s[1]}" for s in steps) + ".",
               "Participants at each step: " + ", ".join(f"{s[0].lower()} {s[1]}" for s in steps) + "."),
    )


def report_charts(result: CheckResult, steps: list[tuple[str, int]]) -> dict[str, Chart]:
    """Every chart of the report, by key (the template's `data-chart`)."""
    facts = derive(result.dataset, result.as_of)
    out: dict[str, Chart] = {}
    if facts["month"]:
        out["places"] = places_chart(result, facts["month"])
    paid = paid_share_chart(result, facts["participant_month"])
    if paid is not None:
        out["paid_share"] = paid
    target = target_group_chart(result, facts["month"])
    if target is not None:
        out["target_group"] = target
    out["funnel"] = funnel_chart(result.lang, steps)
    return out
