"""Procurement data out: an OCDS 1.1 release and the eForms fields for the social clause.

Both are built from one `Notice`: what the tender says about itself plus the social-clause texts
rendered from the rule set and clause library, so the numbers in them are the rule set's.

OCDS: the lot carries the social criterion with the sustainability extension
(`hasSustainability`, `sustainability[].goal = social.disadvantagedEmploymentOpportunities`,
`strategies`, `description`) and the contract-performance terms (`contractTerms.performanceTerms`,
from the eForms→OCDS mapping of BT-70). eForms: BT-06-Lot `soc-obj`, BT-775-Lot `opp`, BT-777-Lot and
BT-70-Lot texts in Danish and English, as a mapping of BT id to value; the codes and their labels come
from the eForms SDK code lists, named by version (`EFORMS_CODES`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

#: The eForms codes this export uses, with the SDK code-list version they were taken from
#: (OP-TED/eForms-SDK codelists/strategic-procurement.gc and social-objective.gc, 20220316-0;
#: tests/test_notice.py checks them against the shipped CSV copies).
EFORMS_CODES: dict[str, dict[str, Any]] = {
    "strategic-procurement": {
        "version": "20220316-0",
        "code": "soc-obj",
        "label": {"ENG": "Fulfilment of social objectives", "DAN": "Opfyldelse af sociale mål"},
    },
    "social-objective": {
        "version": "20220316-0",
        "code": "opp",
        "label": {
            "ENG": "Employment opportunities for the long-term unemployed, disadvantaged and/or for persons "
            "with disabilities",
            "DAN": "Beskæftigelsesmuligheder for langtidsledige, dårligt stillede personer og/eller for "
            "personer med handicap",
        },
    },
}
#: eForms BT-775 `opp` maps to this OCDS sustainability goal (open-contracting-extensions/eforms).
OCDS_GOAL = "social.disadvantagedEmploymentOpportunities"
OCDS_STRATEGIES = ["contractPerformanceConditions"]


@dataclass(frozen=True)
class AwardCriterion:
    """One award criterion and its weight in percent."""

    name: str
    weight: float
    type: str  # price | quality | cost


@dataclass(frozen=True)
class Notice:
    """What a notice needs: the tender's facts and the social-clause texts (da and en)."""

    tender_id: str
    title: str
    description: str
    buyer_name: str
    buyer_id: str | None
    cpv: str
    procedure: str  # open | selective | limited | direct
    procedure_details: str
    value_amount: float | None
    currency: str
    contract_start: dt.date
    contract_end: dt.date
    tender_deadline: dt.datetime | None
    published: dt.date
    social_description: dict[str, str]  # BT-777 text by language (da, en)
    performance_terms: dict[str, str]  # BT-70 text by language (da, en)
    award_criteria: tuple[AwardCriterion, ...] = field(default_factory=tuple)
    lot_id: str = "LOT-0001"
    ocid_prefix: str = "ocds-procurekit"


def _iso(day: dt.date | dt.datetime) -> str:
    if isinstance(day, dt.datetime):
        return day.isoformat() if day.tzinfo else day.isoformat() + "Z"
    return dt.datetime.combine(day, dt.time()).isoformat() + "Z"


def ocds_release(notice: Notice) -> dict[str, Any]:
    """An OCDS 1.1 release (tag `tender`) with the social criterion on the lot."""
    buyer_id = notice.buyer_id or f"DK-{notice.buyer_name}"
    social = {
        "goal": OCDS_GOAL,
        "strategies": list(OCDS_STRATEGIES),
        "description": notice.social_description["da"],
    }
    lot: dict[str, Any] = {
        "id": notice.lot_id,
        "title": notice.title,
        "hasSustainability": True,
        "sustainability": [social],
        "contractTerms": {"performanceTerms": notice.performance_terms["da"]},
        "contractPeriod": {
            "startDate": _iso(notice.contract_start),
            "endDate": _iso(notice.contract_end),
        },
    }
    if notice.award_criteria:
        lot["awardCriteria"] = {
            "criteria": [
                {"name": c.name, "type": c.type, "weight": c.weight} for c in notice.award_criteria
            ]
        }
    tender: dict[str, Any] = {
        "id": notice.tender_id,
        "title": notice.title,
        "description": notice.description,
        "status": "active",
        "procuringEntity": {"id": buyer_id, "name": notice.buyer_name},
        "items": [
            {
                "id": "1",
                "description": notice.title,
                "classification": {"scheme": "CPV", "id": notice.cpv},
                "relatedLot": notice.lot_id,
            }
        ],
        "procurementMethod": notice.procedure,
        "procurementMethodDetails": notice.procedure_details,
        "mainProcurementCategory": "services",
        "contractPeriod": {"startDate": _iso(notice.contract_start), "endDate": _iso(notice.contract_end)},
        "hasSustainability": True,
        "sustainability": [dict(social)],
        "lots": [lot],
    }
    if notice.value_amount is not None:
        tender["value"] = {"amount": notice.value_amount, "currency": notice.currency}
    if notice.tender_deadline is not None:
        tender["tenderPeriod"] = {"endDate": _iso(notice.tender_deadline)}
    return {
        "ocid": f"{notice.ocid_prefix}-{notice.tender_id}",
        "id": f"{notice.tender_id}-tender-{notice.published.isoformat()}",
        "date": _iso(notice.published),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "da",
        "parties": [
            {
                "id": buyer_id,
                "name": notice.buyer_name,
                "roles": ["buyer", "procuringEntity"],
            }
        ],
        "buyer": {"id": buyer_id, "name": notice.buyer_name},
        "tender": tender,
    }


def eforms_fields(notice: Notice) -> dict[str, Any]:
    """The eForms business terms for the social clause, by lot, as BT id → value.

    Multilingual texts are keyed by eForms language codes (DAN, ENG).
    """
    strategic = EFORMS_CODES["strategic-procurement"]
    social = EFORMS_CODES["social-objective"]
    return {
        "codeLists": {
            "strategic-procurement": strategic["version"],
            "social-objective": social["version"],
        },
        "lots": [
            {
                "lotId": notice.lot_id,
                "BT-06-Lot": strategic["code"],
                "BT-775-Lot": social["code"],
                "BT-777-Lot": {"DAN": notice.social_description["da"], "ENG": notice.social_description["en"]},
                "BT-70-Lot": {"DAN": notice.performance_terms["da"], "ENG": notice.performance_terms["en"]},
            }
        ],
        "labels": {
            "BT-06-Lot": strategic["label"],
            "BT-775-Lot": social["label"],
        },
    }
