"""`procurekit business-case`: the municipality's business case for the programme, month by month."""

from __future__ import annotations

from pathlib import Path

import click

from procurekit.cli.options import emit, lang_option, output_option


@click.command(name="business-case")
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
    from procurekit import business_case, load_assumptions, read_dataset
    from procurekit.business import business_case_html, business_case_json, business_case_text
    from procurekit.evaluation import to_json

    assumptions = load_assumptions(assumptions_path)
    case = business_case(assumptions, read_dataset(dataset) if dataset is not None else None)
    if format_ == "json":
        text = to_json(business_case_json(case, lang))
    elif format_ == "html":
        text = business_case_html(case, lang)
    else:
        text = business_case_text(case, lang)
    emit(text, output)
