"""An uploaded monthly submission: names from an allow-list, size and type limits, validation in memory.

The client's file name only chooses which allowed name a file gets (participants.csv, hours.csv,
supplier.csv, turnover.csv, contract.yaml, or upload.xlsx for a workbook); it never becomes a path. The
files are written into a fresh temporary folder that is removed afterwards, whatever happens.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from procurekit import (
    DatasetError,
    ProcurekitError,
    RuleFileError,
    cut_short,
    dataset_problems,
    read_dataset,
    shown,
)
from procurekit.messages import NOT_SHOWN_DA, problem_text
from procurekit.privacy import NOT_SHOWN

from .pages import safe_line

TABLES = ("participants.csv", "hours.csv", "supplier.csv", "turnover.csv")
WORKBOOK = "upload.xlsx"
CONTRACT = "contract.yaml"
MAX_FILES = 8
#: A workbook may unpack to at most this much (an .xlsx is a zip: a small file can hide a huge one).
MAX_UNPACKED = 100 * 1024 * 1024


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def _base(name: str) -> str:
    """The last part of a client's file name (browsers may send a path), for matching and messages only."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _slot(name: str) -> str | None:
    base = _base(name).lower()
    if base.endswith(".xlsx"):
        return WORKBOOK
    if base in TABLES or base == CONTRACT:
        return base
    return None


def _row(file: str, message: str, row: str = "", column: str = "") -> dict[str, str]:
    return {"file": file, "row": row, "column": column, "message": message}


async def read_files(
    uploads: list[Any], lang: str
) -> tuple[dict[str, bytes], list[dict[str, str]], dict[str, str]]:
    """The allowed files by their allowed names, the problems with the others (each one a row), and the
    name each allowed file has on the user's computer (shown in its problems: "marts.xlsx", not "upload.xlsx")."""
    files: dict[str, bytes] = {}
    labels: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    real = [u for u in uploads if isinstance(u, UploadFile) and (u.filename or u.size)]
    if not real:
        return {}, [_row("", _t(lang, "Vælg en eller flere filer (en .xlsx-projektmappe eller CSV-filerne).",
                                "Choose one or more files (an .xlsx workbook or the CSV files)."))], {}
    for u in real:
        name = shown(_base(u.filename or ""), 60) or "?"
        name = _t(lang, NOT_SHOWN_DA, NOT_SHOWN) if name == NOT_SHOWN else name
        slot = _slot(u.filename or "")
        data = await u.read()
        if slot is None:
            problems.append(_row(name, _t(
                lang, "Filtypen tages ikke imod: kun en .xlsx-projektmappe eller participants.csv, hours.csv, "
                      "supplier.csv, turnover.csv (og contract.yaml).",
                "This type of file is not accepted: only an .xlsx workbook or participants.csv, hours.csv, "
                "supplier.csv, turnover.csv (and contract.yaml).")))
        elif slot in files:
            problems.append(_row(name, _t(lang, "Mere end én fil af denne slags.", "More than one file of this kind.")))
        elif slot == WORKBOOK and (problem := _workbook_problem(data, lang)):
            problems.append(_row(name, problem))
        else:
            files[slot] = data
            labels[slot] = name
    return files, problems, labels


def _workbook_problem(data: bytes, lang: str) -> str | None:
    """Why bytes are not a workbook we will open (not a zip, or a zip that unpacks too large)."""
    if not data.startswith(b"PK\x03\x04"):
        return _t(lang, "Filen er ikke en Excel-projektmappe (.xlsx).", "The file is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return _t(lang, "Projektmappen er beskadiget.", "The workbook is damaged.")
    if unpacked > MAX_UNPACKED:
        return _t(lang, f"Projektmappen pakker ud til mere end {MAX_UNPACKED // 2**20} MiB.",
                  f"The workbook unpacks to more than {MAX_UNPACKED // 2**20} MiB.")
    return None


@contextmanager
def folder(files: dict[str, bytes], labels: dict[str, str] | None = None) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh temporary dataset folder holding `files`; yields it and a map of its paths to the names shown
    (`labels`, the user's own file names, where given)."""
    with tempfile.TemporaryDirectory(prefix="procurekit-web-") as tmp:
        root = Path(tmp)
        for name, data in files.items():
            (root / name).write_bytes(data)
        yield root, {str(root / name): (labels or {}).get(name, name) for name in files}


def problem(exc: ProcurekitError, root: Path, names: dict[str, str], lang: str) -> dict[str, str]:
    """A problem row from procurekit's error: the file by the name it has here, never the temporary path."""
    def local(text: str) -> str:  # the temporary folder is ours, not the user's: never shown
        return safe_line(text.replace(str(root) + "/", "").replace(str(root), ""))

    line = _t(lang, "linje", "line")
    if isinstance(exc, DatasetError):
        file = names.get(exc.path, Path(exc.path).name)
        if exc.sheet:
            file += f" [{exc.sheet}]"
        row = str(exc.row) if exc.row is not None else f"{line} {exc.line}" if exc.line else ""
        return _row(file, local(problem_text(exc.message, lang)), row, exc.column or "")
    if isinstance(exc, RuleFileError):
        at = f"{line} {exc.line}" if exc.line else ""
        return _row(Path(exc.path).name, local(problem_text(exc.message, lang)), at)
    return _row("", local(str(exc)))


def validate(root: Path, names: dict[str, str], cid: str | None, lang: str) -> list[dict[str, str]]:
    """Read the dataset as `check` would; its problems (each file's, up to 50 bad rows a file), or that it
    belongs to another contract."""
    if not (root / CONTRACT).is_file():
        return [_row(CONTRACT, _t(lang, "En ny kontrakt kræver også contract.yaml.",
                                  "A new contract needs contract.yaml too."))]
    try:
        ds = read_dataset(root)
    except DatasetError as exc:  # then every problem of every file: all put right at once
        try:
            found = dataset_problems(root) or [exc]
        except ProcurekitError:
            return [problem(exc, root, names, lang)]
        rows = [problem(e, root, names, lang) for e in found]
        for path, count in cut_short(found).items():
            shown_name = names.get(path, Path(path).name)
            rows.append(_row(shown_name, _t(
                lang, f"Der kan være flere fejl i filen end de {count}, der vises: ret dem, og indsend igen.",
                f"The file may hold more problems than the {count} shown: put them right and submit again.")))
        return rows
    except ProcurekitError as exc:
        return [problem(exc, root, names, lang)]
    if cid is not None and ds.contract.contract_id != cid:
        return [_row(CONTRACT, _t(
            lang, f"Indberetningen hører til kontrakt {shown(ds.contract.contract_id, 40)}, ikke {cid}.",
            f"The submission belongs to contract {shown(ds.contract.contract_id, 40)}, not {cid}."))]
    return []
