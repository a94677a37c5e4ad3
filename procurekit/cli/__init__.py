"""The command line: a thin skin over the library. Each command calls one library function.

The root group lives here; each command group is a module of its own, imported when it is used (`COMMANDS`).
Command modules import `options`, never this module. Exit codes: see `options.py`.
"""

from __future__ import annotations

import importlib

import click

from procurekit import __version__
from procurekit.cli.options import Group, debug_option

#: Each command: its module and the command in it. A command's module is imported when the command is
#: asked for (`procurekit check` never imports the documents' or the ledger's commands: 0.05 s of imports).
COMMANDS = {
    "business-case": ("procurekit.cli.business", "business_case_command"),
    "check": ("procurekit.cli.check", "check"),
    "dataset": ("procurekit.cli.dataset", "dataset"),
    "ledger": ("procurekit.cli.ledger", "ledger"),
    "report": ("procurekit.cli.documents", "report"),
    "rules": ("procurekit.cli.rules", "rules"),
    "serve": ("procurekit.cli.serve", "serve"),
    "tender": ("procurekit.cli.documents", "tender"),
}


class _Commands(Group):
    """The root group: its commands are imported on first use (`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command) and command.name == cmd_name, cmd_name
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="procurekit")
@debug_option
def cli() -> None:
    """procurekit: social-clause public procurement as rules as code.

    \b
    Example:
        procurekit check examples/ikast-brande
    """
    _end_quickly()


def _end_quickly() -> None:
    """At exit, freeze what is left for the garbage collector: the interpreter's last collections then skip
    it instead of walking every object the command made (0.05-0.3 s; a PDF report's fpdf tables, a large
    check's findings). Nothing is lost: the memory goes back to the system whole."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however many commands one process runs
    atexit.register(gc.freeze)


def main() -> None:
    """Entry point for `python -m procurekit`."""
    cli(prog_name="procurekit")
