"""Documents from the rules: rendering, HTML to Markdown/DOCX/PDF, charts, clauses, tender, report."""

from __future__ import annotations

from procurekit.documents.actions import breaches, check_json, check_text, upcoming
from procurekit.documents.charts import Chart, Series, chart
from procurekit.documents.clauses import (
    check_clauses,
    clause_errors,
    clauses_for,
    contract_point,
    load_library,
    point_of,
)
from procurekit.documents.formats import write_formats
from procurekit.documents.law import load_law
from procurekit.documents.notice import AwardCriterion, Notice, eforms_fields, ocds_release
from procurekit.documents.render import BundledTemplateError, TemplateError, render_text
from procurekit.documents.report import FORMATS, EconomyView, report_document, report_model
from procurekit.documents.tender import (
    DATA_FORMATS,
    DOCUMENT_FORMATS,
    FillIn,
    build_pack,
    fill_ins_shown,
    load_tender,
    notice_data,
    tender_documents,
    tender_pack,
)
from procurekit.documents.why import explain_subject, explanation_json, explanation_text, subject_kind

__all__ = [
    "AwardCriterion",
    "BundledTemplateError",
    "Chart",
    "DATA_FORMATS",
    "DOCUMENT_FORMATS",
    "EconomyView",
    "FORMATS",
    "FillIn",
    "Notice",
    "Series",
    "TemplateError",
    "breaches",
    "build_pack",
    "chart",
    "check_clauses",
    "check_json",
    "check_text",
    "clause_errors",
    "clauses_for",
    "contract_point",
    "eforms_fields",
    "explain_subject",
    "explanation_json",
    "explanation_text",
    "fill_ins_shown",
    "load_law",
    "load_library",
    "load_tender",
    "notice_data",
    "ocds_release",
    "point_of",
    "render_text",
    "report_document",
    "report_model",
    "subject_kind",
    "tender_documents",
    "tender_pack",
    "upcoming",
    "write_formats",
]
