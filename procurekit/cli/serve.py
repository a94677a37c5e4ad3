"""`procurekit serve`: the web workspace on the ledger's database (Starlette on uvicorn).

Bound to 127.0.0.1 by default. Any other address needs an access token (--token or PROCUREKIT_TOKEN),
or the command refuses to start (exit 2): the pages hold personal data.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from procurekit.errors import ProcurekitError


@click.command("serve")
@click.option("--db", type=click.Path(path_type=Path), metavar="FILE",
              help="The ledger database (default $PROCUREKIT_DB, else procurekit.db); created when missing.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--token", metavar="TOKEN",
              help="Access token every request must carry (default $PROCUREKIT_TOKEN); required beyond 127.0.0.1.")
def serve(db: Path | None, host: str, port: int, token: str | None) -> None:
    """Start the web workspace: contracts, submissions, explanations, rule sets and new tenders.

    \b
    Example:
        procurekit serve --db procurekit.db
        PROCUREKIT_TOKEN=… procurekit serve --host 0.0.0.0
    """
    from procurekit.ledger import resolve_db
    from procurekit.web import is_loopback

    token = token or os.environ.get("PROCUREKIT_TOKEN") or None
    if not is_loopback(host) and not token:
        raise ProcurekitError(f"--host {host} serves beyond this machine: give an access token "
                              "(--token or PROCUREKIT_TOKEN)")
    if token is not None and len(token) < 16:
        raise ProcurekitError("--token: the access token must be at least 16 characters")
    import uvicorn

    from procurekit.web import create_app

    app = create_app(resolve_db(db), token=token)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    click.echo(f"procurekit serve: http://{host}:{port}/ (ledger {resolve_db(db)}); Ctrl-C stops", err=True)
    # uvicorn's own access log prints query strings (which may hold a subject); ours does not.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
