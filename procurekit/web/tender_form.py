"""The tender form's fields, their place in TENDER.yaml, and the form ↔ TENDER.yaml conversions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

CRITERIA = 5  # rows for award criteria in the form


@dataclass(frozen=True)
class Field:
    """One input: its form name, its location in TENDER.yaml, labels, input type and group."""

    name: str
    loc: str
    da: str
    en: str
    kind: str = "text"  # text | number | date | datetime-local | email | select | textarea
    group: str = "basis"


FIELDS: tuple[Field, ...] = (
    Field("ruleset", "ruleset", "Regelsæt", "Rule set", "select"),
    Field("id", "id", "Udbuddets id", "Tender id"),
    Field("title_da", "title.da", "Titel (dansk)", "Title (Danish)"),
    Field("title_en", "title.en", "Titel (engelsk)", "Title (English)"),
    Field("subject_da", "subject.da", "Genstand (dansk)", "Subject (Danish)", "textarea"),
    Field("subject_en", "subject.en", "Genstand (engelsk)", "Subject (English)", "textarea"),
    Field("procedure", "procedure", "Udbudsform", "Procedure", "select"),
    Field("cpv", "cpv", "CPV-kode", "CPV code"),
    Field("estimated_value_dkk", "estimated_value_dkk", "Anslået værdi (kr. ekskl. moms)",
          "Estimated value (DKK excl. VAT)", "number"),
    Field("authority_name", "authority.name", "Ordregiver", "Contracting authority", group="authority"),
    Field("authority_cvr", "authority.cvr", "CVR-nummer", "CVR number", group="authority"),
    Field("authority_address", "authority.address", "Adresse", "Address", group="authority"),
    Field("contact_name", "authority.contact.name", "Kontaktperson", "Contact person", group="authority"),
    Field("contact_email", "authority.contact.email", "E-mail", "Email", "email", group="authority"),
    Field("contact_phone", "authority.contact.phone", "Telefon", "Phone", group="authority"),
    Field("published", "published", "Offentliggøres", "Published", "date", "timetable"),
    Field("questions", "deadlines.questions", "Frist for spørgsmål", "Questions by", "date", "timetable"),
    Field("answers", "deadlines.answers", "Sidste svar", "Last answers", "date", "timetable"),
    Field("tender_deadline", "deadlines.tender", "Tilbudsfrist", "Tender deadline", "datetime-local", "timetable"),
    Field("award", "deadlines.award", "Forventet tildeling", "Expected award", "date", "timetable"),
    Field("signing", "deadlines.signing", "Forventet kontraktunderskrift", "Expected signing", "date", "timetable"),
    Field("contract_start", "contract.start", "Kontraktstart", "Contract start", "date", "timetable"),
    Field("contract_end", "contract.end", "Kontraktslut", "Contract end", "date", "timetable"),
    Field("extension_months", "contract.extension_months", "Option på forlængelse (måneder)",
          "Extension option (months)", "number", "timetable"),
    Field("validity_months", "validity_months", "Vedståelsesfrist (måneder)", "Tender validity (months)",
          "number", "timetable"),
    Field("submission_system", "submission.system", "Udbudssystem", "E-tendering system", group="timetable"),
    Field("submission_url", "submission.url", "Udbudssystemets adresse", "System address", group="timetable"),
    Field("max_points", "evaluation.max_points", "Højeste point", "Maximum points", "number", "award"),
    Field("price_zero_factor", "evaluation.price_zero_factor", "Pris der giver 0 point (gange laveste)",
          "Price scoring 0 points (times the lowest)", "number", "award"),
)
CRITERION_FIELDS = (("name_da", "name.da"), ("name_en", "name.en"), ("weight", "weight"), ("type", "type"),
                    ("desc_da", "description.da"), ("desc_en", "description.en"))
PROCEDURES = ("open", "restricted", "negotiated", "competitive-dialogue", "innovation-partnership")
DEFAULTS: dict[str, str] = {
    "ruleset": "ikast-brande", "procedure": "open", "validity_months": "3", "extension_months": "0",
    "max_points": "10", "price_zero_factor": "2", "submission_system": "EU-Supply", "cpv": "90911200-8",
    "c0_name_da": "Pris", "c0_name_en": "Price", "c0_weight": "40", "c0_type": "price",
    "c1_name_da": "Kvalitet", "c1_name_en": "Quality", "c1_weight": "30", "c1_type": "quality",
    "c1_desc_da": "Hvor godt tilbudsgivers organisering og kvalitetssikring sikrer en stabil ydelse.",
    "c1_desc_en": "How well the tenderer's organisation and quality assurance secure a stable service.",
    "c2_name_da": "Beskæftigelsesindsats og jobtræning", "c2_name_en": "Employment effort and job training",
    "c2_weight": "30", "c2_type": "quality",
    "c2_desc_da": "Tilbudsgivers koncept for jobtræning, progression mod ordinære timer og samarbejde med jobcentret.",
    "c2_desc_en": "The tenderer's concept for job training, progression to ordinary hours and cooperation "
                  "with the jobcentre.",
}
SCALE = [
    {"points": 10, "text": {"da": "Særdeles godt opfyldt", "en": "Excellent"}},
    {"points": 8, "text": {"da": "Godt opfyldt", "en": "Good"}},
    {"points": 5, "text": {"da": "Tilfredsstillende opfyldt", "en": "Satisfactory"}},
    {"points": 2, "text": {"da": "Mindre tilfredsstillende opfyldt", "en": "Less than satisfactory"}},
    {"points": 0, "text": {"da": "Ikke opfyldt eller ikke belyst", "en": "Not met or not described"}},
]
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def clean(value: str) -> str:
    """A form value with control characters (other than line breaks in text areas) removed, trimmed."""
    return "".join(c for c in value if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127)).strip()


def number(text: str) -> Any:
    """'48.000.000' or '2,5' → a number (Danish thousands dots and decimal comma accepted); else the text."""
    t = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    if _NUMBER.match(t):
        t = t.replace(",", ".")
        return float(t) if "." in t else int(t)
    return text


def _put(data: dict[str, Any], loc: str, value: Any) -> None:
    keys = loc.split(".")
    for k in keys[:-1]:
        data = data.setdefault(k, {})
    data[keys[-1]] = value


def tender_data(values: dict[str, str], confirm_names: list[str]) -> dict[str, Any]:
    """TENDER.yaml's content from the form's values (empty fields left out, so the check names them)."""
    data: dict[str, Any] = {}
    for f in FIELDS:
        v = values.get(f.name, "")
        if v == "":
            continue
        if f.kind == "number":
            _put(data, f.loc, number(v))
        elif f.kind == "datetime-local":
            _put(data, f.loc, v if len(v) > 16 else v + ":00")
        else:
            _put(data, f.loc, v)
    criteria = []
    for i in range(CRITERIA):
        row: dict[str, Any] = {}
        for key, loc in CRITERION_FIELDS:
            v = values.get(f"c{i}_{key}", "")
            if v:
                _put(row, loc, number(v) if key == "weight" else v)
        if any(k in row for k in ("name", "weight", "description")):
            criteria.append(row)
    data["award_criteria"] = criteria
    data.setdefault("evaluation", {})["scale"] = SCALE
    confirm = {}
    for name in confirm_names:
        value, source = values.get(f"confirm_{name}_value", ""), values.get(f"confirm_{name}_source", "")
        if value or source:
            parsed: Any = number(value)
            if isinstance(parsed, str) and _DATE.match(parsed):
                parsed = dt.date.fromisoformat(parsed)
            confirm[name] = {"value": parsed, "source": source}
    if confirm:
        data["confirm"] = confirm
    return data


def tender_yaml(data: dict[str, Any]) -> str:
    """TENDER.yaml as text (keys in the form's order)."""
    head = "# TENDER.yaml written by procurekit serve (Nyt udbud).\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def field_of(message: str, confirm_names: list[str]) -> str | None:
    """The form field an error message (`loc.path: what`) belongs to, or None for the page's top."""
    loc = message.split(":", 1)[0].strip()
    by_loc = {f.loc: f.name for f in FIELDS}
    m = re.match(r"award_criteria\.(\d+)\.?(.*)$", loc)
    if m:
        rest = m.group(2)
        for key, where in CRITERION_FIELDS:
            if rest.startswith(where) or (rest == "name" and key == "name_da"):
                return f"c{m.group(1)}_{key}"
        return "award_criteria"
    if loc == "award_criteria":
        return "award_criteria"
    m = re.match(r"confirm\.([A-Za-z0-9_]+)", loc)
    if m and m.group(1) in confirm_names:
        return f"confirm_{m.group(1)}_value"
    while loc:
        if loc in by_loc:
            return by_loc[loc]
        if loc == "authority.contact":
            return "contact_name"
        loc = loc.rsplit(".", 1)[0] if "." in loc else ""
    return None


_DANISH = [
    ("Field required", "Skal udfyldes."),
    ("String should match pattern '^\\d{8}$'", "Skal være 8 cifre."),
    ("String should match pattern '^\\d{8}-\\d$'", "En CPV-kode som 90911200-8."),
    ("Input should be a valid date", "Ikke en gyldig dato."),
    ("Input should be a valid number", "Ikke et tal."),
    ("Input should be a valid integer", "Skal være et helt tal."),
]


def in_danish(message: str) -> str:
    """The most common validation messages in Danish (the rest as the command line gives them)."""
    text = message.split(":", 1)[1].strip() if ":" in message else message
    for en, da in _DANISH:
        if text.startswith(en):
            return da
    return text
