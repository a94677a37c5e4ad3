"""What a contract manager acts on: the findings of a check as breaches and deadlines.

A breach that runs over consecutive months (one finding per month or participant-month) is one breach
"since" its first month; a participant's breach of a deadline runs from the day after the deadline. Each
breach carries the contract annex point it breaks (`contract_point`) and the next step of the contract's
own sanction ladder (påkrav with the remedy period, then a penalty per week begun), with the numbers read
from the rule set's parameters. Everything here is plain data: texts are made in Python, not in templates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.documents.clauses import Clause, contract_point, load_library
from procurekit.documents.labels import value_types
from procurekit.evaluation import output
from procurekit.evaluation.check import CheckResult, Finding
from procurekit.months import month_of, month_text, parse_month
from procurekit.ruleset.load import VERDICTS, Rule, RuleSet

_RANK = {v: i for i, v in enumerate(VERDICTS)}
#: The sanction clause and its paragraphs (0-based, as in clauses/sanctions.yaml): notice, penalty, breach.
SANCTIONS, NOTICE, PENALTY, MATERIAL = "sanctions", 0, 1, 2
_IGNORED_DATES = {"as_of", "contract_start", "contract_end", "end_on", "month_start", "month_end"}


@dataclass(frozen=True)
class Breach:
    """One open matter: a breach merged over consecutive months, or a deadline coming due."""

    rule: str
    title: str
    verdict: str  # violation | warning | due
    kind: str  # the rule's subject kind
    who: str  # participant pseudonym; "" for the programme (a month or year subject)
    subjects: tuple[str, ...]  # the findings' subjects, in time order
    since: dt.date | None  # first day of the breach (the month's first day for a month run)
    by_month: bool  # since/until are months
    until: dt.date | None  # last day of an ended breach; None while it goes on or cannot be known
    ongoing: bool
    months: int  # months merged (0 for a participant's breach)
    deadline: dt.date | None  # for warning/due: the day it falls due
    message: str  # the latest finding's message
    point: str | None  # contract annex point, "2.2"
    next_step: str
    next_date: dt.date | None

    @property
    def anchor(self) -> str:
        """An id for links to this breach's explanation (pseudonyms and months are id-safe)."""
        return "why-" + self.rule.replace(".", "-") + "-" + self.subjects[0].replace("@", "-")


# ---- reading a rule's shape --------------------------------------------------------------------------


def deadline_names(rule: Rule, ruleset: RuleSet) -> tuple[str, str] | None:
    """(actual, deadline) when the rule's condition holds `actual <= deadline` on two dates, else None."""
    types = value_types(rule, ruleset)
    for node in ex.walk(rule.condition):
        if (isinstance(node, ex.Cmp) and node.op in ("<=", "<") and isinstance(node.left, ex.Name)
                and isinstance(node.right, ex.Name) and types.get(node.left.name) == ex.DATE
                and types.get(node.right.name) == ex.DATE):
            return node.left.name, node.right.name
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _month_first(month: str) -> dt.date:
    return month_of(parse_month(month))[0]


def _month_last(month: str) -> dt.date:
    return month_of(parse_month(month))[1]


def _next_month(month: str) -> str:
    return month_text(parse_month(month) + 1)


def _month_of(f: Finding, kind: str) -> str | None:
    if kind == "month":
        return f.subject
    if kind == "participant_month":
        return f.subject.rsplit("@", 1)[1]
    return None


# ---- breaches ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    rule: Rule
    findings: tuple[Finding, ...]


def _runs(result: CheckResult, verdicts: tuple[str, ...]) -> list[_Run]:
    """Findings grouped into runs: consecutive months of one rule and participant (or the programme)."""
    rules = {r.id: r for r in result.ruleset.rules}
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    singles: list[_Run] = []
    for f in result.findings:
        rule = rules.get(f.rule)
        if rule is None or f.verdict not in verdicts:
            continue
        if rule.subject in ("month", "participant_month"):
            who = f.subject.rsplit("@", 1)[0] if rule.subject == "participant_month" else ""
            groups[(f.rule, who, f.verdict)].append(f)
        else:
            singles.append(_Run(rule, (f,)))
    runs = list(singles)
    for (rule_id, _who, _verdict), found in groups.items():
        rule = rules[rule_id]
        found.sort(key=lambda f: _month_of(f, rule.subject) or "")
        current: list[Finding] = []
        for f in found:
            month = _month_of(f, rule.subject) or ""
            if current and _next_month(_month_of(current[-1], rule.subject) or "") != month:
                runs.append(_Run(rule, tuple(current)))
                current = []
            current.append(f)
        if current:
            runs.append(_Run(rule, tuple(current)))
    return runs


_Span = tuple[dt.date | None, dt.date | None, bool, dt.date | None]


class _Person(NamedTuple):
    """What a breach's span needs of a participant."""

    enrolled_on: dt.date
    left_on: dt.date | None


