"""Recording a submission (one short write transaction) and listing what is recorded."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procurekit.ledger.collect import Prepared, sha256_hex
from procurekit.ledger.db import now_iso, transaction
from procurekit.ledger.seal import seal_submission
from procurekit.version import __version__

#: Test hook: "MARKER:SECONDS" makes `add` create MARKER and wait inside its transaction (SECONDS, or until
#: MARKER.release exists), so tests can kill it there or run a second writer against it. Never set in normal use.
PAUSE_ENV = "PROCUREKIT_LEDGER_TEST_PAUSE"


@dataclass(frozen=True)
class Added:
    """The outcome of `add`: the submission's number and whether it was new."""

    submission: int
    contract_id: str
    month: str
    as_of: str
    new: bool
    summary: dict[str, int]


def store_submission(con: sqlite3.Connection, prep: Prepared) -> Added:
    """Record a prepared submission; the same content again returns the earlier submission."""
    key = prep.content_key
    summary = prep.result.summary
    with transaction(con):
        contract = _contract(con, prep.contract_id)
        row = con.execute(
            "SELECT id, month, as_of FROM submission WHERE contract = ? AND content_key = ?", (contract, key)
        ).fetchone()
        if row is not None:
            return Added(row[0], prep.contract_id, row[1], row[2], False, summary)
        for data in [*prep.files.values(), *(d for _, d in prep.ruleset_files), prep.flat]:
            _blob(con, data)
        ruleset = _ruleset(con, prep)
        cur = con.execute(
            """INSERT INTO submission (contract, content_key, as_of, month, received, note, recorded_at, ruleset,
                   engine, lang, contract_json, violations, warnings, due, ok, procurekit_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (contract, key, prep.as_of.isoformat(), prep.month,
             prep.received.isoformat() if prep.received else None, prep.note, now_iso(), ruleset,
             prep.engine, prep.lang, prep.contract_json, summary["violation"], summary["warning"],
             summary["due"], summary["ok"], __version__),
        )
        sid = int(cur.lastrowid or 0)
        _children(con, sid, prep)
        seal_submission(con, sid)
        _pause_for_tests()
    return Added(sid, prep.contract_id, prep.month, prep.as_of.isoformat(), True, summary)


def _children(con: sqlite3.Connection, sid: int, prep: Prepared) -> None:
    con.executemany(
        "INSERT INTO submission_file (submission, name, sha256) VALUES (?, ?, ?)",
        [(sid, name, sha256_hex(data)) for name, data in sorted(prep.files.items())],
    )
    con.executemany(
        "INSERT INTO data_row (submission, table_name, position, subject, data) VALUES (?, ?, ?, ?, ?)",
        [(sid, *r) for r in prep.rows],
    )
    con.executemany(
        "INSERT INTO finding (submission, rule, subject, verdict, message, values_json) VALUES (?, ?, ?, ?, ?, ?)",
        [(sid, f.rule, f.subject, f.verdict, f.message, dumps(f.values)) for f in prep.result.findings],
    )
    con.executemany(
        "INSERT INTO not_evaluated (submission, position, rule, subject, reason) VALUES (?, ?, ?, ?, ?)",
        [(sid, i, n.rule, n.subject, n.reason) for i, n in enumerate(prep.result.not_evaluated, start=1)],
    )
    con.executemany(
        """INSERT INTO case_state (submission, rule, case_subject, verdict, since_subject, latest_subject,
               message, values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [(sid, c.rule, c.case_subject, c.verdict, c.since_subject, c.latest_subject, c.message, dumps(c.values))
         for c in prep.cases],
    )


def dumps(values: dict[str, Any]) -> str:
    """Finding values as stored JSON."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _contract(con: sqlite3.Connection, contract_id: str) -> int:
    row = con.execute("SELECT id FROM contract WHERE contract_id = ?", (contract_id,)).fetchone()
    if row is not None:
        return int(row[0])
    return int(con.execute("INSERT INTO contract (contract_id) VALUES (?)", (contract_id,)).lastrowid or 0)


def _blob(con: sqlite3.Connection, data: bytes) -> str:
    digest = sha256_hex(data)
    con.execute(
        "INSERT INTO blob (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        (digest, len(data), data),
    )
    return digest


def _ruleset(con: sqlite3.Connection, prep: Prepared) -> int:
    rs, flat = prep.ruleset, sha256_hex(prep.flat)
    row = con.execute("SELECT id FROM ruleset WHERE digest = ? AND flat_sha256 = ?", (rs.digest, flat)).fetchone()
    if row is not None:
        return int(row[0])
    rid = int(con.execute(
        "INSERT INTO ruleset (ruleset_id, version, digest, flat_sha256) VALUES (?, ?, ?, ?)",
        (rs.id, rs.version, rs.digest, flat),
    ).lastrowid or 0)
    con.executemany(
        "INSERT INTO ruleset_file (ruleset, position, name, sha256) VALUES (?, ?, ?, ?)",
        [(rid, i, name, sha256_hex(data)) for i, (name, data) in enumerate(prep.ruleset_files, start=1)],
    )
    con.executemany(
        """INSERT INTO ruleset_rule (ruleset, position, rule, subject_kind, title_da, title_en, clause, reference,
               lets) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(rid, i, r.rule, r.subject_kind, r.title_da, r.title_en, r.clause, r.reference, json.dumps(list(r.lets)))
         for i, r in enumerate(prep.rules, start=1)],
    )
    return rid


def _pause_for_tests() -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    marker, _, seconds = spec.rpartition(":")
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    release = Path(f"{marker}.release")
    until = time.monotonic() + float(seconds or 0)
    while time.monotonic() < until and not release.exists():
        time.sleep(0.05)


def list_submissions(con: sqlite3.Connection, contract_id: str | None = None) -> list[dict[str, Any]]:
    """Contracts and their submissions, in the order of the month they report."""
    out: list[dict[str, Any]] = []
    contracts = con.execute("SELECT id, contract_id FROM contract ORDER BY contract_id").fetchall()
    for cid, name in contracts:
        if contract_id is not None and name != contract_id:
            continue
        subs = con.execute(
            """SELECT s.id, s.month, s.as_of, s.received, s.recorded_at, s.note, r.ruleset_id, r.version, r.digest,
                      s.violations, s.warnings, s.due, s.ok
               FROM submission s JOIN ruleset r ON r.id = s.ruleset
               WHERE s.contract = ? ORDER BY s.as_of, s.id""",
            (cid,),
        ).fetchall()
        out.append({
            "contract": name,
            "submissions": [
                {"submission": s[0], "month": s[1], "as_of": s[2], "received": s[3], "recorded_at": s[4],
                 "note": s[5], "ruleset": {"id": s[6], "version": s[7], "digest": s[8]},
                 "summary": {"violation": s[9], "warning": s[10], "due": s[11], "ok": s[12]}}
                for s in subs
            ],
        })
    return out
