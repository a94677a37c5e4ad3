"""OCDS and eForms export: validated against the shipped OCDS schemas and eForms code lists."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from procurekit.documents.notice import EFORMS_CODES, OCDS_GOAL, AwardCriterion, Notice, eforms_fields, ocds_release

# The schemas are test data in ../shared/schemas beside the checkout (CI has them there too).
SCHEMAS = Path(__file__).resolve().parent / "data" / "schemas"  # copies of ../shared/schemas, with licences
needs_schemas = pytest.mark.skipif(not SCHEMAS.is_dir(), reason="tests/data/schemas missing")

NOTICE = Notice(
    tender_id="IB-2016-RENG",
    title="Rengøring af kommunale institutioner",
    description="Rengøring med jobtræningscenter",
    buyer_name="Ikast-Brande Kommune",
    buyer_id="DK-CVR-29189730",
    cpv="90910000",
    procedure="open",
    procedure_details="Offentligt udbud",
    value_amount=40_000_000,
    currency="DKK",
    contract_start=dt.date(2016, 11, 1),
    contract_end=dt.date(2020, 10, 31),
    tender_deadline=dt.datetime(2016, 5, 20, 12, 0),
    published=dt.date(2016, 4, 1),
    social_description={"da": "Leverandøren driver et jobtræningscenter.", "en": "The supplier runs a centre."},
    performance_terms={"da": "Leverandøren skal ... påkrav, bod og misligholdelse.", "en": "The supplier shall ..."},
    award_criteria=(AwardCriterion("Pris", 60, "price"), AwardCriterion("Kvalitet", 40, "quality")),
)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with the sustainability extension merged in."""
    schema = json.loads((SCHEMAS / "ocds" / "release-schema-1.1.5.json").read_text(encoding="utf-8"))
    patch = json.loads((SCHEMAS / "ocds" / "sustainability-extension" / "release-schema.json").read_text())
    schema = merge_patch(schema, patch)
    # The extension patches Lot, which the lots extension (a test dependency not shipped here) defines;
    # declare tender.lots so each lot is validated against the patched Lot definition.
    schema["definitions"]["Tender"]["properties"]["lots"] = {
        "type": "array", "items": {"$ref": "#/definitions/Lot"}
    }
    schema["definitions"]["Lot"].setdefault("type", "object")
    return schema


@needs_schemas
def test_the_example_tenders_ocds_release_validates() -> None:
    import jsonschema

    from procurekit.documents.tender import load_tender, notice_data

    tender = load_tender(Path(__file__).resolve().parents[1] / "examples" / "ikast-brande" / "tender.yaml")
    release = notice_data(tender, "ocds")
    jsonschema.Draft4Validator(release_schema(), format_checker=jsonschema.FormatChecker()).validate(release)
    assert release["tender"]["value"] == {"amount": 48000000, "currency": "DKK"}
    assert release["tender"]["items"][0]["classification"] == {"scheme": "CPV", "id": "90911200-8"}


@needs_schemas
def test_ocds_release_validates_against_release_schema_with_sustainability_extension() -> None:
    import jsonschema

    schema = release_schema()
    release = ocds_release(NOTICE)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(release)
    lot = release["tender"]["lots"][0]
    assert lot["hasSustainability"] is True
    assert lot["sustainability"][0]["goal"] == OCDS_GOAL
    ext = SCHEMAS / "ocds" / "sustainability-extension"
    goals = {r["Code"] for r in read_csv(ext / "sustainabilityGoal.csv")}
    strategies = {r["Code"] for r in read_csv(ext / "sustainabilityStrategy.csv")}
    assert OCDS_GOAL in goals
    assert set(lot["sustainability"][0]["strategies"]) <= strategies
    # a broken release is caught by the same validation
    bad = copy.deepcopy(release)
    bad["tender"]["lots"][0]["hasSustainability"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(bad)


@needs_schemas
def test_eforms_codes_come_from_the_code_lists() -> None:
    for name, entry in EFORMS_CODES.items():
        path = SCHEMAS / "eforms" / f"{name}-{entry['version']}.csv"
        rows = {r["code"]: r for r in read_csv(path)}
        assert entry["code"] in rows
        assert rows[entry["code"]]["eng"] == entry["label"]["ENG"]
        assert rows[entry["code"]]["dan"] == entry["label"]["DAN"]


def test_eforms_fields() -> None:
    fields = eforms_fields(NOTICE)
    (lot,) = fields["lots"]
    assert lot["BT-06-Lot"] == "soc-obj" and lot["BT-775-Lot"] == "opp"
    assert lot["BT-777-Lot"] == {
        "DAN": "Leverandøren driver et jobtræningscenter.", "ENG": "The supplier runs a centre."
    }
    assert set(lot["BT-70-Lot"]) == {"DAN", "ENG"}
    assert fields["codeLists"] == {"strategic-procurement": "20220316-0", "social-objective": "20220316-0"}
