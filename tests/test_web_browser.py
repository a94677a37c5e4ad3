"""The web workspace end to end in a real browser: Debian's Chromium driven by Playwright.

The real server (uvicorn, in a thread, on a free port of 127.0.0.1) runs on a fresh ledger holding the
example contract's monthly history up to September 2019. A contract manager uploads the example's submission and reads
the breach table, opens an explanation; a procurement officer fills the tender form with an error, sees
it beside the field, corrects it and downloads the pack. Each page is photographed (1280×800): into
docs/screenshots/ with PROCUREKIT_SCREENSHOTS=1 (`make screenshots`), else into the test's folder.

Chromium must be installed (`apt-get install chromium`; `.ci/run` does it): without it these tests fail
and say so, they are never skipped.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import CONTRACT_ID, EXAMPLE, GOOD_TENDER, TABLES, months_until, record_history

from procurekit.web import create_app

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str:
    for path in (os.environ.get("PROCUREKIT_CHROMIUM", ""), *BROWSERS, shutil.which("chromium") or ""):
        if path and Path(path).is_file():
            return path
    pytest.fail("the browser tests need Chromium: install it with `sudo apt-get install chromium` "
                "(Debian/Ubuntu; .ci/run does this), or set PROCUREKIT_CHROMIUM to its path", pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    work = tmp_path_factory.mktemp("browser")
    # Every month-end submission up to September 2019, as the contract manager would have them.
    db = record_history(work / "ledger.db", work / "snapshots", months_until("2016-10", "2019-09"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: pip install playwright "
                    "(no browser download: Debian's Chromium is used)", pytrace=False)
    path = _chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800}, device_scale_factor=1,
                                  locale="da-DK", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def shot(page: Any, name: str, tmp_path: Path) -> None:
    """A screenshot of the visible page (docs/screenshots/ when asked for, to keep the README's current)."""
    folder = ROOT / "docs" / "screenshots" if os.environ.get("PROCUREKIT_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def test_a_contract_manager_uploads_the_months_submission_and_reads_the_breaches(page: Any, tmp_path: Path) -> None:
    page.goto("/")
    assert page.locator("h1").inner_text() == "Kontrakter"
    assert "Ikke overholdt" in page.locator("table.contracts").inner_text()
    shot(page, "1-kontrakter", tmp_path)
    page.get_by_role("link", name=CONTRACT_ID).click()
    assert "Kontrakten er ikke overholdt." in page.locator("section.status").inner_text()
    upload = page.locator("form.upload")
    upload.locator("input[type=file]").set_input_files([str(EXAMPLE / n) for n in TABLES])
    upload.get_by_role("button", name="Kontrollér og indsend").click()
    assert "Indberetningen for 2019-10 er registreret" in page.locator("p.flash").inner_text()
    rows = page.locator("table.actions tbody tr").all_inner_texts()
    assert any("Jobgaranti – tilbud om fast job" in r and "IB-019" in r for r in rows), rows
    assert any("Forløbets længde" in r and "IB-012" in r for r in rows), rows
    shot(page, "2-kontrakt", tmp_path)


def test_a_bad_submission_shows_every_problem_by_file_row_and_column(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "hours.csv"
    lines = (EXAMPLE / "hours.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = re.sub(r",[\d.]+,", ",-5,", lines[3], count=1)
    lines[9] = re.sub(r",\d{4}-\d\d,", ",2017-13,", lines[9], count=1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    supplier = tmp_path / "supplier.csv"
    rows = (EXAMPLE / "supplier.csv").read_text(encoding="utf-8").splitlines()
    month, staff, fte, _ = rows[2].split(",")
    rows[2] = ",".join([month, staff, fte, str(float(fte) + 1)])
    supplier.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto(f"/kontrakt/{CONTRACT_ID}")
    page.locator("form.upload input[type=file]").set_input_files(
        [str(EXAMPLE / "participants.csv"), str(bad), str(supplier)])
    page.get_by_role("button", name="Kontrollér og indsend").click()
    problems = [r.locator("td").all_inner_texts() for r in page.locator("#problems tbody tr").all()]
    assert problems == [
        ["hours.csv", "4", "praktik_hours", "-5 er negativt"],
        ["hours.csv", "10", "month", "'2017-13' er ikke en måned (ÅÅÅÅ-MM)"],
        ["supplier.csv", "3", "target_group_fte", "target_group_fte er større end contract_fte"],
    ], problems
    shot(page, "2b-indberetning-fejl", tmp_path)


def test_an_explanation_opens_from_the_breach_table(page: Any, tmp_path: Path) -> None:
    page.goto(f"/kontrakt/{CONTRACT_ID}")
    page.locator("table.actions").get_by_role("link", name="IB-012").first.click()
    assert page.locator("h1").inner_text() == "Forklaring: IB-012"
    card = page.locator("article.verdict-card.violation").first
    assert "Forløbets længde" in card.inner_text() and "Kontraktbilag pkt." in card.inner_text()
    shot(page, "3-forklaring", tmp_path)


def test_rule_sets_are_explained_and_compared(page: Any, tmp_path: Path) -> None:
    page.goto("/regelsaet")
    page.get_by_role("link", name="ikast-brande", exact=True).click()
    assert "Målgruppe – år på kontanthjælp" in page.locator("section.explained").inner_text()
    page.locator("select[name=b]").select_option("flere-skal-med")
    page.get_by_role("button", name="Vis forskelle").click()
    assert "ikast-brande 1.0.0 → flere-skal-med" in page.locator("section.diff pre").inner_text()
    shot(page, "4-regelsaet", tmp_path)


def _fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_a_procurement_officer_drafts_a_tender_and_downloads_the_pack(page: Any, tmp_path: Path) -> None:
    from docx import Document

    page.goto("/udbud")
    _fill(page, {**GOOD_TENDER, "authority_cvr": "1234"})
    page.get_by_role("button", name="Kontrollér og vis klausulteksten").click()
    assert page.locator("#e-authority_cvr").inner_text() == "Skal være 8 cifre."
    assert page.locator("#f-authority_cvr").get_attribute("aria-invalid") == "true"
    page.locator("#f-authority_cvr").scroll_into_view_if_needed()
    shot(page, "5-udbud-fejl", tmp_path)
    page.locator("#f-authority_cvr").fill("12345678")
    page.get_by_role("button", name="Kontrollér og vis klausulteksten").click()
    assert "Udbuddet er i orden." in page.locator("#preview").inner_text()
    assert page.locator("#e-authority_cvr").count() == 0
    page.locator("#preview").scroll_into_view_if_needed()
    shot(page, "6-udbud", tmp_path)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Hent udbudspakken (DOCX og PDF, zip)").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    with zipfile.ZipFile(target) as z:
        doc = Document(io.BytesIO(z.read("udbudsbetingelser.docx")))
        assert z.read("udbudsbetingelser.pdf").startswith(b"%PDF")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("Udbudsbetingelser") and "Rengøring af kommunale bygninger" in text
