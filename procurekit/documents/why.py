"""`check --explain SUBJECT`: why one participant, participant-month or month got its verdicts.

For the subject: every rule's verdict (or that it does not apply, or was not evaluated), the contract
annex point the rule enforces with its text, the legal basis, the deciding values with labels and units,
and the subject's timeline (enrolled, cap date, left, offer deadline, offer). The compliance report's
appendix holds the same explanation for each breach. Plain data; text made here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.dataset.read import looks_like_cpr
from procurekit.documents.clauses import Clause, RenderedClause, contract_point, load_library, render_clauses
from procurekit.documents.labels import label, labelled_values, value_text, value_types
from procurekit.errors import ProcurekitError
from procurekit.evaluation.check import CheckResult, Finding
from procurekit.ruleset.load import VERDICTS, Rule

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_SAFE = re.compile(r"^[A-Za-z0-9._-]+(@\d{4}-\d{2})?$")
_SKIP_DATES = {"as_of", "contract_start", "contract_end", "end_on", "month_start", "month_end", "year_start",
               "year_end"}


@dataclass(frozen=True)
class RuleVerdict:
    """One rule's verdict on the subject, with what decided it."""

    rule: str
    title: str
    verdict: str  # violation | warning | due | ok | not-applicable | not-evaluated
    message: str
    point: str | None
    point_text: str
    legal_basis: str
    reference: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Explanation:
    """Everything `--explain` shows for one subject."""

    subject: str
    kind: str  # participant | participant_month | month | year
    as_of: dt.date
    contract: str
    verdicts: tuple[RuleVerdict, ...]
    timeline: tuple[tuple[dt.date, str], ...]


def subject_kind(subject: str) -> str:
    """The kind of a subject as `check` names it; refuses CPR-like or unsafe text without echoing it.

    Raises:
        ProcurekitError: a control character, a CPR-like value, or characters no subject has.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in subject):
        raise ProcurekitError("--explain: the subject contains a control character (not shown)")
    if looks_like_cpr(subject):
        raise ProcurekitError("--explain: the subject looks like a CPR number (not shown); use the pseudonym")
    if not _SAFE.match(subject) or len(subject) > 64:
        raise ProcurekitError("--explain: not a subject (a participant pseudonym, ID@YYYY-MM, YYYY-MM or YYYY)")
    if _MONTH.match(subject):
        return "month"
    if _YEAR.match(subject):
        return "year"
    return "participant_month" if "@" in subject else "participant"


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def point_texts(result: CheckResult, library: dict[str, Clause]) -> dict[str, str]:
    """Contract annex point ("2.2", or "2" for a whole clause) → its text, rendered for the check's day.

    Also "basis:<clause id>" → the clause's legal basis, cited as in force on the check's day.
    """
    rendered: list[RenderedClause] = render_clauses(result.ruleset, library, result.as_of, result.lang)
    texts = {str(c.number): f"{c.title}. {c.requirement}" for c in rendered}  # a point that is a whole clause
    texts.update({f"{c.number}.{i}": text for c in rendered for i, text in enumerate(c.paragraphs, start=1)})
    texts.update({f"basis:{c.id}": c.legal_basis for c in rendered})
    return texts


def _known(result: CheckResult, subject: str, kind: str) -> bool:
    ids = {p.participant_id for p in result.dataset.participants if p.enrolled_on <= result.as_of}
    if kind == "participant":
        return subject in ids
    if kind == "participant_month":
        return any(f.subject == subject for f in result.findings)
    return any(f.subject == subject for f in result.findings) or any(
        n.subject == subject for n in result.not_evaluated)


def explain_subject(result: CheckResult, subject: str, library: dict[str, Clause] | None = None) -> Explanation:
    """The explanation of one subject of a check (run with ok="explained", the default).

    Raises:
        ProcurekitError: the subject is unsafe, CPR-like or not in the dataset at the check date.
    """
    kind = subject_kind(subject)
    if not _known(result, subject, kind):
        raise ProcurekitError(f"--explain: '{subject}' is not a {kind.replace('_', '-')} of "
                              f"{result.dataset.contract.contract_id} on {result.as_of.isoformat()}")
    library = library if library is not None else load_library()
    texts = point_texts(result, library)
    rows = [_verdict(result, library, texts, r, subject) for r in result.ruleset.rules if r.subject == kind]
    if kind == "participant":
        rows += [_monthly(result, library, texts, r, subject) for r in result.ruleset.rules
                 if r.subject == "participant_month"]
    who = subject.split("@")[0] if kind in ("participant", "participant_month") else None
    return Explanation(subject, kind, result.as_of, result.dataset.contract.contract_id, tuple(rows),
                       _timeline(result, who) if who else ())


def _verdict(
    result: CheckResult, library: dict[str, Clause], texts: dict[str, str], rule: Rule, subject: str
) -> RuleVerdict:
    lang = result.lang
    point = contract_point(result.ruleset, library, rule.clause, rule_id=rule.id)
    basis = texts.get(f"basis:{rule.clause}", "")
    found = next((f for f in result.findings if f.rule == rule.id and f.subject == subject), None)
    if found is None:
        skipped = next((n for n in result.not_evaluated if n.rule == rule.id
                        and n.subject in (None, subject)), None)
        verdict = "not-evaluated" if skipped else "not-applicable"
        message = skipped.reason if skipped else _t(lang, "Reglen gælder ikke her (betingelsen for at anvende "
                                                          "den er ikke opfyldt).",
                                                    "The rule does not apply here (its condition to apply is "
                                                    "not met).")
        return RuleVerdict(rule.id, rule.title.get(lang), verdict, message, point, texts.get(point or "", ""),
                           basis, result.ruleset.reference(rule, result.as_of), ())
    values = tuple(labelled_values(found.values, rule, result.ruleset, result.as_of, lang))
    return RuleVerdict(rule.id, rule.title.get(lang), found.verdict, found.message, point,
                       texts.get(point or "", ""), basis, found.reference, values)


def _monthly(
    result: CheckResult, library: dict[str, Clause], texts: dict[str, str], rule: Rule, who: str
) -> RuleVerdict:
    """A participant-month rule summed up over the participant's months."""
    lang = result.lang
    found: list[Finding] = [f for f in result.findings if f.rule == rule.id and f.subject.startswith(who + "@")]
    row = _verdict(result, library, texts, rule, "\0")  # rule data without a finding
    if not found:
        return row
    worst = min((f for f in found), key=lambda f: VERDICTS.index(f.verdict))
    bad = [f.subject.split("@")[1] for f in found if f.verdict == worst.verdict]
    if worst.verdict == "ok":
        message = _t(lang, f"I orden i alle {len(found)} måneder med timer.",
                     f"OK in all {len(found)} months with hours.")
    else:
        message = _t(lang, f"{len(bad)} af {len(found)} måneder: ", f"{len(bad)} of {len(found)} months: ")
        message += ", ".join(bad) + ". " + worst.message
    values = tuple(labelled_values(worst.values, rule, result.ruleset, result.as_of, lang))
    return RuleVerdict(row.rule, row.title, worst.verdict, message, row.point, row.point_text, row.legal_basis,
                       row.reference, values)


