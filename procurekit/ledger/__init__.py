"""The contract ledger: every monthly submission of a contract kept, its verdict history, what falls due.

A ledger is one SQLite file (default `procurekit.db` in the working folder, or `$PROCUREKIT_DB`). Each
`add` records a submission whole or not at all: the dataset's files (bytes and SHA-256) and every row
read from them, the rule set (source files and a flattened copy), and the check's findings. `status`,
`history`, `report` and `verify` read it back.

    from procurekit.ledger import Ledger
    with Ledger.open("procurekit.db", create=True) as ledger:
        ledger.add("examples/ikast-brande")
        print(ledger.status("IB-RENG-2016")["open_breaches"])
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from procurekit.ledger.collect import Checker, prepare
from procurekit.ledger.db import LATEST, LedgerError, connect, resolve_db
from procurekit.ledger.output import history_csv, history_text, list_text, status_text
from procurekit.ledger.snapshots import month_end_snapshots
from procurekit.ledger.store import Added, list_submissions, store_submission
from procurekit.ledger.timeline import Event, contract_ids, history, status
from procurekit.ledger.verify import verify_ledger

__all__ = [
    "Added",
    "Event",
    "LATEST",
    "Ledger",
    "LedgerError",
    "history_csv",
    "history_text",
    "list_text",
    "month_end_snapshots",
    "prepare",
    "resolve_db",
    "status_text",
    "store_submission",
]

if TYPE_CHECKING:
    from procurekit.documents import Chart
    from procurekit.evaluation import CheckResult


class Ledger:
    """An open ledger database. Use as a context manager, or call `close()`."""

    def __init__(self, con: sqlite3.Connection, path: Path, apart: bool = False) -> None:
        self.con = con
        self.path = path
        #: Checks run in a worker process (`batch.check_apart`): a crash or a hang of the rules engine is
        #: an `EngineError`, and this process lives on (the web workspace's server).
        self.apart = apart

    @classmethod
    def open(cls, db: Path | str | None = None, create: bool = False, apart: bool = False) -> Ledger:
        """Open the ledger `db` (default: $PROCUREKIT_DB or procurekit.db), upgrading an older schema;
        `apart`: every check in a worker process (see `Ledger.apart`).

        Raises:
            LedgerError: a folder, a missing file (unless `create`), not a ledger, or a newer schema.
        """
        path = resolve_db(db)
        return cls(connect(path, create=create), path, apart)

    def _checker(self) -> Checker:
        if not self.apart:
            from procurekit.evaluation.check import check

            return check
        from procurekit.evaluation import batch

        return batch.check_apart

    def close(self) -> None:
        """Close the database connection."""
        self.con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def add(
        self,
        dataset: Path | str,
        received: dt.date | None = None,
        note: str | None = None,
        as_of: dt.date | None = None,
        rules: str | None = None,
        engine: str = "durable",
    ) -> Added:
        """Record one submission of one contract (idempotent: the same content returns the earlier one)."""
        return store_submission(self.con, prepare(dataset, rules, as_of, received, note, engine,
                                                  checker=self._checker()))

    def contracts(self) -> list[str]:
        """The contract ids in the ledger."""
        return contract_ids(self.con)

    def submissions(self, contract: str | None = None, as_of: dt.date | None = None) -> list[dict[str, Any]]:
        """Contracts and their submissions (see README, `ledger list --format json`).

        With `contract`, only that contract; with `as_of`, only contracts with a submission checked as of
        that day or earlier.
        """
        found = list_submissions(self.con, contract)
        if as_of is not None:
            day = as_of.isoformat()
            found = [c for c in found if any(s["as_of"] <= day for s in c["submissions"])]
        return found

    def status(self, contract: str, as_of: dt.date | None = None) -> dict[str, Any]:
        """One contract's status (see README, `ledger status --format json`)."""
        return status(self.con, contract, as_of)

    def history(self, contract: str, subject: str | None = None, rule: str | None = None) -> list[Event]:
        """The verdict timeline, one event per change."""
        return history(self.con, contract, subject, rule)

    def report(self, contract: str, fmt: str = "html", lang: str = "da") -> bytes:
        """The compliance report of the latest submission with the contract's history (html, pdf, docx, md)."""
        from procurekit.ledger.report import ledger_report  # matplotlib and the document writers only when asked for

        return ledger_report(self.con, contract, fmt, lang, self._checker())

    def latest_check(self, contract: str, lang: str = "da") -> CheckResult:
        """The check of the contract's latest submission, re-run on its stored files and rule set."""
        from .report import latest_check

        return latest_check(self.con, contract, lang, self._checker())

    def latest_files(self, contract: str) -> dict[str, bytes]:
        """The files of the contract's latest submission as stored (name → content)."""
        from .report import latest_files

        return latest_files(self.con, contract)

    def history_charts(self, contract: str, lang: str = "da") -> dict[str, Chart]:
        """The report's history charts: `ledger_timeline` (breaches over time) and `ledger_open`."""
        from .report import history_charts

        return history_charts(self.con, contract, lang)

    def rulesets(self) -> list[dict[str, Any]]:
        """The rule sets the submissions were checked with: id, version, digest and the flattened YAML."""
        rows = self.con.execute(
            "SELECT r.ruleset_id, r.version, r.digest, b.content FROM ruleset r "
            "JOIN blob b ON b.sha256 = r.flat_sha256 ORDER BY r.ruleset_id, r.version, r.id"
        ).fetchall()
        return [{"id": i, "version": v, "digest": d, "yaml": bytes(c)} for i, v, d, c in rows]

    def verify(self) -> list[str]:
        """Recompute every hash and re-run every submission; the differences, one line each."""
        return verify_ledger(self.con, db=self.path)
