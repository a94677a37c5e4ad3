"""What durable_rules is fed: in batches, each with one marker fact, and of every fact only the fields
the compiled conditions read; an ok fact fires nothing. A check makes the facts column-wise (`run_frame`):
they must be the very facts the row path (`run`) makes, and fire the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_columnar import SCHEMA, VALUES, booleans, bound

import procurekit.conditions as ex
from procurekit import load_ruleset
from procurekit.errors import EngineError
from procurekit.evaluation import durable_engine
from procurekit.evaluation.engines import FACT, MARK, DurableEngine, Plan, PythonEngine, RulePlan, make_plan
from procurekit.ruleset.subjects import SUBJECTS, Field

DAY = dt.date(2017, 6, 1)
BASE = {
    "participant_id": "A", "years_on_benefits": 6, "enrolled_on": dt.date(2017, 1, 2).toordinal(),
    "left_on": None, "exit_reason": None, "met_stability": None, "met_efficiency": None, "met_quality": None,
    "job_offer_on": None, "job_offer_terms": None, "aktivitetsparat": None,
    "active": True, "end_on": DAY.toordinal(), "as_of": DAY.toordinal(),
    "contract_start": dt.date(2017, 1, 1).toordinal(), "contract_end": dt.date(2019, 1, 1).toordinal(),
}


def _spied(monkeypatch: pytest.MonkeyPatch, engine: DurableEngine) -> list[Any]:
    batches: list[Any] = []  # each a list of facts, or the JSON text `run_frame` wrote
    real = engine._host.assert_facts

    def spy(name: str, facts: list[dict[str, Any]], complete: Any = None) -> Any:
        batches.append(facts if isinstance(facts, str) else [dict(f) for f in facts])
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


# --- run_frame: the facts made column-wise and written as JSON by polars --------------------------

#: Texts JSON must escape, and texts that look like the JSON around them.
HOSTILE = ['x",\"s\":null', '{"id":"3","kind":"batch"}', ',"s":null}', "line\nbreak", "\u2028", "æøå", "\\", ""]
TEST_KIND = {name: Field(t, True, "") for name, t in
             {"a": ex.NUMBER, "b": ex.NUMBER, "n": ex.NUMBER, "d": ex.DATE, "e": ex.DATE, "flag": ex.BOOL,
              "s": ex.STRING}.items()}
frames = st.lists(st.fixed_dictionaries({name: st.sampled_from(values + (HOSTILE if name == "s" else []))
                                         for name, values in VALUES.items()}), min_size=1, max_size=40)


def _both_paths(trees: list[tuple[str, ex.Node]], data: list[dict[str, Any]], batch: int = 1000) -> None:
    """run_frame (column-wise facts) fires what run (a dict per fact) fires, on the same compiled rules."""
    frame = pl.DataFrame(data, schema=SCHEMA)
    key = hashlib.sha1(repr(trees).encode()).hexdigest()[:16]
    plan = Plan(key, "test", (RulePlan(None, tuple(trees)),))  # type: ignore[arg-type]
    engine = DurableEngine()
    engine.BATCH, engine.BLOCK = batch, 2
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(SUBJECTS, "test", TEST_KIND)
        try:
            rows = engine.run(plan, frame.to_dicts())
        except EngineError:  # a tree durable_rules cannot compile (too complex): nothing to compare
            return
        finally:
            engine.close()
        engine = DurableEngine()
        engine.BATCH, engine.BLOCK = batch, 2
        try:
            got = engine.run_frame(plan, frame)
        finally:
            engine.close()
    assert got["r0"].to_list() == [row[0] for row in rows]


@settings(max_examples=60, deadline=None)
@given(applies=booleans(), cond=booleans(), data=frames, batch=st.sampled_from([1, 3, 1000]))
def test_the_frame_path_fires_what_the_row_path_fires(applies: str, cond: str, data: list[dict[str, Any]],
                                                     batch: int) -> None:
    try:
        a, c = bound(applies), bound(cond)
    except ex.ExprError:
        return
    _both_paths([("not_applicable", ex.Not(a)), ("violation", ex.Logic("and", (a, ex.Not(c))))], data, batch)


@pytest.mark.parametrize("text", ['s == "x"', "s != null", 's != "x"', "not (s == null)", "a >= 5 and d < e"])
def test_hostile_texts_reach_durable_as_they_are(text: str) -> None:
    data = [{**dict.fromkeys(SCHEMA), "s": s, "a": a, "d": 3, "e": 4} for s in [*HOSTILE, "x", None]
            for a in (None, Decimal(5))]
    _both_paths([("violation", bound(text))], data, batch=4)


def test_batches_of_the_frame_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = load_ruleset("ikast-brande")
    rules = [r for r in rs.rules if r.subject == "participant"]
    plan = make_plan(rs, "participant", rs.params_at(DAY), rules)
    engine = DurableEngine()
    engine.BATCH, engine.BLOCK = 7, 2
    batches = _spied(monkeypatch, engine)
    facts = [{**BASE, "participant_id": f"P{i}", "years_on_benefits": i % 9,
              "exit_reason": HOSTILE[i % len(HOSTILE)]} for i in range(20)]
    frame = pl.DataFrame(facts, schema_overrides={n: pl.String for n in ("exit_reason", "job_offer_terms")})
    try:
        got = engine.run_frame(plan, frame)
        compiled = engine._compile(plan)
    finally:
        engine.close()
    want = PythonEngine().run(plan, facts)
    assert [list(row) for row in got.rows()] == want
    parsed = [json.loads(str(batch)) for batch in batches]  # one JSON text per batch: what durable parses
    assert all(type(batch) is durable_engine._Encoded for batch in batches)
    assert [len(b) for b in parsed] == [8, 8, 7]
    computed = {n for n, _ in compiled.trees}
    read = set(compiled.fields) | computed | {f"__nn_{n}" for n in compiled.flags}
    for k, fact in enumerate(f for batch in parsed for f in batch[:-1]):
        assert fact["id"] == str(k) and fact["kind"] == FACT
        assert set(fact) - {"id", "kind", "sid"} <= read
        assert None not in fact.values()  # a missing value is left out, as the row path does
        assert fact["exit_reason"] == facts[k]["exit_reason"]
    for batch in parsed:
        assert batch[-1]["kind"] == MARK and len({f["sid"] for f in batch}) == 1


def test_check_gives_durable_its_facts_column_wise(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check makes no fact one dict at a time: row by row, the facts took two thirds of a large contract's
    check (bench/durable.py)."""
    from procurekit import check

    def refuse(*args: Any) -> None:
        raise AssertionError("a fact was made row by row")

    monkeypatch.setattr(DurableEngine, "_to_fact", refuse)
    monkeypatch.setattr(DurableEngine, "run", refuse)
    example = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
    durable = check(example, as_of=dt.date(2018, 6, 30), engine="durable")
    python = check(example, as_of=dt.date(2018, 6, 30), engine="python")
    assert durable.findings == python.findings and len(durable.findings) > 100


def test_a_float_durable_would_see_takes_the_row_path() -> None:
    """No compiled rule asserts a number that is not whole (numbers go through exact signs); if one did,
    its facts would be made by the row path, which writes floats as durable_rules reads them."""
    frame = pl.DataFrame({"a": [Decimal("1"), Decimal("3")], "b": [Decimal("3"), Decimal("3")]},
                         schema={"a": pl.Decimal(38, 2), "b": pl.Decimal(38, 2)})
    whole = durable_engine._Compiled("x", [], [], trees=(("__m0", bound("floor(a / b)")),))
    assert durable_engine._fact_frame(whole, frame)["__m0"].to_list() == [0, 1]
    share = durable_engine._Compiled("x", [], [], trees=(("__m0", bound("a / b")),))
    assert durable_engine._fact_frame(share, frame) is None
    number = durable_engine._Compiled("x", [], [], fields=("a",))
    assert durable_engine._fact_frame(number, frame) is None
