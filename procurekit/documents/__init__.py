"""Documents from the rules: rendering, HTML to Markdown/DOCX/PDF, charts, clauses, tender, report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurekit.lazy import exports

if TYPE_CHECKING:
    from procurekit.documents.actions import breaches, check_json, check_text, finding_notes, upcoming
    from procurekit.documents.charts import Chart, Series, chart, charts_drawn_aside, drawn, encodings, styled
    from procurekit.documents.clauses import (
        check_clauses,
        clause_errors,
        clauses_for,
        contract_point,
        load_library,
        point_of,
    )
    from procurekit.documents.formats import DATA_FORMATS, DOCUMENT_FORMATS, write_formats
    from procurekit.documents.formats import REPORT_FORMATS as FORMATS
    from procurekit.documents.law import load_law
    from procurekit.documents.notice import AwardCriterion, Notice, eforms_fields, ocds_release
    from procurekit.documents.render import BundledTemplateError, TemplateError, render_text
    from procurekit.documents.report import EconomyView, report_document, report_model
    from procurekit.documents.tender import (
        FillIn,
        build_pack,
        fill_ins_shown,
        load_tender,
        notice_data,
        tender_documents,
        tender_pack,
    )
    from procurekit.documents.why import explain_subject, explanation_json, explanation_text, subject_kind

#: Where each public name lives: imported when first used (procurekit.lazy).
_WHERE = {
    "breaches": "procurekit.documents.actions",
    "check_json": "procurekit.documents.actions",
    "check_text": "procurekit.documents.actions",
    "finding_notes": "procurekit.documents.actions",
    "upcoming": "procurekit.documents.actions",
    "Chart": "procurekit.documents.charts",
    "Series": "procurekit.documents.charts",
    "chart": "procurekit.documents.charts",
    "charts_drawn_aside": "procurekit.documents.charts",
    "encodings": "procurekit.documents.charts",
    "drawn": "procurekit.documents.charts",
    "styled": "procurekit.documents.charts",
    "check_clauses": "procurekit.documents.clauses",
    "clause_errors": "procurekit.documents.clauses",
    "clauses_for": "procurekit.documents.clauses",
    "contract_point": "procurekit.documents.clauses",
    "load_library": "procurekit.documents.clauses",
    "point_of": "procurekit.documents.clauses",
    "write_formats": "procurekit.documents.formats",
    "load_law": "procurekit.documents.law",
    "AwardCriterion": "procurekit.documents.notice",
    "Notice": "procurekit.documents.notice",
    "eforms_fields": "procurekit.documents.notice",
    "ocds_release": "procurekit.documents.notice",
    "BundledTemplateError": "procurekit.documents.render",
    "TemplateError": "procurekit.documents.render",
    "render_text": "procurekit.documents.render",
    "FORMATS": "procurekit.documents.formats:REPORT_FORMATS",
    "EconomyView": "procurekit.documents.report",
    "report_document": "procurekit.documents.report",
    "report_model": "procurekit.documents.report",
    "DATA_FORMATS": "procurekit.documents.formats",
    "DOCUMENT_FORMATS": "procurekit.documents.formats",
    "FillIn": "procurekit.documents.tender",
    "build_pack": "procurekit.documents.tender",
    "fill_ins_shown": "procurekit.documents.tender",
    "load_tender": "procurekit.documents.tender",
    "notice_data": "procurekit.documents.tender",
    "tender_documents": "procurekit.documents.tender",
    "tender_pack": "procurekit.documents.tender",
    "explain_subject": "procurekit.documents.why",
    "explanation_json": "procurekit.documents.why",
    "explanation_text": "procurekit.documents.why",
    "subject_kind": "procurekit.documents.why",
}
__getattr__, __dir__ = exports(__name__, _WHERE)

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
    "charts_drawn_aside",
    "check_clauses",
    "check_json",
    "check_text",
    "clause_errors",
    "clauses_for",
    "contract_point",
    "drawn",
    "eforms_fields",
    "encodings",
    "explain_subject",
    "explanation_json",
    "explanation_text",
    "fill_ins_shown",
    "finding_notes",
    "load_law",
    "load_library",
    "load_tender",
    "notice_data",
    "ocds_release",
    "point_of",
    "render_text",
    "report_document",
    "report_model",
    "styled",
    "subject_kind",
    "tender_documents",
    "tender_pack",
    "upcoming",
    "write_formats",
]
