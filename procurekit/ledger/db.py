"""The ledger's database: opening, the versioned schema and its migrations.

SQLite from the standard library is the embedded default: one file, WAL mode (readers never block the
one writer), foreign keys on, a busy timeout so that concurrent `ledger add` runs wait for each other
instead of failing. The SQL is kept to what a server database also speaks (plain tables, `INTEGER`,
`TEXT`, `BLOB`, `?` parameters, no SQLite-only functions in queries); the SQLite-specific parts are
here only: the pragmas, `BEGIN IMMEDIATE` and `WITHOUT ROWID`.

Schema versions are rows of `ledger_schema`; each migration runs in one transaction, so a database
is at one version or the next, never in between. A database made by an older procurekit is upgraded
when opened; one made by a newer procurekit is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from procurekit.errors import ProcurekitError

DEFAULT_DB = "procurekit.db"
ENV_DB = "PROCUREKIT_DB"
BUSY_TIMEOUT_S = 60.0


class LedgerError(ProcurekitError):
    """The ledger database cannot be used (exit code 2): missing, not a ledger, newer schema."""


_V1 = [
    """CREATE TABLE ledger_schema (
        version INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL)""",
    """CREATE TABLE contract (
        id INTEGER PRIMARY KEY,
        contract_id TEXT NOT NULL UNIQUE)""",
    # Every stored file, once, by content: dataset files and rule-set texts.
    """CREATE TABLE blob (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        content BLOB NOT NULL)""",
    """CREATE TABLE ruleset (
        id INTEGER PRIMARY KEY,
        ruleset_id TEXT NOT NULL,
        version TEXT NOT NULL,
        digest TEXT NOT NULL,
        flat_sha256 TEXT NOT NULL REFERENCES blob (sha256),
        UNIQUE (digest, flat_sha256))""",
    # The source files of the rule set as written (leaf first, then each parent it extends).
    """CREATE TABLE ruleset_file (
        ruleset INTEGER NOT NULL REFERENCES ruleset (id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES blob (sha256),
        PRIMARY KEY (ruleset, position))""",
    """CREATE TABLE ruleset_rule (
        ruleset INTEGER NOT NULL REFERENCES ruleset (id),
        position INTEGER NOT NULL,
        rule TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        title_da TEXT NOT NULL,
        title_en TEXT NOT NULL,
        clause TEXT NOT NULL,
        reference TEXT NOT NULL,
        lets TEXT NOT NULL,
        PRIMARY KEY (ruleset, position))""",
    """CREATE TABLE submission (
        id INTEGER PRIMARY KEY,
        contract INTEGER NOT NULL REFERENCES contract (id),
        content_key TEXT NOT NULL,
        as_of TEXT NOT NULL,
        month TEXT NOT NULL,
        received TEXT,
        note TEXT,
        recorded_at TEXT NOT NULL,
        ruleset INTEGER NOT NULL REFERENCES ruleset (id),
        engine TEXT NOT NULL,
        lang TEXT NOT NULL,
        contract_json TEXT NOT NULL,
        violations INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        due INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        procurekit_version TEXT NOT NULL,
        UNIQUE (contract, content_key))""",
    "CREATE INDEX submission_by_contract ON submission (contract, as_of)",
    """CREATE TABLE submission_file (
        submission INTEGER NOT NULL REFERENCES submission (id),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES blob (sha256),
        PRIMARY KEY (submission, name))""",
    # Every row of every table as read (JSON of the parsed cells), for queries; the files are the evidence.
    """CREATE TABLE data_row (
        submission INTEGER NOT NULL REFERENCES submission (id),
        table_name TEXT NOT NULL,
        position INTEGER NOT NULL,
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (submission, table_name, position)) WITHOUT ROWID""",
    # Every finding, ok included (ok findings without message and values, as `check` without --all).
    """CREATE TABLE finding (
        submission INTEGER NOT NULL REFERENCES submission (id),
        rule TEXT NOT NULL,
        subject TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('violation', 'warning', 'due', 'ok')),
        message TEXT NOT NULL,
        values_json TEXT NOT NULL,
        PRIMARY KEY (submission, rule, subject)) WITHOUT ROWID""",
    """CREATE TABLE not_evaluated (
        submission INTEGER NOT NULL REFERENCES submission (id),
        position INTEGER NOT NULL,
        rule TEXT NOT NULL,
        subject TEXT,
        reason TEXT NOT NULL,
        PRIMARY KEY (submission, position))""",
    # Per submission, every case (rule + participant, or rule alone for month and year rules) whose
    # current verdict is not ok: what `status` and `history` read. A function of the submission alone.
    """CREATE TABLE case_state (
        submission INTEGER NOT NULL REFERENCES submission (id),
        rule TEXT NOT NULL,
        case_subject TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('violation', 'warning', 'due')),
        since_subject TEXT NOT NULL,
        latest_subject TEXT NOT NULL,
        message TEXT NOT NULL,
        values_json TEXT NOT NULL,
        PRIMARY KEY (submission, rule, case_subject)) WITHOUT ROWID""",
]


def _v1(con: sqlite3.Connection) -> None:
    for statement in _V1:
        con.execute(statement)


def _v2(con: sqlite3.Connection) -> None:
    # v2: every submission sealed in a hash chain (existing ones sealed now, in the order recorded),
    # and findings found by subject (history --subject) without a scan.
    from procurekit.ledger.seal import seal_submission

    con.execute("ALTER TABLE submission ADD COLUMN seal TEXT")
    con.execute("CREATE INDEX finding_by_subject ON finding (subject, rule)")
    for (sid,) in con.execute("SELECT id FROM submission ORDER BY id").fetchall():
        seal_submission(con, sid)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 2: _v2}
LATEST = max(MIGRATIONS)


def resolve_db(db: Path | str | None) -> Path:
    """The database file: `db`, else $PROCUREKIT_DB, else procurekit.db in the working folder."""
    if db:
        return Path(db)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else Path(DEFAULT_DB)


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """Open (and if needed upgrade) the ledger at `path`.

    Args:
        path: the database file.
        create: make a new ledger when the file does not exist (only `ledger add` does).

    Raises:
        LedgerError: a folder, a missing file (without `create`), not a SQLite file, not a ledger,
            or a ledger made by a newer procurekit.
    """
    if path.is_dir():
        raise LedgerError(f"{path}: is a folder, not a ledger database file")
    if not path.exists():
        if not create:
            raise LedgerError(f"{path}: no ledger here (record a submission first: procurekit ledger add DATASET)")
        if not path.parent.is_dir():
            raise LedgerError(f"{path}: folder {path.parent} does not exist")
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise LedgerError(f"{path}: cannot open the ledger ({exc})") from None
    try:
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA foreign_keys = ON")
        schema_version(con, path)  # refuse a file that is not a ledger before changing anything in it
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise LedgerError(f"{path}: cannot switch the database to WAL mode (journal mode {mode})")
        con.execute("PRAGMA synchronous = NORMAL")
        migrate(con, path)
    except sqlite3.Error as exc:
        con.close()
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise LedgerError(f"{path}: not a ledger database ({exc})") from None
        raise LedgerError(f"{path}: database error ({exc})") from None
    except BaseException:
        con.close()
        raise
    return con


def schema_version(con: sqlite3.Connection, path: Path) -> int:
    """The schema version of an open database (0 for an empty one)."""
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "ledger_schema" not in names:
        if {n for n in names if not n.startswith("sqlite_")}:
            raise LedgerError(f"{path}: a SQLite database, but not a procurekit ledger")
        return 0
    row = con.execute("SELECT MAX(version) FROM ledger_schema").fetchone()
    return int(row[0] or 0)


def migrate(con: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to `LATEST`, one migration per transaction.

    Raises:
        LedgerError: the database was made by a newer procurekit.
    """
    if schema_version(con, path) == LATEST:
        return
    with transaction(con):
        current = schema_version(con, path)  # again: another process may have migrated meanwhile
        if current > LATEST:
            raise LedgerError(
                f"{path}: made by a newer procurekit (schema version {current}; this one knows up to {LATEST})"
            )
        for version in range(current + 1, LATEST + 1):
            MIGRATIONS[version](con)
            con.execute(
                "INSERT INTO ledger_schema (version, applied_at) VALUES (?, ?)", (version, now_iso())
            )


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    """A write transaction taken at once (`BEGIN IMMEDIATE`): committed on success, rolled back otherwise."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def now_iso() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
