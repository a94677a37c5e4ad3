"""Verdict history and status: the cases of each submission, in the order of the month they report.

A *case* is one rule on one participant (participant-months of one participant are one case, judged by
its latest month), or one month or year rule on the whole contract (judged by the latest month or year).
Walking a contract's submissions in order of `as_of` (then submission number), each change of a case's
verdict is an event: `opened` (first violation), `resolved` (violation → not a violation), `reopened`
(violation again), `due` / `warning` (a deadline or a warning window begins) and `cleared` (it ends
without a violation). A rule the submission could not evaluate at all keeps its cases as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from procurekit.ledger.db import LedgerError
from procurekit.months import month_index, month_of, month_text, parse_month


@dataclass(frozen=True)
class Sub:
    """A submission as the timeline sees it."""

    id: int
    month: str
    as_of: str
    ruleset: int


@dataclass(frozen=True)
class CaseRow:
    """One case's non-ok state in one submission."""

    rule: str
    case: str
    verdict: str
    since_subject: str
    latest_subject: str
    message: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Event:
    """One change of a case's verdict, with the submission that showed it."""

    submission: int
    month: str
    as_of: str
    event: str
    rule: str
    case: str
    subject: str
    before: str
    after: str
    since: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a history line."""
        return {
            "submission": self.submission, "month": self.month, "as_of": self.as_of, "event": self.event,
            "rule": self.rule, "case": self.case, "subject": self.subject, "from": self.before,
            "to": self.after, "since": self.since, "message": self.message,
        }


@dataclass
class Timeline:
    """A contract's submissions up to a day, their cases and the rules each could not evaluate."""

    contract_id: str
    contract: dict[str, Any]
    subs: list[Sub]
    cases: dict[int, dict[tuple[str, str], CaseRow]] = field(default_factory=dict)
    skipped: dict[int, set[str]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def contract_ids(con: sqlite3.Connection) -> list[str]:
    """Every contract in the ledger, by id."""
    return [r[0] for r in con.execute("SELECT contract_id FROM contract ORDER BY contract_id")]


def load(con: sqlite3.Connection, contract_id: str, as_of: dt.date | None = None) -> Timeline:
    """A contract's timeline, submissions checked as of `as_of` or earlier (default: all).

    Raises:
        LedgerError: no such contract in the ledger.
    """
    row = con.execute("SELECT id FROM contract WHERE contract_id = ?", (contract_id,)).fetchone()
    if row is None:
        known = ", ".join(contract_ids(con)) or "none yet"
        raise LedgerError(f"contract '{contract_id}' is not in the ledger (contracts: {known})")
    limit = as_of.isoformat() if as_of else "9999-12-31"
    rows = con.execute(
        "SELECT id, month, as_of, ruleset, contract_json FROM submission WHERE contract = ? AND as_of <= ? "
        "ORDER BY as_of, id",
        (row[0], limit),
    ).fetchall()
    subs = [Sub(r[0], r[1], r[2], r[3]) for r in rows]
    contract = json.loads(rows[-1][4]) if rows else _any_contract(con, row[0])
    tl = Timeline(contract_id, contract, subs)
    ids = [s.id for s in subs]
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for r in con.execute(
            f"SELECT submission, rule, case_subject, verdict, since_subject, latest_subject, message, values_json "
            f"FROM case_state WHERE submission IN ({marks})", chunk,
        ):
            tl.cases.setdefault(r[0], {})[(r[1], r[2])] = CaseRow(r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]))
        for r in con.execute(
            f"SELECT submission, rule FROM not_evaluated WHERE subject IS NULL AND submission IN ({marks})", chunk
        ):
            tl.skipped.setdefault(r[0], set()).add(r[1])
    if subs:
        for r in con.execute(
            "SELECT rule, subject_kind, title_da, title_en, lets FROM ruleset_rule WHERE ruleset = ? ORDER BY position",
            (subs[-1].ruleset,),
        ):
            tl.rules[r[0]] = {"kind": r[1], "da": r[2], "en": r[3], "lets": json.loads(r[4])}
    return tl


def _any_contract(con: sqlite3.Connection, cid: int) -> dict[str, Any]:
    row = con.execute("SELECT contract_json FROM submission WHERE contract = ? ORDER BY as_of, id", (cid,)).fetchone()
    return json.loads(row[0]) if row else {}


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def events(tl: Timeline) -> tuple[list[Event], dict[tuple[str, str], str]]:
    """Every change of every case, in order; and for each case open at the end, the month its run began."""
    prev: dict[tuple[str, str], CaseRow] = {}
    ever: set[tuple[str, str]] = set()
    run_start: dict[tuple[str, str], str] = {}
    out: list[Event] = []
    for sub in tl.subs:
        current = dict(tl.cases.get(sub.id, {}))
        skipped = tl.skipped.get(sub.id, set())
        for key in sorted(set(prev) | set(current)):
            if key[0] in skipped:
                if key in prev:
                    current[key] = prev[key]
                continue
            a, b = prev.get(key), current.get(key)
            before, after = (a.verdict if a else "ok"), (b.verdict if b else "ok")
            if before == after:
                continue
            kind = _kind(before, after, key in ever)
            if after == "violation":
                ever.add(key)
                run_start[key] = min(sub.month, _month_of(b.since_subject) or sub.month) if b else sub.month
            shown = b or a
            assert shown is not None
            subject = b.latest_subject if b else (key[1] or sub.month)
            out.append(Event(sub.id, sub.month, sub.as_of, kind, key[0], key[1], subject, before, after,
                             run_start.get(key, sub.month) if after == "violation" else "",
                             shown.message if b else ""))
        prev = current
    return out, {k: v for k, v in run_start.items() if k in prev and prev[k].verdict == "violation"}


