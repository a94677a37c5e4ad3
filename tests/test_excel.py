"""Excel datasets: workbooks read like the CSV files, errors naming file, sheet, row and column, and the
monthly workbook template."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import (
    CONTRACT,
    HOURS_COLUMNS,
    PARTICIPANT_COLUMNS,
    SUPPLIER_COLUMNS,
    completed,
    make_dataset,
    participant,
)
from openpyxl import Workbook, load_workbook

import procurekit.dataset.excel as _excel
from procurekit.cli import cli
from procurekit.dataset.excel import cell_text
from procurekit.dataset.read import read_dataset
from procurekit.errors import DatasetError

COLUMNS = {"participants": PARTICIPANT_COLUMNS, "hours": HOURS_COLUMNS, "supplier": SUPPLIER_COLUMNS}


def typed(column: str, value: Any) -> Any:
    """A CSV-style value as a person would type it into Excel: dates, booleans and numbers typed."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and column.endswith("_on"):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if column == "month":
        year, month = value.split("-")
        return dt.datetime(int(year), int(month), 1)  # Excel turns 2017-02 into 1 Feb 2017
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def write_workbook(path: Path, tables: dict[str, list[dict[str, Any]]], raw: bool = False) -> Path:
    """A workbook with one sheet per table; cells typed unless `raw`."""
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        columns = COLUMNS[name]
        ws.append(columns)
        for row in rows:
            ws.append([row.get(c) if raw else typed(c, row.get(c)) for c in columns])
    wb.save(path)
    return path


