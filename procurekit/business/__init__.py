"""The business case of a social-clause programme: assumptions, the monthly model, its output."""

from __future__ import annotations

from procurekit.business.model import BusinessCase, business_case, load_assumptions
from procurekit.business.output import business_case_html, business_case_json, business_case_text
from procurekit.business.report_section import economy

__all__ = [
    "BusinessCase",
    "business_case",
    "business_case_html",
    "business_case_json",
    "business_case_text",
    "economy",
    "load_assumptions",
]
