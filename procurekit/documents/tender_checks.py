"""Checks of TENDER.yaml against the law and the rule set, each a file:line error naming the rule and dates.

- the period for receipt of tenders against the minimum of the procedure (open procedure: 35 days from
  the notice, 30 when tenders are received electronically, 15 after a prior information notice sent
  35 days to 12 months before), as `rules/law/dk.yaml` states them with their sources;
- answers to questions at least 6 full days before the tender deadline, and questions before answers;
- every `confirm:` entry names a parameter the documents use, with a value of the parameter's type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from procurekit.documents.law import load_law
from procurekit.errors import RuleFileError
from procurekit.months import add_months
from procurekit.ruleset.load import RuleSet, Scalar
from procurekit.yamlio import LineMap

if TYPE_CHECKING:
    from procurekit.documents.tender_file import TenderFile


def timetable_errors(spec: TenderFile, path: Path, lines: LineMap) -> list[RuleFileError]:
    """The timetable's violations of the minimum periods and the answers rule."""
    law = load_law().minimum_periods
    d = spec.deadlines
    errors: list[RuleFileError] = []
    tender_day = d.tender.date()

    def err(loc: tuple[str, ...], message: str) -> None:
        errors.append(RuleFileError(path, lines.line_of(loc), message))

    if tender_day <= spec.published:
        err(("deadlines", "tender"), f"deadlines.tender: {tender_day} must be after published {spec.published}")
    if spec.contract.start <= tender_day:
        err(("contract", "start"),
            f"contract.start: {spec.contract.start} must be after the tender deadline {tender_day}")
    if errors:
        return errors
    pin_ok = False
    if d.prior_information_notice is not None:
        pin = law.prior_information_notice
        earliest = add_months(spec.published, -pin.max_months_before)
        latest = spec.published - dt.timedelta(days=pin.min_days_before)
        pin_ok = earliest <= d.prior_information_notice <= latest
        if not pin_ok:
            err(("deadlines", "prior_information_notice"),
                f"deadlines.prior_information_notice: {d.prior_information_notice} must lie between {earliest} "
                f"and {latest} ({pin.min_days_before} days to {pin.max_months_before} months before "
                f"published {spec.published}) to shorten the period")
    if spec.procedure == "open" and not errors:
        rule = law.open
        if pin_ok:
            minimum, why = rule.with_prior_information_notice, "with a prior information notice"
        elif spec.submission.electronic:
            minimum = rule.days - rule.electronic_reduction
            why = f"{rule.days} days less {rule.electronic_reduction} for electronic tenders"
        else:
            minimum, why = rule.days, "tenders not received electronically"
        days = (tender_day - spec.published).days
        if days < minimum:
            err(("deadlines", "tender"),
                f"deadlines.tender: {tender_day} is {days} days after published {spec.published}; an open "
                f"procedure needs at least {minimum} days ({why}; {rule.ref.en})")
    answers = law.answers
    full_days = (tender_day - d.answers).days - 1
    if full_days < answers.full_days_before_deadline:
        err(("deadlines", "answers"),
            f"deadlines.answers: {d.answers} leaves {max(full_days, 0)} full days before the tender deadline "
            f"{tender_day}; answers must be given at least {answers.full_days_before_deadline} full days "
            f"before it ({answers.ref.en})")
    if not spec.published <= d.questions <= d.answers:
        err(("deadlines", "questions"),
            f"deadlines.questions: {d.questions} must lie between published {spec.published} and "
            f"deadlines.answers {d.answers}")
    for key in ("award", "signing"):
        day = getattr(d, key)
        if day is not None and not tender_day <= day <= spec.contract.start:
            err(("deadlines", key), f"deadlines.{key}: {day} must lie between the tender deadline {tender_day} "
                f"and contract.start {spec.contract.start}")
    return errors


def _type_of(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def confirm_errors(
    spec: TenderFile, path: Path, lines: LineMap, ruleset: RuleSet, extra: Mapping[str, Scalar | None]
) -> list[RuleFileError]:
    """`confirm:` entries that name no parameter or give a value of the wrong type."""
    errors = []
    for name, confirmation in spec.confirm.items():
        line = lines.line_of(("confirm", name))
        if name in ruleset.parameters:
            expected = _type_of(ruleset.parameters[name].value)
        elif name in extra:
            expected = "number"
        else:
            errors.append(RuleFileError(path, line, f"confirm.{name}: rule set '{ruleset.id}' has no such parameter"))
            continue
        got = _type_of(confirmation.value)
        if got != expected:
            errors.append(RuleFileError(
                path, lines.line_of(("confirm", name, "value")),
                f"confirm.{name}.value: must be a {expected}, not {confirmation.value!r}",
            ))
    return errors
