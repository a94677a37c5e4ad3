"""Numbers in references, sources and clause texts come from parameters, so a child's value shows everywhere."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from helpers import make_dataset, participant, write_rules

from procurekit.authoring.explain import explain_ruleset
from procurekit.cli import cli
from procurekit.evaluation.check import check
from procurekit.files import data_dir
from procurekit.ruleset.load import list_bundled, load_ruleset

QUOTED = re.compile(r'"[^"]*"|“[^”]*”')  # a quotation of a source says what the source says
CITATION = re.compile(r"(§|stk\.|nr\.|kap\.|af|bek\.)\s*$", re.IGNORECASE)  # "§ 92", "nr. 15/2019"


def typed_numbers(text: str, value: object) -> list[str]:
    """Where `text` types `value` (a whole number of at least 2) outside quotations and legal citations."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 2:
        return []
    n = int(value)
    forms = {str(n), f"{n:,}".replace(",", "."), f"{n:,}"} | ({f"{n / 1e6:g} mio"} if n % 100_000 == 0 else set())
    plain = QUOTED.sub(" ", text)
    found = []
    for form in forms:
        for m in re.finditer(rf"(?<![\d.,/§-]){re.escape(form)}(?![\d/]|[.,]\d)", plain):
            if not CITATION.search(plain[: m.start()]):
                found.append(plain[max(0, m.start() - 30): m.end() + 10])
    return found


def test_no_bundled_rule_set_types_a_number_a_parameter_owns() -> None:
    problems = []
    for path in list_bundled():
        rs = load_ruleset(path)
        for rule in rs.rules:
            for name in (n for n in rule.names if n in rs.parameters):
                problems += [f"{rs.id} {rule.id} reference: {hit!r} ({name})"
                             for hit in typed_numbers(rule.reference, rs.parameters[name].value)]
        for name, p in rs.parameters.items():
            problems += [f"{rs.id} {name} source: {hit!r}" for hit in typed_numbers(p.source, p.value)]
    assert problems == []


def test_no_clause_types_a_number_a_parameter_owns() -> None:
    values = {p.value for path in list_bundled() for p in load_ruleset(path).parameters.values()}
    problems = []
    for path in sorted(data_dir("clauses").glob("*.yaml")):
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", path.read_text(encoding="utf-8"))
        data = yaml.safe_load(text)
        body = " ".join(str(v) for k, v in data.items() if k not in ("id", "order"))
        problems += [f"{path.name}: {hit!r}" for v in values for hit in typed_numbers(body, v)]
    assert problems == []


def test_the_scan_finds_a_typed_number() -> None:
    assert typed_numbers("KL Råderum nr. 15/2019 (højst 18 måneder)", 18)
    assert typed_numbers("2.500 kr. is a placeholder", 2500)
    assert typed_numbers("Exactly 2 mio. kr. read as in the band", 2_000_000)
    assert not typed_numbers('KL ("kan maksimalt vare 18 måneder")', 18)
    assert not typed_numbers("KL Råderum nr. 15/2019", 15)


def twelve_months(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "herning.yaml", """
        id: herning
        title: {da: Herning, en: Herning}
        extends: ikast-brande
        parameters:
          max_course_months: {value: 12, source: "Herning Kommunes kontrakt, bilag 3"}
    """)


def test_a_childs_value_shows_in_findings_explain_and_report(tmp_path: Path) -> None:
    rules = twelve_months(tmp_path)
    ds = make_dataset(tmp_path / "ds", [participant("A", enrolled_on="2017-01-02")])
    result = check(ds, rules=rules, as_of=dt.date(2018, 3, 1), ok="explained")
    refs = {f.reference for f in result.findings if f.rule == "cap.course-months"}
    assert refs == {"Kontraktens sociale klausul; KL Råderum nr. 15/2019 (højst 12 måneder)"}
    text = explain_ruleset(load_ruleset(rules), dt.date(2018, 3, 1), "da")
    assert "(højst 12 måneder)" in text and "18 måneder" not in text
    out = CliRunner().invoke(cli, ["report", str(ds), "--rules", str(rules), "--as-of", "2018-03-01",
                                   "--format", "html", "-o", "-"])
    assert out.exit_code == 1, out.stderr
    assert "højst 12 måneder" in out.stdout and "højst 18 måneder" not in out.stdout


def test_the_parents_value_shows_in_the_parent(tmp_path: Path) -> None:
    text = explain_ruleset(load_ruleset("ikast-brande"), dt.date(2018, 3, 1), "da")
    assert "(højst 18 måneder)" in text and "{max_course_months}" not in text
