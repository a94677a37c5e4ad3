"""Regelsæt: the bundled rule sets and those the municipality's contracts were checked with.

Each explained in plain language (as `rules explain`), a diff of two (as `rules diff`), the YAML to
download. A rule set is chosen by a key from the list shown, never by a path.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procurekit import RuleSet, diff_rulesets, diff_text, explain_ruleset, list_bundled, load_ruleset
from procurekit.ledger.collect import load_flat

from .pages import attachment, lang_of, page


def catalogue(request: Request) -> dict[str, dict[str, Any]]:
    """key → {title, id, version, origin, yaml, load}: bundled ones by id, the ledger's by digest."""
    out: dict[str, dict[str, Any]] = {}
    for path in list_bundled():
        rs = load_ruleset(path)
        out[rs.id] = {"key": rs.id, "id": rs.id, "version": rs.version, "title": rs.title, "origin": "bundled",
                      "yaml": path.read_bytes(), "ruleset": rs}
    with request.app.state.open_ledger() as ledger:
        for item in ledger.rulesets():
            key = f"{item['id']}-{item['digest'][:12]}"
            rs = load_flat(item["yaml"], item["id"])
            out[key] = {"key": key, "id": item["id"], "version": item["version"], "title": rs.title,
                        "origin": "ledger", "yaml": item["yaml"], "ruleset": rs}
    return out


_INLINE = [(re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"), (re.compile(r"`([^`]+)`"), r"<code>\1</code>")]


def markdown_html(text: str) -> Markup:
    """The plain-language explanation (headings, bullets, bold, code) as HTML; everything escaped first."""
    out: list[str] = []
    in_list = False
    for raw in text.splitlines():
        line = html.escape(raw)
        for pattern, repl in _INLINE:
            line = pattern.sub(repl, line)
        bullet = line.startswith("- ")
        if in_list and not bullet:
            out.append("</ul>")
            in_list = False
        if bullet:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{line[2:]}</li>")
        elif line.startswith("#"):
            level = min(len(line) - len(line.lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{line.lstrip('#').strip()}</h{level}>")
        elif line.strip():
            out.append(f"<p>{line}</p>")
    if in_list:
        out.append("</ul>")
    return Markup("\n".join(out))


async def index(request: Request) -> Response:
    """The list, the explanation of one (?show=KEY) and the diff of two (?a=KEY&b=KEY)."""
    lang = lang_of(request)
    items = await run_in_threadpool(catalogue, request)
    show, a, b = (request.query_params.get(k, "") for k in ("show", "a", "b"))
    explained = diff = None
    if show:
        if show not in items:
            raise HTTPException(404)
        rs: RuleSet = items[show]["ruleset"]
        explained = markdown_html(await run_in_threadpool(explain_ruleset, rs, dt.date.today(), lang))
    if a and b:
        if a not in items or b not in items:
            raise HTTPException(404)
        diff = diff_text(diff_rulesets(items[a]["ruleset"], items[b]["ruleset"]), lang)
    return page(request, "rulesets.html", nav="rules", items=list(items.values()), show=show, explained=explained,
                a=a, b=b, diff=diff)


async def download(request: Request) -> Response:
    """A rule set's YAML (the ledger's: flattened, as stored)."""
    items = await run_in_threadpool(catalogue, request)
    key = request.path_params["key"]
    if key not in items:
        raise HTTPException(404)
    return Response(items[key]["yaml"], media_type="application/yaml",
                    headers=attachment(f"{key}.yaml"))


ROUTES = [Route("/regelsaet", index), Route("/regelsaet/{key}.yaml", download)]
