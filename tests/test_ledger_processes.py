"""The ledger with real processes: two writers at once both land; a writer killed mid-add leaves no trace."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from helpers import make_dataset, participant

from procurekit.ledger import Ledger
from procurekit.ledger.store import PAUSE_ENV

ROOT = Path(__file__).resolve().parents[1]


def start_add(dataset: Path, db: Path, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "procurekit", "ledger", "add", str(dataset), "--engine", "python", "--db", str(db)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(marker: Path, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the writer never reached its transaction"
        time.sleep(0.05)


def months(tmp_path: Path, n: int) -> list[Path]:
    people = [participant("A", enrolled_on="2017-01-02")]
    out = []
    for m in range(1, n + 1):
        supplier = [{"month": f"2017-{k:02d}", "ordinary_staff": 20, "contract_fte": 10, "target_group_fte": 2}
                    for k in range(1, m + 1)]
        out.append(make_dataset(tmp_path / f"2017-{m:02d}", people, supplier=supplier))
    return out


def submissions(db: Path) -> list[tuple[int, str]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, month FROM submission ORDER BY id").fetchall()
    finally:
        con.close()


def test_two_adds_at_the_same_time_both_land(tmp_path: Path) -> None:
    jan, feb = months(tmp_path, 2)
    db = tmp_path / "l.db"
    marker = tmp_path / "inside"
    first = start_add(jan, db, f"{marker}:120")  # holds the write transaction until released
    wait_for(marker, first)
    second = start_add(feb, db)  # must wait for the first (busy timeout), not fail
    time.sleep(3)
    assert second.poll() is None  # still waiting: the first holds the only write lock
    assert submissions(db) == []  # a reader is not blocked, and sees nothing uncommitted
    Path(f"{marker}.release").touch()
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (err1, err2)
    assert out1.startswith("recorded submission 1: T-1 2017-01")
    assert out2.startswith("recorded submission 2: T-1 2017-02")
    assert submissions(db) == [(1, "2017-01"), (2, "2017-02")]
    with Ledger.open(db) as ledger:
        assert ledger.verify() == []


def test_the_same_submission_twice_at_once_is_stored_once(tmp_path: Path) -> None:
    (jan,) = months(tmp_path, 1)
    db = tmp_path / "l.db"
    marker = tmp_path / "inside"
    first = start_add(jan, db, f"{marker}:120")
    wait_for(marker, first)
    second = start_add(jan, db)
    time.sleep(2)
    Path(f"{marker}.release").touch()
    out1, _ = first.communicate(timeout=120)
    out2, _ = second.communicate(timeout=120)
    assert out1.startswith("recorded submission 1")
    assert out2 == "already recorded as submission 1 (T-1 2017-01)\n"
    assert submissions(db) == [(1, "2017-01")]


def test_a_writer_killed_inside_its_transaction_leaves_the_ledger_as_it_was(tmp_path: Path) -> None:
    jan, feb = months(tmp_path, 2)
    db = tmp_path / "l.db"
    with Ledger.open(db, create=True) as ledger:
        ledger.add(jan, engine="python")
    marker = tmp_path / "inside"
    victim = start_add(feb, db, f"{marker}:120")
    wait_for(marker, victim)  # its rows are written, not committed
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert submissions(db) == [(1, "2017-01")]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM finding WHERE submission <> 1").fetchone()[0] == 0
    con.close()
    with Ledger.open(db) as ledger:
        assert ledger.verify() == []
    again = start_add(feb, db)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.startswith("recorded submission 2: T-1 2017-02")
