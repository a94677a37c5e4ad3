"""`procurekit dataset template`: the monthly Excel workbook suppliers fill in."""

from __future__ import annotations

from pathlib import Path

import click

from procurekit.cli.options import Group, lang_option


@click.group(cls=Group)
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
    from procurekit import write_template

    written = write_template(folder, lang)
    for path in written:
        click.echo(f"wrote {path}", err=True)
    contract = folder / "contract.yaml"
    if contract not in written:
        click.echo(f"kept {contract} (already there)", err=True)
