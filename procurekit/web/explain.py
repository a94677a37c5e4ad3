"""Forklaring: why a participant, a participant-month or a month got its verdicts (as `check --explain`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procurekit import ProcurekitError, explain_subject, subject_kind
from procurekit.messages import problem_text

from .contracts import contract_view
from .pages import lang_of, page

_ORDER = ("violation", "warning", "due", "ok", "not-applicable", "not-evaluated")
NAMES = {
    "da": {"violation": "Overtrædelse", "warning": "Advarsel", "due": "Frist løber", "ok": "I orden",
           "not-applicable": "Gælder ikke", "not-evaluated": "Ikke vurderet"},
    "en": {"violation": "Violation", "warning": "Warning", "due": "Due", "ok": "OK",
           "not-applicable": "Does not apply", "not-evaluated": "Not evaluated"},
}


async def explanation(request: Request) -> Response:
    """The explanation of one subject of the latest submission (the form when none is asked for)."""
    lang = lang_of(request)
    cid = request.path_params["cid"]
    subject = request.query_params.get("subject", "").strip()
    view = await run_in_threadpool(contract_view, request, cid, lang)
    why, error = None, None
    if subject:
        try:
            subject_kind(subject)  # refuse a CPR-like or unsafe subject before anything else
            why = await run_in_threadpool(explain_subject, view["result"], subject)
        except ProcurekitError as exc:
            # procurekit's own message: it never echoes a CPR-like subject (refused above without it).
            error = problem_text(str(exc).removeprefix("--explain: "), lang)
    verdicts = sorted(why.verdicts, key=lambda v: _ORDER.index(v.verdict)) if why else []
    shown_subject = subject if why else ""
    return page(request, "explain.html", status=200 if error is None else 422, nav="contracts", cid=cid,
                why=why, verdicts=verdicts, names=NAMES[lang], error=error, subject=shown_subject,
                participants=view["participants"], months=view["months"])


ROUTES = [Route("/kontrakt/{cid}/forklaring", explanation)]
