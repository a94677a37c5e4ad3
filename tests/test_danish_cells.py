"""CSV cells as Danish Excel saves them: day-first dates, ja/nej and SAND/FALSK."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from procurekit.dataset.schema import CellError, parse_bool, parse_date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2017-12-31", dt.date(2017, 12, 31)),
        ("31-12-2017", dt.date(2017, 12, 31)),
        ("31.12.2017", dt.date(2017, 12, 31)),
        ("1-2-2017", dt.date(2017, 2, 1)),
        ("01.02.2017", dt.date(2017, 2, 1)),
    ],
)
def test_day_first_dates_are_read(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1-2-17", "'1-2-17' has a two-digit year, which is ambiguous; write YYYY-MM-DD or DD-MM-YYYY"),
        ("31.12.17", "'31.12.17' has a two-digit year, which is ambiguous; write YYYY-MM-DD or DD-MM-YYYY"),
        ("02/01/2017", "'02/01/2017' is ambiguous (day or month first?); write YYYY-MM-DD or DD-MM-YYYY"),
        ("30-02-2017", "'30-02-2017' is not a date (no such day)"),
        ("31-12.2017", "'31-12.2017' is not a date (YYYY-MM-DD)"),
        ("2017-13-01", "'2017-13-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_ambiguous_or_impossible_dates_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(CellError) as info:
        parse_date(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "value"),
    [("ja", True), ("Nej", False), ("SAND", True), ("FALSK", False), ("yes", True), ("NO", False),
     ("true", True), ("False", False), ("", None)],
)
def test_danish_and_english_yes_no(text: str, value: bool | None) -> None:
    assert parse_bool(text) is value


def test_a_danish_excel_csv_is_checked(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from helpers import PARTICIPANT_COLUMNS, make_dataset, participant

    from procurekit.cli import cli

    ds = make_dataset(tmp_path / "ds", [participant("A")])
    text = ";".join(PARTICIPANT_COLUMNS) + "\nA;4,5;02-01-2017;31.12.2017;completed;ja;SAND;Nej;;\n"
    (ds / "participants.csv").write_bytes(text.encode("cp1252"))
    result = CliRunner().invoke(cli, ["check", str(ds), "--as-of", "2018-03-01", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "Error" not in result.output
