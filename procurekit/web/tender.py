"""Nyt udbud: the tender form, validated as TENDER.yaml is, a preview of the clauses, the pack to download."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procurekit import (
    TENDER_PARAMETERS,
    UNCONFIRMED,
    ProcurekitError,
    RuleSetErrors,
    Tender,
    build_pack,
    list_bundled,
    load_ruleset,
    load_tender,
    notice_data,
    tender_pack,
)

from .pages import attachment, form_of, lang_of, page, safe_line
from .tender_form import (
    CRITERIA,
    DEFAULTS,
    FIELDS,
    PROCEDURES,
    clean,
    field_of,
    in_danish,
    tender_data,
    tender_yaml,
)

ACTIONS = ("check", "yaml", "zip", "ocds", "eforms")
_FILL = re.compile(r"\[(udfyldes af ordregiver|to be completed by the authority): [^\]]*\]")


def rulesets() -> dict[str, Any]:
    """The bundled rule sets a tender may name, by id."""
    return {rs.id: rs for rs in (load_ruleset(p) for p in list_bundled())}


def unconfirmed(ruleset_id: str, lang: str) -> list[dict[str, str]]:
    """The values the documents show as fill-in fields until the form confirms them."""
    rs = rulesets().get(ruleset_id)
    out = []
    if rs is not None:
        for name, p in rs.parameters.items():
            if p.confidence in UNCONFIRMED:
                label = (p.label.en if lang == "en" else p.label.da) if p.label else p.description
                out.append({"name": name, "label": label, "value": str(p.value), "unit": p.unit})
    for name, (unit, da, en) in TENDER_PARAMETERS.items():
        out.append({"name": name, "label": en if lang == "en" else da, "value": "", "unit": unit})
    return out


async def form_page(request: Request) -> Response:
    """The empty form (with sensible defaults)."""
    lang = lang_of(request)
    values = dict(DEFAULTS)
    confirms = await run_in_threadpool(unconfirmed, values["ruleset"], lang)
    return _render(request, values, confirms, {}, [], None)


def _render(request: Request, values: dict[str, str], confirms: list[dict[str, str]], errors: dict[str, list[str]],
            general: list[str], preview: Any, status: int = 200) -> Response:
    return page(request, "tender.html", status=status, nav="tender", fields=FIELDS, values=values,
                confirms=confirms, errors=errors, general=general, preview=preview, criteria=range(CRITERIA),
                rulesets=sorted(rulesets()), procedures=PROCEDURES)


def _check(data: dict[str, Any], tmp: Path) -> tuple[Tender | None, list[str]]:
    path = tmp / "tender.yaml"
    path.write_text(tender_yaml(data), encoding="utf-8")
    try:
        return load_tender(path), []
    except RuleSetErrors as exc:
        return None, [e.message for e in exc.errors]
    except ProcurekitError as exc:
        return None, [str(exc).replace(str(path) + ": ", "")]


def _marked(text: str) -> Markup:
    """Clause text escaped, with the fill-in fields marked."""
    return Markup(_FILL.sub(lambda m: f"<mark>{m.group(0)}</mark>", str(escape(text))))


def _preview(tender: Tender, lang: str) -> list[dict[str, Any]]:
    pack = tender_pack(tender, lang)
    return [{"number": c.number, "title": c.title, "requirement": _marked(c.requirement),
             "paragraphs": [_marked(p) for p in c.paragraphs]} for c in pack.clauses]


def _files(tender: Tender, action: str, lang: str) -> tuple[str, str, bytes]:
    """(file name, media type, content) of a download."""
    tid = tender.spec.id
    if action in ("ocds", "eforms"):
        import json

        data = json.dumps(notice_data(tender, action), ensure_ascii=False, indent=2, default=str)
        name = "ocds-release.json" if action == "ocds" else "eforms.json"
        return f"{tid}-{name}", "application/json", data.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for fmt in ("docx", "pdf"):
            pack = build_pack(tender, fmt, lang)
            for name, content in pack.files.items():
                z.writestr(name, content)
            for name, content in pack.internal.items():
                z.writestr(f"internt/{name}", content)
    suffix = "udbudspakke" if lang == "da" else "tender-pack"
    return f"{tid}-{suffix}.zip", "application/zip", buffer.getvalue()


async def submit(request: Request) -> Response:
    """Check the form; then the preview, or the download asked for (tender.yaml is saved even with errors)."""
    lang = lang_of(request)
    form = await form_of(request)
    action = str(form.get("action", "check"))
    action = action if action in ACTIONS else "check"
    values = {k: clean(str(v)) for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    if values.get("ruleset") not in rulesets():
        values["ruleset"] = DEFAULTS["ruleset"]
    confirms = await run_in_threadpool(unconfirmed, values["ruleset"], lang)
    names = [c["name"] for c in confirms]
    data = tender_data(values, names)
    if action == "yaml":
        name = (values.get("id") or "tender") if re.fullmatch(r"[A-Za-z0-9._-]{1,80}", values.get("id", "")) \
            else "tender"
        return Response(tender_yaml(data).encode("utf-8"), media_type="application/yaml",
                        headers=attachment(f"{name}.yaml"))

    def work() -> tuple[Any, list[str], Any]:
        with tempfile.TemporaryDirectory(prefix="procurekit-tender-") as tmp:
            tender, problems = _check(data, Path(tmp))
            if tender is None:
                return None, problems, None
            if action in ("zip", "ocds", "eforms"):
                return tender, [], _files(tender, action, lang)
            return tender, [], _preview(tender, lang)

    tender, problems, result = await run_in_threadpool(work)
    if tender is None:
        errors: dict[str, list[str]] = {}
        general: list[str] = []
        for message in problems:
            where = field_of(message, names)
            text = safe_line(in_danish(message) if lang == "da" else message.split(":", 1)[-1].strip())
            if where is None:
                general.append(safe_line(message))
            else:
                errors.setdefault(where, []).append(text)
        return _render(request, values, confirms, errors, general, None, status=422)
    if action in ("zip", "ocds", "eforms"):
        name, media, content = result
        return Response(content, media_type=media, headers=attachment(name))
    return _render(request, values, confirms, {}, [], result)


ROUTES = [Route("/udbud", form_page), Route("/udbud", submit, methods=["POST"])]
