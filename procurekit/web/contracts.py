"""Kontrakter (every contract at a glance) and Kontrakt (page one, history, submissions, upload, report)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from procurekit import EngineError, ProcurekitError, ReportModel, report_model
from procurekit.ledger import Ledger

from . import upload
from .pages import attachment, form_of, lang_of, page

REPORT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
CHARTS = ("ledger_timeline", "ledger_open")


def contract_id(request: Request, ledger: Ledger) -> str:
    """The contract named in the URL, if the ledger holds it (404 otherwise)."""
    cid = request.path_params["cid"]
    if cid not in ledger.contracts():
        raise HTTPException(404, "contract:")
    return str(cid)


def _row(ledger: Ledger, cid: str) -> dict[str, Any]:
    """One contract's line on the overview, worded and coloured."""
    status = ledger.status(cid)
    subs = ledger.submissions(cid)[0]["submissions"]
    last = max(subs, key=lambda s: (s["as_of"], s["submission"]))
    css = "violation" if status["open_breaches"] else ("due" if status["due"] else "ok")
    if status["missing_months"]:
        css = "violation" if css == "violation" else "warning"
    return {"id": cid, "css": css, "open": len(status["open_breaches"]), "due": len(status["due"]),
            "missing": status["missing_months"], "last_month": last["month"], "received": last["received"],
            "count": len(subs), "breaches": status["open_breaches"][:3]}


async def overview(request: Request) -> Response:
    """Kontrakter: every contract with its status at a glance."""

    return page(request, "contracts.html", nav="contracts", rows=await run_in_threadpool(_rows, request),
                problems=[], added=None)


#: One page model built at a time: matplotlib's pyplot (the history charts) is not thread-safe, and a
#: second request for the same page then finds it in the cache.
_BUILDING = threading.Lock()


def _build(ledger: Ledger, cid: str, lang: str) -> dict[str, Any]:
    """The contract page's model from the latest submission: page one, charts, subjects to explain."""
    result = ledger.latest_check(cid, lang)
    model: ReportModel = report_model(result)
    charts = ledger.history_charts(cid, lang)
    ids = sorted(p.participant_id for p in result.dataset.participants if p.enrolled_on <= result.as_of)
    months = sorted({f.subject for f in result.findings if len(f.subject) == 7 and f.subject[4] == "-"})
    return {"report": model, "charts": {k: charts[k].svg for k in CHARTS if k in charts},
            "participants": ids, "months": months, "result": result}


def contract_view(request: Request, cid: str, lang: str) -> dict[str, Any]:
    """The contract page's model, cached per latest submission and language (a check takes a while)."""
    with request.app.state.open_ledger() as ledger:
        cid = contract_id(request, ledger)
        subs = ledger.submissions(cid)[0]["submissions"]
        latest = max(subs, key=lambda s: (s["as_of"], s["submission"]))
        key = (cid, latest["submission"], len(subs), lang)
        cache: dict[Any, Any] = request.app.state.cache
        with _BUILDING:
            if key not in cache:
                if len(cache) >= 32:
                    cache.clear()
                cache[key] = _build(ledger, cid, lang)
        view = dict(cache[key])
        view["submissions"] = sorted(subs, key=lambda s: (s["as_of"], s["submission"]), reverse=True)
        view["latest"] = latest
        return view


async def contract(request: Request) -> Response:
    """Kontrakt: page one of the compliance report, the history, the submissions, upload and downloads."""
    cid = request.path_params["cid"]
    view = await run_in_threadpool(contract_view, request, cid, lang_of(request))
    added = request.session.pop("added", None)
    return page(request, "contract.html", nav="contracts", cid=cid, problems=[], added=added, **view)


async def upload_submission(request: Request) -> Response:
    """A monthly submission: validated at once; a bad one shows every problem and stores nothing."""
    form = await form_of(request, max_files=upload.MAX_FILES)
    cid = request.path_params.get("cid")
    lang = lang_of(request)
    try:
        files, problems, labels = await upload.read_files(form.getlist("files"), lang)
    finally:
        await form.close()
    if not problems:
        added, problems = await run_in_threadpool(_record, request, cid, files, labels, lang)
        if added is not None:
            request.session["added"] = added
            return RedirectResponse(f"/kontrakt/{quote(added['contract'], safe='')}", 303)
    if cid is None:
        rows = await run_in_threadpool(_rows, request)
        return page(request, "contracts.html", status=422, nav="contracts", rows=rows, problems=problems,
                    added=None)
    view = await run_in_threadpool(contract_view, request, cid, lang)
    return page(request, "contract.html", status=422, nav="contracts", cid=cid, problems=problems, added=None,
                **view)


def _rows(request: Request) -> list[dict[str, Any]]:
    """Every contract's line on the overview."""
    with request.app.state.open_ledger() as ledger:
        return [_row(ledger, c) for c in ledger.contracts()]


def _record(request: Request, cid: str | None, files: dict[str, bytes], labels: dict[str, str],
            lang: str) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """Validate and record; (what was added, []) or (None, the problems)."""
    with request.app.state.open_ledger() as ledger:
        if cid is not None:
            contract_id(request, ledger)
            if "contract.yaml" not in files:
                files = {**files, "contract.yaml": ledger.latest_files(cid)["contract.yaml"]}
        with upload.folder(files, labels) as (folder, names):
            problems = upload.validate(folder, names, cid, lang)
            if problems:
                return None, problems
            try:
                added = ledger.add(folder, received=dt.date.today(), note="web")
            except EngineError:
                raise  # not the submission's fault: the error page says so (app._engine_error)
            except ProcurekitError as exc:
                return None, [upload.problem(exc, folder, names, lang)]
    return {"contract": added.contract_id, "submission": added.submission, "month": added.month,
            "new": added.new, "summary": dict(added.summary)}, []


async def report(request: Request) -> Response:
    """The compliance report of the latest submission with its history (PDF, DOCX or HTML)."""
    fmt = request.path_params["fmt"]
    if fmt not in REPORT_TYPES:
        raise HTTPException(404)

    def build() -> tuple[str, bytes]:
        with request.app.state.open_ledger() as ledger:
            cid = contract_id(request, ledger)
            with _BUILDING:  # the report draws its charts with matplotlib too
                return cid, ledger.report(cid, fmt, lang_of(request))

    cid, data = await run_in_threadpool(build)
    name = f"rapport-{cid}.{fmt}" if lang_of(request) == "da" else f"report-{cid}.{fmt}"
    return Response(data, media_type=REPORT_TYPES[fmt], headers=attachment(name))


async def chart(request: Request) -> Response:
    """A history chart as SVG (an image, so the page's policy needs no inline styles)."""
    name = request.path_params["name"]
    if name not in CHARTS:
        raise HTTPException(404)
    view = await run_in_threadpool(contract_view, request, request.path_params["cid"], lang_of(request))
    svg = view["charts"].get(name)
    if svg is None:
        raise HTTPException(404)
    return Response(svg, media_type="image/svg+xml")


ROUTES = [
    Route("/kontrakter/indsend", upload_submission, methods=["POST"]),
    Route("/kontrakt/{cid}", contract),
    Route("/kontrakt/{cid}/indsend", upload_submission, methods=["POST"]),
    Route("/kontrakt/{cid}/rapport.{fmt}", report),
    Route("/kontrakt/{cid}/graf/{name}.svg", chart),
]
