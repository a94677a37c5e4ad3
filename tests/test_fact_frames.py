"""The facts are derived column-wise (dataset/fact_frames.py) and `derive()` is a view of them: the row facts
must be the very ones the previous row-by-row derivation gave (kept as the oracle in tests/row_facts.py), value
for value and type for type, on the example, on every bundled scenario case and on random datasets."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
import row_facts
from helpers import make_dataset, participant
from hypothesis import HealthCheck, given, settings
from test_differential import datasets, turnover

from procurekit import read_dataset
from procurekit.authoring.scenarios import bundled_scenarios, load_scenarios, write_case
from procurekit.dataset import facts
from procurekit.dataset.fact_frames import Occupancy, derive_frames, derive_many, hours_gaps_frame, input_frames
from procurekit.ruleset.subjects import SUBJECTS

ROOT = Path(__file__).resolve().parents[1]
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _same_facts(ds, as_of: dt.date) -> None:
    old, new = row_facts.derive(ds, as_of), facts.derive(ds, as_of)
    assert list(old) == list(new)
    for kind in old:
        assert [(f.subject, f.missing) for f in new[kind]] == [(f.subject, f.missing) for f in old[kind]], kind
        for a, b in zip(old[kind], new[kind], strict=True):
            assert b.values == a.values, (kind, a.subject)
            assert list(b.values) == list(SUBJECTS[kind]), kind
            for name, value in a.values.items():  # an int stays an int, a decimal a decimal, a bool a bool
                assert type(b.values[name]) is type(value), (kind, a.subject, name, b.values[name], value)
    assert facts.hours_gaps(ds, as_of) == row_facts.hours_gaps(ds, as_of)


@pytest.mark.parametrize("as_of", ["2016-11-30", "2017-06-30", "2018-06-30", "2019-12-31", "2030-01-01"])
def test_the_example_has_the_facts_it_had(as_of: str) -> None:
    _same_facts(read_dataset(ROOT / "examples" / "ikast-brande"), dt.date.fromisoformat(as_of))


CASES = [c for f in load_scenarios(bundled_scenarios()) for c in f.cases]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.ruleset.id}: {c.spec.name}" for c in CASES])
def test_every_scenario_case_has_the_facts_it_had(tmp_path: Path, case) -> None:
    ds = read_dataset(write_case(case, tmp_path / "ds"))
    for day in {case.spec.as_of, ds.contract.end, ds.contract.end + dt.timedelta(days=400)}:
        _same_facts(ds, day)


@SLOW
@given(data=datasets(), rows=turnover())
def test_random_datasets_have_the_facts_they_had(tmp_path_factory, data, rows) -> None:
    people, hours, supplier, as_of = data
    folder = make_dataset(tmp_path_factory.mktemp("ff"), people, hours, supplier, turnover=rows)
    ds = read_dataset(folder)
    for day in (as_of, ds.contract.end, dt.date(2017, 1, 1)):
        _same_facts(ds, day)


def test_a_dataset_without_optional_tables_has_empty_frames(tmp_path: Path) -> None:
    ds = read_dataset(make_dataset(tmp_path / "ds", [participant()]))
    frames = derive_frames(ds, dt.date(2017, 3, 1))
    assert frames["participant_month"].height == 0
    assert frames["month"]["trainees"].to_list() == [None, None, None]
    assert frames["month"]["missing"].to_list() == ["", "", ""]
    _same_facts(ds, dt.date(2017, 3, 1))


def _spans(rng: random.Random, count: int, days: int, longest: int, weights: list) -> list:
    """Random (first day, last day or None, weight) places, a fifth of them still held."""
    spans = []
    for _ in range(count):
        first = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(days))
        last = None if rng.random() < 0.2 else first + dt.timedelta(days=rng.randrange(0, longest))
        spans.append((first, last, rng.choice(weights)))
    return spans


def test_places_in_use_is_the_sweep_the_business_case_shares() -> None:
    rng = random.Random(7)
    spans = _spans(rng, 300, 700, 400, [1.0, 0.5, 1 / 3, 0.25])
    old, new = row_facts.Occupancy(spans), Occupancy(spans)
    for _ in range(500):
        lo = dt.date(2016, 12, 1).toordinal() + rng.randrange(900)
        hi = lo + rng.randrange(0, 60)
        assert new.peak(lo, hi) == pytest.approx(old.peak(lo, hi), abs=1e-9)
    assert Occupancy([]).peak(1, 10) == 0.0


def test_places_in_use_of_whole_weights_are_exact() -> None:
    # The check's spans (a frame of day ordinals, weight 1) take the sweep's path for whole weights.
    rng = random.Random(11)
    spans = _spans(rng, 400, 500, 300, [1, 1, 2])
    frame = pl.DataFrame(
        {"first": [a.toordinal() for a, _, _ in spans], "last": [b.toordinal() if b else None for _, b, _ in spans],
         "weight": [w for _, _, w in spans]}, schema={"first": pl.Int64, "last": pl.Int64, "weight": pl.Int64})
    old, new = row_facts.Occupancy(spans), Occupancy(frame)
    lows = [dt.date(2016, 12, 1).toordinal() + rng.randrange(900) for _ in range(500)]
    highs = [lo + rng.randrange(0, 60) for lo in lows]
    assert new.peaks(lows, highs) == [int(old.peak(lo, hi)) for lo, hi in zip(lows, highs, strict=True)]
    assert all(isinstance(p, int) for p in new.peaks(lows, highs))
    assert Occupancy(frame.clear()).peaks([1], [10]) == [0]


def test_the_first_day_of_every_month_is_the_calendars() -> None:
    from procurekit.dataset.fact_frames import _first_days

    expected = [dt.date(y, m, 1).toordinal() for y in range(1, 10000) for m in range(1, 13)]
    assert _first_days().to_list() == [*expected, dt.date.max.toordinal() + 1]


def _alone_and_many(datasets: list, days: list[dt.date]) -> None:
    """derive_many of datasets with alike tables gives each the frames and gaps derive_frames gives it."""
    tables = [input_frames(ds) for ds in datasets]
    many = derive_many(datasets, days, tables)
    for ds, day, table, (frames, gaps) in zip(datasets, days, tables, many, strict=True):
        alone = derive_frames(ds, day, table)
        assert list(frames) == list(alone)
        for kind, frame in alone.items():
            assert frames[kind].schema == frame.schema, kind
            assert frames[kind].equals(frame), (kind, ds.path, day)
        assert gaps.to_list() == hours_gaps_frame(ds, day, table).to_list()


@SLOW
@given(data=datasets(), rows=turnover())
def test_facts_of_datasets_made_together_are_each_ones_alone(tmp_path_factory, data, rows) -> None:
    people, hours, supplier, as_of = data
    root = tmp_path_factory.mktemp("dm")
    first = read_dataset(make_dataset(root / "a", people, hours, supplier, turnover=rows))
    # The same tables (alike by construction) under a shorter contract, and the first again: a place still
    # held in one contract must not count in the next one's months.
    second = read_dataset(make_dataset(root / "b", people, hours, supplier, turnover=rows,
                                       start="2017-03-01", end="2019-06-30"))
    _alone_and_many([first, second, first], [as_of, dt.date(2018, 1, 15), first.contract.end])


def test_facts_of_the_example_made_together_are_each_ones_alone(tmp_path: Path) -> None:
    example = read_dataset(ROOT / "examples" / "ikast-brande")
    days = [dt.date(2016, 11, 30), dt.date(2018, 6, 30), dt.date(2030, 1, 1), dt.date(2017, 6, 30)]
    _alone_and_many([example] * 4, days)
