"""The command line: a thin skin over the library. Each command calls one library function.

Exit codes: 0 no violation · 1 the rules found a violation · 2 the input, the rules or the command
line could not be used · 3 the rules engine crashed or timed out, or an internal error (a bug).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from procurekit import __version__
from procurekit.documents.clauses import check_clauses, clauses_for
from procurekit.errors import EngineError, ProcurekitError
from procurekit.evaluation.batch import DEFAULT_TIMEOUT, Job, find_datasets, register_json, run_jobs
from procurekit.evaluation.output import ruleset_json, ruleset_text, to_json
from procurekit.files import STDOUT, write_output, write_stdout
from procurekit.privacy import shown
from procurekit.ruleset.load import list_bundled, load_ruleset, resolve_ref

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


class InputError(click.ClickException):
    """A ProcurekitError shown as one line, exit code 2."""

    exit_code = EXIT_INPUT


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(EXIT_INTERNAL)
        except ProcurekitError as exc:
            raise InputError(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except MemoryError:
            click.echo("Error: out of memory", err=True)
            ctx.exit(EXIT_INTERNAL)
        except BrokenPipeError:  # `procurekit … | head`: the reader left before the end
            _silence_stdout()
            click.echo("Error: standard output was closed before everything was written", err=True)
            ctx.exit(EXIT_INPUT)
        except OSError as exc:
            if exc.filename is None:
                _internal(ctx, exc)
            # A path the user gave that the system refuses (too long, a folder, no permission, ...).
            raise InputError(f"{exc.filename}: {exc.strerror or exc}") from None
        except Exception as exc:
            _internal(ctx, exc)


def _internal(ctx: click.Context, exc: BaseException) -> NoReturn:
    """A bug: one line, never a traceback, exit code 3."""
    # The message of an unforeseen error may quote input: shown only if it cannot hold a CPR number.
    reason = shown(str(exc), 200)
    click.echo(f"Error: internal error ({type(exc).__name__}: {reason}); please report it", err=True)
    ctx.exit(EXIT_INTERNAL)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so Python's flush at exit does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (a test runner's buffer): nothing is flushed to a pipe


#: The days a check can be made for: far enough from 0001 and 9999 that month arithmetic and the
#: contract's years around as-of stay inside the calendar.
AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value[:40]}' is not a date (YYYY-MM-DD)") from None
    first, last = AS_OF_RANGE
    if not first <= day <= last:
        raise InputError(f"--as-of {day.isoformat()} is outside the supported {first.isoformat()}..{last.isoformat()}")
    return day


class OutputPath(click.ParamType):
    """An -o value: `-` for standard output (STDOUT), else a path (no existence checks here).

    Whether an existing target may be replaced is the writer's decision (one line, exit 2), so a folder,
    a FIFO or a device is refused the same way for every command.
    """

    name = "path"

    def __init__(self, folder: bool = False) -> None:
        self.folder = folder

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if isinstance(value, Path):
            return value
        if value == STDOUT:
            return STDOUT
        text = os.fspath(value)
        if not text:
            self.fail("an empty path", param, ctx)
        if not self.folder and text.endswith(("/", os.sep)):
            self.fail(f"'{text}' names a folder; give a file name (or - for standard output)", param, ctx)
        return Path(text)


def output_option(func: F) -> F:
    """-o/--output FILE|-, shared by the commands that write one file."""
    return click.option(
        "-o", "--output", type=OutputPath(), metavar="FILE",
        help="Write to FILE (atomically), or - for standard output.",
    )(func)


def as_of_option(func: F) -> F:
    """--as-of DATE, shared by the commands that evaluate rules."""
    return click.option(
        "--as-of",
        callback=_date,
        metavar="DATE",
        help="Check as of this day (YYYY-MM-DD). Default: today, or the contract's end if earlier.",
    )(func)


def lang_option(func: F) -> F:
    """--lang da|en, shared by commands that write texts."""
    return click.option(
        "--lang", type=click.Choice(["da", "en"]), default="da", show_default=True, help="Language of messages."
    )(func)


def rules_option(func: F) -> F:
    """--rules ID|PATH, shared by commands that take a rule set."""
    return click.option(
        "--rules", "rules", metavar="ID|PATH", help="Rule set to use instead of the one contract.yaml names."
    )(func)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="procurekit")
def cli() -> None:
    """procurekit: social-clause public procurement as rules as code.

    \b
    Example:
        procurekit check examples/ikast-brande
    """


@cli.command()
@click.argument("dataset", type=click.Path(file_okay=False, path_type=Path), required=False)
@rules_option
@as_of_option
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "include_ok", is_flag=True, help="Also list ok findings.")
@click.option("--explain", "subject", metavar="SUBJECT",
              help="Why a participant, participant-month (ID@YYYY-MM) or month (YYYY-MM) got its verdicts.")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of the --format json output and exit.")
@click.option(
    "--engine", type=click.Choice(["durable", "python"]), default="durable", show_default=True,
    help="durable_rules, or the plain-Python evaluator of the same rules (faster for bulk runs).",
)
@lang_option
@output_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Worker processes for a register. Default: CPUs.")
@click.option(
    "--timeout", type=click.FloatRange(0), default=DEFAULT_TIMEOUT, show_default=True,
    help="Seconds the rules engine may take in all; 0 = no limit.",
)
def check(
    dataset: Path | None,
    rules: str | None,
    as_of: dt.date | None,
    format_: str,
    include_ok: bool,
    subject: str | None,
    schema: bool,
    engine: str,
    lang: str,
    output: Path | str | None,
    jobs: int | None,
    timeout: float,
) -> None:
    """Check a contract dataset (or a folder of them, a register) against its rule set.

    Exit code 0 when there is no violation, 1 when there is, 2 when the input or the rules could not
    be used, 3 when the rules engine crashed or timed out.

    \b
    Example:
        procurekit check examples/ikast-brande --as-of 2018-06-30 --format json
        procurekit check examples/ikast-brande --explain IB-012
    """
    if schema:
        _emit(check_schema_text(), output)
        return
    if dataset is None:
        raise click.UsageError("Missing argument 'DATASET'.")
    if subject is not None:
        _explain(dataset, rules, as_of, engine, lang, subject, format_, output)
        return
    paths = find_datasets(dataset)
    job_list = [Job(p, rules, as_of, engine, lang, include_ok, format_ == "text") for p in paths]
    results = run_jobs(job_list, workers=jobs, timeout=timeout)
    if len(paths) == 1 and (dataset / "contract.yaml").is_file():
        doc: Any = results[0]["json"]
        texts = [results[0]["text"]]
    else:
        doc = register_json(dataset, results)
        texts = [r["text"] for r in results]
    text = to_json(doc) if format_ == "json" else "\n".join(t for t in texts if t)
    _emit(text, output)
    sys.exit(EXIT_VIOLATION if any(r["violation"] for r in results) else EXIT_OK)


def _explain(dataset: Path, rules: str | None, as_of: dt.date | None, engine: str, lang: str, subject: str,
             format_: str, output: Path | str | None) -> None:
    """`check --explain`: one subject's verdicts; exit 1 when one of them is a violation."""
    from procurekit.documents.why import explain_subject, explanation_json, explanation_text, subject_kind
    from procurekit.evaluation.check import check as run_check

    subject_kind(subject)  # refuse an unusable subject before reading anything
    if not (dataset / "contract.yaml").is_file():
        raise click.UsageError("--explain takes one contract dataset, not a register")
    result = run_check(dataset, rules, as_of, engine=engine, lang=lang)
    why = explain_subject(result, subject)
    _emit(to_json(explanation_json(why)) if format_ == "json" else explanation_text(why, lang), output)
    sys.exit(EXIT_VIOLATION if any(v.verdict == "violation" for v in why.verdicts) else EXIT_OK)


