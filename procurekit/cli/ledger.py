"""`procurekit ledger …`: the contract ledger (every monthly submission kept; status, history, verify).

Exit codes: 0 done · 1 `verify` found a difference · 2 unusable input, database or command line (one
line; nothing stored) · 3 internal error.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from procurekit import l10n
from procurekit.cli.options import (
    EXIT_OK,
    EXIT_VIOLATION,
    Group,
    as_of_option,
    lang_option,
    parse_date_option,
    rules_option,
)
from procurekit.evaluation import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from procurekit.ledger import Ledger

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(func: F) -> F:
    return click.option(
        "--db", "db", metavar="FILE", envvar="PROCUREKIT_DB",
        help="The ledger database (SQLite). Default: $PROCUREKIT_DB, else procurekit.db in the working folder.",
    )(func)


@contextmanager
def _open(db: str | None, create: bool = False) -> Iterator[Ledger]:
    from procurekit.ledger import Ledger, LedgerError, resolve_db

    path = resolve_db(db)
    ledger = Ledger.open(path, create=create)
    try:
        yield ledger
    except sqlite3.Error as exc:  # locked past the busy timeout, disk full, damaged file
        raise LedgerError(f"{path}: database error ({exc})") from None
    finally:
        ledger.close()


@click.group(cls=Group)
def ledger() -> None:
    """The contract ledger: record each monthly submission, follow breaches and deadlines over time.

    \b
    Example:
        procurekit ledger add examples/ikast-brande --received 2019-11-05
        procurekit ledger status IB-RENG-2016
    """


@ledger.command()
@click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))
@click.option("--received", callback=parse_date_option, metavar="DATE", help="The day the submission was received.")
@click.option("--note", metavar="TEXT", help="A note kept with the submission (no personal data).")
@as_of_option
@rules_option
@click.option("--engine", type=click.Choice(["durable", "python"]), default="durable", show_default=True)
@click.option(
    "--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
    help="Seconds the check may take; 0 = no limit.",
)
@_db_option
def add(
    dataset: Path, received: dt.date | None, note: str | None, as_of: dt.date | None, rules: str | None,
    engine: str, timeout: float, db: str | None,
) -> None:
    """Record one submission of one contract: its files and rows, the rule set, the check's result.

    Checked as of the last day of the last month the submission reports, unless --as-of. The same
    content again is not stored twice. A dataset that cannot be read stores nothing (exit 2); a crash
    of the rules engine, or a check longer than --timeout, stores nothing either (exit 3).

    \b
    Example:
        procurekit ledger add leverandor/2018-08 --received 2018-09-05 --db contracts.db
    """
    from procurekit.evaluation import run_apart
    from procurekit.ledger import prepare, store_submission

    # Read and checked in a worker process, as `check` is, before the database is opened.
    prep = run_apart(prepare, dataset, rules, as_of, received, note, engine, what=dataset, timeout=timeout)
    with _open(db, create=True) as lg:
        added = store_submission(lg.con, prep)
    sm = added.summary
    if added.new:
        click.echo(
            f"recorded submission {added.submission}: {added.contract_id} {added.month} (as of {added.as_of}): "
            + ", ".join(f"{l10n.verdict(v, 'da', plural=True)} {sm[v]}" for v in ("violation", "warning", "due"))
        )
    else:
        click.echo(f"already recorded as submission {added.submission} ({added.contract_id} {added.month})")


@ledger.command()
@click.argument("contract", required=False)
@click.option("--as-of", callback=parse_date_option, metavar="DATE",
              help="Status as known on this day (submissions checked as of it or earlier). Default: today, "
                   "or the contract's end if earlier.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_db_option
def status(contract: str | None, as_of: dt.date | None, format_: str, lang: str, db: str | None) -> None:
    """Per contract: open breaches since when, what the latest submission opened and resolved, deadlines, gaps.

    \b
    Example:
        procurekit ledger status IB-RENG-2016 --as-of 2019-05-31
    """
    from procurekit.evaluation import to_json
    from procurekit.ledger import status_text

    with _open(db) as lg:
        if contract:
            docs = [lg.status(contract, as_of)]
        else:  # every contract with a submission checked as of that day
            docs = [lg.status(name, as_of) for name in lg.contracts() if lg.submissions(name, as_of)]
    if format_ == "json":
        click.echo(to_json(docs), nl=False)
    else:
        click.echo(status_text(docs, lang), nl=False)


@ledger.command()
@click.argument("contract")
@click.option("--subject", metavar="ID", help="A participant (with its participant-months) or a month (YYYY-MM).")
@click.option("--rule", metavar="ID", help="Only this rule.")
@click.option("--format", "format_", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@lang_option
@_db_option
def history(contract: str, subject: str | None, rule: str | None, format_: str, lang: str, db: str | None) -> None:
    """The verdict timeline of a contract: one line per change, with the submission that showed it.

    \b
    Example:
        procurekit ledger history IB-RENG-2016 --subject IB-028
    """
    from procurekit.evaluation import to_json
    from procurekit.ledger import history_csv, history_text

    with _open(db) as lg:
        events = lg.history(contract, subject, rule)
    if format_ == "json":
        click.echo(to_json([e.to_json() for e in events]), nl=False)
    elif format_ == "csv":
        click.echo(history_csv(events), nl=False)
    else:
        click.echo(history_text(contract, events, lang), nl=False)


@ledger.command()
@click.argument("contract")
@click.option("--format", "format_", type=click.Choice(["html", "pdf", "docx", "md"]), default="html",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (atomically).")
@lang_option
@_db_option
def report(contract: str, format_: str, output: Path, lang: str, db: str | None) -> None:
    """The compliance report of the latest submission, with the contract's history and a breach chart.

    \b
    Example:
        procurekit ledger report IB-RENG-2016 --format pdf -o rapport.pdf
    """
    from procurekit import write_atomic

    with _open(db) as lg:
        data = lg.report(contract, format_, lang)
    write_atomic(output, data)
    click.echo(f"wrote {output}", err=True)


@ledger.command()
@_db_option
def verify(db: str | None) -> None:
    """Recompute every stored hash and re-run every submission with its recorded rule set.

    Exit code 0 when everything matches, 1 when anything differs (each difference one line).

    \b
    Example:
        procurekit ledger verify --db contracts.db
    """
    with _open(db) as lg:
        problems = lg.verify()
        counts = [lg.con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("blob", "ruleset", "submission")]
    if problems:
        for line in problems:
            click.echo(f"DIFFERS  {line}")
        click.echo(f"{len(problems)} differences: the ledger was changed after the fact", err=True)
        sys.exit(EXIT_VIOLATION)
    click.echo(f"ok: {counts[0]} files, {counts[1]} rule sets, {counts[2]} submissions re-run; nothing differs")
    sys.exit(EXIT_OK)


@ledger.command(name="list")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_db_option
def list_(format_: str, lang: str, db: str | None) -> None:
    """The contracts in the ledger and their submissions.

    \b
    Example:
        procurekit ledger list --format json
    """
    from procurekit.evaluation import to_json
    from procurekit.ledger import list_text

    with _open(db) as lg:
        docs = lg.submissions()
    click.echo(to_json(docs) if format_ == "json" else list_text(docs, lang), nl=False)