def xlsx_dataset(folder: Path, tables: dict[str, list[dict[str, Any]]], name: str = "dataset.xlsx") -> Path:
    """A dataset folder whose tables are sheets of one workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(
        "".join(f"{k}: {v}\n" for k, v in CONTRACT.items()), encoding="utf-8"
    )
    write_workbook(folder / name, tables)
    return folder


PARTICIPANTS = [
    participant("A", years_on_benefits=2),
    participant("B", years_on_benefits="7.5", enrolled_on="2017-02-01"),
    completed("C", job_offer_on="2018-02-05", job_offer_terms="ordinary"),
    completed("D", left_on="2017-11-30", met_quality=False),
]
HOURS = [
    {
        "participant_id": "B",
        "month": "2017-02",
        "praktik_hours": 100,
        "subsidised_hours": 0,
        "ordinary_hours": 0,
    },
    {
        "participant_id": "B",
        "month": "2017-06",
        "praktik_hours": 80,
        "subsidised_hours": 20.5,
        "ordinary_hours": 10,
    },
    {
        "participant_id": "C",
        "month": "2017-01",
        "praktik_hours": 170,
        "subsidised_hours": 0,
        "ordinary_hours": 0,
    },
]
SUPPLIER = [
    {"month": "2017-01", "ordinary_staff": 40, "contract_fte": 30, "target_group_fte": 2.5},
    {"month": "2017-02", "ordinary_staff": 3, "contract_fte": 30, "target_group_fte": 4},
]


def check_json(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["check", str(path), "--as-of", "2018-03-01", "--format", "json", "--all", "--engine", "python"],
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout.replace(str(path), "{DS}")


def test_xlsx_dataset_gives_the_same_findings_as_csv(tmp_path: Path) -> None:
    csv_ds = make_dataset(tmp_path / "csv", PARTICIPANTS, HOURS, SUPPLIER)
    xlsx_ds = xlsx_dataset(
        tmp_path / "xlsx", {"participants": PARTICIPANTS, "hours": HOURS, "supplier": SUPPLIER}
    )
    assert not list(xlsx_ds.glob("*.csv"))
    code_csv, out_csv = check_json(csv_ds)
    code_xlsx, out_xlsx = check_json(xlsx_ds)
    assert code_csv == code_xlsx == 1
    assert out_xlsx == out_csv
    assert read_dataset(xlsx_ds).participants == read_dataset(csv_ds).participants
    assert read_dataset(xlsx_ds).hours == read_dataset(csv_ds).hours


def test_tables_may_be_split_between_csv_files_and_workbooks(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", PARTICIPANTS)
    write_workbook(ds / "hours.xlsx", {"hours": HOURS})
    write_workbook(ds / "supplier.xlsx", {"supplier": SUPPLIER})
    (ds / "~$hours.xlsx").write_bytes(b"lock file of an open workbook")
    data = read_dataset(ds)
    assert data.sources == {"participants", "hours", "supplier"}
    assert data.hours is not None and len(data.hours) == 3


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("enrolled_on", "2017-13-01", "'2017-13-01' is not a date (YYYY-MM-DD)"),
        ("exit_reason", "finished", "'finished' is not one of completed, dropped_out, other"),
        ("met_quality", "maybe", "'maybe' is not yes or no (true/false, ja/nej, sand/falsk) or empty"),
        ("years_on_benefits", "=1/0", None),
    ],
)
def test_errors_name_file_sheet_row_and_column(
    tmp_path: Path, column: str, value: str, message: str | None
) -> None:
    rows = [participant("A"), participant("B"), {**participant("C"), column: value}]
    ds = xlsx_dataset(tmp_path / "ds", {"participants": rows}, name="participants.xlsx")
    with pytest.raises(DatasetError) as info:
        read_dataset(ds)
    where = f"{ds / 'participants.xlsx'} [participants]: row 4, column {column}: "
    if message is None:  # openpyxl writes formulas without a saved value, as a script would
        message = "formula without a saved value; open the workbook in Excel and save it"
    assert str(info.value) == where + message


def test_cli_reports_one_line_and_exit_2(tmp_path: Path) -> None:
    rows = [participant("A"), {**participant("B"), "enrolled_on": "2. januar"}]
    ds = xlsx_dataset(tmp_path / "ds", {"participants": rows})
    result = CliRunner().invoke(cli, ["check", str(ds)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {ds / 'dataset.xlsx'} [participants]: row 3, column enrolled_on: "
        "'2. januar' is not a date (YYYY-MM-DD)\n"
    )
    assert result.stdout == ""


def test_a_table_given_twice_is_an_error_naming_both(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", PARTICIPANTS)
    write_workbook(ds / "dataset.xlsx", {"participants": PARTICIPANTS})
    with pytest.raises(
        DatasetError,
        match=r"dataset.xlsx \[participants\]: table participants is also given in "
        r".*participants.csv; keep only one of them$",
    ):
        read_dataset(ds)
    (ds / "participants.csv").unlink()
    write_workbook(ds / "more.xlsx", {"participants": PARTICIPANTS})
    with pytest.raises(DatasetError) as info:
        read_dataset(ds)
    assert str(info.value) == (
        f"{ds / 'more.xlsx'} [participants]: table participants is also given in "
        f"{ds / 'dataset.xlsx'} [participants]; keep only one of them"
    )


def test_unknown_sheets_are_errors_and_underscore_sheets_notes(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": PARTICIPANTS})
    wb = load_workbook(ds / "dataset.xlsx")
    wb.create_sheet("_noter")["A1"] = "anything at all"
    wb.save(ds / "dataset.xlsx")
    assert len(read_dataset(ds).participants) == 4
    wb.create_sheet("Ark1")  # Excel's empty default sheet: ignored
    wb.create_sheet("Ark2")["B1"] = "   "  # only an empty header row: ignored too
    wb.save(ds / "dataset.xlsx")
    assert len(read_dataset(ds).participants) == 4
    wb["Ark1"]["A1"] = "notes"
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(DatasetError) as info:
        read_dataset(ds)
    assert str(info.value) == (
        f"{ds / 'dataset.xlsx'}: unknown sheet 'Ark1' (expected: participants, hours, supplier, turnover; "
        "sheets whose names start with _ are skipped)"
    )


def test_comment_rows_are_skipped_and_row_numbers_are_excels(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": [participant("A")]})
    wb = load_workbook(ds / "dataset.xlsx")
    ws = wb["participants"]
    ws["A3"] = "#EKSEMPEL-1"
    ws["C3"] = "not a date, but a comment row"
    ws["A6"], ws["B6"], ws["C6"] = "B", 6, "2017-02-30"
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(
        DatasetError, match=r"\[participants\]: row 6, column enrolled_on: '2017-02-30' is not a date"
    ):
        read_dataset(ds)


def test_a_cpr_number_in_a_number_cell_is_refused_even_without_its_leading_zero(tmp_path: Path) -> None:
    rows = [{**participant("A"), "participant_id": 103851234}]  # 010385-1234 typed as a number
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "contract.yaml").write_text("".join(f"{k}: {v}\n" for k, v in CONTRACT.items()), encoding="utf-8")
    write_workbook(ds / "dataset.xlsx", {"participants": rows}, raw=True)
    with pytest.raises(DatasetError) as info:
        read_dataset(ds)
    assert str(info.value).endswith(
        "[participants]: row 2, column participant_id: "
        "looks like a CPR number; use a pseudonym (value not shown)"
    )
    assert "103851234" not in str(info.value)


def test_excel_error_values_are_refused(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": [participant("A")]})
    wb = load_workbook(ds / "dataset.xlsx")
    wb["participants"]["B2"] = "#DIV/0!"
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(
        DatasetError, match=r"row 2, column years_on_benefits: the cell holds the Excel error #DIV/0!$"
    ):
        read_dataset(ds)


def test_every_excel_error_cell_is_a_problem_of_its_own_in_row_order(tmp_path: Path) -> None:
    from procurekit import dataset_problems

    people = [participant(p) for p in ("A", "B", "C", "D", "E")]
    people[3]["enrolled_on"] = "2017-02-30"  # row 5: not a date
    ds = xlsx_dataset(tmp_path / "ds", {"participants": people})
    wb = load_workbook(ds / "dataset.xlsx")
    wb["participants"]["B3"] = "#N/A"  # row 3: an Excel error
    wb["participants"]["C6"] = "#REF!"  # row 6: after a bad date
    wb.save(ds / "dataset.xlsx")
    found = [(e.sheet, e.row, e.column, e.message) for e in dataset_problems(ds)]
    assert found == [
        ("participants", 3, "years_on_benefits", "the cell holds the Excel error #N/A"),
        ("participants", 5, "enrolled_on", "'2017-02-30' is not a date (YYYY-MM-DD)"),
        ("participants", 6, "enrolled_on", "the cell holds the Excel error #REF!"),
    ]
    with pytest.raises(DatasetError, match=r"row 3, column years_on_benefits: the cell holds the Excel error #N/A$"):
        read_dataset(ds)  # check's one line: the first of them, as before


def test_a_formula_with_a_saved_value_is_read_as_its_value(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": [participant("A")]})
    wb = load_workbook(ds / "dataset.xlsx")
    wb["participants"]["B2"] = "=3+3.5"
    wb.save(ds / "dataset.xlsx")
    set_cached_value(ds / "dataset.xlsx", "6.5")
    assert read_dataset(ds).participants[0].years_on_benefits == 6.5


def set_cached_value(path: Path, value: str) -> None:
    """Give every formula in the workbook the saved value `value`, as Excel would on saving."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v></v>", f"<v>{value}</v>".encode()).replace(
                    b"</f></c>", f"</f><v>{value}</v></c>".encode()
                )
            dst.writestr(info, data)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
            "password-protected workbook or old .xls format; remove the password and save as .xlsx",
        ),
        (b"participant_id,years_on_benefits\n", "not an .xlsx workbook (damaged, or another format renamed)"),
        (b"PK\x03\x04" + b"\x00" * 100, "damaged workbook (BadZipFile: File is not a zip file)"),
    ],
    ids=["encrypted", "csv-renamed", "truncated-zip"],
)
def test_bad_workbooks_exit_2_with_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    ds = make_dataset(tmp_path / "ds", PARTICIPANTS)
    (ds / "hours.xlsx").write_bytes(content)
    result = CliRunner().invoke(cli, ["check", str(ds)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {ds / 'hours.xlsx'}: {message}\n"


def test_a_workbook_without_its_parts_is_damaged(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", PARTICIPANTS)
    with zipfile.ZipFile(ds / "hours.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(DatasetError, match=r"hours.xlsx: damaged workbook \(\w+: .*\)$"):
        read_dataset(ds)


def test_huge_sheets_and_workbooks_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [participant(f"P{i}") for i in range(10)]
    ds = xlsx_dataset(tmp_path / "ds", {"participants": rows})
    monkeypatch.setattr(_excel, "MAX_ROWS", 8)
    with pytest.raises(DatasetError, match=r"\[participants\]: row 9: sheet has more than 8 rows$"):
        read_dataset(ds)
    monkeypatch.setattr(_excel, "MAX_ROWS", 100)
    monkeypatch.setattr(_excel, "MAX_CELLS", 20)  # three filled cells a row
    with pytest.raises(DatasetError, match=r"\[participants\]: row 8: sheet has more than 20 cells$"):
        read_dataset(ds)
    monkeypatch.setattr(_excel, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DatasetError, match=r"dataset.xlsx: workbook unpacks to more than 0 MiB$"):
        read_dataset(ds)


def test_a_value_beyond_the_column_cap_is_refused(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": [participant("A")]})
    wb = load_workbook(ds / "dataset.xlsx")
    wb["participants"].cell(row=2, column=5000, value="x")
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(
        DatasetError, match=r"row 2: row has a value in column 5000; at most 200 columns are read$"
    ):
        read_dataset(ds)


def test_an_old_xls_workbook_is_refused_never_ignored(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    (ds / "participants.csv").unlink()
    (ds / "Deltagere.XLS").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(DatasetError) as info:
        read_dataset(ds)
    assert str(info.value) == f"{ds / 'Deltagere.XLS'}: an old Excel 97-2003 workbook (.xls); save it as .xlsx"


def test_header_must_be_in_row_1_and_the_sheet_not_empty(tmp_path: Path) -> None:
    ds = xlsx_dataset(tmp_path / "ds", {"participants": []})
    wb = load_workbook(ds / "dataset.xlsx")
    wb["participants"].delete_rows(1)
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(DatasetError, match=r"\[participants\]: sheet is empty; expected a header row$"):
        read_dataset(ds)
    wb["participants"]["C3"] = "participant_id"
    wb.save(ds / "dataset.xlsx")
    with pytest.raises(DatasetError, match=r"the header must be in row 1 \(the first values are in row 3\)$"):
        read_dataset(ds)


@pytest.mark.parametrize(
    ("value", "column", "text"),
    [
        (None, "", ""),
        (True, "", "true"),
        (False, "", "false"),
        (6, "", "6"),
        (6.0, "", "6"),
        (7.5, "", "7.5"),
        (0.1 + 0.2, "", "0.30000000000000004"),
        (dt.datetime(2017, 1, 2, 0, 0), "enrolled_on", "2017-01-02"),
        (dt.datetime(2017, 1, 2, 13, 30), "enrolled_on", "2017-01-02"),
        (dt.date(2017, 2, 1), "month", "2017-02"),
        (dt.datetime(2017, 2, 1), "month", "2017-02"),
        (dt.datetime(2017, 2, 3), "month", "2017-02-03"),
        ("  IB-001 ", "", "  IB-001 "),
        (103851234, "", "0103851234"),
        (123456789, "", "123456789"),
    ],
)
def test_cells_become_the_strings_the_csv_parsers_read(value: Any, column: str, text: str) -> None:
    assert cell_text(value, column=column) == text


# --- the template ---------------------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_template_is_documented_validated_and_reads_back(tmp_path: Path) -> None:
    folder = tmp_path / "contract"
    result = invoke("dataset", "template", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {folder / 'dataset.xlsx'}\nwrote {folder / 'contract.yaml'}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["contract.yaml", "dataset.xlsx"]
    # As written: the example rows are comments, so the dataset loads and is empty.
    empty = read_dataset(folder)
    assert empty.participants == () and empty.hours == () and empty.supplier == ()

    wb = load_workbook(folder / "dataset.xlsx")
    assert wb.sheetnames == ["_vejledning", "participants", "hours", "supplier", "turnover"]
    ws = wb["participants"]
    header = [c.value for c in ws[1]]
    assert header[: len(PARTICIPANT_COLUMNS)] == PARTICIPANT_COLUMNS
    assert ws.freeze_panes == "A2"
    assert str(ws["A2"].value).startswith("#EKSEMPEL")
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    assert "CPR" in ws["A1"].comment.text
    assert ws.column_dimensions["C"].width >= 14
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists == {'"true,false"', '"completed,dropped_out,other"', '"ordinary,subsidised,flexjob"'}
    dates = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    assert {str(r) for dv in dates for r in dv.sqref.ranges} == {"C3:C20000", "D3:D20000", "I3:I20000"}

    # Filled in by a supplier under the example rows: read like the CSV files.
    for row in PARTICIPANTS:
        ws.append([typed(c, row.get(c)) for c in PARTICIPANT_COLUMNS])
    for row in HOURS:
        wb["hours"].append([typed(c, row.get(c)) for c in HOURS_COLUMNS])
    wb.save(folder / "dataset.xlsx")
    csv_version = read_dataset(make_dataset(tmp_path / "csv", PARTICIPANTS, HOURS))
    filled = read_dataset(folder)
    assert [p.row for p in filled.participants] == [3, 4, 5, 6]  # Excel's rows: the example row stays
    assert [replace(p, row=0) for p in filled.participants] == [
        replace(p, row=0) for p in csv_version.participants
    ]
    assert filled.hours == csv_version.hours


def test_template_in_english_and_with_an_existing_contract(tmp_path: Path) -> None:
    folder = tmp_path / "contract"
    folder.mkdir()
    (folder / "contract.yaml").write_text("contract_id: MINE\n", encoding="utf-8")
    result = invoke("dataset", "template", str(folder), "--lang", "en")
    assert result.exit_code == 0
    kept = f"kept {folder / 'contract.yaml'} (already there)"
    assert result.stderr == f"wrote {folder / 'dataset.xlsx'}\n{kept}\n"
    assert (folder / "contract.yaml").read_text(encoding="utf-8") == "contract_id: MINE\n"
    wb = load_workbook(folder / "dataset.xlsx")
    assert wb.sheetnames[0] == "_instructions"
    assert wb["hours"]["B1"].comment.text.startswith("Calendar month as text")


@pytest.mark.parametrize("existing", ["dataset.xlsx", "participants.csv", "other.xlsx"])
def test_template_never_overwrites_and_never_doubles_a_table(tmp_path: Path, existing: str) -> None:
    folder = tmp_path / "contract"
    folder.mkdir()
    (folder / existing).write_bytes(b"mine")
    result = CliRunner().invoke(cli, ["dataset", "template", str(folder)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {folder / existing}: exists; ")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in folder.iterdir()) == [existing]
    assert (folder / existing).read_bytes() == b"mine"
