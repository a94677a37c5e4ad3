"""The business case of a social-clause programme: assumptions, the monthly model, its output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurekit.lazy import exports

if TYPE_CHECKING:
    from procurekit.business.model import BusinessCase, business_case, load_assumptions
    from procurekit.business.output import business_case_html, business_case_json, business_case_text
    from procurekit.business.report_section import economy

#: Where each public name lives: imported when first used (procurekit.lazy).
_WHERE = {
    "BusinessCase": "procurekit.business.model",
    "business_case": "procurekit.business.model",
    "load_assumptions": "procurekit.business.model",
    "business_case_html": "procurekit.business.output",
    "business_case_json": "procurekit.business.output",
    "business_case_text": "procurekit.business.output",
    "economy": "procurekit.business.report_section",
}
__getattr__, __dir__ = exports(__name__, _WHERE)

__all__ = [
    "BusinessCase",
    "business_case",
    "business_case_html",
    "business_case_json",
    "business_case_text",
    "economy",
    "load_assumptions",
]
