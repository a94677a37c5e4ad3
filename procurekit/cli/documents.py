"""`procurekit tender` and `procurekit report`: documents from the rules.

Every document is rendered in memory first; only when all of them succeeded are they written, each
atomically. A failed run writes nothing and leaves earlier output intact.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from procurekit.cli.options import EXIT_OK, EXIT_VIOLATION, OutputPath, as_of_option, emit, lang_option, rules_option
from procurekit.documents import DATA_FORMATS, DOCUMENT_FORMATS
from procurekit.documents import FORMATS as REPORT_FORMATS
from procurekit.errors import ProcurekitError
from procurekit.files import STDOUT, write_all_atomic

if TYPE_CHECKING:
    from procurekit.documents import FillIn

_templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own templates (rendered in Jinja's sandbox; the bundled ones fill the gaps).",
)
_clauses_option = click.option(
    "--clauses", "clauses_dir", type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own clause files; a clause with a bundled id replaces it.",
)


@click.command()
@click.argument("tender_file", metavar="TENDER.yaml", type=click.Path(path_type=Path))
@click.option(
    "--format", "format_", type=click.Choice([*DOCUMENT_FORMATS, *DATA_FORMATS]), default="docx",
    show_default=True, help="Documents (docx, pdf, html, md) or notice data (ocds, eforms).",
)
@click.option("-o", "--output", "out_dir", type=OutputPath(folder=True), default=Path("tender-pack"),
              show_default=True, help="Folder to write into; - for standard output (ocds, eforms).")
@click.option("--final", is_flag=True,
              help="Refuse to write (exit 2) while a value is still a fill-in field (not confirmed).")
@lang_option
@_templates_option
@_clauses_option
def tender(
    tender_file: Path, format_: str, out_dir: Path | str, final: bool, lang: str, templates_dir: Path | None,
    clauses_dir: Path | None,
) -> None:
    """Write the tender pack: conditions of tender, requirement specification, contract annex.

    Every number that belongs to the rules comes from the rule set TENDER.yaml names, at the values in
    force on its publication date; a value the rule set does not confirm is a visible fill-in field
    until TENDER.yaml confirms it (confirm:), and is listed on stderr. The internal note
    (intern-notat.*) with sources and confidence is written next to the pack but is not part of it.
    --format ocds writes an OCDS release, --format eforms the eForms fields for the social clause.

    \b
    Example:
        procurekit tender examples/ikast-brande/tender.yaml --format pdf -o out/tender
    """
    from procurekit import build_pack, load_tender
    from procurekit.documents import fill_ins_shown, notice_data
    from procurekit.evaluation import to_json
    from procurekit.ruleset import also_used_in

    if out_dir == STDOUT and format_ not in DATA_FORMATS:
        raise ProcurekitError(f"-o -: a {format_} tender pack is several files; give a folder "
                              "(standard output takes one file: --format ocds or eforms)")
    with also_used_in(templates_dir, clauses_dir):  # a parameter only your own clauses use is used
        loaded = load_tender(tender_file)
    fill_ins: list[FillIn] = []
    if format_ in DATA_FORMATS:
        name = "ocds-release.json" if format_ == "ocds" else "eforms.json"
        text = to_json(notice_data(loaded, format_, clauses_dir))
        files, fill_ins = {name: text.encode("utf-8")}, fill_ins_shown(loaded, text)
    else:
        pack = build_pack(loaded, format_, lang, templates_dir, clauses_dir)
        files, fill_ins = {**pack.files, **pack.internal}, pack.fill_ins
    if final and fill_ins:
        names = ", ".join(f"{f.name} ({f.label})" for f in fill_ins)
        raise ProcurekitError(
            f"{tender_file}: --final: {len(fill_ins)} value(s) are not confirmed and would be fill-in fields: "
            f"{names}; confirm each under confirm: with value and source"
        )
    if isinstance(out_dir, str):  # STDOUT, and one file
        emit(next(iter(files.values())), out_dir)
        for f in fill_ins:
            click.echo(f"fill-in: {f.name} – [{f.label}] is not confirmed; confirm it in {tender_file} "
                       "under confirm: (value and source)", err=True)
        return
    write_all_atomic({out_dir / name: data for name, data in files.items()})
    for name in files:
        click.echo(f"wrote {out_dir / name}", err=True)
    for f in fill_ins:
        click.echo(f"fill-in: {f.name} – [{f.label}] is not confirmed; confirm it in {tender_file} "
                   "under confirm: (value and source)", err=True)


@click.command()
@click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))
@rules_option
@as_of_option
@click.option("--format", "format_", type=click.Choice(REPORT_FORMATS), default="html", show_default=True)
@click.option("-o", "--output", type=OutputPath(), metavar="FILE",
              help="File to write (atomically), or - for standard output. Default: report.<format> here.")
@click.option("--engine", type=click.Choice(["durable", "python"]), default="durable", show_default=True)
@click.option("--assumptions", type=click.Path(dir_okay=False, path_type=Path),
              help="A business-case assumptions file: adds the economics section and its chart.")
@lang_option
@_templates_option
@_clauses_option
def report(
    dataset: Path, rules: str | None, as_of: dt.date | None, format_: str, output: Path | str | None, engine: str,
    assumptions: Path | None, lang: str, templates_dir: Path | None, clauses_dir: Path | None,
) -> None:
    """Write the compliance report of a contract: summary, actions due, violations, key figures, charts.

    The same findings as `check`, for people. Exit code 0 when there is no violation, 1 when there is
    (the report is written either way), 2 when the input could not be used.

    \b
    Example:
        procurekit report examples/ikast-brande --format pdf -o out/report.pdf
    """
    from procurekit.documents import charts_drawn_aside, encodings
    from procurekit.evaluation import bulk_gc

    # A run of imports and one document: the garbage collector's scans of young objects cost a tenth of it.
    # The charts' worker is forked first, before polars starts a thread; it loads matplotlib while the
    # check runs, and inherits the collector's settings.
    with bulk_gc(), charts_drawn_aside(), encodings("svg" if format_ == "html" else "png"):
        from procurekit import check, report_document
        from procurekit.ruleset import also_used_in

        with also_used_in(templates_dir, clauses_dir):
            # ok verdicts listed, not explained: the report counts them and shows none
            result = check(dataset, rules, as_of, engine=engine, lang=lang, ok="listed")
        economy = None
        if assumptions is not None:
            from procurekit.business import economy as report_economy

            economy = report_economy(result, assumptions)
        target = output or Path(f"report.{format_}")
        stem = "report" if str(target) == STDOUT else Path(target).stem
        files = report_document(result, format_, templates_dir, clauses_dir, economy, image_prefix=stem)
    if len(files) == 1 or str(target) == STDOUT:  # to standard output: the document only, charts left out
        emit(files[""], target)
    else:
        written: dict[Path, str | bytes] = {Path(target) if name == "" else Path(target).parent / name: data
                                            for name, data in files.items()}
        write_all_atomic(written)
        for path in written:
            click.echo(f"wrote {path}", err=True)
    sys.exit(EXIT_VIOLATION if result.has_violation else EXIT_OK)
