"""`procurekit check`: a contract dataset, or a register of them, against its rule set."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from procurekit.cli.options import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VIOLATION,
    as_of_option,
    check_schema_text,
    emit,
    explain_check,
    lang_option,
    output_option,
    rules_option,
)
from procurekit.evaluation import (
    DEFAULT_TIMEOUT,
    Job,
    find_datasets,
    register_errors,
    register_json,
    run_check,
    run_jobs,
    share_cores,
    worker_count,
)


@click.command()
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
@click.option("--jobs", "-j", type=click.IntRange(1, 64),
              help="Worker processes for a register (default: CPUs), or parts of one large contract "
                   "(default: 1; each part reads the whole dataset: faster with durable, more memory).")
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
    be used (in a register: any contract's; every other contract is still checked and reported), 3 when
    the rules engine crashed or timed out.

    \b
    Example:
        procurekit check examples/ikast-brande --as-of 2018-06-30 --format json
        procurekit check examples/ikast-brande --explain IB-012
    """
    if schema:
        emit(check_schema_text(), output)
        return
    if dataset is None:
        raise click.UsageError("Missing argument 'DATASET'.")
    if subject is not None:
        explain_check(dataset, rules, as_of, engine, lang, subject, format_, output)
        return
    paths = find_datasets(dataset)
    single = len(paths) == 1 and (dataset / "contract.yaml").is_file()
    if not single:  # before polars is imported: it sizes its thread pool then
        share_cores(worker_count(jobs, len(paths)))
    from procurekit import check_json, check_text
    from procurekit.documents import finding_notes
    from procurekit.evaluation import to_json

    job_list = [Job(p, rules, as_of, engine, lang, include_ok, format_ == "text", single) for p in paths]
    progress = _progress if len(paths) > 1 and sys.stderr.isatty() else None
    render = (check_json, check_text, finding_notes)
    if single:  # a large contract is checked in parts, one per worker
        results = [run_check(job_list[0], render, workers=jobs, timeout=timeout)]
    else:
        results = run_jobs(job_list, render, workers=jobs, timeout=timeout, keep_errors=True, progress=progress)
    errors = [] if single else register_errors(paths, results)
    if single:
        text = results[0]["output"]
    else:
        texts = [r["text"] for r in results if "error" not in r]
        if errors:
            texts.append(f"Not checked ({len(errors)} of {len(paths)} contracts):\n"
                         + "".join(f"  {e['dataset']}: {e['error']}\n" for e in errors))
        text = (to_json(register_json(dataset, paths, results)) if format_ == "json"
                else "\n".join(t for t in texts if t))
    emit(text, output)
    if errors:
        # Every readable contract was checked and written; the exit code still says the register is incomplete.
        click.echo(f"Error: {len(errors)} of {len(paths)} contracts in {dataset} could not be checked "
                   f"(first: {errors[0]['error']})", err=True)
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_VIOLATION if any(r.get("violation") for r in results) else EXIT_OK)


def _progress(done: int, total: int) -> None:
    """One line on stderr (a terminal), rewritten as contracts are checked, cleared at the end."""
    line = f"\rchecked {done} of {total} contracts" if done < total else "\r\x1b[K"
    sys.stderr.write(line)
    sys.stderr.flush()
