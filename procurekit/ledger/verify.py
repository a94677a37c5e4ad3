"""`verify`: the evidence that nothing in the ledger was changed after the fact.

Every stored file's SHA-256 is recomputed; every rule set's flattened text must load to its recorded
digest; every submission's files are written to a temporary folder, read again with the dataset reader
and checked again with the recorded rule set, day and engine; the rows, findings, not-evaluated entries,
counts and cases must equal what was stored. A finding's message is compared by its seal only, not with
the re-run: its wording (how procurekit writes a number, a month or a code) may change between versions,
its verdict and values may not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from procurekit.dataset import read_dataset
from procurekit.errors import ProcurekitError
from procurekit.evaluation.check import check
from procurekit.ledger.collect import canonical, cases_of, data_rows, load_flat, sha256_hex
from procurekit.ledger.seal import check_seals
from procurekit.ledger.store import dumps
from procurekit.ruleset import RuleSet


def verify_ledger(con: sqlite3.Connection, progress: Callable[[int, int], None] | None = None,
                  db: Path | None = None, workers: int | None = None) -> list[str]:
    """Every difference found, one line each; an empty list means the ledger is intact.

    With `db` (the database's file), the submissions are re-run in up to `workers` worker processes (default:
    the CPUs), each reading the database on a read-only connection of its own: the same lines in the same
    order, about half the time on two CPUs, and a crash of the rules engine is an `EngineError`.
    """
    problems: list[str] = []
    problems += _blobs(con)
    problems += check_seals(con)
    problems += _keys(con)
    rulesets = _rulesets(con, problems)
    subs = con.execute(
        "SELECT s.id, c.contract_id, s.as_of, s.ruleset, s.engine, s.lang, s.violations, s.warnings, s.due, s.ok "
        "FROM submission s JOIN contract c ON c.id = s.contract ORDER BY s.id"
    ).fetchall()
    if db is not None and (workers or os.cpu_count() or 1) > 1 and len(subs) > 1:
        from procurekit.evaluation.batch import map_apart

        flats = _flat_texts(con, rulesets)
        jobs = [(str(db), row, flats.get(row[3])) for row in subs]
        for lines in map_apart(_submission_apart, jobs, db, workers, timeout=0, progress=progress):
            problems += lines
        return problems
    for i, row in enumerate(subs, start=1):
        rs = rulesets.get(row[3])
        if rs is None:
            problems.append(f"submission {row[0]}: its rule set cannot be loaded")
        else:
            problems += _submission(con, row, rs)
        if progress:
            progress(i, len(subs))
    return problems


def _flat_texts(con: sqlite3.Connection, rulesets: dict[int, RuleSet]) -> dict[int, tuple[str, bytes]]:
    """The id and stored flattened text of each rule set that loaded (a worker loads it again, once)."""
    rows = con.execute(
        "SELECT r.id, r.ruleset_id, b.content FROM ruleset r JOIN blob b ON b.sha256 = r.flat_sha256"
    ).fetchall()
    return {rid: (name, bytes(content)) for rid, name, content in rows if rid in rulesets}


#: A worker's read-only connections and loaded rule sets, kept for its next submissions.
_WORKER: dict[Any, Any] = {}


def _submission_apart(job: tuple[str, tuple[Any, ...], tuple[str, bytes] | None]) -> list[str]:
    """`_submission` in a worker process, on a read-only connection of its own."""
    db, row, flat = job
    if flat is None:
        return [f"submission {row[0]}: its rule set cannot be loaded"]
    con = _WORKER.get(db)
    if con is None:
        con = _WORKER[db] = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    key = (flat[0], sha256_hex(flat[1]))
    rs = _WORKER.get(key)
    if rs is None:
        rs = _WORKER[key] = load_flat(flat[1], flat[0])
    return _submission(con, row, rs)


def _blobs(con: sqlite3.Connection) -> list[str]:
    out = []
    for digest, size, content in con.execute("SELECT sha256, size, content FROM blob ORDER BY sha256"):
        data = bytes(content)
        if sha256_hex(data) != digest or len(data) != size:
            out.append(f"stored file {digest[:12]}: content does not match its SHA-256")
    return out


def _keys(con: sqlite3.Connection) -> list[str]:
    # The identity of each submission must still follow from its files, rule set, day and engine.
    out = []
    rows = con.execute(
        "SELECT s.id, s.content_key, s.as_of, s.engine, r.digest, r.flat_sha256 FROM submission s "
        "JOIN ruleset r ON r.id = s.ruleset ORDER BY s.id"
    ).fetchall()
    for sid, key, as_of, engine, digest, flat in rows:
        files = dict(con.execute("SELECT name, sha256 FROM submission_file WHERE submission = ?", (sid,)).fetchall())
        expected = sha256_hex(canonical({"files": dict(sorted(files.items())), "ruleset": digest, "flat": flat,
                                         "as_of": as_of, "engine": engine}))
        if expected != key:
            out.append(f"submission {sid}: its files, rule set or day differ from those it was recorded with")
    return out


def _rulesets(con: sqlite3.Connection, problems: list[str]) -> dict[int, RuleSet]:
    out: dict[int, RuleSet] = {}
    rows = con.execute(
        "SELECT r.id, r.ruleset_id, r.digest, b.content FROM ruleset r JOIN blob b ON b.sha256 = r.flat_sha256"
    ).fetchall()
    for rid, name, digest, content in rows:
        try:
            rs = load_flat(bytes(content), name)
        except ProcurekitError as exc:
            problems.append(f"rule set {name} ({digest}): stored text does not load ({str(exc).splitlines()[0]})")
            continue
        if rs.digest != digest:
            problems.append(f"rule set {name}: stored text has digest {rs.digest}, recorded {digest}")
            continue
        out[rid] = rs
    return out


def _submission(con: sqlite3.Connection, row: tuple[Any, ...], rs: RuleSet) -> list[str]:
    sid, contract, as_of, _, engine, lang = row[:6]
    where = f"submission {sid} ({contract})"
    files = con.execute(
        "SELECT f.name, f.sha256, b.content FROM submission_file f JOIN blob b ON b.sha256 = f.sha256 "
        "WHERE f.submission = ? ORDER BY f.name", (sid,),
    ).fetchall()
    with tempfile.TemporaryDirectory(prefix="procurekit-verify-") as tmp:
        for name, _, content in files:
            (Path(tmp) / name).write_bytes(bytes(content))
        try:
            ds = read_dataset(tmp)
            result = check(ds, rs, as_of=dt.date.fromisoformat(as_of), engine=engine, lang=lang, ok="listed")
        except ProcurekitError as exc:
            return [f"{where}: stored files no longer read or check ({str(exc).splitlines()[0]})"]
    out = []
    stored_rows = con.execute(
        "SELECT table_name, position, subject, data FROM data_row WHERE submission = ? ORDER BY table_name, position",
        (sid,),
    ).fetchall()
    fresh_rows = sorted((t, p, s, json.loads(d)) for t, p, s, d in data_rows(ds))
    if sorted((t, p, s, json.loads(d)) for t, p, s, d in stored_rows) != fresh_rows:
        out.append(f"{where}: stored rows differ from the stored files")
    out += _findings(con, sid, where, result)
    counts = dict(zip(("violation", "warning", "due", "ok"), row[6:10], strict=True))
    if counts != result.summary:
        out.append(f"{where}: stored counts {counts}, recomputed {result.summary}")
    kinds = {r.id: r.subject for r in rs.rules}
    fresh_cases = {(c.rule, c.case_subject, c.verdict, c.since_subject, c.latest_subject, dumps(c.values))
                   for c in cases_of(result.findings, kinds)}
    stored_cases = set(con.execute(
        "SELECT rule, case_subject, verdict, since_subject, latest_subject, values_json FROM case_state "
        "WHERE submission = ?", (sid,),
    ).fetchall())
    if fresh_cases != {tuple(c) for c in stored_cases}:
        out.append(f"{where}: stored case states differ from the recomputed ones")
    return out


def _findings(con: sqlite3.Connection, sid: int, where: str, result: Any) -> list[str]:
    stored = {
        (r[0], r[1]): (r[2], json.loads(r[3]))
        for r in con.execute("SELECT rule, subject, verdict, values_json FROM finding WHERE submission = ?", (sid,))
    }
    fresh = {(f.rule, f.subject): (f.verdict, f.values) for f in result.findings}
    out = []
    for key in sorted(set(stored) | set(fresh)):
        a, b = stored.get(key), fresh.get(key)
        if a == b:
            continue
        rule, subject = key
        if a is None:
            out.append(f"{where}: {rule} {subject}: recomputed {b[0] if b else '-'}, not stored")
        elif b is None:
            out.append(f"{where}: {rule} {subject}: stored {a[0]}, not found when recomputed")
        elif a[0] != b[0]:
            out.append(f"{where}: {rule} {subject}: stored {a[0]}, recomputed {b[0]}")
        else:
            out.append(f"{where}: {rule} {subject}: stored values differ from the recomputed ones")
    stored_ne = con.execute(
        "SELECT rule, subject, reason FROM not_evaluated WHERE submission = ? ORDER BY position", (sid,)
    ).fetchall()
    if [tuple(r) for r in stored_ne] != [(n.rule, n.subject, n.reason) for n in result.not_evaluated]:
        out.append(f"{where}: stored not-evaluated entries differ from the recomputed ones")
    return out
