"""The durable_rules wrapper: compiled rulesets are cached, evicted and unloaded; sessions are removed."""

from __future__ import annotations

import datetime as dt

import pytest

from procurekit import load_ruleset
from procurekit.errors import EngineError
from procurekit.evaluation.engines import DurableEngine, PythonEngine, get_engine, make_plan

FACT = {
    "participant_id": "A", "years_on_benefits": 6, "enrolled_on": dt.date(2017, 1, 2).toordinal(),
    "active": True, "end_on": dt.date(2017, 6, 1).toordinal(), "as_of": dt.date(2017, 6, 1).toordinal(),
    "contract_start": dt.date(2017, 1, 1).toordinal(), "contract_end": dt.date(2019, 1, 1).toordinal(),
}


def test_cache_is_bounded_and_parameters_are_isolated() -> None:
    rs = load_ruleset("ikast-brande")
    engine = DurableEngine()
    engine.CACHE = 3
    rules = [r for r in rs.rules if r.subject == "participant"]
    try:
        for years in range(12):
            params = {**rs.params_at(dt.date(2017, 6, 1)), "min_benefit_years": years}
            plan = make_plan(rs, "participant", params, rules)
            durable = engine.run(plan, [FACT])
            assert durable == PythonEngine().run(plan, [FACT])
            assert durable[0][0] == ("ok" if years <= 6 else "violation")
            assert len(engine._host._ruleset_directory) <= 3
    finally:
        engine.close()
    assert engine._host._ruleset_directory == {}


def test_sessions_are_deleted_after_each_run() -> None:
    rs = load_ruleset("ikast-brande")
    engine = DurableEngine()
    plan = make_plan(rs, "participant", rs.params_at(dt.date(2017, 6, 1)),
                     [r for r in rs.rules if r.subject == "participant"])
    engine.run(plan, [FACT] * 3)
    name = engine._compile(plan).name
    with pytest.raises(Exception, match="309"):  # durable's "sid not found"
        engine._host.delete_state(name, f"s{engine._sid}")
    engine.close()


def test_unknown_engine() -> None:
    with pytest.raises(EngineError, match="unknown engine 'fast'"):
        get_engine("fast")
