"""The web workspace: a Starlette app on the contract ledger, pages rendered on the server with Jinja2.

Danish first, English by a switch (`?lang=en`, kept in a cookie). Every page is a bundled template in
procurekit/web/templates, rendered in an autoescaping environment with the documents' Danish date and
number filters. Nothing a user sends becomes a file-system path, a template or a query fragment.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from procurekit import EngineError, ProcurekitError, shown
from procurekit.ledger import Ledger

from . import contracts, explain, rulesets, tender
from .pages import HERE, error_page, form_of, lang_of, page, safe_line
from .security import TOKEN_COOKIE, AccessLog, BodyLimit, SecurityHeaders, TokenGate, same

_MESSAGES = {
    400: ("Formularen kunne ikke læses.", "The form could not be read."),
    403: ("Formularen var udløbet eller kom ikke fra denne side (CSRF). Genindlæs siden og prøv igen.",
          "The form had expired or did not come from this page (CSRF). Reload the page and try again."),
    404: ("Siden findes ikke.", "There is no such page."),
    405: ("Den handling findes ikke her.", "That action is not available here."),
    413: ("Filerne er for store.", "The files are too large."),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    da, en = _MESSAGES.get(status, ("Der opstod en fejl.", "An error occurred."))
    detail = getattr(exc, "detail", "")
    if status == 404 and isinstance(detail, str) and detail.startswith("contract:"):
        da, en = "Kontrakten findes ikke i registret.", "The contract is not in the ledger."
    return error_page(request, status, en if lang_of(request) == "en" else da)


async def _input_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 400, safe_line(str(exc)))


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    # The server's checks run in workers forked from a fork server (Ledger.apart): started beside the
    # server as it starts, so that the first page a user opens does not wait about a second for it.
    from procurekit.evaluation.batch import start_fork_server

    threading.Thread(target=start_fork_server, name="procurekit-fork-server", daemon=True).start()
    yield


async def _engine_error(request: Request, exc: Exception) -> Response:
    # The check ran apart from the server (Ledger.apart): the worker crashed or ran out of time. Its message
    # names a temporary folder of ours, so the page words it itself.
    timed_out = "did not finish" in str(exc)
    if lang_of(request) == "en":
        text = ("The rules engine did not finish in time" if timed_out else "The rules engine failed") + \
            "; nothing was stored. Try again, and report it if it happens again."
    else:
        text = ("Regelmotoren blev ikke færdig i tide" if timed_out else "Regelmotoren fejlede") + \
            "; intet er gemt. Prøv igen, og meld fejlen, hvis den sker igen."
    return error_page(request, 503, text)


async def _internal_error(request: Request, exc: Exception) -> Response:
    reason = shown(f"{type(exc).__name__}: {exc}", 160)
    lang = lang_of(request)
    text = (f"Intern fejl ({reason}); meld den venligst." if lang == "da"
            else f"Internal error ({reason}); please report it.")
    return error_page(request, 500, text)


class InternalErrors:
    """A bug becomes the one-line error page inside the security middleware (so it has the headers too)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started or scope["type"] != "http":
                raise
            response = await _internal_error(Request(scope), exc)
            await response(scope, receive, send)


def with_ledger(db: Path) -> Callable[..., Any]:
    """A helper for handlers: `open_ledger()` → an open Ledger on the app's database."""

    def open_ledger() -> Ledger:
        # Checks apart from the server: a crash or hang of durable_rules' C core ends one request, not the app.
        return Ledger.open(db, create=True, apart=True)

    return open_ledger


async def login(request: Request) -> Response:
    """A form that sets the access-token cookie (for browsers; scripts send Authorization: Bearer)."""
    token: str | None = request.app.state.token
    if token is None:
        return RedirectResponse("/", 303)
    if request.method == "POST":
        form = await form_of(request)
        if same(str(form.get("token", "")), token):
            response = RedirectResponse("/", 303)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
        return page(request, "login.html", status=401, wrong=True)
    return page(request, "login.html", wrong=False)


#: Host names a browser uses for this machine. Without a token only these are served: a web page elsewhere
#: cannot reach the workspace through a name of its own that resolves to 127.0.0.1 (DNS rebinding).
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(db: Path | str, token: str | None = None, secret: str | None = None,
               hosts: list[str] | None = None) -> Starlette:
    """The web app on the ledger `db` (created when missing). With `token`, every request must carry it.

    `hosts`: the Host header values served (default: the loopback names without a token, any with one).
    """
    db = Path(db)
    if hosts is None:
        hosts = LOOPBACK_HOSTS if token is None else ["*"]
    Ledger.open(db, create=True).close()  # refuse an unusable --db at start, not on the first page
    routes = [
        Route("/", contracts.overview),
        Route("/login", login, methods=["GET", "POST"]),
        *contracts.ROUTES, *explain.ROUTES, *rulesets.ROUTES, *tender.ROUTES,
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: _http_error, ProcurekitError: _input_error, EngineError: _engine_error,
    }
    app = Starlette(
        routes=routes,
        exception_handlers=handlers,
        lifespan=_lifespan,
        middleware=[
            Middleware(AccessLog),
            Middleware(SecurityHeaders),
            Middleware(InternalErrors),
            Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
            Middleware(TokenGate, token=token),
            Middleware(BodyLimit),
            Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                       session_cookie="procurekit_session", same_site="strict", https_only=False),
        ],
    )
    app.state.db = db
    app.state.token = token
    app.state.open_ledger = with_ledger(db)
    app.state.cache = {}
    app.state.started = dt.datetime.now()
    return app
