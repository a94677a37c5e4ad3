"""`procurekit rules ...`: list, show and validate rule sets; adapt one (init, diff, explain, schema) and
test it before the tender (test)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from procurekit.cli.options import (
    EXIT_OK,
    EXIT_VIOLATION,
    Group,
    OutputPath,
    as_of_option,
    emit,
    lang_option,
    output_option,
)
from procurekit.errors import ProcurekitError

# The library is imported inside each command: `procurekit --help` loads none of it.


@click.group(cls=Group)
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
    from procurekit import list_bundled, load_ruleset
    from procurekit.evaluation import to_json

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
    from procurekit import load_ruleset, resolve_ref
    from procurekit.evaluation import ruleset_json, ruleset_text, to_json

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
    from procurekit import load_ruleset, resolve_ref
    from procurekit.documents import check_clauses, clauses_for

    rs = load_ruleset(resolve_ref(path))
    library = check_clauses(rs)
    used = len(clauses_for(rs, library))
    click.echo(
        f"{rs.path}: ok ({rs.id} {rs.version}, {len(rs.rules)} rules, {len(rs.parameters)} parameters, "
        f"{used} clauses)"
    )


@rules.command()
@click.argument("new_id", metavar="NEW_ID")
@click.option("--from", "parent", required=True, metavar="ID|PATH", help="The rule set to adapt.")
@click.option(
    "-o", "--output-dir", "out_dir", type=OutputPath(folder=True), default=Path("."),
    show_default=True, help="Folder to write NEW_ID.yaml in.",
)
def init(new_id: str, parent: str, out_dir: Path | str) -> None:
    """Start a rule set NEW_ID that extends another, with every parameter listed to change.

    Writes DIR/NEW_ID.yaml (never over an existing file). As written it loads to exactly the parent's
    parameters and rules; each parameter is a commented block (value, unit, description, source,
    confidence) to uncomment and edit.

    \b
    Example:
        procurekit rules init herning --from ikast-brande -o rules/
    """
    from procurekit import init_ruleset

    if isinstance(out_dir, str):  # STDOUT
        raise ProcurekitError("-o -: rules init writes NEW_ID.yaml into a folder (and loads it back); give a folder")
    path = init_ruleset(new_id, parent, out_dir)
    click.echo(f"wrote {path} (extends {parent}; edit it, then: procurekit rules validate {path})")


@rules.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(a: str, b: str, format_: str) -> None:
    """Compare two rule sets after inheritance: parameters, rules added, dropped and changed.

    Exit code 0 whenever both load (a difference is not an error).

    \b
    Example:
        procurekit rules diff ikast-brande flere-skal-med
    """
    from procurekit import diff_rulesets, load_ruleset, resolve_ref
    from procurekit.authoring import diff_text
    from procurekit.evaluation import to_json

    result = diff_rulesets(load_ruleset(resolve_ref(a)), load_ruleset(resolve_ref(b)))
    click.echo(to_json(result) if format_ == "json" else diff_text(result), nl=False)


@rules.command()
@click.argument("ref", metavar="ID|PATH")
@lang_option
@as_of_option
@output_option
def explain(ref: str, lang: str, as_of: dt.date | None, output: Path | str | None) -> None:
    """Explain a rule set in plain language: every rule with its values, clause, legal basis and sources.

    --as-of picks the parameter values in force on that day (default: today).

    \b
    Example:
        procurekit rules explain ikast-brande --lang da --as-of 2018-01-01
    """
    from procurekit import explain_ruleset, load_ruleset, resolve_ref

    emit(explain_ruleset(load_ruleset(resolve_ref(ref)), as_of or dt.date.today(), lang), output)


@rules.command(name="test")
@click.argument("paths", nargs=-1, metavar="[PATH|ID]...")
@click.option("--engine", type=click.Choice(["both", "durable", "python"]), default="both", show_default=True,
              help="Run the cases on this engine only.")
@click.option("--coverage", is_flag=True,
              help="Also fail when a rule of a tested rule set has no boundary pair (ok and failing).")
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only failures.")
def run_tests(paths: tuple[str, ...], engine: str, coverage: bool, verbose: bool) -> None:
    """Run scenario tests (*.scenarios.yaml) through the real check, on both engines.

    PATH is a scenario file or a folder (searched); ID a bundled rule set. Default: every bundled
    rule set's scenarios. Exit code 0 when every case passes, 1 when one fails (each failure named
    file:line case [engines]: expected …, got …), 2 when a scenario file cannot be used or a folder holds none.

    \b
    Example:
        procurekit rules test                         # the bundled rule sets
        procurekit rules test rules/scenarios/gladsaxe-vask.scenarios.yaml
    """
    from procurekit import load_scenarios, run_scenarios
    from procurekit.authoring import coverage_gaps, find_scenarios, shown_path

    files = load_scenarios(find_scenarios(paths))
    results = run_scenarios(files, None if engine == "both" else [engine])
    failed = [r for r in results if not r.passed]
    for r in results:
        if r.passed and verbose:
            click.echo(f"ok    {shown_path(r.file.path)}:{r.case.line} {r.case.spec.name}")
        for line in r.failures:
            click.echo(f"FAIL  {line}")
    gaps = coverage_gaps(files, list({f.ruleset.id: f.ruleset for f in files}.values())) if coverage else []
    for gap in gaps:
        click.echo(f"GAP   {gap}")
    click.echo(
        f"{len(results)} cases in {len(files)} files: {len(results) - len(failed)} passed, {len(failed)} failed"
        + (f"; {len(gaps)} rules without a boundary pair" if coverage else "")
    )
    sys.exit(EXIT_VIOLATION if failed or gaps else EXIT_OK)


@rules.command()
@output_option
def schema(output: Path | str | None) -> None:
    """Print the JSON Schema of rule-set files, for editors (YAML language server) to validate and complete.

    \b
    Example:
        procurekit rules schema -o rule-set.schema.json
    """
    from procurekit.authoring import ruleset_schema
    from procurekit.evaluation import to_json

    emit(to_json(ruleset_schema()), output)
