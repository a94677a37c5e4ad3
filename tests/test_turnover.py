"""turnover.csv and the `year` subject: reading with file/row/column errors, facts as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import PARTICIPANT_COLUMNS, TURNOVER_COLUMNS, make_dataset, participant, write_csv

from procurekit import DatasetError, read_dataset
from procurekit.dataset.facts import derive

ROW = {"year": 2017, "turnover_dkk": 1500000, "target_group_fte": 0.5, "reported_on": "2018-02-15"}


def test_reads_rows_and_names_the_source(tmp_path: Path) -> None:
    ds = read_dataset(make_dataset(tmp_path / "ds", [participant("A")], turnover=[ROW]))
    assert "turnover" in ds.sources
    assert ds.turnover is not None
    (row,) = ds.turnover
    assert (row.year, row.turnover_dkk, row.target_group_fte, row.reported_on) == (
        "2017", 1_500_000, 0.5, dt.date(2018, 2, 15))


def test_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A")])
    (folder / "turnover.csv").write_text(
        "year;turnover_dkk;target_group_fte;reported_on\n2018;1250000,5;0,5;2019-01-10\n", encoding="utf-8")
    (row,) = read_dataset(folder).turnover or ()
    assert (row.turnover_dkk, row.target_group_fte) == (1_250_000.5, 0.5)


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({**ROW, "year": 17}, "row 2, column year: '17' is not a year (YYYY)"),
        ({**ROW, "year": 2020}, "row 2, column year: 2020 is outside the contract (2017 to 2019)"),
        ({**ROW, "reported_on": "2016-12-31"}, "row 2, column reported_on: reported_on is before 2017 began"),
        ({**ROW, "turnover_dkk": -1}, "row 2, column turnover_dkk: -1 is negative"),
        ({**ROW, "reported_on": ""}, "row 2, column reported_on: '' is not a date (YYYY-MM-DD)"),
        ({**ROW, "target_group_fte": "010203-1234"},
         "row 2, column target_group_fte: looks like a CPR number; use a pseudonym (value not shown)"),
    ],
)
def test_bad_rows(tmp_path: Path, row: dict, error: str) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A")], turnover=[row])
    with pytest.raises(DatasetError) as info:
        read_dataset(folder)
    assert str(info.value) == f"{folder / 'turnover.csv'}: {error}"


def test_duplicate_year_and_missing_column(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A")], turnover=[ROW, ROW])
    with pytest.raises(DatasetError, match=r"row 3, column year: 2017 already on row 2$"):
        read_dataset(folder)
    write_csv(folder / "turnover.csv", TURNOVER_COLUMNS[:3], [ROW])
    with pytest.raises(DatasetError, match=r"turnover.csv: row 1: missing column reported_on$"):
        read_dataset(folder)


def test_year_facts_hide_reports_received_after_as_of(tmp_path: Path) -> None:
    ds = read_dataset(make_dataset(tmp_path / "ds", [participant("A")], turnover=[ROW],
                                   start="2017-03-01", end="2019-06-30"))
    before = derive(ds, dt.date(2018, 2, 14))["year"]
    after = derive(ds, dt.date(2019, 12, 31))["year"]
    assert [f.subject for f in before] == ["2017", "2018"]
    assert [f.subject for f in after] == ["2017", "2018", "2019"]
    assert before[0].values["turnover_dkk"] is None and before[0].values["reported_on"] is None
    assert after[0].values["turnover_dkk"] == 1_500_000
    assert after[0].values["reported_on"] == dt.date(2018, 2, 15).toordinal()
    assert after[0].values["year_start"] == dt.date(2017, 3, 1).toordinal()  # clipped to the contract
    assert after[2].values["year_end"] == dt.date(2019, 6, 30).toordinal()
    assert after[1].values["turnover_dkk"] is None  # no row for 2018
    assert not any(f.missing for f in after)


def test_aktivitetsparat_is_an_optional_participant_column(tmp_path: Path) -> None:
    folder = make_dataset(tmp_path / "ds", [participant("A")])
    write_csv(folder / "participants.csv", [*PARTICIPANT_COLUMNS, "aktivitetsparat"],
              [participant("A", aktivitetsparat=True), participant("B", aktivitetsparat="")])
    ds = read_dataset(folder)
    assert [p.aktivitetsparat for p in ds.participants] == [True, None]
    facts = derive(ds, dt.date(2017, 3, 1))["participant"]
    assert [f.values["aktivitetsparat"] for f in facts] == [True, None]
    assert read_dataset(make_dataset(tmp_path / "d2", [participant("A")])).participants[0].aktivitetsparat is None
