"""The command line: a thin skin over the library. Each command calls one library function.

The root group lives here; each command group is a module of its own, added below with `add_command`.
Command modules import `options`, never this module. Exit codes: see `options.py`.
"""

from __future__ import annotations

import click

from procurekit import __version__
from procurekit.cli import business, check, dataset, documents, ledger, rules, serve
from procurekit.cli.options import Group, debug_option


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="procurekit")
@debug_option
def cli() -> None:
    """procurekit: social-clause public procurement as rules as code.

    \b
    Example:
        procurekit check examples/ikast-brande
    """


for _command in (
    business.business_case_command,
    check.check,
    dataset.dataset,
    documents.tender,
    documents.report,
    ledger.ledger,
    rules.rules,
    serve.serve,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point for `python -m procurekit`."""
    import atexit
    import gc

    # At exit the interpreter's last collections would walk every object the command made (0.05-0.3 s);
    # frozen, they are skipped, and the memory goes back to the system whole.
    atexit.register(gc.freeze)
    cli(prog_name="procurekit")
