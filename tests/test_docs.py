"""docs/ stays true: sources.md is generated from the bundled rule sets, and no shipped file cites the
developers' private notes.

Regenerate docs/sources.md after changing a rule set:  python tests/test_docs.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from procurekit import load_ruleset  # noqa: E402
from procurekit.ruleset.load import Parameter, RuleSet, list_bundled  # noqa: E402

SOURCES = ROOT / "docs" / "sources.md"
UNDATED = dt.date.min

HEAD = """\
# Sources of every number

Every number a rule set uses is a parameter with a unit, a source and a confidence tag; documents and
checks take their numbers from the parameters, never from a template. This page lists every parameter of
every bundled rule set as the rule set resolves it (after `extends`), with where it was defined.

It is generated from the rule sets by `python tests/test_docs.py`, and `tests/test_docs.py` fails when the
two differ, so it cannot go stale. `procurekit rules show ID` prints the same for any rule set, yours too.

## Confidence tags

| tag | meaning |
|---|---|
| H | a primary, official source: the law, an executive order, a ministry or agency page |
| M | a secondary source (a municipality's page, trade press, a consultancy), or several that agree |
| L | one weak source, or our own inference: check it before relying on it |
| NOT CONFIRMED | no source gives the value for this programme; it is a placeholder to be set from the contract |
| user | not a fact but a choice the municipality makes (a warning period, say) |

A municipality that adapts a rule set (`procurekit rules init`) should replace every L and NOT CONFIRMED
value by the value in its own contract, with that contract as the source.
"""

TAIL = """\
## Business case

The business case (`procurekit business-case`, and the economy section of the report) takes its numbers
from an assumptions file, not from the rule set; each value there carries its own source, as in
`examples/ikast-brande/assumptions.yaml`. Two facts shape the model itself:

- State reimbursement of kontanthjælp falls with the time a person has been on public support: 80 % in
  weeks 1–4, 40 % in weeks 5–26, 30 % in weeks 27–52 and 20 % after 52 weeks (the refusion reform, L 4,
  in force 4 January 2016; star.dk, "Refusionsreformen"). For participants on benefits for years, the
  municipality therefore pays 80 % of the benefit, and saves 80 % of what is no longer paid.
- A participant who works ordinary hours while still on kontanthjælp keeps part of the benefit: it is
  reduced by net earnings less an hourly disregard. The disregard per hour is an assumption with its source
  in the assumptions file.
"""


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _value(p: Parameter) -> str:
    parts = []
    for since, value, source in p.values:
        shown = f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else str(value)
        if since != UNDATED:
            shown = f"from {since:%Y-%m-%d}: {shown}"
        if source:
            shown += f" ({source})"
        parts.append(shown)
    return "; ".join(parts)


def _ruleset(rs: RuleSet) -> list[str]:
    lineage = " → ".join(rs.lineage)
    lines = [
        f"## {rs.id} {rs.version}",
        "",
        f"{_cell(rs.title.en)}. File `rules/{rs.id}.yaml`" + (f"; extends: {lineage}." if len(rs.lineage) > 1 else "."),
        "",
        "| parameter | value | unit | confidence | source | defined in |",
        "|---|---|---|---|---|---|",
    ]
    for name, p in sorted(rs.parameters.items()):
        lines.append(
            f"| `{name}` | {_cell(_value(p))} | {_cell(p.unit)} | {_cell(p.confidence or '')} | "
            f"{_cell(rs.source(p, dt.date.max))} | {p.defined_in} |"
        )
    return [*lines, ""]


def sources_markdown() -> str:
    """docs/sources.md as the bundled rule sets make it."""
    body: list[str] = []
    for path in list_bundled():
        body += _ruleset(load_ruleset(path))
    return HEAD + "\n" + "\n".join(body) + "\n" + TAIL


def test_sources_md_is_generated_from_the_rule_sets() -> None:
    assert SOURCES.read_text(encoding="utf-8") == sources_markdown(), "run: python tests/test_docs.py"


def test_every_parameter_has_a_source_and_confidence() -> None:
    for path in list_bundled():
        rs = load_ruleset(path)
        for name, p in rs.parameters.items():
            assert p.source and p.confidence and p.unit, f"{rs.id}.{name}"


def test_no_shipped_file_cites_private_notes() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for rel in tracked.splitlines():
        if rel.startswith("tests/"):
            continue
        path = ROOT / rel
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        if "DOMAIN.md" in text or "DURABLE_RULES.md" in text:
            offenders.append(rel)
    assert offenders == []


def test_schema_points_at_the_docs() -> None:
    from procurekit.authoring.adapt import ruleset_schema

    schema = str(ruleset_schema())
    assert "docs/sources.md" in schema
    assert "DOMAIN" not in schema


if __name__ == "__main__":
    SOURCES.write_text(sources_markdown(), encoding="utf-8")
    print(f"wrote {SOURCES.relative_to(ROOT)}")


def test_readme_layout_has_one_line_per_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout\n", 1)[1].split("```", 2)[1]
    names = [line.split()[0] for line in block.strip().splitlines()]
    packages = {f"{p.parent.name}/" for p in (ROOT / "procurekit").glob("*/__init__.py")}
    assert packages <= set(names), packages - set(names)
    assert len(names) == len(set(names))
    assert len(block.strip().splitlines()) <= 20
