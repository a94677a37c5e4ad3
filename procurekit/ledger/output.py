"""The ledger's outputs for people (text, in the style of `check`) and programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from procurekit import l10n
from procurekit.ledger.timeline import Event
from procurekit.ruleset.load import VERDICTS

_WORDS = {
    "da": {
        "latest": "seneste indberetning nr.", "for": "for", "as_of": "opgjort pr.", "status": "status pr.",
        "open": "Åbne brud", "none": "ingen", "since": "siden", "months": "mdr.", "month": "md.",
        "opened": "Nye med seneste indberetning", "resolved": "Løst med seneste indberetning",
        "due": "Frister og varsler", "missing": "Måneder uden indberetning", "deadline": "frist",
        "days": "dage", "ago": "siden", "in": "om", "history": "historik", "submission": "nr.",
        "submissions": "indberetninger", "contract": "kontrakt", "received": "modtaget",
    },
    "en": {
        "latest": "latest submission no.", "for": "for", "as_of": "as of", "status": "status as of",
        "open": "Open breaches", "none": "none", "since": "since", "months": "months", "month": "month",
        "opened": "New with the latest submission", "resolved": "Resolved with the latest submission",
        "due": "Deadlines and warnings", "missing": "Months without a submission", "deadline": "deadline",
        "days": "days", "ago": "ago", "in": "in", "history": "history", "submission": "no.",
        "submissions": "submissions", "contract": "contract", "received": "received",
    },
}
_COUNTS = {lang: {v: l10n.verdict(v, lang, plural=True) for v in ("violation", "warning", "due")}
           for lang in ("da", "en")}
_LABEL = {
    "da": {**{v: l10n.verdict(v, "da").upper() for v in VERDICTS},
           "opened": "ÅBNET", "resolved": "LØST", "reopened": "GENÅBNET", "cleared": "AFSLUTTET"},
    "en": {**{v: l10n.verdict(v, "en").upper() for v in VERDICTS},
           "opened": "OPENED", "resolved": "RESOLVED", "reopened": "REOPENED", "cleared": "CLEARED"},
}


def to_json(data: Any) -> str:
    """Stable UTF-8 JSON, as every procurekit command writes it."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _who(case: str, subject: str) -> str:
    return case or subject


def status_text(statuses: list[dict[str, Any]], lang: str = "da") -> str:
    """Each contract's status, in the style of `check`'s text output."""
    return "\n".join(_one_status(s, lang) for s in statuses)


def _one_status(s: dict[str, Any], lang: str) -> str:
    w, lab = _WORDS[lang], _LABEL[lang]
    latest = s["latest"]
    lines = [
        f"{s['contract']} · {w['latest']} {latest['submission']} {w['for']} {latest['month']} "
        f"({w['as_of']} {latest['as_of']}) · {w['status']} {s['as_of']}",
        "",
        f"{w['open']}: {len(s['open_breaches']) or w['none']}",
    ]
    for b in s["open_breaches"]:
        unit = w["month"] if b["months"] == 1 else w["months"]
        since = f"{b['since']} ({b['months']} {unit})"
        if b["since_day"] and b["days"] is not None:
            since = f"{b['since_day']} ({b['days']} {w['days']})"
        lines.append(f"  {lab['violation']:<12} {b['rule']}  {_who(b['case'], b['subject'])}  "
                     f"{w['since']} {since}  {b['message']}")
    for key in ("opened", "resolved"):
        lines += ["", f"{w[key]}: {len(s[key]) or w['none']}"]
        for e in s[key]:
            who = _who(e["case"], e["subject"])
            lines.append(f"  {lab[e['event']]:<12} {e['rule']}  {who}  {e['message']}".rstrip())
    lines += ["", f"{w['due']}: {len(s['due']) or w['none']}"]
    for d in s["due"]:
        when = ""
        if d["deadline"]:
            days = d["days_left"]
            rel = f"{w['in']} {days} {w['days']}" if days >= 0 else f"{-days} {w['days']} {w['ago']}"
            when = f"{w['deadline']} {d['deadline']} ({rel})  "
        lines.append(f"  {lab[d['verdict']]:<12} {d['rule']}  {d['subject']}  {when}{d['message']}")
    missing = s["missing_months"]
    lines += ["", f"{w['missing']}: {', '.join(missing) if missing else w['none']}", ""]
    return "\n".join(lines)


def history_text(contract: str, events: list[Event], lang: str = "da") -> str:
    """One line per change: month, submission, event, rule, case, message."""
    w, lab = _WORDS[lang], _LABEL[lang]
    lines = [f"{contract} · {w['history']}", ""]
    rule_w = max((len(e.rule) for e in events), default=0)
    who_w = max((len(_who(e.case, e.subject)) for e in events), default=0)
    for e in events:
        since = f"{w['since']} {e.since}  " if e.event in ("opened", "reopened") and e.since != e.month else ""
        lines.append(
            f"{e.month}  {w['submission']} {e.submission:<4} {lab[e.event]:<12} {e.rule:<{rule_w}}  "
            f"{_who(e.case, e.subject):<{who_w}}  {since}{e.message or '→ ' + lab[e.after]}".rstrip()
        )
    return "\n".join(lines) + "\n"


HISTORY_COLUMNS = ["submission", "month", "as_of", "event", "rule", "case", "subject", "from", "to", "since", "message"]


def history_csv(events: list[Event]) -> str:
    """The history as CSV (UTF-8, comma-separated, header row)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for e in events:
        doc = e.to_json()
        writer.writerow([doc[c] for c in HISTORY_COLUMNS])
    return buf.getvalue()


def list_text(contracts: list[dict[str, Any]], lang: str = "da") -> str:
    """Contracts and their submissions, one line each."""
    w = _WORDS[lang]
    lines = []
    for c in contracts:
        lines.append(f"{c['contract']} · {len(c['submissions'])} {w['submissions']}")
        for s in c["submissions"]:
            sm = s["summary"]
            note = f"  {s['note']}" if s["note"] else ""
            received = f"  {w['received']} {s['received']}" if s["received"] else ""
            lines.append(
                f"  {w['submission']} {s['submission']:<4} {s['month']}  {w['as_of']} {s['as_of']}  "
                f"{s['ruleset']['id']} {s['ruleset']['version']}  "
                + ", ".join(f"{_COUNTS[lang][v]} {sm[v]}" for v in ("violation", "warning", "due"))
                + f"{received}{note}"
            )
        lines.append("")
    return "\n".join(lines)
