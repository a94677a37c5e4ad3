"""Formatting results for people (text) and programs (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import orjson

from procurekit import l10n
from procurekit.evaluation.check import CheckResult, Finding
from procurekit.ruleset.load import RuleSet

_WORDS = {
    "da": {"as_of": "opgjort pr.", "summary": "Resumé", "not_evaluated": "Ikke vurderet"},
    "en": {"as_of": "as of", "summary": "Summary", "not_evaluated": "Not evaluated"},
}


#: (contract point, next step) per (rule, subject) of a violation: see `check_text`.
NextSteps = Mapping[tuple[str, str], tuple[str | None, str]]


def check_text(result: CheckResult, include_ok: bool = False, steps: NextSteps | None = None) -> str:
    """A readable report of a check, grouped by rule.

    Args:
        result: the check.
        include_ok: also list the ok findings.
        steps: the contract point and next step under each violation. They come from the documents layer
            (the clause library), which sits above this one: `procurekit.check_text` passes
            `documents.actions.finding_notes(result)["steps"]`.
    """
    lang = result.lang
    rs = result.ruleset
    words = _WORDS[lang]
    lines = [
        f"{result.dataset.contract.contract_id} · {rs.id} {rs.version} · {words['as_of']} "
        f"{result.as_of.isoformat()} · engine {result.engine}",
        *result.notes,
        f"{words['summary']}: "
        + ", ".join(f"{l10n.verdict(v, lang, plural=True)} {n}" for v, n in result.summary.items()),
        "",
    ]
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_rule[f.rule].append(f)
    steps = steps or {}
    point_word = "pkt." if lang == "da" else "point"
    for rule in rs.rules:
        found = by_rule.get(rule.id, [])
        counts = result.tally(rule.id, found)  # ok verdicts too when only counted
        if not counts:
            continue
        tally = ", ".join(f"{l10n.verdict(v, lang, plural=True)} {n}" for v, n in counts.items())
        lines.append(f"{rule.id} — {rule.title.get(lang)} [{tally}]")
        shown = [f for f in found if include_ok or f.verdict != "ok"]
        width = max((len(f.subject) for f in shown), default=0)
        for f in shown:
            lines.append(f"  {l10n.verdict(f.verdict, lang).upper():<12} {f.subject:<{width}}  {f.message}")
            step = steps.get((f.rule, f.subject))
            if step is not None:
                point, next_step = step
                where = f"{point_word} {point} · " if point else ""
                lines.append(f"  {'':<12} {'':<{width}}  → {where}{next_step}")
        lines.append("")
    if result.not_evaluated:
        lines.append(f"{words['not_evaluated']}:")
        for n in result.not_evaluated:
            lines.append(f"  {n.rule}" + (f" {n.subject}" if n.subject else "") + f": {n.reason}")
        lines.append("")
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """Stable, UTF-8 JSON (Danish letters kept as they are), indented by two spaces, keys in their order.

    Written by orjson (a large check's 20 MB in 0.05 s; the standard library's indenting encoder is pure
    Python, 0.7 s): the bytes of `json.dumps(data, ensure_ascii=False, indent=2)`, but a tiny float's
    exponent (1e-7, not 1e-07). What orjson does not take (an integer beyond 64 bits, a key that is not
    text) goes to the standard library.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def ruleset_json(rs: RuleSet) -> dict[str, Any]:
    """A resolved rule set as JSON (for `rules show --format json`)."""
    return {
        "id": rs.id,
        "title": rs.title.model_dump(),
        "jurisdiction": rs.jurisdiction,
        "version": rs.version,
        "lineage": list(rs.lineage),
        "digest": rs.digest,
        "parameters": {
            name: {
                "values": [
                    {"since": None if d.year == 1 else d.isoformat(), "value": _jsonable(v), "source": s}
                    for d, v, s in p.values
                ],
                "unit": p.unit,
                "description": p.description,
                "source": p.source,
                "confidence": p.confidence,
                "defined_in": p.defined_in,
            }
            for name, p in rs.parameters.items()
        },
        "rules": [{**r.source, "defined_in": r.defined_in} for r in rs.rules],
    }


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def ruleset_text(rs: RuleSet, lang: str = "da") -> str:
    """A resolved rule set for reading in a terminal: sources and references read with the latest values
    filled in ("højst 18 måneder", not "højst {max_course_months}"), as the documents show them."""
    latest = dt.date.max
    lines = [f"{rs.id} {rs.version} — {rs.title.get(lang)}", f"lineage: {' → '.join(rs.lineage)}", ""]
    lines.append("Parameters:")
    for name, p in rs.parameters.items():
        dated = ", ".join(
            (f"{v} from {d.isoformat()}" if d.year > 1 else str(v)) for d, v, _ in p.values
        )
        conf = f" [{p.confidence}]" if p.confidence else ""
        lines.append(f"  {name} = {dated} {p.unit}{conf}")
        lines.append(f"      {p.description}")
        lines.append(f"      source: {rs.source(p, latest).strip()}")
    lines.append("")
    lines.append("Rules:")
    for r in rs.rules:
        lines.append(f"  {r.id} ({r.subject}) — {r.title.get(lang)}")
        src = r.source
        if src.get("applies"):
            lines.append(f"      applies:   {src['applies'].strip()}")
        for name, expr in src.get("let", {}).items():
            lines.append(f"      let {name} = {expr.strip()}")
        lines.append(f"      condition: {src['condition'].strip()}  (else {r.severity})")
        for key in ("warning", "due"):
            if src.get(key):
                lines.append(f"      {key}: {src[key].strip()}")
        lines.append(f"      clause: {r.clause}; reference: {rs.reference(r, latest)}")
    return "\n".join(lines) + "\n"


"""The `-o` value for standard output (a str; a file named "-" is the Path `./-`)."""

"""Seconds after which a temporary file of ours counts as left behind even if its pid runs (pid reuse)."""
