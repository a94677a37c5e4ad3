"""Adapting a rule set: start one from a parent (`init`), compare two (`diff`), and the JSON Schema of
the rule-set file format (`schema`) for editors.

`init` writes a child that `extends` its parent and lists every parameter it can change as a
commented YAML block (value, unit, description, source, confidence): uncommenting a block gives a valid
override. As written, the child loads to exactly the parent's parameters and rules.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from procurekit.errors import ProcurekitError
from procurekit.evaluation.engines import load_checked_ruleset
from procurekit.files import write_atomic
from procurekit.ruleset.load import Parameter, Rule, RuleSet, RuleSetFile, bundled_rules_dir, resolve_ref

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- init --------------------------------------------------------------------------------------


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def _param_block(p: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if len(p.values) == 1 and p.values[0][0] == dt.date.min:
        out["value"] = p.values[0][1]
    else:
        values: dict[Any, Any] = {}
        for since, value, source in p.values:
            key = dt.date(1900, 1, 1) if since == dt.date.min else since
            values[key] = {"value": value, "source": source} if source else value
        out["values"] = values
    out["unit"] = p.unit
    out["description"] = " ".join(p.description.split())
    out["source"] = " ".join(p.source.split())
    if p.confidence:
        out["confidence"] = p.confidence
    return out


def _commented(text: str, indent: str = "") -> list[str]:
    return [f"# {indent}{line}".rstrip() for line in text.rstrip("\n").splitlines()]


def init_text(parent: RuleSet, new_id: str, extends: str) -> str:
    """The text of a new rule set `new_id` that extends `parent` (named in the file as `extends`)."""
    head = {
        "id": new_id,
        "title": {
            "da": f"{parent.title.da} (tilpasset: {new_id})",
            "en": f"{parent.title.en} (adapted: {new_id})",
        },
        "version": "0.1.0",
        "extends": extends,
        "description": f"Tilpasning af {parent.id} {parent.version}. Beskriv, hvad der er ændret og hvorfor.",
    }
    lines = [
        f"# {new_id}: adapted from {parent.id} {parent.version}; written by `procurekit rules init`.",
        "# As written it has every parameter and rule of its parent. To change a parameter, uncomment",
        "# `parameters:` and that parameter's block below, set the value and give the new source (contract",
        "# clause, council decision, law). Fields left out are inherited. A value that changes on a date",
        "# uses `values: {YYYY-MM-DD: value}`.",
        f"#   procurekit rules validate {new_id}.yaml",
        f"#   procurekit rules diff {parent.id} {new_id}.yaml",
        f"#   procurekit rules explain {new_id}.yaml",
        "",
        _dump(head).rstrip("\n"),
        "",
        f"# Parameters of {parent.id} (value, unit, description, source, confidence):",
        "# parameters:",
    ]
    for name, p in parent.parameters.items():
        lines += _commented(_dump({name: _param_block(p)}), "  ")
    lines += [
        "",
        "# Rules inherited (drop one with `drop: [<id>]`; replace one with a rule of the same id):",
    ]
    width = max((len(r.id) for r in parent.rules), default=0)
    for r in parent.rules:
        lines.append(f"#   {r.id:<{width}}  {r.subject:<17}  {r.title.da}")
    lines += ["# drop: []", "# rules: []", ""]
    return "\n".join(lines)


def _extends_ref(parent: RuleSet, out_dir: Path) -> str:
    """A bundled parent by its id (unless a file in `out_dir` would shadow it), else a relative path."""
    shadow = [out_dir / parent.id, out_dir / f"{parent.id}.yaml"]
    if parent.path.parent == bundled_rules_dir().resolve() and not any(p.exists() for p in shadow):
        return parent.id
    return os.path.relpath(parent.path, out_dir.resolve())


def init_ruleset(new_id: str, parent_ref: str, out_dir: Path) -> Path:
    """Write `out_dir/new_id.yaml`, a rule set extending `parent_ref`; return its path.

    Raises:
        ProcurekitError: bad id, the file exists, or the written file does not load.
    """
    if not _ID.match(new_id):
        raise ProcurekitError(f"'{new_id}' is not a rule-set id (lower-case letters, digits and dashes)")
    parent = load_checked_ruleset(resolve_ref(parent_ref))
    target = out_dir / f"{new_id}.yaml"
    if target.exists():
        raise ProcurekitError(f"{target}: already exists; not overwritten")
    text = init_text(parent, new_id, _extends_ref(parent, out_dir))
    write_atomic(target, text)
    try:
        load_checked_ruleset(target)
    except ProcurekitError:
        target.unlink()
        raise
    return target


# --- diff --------------------------------------------------------------------------------------

_EXPRESSIONS = ("applies", "let", "condition", "warning", "due", "severity", "subject", "requires")


def _values_json(p: Parameter) -> list[dict[str, Any]]:
    return [
        {"since": None if d == dt.date.min else d.isoformat(), "value": _plain(v), "source": s}
        for d, v, s in p.values
    ]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _param_json(p: Parameter) -> dict[str, Any]:
    return {
        "values": _values_json(p),
        "unit": p.unit,
        "description": p.description.strip(),
        "source": p.source.strip(),
        "confidence": p.confidence,
    }


def diff_rulesets(a: RuleSet, b: RuleSet) -> dict[str, Any]:
    """What changes from `a` to `b`, both after inheritance: parameters and rules."""
    params: dict[str, Any] = {"changed": {}, "added": {}, "removed": {}}
    for name, pa in a.parameters.items():
        pb = b.parameters.get(name)
        if pb is None:
            params["removed"][name] = _param_json(pa)
            continue
        old, new = _param_json(pa), _param_json(pb)
        fields = {k: {"old": old[k], "new": new[k]} for k in old if old[k] != new[k]}
        if fields:
            params["changed"][name] = fields
    for name, pb in b.parameters.items():
        if name not in a.parameters:
            params["added"][name] = _param_json(pb)
    rules_a = {r.id: r for r in a.rules}
    rules_b = {r.id: r for r in b.rules}
    rules: dict[str, Any] = {
        "added": [_rule_head(r) for r in b.rules if r.id not in rules_a],
        "dropped": [_rule_head(r) for r in a.rules if r.id not in rules_b],
        "changed": {},
    }
    for rule_id, ra in rules_a.items():
        rb = rules_b.get(rule_id)
        if rb is None:
            continue
        changed = {k: {"old": ra.source.get(k), "new": rb.source.get(k)}
                   for k in ra.source if ra.source.get(k) != rb.source.get(k)}
        if changed:
            rules["changed"][rule_id] = changed
    return {
        "a": {"id": a.id, "version": a.version, "digest": a.digest, "path": str(a.path)},
        "b": {"id": b.id, "version": b.version, "digest": b.digest, "path": str(b.path)},
        "parameters": params,
        "rules": rules,
    }


def _rule_head(r: Rule) -> dict[str, Any]:
    return {"id": r.id, "subject": r.subject, "title": r.title.model_dump()}


#: The few words of a diff in Danish (the rest is the rule-set file's own names and values).
_DIFF_DA = {"No differences in parameters or rules.": "Ingen forskelle i parametre eller regler.",
            "Parameters:": "Parametre:", "Rules:": "Regler:", "value": "værdi", "was": "før", "from": "fra"}


def _values_text(values: list[dict[str, Any]], word: Callable[[str], str]) -> str:
    return ", ".join(
        f"{v['value']}" + (f" {word('from')} {v['since']}" if v["since"] else "") for v in values
    )


def diff_text(diff: dict[str, Any], lang: str | None = None) -> str:
    """A diff for reading: one line per change, old → new. Its few words in `lang` (English unless "da"),
    the rules' titles too (Danish unless "en")."""
    def word(text: str) -> str:
        return _DIFF_DA.get(text, text) if lang == "da" else text

    a, b = diff["a"], diff["b"]
    lines = [f"{a['id']} {a['version']} → {b['id']} {b['version']}"]
    params, rules = diff["parameters"], diff["rules"]
    if not any(params.values()) and not any(rules.values()):
        lines.append(word("No differences in parameters or rules."))
        return "\n".join(lines) + "\n"
    if any(params.values()):
        lines += ["", word("Parameters:")]
        for name, fields in params["changed"].items():
            lines.append(f"  ~ {name}: {', '.join(fields)}")
            for key, change in fields.items():
                if key == "values":
                    old, new = _values_text(change["old"], word), _values_text(change["new"], word)
                    lines.append(f"      {word('value')}: {old} → {new}")
                else:
                    lines.append(f"      {key}: {_short(change['old'])} → {_short(change['new'])}")
        for name, p in params["added"].items():
            conf = f" [{p['confidence']}]" if p["confidence"] else ""
            lines.append(f"  + {name} = {_values_text(p['values'], word)} {p['unit']}{conf}")
        for name, p in params["removed"].items():
            lines.append(f"  - {name} ({word('was')} {_values_text(p['values'], word)} {p['unit']})")
    if any(rules.values()):
        lines += ["", word("Rules:")]
        for r in rules["added"]:
            lines.append(f"  + {r['id']} ({r['subject']}) — {r['title']['en' if lang == 'en' else 'da']}")
        for r in rules["dropped"]:
            lines.append(f"  - {r['id']} ({r['subject']}) — {r['title']['en' if lang == 'en' else 'da']}")
        for rule_id, changed in rules["changed"].items():
            lines.append(f"  ~ {rule_id}: {', '.join(changed)}")
            for key in (k for k in _EXPRESSIONS if k in changed):
                lines.append(f"      {key}: {_short(changed[key]['old'])} → {_short(changed[key]['new'])}")
    return "\n".join(lines) + "\n"


def _short(value: Any, limit: int = 200) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        text = ", ".join(f"{k} = {' '.join(str(v).split())}" for k, v in value.items()) or "—"
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value) or "—"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- schema ------------------------------------------------------------------------------------


def ruleset_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a rule-set file, from the pydantic file models."""
    schema = RuleSetFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://procurekit.example/schemas/rule-set.schema.json",
        **schema,
        "title": "procurekit rule set",
        "description": (
            "A procurekit rule-set file (README, 'Rule sets'): parameters with their sources and rules with "
            "conditions in procurekit's condition language. Generated by `procurekit rules schema`; "
            "editors can validate and complete rule files with it (YAML language server: "
            "`# yaml-language-server: $schema=<path>/rule-set.schema.json`)."
        ),
    }
