"""`ledger report`: the compliance report of the latest submission, plus the contract's history.

The latest submission is re-read from its stored files and re-checked with its stored rule set (as
`verify` does), so the report shows what was recorded, not what the folder holds today. The history is
appended as a section: the breach timeline (a bar per breach from the month it opened to the month it was
resolved), open breaches per submission (chart) and the table of every change.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from html import escape
from pathlib import Path

from procurekit.dataset import read_dataset
from procurekit.documents import Chart, Series, chart, encodings, report_document
from procurekit.evaluation.check import CheckResult, check
from procurekit.ledger.collect import Checker, load_flat
from procurekit.ledger.db import LedgerError
from procurekit.ledger.gantt import Span, breach_timeline
from procurekit.ledger.timeline import Event, Sub, Timeline, events, load

_T = {
    "da": {"history": "Historik i kontraktregistret", "open": "Åbne brud pr. indberetning",
           "resolved": "Løst",
           "breaches": "brud", "month": "Måned", "no": "Nr.", "event": "Hændelse", "rule": "Regel",
           "subject": "Hvem/hvad", "message": "Besked",
           "intro": "{n} indberetninger fra {first} til {last}; hver ændring af en sags vurdering er én linje.",
           "open_alt": "Antal åbne brud efter hver månedlig indberetning.",
           "timeline": "Brud over tid", "still": "Stadig åbent",
           "timeline_alt": "Hvert brud som en bjælke fra den måned, det blev åbnet, til den måned, det blev løst."},
    "en": {"history": "History in the contract ledger", "open": "Open breaches per submission",
           "resolved": "Resolved",
           "breaches": "breaches", "month": "Month", "no": "No.", "event": "Event", "rule": "Rule",
           "subject": "Who/what", "message": "Message",
           "intro": "{n} submissions from {first} to {last}; each change of a case's verdict is one line.",
           "open_alt": "Number of open breaches after each monthly submission.",
           "timeline": "Breaches over time", "still": "Still open",
           "timeline_alt": "Each breach as a bar from the month it opened to the month it was resolved."},
}
_EVENT = {
    "da": {"opened": "åbnet", "resolved": "løst", "reopened": "genåbnet", "due": "frist løber",
           "warning": "advarsel", "cleared": "afsluttet"},
    "en": {"opened": "opened", "resolved": "resolved", "reopened": "reopened", "due": "due",
           "warning": "warning", "cleared": "cleared"},
}


def ledger_report(con: sqlite3.Connection, contract_id: str, fmt: str, lang: str = "da",
                  checker: Checker = check) -> bytes:
    """The report of the contract's latest submission with its history, in `fmt` (html, pdf, docx, md).

    Raises:
        LedgerError: the contract is not in the ledger or has no submission.
    """
    tl = _timeline(con, contract_id)
    result = latest_check(con, contract_id, lang, checker)
    evs, _ = events(tl)
    with encodings("svg" if fmt == "html" else "png"):  # as report_document draws its own charts
        appendix = _appendix(tl, evs, lang)
    return report_document(result, fmt, appendix=appendix)[""]


def _timeline(con: sqlite3.Connection, contract_id: str) -> Timeline:
    tl = load(con, contract_id)
    if not tl.subs:
        raise LedgerError(f"contract '{contract_id}' has no submission")
    return tl


def latest_files(con: sqlite3.Connection, contract_id: str) -> dict[str, bytes]:
    """The files of the contract's latest submission, as stored (name → content)."""
    latest = _timeline(con, contract_id).subs[-1]
    files = con.execute(
        "SELECT f.name, b.content FROM submission_file f JOIN blob b ON b.sha256 = f.sha256 WHERE f.submission = ?",
        (latest.id,),
    ).fetchall()
    return {name: bytes(content) for name, content in files}


