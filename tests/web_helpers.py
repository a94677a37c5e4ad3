"""Builders for the web workspace's tests: a ledger with the example's history, uploads, a test client."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from starlette.testclient import TestClient

from procurekit.ledger import Ledger, month_end_snapshots
from procurekit.web import create_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ikast-brande"
CONTRACT_ID = "IB-RENG-2016"
#: The history the tests start from; the example itself (through 2019-10) is then uploaded.
MONTHS = ["2017-06", "2018-09", "2019-06"]
TABLES = ("participants.csv", "hours.csv", "supplier.csv")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CPR = re.compile(r"\b\d{6}-?\d{4}\b")


def months_until(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), inclusive."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def record_history(db: Path, work: Path, months: list[str] | None = None) -> Path:
    """A ledger holding the example contract's month-end snapshots (the first submissions of its history)."""
    folders = month_end_snapshots(EXAMPLE, work, months or MONTHS)
    with Ledger.open(db, create=True) as ledger:
        for folder in folders:
            ledger.add(folder)
    return db


def copy_db(source: Path, target: Path) -> Path:
    """A copy of a closed ledger file, so each test changes its own."""
    shutil.copyfile(source, target)
    return target


def client(db: Path, token: str | None = None) -> TestClient:
    """A test client on a fresh app; server errors become the app's error page, as in production."""
    return TestClient(create_app(db, token=token, secret="test-secret"), raise_server_exceptions=False,
                      base_url="http://127.0.0.1")


def csrf(c: TestClient, url: str = "/") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = c.get(url)
    found = CSRF.search(page.text)
    assert found, f"no form on {url}"
    return found.group(1)


def example_files(names: tuple[str, ...] = TABLES) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The example's tables as a multipart `files` list (one field, several files)."""
    return [("files", (n, (EXAMPLE / n).read_bytes(), "text/csv")) for n in names]


def workbook_bytes(folder: Path = EXAMPLE, names: tuple[str, ...] = TABLES) -> bytes:
    """The example's tables as one .xlsx workbook, one sheet per table, cells as text."""
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name in names:
        ws = wb.create_sheet(name.removesuffix(".csv"))
        with (folder / name).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def submissions(db: Path) -> int:
    """How many submissions the ledger holds."""
    with Ledger.open(db) as ledger:
        return sum(len(c["submissions"]) for c in ledger.submissions())


def post(c: TestClient, url: str, data: dict[str, Any] | None = None, files: Any = None, token: str | None = None,
         **kw: Any) -> Any:
    """A POST with the session's CSRF token (unless the data sets its own)."""
    data = dict(data or {})
    data.setdefault("csrf", token if token is not None else csrf(c))
    return c.post(url, data=data, files=files, follow_redirects=False, **kw)


#: The example tender (examples/ikast-brande/tender.yaml) as the form's fields.
GOOD_TENDER = {
    "ruleset": "ikast-brande", "id": "IB-2016-RENGOERING",
    "title_da": "Rengøring af kommunale bygninger med jobtræning og jobgaranti",
    "title_en": "Cleaning of municipal buildings with job training and a job guarantee",
    "subject_da": "Daglig rengøring af kommunens bygninger med et jobtræningscenter hos leverandøren.",
    "subject_en": "Daily cleaning of the municipality's buildings with a job-training centre at the supplier.",
    "procedure": "open", "cpv": "90911200-8", "estimated_value_dkk": "48.000.000",
    "authority_name": "Ikast-Brande Kommune", "authority_cvr": "12345678",
    "authority_address": "Rådhusstrædet 6, 7430 Ikast", "contact_name": "Anne Madsen",
    "contact_email": "udbud@ikast-brande.dk", "contact_phone": "99 60 40 00",
    "published": "2016-04-15", "questions": "2016-05-13", "answers": "2016-05-18",
    "tender_deadline": "2016-05-27T12:00", "award": "2016-06-24", "signing": "2016-07-15",
    "contract_start": "2016-10-01", "contract_end": "2020-09-30", "extension_months": "24",
    "validity_months": "3", "submission_system": "EU-Supply", "submission_url": "https://eu.eu-supply.com",
    "max_points": "10", "price_zero_factor": "2",
    "c0_name_da": "Pris", "c0_name_en": "Price", "c0_weight": "40", "c0_type": "price",
    "c1_name_da": "Kvalitet", "c1_name_en": "Quality", "c1_weight": "30", "c1_type": "quality",
    "c1_desc_da": "Organisering og kvalitetssikring.", "c1_desc_en": "Organisation and quality assurance.",
    "c2_name_da": "Beskæftigelsesindsats", "c2_name_en": "Employment effort", "c2_weight": "30",
    "c2_type": "quality", "c2_desc_da": "Koncept for jobtræning.", "c2_desc_en": "Job-training concept.",
}
