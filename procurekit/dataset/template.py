"""The monthly dataset workbook (`procurekit dataset template`) suppliers fill in: one documented, validated
sheet per table, read back by `dataset/excel.py`."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procurekit.dataset.excel import workbooks
from procurekit.dataset.schema import TABLE_COLUMNS, column_kind
from procurekit.errors import DatasetError
from procurekit.files import write_atomic

TEMPLATE_NAME = "dataset.xlsx"
_FIRST_ROW, _LAST_ROW = 2, 20_000


@dataclass(frozen=True)
class _Column:
    """How the template presents one column: its kind (for validation and format), notes and example."""

    kind: str  # id | number | count | date | month | year | bool | choice
    da: str
    en: str
    options: tuple[str, ...] = ()


_COLUMNS: dict[str, _Column] = {
    "participant_id": _Column(
        "id",
        "Pseudonym for deltageren (bogstaver, cifre, . _ -). Aldrig CPR-nummer eller navn.",
        "The participant's pseudonym (letters, digits, . _ -). Never a CPR number or a name.",
    ),
    "years_on_benefits": _Column(
        "number",
        "År på offentlig forsørgelse ved optagelse, fx 6,5.",
        "Years on public benefits at enrolment, e.g. 6.5.",
    ),
    "enrolled_on": _Column("date", "Dato for optagelse på forløbet.", "Day the participant was enrolled."),
    "left_on": _Column(
        "date",
        "Sidste dag på forløbet; tom mens deltageren er i gang.",
        "Last day of the course; empty while the participant is active.",
    ),
    "exit_reason": _Column(
        "choice",
        "Hvorfor forløbet sluttede; tom mens deltageren er i gang.",
        "Why the course ended; empty while active.",
        ("completed", "dropped_out", "other"),
    ),
    "met_stability": _Column(
        "bool",
        "Opfyldt kravet om stabilitet (true/false); tom hvis ikke vurderet.",
        "Met the stability requirement (true/false); empty if not assessed.",
    ),
    "met_efficiency": _Column(
        "bool",
        "Opfyldt kravet om effektivitet (true/false); tom hvis ikke vurderet.",
        "Met the efficiency requirement (true/false); empty if not assessed.",
    ),
    "met_quality": _Column(
        "bool",
        "Opfyldt kravet om kvalitet (true/false); tom hvis ikke vurderet.",
        "Met the quality requirement (true/false); empty if not assessed.",
    ),
    "job_offer_on": _Column(
        "date", "Dato for jobtilbud; tom hvis intet tilbud.", "Day of the job offer; empty if none."
    ),
    "job_offer_terms": _Column(
        "choice",
        "Vilkår for jobtilbuddet; tom hvis intet tilbud.",
        "Terms of the job offer; empty if none.",
        ("ordinary", "subsidised", "flexjob"),
    ),
    "aktivitetsparat": _Column(
        "bool",
        "Aktivitetsparat ved optagelse (true/false); tom hvis ukendt.",
        "Activity-ready (aktivitetsparat) at enrolment (true/false); empty if unknown.",
    ),
    "month": _Column(
        "month",
        "Kalendermåned som tekst: ÅÅÅÅ-MM, fx 2025-03.",
        "Calendar month as text: YYYY-MM, e.g. 2025-03.",
    ),
    "praktik_hours": _Column(
        "number",
        "Timer i virksomhedspraktik i måneden (ulønnede).",
        "Hours of unpaid virksomhedspraktik in the month.",
    ),
    "subsidised_hours": _Column(
        "number", "Timer med løntilskud i måneden.", "Hours with wage subsidy in the month."
    ),
    "ordinary_hours": _Column(
        "number", "Ordinære, ustøttede løntimer i måneden.", "Ordinary, unsubsidised paid hours in the month."
    ),
    "ordinary_staff": _Column(
        "count",
        "Antal ordinært ansatte på kontrakten (personer; uden støttede ansættelser).",
        "Ordinary staff on the contract (head count, subsidised staff excluded).",
    ),
    "contract_fte": _Column(
        "number", "Årsværk på kontrakten i måneden.", "Full-time equivalents on the contract."
    ),
    "target_group_fte": _Column(
        "number",
        "Heraf årsværk udført af målgruppen.",
        "Of which full-time equivalents worked by the target group.",
    ),
    "year": _Column("year", "Kalenderår, fx 2025.", "Calendar year, e.g. 2025."),
    "turnover_dkk": _Column(
        "number", "Omsætning på kontrakten i året, kr.", "Turnover on the contract in the year, DKK."
    ),
    "reported_on": _Column("date", "Dato for leverandørens indberetning.", "Day the supplier reported."),
}

_INTRO = {
    "da": [
        "Månedlig indberetning til kontrakten (procurekit). Ét ark pr. tabel.",
        "Overskrifterne i række 1 må ikke ændres.",
        "Hold musen over en overskrift for at se, hvad kolonnen skal indeholde.",
        "Datoer skrives som datoer (fx 2025-03-01); måneder som tekst ÅÅÅÅ-MM; ja/nej som true/false.",
        "Rækker hvis første celle begynder med # springes over:",
        "eksempelrækken kan slettes eller blive stående.",
        "Kun pseudonymer. Et CPR-nummer afvises, og værdien vises aldrig.",
        "Ark hvis navn begynder med _ (som dette) læses ikke. Tomme valgfri ark kan slettes.",
        "Tjek filen med: procurekit check MAPPE",
    ],
    "en": [
        "Monthly report for the contract (procurekit). One sheet per table.",
        "Keep the headers in row 1 as they are.",
        "Hover over a header to see what the column holds.",
        "Dates as dates (e.g. 2025-03-01); months as text YYYY-MM; yes/no as true/false.",
        "Rows whose first cell starts with # are skipped:",
        "delete the example row or leave it.",
        "Pseudonyms only. A CPR number is refused and never shown.",
        "Sheets whose names start with _ (like this one) are not read. Empty optional sheets may be deleted.",
        "Check the file with: procurekit check FOLDER",
    ],
}

_CONTRACT_SKELETON = """\
# {note}
contract_id: KONTRAKT-1
municipality: Eksempel Kommune
supplier: Leverandør A/S
title: Rengøring med jobtræningsforløb
ruleset: ikast-brande
start: {start}
end: {end}
"""


def _column(name: str, parser: Callable[[str], Any]) -> _Column:
    """The template's view of a column; a column this module does not describe is typed by its parser."""
    if name in _COLUMNS:
        return _COLUMNS[name]

    kind = column_kind(parser)
    return _Column(kind, name, name)