def _people(result: CheckResult) -> dict[str, _Person]:
    """Each participant's enrolment and leaving day, by pseudonym (from the table's columns: a large contract's
    participants are never built as rows for this)."""
    frame = result.dataset.frames["participants"]
    ids, enrolled, left = (frame[c].to_list() for c in ("participant_id", "enrolled_on", "left_on"))
    return dict(zip(ids, map(_Person._make, zip(enrolled, left, strict=True)), strict=True))


def _participant_span(run: _Run, result: CheckResult, person: _Person | None,
                      names: tuple[str, str] | None) -> _Span:
    """(since, until, ongoing, deadline) of a participant finding; `names` the rule's `deadline_names`."""
    f = run.findings[0]
    active = person is not None and (person.left_on is None or person.left_on > result.as_of)
    if names is not None:
        actual, deadline_name = names
        deadline = _day(f.values.get(deadline_name))
        if f.verdict != "violation":
            return None, None, False, deadline
        since = deadline + dt.timedelta(days=1) if deadline else None
        done = _day(f.values.get(actual))
        ongoing = done is None or done >= result.as_of
        return since, None if ongoing else done, ongoing, deadline
    dates = [d for n, v in f.values.items() if n not in _IGNORED_DATES and (d := _day(v)) is not None]
    since = max(dates) if dates else (person.enrolled_on if person else None)
    return since, None, active and f.verdict == "violation", None


def _span(run: _Run, result: CheckResult, people: dict[str, _Person],
          names: tuple[str, str] | None) -> _Span:
    kind = run.rule.subject
    if kind in ("month", "participant_month"):
        first = _month_of(run.findings[0], kind) or ""
        last = _month_of(run.findings[-1], kind) or ""
        ongoing = _month_last(last) >= result.as_of
        return _month_first(first), None if ongoing else _month_last(last), ongoing, None
    if kind == "year" and names is None:
        year = int(run.findings[0].subject)
        ongoing = dt.date(year, 12, 31) >= result.as_of
        return dt.date(year, 1, 1), None if ongoing else dt.date(year, 12, 31), ongoing, None
    return _participant_span(run, result, people.get(run.findings[0].subject), names)


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def _pkt(point: str | None, lang: str) -> str:
    return f" ({_t(lang, 'pkt.', 'point')} {point})" if point else ""


def next_step(
    result: CheckResult, ongoing: bool, library: dict[str, Clause] | None
) -> tuple[str, dt.date | None]:
    """The next step of the sanction ladder for a breach, and its date (if sent on the report date)."""
    rs, lang, day = result.ruleset, result.lang, result.as_of
    params = {name: p for name, p in rs.parameters.items()}

    def quantity(name: str) -> str:
        p = params[name]
        return l10n.quantity(p.at(day), p.unit, lang)

    def point(paragraph: int) -> str | None:
        return contract_point(rs, library, SANCTIONS, paragraph=paragraph) if library is not None else None

    if ongoing and "remedy_deadline_days" in params:
        days = params["remedy_deadline_days"].at(day)
        due = day + dt.timedelta(days=int(days)) if isinstance(days, (int, float)) else None
        until = _t(lang, f", til {l10n.date(due, lang)}", f", until {l10n.date(due, lang)}") if due else ""
        text = _t(lang, f"Påkrav med {quantity('remedy_deadline_days')}s frist{until}",
                  f"Formal notice with {quantity('remedy_deadline_days')} to remedy{until}")
        text += _pkt(point(NOTICE), lang)
        if "penalty_per_week_dkk" in params:
            amount = l10n.money(params["penalty_per_week_dkk"].at(day), lang)
            text += _t(lang, f"; derefter bod {amount} pr. påbegyndt uge",
                       f"; then a penalty of {amount} per week begun")
            text += _pkt(point(PENALTY), lang)
        return text + ".", due
    if not ongoing and ("documentation_deadline_days" in params or "remedy_deadline_days" in params):
        name = "documentation_deadline_days" if "documentation_deadline_days" in params else "remedy_deadline_days"
        days = params[name].at(day)
        due = day + dt.timedelta(days=int(days)) if isinstance(days, (int, float)) else None
        until = _t(lang, f", til {l10n.date(due, lang)}", f", until {l10n.date(due, lang)}") if due else ""
        text = _t(lang, f"Påtale og krav om redegørelse inden {quantity(name)}{until}",
                  f"Reprimand asking for an account within {quantity(name)}{until}")
        marker = point(MATERIAL)
        if marker:
            text += _t(lang, f" (gentagne brud: pkt. {marker})", f" (repeated breaches: point {marker})")
        return text + ".", due
    return _t(lang, "Send skriftligt påkrav efter kontraktens sanktionsbestemmelse.",
              "Send a written formal notice under the contract's sanction clause."), None


