"""`procurekit dataset template` (the monthly Excel workbook suppliers fill in) and `dataset validate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from procurekit.cli.options import EXIT_INPUT, Group, emit, lang_option, output_option

if TYPE_CHECKING:
    from procurekit import DatasetError


@click.group(cls=Group)
def dataset() -> None:
    """Contract datasets: the monthly Excel workbook suppliers fill in, and what is wrong in a submission.

    \b
    Example:
        procurekit dataset template contracts/my-contract
        procurekit dataset validate leverandor/2018-08
    """


@dataset.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@output_option
def validate(folder: Path, format_: str, lang: str, output: Path | str | None) -> None:
    """Every problem of a contract dataset (or of each dataset of a register) at once: each file's bad rows
    (up to 50 a file), one line each.

    `check` stops at the first problem; this reads on, so that a submission is put right in one go. A
    table whose rows name participants (hours) is judged once participants reads; turnover once
    contract.yaml does. Exit code 0 when every dataset reads, 2 when one has a problem.

    \b
    Example:
        procurekit dataset validate leverandor/2018-08 --lang en
    """
    from procurekit import dataset_problems
    from procurekit.evaluation import find_datasets, to_json

    found = [problem for path in find_datasets(folder) for problem in dataset_problems(path)]
    if format_ == "json":
        emit(to_json({"dataset": str(folder), "ok": not found, "problems": [_as_json(e, lang) for e in found]}),
             output)
    else:
        ok = "ingen problemer: datasættet kan læses" if lang == "da" else "no problems: the dataset reads"
        emit("".join(_line(e, lang) + "\n" for e in found) + _more(found, lang) if found else ok + "\n", output)
    if found:
        sys.exit(EXIT_INPUT)


def _more(found: list[DatasetError], lang: str) -> str:
    """A line for each file whose reading stopped at the most problems a file reports."""
    from procurekit import cut_short

    return "".join(
        (f"{path}: der kan være flere fejl end de {n}, der vises\n" if lang == "da"
         else f"{path}: there may be more problems than the {n} shown\n")
        for path, n in cut_short(found).items()
    )


def _as_json(exc: DatasetError, lang: str) -> dict[str, Any]:
    from procurekit.messages import problem_text

    return {"file": exc.path, "sheet": exc.sheet, "row": exc.row, "column": exc.column, "line": exc.line,
            "message": problem_text(exc.message, lang)}


def _line(exc: DatasetError, lang: str) -> str:
    """A problem as `check` words it (`file [sheet]: row N, column C: message`), in `lang`."""
    from procurekit.messages import problem_text

    where = exc.where("række", "kolonne") if lang == "da" else exc.where()
    return f"{where}: {problem_text(exc.message, lang)}"


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
