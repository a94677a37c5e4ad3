"""Rendering a page: the one autoescaping Jinja2 environment of the workspace, language, forms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from procurekit import fmt_date, fmt_money, fmt_number, looks_like_cpr

from .security import CSRF_FIELD, csrf_ok, csrf_token

HERE = Path(__file__).resolve().parent
LANGS = ("da", "en")
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A value inside one URL path segment (a contract id may hold spaces, ?, # or quotes).
_env.filters["segment"] = lambda value: quote(str(value), safe="")


def lang_of(request: Request) -> str:
    """The page language: ?lang=, else the cookie, else Danish."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get("lang")
    return kept if kept in LANGS else "da"


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a bundled page template in the request's language."""
    lang = lang_of(request)

    def t(da: str, en: str) -> str:
        return en if lang == "en" else da

    template = _env.get_template(name)
    html = template.render(
        request=request, lang=lang, t=t, csrf=csrf_token(request), csrf_field=CSRF_FIELD,
        date=lambda v: fmt_date(v, lang) if v else "–", number=lambda v: fmt_number(v, lang),
        money=lambda v: fmt_money(v, lang), path=request.url.path, nav=context.pop("nav", ""), **context,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="strict")
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page with one clear line (never a traceback)."""
    return page(request, "error.html", status=status, status_code=status, message=message)


async def form_of(request: Request, max_files: int = 0) -> Any:
    """The POSTed form after the CSRF check (403 without the session's token)."""
    try:
        form = await request.form(max_files=max_files, max_fields=200, max_part_size=1024 * 1024)
    except Exception:  # a malformed multipart body, too many parts or fields
        raise HTTPException(400, "bad-form") from None
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        await form.close()
        raise HTTPException(403, "csrf")
    return form




NOT_SHOWN = "[value not shown]"


def safe_line(text: str, width: int = 300) -> str:
    """A message fit for a page: one line, shortened, and nothing if it holds anything CPR-like."""
    if looks_like_cpr(text):
        return NOT_SHOWN
    line = "".join(ch if ch.isprintable() else "?" for ch in text)
    return line if len(line) <= width else line[: width - 1] + "…"


def attachment(name: str) -> dict[str, str]:
    """A Content-Disposition header for a download; the name reduced to safe characters."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "download"
    return {"content-disposition": f'attachment; filename="{safe}"'}