def _matters(
    result: CheckResult, library: dict[str, Clause] | None, verdicts: tuple[str, ...]
) -> Iterator[tuple[_Run, _Span, str | None, str, dt.date | None]]:
    """Each run of findings (`_runs`) with its span, contract point, and next step and its date: what a
    `Breach` is made of, in no particular order."""
    people = _people(result)
    points = {r.id: contract_point(result.ruleset, library, r.clause, rule_id=r.id) if library else None
              for r in result.ruleset.rules}
    deadlines = {r.id: deadline_names(r, result.ruleset) for r in result.ruleset.rules}
    steps: dict[bool, tuple[str, dt.date | None]] = {}  # the next step depends on the check and `ongoing` only
    for run in _runs(result, verdicts):
        span = _span(run, result, people, deadlines[run.rule.id])
        ongoing, deadline = span[2], span[3]
        if run.findings[0].verdict == "violation":
            if ongoing not in steps:
                steps[ongoing] = next_step(result, ongoing, library)
            step, date = steps[ongoing]
        else:
            step, date = "", deadline
        yield run, span, points[run.rule.id], step, date


def breaches(
    result: CheckResult, library: dict[str, Clause] | None = None, verdicts: tuple[str, ...] = ("violation",)
) -> list[Breach]:
    """Open matters of a check, most severe first, then oldest first.

    Violations over consecutive months of one rule and participant (or the programme) are one breach;
    an ongoing breach comes before an ended one of the same verdict.
    """
    library = library if library is not None else _library()
    titles = {r.id: r.title.get(result.lang) for r in result.ruleset.rules}
    out = []
    for run, (since, until, ongoing, deadline), point, step, date in _matters(result, library, verdicts):
        first, last = run.findings[0], run.findings[-1]
        who = first.subject if run.rule.subject == "participant" else (
            first.subject.rsplit("@", 1)[0] if run.rule.subject == "participant_month" else "")
        out.append(Breach(
            rule=run.rule.id, title=titles[run.rule.id], verdict=first.verdict, kind=run.rule.subject, who=who,
            subjects=tuple(f.subject for f in run.findings), since=since,
            by_month=run.rule.subject in ("month", "participant_month"), until=until, ongoing=ongoing,
            months=len(run.findings) if run.rule.subject in ("month", "participant_month") else 0,
            deadline=deadline, message=last.message, point=point, next_step=step, next_date=date,
        ))
    out.sort(key=lambda b: (_RANK[b.verdict], not b.ongoing, b.since or b.deadline or dt.date.max, b.who, b.rule))
    return out


def upcoming(result: CheckResult, library: dict[str, Clause] | None = None) -> list[Breach]:
    """Deadlines coming due (warnings and due findings), soonest first."""
    found = breaches(result, library, verdicts=("warning", "due"))
    return sorted(found, key=lambda b: (b.deadline or dt.date.max, b.who, b.rule))


def _library() -> dict[str, Clause] | None:
    try:
        return load_library()
    except Exception:  # a broken clause folder must not stop a check's output; points are then unknown
        return None


#: What the documents layer adds to a check's findings, by (rule, subject) of each breach: "since" (the
#: first month, YYYY-MM, or day of the breach a violation belongs to; None when it cannot be known) and
#: "steps" ((contract point, next step) under each violation). Made once, for the JSON and the text alike.
FindingNotes = dict[str, dict[tuple[str, str], Any]]


def finding_notes(result: CheckResult) -> FindingNotes:
    """The since and next step of every breach of a check (`FindingNotes`), from one pass over its breaches."""
    since: dict[tuple[str, str], str | None] = {}
    steps: dict[tuple[str, str], tuple[str | None, str]] = {}
    for run, span, point, step, _ in _matters(result, _library(), ("violation",)):  # as `breaches` has them
        first = span[0]
        text = None
        if first is not None:
            text = first.strftime("%Y-%m") if run.rule.subject in ("month", "participant_month") else first.isoformat()
        for f in run.findings:
            since[(f.rule, f.subject)] = text
            steps[(f.rule, f.subject)] = (point, step)
    return {"since": since, "steps": steps}


def finding_context(
    result: CheckResult, findings: list[Finding], notes: FindingNotes
) -> list[tuple[str | None, str | None]]:
    """(since, contract point) for each of `findings`: since as YYYY-MM for month runs, else a day.

    `since` is the first month or day of the breach a violation belongs to (None for other verdicts, or
    when it cannot be known); the point is the contract annex point of the rule's clause paragraph.
    `notes` are the check's `finding_notes`.
    """
    library = _library()
    since = notes["since"]
    points = {rule.id: contract_point(result.ruleset, library, rule.clause, rule_id=rule.id) if library else None
              for rule in result.ruleset.rules}
    return [(since.get((f.rule, f.subject)), points.get(f.rule)) for f in findings]


def check_json(result: CheckResult, include_ok: bool = False, notes: FindingNotes | None = None) -> dict[str, Any]:
    """The `check --format json` document, with since and contract point per finding (`notes`: the
    check's `finding_notes`, when already made)."""
    made = notes if notes is not None else finding_notes(result)
    return result.to_json(include_ok, context=lambda r, shown: finding_context(r, shown, made))


def check_text(result: CheckResult, include_ok: bool = False, notes: FindingNotes | None = None) -> str:
    """The `check` text report, with the contract point and next step under each violation (`notes`: the
    check's `finding_notes`, when already made)."""
    return output.check_text(result, include_ok, steps=(notes if notes is not None else finding_notes(result))["steps"])