def _timeline(result: CheckResult, who: str) -> tuple[tuple[dt.date, str], ...]:
    lang, day = result.lang, result.as_of
    person = next((p for p in result.dataset.participants if p.participant_id == who), None)
    if person is None:
        return ()
    events: dict[tuple[dt.date, str], None] = {}
    events[(person.enrolled_on, _t(lang, "Optaget", "Enrolled"))] = None
    if person.left_on is not None and person.left_on <= day:
        reason = value_text("exit_reason", person.exit_reason, None, result.ruleset, day, lang)
        events[(person.left_on, _t(lang, f"Forløbet sluttede ({reason})", f"Left the course ({reason})"))] = None
    if person.job_offer_on is not None and person.job_offer_on <= day:
        terms = value_text("job_offer_terms", person.job_offer_terms, None, result.ruleset, day, lang)
        events[(person.job_offer_on, _t(lang, f"Tilbud om fast job ({terms})", f"Job offered ({terms})"))] = None
    rules = {r.id: r for r in result.ruleset.rules}
    for f in result.findings:
        if f.subject != who:
            continue
        types = value_types(rules[f.rule], result.ruleset)
        for name, value in f.values.items():
            if name in rules[f.rule].lets and types.get(name) == ex.DATE and isinstance(value, str):
                events[(dt.date.fromisoformat(value), label(name, result.ruleset, lang))] = None
    events[(day, _t(lang, "Opgørelsesdag", "Check date"))] = None
    return tuple(sorted(events))


_NAMES = {
    "da": {"not-applicable": "GÆLDER IKKE", "not-evaluated": "IKKE VURDERET"},
    "en": {"not-applicable": "DOES NOT APPLY", "not-evaluated": "NOT EVALUATED"},
}
_KINDS = {"participant": ("deltager", "participant"), "participant_month": ("deltager-måned", "participant-month"),
          "month": ("måned", "month"), "year": ("år", "year")}


def explanation_text(e: Explanation, lang: str) -> str:
    """The explanation for a terminal."""
    kind = _KINDS[e.kind][0 if lang == "da" else 1]
    lines = [f"{_t(lang, 'Forklaring', 'Explanation')}: {e.subject} ({kind}) · {e.contract} · "
             f"{_t(lang, 'opgjort pr.', 'as of')} {l10n.date(e.as_of, lang)}", ""]
    if e.timeline:
        lines.append(_t(lang, "Tidslinje", "Timeline"))
        lines += [f"  {l10n.date(day, lang):<20} {text}" for day, text in e.timeline]
        lines.append("")
    lines.append(_t(lang, "Regler", "Rules"))
    for v in sorted(e.verdicts, key=_order):
        lines.append(f"  {_NAMES[lang].get(v.verdict) or l10n.verdict(v.verdict, lang).upper():<14} {v.title}")
        lines.append(f"      {v.message}")
        if v.point:
            lines.append(f"      {_t(lang, 'Kontraktbilag pkt.', 'Contract annex point')} {v.point}: {v.point_text}")
        if v.legal_basis:
            lines.append(f"      {_t(lang, 'Hjemmel', 'Legal basis')}: {v.legal_basis}")
        if v.values:
            lines.append(f"      {_t(lang, 'Afgørende værdier', 'Deciding values')}: "
                         + "; ".join(f"{k}: {val}" for k, val in v.values))
        lines.append(f"      {_t(lang, 'Regel', 'Rule')}: {v.rule} · {_t(lang, 'kilde', 'source')}: {v.reference}")
    return "\n".join(lines) + "\n"


def _order(v: RuleVerdict) -> int:
    return VERDICTS.index(v.verdict) if v.verdict in VERDICTS else len(VERDICTS)


def explanation_json(e: Explanation) -> dict[str, object]:
    """The explanation as JSON."""
    return {
        "subject": e.subject, "kind": e.kind, "as_of": e.as_of.isoformat(), "contract": e.contract,
        "timeline": [{"date": day.isoformat(), "event": text} for day, text in e.timeline],
        "rules": [{"rule": v.rule, "title": v.title, "verdict": v.verdict, "message": v.message,
                   "contract_point": v.point, "contract_text": v.point_text, "legal_basis": v.legal_basis,
                   "reference": v.reference, "values": [{"label": k, "value": val} for k, val in v.values]}
                  for v in e.verdicts],
    }
