"""The web workspace over HTTP (Starlette's test client): every route, uploads, the security rules."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from web_helpers import (
    CONTRACT_ID,
    CPR,
    EXAMPLE,
    TABLES,
    client,
    copy_db,
    csrf,
    example_files,
    post,
    record_history,
    submissions,
    workbook_bytes,
)

from procurekit.cli import cli
from procurekit.web import security

CORPUS = Path(__file__).resolve().parent / "corpus"
C = f"/kontrakt/{CONTRACT_ID}"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("web-history")
    return record_history(work / "ledger.db", work / "snapshots")


@pytest.fixture
def db(history: Path, tmp_path: Path) -> Path:
    return copy_db(history, tmp_path / "ledger.db")


# ---- pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, needle", [
    ("/", "Kontrakter"),
    (C, "Hvad skal der gøres nu"),
    (f"{C}/forklaring", "Forklaring"),
    (f"{C}/forklaring?subject=IB-012", "Forløbets længde"),
    (f"{C}/forklaring?subject=2018-09", "Træningspladser i brug"),
    ("/regelsaet", "ikast-brande"),
    ("/regelsaet?show=ikast-brande", "Målgruppe – år på kontanthjælp"),
    ("/regelsaet?a=ikast-brande&b=flere-skal-med", "Parametre:"),
    ("/udbud", "Bekræftelse af ubekræftede værdier"),
])
def test_every_page_answers_in_danish_with_the_security_headers(db: Path, url: str, needle: str) -> None:
    r = client(db).get(url)
    assert r.status_code == 200, r.text[-500:]
    assert needle in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert '<html lang="da">' in r.text


def test_english_by_a_switch_kept_in_a_cookie(db: Path) -> None:
    c = client(db)
    r = c.get(f"{C}?lang=en")
    assert "What must be done now" in r.text and '<html lang="en">' in r.text
    assert "What must be done now" in c.get(C).text  # the cookie keeps it
    assert "Hvad skal der gøres nu" in c.get(f"{C}?lang=da").text


def test_contract_page_shows_page_one_history_and_submissions(db: Path) -> None:
    text = client(db).get(C).text
    assert "Kontrakten er ikke overholdt." in text
    assert f'href="{C}/forklaring?subject=IB-012"' in text
    assert f'src="{C}/graf/ledger_timeline.svg"' in text
    assert text.count("<td>2019-06</td>") == 1 and "<td>2017-06</td>" in text


def test_overview_words_and_colours_each_contract(db: Path) -> None:
    text = client(db).get("/").text
    assert 'class="badge violation">' in text and "Ikke overholdt" in text
    assert "2019-06" in text  # the last submission


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("docx", b"PK\x03\x04"), ("html", b"<!DOCTYPE html")])
def test_report_downloads(db: Path, fmt: str, magic: bytes) -> None:
    r = client(db).get(f"{C}/rapport.{fmt}")
    assert r.status_code == 200
    assert r.content[:20].upper().startswith(magic.upper())
    assert f"rapport-{CONTRACT_ID}.{fmt}" in r.headers["content-disposition"]


def test_charts_and_rule_set_yaml(db: Path) -> None:
    c = client(db)
    assert c.get(f"{C}/graf/ledger_open.svg").text.startswith("<svg")
    r = c.get("/regelsaet/ikast-brande.yaml")
    assert yaml.safe_load(r.text)["id"] == "ikast-brande"
    stored = re.search(r'href="/regelsaet/(ikast-brande-[0-9a-f]{12})\.yaml"', c.get("/regelsaet").text)
    assert stored, "the rule set the ledger's contract was checked with is listed"
    assert yaml.safe_load(c.get(f"/regelsaet/{stored.group(1)}.yaml").text)["id"] == "ikast-brande"


@pytest.mark.parametrize("url", ["/nope", "/kontrakt/NOPE", f"{C}/rapport.exe", f"{C}/graf/x.svg",
                                 "/regelsaet/../../etc/passwd.yaml", "/regelsaet?show=nope",
                                 "/static/../app.py"])
def test_unknown_is_a_404_page_with_one_line(db: Path, url: str) -> None:
    r = client(db).get(url)
    assert r.status_code == 404
    assert 'role="alert"' in r.text and "Traceback" not in r.text


def test_an_internal_error_is_a_page_with_one_line_not_a_traceback(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("procurekit.web.contracts.report_model", broken)
    r = client(db).get(C)
    assert r.status_code == 500
    assert "Intern fejl (RuntimeError: boom)" in r.text and "Traceback" not in r.text
    assert r.headers["x-frame-options"] == "DENY" and "default-src" in r.headers["content-security-policy"]


# ---- upload -------------------------------------------------------------------------------------------


def test_a_good_csv_submission_is_recorded_and_its_findings_shown(db: Path) -> None:
    c = client(db)
    before = submissions(db)
    r = post(c, f"{C}/indsend", files=example_files())
    assert r.status_code == 303 and r.headers["location"] == C
    assert submissions(db) == before + 1
    page = c.get(C).text
    assert "Indberetningen for 2019-10 er registreret som nr. 4" in page
    assert "Jobgaranti – tilbud om fast job" in page  # a breach of the latest submission
    again = post(c, f"{C}/indsend", files=example_files())
    assert again.status_code == 303 and "allerede registreret som nr. 4" in c.get(C).text
    assert submissions(db) == before + 1


def test_a_workbook_submission_is_recorded(db: Path) -> None:
    c = client(db)
    files = [("files", ("Leverandør oktober.xlsx", workbook_bytes(), "application/octet-stream"))]
    r = post(c, f"{C}/indsend", files=files)
    assert r.status_code == 303, r.text[-800:]
    assert "2019-10" in c.get(C).text


def test_a_new_contract_needs_contract_yaml_and_then_is_listed(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    c = client(db)
    assert "Registret har endnu ingen kontrakter" in c.get("/").text
    r = post(c, "/kontrakter/indsend", files=example_files())
    assert r.status_code == 422 and "En ny kontrakt kræver også contract.yaml." in r.text
    r = post(c, "/kontrakter/indsend", files=example_files((*TABLES, "contract.yaml")))
    assert r.status_code == 303
    assert CONTRACT_ID in c.get("/").text


def test_a_contract_id_with_spaces_and_signs_is_quoted_in_links_and_downloads(tmp_path: Path) -> None:
    db = tmp_path / "odd.db"
    c = client(db)
    odd = 'IB 2016 #1 "ø"'
    contract = (EXAMPLE / "contract.yaml").read_text(encoding="utf-8").replace(CONTRACT_ID, "'" + odd + "'")
    r = post(c, "/kontrakter/indsend", files=[*example_files(), ("files", ("contract.yaml", contract.encode(), "x"))])
    assert r.status_code == 303 and r.headers["location"] == "/kontrakt/IB%202016%20%231%20%22%C3%B8%22"
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and 'href="/kontrakt/IB%202016%20%231%20%22%C3%B8%22/rapport.pdf"' in page.text
    assert "IB 2016 #1 &#34;ø&#34;" in page.text
    pdf = c.get("/kontrakt/IB%202016%20%231%20%22%C3%B8%22/rapport.pdf")
    assert pdf.headers["content-disposition"] == 'attachment; filename="rapport-IB_2016_1_.pdf"'


def _problems(text: str) -> list[list[str]]:
    body = text.split('id="problems"', 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(<td>.*?)</tr>", body)]


def test_a_bad_row_is_shown_by_file_row_and_column_and_nothing_is_stored(db: Path) -> None:
    c = client(db)
    text = (EXAMPLE / "hours.csv").read_text(encoding="utf-8").splitlines()
    text[3] = re.sub(r",[\d.]+,", ",-5,", text[3], count=1)
    before = submissions(db)
    files = [("files", ("hours.csv", ("\n".join(text) + "\n").encode(), "text/csv")),
             *example_files(("participants.csv", "supplier.csv"))]
    r = post(c, f"{C}/indsend", files=files)
    assert r.status_code == 422
    [row] = _problems(r.text)
    assert row[:3] == ["hours.csv", "4", "praktik_hours"], row
    assert submissions(db) == before
    assert "/tmp" not in r.text


def test_a_cpr_number_in_a_cell_is_refused_without_showing_it(db: Path) -> None:
    c = client(db)
    lines = (EXAMPLE / "participants.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("IB-002", "010190-4837", 1) if "IB-002" in lines[2] else "010190-4837" + lines[2][6:]
    files = [("files", ("participants.csv", ("\n".join(lines) + "\n").encode(), "text/csv")),
             *example_files(("hours.csv", "supplier.csv"))]
    r = post(c, f"{C}/indsend", files=files)
    assert r.status_code == 422 and "CPR" in r.text
    assert "010190" not in r.text and not CPR.search(r.text)


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello", "Filtypen tages ikke imod"),
    ("../../etc/passwd", b"root:x:0:0", "Filtypen tages ikke imod"),
    ("report.xlsx", b"not a zip at all", "ikke en Excel-projektmappe"),
    ("C:\\Users\\x\\participants.exe", b"MZ", "Filtypen tages ikke imod"),
])
def test_a_file_of_the_wrong_type_or_name_is_refused(db: Path, name: str, data: bytes, message: str) -> None:
    r = post(client(db), f"{C}/indsend", files=[("files", (name, data, "application/octet-stream"))])
    assert r.status_code == 422 and message in r.text
    assert "etc/passwd" not in r.text and "root:x" not in r.text


def test_a_path_in_a_file_name_only_chooses_the_allowed_name(db: Path, tmp_path: Path) -> None:
    files = [("files", ("../../" + n, (EXAMPLE / n).read_bytes(), "text/csv")) for n in TABLES]
    r = post(client(db), f"{C}/indsend", files=files)
    assert r.status_code == 303
    assert not (tmp_path.parent / "participants.csv").exists()


def test_an_upload_over_the_limit_is_413(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = client(db)
    token = csrf(c)
    big = b"x" * (security.MAX_BODY + 1)
    r = c.post(f"{C}/indsend", data={"csrf": token}, files=[("files", ("hours.csv", big, "text/csv"))])
    assert r.status_code == 413 and "For stor" in r.text


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(db: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z, z.open("xl/worksheets/sheet1.xml", "w") as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(110):
            f.write(chunk)
    assert len(buffer.getvalue()) < 1 << 20
    r = post(client(db), f"{C}/indsend", files=[("files", ("bomb.xlsx", buffer.getvalue(), "application/zip"))])
    assert r.status_code == 422 and "pakker ud til mere end 100 MiB" in r.text


def test_another_contracts_submission_is_refused(db: Path, tmp_path: Path) -> None:
    other = (EXAMPLE / "contract.yaml").read_text(encoding="utf-8").replace(CONTRACT_ID, "ANDEN-2020")
    files = [*example_files(), ("files", ("contract.yaml", other.encode(), "application/yaml"))]
    r = post(client(db), f"{C}/indsend", files=files)
    assert r.status_code == 422 and "hører til kontrakt ANDEN-2020, ikke IB-RENG-2016" in r.text


def test_every_files_problem_is_shown_at_once_in_danish(db: Path) -> None:
    hours = (EXAMPLE / "hours.csv").read_text(encoding="utf-8").replace("IB-001,2016-12", "IB-999,2016-12", 1)
    supplier = (EXAMPLE / "supplier.csv").read_text(encoding="utf-8").replace("2017-01,105,80.1,11.0",
                                                                              "2017-01,105,80.1,90.0", 1)
    files = [*example_files(("participants.csv",)), ("files", ("hours.csv", hours.encode(), "text/csv")),
             ("files", ("supplier.csv", supplier.encode(), "text/csv"))]
    c, before = client(db), submissions(db)
    r = post(c, f"{C}/indsend", files=files)
    assert r.status_code == 422 and "Indberetningen blev ikke gemt" in r.text
    assert "ukendt deltager &#39;IB-999&#39; (findes ikke i participants.csv)" in r.text
    assert "target_group_fte er større end contract_fte" in r.text
    assert "not in participants.csv" not in r.text and "exceeds" not in r.text
    c.get(f"{C}?lang=en")
    r = post(c, f"{C}/indsend", files=files)
    assert "unknown participant &#39;IB-999&#39; (not in participants.csv)" in r.text
    assert "target_group_fte exceeds contract_fte" in r.text
    assert submissions(db) == before


@pytest.mark.parametrize(("name", "shown"), [
    ("marts.xlsx", r"marts\.xlsx"),
    ("010190-4837.xlsx", r"\[værdien vises ikke\]"),  # a file name that looks like a CPR number is not shown
])
def test_every_bad_row_of_a_workbook_sheet_is_shown(db: Path, tmp_path: Path, name: str, shown: str) -> None:
    for table in TABLES:
        text = (EXAMPLE / table).read_text(encoding="utf-8")
        if table == "hours.csv":  # two bad months and an unknown participant
            text = text.replace("IB-001,2016-12", "IB-001,2016-13", 1).replace("IB-001,2017-01", "IB-999,2017-01", 1)
            text = text.replace("IB-001,2017-02", "IB-001,februar", 1)
        (tmp_path / table).write_text(text, encoding="utf-8")
    book = workbook_bytes(tmp_path)
    r = post(client(db), f"{C}/indsend", files=[("files", (name, book, "application/octet-stream"))])
    assert r.status_code == 422 and not CPR.search(r.text)
    rows = re.findall(rf"<tr><td>{shown} \[hours\]</td><td>(\d+)</td><td>(\w+)</td><td>([^<]*)</td></tr>", r.text)
    assert [(row, column) for row, column, _ in rows] == [("3", "month"), ("4", "participant_id"), ("5", "month")]
    assert rows[0][2] == "&#39;2016-13&#39; er ikke en måned (ÅÅÅÅ-MM)"


def test_the_server_checks_apart_and_outlives_the_engine(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procurekit.errors import EngineError
    from procurekit.evaluation import batch

    calls: list[str] = []
    real = batch.check_apart

    def apart(*args: object, **kwargs: object) -> object:
        calls.append("apart")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "check_apart", apart)
    c = client(db)
    assert c.get(C).status_code == 200 and calls == ["apart"]  # page one: the latest check, in a worker

    def crashed(*args: object, **kwargs: object) -> object:
        raise EngineError("/tmp/procurekit-web-x: the rules engine crashed in its worker process; nothing was written")

    monkeypatch.setattr(batch, "check_apart", crashed)
    before = submissions(db)
    r = post(c, f"{C}/indsend", files=example_files())
    assert r.status_code == 503
    assert "Regelmotoren fejlede; intet er gemt. Prøv igen, og meld fejlen, hvis den sker igen." in r.text
    assert "/tmp/" not in r.text and submissions(db) == before
    monkeypatch.setattr(batch, "check_apart", real)
    assert c.get("/").status_code == 200  # and the server goes on


def test_a_file_with_more_problems_than_are_shown_says_so(db: Path) -> None:
    lines = (EXAMPLE / "hours.csv").read_text(encoding="utf-8").splitlines()
    bad = [lines[0], *(re.sub(r",\d{4}-\d\d,", ",2017-13,", line, count=1) for line in lines[1:61])]
    files = [*example_files(("participants.csv", "supplier.csv")),
             ("files", ("hours.csv", ("\n".join(bad) + "\n").encode(), "text/csv"))]
    r = post(client(db), f"{C}/indsend", files=files)
    assert r.status_code == 422
    assert r.text.count("er ikke en måned (ÅÅÅÅ-MM)") == 50
    assert "Der kan være flere fejl i filen end de 50, der vises: ret dem, og indsend igen." in r.text


def test_a_contract_yaml_problem_names_its_line(db: Path) -> None:
    contract = (EXAMPLE / "contract.yaml").read_text(encoding="utf-8").replace("start:", "begin:")
    files = [*example_files(), ("files", ("contract.yaml", contract.encode(), "application/yaml"))]
    r = post(client(db), f"{C}/indsend", files=files)
    assert r.status_code == 422
    assert "start: skal udfyldes" in r.text or "begin: ukendt felt" in r.text
    assert "<td>linje " in r.text


def _corpus_cases() -> list[Path]:
    cases = []
    for case in sorted(CORPUS.iterdir()):
        if not case.is_dir() or (case / "args.txt").exists():
            continue
        files = [p for p in case.iterdir() if p.name != "expected.txt"]
        if files and all(p.is_file() and not p.is_symlink() for p in files):
            cases.append(case)
    return cases


#: Corpus cases the web accepts: their problem is a file name, which an upload never uses.
ACCEPTED = {"cpr-workbook-name"}


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda p: p.name)
def test_every_bad_dataset_of_the_corpus_is_refused_with_nothing_stored(tmp_path: Path, case: Path) -> None:
    db = tmp_path / "corpus.db"
    c = client(db)
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in sorted(case.iterdir()) if p.name != "expected.txt"]
    r = post(c, "/kontrakter/indsend", files=files)
    if case.name in ACCEPTED:
        assert r.status_code == 303
        return
    assert r.status_code == 422, r.text[-600:]
    assert "Indberetningen blev ikke gemt" in r.text
    assert not CPR.search(r.text), "a CPR number in the page"
    assert "Traceback" not in r.text and str(tmp_path) not in r.text and "/tmp/" not in r.text
    assert submissions(db) == 0


# ---- explanation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject, message", [
    ("010190-4837", "emnet ligner et CPR-nummer (vises ikke); brug pseudonymet"),
    ("IB-012\x01", "emnet indeholder et styretegn (vises ikke)"),
    ("IB-999", "&#39;IB-999&#39; er ikke en deltager i IB-RENG-2016 pr. 2019-"),
    ("IB 999", "ikke et emne (et deltagerpseudonym, ID@ÅÅÅÅ-MM, ÅÅÅÅ-MM eller ÅÅÅÅ)"),
])
def test_a_bad_subject_is_one_line_never_echoing_a_cpr_number(db: Path, subject: str, message: str,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="procurekit.web")
    r = client(db).get(f"{C}/forklaring", params={"subject": subject})
    assert r.status_code == 422 and message in r.text
    assert "4837" not in r.text and "4837" not in caplog.text


# ---- security ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_every_post_without_the_sessions_csrf_token_is_403(db: Path, token: str | None) -> None:
    c = client(db)
    c.get("/")
    data = {} if token is None else {"csrf": token}
    for url in (f"{C}/indsend", "/kontrakter/indsend", "/udbud"):
        r = c.post(url, data=data, files=example_files() if "indsend" in url else None)
        assert r.status_code == 403, url
        assert "CSRF" in r.text
    assert submissions(db) == 3


def test_with_a_token_every_request_needs_it(db: Path) -> None:
    secret = "s3cret-token-of-some-length"
    c = client(db, token=secret)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.post(f"{C}/indsend").status_code == 401
    assert c.get("/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert c.get("/", headers={"Authorization": "Bearer wrong"}, follow_redirects=False).status_code == 303
    assert post(c, "/login", {"token": "wrong"}, token=csrf(c, "/login")).status_code == 401
    assert post(c, "/login", {"token": secret}, token=csrf(c, "/login")).status_code == 303
    assert c.get(C).status_code == 200  # the cookie carries it now


def test_serve_refuses_a_public_host_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROCUREKIT_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        "Error: --host 0.0.0.0 serves beyond this machine: give an access token (--token or PROCUREKIT_TOKEN)"]
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--token", "short"])
    assert r.exit_code == 2 and "at least 16 characters" in r.output


def test_serve_starts_the_app_and_logs_no_query_string(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("PROCUREKIT_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "procurekit", "serve", "--db", str(tmp_path / "l.db"),
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?subject=010190-4837", timeout=5) as r:
                    assert r.status == 200 and "Kontrakter" in r.read().decode("utf-8")
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert (tmp_path / "l.db").is_file()
    assert f"http://127.0.0.1:{port}/" in err and "GET / 200" in err
    assert "4837" not in out + err and "Traceback" not in err


def test_without_a_token_only_loopback_host_names_are_served(db: Path) -> None:
    c = client(db)
    assert c.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    r = c.get("/", headers={"Host": "evil.example:8765"})
    assert r.status_code == 400 and r.headers["x-frame-options"] == "DENY"


def test_the_access_log_holds_no_cpr_number(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="procurekit.web")
    client(db).get("/kontrakt/010190-4837")
    assert "GET" in caplog.text and "4837" not in caplog.text