def _kind(before: str, after: str, was_violation: bool) -> str:
    if after == "violation":
        return "reopened" if was_violation else "opened"
    if before == "violation":
        return "resolved"
    if after in ("due", "warning"):
        return after
    return "cleared"


def _month_of(subject: str) -> str | None:
    tail = subject.rsplit("@", 1)[-1]
    if len(tail) == 7 and tail[4] == "-" and tail[:4].isdigit() and tail[5:].isdigit():
        return tail
    return None


def months_between(first: str, last: str) -> int:
    """Months from `first` to `last` (YYYY-MM), both counted."""
    return parse_month(last) - parse_month(first) + 1


def history(
    con: sqlite3.Connection, contract_id: str, subject: str | None = None, rule: str | None = None
) -> list[Event]:
    """The verdict timeline of a contract, one event per change, optionally for one subject or rule.

    `subject` is a participant (its participant-months included) or a month (YYYY-MM: the month rules'
    events shown by that month, and the participant-months of that month).
    """
    out, _ = events(load(con, contract_id))
    if rule is not None:
        out = [e for e in out if e.rule == rule]
    if subject is not None:
        if _month_of(subject) == subject:
            out = [e for e in out if e.subject == subject or e.subject.endswith(f"@{subject}")
                   or (e.case == "" and e.month == subject)]
        elif "@" in subject:  # one participant-month: its participant's events shown by that month
            out = [e for e in out if e.subject == subject]
        else:
            out = [e for e in out if e.case == subject]
    return out


def expected_months(contract: dict[str, Any], day: dt.date) -> list[str]:
    """Every month of the contract that has ended by `day` (a submission for it is expected)."""
    start, end = dt.date.fromisoformat(contract["start"]), dt.date.fromisoformat(contract["end"])
    out = []
    for index in range(month_index(start), month_index(end) + 1):
        if min(month_of(index)[1], end) > day:
            break
        out.append(month_text(index))
    return out


def deadline_of(row: CaseRow, lets: list[str]) -> str | None:
    """The first date-valued `let` of the rule in the case's values (a job-offer deadline, a course cap)."""
    for name in lets:
        value = row.values.get(name)
        if isinstance(value, str) and len(value) == 10:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                continue
            return value
    return None


def status(con: sqlite3.Connection, contract_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """One contract's status: open breaches, what changed with the latest submission, deadlines, gaps."""
    tl = load(con, contract_id, as_of)
    if not tl.subs:
        raise LedgerError(f"contract '{contract_id}' has no submission checked as of {as_of} or earlier")
    end = dt.date.fromisoformat(tl.contract["end"])
    day = as_of or min(dt.date.today(), end)
    latest = tl.subs[-1]
    evs, starts = events(tl)
    now = _month_of(day.strftime("%Y-%m")) or latest.month
    rows = tl.cases.get(latest.id, {})
    open_rows = [r for r in rows.values() if r.verdict == "violation"]

    def title(rule: str) -> dict[str, str]:
        info = tl.rules.get(rule, {})
        return {"da": info.get("da", rule), "en": info.get("en", rule)}

    breaches = []
    for r in sorted(open_rows, key=lambda r: (starts.get((r.rule, r.case), latest.month), r.rule, r.case)):
        since = starts.get((r.rule, r.case), latest.month)
        deadline = deadline_of(r, tl.rules.get(r.rule, {}).get("lets", []))
        # A breached deadline (course cap, job-offer deadline) gives the first day of the breach.
        first_day = dt.date.fromisoformat(deadline) + dt.timedelta(days=1) if deadline else None
        breaches.append({
            "rule": r.rule, "title": title(r.rule), "case": r.case, "subject": r.latest_subject,
            "since": since, "months": months_between(since, max(now, since)),
            "since_day": first_day.isoformat() if first_day else None,
            "days": (day - first_day).days + 1 if first_day and first_day <= day else None,
            "message": r.message, "deadline": deadline,
        })
    due = []
    for r in sorted((r for r in rows.values() if r.verdict in ("due", "warning")), key=lambda r: (r.rule, r.case)):
        deadline = deadline_of(r, tl.rules.get(r.rule, {}).get("lets", []))
        days = (dt.date.fromisoformat(deadline) - day).days if deadline else None
        due.append({"rule": r.rule, "title": title(r.rule), "verdict": r.verdict, "subject": r.latest_subject,
                    "deadline": deadline, "days_left": days, "message": r.message})
    reported = {s.month for s in tl.subs}
    return {
        "contract": contract_id,
        "as_of": day.isoformat(),
        "latest": {"submission": latest.id, "month": latest.month, "as_of": latest.as_of},
        "submissions": len(tl.subs),
        "open_breaches": breaches,
        "opened": [e.to_json() for e in evs if e.submission == latest.id and e.event in ("opened", "reopened")],
        "resolved": [e.to_json() for e in evs if e.submission == latest.id and e.event == "resolved"],
        "due": due,
        "missing_months": [m for m in expected_months(tl.contract, day) if m not in reported],
    }
