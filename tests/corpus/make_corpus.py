"""Regenerate the bad-input corpus (each folder: a dataset with one problem + expected.txt).

    python tests/corpus/make_corpus.py

expected.txt holds the exact stderr line (with `{DS}` for the dataset folder); tests/test_corpus.py
runs `procurekit check` on every folder and demands that line and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CONTRACT = ("contract_id: C-1\nmunicipality: Testrup Kommune\nsupplier: Rengøring A/S\n"
            "ruleset: ikast-brande\nstart: 2017-01-01\nend: 2019-12-31\n")
P_HEAD = ("participant_id,years_on_benefits,enrolled_on,left_on,exit_reason,met_stability,met_efficiency,"
          "met_quality,job_offer_on,job_offer_terms\n")
P_OK = "P1,6,2017-01-02,,,,,,,\nP2,7.5,2017-02-01,2018-01-31,completed,true,true,true,2018-02-05,ordinary\n"
H_HEAD = "participant_id,month,praktik_hours,subsidised_hours,ordinary_hours\n"


def _xlsx(sheets: dict[str, list[list[Any]]], patch: dict[bytes, bytes] | None = None) -> bytes:
    """A workbook with these sheets and rows, byte-identical on every run (fixed times in the zip).

    `patch` replaces bytes in the sheets' XML (a malformed cell openpyxl would not write).
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    raw = io.BytesIO()
    wb.save(raw)  # stamps docProps/core.xml with the time of saving; replaced below
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", data)
            if info.filename.startswith("xl/worksheets/"):
                for old, new in (patch or {}).items():
                    data = data.replace(old, new)
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