def latest_check(con: sqlite3.Connection, contract_id: str, lang: str = "da",
                 checker: Checker = check) -> CheckResult:
    """The check of the latest submission, re-read from its stored files with its stored rule set (by
    `checker`: `check`, or `batch.check_apart` in a process the engine must not take down)."""
    latest = _timeline(con, contract_id).subs[-1]
    row = con.execute(
        "SELECT s.as_of, s.engine, r.ruleset_id, b.content FROM submission s JOIN ruleset r ON r.id = s.ruleset "
        "JOIN blob b ON b.sha256 = r.flat_sha256 WHERE s.id = ?", (latest.id,),
    ).fetchone()
    rs = load_flat(bytes(row[3]), row[2])
    with tempfile.TemporaryDirectory(prefix="procurekit-report-") as tmp:
        for name, content in latest_files(con, contract_id).items():
            (Path(tmp) / name).write_bytes(content)
        return checker(read_dataset(tmp), rs, as_of=dt.date.fromisoformat(row[0]), engine=row[1], lang=lang)


def history_charts(con: sqlite3.Connection, contract_id: str, lang: str = "da") -> dict[str, Chart]:
    """The history charts of the report: the breach timeline and open breaches per submission."""
    tl = _timeline(con, contract_id)
    evs, _ = events(tl)
    return _appendix(tl, evs, lang)[1]


def _appendix(tl: Timeline, evs: list[Event], lang: str) -> tuple[str, dict[str, Chart]]:
    t = _T[lang]
    subs = tl.subs
    months = [s.month for s in subs]
    open_now: set[tuple[str, str]] = set()
    open_counts = []
    for s in subs:
        mine = [e for e in evs if e.submission == s.id]
        for e in mine:
            if e.event in ("opened", "reopened"):
                open_now.add((e.rule, e.case))
            elif e.event == "resolved":
                open_now.discard((e.rule, e.case))
        open_counts.append(float(len(open_now)))
    charts = {
        "ledger_timeline": breach_timeline(
            t["timeline"], months, _spans(evs, subs), alt=t["timeline_alt"], legend=(t["still"], t["resolved"])),
        "ledger_open": chart(t["open"], months, [Series(t["open"], open_counts, "step")],
                             y_label=t["breaches"], lang=lang, alt=t["open_alt"]),
    }
    parts = [f"<h2>{escape(t['history'])}</h2>",
             f"<p>{escape(t['intro'].format(n=len(subs), first=months[0], last=months[-1]))}</p>"]
    for name in ("ledger_timeline", "ledger_open"):
        parts.append(f'<figure data-chart="{name}">{charts[name].svg}'
                     f"<figcaption>{escape(charts[name].alt)}</figcaption></figure>")
    head = "".join(f"<th>{escape(t[k])}</th>" for k in ("month", "no", "event", "rule", "subject", "message"))
    rows = [f"<table><tr>{head}</tr>"]
    for e in evs:
        cells = [e.month, str(e.submission), _EVENT[lang][e.event], e.rule, e.case or e.subject, e.message]
        cls = ' class="violation"' if e.event in ("opened", "reopened") else ""
        rows.append("<tr>" + "".join(f"<td{cls if i == 2 else ''}>{escape(c)}</td>" for i, c in enumerate(cells))
                    + "</tr>")
    rows.append("</table>")
    parts.append("\n".join(rows))
    return "\n".join(parts) + "\n", charts


def _spans(evs: list[Event], subs: list[Sub]) -> list[Span]:
    """Each run of a breach, from the submission that opened it to the one before it was resolved."""
    index = {s.id: i for i, s in enumerate(subs)}
    started: dict[tuple[str, str], tuple[int, str]] = {}
    out: list[Span] = []
    for e in evs:
        key = (e.rule, e.case)
        if e.event in ("opened", "reopened"):
            started[key] = (index[e.submission], f"{e.rule} {e.case or e.subject}")
        elif e.event == "resolved" and key in started:
            first, label = started.pop(key)
            out.append(Span(label, first, index[e.submission] - 1, False))
    out += [Span(label, first, len(subs) - 1, True) for first, label in started.values()]
    return sorted(out, key=lambda s: (s.first, s.label))
