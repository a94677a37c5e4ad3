"""What a rule can talk about: the subject kinds and the fields of their facts.

This is the public vocabulary of conditions. Every field is documented in the README; adding a field is
a minor change, renaming one is a major change (rule files refer to them by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from procurekit.conditions import BOOL, DATE, NUMBER, STRING


@dataclass(frozen=True)
class Field:
    """One fact field: its type, whether it may be missing, and what it means."""

    type: str
    nullable: bool
    description: str


_COMMON = {
    "as_of": Field(DATE, False, "the date the check is made for"),
    "contract_start": Field(DATE, False, "contract.yaml start"),
    "contract_end": Field(DATE, False, "contract.yaml end"),
}

_PARTICIPANT = {
    "participant_id": Field(STRING, False, "pseudonym of the participant"),
    "years_on_benefits": Field(NUMBER, False, "years on cash benefits at enrolment"),
    "enrolled_on": Field(DATE, False, "first day in a training place"),
    "left_on": Field(DATE, True, "last day in a training place; missing while active at as_of"),
    "exit_reason": Field(STRING, True, "completed, dropped_out or other; missing while active"),
    "met_stability": Field(BOOL, True, "met the stability requirement"),
    "met_efficiency": Field(BOOL, True, "met the efficiency requirement"),
    "met_quality": Field(BOOL, True, "met the quality requirement"),
    "job_offer_on": Field(DATE, True, "day a job was offered; missing if none by as_of"),
    "job_offer_terms": Field(STRING, True, "ordinary, subsidised or flexjob"),
    "aktivitetsparat": Field(BOOL, True, "assessed as aktivitetsparat (participants.csv, optional column)"),
    "active": Field(BOOL, False, "holds a training place at as_of"),
    "end_on": Field(DATE, False, "left_on, or as_of while active"),
}

SUBJECTS: dict[str, dict[str, Field]] = {
    "participant": {**_PARTICIPANT, **_COMMON},
    "participant_month": {
        "participant_id": _PARTICIPANT["participant_id"],
        "month": Field(STRING, False, "calendar month, YYYY-MM"),
        "month_start": Field(DATE, False, "first day of the month"),
        "month_end": Field(DATE, False, "last day of the month"),
        "course_month": Field(NUMBER, False, "1 for the calendar month of enrolled_on, 2 for the next, ..."),
        "praktik_hours": Field(NUMBER, False, "unpaid internship (virksomhedspraktik) hours"),
        "subsidised_hours": Field(NUMBER, False, "hours with wage subsidy (løntilskud)"),
        "ordinary_hours": Field(NUMBER, False, "ordinary paid hours"),
        "total_hours": Field(NUMBER, False, "praktik + subsidised + ordinary hours"),
        "paid_hours": Field(NUMBER, False, "subsidised + ordinary hours"),
        "enrolled_on": _PARTICIPANT["enrolled_on"],
        "left_on": _PARTICIPANT["left_on"],
        **_COMMON,
    },
    "month": {
        "month": Field(STRING, False, "calendar month, YYYY-MM"),
        "month_start": Field(DATE, False, "first day of the month"),
        "month_end": Field(DATE, False, "last day of the month"),
        "places_in_use": Field(NUMBER, False, "most participants holding a place on any one day"),
        "trainees": Field(
            NUMBER, True, "participants with praktik or subsidised hours (needs hours.csv)"
        ),
        "ordinary_staff": Field(NUMBER, True, "supplier.csv head count, subsidised staff excluded"),
        "contract_fte": Field(NUMBER, True, "supplier.csv full-time equivalents on the contract"),
        "target_group_fte": Field(NUMBER, True, "supplier.csv FTE from the target group"),
        **_COMMON,
    },
    "year": {
        "year": Field(STRING, False, "calendar year, YYYY"),
        "year_start": Field(DATE, False, "first day of the year within the contract"),
        "year_end": Field(DATE, False, "last day of the year within the contract"),
        "turnover_dkk": Field(NUMBER, True, "turnover.csv: the year's turnover on the contract (DKK)"),
        "target_group_fte": Field(NUMBER, True, "turnover.csv: FTE (årsværk) done by the target group"),
        "reported_on": Field(DATE, True, "turnover.csv: day the annual report was received"),
        **_COMMON,
    },
}

#: Fact fields in words (Danish, English). A boolean field reads as a statement.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "as_of": ("opgørelsesdagen", "the check date"),
    "contract_start": ("kontraktens start", "the contract's start"),
    "contract_end": ("kontraktens udløb", "the contract's end"),
    "participant_id": ("deltagerens pseudonym", "the participant's pseudonym"),
    "years_on_benefits": ("år på kontanthjælp ved optagelse", "years on cash benefits at enrolment"),
    "enrolled_on": ("optagelsesdagen", "the day of enrolment"),
    "left_on": ("forløbets sidste dag", "the last day of the course"),
    "exit_reason": ("afslutningsårsagen", "the exit reason"),
    "met_stability": ("stabilitetskravet er opfyldt", "the stability requirement is met"),
    "met_efficiency": ("effektivitetskravet er opfyldt", "the efficiency requirement is met"),
    "met_quality": ("kvalitetskravet er opfyldt", "the quality requirement is met"),
    "job_offer_on": ("dagen for jobtilbuddet", "the day of the job offer"),
    "job_offer_terms": ("jobtilbuddets vilkår", "the terms of the job offer"),
    "aktivitetsparat": ("deltageren er aktivitetsparat", "the participant is aktivitetsparat"),
    "active": ("deltageren er stadig i forløb", "the participant is still on the course"),
    "end_on": ("forløbets slutdag (opgørelsesdagen, mens det varer)",
               "the course's last day (the check date while it lasts)"),
    "month": ("måneden", "the month"),
    "month_start": ("månedens første dag", "the month's first day"),
    "month_end": ("månedens sidste dag", "the month's last day"),
    "course_month": ("forløbsmåneden", "the course month"),
    "praktik_hours": ("praktiktimerne", "the internship hours"),
    "subsidised_hours": ("løntilskudstimerne", "the wage-subsidy hours"),
    "ordinary_hours": ("de ordinære timer", "the ordinary hours"),
    "total_hours": ("timerne i alt", "the total hours"),
    "paid_hours": ("de lønnede timer", "the paid hours"),
    "places_in_use": ("pladser i brug samme dag", "the places in use on one day"),
    "trainees": ("personer i praktik eller løntilskud", "the people in internship or wage subsidy"),
    "ordinary_staff": ("ordinært ansatte", "the ordinary staff"),
    "contract_fte": ("kontraktens årsværk", "the contract's FTE"),
    "target_group_fte": ("målgruppens årsværk", "the target group's FTE"),
    "year": ("året", "the year"),
    "year_start": ("årets første dag i kontrakten", "the year's first day in the contract"),
    "year_end": ("årets sidste dag i kontrakten", "the year's last day in the contract"),
    "turnover_dkk": ("årets omsætning på kontrakten", "the year's turnover on the contract"),
    "reported_on": ("dagen for årsindberetningen", "the day of the annual report"),
}

SUBJECT_LABELS = {
    "participant": "participant",
    "participant_month": "participant-month",
    "month": "month",
    "year": "year",
}

#: Data files a rule may require. `participants` is always there.
Source = Literal["participants", "hours", "supplier", "turnover"]
SOURCES: tuple[Source, ...] = get_args(Source)