P_SHEET = [P_HEAD.strip().split(","), ["P1", 6, dt.date(2017, 1, 2)], ["P2", 7.5, dt.date(2017, 2, 1)],
           ["P3", 6, "2017-02-30"]]

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "truncated-participants": (
        {"participants.csv": (P_HEAD + P_OK + "P3,6,2017-0").encode()},
        "{DS}/participants.csv: row 4: expected 10 fields, found 3"),
    "utf16-participants": (
        {"participants.csv": (P_HEAD + P_OK).encode("utf-16")},
        "{DS}/participants.csv: UTF-16 text; save the file as CSV UTF-8"),
    "binary-participants": (
        {"participants.csv": b"PK\x03\x04\x00\x00binary"},
        "{DS}/participants.csv: binary file (contains NUL bytes); expected CSV text"),
    "latin1-bad-id": (
        {"participants.csv": (P_HEAD + "Søren,6,2017-01-02,,,,,,,\n").encode("cp1252")},
        "{DS}/participants.csv: row 2, column participant_id: 'Søren' is not a pseudonym"
        " (letters, digits, . _ -; at most 64)"),
    "semicolon-bad-decimal": (
        {"participants.csv": (P_HEAD.replace(",", ";") + "P1;6,5,1;2017-01-02;;;;;;;\n").encode()},
        "{DS}/participants.csv: row 2, column years_on_benefits: '6,5,1' is not a number"),
    "duplicate-ids": (
        {"participants.csv": (P_HEAD + P_OK + "P1,6,2017-03-01,,,,,,,\n").encode()},
        "{DS}/participants.csv: row 4, column participant_id: participant_id 'P1' already on row 2"),
    "left-before-enrolled": (
        {"participants.csv": (P_HEAD + "P1,6,2017-05-01,2017-04-30,dropped_out,,,,,\n").encode()},
        "{DS}/participants.csv: row 2, column left_on: left_on is before enrolled_on"),
    "hours-outside-course": (
        {"hours.csv": (H_HEAD + "P2,2018-02,10,0,0\n").encode()},
        "{DS}/hours.csv: row 2, column month: 2018-02 is outside P2's course (2017-02 to 2018-01)"),
    "hours-nan": (
        {"hours.csv": (H_HEAD + "P1,2017-02,NaN,0,0\n").encode()},
        "{DS}/hours.csv: row 2, column praktik_hours: 'NaN' is not a finite number"),
    "hours-negative": (
        {"hours.csv": (H_HEAD + "P1,2017-02,10,-2.5,0\n").encode()},
        "{DS}/hours.csv: row 2, column subsidised_hours: -2.5 is negative"),
    "hours-duplicate-month": (
        {"hours.csv": (H_HEAD + "P1,2017-02,10,0,0\nP1,2017-02,5,0,0\n").encode()},
        "{DS}/hours.csv: row 3, column month: P1 2017-02 already on row 2"),
    "huge-cell": (
        {"participants.csv": (P_HEAD + ",".join(["P1", "6", "2017-01-02", "", "", "", "", "x" * 5000, "", ""])
                              + "\n").encode()},
        "{DS}/participants.csv: row 2, column met_quality: cell longer than 1000 characters"),
    "huge-field": (
        {"participants.csv": (P_HEAD + '"' + "x" * 20000 + '",6,2017-01-02,,,,,,,\n').encode()},
        "{DS}/participants.csv: row 2: malformed CSV (field larger than field limit (10000))"),
    "unclosed-quote": (
        {"participants.csv": (P_HEAD + 'P1,"6,2017-01-02,,,,,,,\n').encode()},
        "{DS}/participants.csv: row 2: malformed CSV (unexpected end of data)"),
    "empty-participants": ({"participants.csv": b""}, "{DS}/participants.csv: file is empty; expected a header row"),
    "cpr-in-hours": (
        {"hours.csv": (H_HEAD + "1203851234,2017-02,10,0,0\n").encode()},
        "{DS}/hours.csv: row 2, column participant_id: looks like a CPR number; use a pseudonym (value not shown)"),
    "contract-end-before-start": (
        {"contract.yaml": CONTRACT.replace("end: 2019-12-31", "end: 2016-12-31").encode()},
        "{DS}/contract.yaml:6: end: end is before start"),
    "contract-yaml-bomb": (
        {"contract.yaml": ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))).encode()},
        "{DS}/contract.yaml:1: document expands to too many nodes"),
    "ruleset-cycle": (
        {"contract.yaml": CONTRACT.replace("ruleset: ikast-brande", "ruleset: a.yaml").encode(),
         "a.yaml": b"id: a\ntitle: {da: a, en: a}\nextends: b.yaml\n",
         "b.yaml": b"id: b\ntitle: {da: b, en: b}\nextends: a.yaml\n"},
        "{DS}/b.yaml: extends cycle: a -> b -> a"),
    "xlsx-bad-date": (
        {"participants.csv": None, "dataset.xlsx": _xlsx({"participants": P_SHEET})},
        "{DS}/dataset.xlsx [participants]: row 4, column enrolled_on: '2017-02-30' is not a date (YYYY-MM-DD)"),
    "xlsx-and-csv": (
        {"dataset.xlsx": _xlsx({"participants": P_SHEET[:2]})},
        "{DS}/dataset.xlsx [participants]: table participants is also given in {DS}/participants.csv; "
        "keep only one of them"),
    "xlsx-encrypted": (
        {"hours.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)},
        "{DS}/hours.xlsx: password-protected workbook or old .xls format; remove the password and save as .xlsx"),
    # The fast sheet reader (dataset/sheet_xml.py) reads as openpyxl does, or leaves the sheet to it.
    "xlsx-cell-in-another-row": (  # a cell's row is the row element it is in, whatever its reference says
        {"participants.csv": None, "dataset.xlsx": _xlsx({"participants": P_SHEET}, {b'<c r="C4"': b'<c r="C9"'})},
        "{DS}/dataset.xlsx [participants]: row 4, column enrolled_on: '2017-02-30' is not a date (YYYY-MM-DD)"),
    "xlsx-error-as-text": (
        {"participants.csv": None,
         "dataset.xlsx": _xlsx({"participants": P_SHEET}, {b"<t>2017-02-30</t>": b"<t> #N/A</t>"})},
        "{DS}/dataset.xlsx [participants]: row 4, column enrolled_on: the cell holds the Excel error  #N/A"),
    "xlsx-invalid-character-reference": (
        {"participants.csv": None, "dataset.xlsx": _xlsx({"participants": P_SHEET}, {b"<t>P3</t>": b"<t>P&#1;</t>"})},
        "{DS}/dataset.xlsx [participants]: damaged sheet (ParseError: reference to invalid character number: "
        "line 1, column 1237)"),
    "xlsx-damaged-after-rows": (
        {"participants.csv": None,
         "dataset.xlsx": _xlsx({"participants": P_SHEET}, {b'<pageMargins left="0.75"': b'<pageMargins left="x"'})},
        "{DS}/dataset.xlsx [participants]: damaged sheet (TypeError: expected <class [value not shown]>)"),
}


class Link(str):
    """A file given as a symbolic link to this (relative) target instead of bytes."""