def check_schema_text() -> str:
    """The JSON Schema of `check --format json`, as shipped in the package."""
    return (Path(__file__).resolve().parent / "schemas" / "check.schema.json").read_text(encoding="utf-8")


def _emit(data: str | bytes, output: Path | str | None) -> None:
    """Write a command's result to standard output (no -o, or -o -), or to a file and say so on stderr."""
    if output is None:
        write_stdout(data)
    else:
        write_output(output, data)
        if output != STDOUT:
            click.echo(f"wrote {output}", err=True)


@cli.group(cls=_Group)
def rules() -> None:
    """List, show and validate rule sets.

    \b
    Example:
        procurekit rules show ikast-brande
    """


@rules.command(name="list")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(format_: str) -> None:
    """List the bundled rule sets.

    \b
    Example:
        procurekit rules list --format json
    """
    items: list[dict[str, Any]] = []
    for path in list_bundled():
        rs = load_ruleset(path)
        items.append({"id": rs.id, "version": rs.version, "extends": list(rs.lineage[:-1]),
                      "rules": len(rs.rules), "title": rs.title.da})
    if format_ == "json":
        click.echo(to_json(items), nl=False)
        return
    for it in items:
        parent = f" (extends {it['extends'][-1]})" if it["extends"] else ""
        click.echo(f"{it['id']:<20} {it['version']:<8} {it['rules']:>3} rules  {it['title']}{parent}")


@rules.command()
@click.argument("ref", metavar="ID|PATH")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
def show(ref: str, format_: str, lang: str) -> None:
    """Show a rule set after inheritance: parameters with sources, and rules.

    \b
    Example:
        procurekit rules show ikast-brande --format json
    """
    rs = load_ruleset(resolve_ref(ref))
    click.echo(to_json(ruleset_json(rs)) if format_ == "json" else ruleset_text(rs, lang), nl=False)


@rules.command()
@click.argument("path", metavar="PATH")
def validate(path: str) -> None:
    """Validate a rule-set file and the clauses it uses; print every problem, one line each, with file and line.

    \b
    Example:
        procurekit rules validate rules/ikast-brande.yaml
    """
    rs = load_ruleset(resolve_ref(path))
    library = check_clauses(rs)
    used = len(clauses_for(rs, library))
    click.echo(
        f"{rs.path}: ok ({rs.id} {rs.version}, {len(rs.rules)} rules, {len(rs.parameters)} parameters, "
        f"{used} clauses)"
    )


def main() -> None:
    """Entry point for `python -m procurekit`."""
    cli(prog_name="procurekit")


# Command modules register themselves on `cli` / `rules` when imported (at the end: they import from here).
import procurekit.cli.dataset as _cli_ecosystem  # noqa: E402,F401
import procurekit.cli.documents as _cli_docs  # noqa: E402,F401
import procurekit.cli.ledger as _cli_ledger  # noqa: E402,F401
import procurekit.cli.rules as _cli_adapt  # noqa: E402,F401
