"""Nyt udbud over HTTP: the form validated as TENDER.yaml is, errors beside the field, the pack to download."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from web_helpers import GOOD_TENDER as GOOD
from web_helpers import client, post

from procurekit import load_tender


def _error_beside(text: str, field: str) -> str:
    """The error shown right under a field's input."""
    found = re.search(rf'id="f-{field}".*?<p class="field-error" id="e-{field}">(.*?)</p>', text, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


def test_a_good_form_previews_the_clause_text_with_fill_in_fields_marked(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "action": "check"})
    assert r.status_code == 200, r.text[-1500:]
    assert "Udbuddet er i orden." in r.text
    assert "Klausulteksten (kontraktbilaget)" in r.text
    assert "<mark>[udfyldes af ordregiver:" in r.text


def test_an_error_is_shown_beside_its_field_and_the_values_kept(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "authority_cvr": "1234", "action": "check"})
    assert r.status_code == 422
    assert _error_beside(r.text, "authority_cvr") == "Skal være 8 cifre."
    assert 'value="Ikast-Brande Kommune"' in r.text and 'value="1234"' in r.text


def test_the_timetable_rules_of_tender_yaml_apply(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "answers": "2016-05-25", "action": "check"})
    assert r.status_code == 422
    assert "answers must be given at least 6 full days before it" in _error_beside(r.text, "answers")


def test_weights_not_adding_up_are_shown_at_the_criteria(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "c2_weight": "20", "action": "check"})
    assert r.status_code == 422
    assert re.search(r'id="e-award_criteria">[^<]*weights add up to 90, not 100', r.text)


def test_a_missing_field_and_a_control_character(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "contact_email": "", "title_da": "Ren\x00gøring\x1b", "action": "check"})
    assert r.status_code == 422
    assert _error_beside(r.text, "contact_email") == "Skal udfyldes."
    assert 'value="Rengøring"' in r.text  # control characters dropped, the rest kept


def test_a_confirmed_value_is_used_and_its_type_checked(db: Path) -> None:
    c = client(db)
    ok = post(c, "/udbud", {**GOOD, "confirm_penalty_per_week_dkk_value": "2.500",
                            "confirm_penalty_per_week_dkk_source": "Byrådet 12.3.2016", "action": "check"})
    assert ok.status_code == 200 and "2.500 kr." in ok.text
    bad = post(c, "/udbud", {**GOOD, "confirm_penalty_per_week_dkk_value": "mange",
                             "confirm_penalty_per_week_dkk_source": "Byrådet", "action": "check"})
    assert bad.status_code == 422 and "must be a number" in bad.text


def test_the_pack_downloads_as_a_zip_of_docx_and_pdf(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "action": "zip"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert {"udbudsbetingelser.docx", "kontraktbilag.pdf", "internt/intern-notat.docx"} <= set(names)


@pytest.mark.parametrize("action, key", [("ocds", "tender"), ("eforms", "lots")])
def test_notice_data_downloads(db: Path, action: str, key: str) -> None:
    r = post(client(db), "/udbud", {**GOOD, "action": action})
    assert r.status_code == 200
    assert key in json.dumps(r.json())


def test_the_form_saves_as_a_tender_yaml_that_loads(db: Path, tmp_path: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "action": "yaml"})
    assert r.status_code == 200 and 'filename="IB-2016-RENGOERING.yaml"' in r.headers["content-disposition"]
    path = tmp_path / "tender.yaml"
    path.write_bytes(r.content)
    loaded = load_tender(path)
    assert loaded.spec.estimated_value_dkk == 48_000_000 and loaded.spec.authority.cvr == "12345678"


def test_an_unknown_rule_set_or_action_falls_back_safely(db: Path) -> None:
    r = post(client(db), "/udbud", {**GOOD, "ruleset": "../../etc/passwd", "action": "rm -rf"})
    assert r.status_code == 200 and "Udbuddet er i orden." in r.text
