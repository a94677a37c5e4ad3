"""What durable_rules is fed: in batches, each with one marker fact, and of every fact only the fields
the compiled conditions read; an ok fact fires nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from procurekit import load_ruleset
from procurekit.evaluation.engines import FACT, MARK, DurableEngine, PythonEngine, make_plan

DAY = dt.date(2017, 6, 1)
BASE = {
    "participant_id": "A", "years_on_benefits": 6, "enrolled_on": dt.date(2017, 1, 2).toordinal(),
    "left_on": None, "exit_reason": None, "met_stability": None, "met_efficiency": None, "met_quality": None,
    "job_offer_on": None, "job_offer_terms": None, "aktivitetsparat": None,
    "active": True, "end_on": DAY.toordinal(), "as_of": DAY.toordinal(),
    "contract_start": dt.date(2017, 1, 1).toordinal(), "contract_end": dt.date(2019, 1, 1).toordinal(),
}


def _spied(monkeypatch: pytest.MonkeyPatch, engine: DurableEngine) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    real = engine._host.assert_facts

    def spy(name: str, facts: list[dict[str, Any]], complete: Any = None) -> Any:
        batches.append([dict(f) for f in facts])
        return real(name, facts, complete)

    monkeypatch.setattr(engine._host, "assert_facts", spy)
    return batches


def test_only_the_fields_the_conditions_read_are_asserted(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = load_ruleset("ikast-brande")
    rules = [r for r in rs.rules if r.subject == "participant"]
    plan = make_plan(rs, "participant", rs.params_at(DAY), rules)
    engine = DurableEngine()
    batches = _spied(monkeypatch, engine)
    facts = [{**BASE, "participant_id": f"P{i}", "years_on_benefits": i % 9} for i in range(30)]
    try:
        assert engine.run(plan, facts) == PythonEngine().run(plan, facts)
        compiled = engine._compile(plan)
    finally:
        engine.close()
    computed = {n for n, _ in compiled.materialised} | {n for n, _, _ in compiled.signs}
    read = set(compiled.fields) | computed | {f"__nn_{n}" for n in compiled.flags}
    asserted = {k for batch in batches for fact in batch for k in fact} - {"id", "kind", "sid"}
    assert asserted <= read
    assert "participant_id" not in asserted and "as_of" not in asserted  # no condition reads them as they are


def test_each_batch_holds_one_marker_and_at_most_batch_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = load_ruleset("ikast-brande")
    rules = [r for r in rs.rules if r.subject == "participant"]
    plan = make_plan(rs, "participant", rs.params_at(DAY), rules)
    engine = DurableEngine()
    engine.BATCH = 7
    batches = _spied(monkeypatch, engine)
    facts = [{**BASE, "participant_id": f"P{i}", "years_on_benefits": i % 9} for i in range(20)]
    try:
        assert engine.run(plan, facts) == PythonEngine().run(plan, facts)
    finally:
        engine.close()
    assert [len(b) for b in batches] == [8, 8, 7]
    for batch in batches:
        assert [f["kind"] for f in batch] == [FACT] * (len(batch) - 1) + [MARK]
        assert len({f["sid"] for f in batch}) == 1
