"""What every command shares: exit codes, the error boundary, and the options used by several commands.

Exit codes: 0 no violation · 1 the rules found a violation · 2 the input, the rules or the command
line could not be used · 3 the rules engine crashed or timed out, or an internal error (a bug).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from procurekit.errors import EngineError, ProcurekitError
from procurekit.files import STDOUT, write_output, write_stdout
from procurekit.privacy import NOT_SHOWN, may_show, shown

EXIT_OK, EXIT_VIOLATION, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


class InputError(click.ClickException):
    """A ProcurekitError shown as one line, exit code 2."""

    exit_code = EXIT_INPUT


class Group(click.Group):
    """A click group that turns every error into one line on stderr: exit 2 for bad input, 3 for a bug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            _traceback(ctx)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(EXIT_INTERNAL)
        except ProcurekitError as exc:
            raise InputError(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except MemoryError:
            _traceback(ctx)
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
    """A bug: one line, exit code 3; the traceback only when asked for (--debug)."""
    _traceback(ctx)
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


_DEBUG = "procurekit.debug"


def _traceback(ctx: click.Context) -> None:
    # Called inside an except block: shows the exception being handled. Users never see a traceback
    # unless they asked for one; a developer needs it to find the bug behind an exit 3.
    if ctx.find_root().meta.get(_DEBUG):
        # A line of it may quote input: shown only where it cannot hold a CPR number.
        lines = traceback.format_exc().rstrip().splitlines()
        click.echo("\n".join(line if may_show(line) else NOT_SHOWN for line in lines), err=True)


def debug_option(func: F) -> F:
    """--debug (or PROCUREKIT_DEBUG=1): show the traceback of an internal error (exit code 3)."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        ctx.meta[_DEBUG] = value

    return click.option(
        "--debug", is_flag=True, envvar="PROCUREKIT_DEBUG", expose_value=False, is_eager=True, callback=remember,
        help="Show the traceback of an internal error (exit code 3). Also PROCUREKIT_DEBUG=1.",
    )(func)


def parse_date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
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
        callback=parse_date_option,
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


def explain_check(dataset: Path, rules: str | None, as_of: dt.date | None, engine: str, lang: str, subject: str,
                  format_: str, output: Path | str | None) -> None:
    """`check --explain`: one subject's verdicts; exit 1 when one of them is a violation."""
    from procurekit import check as run_check
    from procurekit.documents import explain_subject, explanation_json, explanation_text, subject_kind
    from procurekit.evaluation import to_json

    subject_kind(subject)  # refuse an unusable subject before reading anything
    if not (dataset / "contract.yaml").is_file():
        raise click.UsageError("--explain takes one contract dataset, not a register")
    result = run_check(dataset, rules, as_of, engine=engine, lang=lang)
    why = explain_subject(result, subject)
    emit(to_json(explanation_json(why)) if format_ == "json" else explanation_text(why, lang), output)
    sys.exit(EXIT_VIOLATION if any(v.verdict == "violation" for v in why.verdicts) else EXIT_OK)


def check_schema_text() -> str:
    """The JSON Schema of `check --format json`, as shipped in the package."""
    return (Path(__file__).resolve().parent.parent / "schemas" / "check.schema.json").read_text(encoding="utf-8")


def emit(data: str | bytes, output: Path | str | None) -> None:
    """Write a command's result to standard output (no -o, or -o -), or to a file and say so on stderr."""
    if output is None:
        write_stdout(data)
    else:
        write_output(output, data)
        if output != STDOUT:
            click.echo(f"wrote {output}", err=True)
