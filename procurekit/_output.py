"""Formatting results for people (text) and programs (JSON), and writing files atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from ._check import CheckResult, Finding
from ._rules import RuleSet
from .errors import OutputError

_LABEL = {
    "da": {"violation": "OVERTRÆDELSE", "warning": "ADVARSEL", "due": "FORFALDER", "ok": "OK"},
    "en": {"violation": "VIOLATION", "warning": "WARNING", "due": "DUE", "ok": "OK"},
}
_WORDS = {
    "da": {"as_of": "opgjort pr.", "summary": "Resumé", "not_evaluated": "Ikke vurderet",
           "violation": "overtrædelser", "warning": "advarsler", "due": "forfaldne", "ok": "ok"},
    "en": {"as_of": "as of", "summary": "Summary", "not_evaluated": "Not evaluated",
           "violation": "violations", "warning": "warnings", "due": "due", "ok": "ok"},
}


def check_text(result: CheckResult, include_ok: bool = False) -> str:
    """A readable report of a check, grouped by rule."""
    lang = result.lang
    rs = result.ruleset
    labels, words = _LABEL[lang], _WORDS[lang]
    lines = [
        f"{result.dataset.contract.contract_id} · {rs.id} {rs.version} · {words['as_of']} "
        f"{result.as_of.isoformat()} · engine {result.engine}",
        f"{words['summary']}: " + ", ".join(f"{words[v]} {n}" for v, n in result.summary.items()),
        "",
    ]
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_rule[f.rule].append(f)
    from ._actions import breaches

    steps = {(b.rule, s): b for b in breaches(result) for s in b.subjects}
    point_word = "pkt." if lang == "da" else "point"
    for rule in rs.rules:
        found = by_rule.get(rule.id)
        if not found:
            continue
        counts: dict[str, int] = defaultdict(int)
        for f in found:
            counts[f.verdict] += 1
        tally = ", ".join(f"{words[v]} {n}" for v, n in counts.items())
        lines.append(f"{rule.id} — {rule.title.get(lang)} [{tally}]")
        shown = [f for f in found if include_ok or f.verdict != "ok"]
        width = max((len(f.subject) for f in shown), default=0)
        for f in shown:
            lines.append(f"  {labels[f.verdict]:<12} {f.subject:<{width}}  {f.message}")
            breach = steps.get((f.rule, f.subject))
            if breach is not None:
                where = f"{point_word} {breach.point} · " if breach.point else ""
                lines.append(f"  {'':<12} {'':<{width}}  → {where}{breach.next_step}")
        lines.append("")
    if result.not_evaluated:
        lines.append(f"{words['not_evaluated']}:")
        for n in result.not_evaluated:
            lines.append(f"  {n.rule}" + (f" {n.subject}" if n.subject else "") + f": {n.reason}")
        lines.append("")
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """Stable, UTF-8 JSON (Danish letters kept as they are)."""
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
    """A resolved rule set for reading in a terminal."""
    lines = [f"{rs.id} {rs.version} — {rs.title.get(lang)}", f"lineage: {' → '.join(rs.lineage)}", ""]
    lines.append("Parameters:")
    for name, p in rs.parameters.items():
        dated = ", ".join(
            (f"{v} from {d.isoformat()}" if d.year > 1 else str(v)) for d, v, _ in p.values
        )
        conf = f" [{p.confidence}]" if p.confidence else ""
        lines.append(f"  {name} = {dated} {p.unit}{conf}")
        lines.append(f"      {p.description}")
        lines.append(f"      source: {p.source.strip()}")
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
        lines.append(f"      clause: {r.clause}; reference: {r.reference}")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file and rename, so a crash never leaves half a file.

    Raises:
        OutputError: the file cannot be written (one line naming it).
    """
    write_all_atomic({Path(path): data})


def write_all_atomic(files: dict[Path, str | bytes]) -> None:
    """Write several files so that either all of them are replaced or none is.

    Every file is first written in full to a temporary file beside it; only when all are written are
    they renamed into place. A failure removes the temporary files and leaves the old files intact.

    Raises:
        OutputError: a file cannot be written (one line naming it).
    """
    staged: list[tuple[str, Path]] = []
    current = Path(".")
    try:
        for path, data in files.items():
            current = Path(path)
            current.parent.mkdir(parents=True, exist_ok=True)
            if current.is_dir():  # the one case where the rename below would fail after others succeeded
                raise IsADirectoryError(21, "Is a directory")
            fd, tmp = tempfile.mkstemp(prefix=f".{current.name}.", suffix=".tmp", dir=current.parent)
            staged.append((tmp, current))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            current = path
            os.replace(tmp, path)
    except OSError as exc:
        _discard(staged)
        raise OutputError(f"{current}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _discard(staged)
        raise


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