# One CPR number (a made-up one) in every spelling the detector knows; no expected.txt may hold its digits.
CPR_SPELLINGS = {
    "dot": "010190.4837",
    "underscore": "010190_4837",
    "double-dash": "010190--4837",
    "dotted-date": "01.01.90-4837",
    "space": "010190 4837",
    "en-dash": "010190\u20134837",
    "nb-hyphen": "010190\u20114837",
    "slash": "010190/4837",
    "fullwidth": "\uff10\uff11\uff10\uff11\uff19\uff10\uff14\uff18\uff13\uff17",
    "zero-width": "010190\u200b4837",
    "arabic-indic": "\u0660\u0661\u0660\u0661\u0669\u0660\u0664\u0668\u0663\u0667",
    "soft-hyphen": "0101\u00ad90-4837",
}
CPR_REFUSED = "looks like a CPR number; use a pseudonym (value not shown)"
CPR_CASES: dict[str, tuple[dict[str, Any], str]] = {
    **{f"cpr-id-{name}": (
        {"participants.csv": (P_HEAD + f"{cpr},6,2017-01-02,,,,,,,\n").encode()},
        f"{{DS}}/participants.csv: row 2, column participant_id: {CPR_REFUSED}")
       for name, cpr in CPR_SPELLINGS.items()},
    "cpr-in-date-cell": (
        {"participants.csv": (P_HEAD + "P1,6,010190 4837,,,,,,,\n").encode()},
        f"{{DS}}/participants.csv: row 2, column enrolled_on: {CPR_REFUSED}"),
    "cpr-in-text": (
        {"participants.csv": (P_HEAD + "P1,6,2017-01-02,,,,,,,note: 01.01.90-4837 called\n").encode()},
        f"{{DS}}/participants.csv: row 2, column job_offer_terms: {CPR_REFUSED}"),
    "cpr-in-header": (
        {"participants.csv": (P_HEAD.replace("met_quality", "010190_4837") + P_OK).encode()},
        "{DS}/participants.csv: row 1, column 8: looks like a CPR number; use a pseudonym"),
    "cpr-contract-key": (
        {"contract.yaml": (CONTRACT + "010190.4837: x\n").encode()},
        f"{{DS}}/contract.yaml:7: {CPR_REFUSED}"),
    "cpr-contract-value": (
        {"contract.yaml": CONTRACT.replace("supplier: Rengøring A/S", "supplier: 01.01.90-4837").encode()},
        f"{{DS}}/contract.yaml:3: {CPR_REFUSED}"),
    "cpr-contract-float": (
        {"contract.yaml": CONTRACT.replace("start: 2017-01-01", "start: 010190.4837").encode()},
        f"{{DS}}/contract.yaml:5: {CPR_REFUSED}"),
    "cpr-sheet-name": (
        {"participants.csv": None, "dataset.xlsx": _xlsx({"participants": P_SHEET[:2], "010190 4837": [["x"]]})},
        "{DS}/dataset.xlsx: sheet 2: the name looks like a CPR number; rename the sheet (name not shown)"),
    "cpr-workbook-name": (
        {"participants.csv": None, "010190-4837.xlsx": _xlsx({"participants": P_SHEET[:2]})},
        "{DS}: a workbook's file name looks like a CPR number; rename it (name not shown)"),
    "cpr-xlsx-malformed-cell": (
        {"participants.csv": None,
         "dataset.xlsx": _xlsx({"participants": P_SHEET[:2] + [["P5", 424242, dt.date(2017, 1, 2)]]},
                               {b"<v>424242</v>": b"<v>010190 4837</v>"})},
        "{DS}/dataset.xlsx [participants]: row 3, column 2: malformed cell: its value does not fit the cell's type "
        "(value not shown)"),
    "cpr-xlsx-number-cell": (
        {"participants.csv": None,
         "dataset.xlsx": _xlsx({"participants": P_SHEET[:2] + [[10190.4837, 6, dt.date(2017, 1, 2)]]})},
        f"{{DS}}/dataset.xlsx [participants]: row 3, column participant_id: {CPR_REFUSED}"),
    "cpr-symlink-outside": (
        {"participants.csv": Link("../make_corpus.py")},
        "{DS}/participants.csv: a symbolic link to a file outside the dataset folder; copy the file into the folder"),
    "cpr-control-character": (
        {"contract.yaml": CONTRACT.replace("supplier: Rengøring A/S", "supplier: Reng\x01øring").encode()},
        "{DS}/contract.yaml:3: control character U+0001 is not allowed"),
    "cpr-unknown-header-not-shown": (
        {"participants.csv": b"root:x:0:0:root:/root:/bin/bash\n"},
        "{DS}/participants.csv: row 1, column 1: unknown column, not shown as it is not a column name (expected: "
        "participant_id, years_on_benefits, enrolled_on, left_on, exit_reason, met_stability, met_efficiency, "
        "met_quality, job_offer_on, job_offer_terms, aktivitetsparat)"),
}
CASES.update(CPR_CASES)


def main() -> None:
    for name, (files, expected) in CASES.items():
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        base = {"contract.yaml": CONTRACT.encode(), "participants.csv": (P_HEAD + P_OK).encode()}
        for fname, data in {**base, **files}.items():
            if isinstance(data, Link):
                (folder / fname).symlink_to(data)
            elif data is not None:  # None: leave out a base file
                (folder / fname).write_bytes(data)
        (folder / "expected.txt").write_text(expected + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
