"""Commands around the checks: `procurekit dataset template` and `procurekit business-case`.

Registered on the root `cli` group when procurekit.cli imports this module (last line of cli/__init__.py). Errors
are procurekit exceptions, which the group turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from procurekit.business.model import business_case, load_assumptions
from procurekit.business.output import business_case_html, business_case_json, business_case_text
from procurekit.cli import _emit, _Group, cli, lang_option, output_option
from procurekit.dataset.excel import write_template
from procurekit.dataset.read import read_dataset
from procurekit.evaluation.output import to_json


@cli.group(cls=_Group)
def dataset() -> None:
    """Contract datasets: the monthly Excel workbook suppliers fill in.

    \b
    Example:
        procurekit dataset template contracts/my-contract
    """


@dataset.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@lang_option
def template(folder: Path, lang: str) -> None:
    """Write an empty, documented workbook DIR/dataset.xlsx, and DIR/contract.yaml if there is none.

    One sheet per table with the header row, an example row (first cell starting with #, which the
    reader skips), a note on every column and data validation for dates, true/false and code lists.
    An existing dataset.xlsx, or a table already in DIR, is never overwritten (exit code 2).

    \b
    Example:
        procurekit dataset template contracts/my-contract --lang da
    """
    written = write_template(folder, lang)
    for path in written:
        click.echo(f"wrote {path}", err=True)
    contract = folder / "contract.yaml"
    if contract not in written:
        click.echo(f"kept {contract} (already there)", err=True)


@cli.command(name="business-case")
@click.argument("dataset", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--assumptions", "assumptions_path", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path), help="Assumptions file (YAML; every number sourced).")
@click.option("--format", "format_", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@output_option
@lang_option
def business_case_command(dataset: Path | None, assumptions_path: Path, format_: str, output: Path | str | None,
                          lang: str) -> None:
    """The municipality's business case, month by month: programme cost against benefits saved.

    Savings are kontanthjælp no longer paid, at the municipality's share after state reimbursement.
    With DATASET, enrolments, exits, jobs and hours come from the contract's data; without, from the
    assumed rates in the assumptions file. Shows the break-even month and its sensitivity to the price
    per place and the share of participants who reach a job. Exit code 0, or 2 for unusable input.

    \b
    Example:
        procurekit business-case examples/ikast-brande --assumptions examples/ikast-brande/assumptions.yaml
        procurekit business-case --assumptions examples/ikast-brande/assumptions.yaml --format html -o bc.html
    """
    assumptions = load_assumptions(assumptions_path)
    case = business_case(assumptions, read_dataset(dataset) if dataset is not None else None)
    if format_ == "json":
        text = to_json(business_case_json(case, lang))
    elif format_ == "html":
        text = business_case_html(case, lang)
    else:
        text = business_case_text(case, lang)
    _emit(text, output)
