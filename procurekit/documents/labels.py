"""Human labels and formatted values for the names a finding's values use (fields, parameters, lets).

One table for the report's appendix and `check --explain`: "Frist for jobtilbud: 10. juni 2019" instead
of "offer_deadline = 2019-06-10". Fact fields take the words of `rules explain`; parameters their
description (Danish) or the English words below; `let` names of the bundled rule sets have their own
words; anything else falls back to its name with spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.ruleset.load import Rule, RuleSet
from procurekit.ruleset.subjects import FIELD_WORDS, SUBJECTS

#: Names of `let` values (and parameters lacking English words), da and en, with a unit.
LET_WORDS: dict[str, tuple[str, str, str]] = {
    "cap_on": ("seneste slutdato for forløbet", "latest end of the course", ""),
    "offer_deadline": ("frist for tilbud om fast job", "deadline for the offer of a permanent job", ""),
    "month_max_hours": ("højst timer i en måned", "most hours in a month", "hours"),
    "max_trainees": ("højst personer i praktik eller løntilskud", "most people in internship or wage subsidy",
                     "persons"),
    "target_group_share": ("målgruppens andel af årsværkene", "the target group's share of the FTE", "share"),
    "required_fte": ("krævet årsværk fra målgruppen", "FTE required from the target group", "fte"),
    "report_deadline": ("frist for årsindberetningen", "deadline for the annual report", ""),
}

PARAM_WORDS_EN: dict[str, str] = {
    "min_benefit_years": "least years on cash benefits at enrolment",
    "max_course_months": "longest course",
    "cap_warning_days": "warning before the course cap",
    "training_places": "training places at a time",
    "job_offer_deadline_days": "deadline for the job offer after the course",
    "max_weekly_hours": "most hours a week",
    "first_paid_month": "first course month with paid hours",
    "ratio_staff_per_trainee": "ordinary staff per trainee",
    "ratio_band_limit": "staff limit of the ratio's first band",
    "ratio_staff_per_trainee_above": "ordinary staff per trainee above the limit",
    "ratio_min_trainees": "trainees always allowed",
    "min_target_group_share": "least share of the contract's FTE done by the target group",
    "remedy_deadline_days": "deadline to remedy after a formal notice",
    "penalty_per_week_dkk": "penalty per week begun",
    "documentation_deadline_days": "deadline for documentation",
}

#: Units of fact fields (for "4,5 år", "97,5 timer").
FIELD_UNITS = {
    "years_on_benefits": "years", "praktik_hours": "hours", "subsidised_hours": "hours", "ordinary_hours": "hours",
    "total_hours": "hours", "paid_hours": "hours", "places_in_use": "places", "trainees": "persons",
    "ordinary_staff": "persons", "contract_fte": "fte", "target_group_fte": "fte", "turnover_dkk": "DKK",
}

def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def label(name: str, ruleset: RuleSet, lang: str) -> str:
    """The human label of a value's name, capitalised."""
    i = 0 if lang == "da" else 1
    if name in FIELD_WORDS:
        return _capital(FIELD_WORDS[name][i])
    if name in LET_WORDS:
        return _capital(LET_WORDS[name][i])
    p = ruleset.parameters.get(name)
    if p is not None:
        if lang == "da" and p.description:
            return " ".join(p.description.split()).rstrip(".")
        if lang == "en" and name in PARAM_WORDS_EN:
            return _capital(PARAM_WORDS_EN[name])
    return _capital(name.replace("_", " "))


def value_types(rule: Rule, ruleset: RuleSet) -> dict[str, str]:
    """The type of every name a rule uses."""
    types = {n: f.type for n, f in SUBJECTS[rule.subject].items()}
    for name, p in ruleset.parameters.items():
        types.setdefault(name, p.type)
    for name, node in rule.lets.items():
        types[name] = ex.typecheck(node, types)
    return types


def value_text(name: str, value: Any, kind: str | None, ruleset: RuleSet, day: dt.date, lang: str) -> str:
    """A value as a person reads it: a date in words, a number with its unit, yes/no, a code in words."""
    if l10n.is_number(value):
        unit = unit_of(name, ruleset)
        return l10n.quantity(value, unit, lang) if unit else l10n.number(value, lang)
    return l10n.value(value, lang, field=name, is_date=kind == ex.DATE)


def unit_of(name: str, ruleset: RuleSet) -> str:
    """The unit of a parameter, fact field or `let` value ("" when it has none)."""
    p = ruleset.parameters.get(name)
    if p is not None:
        return p.unit
    return FIELD_UNITS.get(name) or LET_WORDS.get(name, ("", "", ""))[2]


def labelled_values(
    values: dict[str, Any], rule: Rule, ruleset: RuleSet, day: dt.date, lang: str
) -> list[tuple[str, str]]:
    """(label, value text) for a finding's values, the check date and contract dates left out."""
    types = value_types(rule, ruleset)
    skip = {"as_of", "contract_start", "contract_end"}
    return [(label(n, ruleset, lang), value_text(n, v, types.get(n), ruleset, day, lang))
            for n, v in values.items() if n not in skip]


_ISO_MONTH = re.compile(r"(?<![\d-])(\d{4})-(0[1-9]|1[0-2])(?![\d-])")


def humanize(message: str, lang: str) -> str:
    """A message for a person: any month left as YYYY-MM (a ledger's older message) in words."""
    return _ISO_MONTH.sub(lambda m: l10n.month(m.group(0), lang), message)
