"""What keeps the workspace safe to run on personal data: headers, body limit, access token, CSRF, logging.

Pure ASGI middleware (no framework magic between the socket and these checks):

- `BodyLimit` reads a request's body into memory up to a cap and answers 413 beyond it, before any
  handler runs, so no upload is ever parsed or written in part.
- `TokenGate` demands the access token on every request when the app listens beyond the loopback
  interface: `Authorization: Bearer <token>` or the cookie the login form sets.
- `SecurityHeaders` adds the Content-Security-Policy (nothing inline, nothing from elsewhere, no framing)
  and friends to every response, and `Cache-Control: no-store` (pages hold personal data).
- `AccessLog` logs method, path and status; a path or query that may hold a CPR number is not logged.

CSRF: each session holds a random token; every form carries it and every POST is refused (403) without it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from procurekit import shown

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The largest request body accepted: a month's workbook is well under a megabyte.
MAX_BODY = 20 * 1024 * 1024
TOKEN_COOKIE = "procurekit_token"
CSRF_FIELD = "csrf"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
log = logging.getLogger("procurekit.web")
TOO_LARGE_PAGE = (
    '<!doctype html><html lang="da"><meta charset="utf-8"><title>413</title>'
    '<link rel="stylesheet" href="/static/app.css"><main class="error"><h1>For stor</h1>'
    f"<p>Filerne er for store: højst {MAX_BODY // (1024 * 1024)} MiB i alt pr. indsendelse. "
    f"(Too large: at most {MAX_BODY // (1024 * 1024)} MiB in all.)</p>"
    '<p><a href="/">Til forsiden (home)</a></p></main></html>'
)


async def _plain(send: Send, status: int, text: str) -> None:
    """A minimal answer before the app runs (413, 401); the app's own pages say more."""
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Buffer the request body up to `limit` bytes; beyond it answer 413 before the app sees anything."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = declared is not None and declared.isdigit() and int(declared) > self.limit
        chunks: list[bytes] = []
        size = 0
        while not too_large:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                too_large = True
                break
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if too_large:
            await _plain(send, 413, TOO_LARGE_PAGE)
            return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class SecurityHeaders:
    """Add the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """With a token set, every request but the login page and the style sheet must carry it."""

    OPEN = ("/login", "/static/")

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def allowed(self, scope: Scope) -> bool:
        if self.token is None or scope["path"].startswith(self.OPEN):
            return True
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.startswith("Bearer ") and same(auth[7:].strip(), self.token):
            return True
        cookie = Request(scope).cookies.get(TOKEN_COOKIE, "")
        return same(cookie, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD"):
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", b"/login"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await _plain(send, 401, "<!doctype html><title>401</title><p>Adgangsnøgle mangler "
                                "(access token required).</p>")


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class AccessLog:
    """One log line per request: method, path (never a CPR number; no query string) and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, note)
        finally:
            log.info("%s %s %s", scope["method"], shown(scope["path"], 120), status)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); "" where no session runs (an error before it)."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    """Whether a form's CSRF field matches the session's token."""
    token = request.session.get(CSRF_FIELD)
    return isinstance(token, str) and isinstance(sent, str) and same(sent, token)


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (only those may run without a token)."""
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")