def _example(name: str, kind: str, column: _Column, start: dt.date, first: bool) -> Any:
    """The example row's cell; the first cell is marked with # so the reader skips the row."""
    value: Any
    if kind == "id":
        value = "EKSEMPEL-01"
    elif kind == "month":
        value = start.strftime("%Y-%m")
    elif kind == "year":
        value = str(start.year)
    elif kind == "date":
        value = {"enrolled_on": start.replace(day=6), "reported_on": dt.date(start.year + 1, 1, 31)}.get(name)
    elif kind == "number":
        value = {
            "years_on_benefits": 6.5,
            "praktik_hours": 60,
            "subsidised_hours": 20,
            "ordinary_hours": 0,
            "contract_fte": 80,
            "target_group_fte": 8.5,
            "turnover_dkk": 25_000_000,
        }.get(name, 0)
    elif kind == "count":
        value = 100
    elif kind == "bool":
        value = "true" if name == "aktivitetsparat" else None
    else:
        value = None
    if first:
        value = f"#{value}" if value is not None else "#"
    return value


def template_workbook(lang: str = "da", today: dt.date | None = None) -> bytes:
    """The monthly dataset workbook: one documented, validated sheet per table, as .xlsx bytes.

    Args:
        lang: language of the notes and the instructions sheet (da or en).
        today: sets the example rows' dates (default: today).
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    start = (today or dt.date.today()).replace(day=1)
    wb = Workbook()
    notes = wb.active
    notes.title = "_vejledning" if lang == "da" else "_instructions"
    for i, line in enumerate(_INTRO[lang], start=1):
        notes.cell(row=i, column=1, value=line)
    notes.column_dimensions["A"].width = 110
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="DCE6F1")
    for table, columns in TABLE_COLUMNS.items():
        ws = wb.create_sheet(table)
        ws.freeze_panes = "A2"
        for index, (name, parser) in enumerate(columns.items(), start=1):
            spec = _column(name, parser)
            letter = get_column_letter(index)
            head = ws.cell(row=1, column=index, value=name)
            head.font, head.fill, head.alignment = bold, fill, Alignment(horizontal="center")
            note = spec.da if lang == "da" else spec.en
            if spec.options:
                note += " " + ", ".join(spec.options)
            head.comment = Comment(note, "procurekit", width=260, height=110)
            ws.column_dimensions[letter].width = max(len(name) + 4, 14)
            example = ws.cell(row=2, column=index, value=_example(name, spec.kind, spec, start, index == 1))
            example.font = grey
            _validate(ws, letter, spec, note, DataValidation)
            fmt = {"date": "yyyy-mm-dd", "month": "@", "year": "@", "id": "@"}.get(spec.kind)
            if fmt:
                ws.column_dimensions[letter].number_format = fmt
                example.number_format = fmt
    wb.properties.creator = "procurekit"
    return workbook_bytes(wb)


def _validate(ws: Any, letter: str, spec: _Column, note: str, validation: Any) -> None:
    """Data validation for one column: dates, true/false and code lists, non-negative numbers."""
    rule: dict[str, Any]
    if spec.kind == "date":
        rule = {
            "type": "date",
            "operator": "between",
            "formula1": "DATE(2000,1,1)",
            "formula2": "DATE(2100,12,31)",
        }
    elif spec.kind == "bool":
        rule = {"type": "list", "formula1": '"true,false"'}
    elif spec.kind == "choice":
        rule = {"type": "list", "formula1": '"' + ",".join(spec.options) + '"'}
    elif spec.kind == "number":
        rule = {"type": "decimal", "operator": "between", "formula1": "0", "formula2": "1000000000"}
    elif spec.kind == "count":
        rule = {"type": "whole", "operator": "between", "formula1": "0", "formula2": "10000000"}
    elif spec.kind == "month":
        rule = {"type": "textLength", "operator": "equal", "formula1": "7"}
    else:
        return
    dv = validation(allow_blank=True, showErrorMessage=True, showInputMessage=True, **rule)
    dv.errorTitle, dv.error = "procurekit", note[:255]
    dv.promptTitle, dv.prompt = spec.kind, note[:255]
    ws.add_data_validation(dv)
    dv.add(f"{letter}{_FIRST_ROW + 1}:{letter}{_LAST_ROW}")


def write_template(folder: Path, lang: str = "da", today: dt.date | None = None) -> list[Path]:
    """Write `dataset.xlsx` (and a `contract.yaml` skeleton if there is none) into `folder`.

    Returns:
        The files written.

    Raises:
        DatasetError: the workbook exists, or the folder already holds a table (CSV or workbook) the
            template would give a second time. Nothing is written then.
    """
    target = folder / TEMPLATE_NAME
    if target.exists():
        raise DatasetError(target, "exists; not overwritten (move it away or choose another folder)")
    if folder.is_dir():
        for name in TABLE_COLUMNS:
            clash = folder / f"{name}.csv"
            if clash.exists():
                raise DatasetError(clash, f"exists; the template's {name} sheet would give {name} twice")
        books = workbooks(folder)
        if books:
            raise DatasetError(books[0], "exists; the template's sheets would give its tables twice")
    elif folder.exists():
        raise DatasetError(folder, "not a folder")
    written = []
    write_atomic(target, template_workbook(lang, today))
    written.append(target)
    contract = folder / "contract.yaml"
    if not contract.exists():
        year = (today or dt.date.today()).year
        note = (
            "Udfyld kontraktens oplysninger; datoer som ÅÅÅÅ-MM-DD."
            if lang == "da"
            else "Fill in the contract's details; dates as YYYY-MM-DD."
        )
        write_atomic(
            contract,
            _CONTRACT_SKELETON.format(note=note, start=dt.date(year, 1, 1), end=dt.date(year + 2, 12, 31)),
        )
        written.append(contract)
    return written


def workbook_bytes(wb: Any) -> bytes:
    """A workbook saved to bytes (for an atomic write)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
