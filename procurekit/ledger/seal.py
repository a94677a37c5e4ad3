"""Seals: a hash chain over every submission, so a changed or removed record shows (schema v2).

A submission's seal is SHA-256(previous submission's seal + the digest of its whole record as stored:
the submission row, its files' hashes, rows, findings, not-evaluated entries and cases). Re-running the
check proves the verdicts follow from the files; the seal also covers what a re-run cannot recompute
(the received date, the note, the time recorded) and the order of submissions: removing one breaks the
seal of the next. `verify` recomputes the chain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

_RECORD_QUERIES = {
    "files": "SELECT name, sha256 FROM submission_file WHERE submission = ? ORDER BY name",
    "rows": "SELECT table_name, position, subject, data FROM data_row WHERE submission = ? "
            "ORDER BY table_name, position",
    "findings": "SELECT rule, subject, verdict, message, values_json FROM finding WHERE submission = ? "
                "ORDER BY rule, subject",
    "not_evaluated": "SELECT position, rule, subject, reason FROM not_evaluated WHERE submission = ? ORDER BY position",
    "cases": "SELECT rule, case_subject, verdict, since_subject, latest_subject, message, values_json "
             "FROM case_state WHERE submission = ? ORDER BY rule, case_subject",
}
_SUBMISSION = (
    "SELECT s.id, c.contract_id, s.content_key, s.as_of, s.month, s.received, s.note, s.recorded_at, r.digest, "
    "r.flat_sha256, s.engine, s.lang, s.contract_json, s.violations, s.warnings, s.due, s.ok, s.procurekit_version "
    "FROM submission s JOIN contract c ON c.id = s.contract JOIN ruleset r ON r.id = s.ruleset WHERE s.id = ?"
)


def record_digest(con: sqlite3.Connection, sid: int) -> str:
    """The SHA-256 of a submission's whole stored record."""
    h = hashlib.sha256()
    h.update(_line(con.execute(_SUBMISSION, (sid,)).fetchone()))
    for name, query in _RECORD_QUERIES.items():
        h.update(name.encode())
        for row in con.execute(query, (sid,)):
            h.update(_line(row))
    return h.hexdigest()


def _line(row: Any) -> bytes:
    return json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def seal_of(previous: str, digest: str) -> str:
    """The seal following `previous` for a record with `digest`."""
    return hashlib.sha256(f"{previous}\n{digest}".encode()).hexdigest()


def previous_seal(con: sqlite3.Connection, sid: int) -> str:
    """The seal of the submission recorded before `sid` ("" for the first)."""
    row = con.execute("SELECT seal FROM submission WHERE id < ? ORDER BY id DESC LIMIT 1", (sid,)).fetchone()
    return str(row[0]) if row and row[0] else ""


def seal_submission(con: sqlite3.Connection, sid: int) -> None:
    """Compute and store the seal of submission `sid` (inside the transaction that recorded it)."""
    seal = seal_of(previous_seal(con, sid), record_digest(con, sid))
    con.execute("UPDATE submission SET seal = ? WHERE id = ?", (seal, sid))


def check_seals(con: sqlite3.Connection) -> list[str]:
    """Recompute the chain; every submission whose stored seal differs, one line each."""
    out = []
    previous = ""
    for sid, stored in con.execute("SELECT id, seal FROM submission ORDER BY id").fetchall():
        expected = seal_of(previous, record_digest(con, sid))
        if stored != expected:
            out.append(f"submission {sid}: seal does not match (its record was changed, or one before it removed)")
        previous = stored or ""
    return out
