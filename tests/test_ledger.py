"""The contract ledger: the example's story month by month, idempotence, refusals, verify, migration."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import make_dataset, participant

from procurekit.cli import cli
from procurekit.ledger import LATEST, Ledger, LedgerError, month_end_snapshots

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ikast-brande"
V1_DB = Path(__file__).parent / "data" / "ledger-v1.db"
MONTHS = [f"2018-{m:02d}" for m in range(1, 12)]
CONTRACT = "IB-RENG-2016"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The example contract recorded month by month, January to November 2018."""
    root = tmp_path_factory.mktemp("story")
    snaps = month_end_snapshots(EXAMPLE, root / "snaps", MONTHS)
    db = root / "ledger.db"
    with Ledger.open(db, create=True) as ledger:
        for snap in snaps:
            assert ledger.add(snap, engine="python").new
    return db, snaps


def copy_db(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    shutil.copy(db, target)
    return target


def test_status_names_each_breach_with_the_month_it_began(story: tuple[Path, list[Path]]) -> None:
    db, _ = story
    with Ledger.open(db) as ledger:
        st = ledger.status(CONTRACT, as_of=dt.date(2018, 11, 30))
    opened = {(b["rule"], b["case"]): b["since"] for b in st["open_breaches"]}
    assert opened == {
        ("eligibility.benefit-years", "IB-007"): "2018-01",  # shown by the first submission recorded
        ("cap.course-months", "IB-012"): "2018-05",
    }
    assert st["latest"]["month"] == "2018-11"
    assert st["missing_months"][:2] == ["2016-11", "2016-12"] and st["missing_months"][-1] == "2017-12"
    cap = next(b for b in st["open_breaches"] if b["rule"] == "cap.course-months")
    assert cap["months"] == 7 and cap["deadline"] == "2018-05-17"
    assert cap["since_day"] == "2018-05-18" and cap["days"] == 197
    eligibility = next(b for b in st["open_breaches"] if b["rule"] == "eligibility.benefit-years")
    assert eligibility["since_day"] is None and eligibility["days"] is None


def test_status_shows_breaches_resolved_in_the_month_they_were_put_right(story: tuple[Path, list[Path]]) -> None:
    db, _ = story
    code, out, _ = invoke("ledger", "status", CONTRACT, "--as-of", "2018-10-31", "--db", str(db), "--format", "json")
    assert code == 0
    st = json.loads(out)[0]
    assert st["latest"]["month"] == "2018-10"
    assert {(e["rule"], e["case"]) for e in st["resolved"]} == {
        ("capacity.training-places", ""), ("hours.conversion", "IB-028"),
    }
    assert st["opened"] == []
    code, out, _ = invoke("ledger", "status", CONTRACT, "--as-of", "2018-10-31", "--db", str(db))
    assert "Løst med seneste indberetning: 2" in out
    assert "LØST         hours.conversion  IB-028" in out


def test_status_lists_the_job_offers_falling_due(story: tuple[Path, list[Path]]) -> None:
    db, _ = story
    code, out, _ = invoke("ledger", "status", CONTRACT, "--as-of", "2018-04-30", "--db", str(db))
    assert code == 0
    line = next(x for x in out.splitlines() if "guarantee.job-offer" in x)
    assert "FRIST LØBER" in line and "IB-009" in line and "frist 2018-05-27 (om 27 dage)" in line
    with Ledger.open(db) as ledger:
        due = ledger.status(CONTRACT, dt.date(2018, 4, 30))["due"]
    assert {"rule": "guarantee.job-offer", "subject": "IB-009", "deadline": "2018-05-27", "days_left": 27}.items() <= \
        next(d for d in due if d["rule"] == "guarantee.job-offer").items()


def test_history_tells_the_same_story_line_by_line(story: tuple[Path, list[Path]]) -> None:
    db, _ = story
    with Ledger.open(db) as ledger:
        events = [(e.month, e.event, e.rule, e.case or e.subject)
                  for e in ledger.history(CONTRACT) if e.event in ("opened", "resolved", "reopened")]
    assert events == [
        ("2018-01", "opened", "eligibility.benefit-years", "IB-007"),
        ("2018-02", "opened", "clause.target-group-share", "2018-02"),
        ("2018-03", "resolved", "clause.target-group-share", "2018-03"),
        ("2018-05", "opened", "cap.course-months", "IB-012"),
        ("2018-08", "opened", "hours.conversion", "IB-028"),
        ("2018-09", "opened", "capacity.training-places", "2018-09"),
        ("2018-10", "resolved", "capacity.training-places", "2018-10"),
        ("2018-10", "resolved", "hours.conversion", "IB-028"),
    ]
    code, out, _ = invoke("ledger", "history", CONTRACT, "--subject", "IB-028", "--db", str(db))
    assert code == 0
    lines = out.splitlines()[2:]
    assert len(lines) == 2 and "ÅBNET" in lines[0] and "2018-08" in lines[0] and "LØST" in lines[1]
    code, out, _ = invoke("ledger", "history", CONTRACT, "--subject", "2018-09", "--format", "json", "--db", str(db))
    assert [(e["event"], e["rule"], e["submission"]) for e in json.loads(out)] == [
        ("opened", "capacity.training-places", 9),
    ]
    code, out, _ = invoke("ledger", "history", CONTRACT, "--rule", "cap.course-months", "--format", "csv",
                          "--db", str(db))
    assert out.splitlines()[0] == "submission,month,as_of,event,rule,case,subject,from,to,since,message"
    assert all(",cap.course-months," in line for line in out.splitlines()[1:])


def test_same_content_again_is_already_recorded(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db = copy_db(story[0], tmp_path)
    code, out, err = invoke("ledger", "add", str(story[1][3]), "--engine", "python", "--db", str(db))
    assert (code, out, err) == (0, "already recorded as submission 4 (IB-RENG-2016 2018-04)\n", "")
    with Ledger.open(db) as ledger:
        assert len(ledger.submissions()[0]["submissions"]) == len(MONTHS)


def test_add_records_files_rows_ruleset_and_findings(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A", years_on_benefits=2)])
    db = tmp_path / "l.db"
    code, out, _ = invoke("ledger", "add", str(ds), "--received", "2017-02-03", "--note", "første", "--db", str(db))
    assert code == 0 and out.startswith("recorded submission 1: T-1 2017-01 (as of 2017-01-31): overtrædelser 1")
    con = sqlite3.connect(db)
    assert con.execute("SELECT name FROM submission_file ORDER BY name").fetchall() == [
        ("contract.yaml",), ("participants.csv",)]
    assert json.loads(con.execute("SELECT data FROM data_row").fetchone()[0])["participant_id"] == "A"
    assert con.execute("SELECT ruleset_id, version FROM ruleset").fetchall() == [("ikast-brande", "1.0.0")]
    assert con.execute("SELECT received, note FROM submission").fetchall() == [("2017-02-03", "første")]
    assert con.execute("SELECT verdict FROM finding WHERE rule = 'eligibility.benefit-years'").fetchall() == [
        ("violation",)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    code, out, _ = invoke("ledger", "list", "--db", str(db), "--format", "json")
    doc = json.loads(out)
    assert doc[0]["contract"] == "T-1" and doc[0]["submissions"][0]["summary"]["violation"] == 1


def test_an_extending_ruleset_is_stored_whole_and_reruns(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A", years_on_benefits=3)], ruleset="flere-skal-med")
    db = tmp_path / "l.db"
    assert invoke("ledger", "add", str(ds), "--db", str(db))[0] == 0
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT name FROM ruleset_file ORDER BY position")] == [
        "flere-skal-med.yaml", "ikast-brande.yaml"]
    assert invoke("ledger", "verify", "--db", str(db))[0] == 0


def test_bad_dataset_stores_nothing(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db = copy_db(story[0], tmp_path)
    before = db.read_bytes()
    ds = make_dataset(tmp_path / "ds", [participant("A", enrolled_on="2017-13-01")])
    code, out, err = invoke("ledger", "add", str(ds), "--db", str(db))
    assert code == 2 and out == ""
    assert err == f"Error: {ds}/participants.csv: row 2, column enrolled_on: '2017-13-01' is not a date (YYYY-MM-DD)\n"
    assert db.read_bytes() == before


def test_cpr_like_input_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    book = openpyxl.Workbook()
    book.active.title = "_noter"
    book.active["A1"] = "Ring til borger 0101901234"  # a note sheet: the dataset reader skips it
    book.save(ds / "noter.xlsx")
    code, out, err = invoke("ledger", "add", str(ds), "--db", str(db))
    assert code == 2 and "0101901234" not in err
    assert err.startswith(f"Error: {ds}/noter.xlsx [xl/worksheets/sheet1.xml]: looks like a CPR number")
    assert not db.exists()


def test_verify_passes_and_fails_after_a_row_is_altered_by_hand(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db = copy_db(story[0], tmp_path)
    code, out, _ = invoke("ledger", "verify", "--db", str(db))
    assert code == 0 and out.startswith("ok: ") and f"{len(MONTHS)} submissions re-run" in out
    con = sqlite3.connect(db)
    con.execute("UPDATE finding SET verdict = 'ok' WHERE submission = 5 AND rule = 'cap.course-months' "
                "AND subject = 'IB-012'")
    con.commit()
    code, out, err = invoke("ledger", "verify", "--db", str(db))
    assert code == 1
    assert "DIFFERS  submission 5: seal does not match" in out
    assert "DIFFERS  submission 5 (IB-RENG-2016): cap.course-months IB-012: stored ok, recomputed violation" in out
    assert "differences: the ledger was changed after the fact" in err


@pytest.mark.parametrize("tamper, expected", [
    ("UPDATE submission SET received = '2018-01-01' WHERE id = 3", "submission 3: seal does not match"),
    ("UPDATE blob SET content = CAST('x' AS BLOB) WHERE sha256 = (SELECT sha256 FROM submission_file "
     "WHERE submission = 2 AND name = 'participants.csv')", "content does not match its SHA-256"),
    ("UPDATE data_row SET data = replace(data, '\"IB-001\"', '\"IB-999\"') WHERE submission = 1",
     "submission 1 (IB-RENG-2016): stored rows differ from the stored files"),
    # a message is not compared with the re-run (its wording may change between versions): the seal guards it
    ("UPDATE finding SET message = 'changed' WHERE submission = 4", "submission 4: seal does not match"),
])
def test_verify_catches_what_a_rerun_alone_cannot(
    story: tuple[Path, list[Path]], tmp_path: Path, tamper: str, expected: str
) -> None:
    db = copy_db(story[0], tmp_path)
    con = sqlite3.connect(db)
    con.execute(tamper)
    con.commit()
    code, out, _ = invoke("ledger", "verify", "--db", str(db))
    assert code == 1 and expected in out


def test_verify_in_workers_says_what_verify_in_one_process_says(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    from procurekit.ledger.verify import verify_ledger

    db = copy_db(story[0], tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE finding SET verdict = 'ok' WHERE submission = 5 AND rule = 'cap.course-months'")
    con.execute("UPDATE data_row SET data = replace(data, '\"IB-001\"', '\"IB-999\"') WHERE submission = 2")
    con.commit()
    with Ledger.open(db) as ledger:
        apart = verify_ledger(ledger.con, db=db, workers=2)
        here = verify_ledger(ledger.con)
    assert apart == here and len(here) >= 3
    assert "submission 2 (IB-RENG-2016): stored rows differ from the stored files" in here


def test_removing_a_submission_breaks_the_seal_of_the_next(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db = copy_db(story[0], tmp_path)
    con = sqlite3.connect(db)
    for table in ("submission_file", "data_row", "finding", "not_evaluated", "case_state"):
        con.execute(f"DELETE FROM {table} WHERE submission = 6")
    con.execute("DELETE FROM submission WHERE id = 6")
    con.commit()
    code, out, _ = invoke("ledger", "verify", "--db", str(db))
    assert code == 1 and "submission 7: seal does not match" in out


def test_a_version_1_ledger_is_upgraded_and_still_verifies(tmp_path: Path) -> None:
    db = copy_db(V1_DB, tmp_path)
    con = sqlite3.connect(db)
    assert con.execute("SELECT MAX(version) FROM ledger_schema").fetchone()[0] == 1
    assert "seal" not in [r[1] for r in con.execute("PRAGMA table_info(submission)")]
    con.close()
    code, out, _ = invoke("ledger", "verify", "--db", str(db))
    assert code == 0, out
    con = sqlite3.connect(db)
    assert con.execute("SELECT MAX(version) FROM ledger_schema").fetchone()[0] == LATEST == 2
    assert all(len(s) == 64 for (s,) in con.execute("SELECT seal FROM submission"))
    con.close()
    code, out, _ = invoke("ledger", "history", CONTRACT, "--db", str(db), "--format", "json")
    assert [(e["month"], e["event"]) for e in json.loads(out) if e["rule"] == "clause.target-group-share"] == [
        ("2018-02", "opened"), ("2018-03", "resolved")]


def test_a_ledger_from_a_newer_procurekit_is_refused(tmp_path: Path) -> None:
    db = copy_db(V1_DB, tmp_path)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO ledger_schema (version, applied_at) VALUES (99, 'later')")
    con.commit()
    con.close()
    code, _, err = invoke("ledger", "list", "--db", str(db))
    assert code == 2
    assert err == f"Error: {db}: made by a newer procurekit (schema version 99; this one knows up to {LATEST})\n"


def test_status_without_a_ledger_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    code, out, err = invoke("ledger", "status", "--db", str(db))
    assert (code, out) == (2, "")
    assert err == f"Error: {db}: no ledger here (record a submission first: procurekit ledger add DATASET)\n"
    assert not db.exists()


def test_the_database_comes_from_procurekit_db_when_no_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = make_dataset(tmp_path / "ds", [participant("A")])
    monkeypatch.chdir(tmp_path)
    assert invoke("ledger", "add", str(ds))[0] == 0
    assert (tmp_path / "procurekit.db").is_file()
    monkeypatch.setenv("PROCUREKIT_DB", str(tmp_path / "env.db"))
    assert invoke("ledger", "add", str(ds))[0] == 0
    assert (tmp_path / "env.db").is_file()


def test_unknown_contract_is_one_line(story: tuple[Path, list[Path]]) -> None:
    code, _, err = invoke("ledger", "history", "NOPE", "--db", str(story[0]))
    assert code == 2 and err == "Error: contract 'NOPE' is not in the ledger (contracts: IB-RENG-2016)\n"


def test_report_has_the_history_and_its_charts(story: tuple[Path, list[Path]], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, err = invoke("ledger", "report", CONTRACT, "--format", "html", "-o", str(out), "--db", str(story[0]))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Opfølgning på social klausul" in html and "Historik i kontraktregistret" in html
    history = html.split("Historik i kontraktregistret")[1]
    assert 'data-chart="ledger_timeline"' in history and 'data-chart="ledger_open"' in history
    assert history.count("<svg") == 2
    md = tmp_path / "r.md"
    assert invoke("ledger", "report", CONTRACT, "--format", "md", "-o", str(md), "--db", str(story[0]))[0] == 0
    text = md.read_text(encoding="utf-8")
    assert "| 2018-10 | 10 | løst | hours.conversion | IB-028 |" in text
    pdf = tmp_path / "r.pdf"
    assert invoke("ledger", "report", CONTRACT, "--format", "pdf", "-o", str(pdf), "--db", str(story[0]))[0] == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_synthetic_breach_put_right_by_a_corrected_resubmission(tmp_path: Path) -> None:
    """The supplier corrects an earlier month: the breach is resolved by the correction, then reopens."""
    db = tmp_path / "l.db"
    people = [participant("A", enrolled_on="2017-01-02")]
    rows = [{"month": "2017-01", "ordinary_staff": 20, "contract_fte": 10, "target_group_fte": 0.5}]
    ds = make_dataset(tmp_path / "jan", people, supplier=rows)
    fixed = make_dataset(tmp_path / "jan-fixed", people, supplier=[{**rows[0], "target_group_fte": 2}])
    with Ledger.open(db, create=True) as ledger:
        ledger.add(ds, engine="python")
        ledger.add(fixed, engine="python", note="rettet")
        feb = make_dataset(tmp_path / "feb", people, supplier=[
            {**rows[0], "target_group_fte": 2}, {**rows[0], "month": "2017-02", "target_group_fte": 0.1}])
        ledger.add(feb, engine="python")
        events = [(e.submission, e.event, e.subject) for e in ledger.history("T-1")]
    assert events == [(1, "opened", "2017-01"), (2, "resolved", "2017-01"),
                      (3, "reopened", "2017-02")]


def test_library_refuses_a_folder_as_database(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="is a folder"):
        Ledger.open(tmp_path)


def test_status_of_every_contract_skips_those_not_yet_reporting(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    early = make_dataset(tmp_path / "a", [participant("A")])
    late = make_dataset(tmp_path / "b", [participant("B", enrolled_on="2018-03-01")], contract_id="T-2")
    with Ledger.open(db, create=True) as ledger:
        ledger.add(early, engine="python")
        ledger.add(late, engine="python")
    code, out, _ = invoke("ledger", "status", "--as-of", "2017-06-30", "--format", "json", "--db", str(db))
    assert code == 0 and [s["contract"] for s in json.loads(out)] == ["T-1"]
    code, _, err = invoke("ledger", "status", "T-2", "--as-of", "2017-06-30", "--db", str(db))
    assert code == 2 and err == "Error: contract 'T-2' has no submission checked as of 2017-06-30 or earlier\n"
