"""The tender pack a municipality can publish: structure, no internal matter, fill-in fields, dated law.

The documents are read back (python-docx, the DOCX XML, pypdf) and their structure asserted: sections,
table of contents, footer fields; every bidder-facing file of both examples is searched for internal
matter; unconfirmed values are fill-in fields and `--final` refuses them; the law cited is the law in
force on the publication date.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_documents import CONFIRM, confirmed_tender, docx_text, pdf_text

from procurekit import load_ruleset
from procurekit.cli import cli
from procurekit.documents.clauses import load_library, point_of
from procurekit.documents.docx import column_widths
from procurekit.documents.law import load_law
from procurekit.documents.tender import build_pack, load_tender
from procurekit.errors import RuleSetErrors

ROOT = Path(__file__).resolve().parents[1]
IKAST = ROOT / "examples" / "ikast-brande" / "tender.yaml"
GLADSAXE = ROOT / "examples" / "gladsaxe-vask" / "tender.yaml"
SECTIONS = ("Ordregiver og kontaktperson", "Udbuddets genstand og omfang", "Udbudsform og tidsplan",
            "Udbudsmaterialet", "Spørgsmål og kommunikation", "Krav til tilbuddet", "Udelukkelse og egnethed",
            "Tildelingskriterium og evalueringsmodel", "Social klausul og særlige kontraktvilkår",
            "Tildeling, standstill og klage", "Fortrolighed og aktindsigt")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def text_of(name: str, data: bytes) -> str:
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        return docx_text(data) + "\n" + xml
    if name.endswith(".pdf"):
        reader = PdfReader(io.BytesIO(data))
        return pdf_text(data) + "\n" + str(reader.metadata)
    return data.decode("utf-8")


@pytest.fixture(scope="module")
def packs() -> dict[tuple[str, str, str], dict[str, bytes]]:
    """(example, format, language) → every file the tender command writes (bidder-facing and internal)."""
    out = {}
    for name, path in (("ikast", IKAST), ("gladsaxe", GLADSAXE)):
        tender = load_tender(path)
        for fmt in ("docx", "pdf", "html", "md"):
            for lang in ("da", "en") if fmt in ("docx", "md") else ("da",):
                pack = build_pack(tender, fmt, lang)
                out[(name, fmt, lang)] = {**pack.files, **pack.internal}
    return out


# ---- structure ----------------------------------------------------------------------------------------

def test_docx_has_title_toc_field_sections_and_page_footer(packs: dict) -> None:
    data = packs[("ikast", "docx", "da")]["udbudsbetingelser.docx"]
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{i}. {title}" for i, title in enumerate(SECTIONS, start=1)]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
        footers = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
        settings = z.read("word/settings.xml").decode("utf-8")
    assert re.search(r"<w:instrText[^>]*> TOC \\o", body), "a real TOC field"
    assert 'w:instr="PAGE"' in footers and 'w:instr="NUMPAGES"' in footers
    assert "Side " in footers and " af " in footers
    assert "w:updateFields" in settings
    assert "<w:tblHeader" in body and "<w:cantSplit" in body and 'w:type="fixed"' in body
    props = document.core_properties
    assert props.author == "Ikast-Brande Kommune" and props.last_modified_by == "Ikast-Brande Kommune"
    assert props.language == "da-DK" and props.title.startswith("Udbudsbetingelser")


def test_docx_columns_never_break_a_word() -> None:
    rows = [["Bilag 3, pkt.", "Vilkår", "Kort fortalt"], ["1", "Overtrædelse", "x " * 200],
            ["Vægt", "40 %", "Beskæftigelsesindsats"]]
    widths = column_widths(rows, header_rows=1)
    assert abs(sum(widths) - 16.6) < 1e-6
    assert widths[1] >= len("Overtrædelse") * 0.24 and widths[0] >= len("Vægt") * 0.24


def test_pdf_has_the_same_sections_contents_and_footer(packs: dict) -> None:
    data = packs[("ikast", "pdf", "da")]["udbudsbetingelser.pdf"]
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    assert "Indholdsfortegnelse" in text
    for i, title in enumerate(SECTIONS, start=1):
        assert f"{i}. {title}" in text, title
    pages = len(reader.pages)
    assert f"Side 2 af {pages}" in text and f"Side {pages} af {pages}" in text
    assert [o.title for o in reader.outline] == [f"{i}. {t}" for i, t in enumerate(SECTIONS, start=1)]
    assert reader.metadata.author == "Ikast-Brande Kommune"


def test_html_has_the_same_sections_and_a_print_footer(packs: dict) -> None:
    html = packs[("ikast", "html", "da")]["udbudsbetingelser.html"].decode("utf-8")
    for i, title in enumerate(SECTIONS, start=1):
        assert f"<h2>{i}. {title}</h2>" in html
    assert 'class="toc"' in html and "counter(pages)" in html


def test_every_section_cites_the_law_in_force(packs: dict) -> None:
    md = packs[("ikast", "md", "da")]["udbudsbetingelser.md"].decode("utf-8")
    chunks = re.split(r"\n## \d+\. ", md)[1:]  # after the title page
    assert len(chunks) == len(SECTIONS)
    for chunk in chunks:
        assert "*Hjemmel:" in chunk and "lov nr. 1564 af 15. december 2015" in chunk, chunk[:60]


def test_kontraktbilag_has_annex_number_points_and_signatures(packs: dict) -> None:
    document = docx.Document(io.BytesIO(packs[("ikast", "docx", "da")]["kontraktbilag.docx"]))
    text = docx_text(packs[("ikast", "docx", "da")]["kontraktbilag.docx"])
    assert "Kontraktbilag 2" in text and "bilag til kontrakten" in text
    assert "Underskrift:" in text and "For leverandøren" in text
    numbered = [p.text for p in document.paragraphs if re.match(r"^\d+\.\d+\t", p.text)]
    rs = load_ruleset("ikast-brande")
    point = point_of(rs, "training-places", 1, load_library())
    assert point == "pkt. 2.2"
    assert any(t.startswith("2.2\tEt forløb kan højst vare 18 måneder") for t in numbered)
    assert point_of(rs, "target-group", 3) == "pkt. 1.4" and point_of(rs, "no-such-clause") is None


# ---- no internal matter -----------------------------------------------------------------------------

def _internal_patterns() -> list[str]:
    patterns = [r"procurekit", r"python-docx", r"\.csv\b", r"\.yaml\b", r"DOMAIN", r"NOT CONFIRMED",
                r"Seed fact", r"assumption", r"placeholder", r"Sikkerhed", r"\bConfidence\b"]
    for ref in ("ikast-brande", "gladsaxe-vask"):
        rs = load_ruleset(ref)
        patterns += [re.escape(rs.digest[:12]), re.escape(f"{rs.id} {rs.version}")]
        patterns += [rf"\b{re.escape(r.id)}\b" for r in rs.rules]
        patterns += [rf"\b{re.escape(name)}\b" for name in rs.parameters]
    return patterns


def test_no_internal_matter_in_any_bidder_facing_file(packs: dict) -> None:
    patterns = _internal_patterns()
    checked = 0
    for key, files in packs.items():
        for name, data in files.items():
            text = text_of(name, data)
            found = [p for p in patterns if re.search(p, text)]
            if name.startswith("intern-notat"):
                assert found, f"{key} {name}: the internal note shows the sources"
                assert "INTERN" in text
                continue
            assert not found, f"{key} {name}: {found}"
            checked += 1
    assert checked == 2 * 6 * 3


# ---- fill-in fields and --final ---------------------------------------------------------------------

def test_unconfirmed_values_are_fill_in_fields_listed_on_stderr(tmp_path: Path) -> None:
    code, out, err = invoke("tender", str(IKAST), "--format", "md", "-o", str(tmp_path / "out"))
    assert code == 0 and out == ""
    annex = (tmp_path / "out" / "kontraktbilag.md").read_text(encoding="utf-8")
    assert "bod på [udfyldes af ordregiver: bod pr. påbegyndt uge] pr. påbegyndt uge" in annex
    assert "2.500 kr." not in annex and "30 dage" not in annex
    for name in ("penalty_per_week_dkk", "job_offer_deadline_days", "min_target_group_share",
                 "notice_deadline_days", "documentation_deadline_days", "remedy_deadline_days"):
        assert f"fill-in: {name} – [" in err, name
    assert "Ved »dage« forstås kalenderdage" in annex


def test_final_refuses_while_a_value_is_unconfirmed_and_names_each(tmp_path: Path) -> None:
    code, out, err = invoke("tender", str(IKAST), "--final", "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "--final: 8 value(s) are not confirmed" in err
    assert "penalty_per_week_dkk (bod pr. påbegyndt uge)" in err
    assert not (tmp_path / "out").exists()


def test_confirmed_values_are_binding_and_final_writes(tmp_path: Path) -> None:
    text = IKAST.read_text(encoding="utf-8")
    path = confirmed_tender(tmp_path, text.replace("value: 2500", "value: 4000"))
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 2500,", "{value: 4000,"), encoding="utf-8")
    code, _, err = invoke("tender", str(path), "--final", "--format", "md", "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "fill-in" not in err
    bidder = "".join((tmp_path / "out" / f"{n}.md").read_text(encoding="utf-8")
                     for n in ("udbudsbetingelser", "kravspecifikation", "kontraktbilag"))
    assert "[udfyldes" not in bidder and "4.000 kr. pr. påbegyndt uge" in bidder
    note = (tmp_path / "out" / "intern-notat.md").read_text(encoding="utf-8")
    assert "confirmed: Byrådsbeslutning (test)" in note


@pytest.mark.parametrize(("confirm", "message"), [
    ("  penalty_per_week_dkk: {value: mange, source: Byrådet}\n",
     "confirm.penalty_per_week_dkk.value: must be a number, not 'mange'"),
    ("  no_such_value: {value: 3, source: Byrådet}\n", "confirm.no_such_value: rule set 'ikast-brande' has no"),
    ("  penalty_per_week_dkk: {value: 2500}\n", "confirm.penalty_per_week_dkk.source: Field required"),
])
def test_a_bad_confirmation_is_one_line_with_its_line(tmp_path: Path, confirm: str, message: str) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(IKAST.read_text(encoding="utf-8") + "confirm:\n" + confirm, encoding="utf-8")
    code, _, err = invoke("tender", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and message in err and re.search(r"tender\.yaml:\d+: ", err), err
    assert not (tmp_path / "out").exists()


# ---- dated law --------------------------------------------------------------------------------------

def _bidder_text(packs: dict, example: str) -> str:
    files = packs[(example, "md", "da")]
    return "\n".join(d.decode("utf-8") for n, d in files.items() if not n.startswith("intern"))


def test_a_2016_tender_cites_only_law_in_force_in_2016(packs: dict) -> None:
    text = _bidder_text(packs, "ikast")
    assert "§ 176, stk. 2" not in text and "Personer under uddannelse" not in text
    assert "1297" not in text and "lovbekendtgørelse nr. 10" not in text and "lov nr. 548" not in text
    assert "udbudsloven § 176 (lov nr. 1564 af 15. december 2015 med senere ændringer)" in text


def test_a_2023_tender_over_the_thresholds_has_the_trainee_clause(packs: dict) -> None:
    text = _bidder_text(packs, "gladsaxe")
    annex = packs[("gladsaxe", "md", "da")]["kontraktbilag.md"].decode("utf-8")
    assert "udbudsloven § 176, stk. 2 (lovbekendtgørelse nr. 10 af 6. januar 2023)" in text
    assert re.search(r"^## \d+\. Personer under uddannelse$", annex, re.M)
    assert "[udfyldes af ordregiver: antal personer under uddannelse" in annex
    assert "lov nr. 1564" not in text


def test_a_2023_tender_under_the_threshold_has_no_trainee_clause(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(GLADSAXE.read_text(encoding="utf-8").replace("estimated_value_dkk: 6000000",
                                                                 "estimated_value_dkk: 4000000")
                    .replace("ruleset: gladsaxe-vask", "ruleset: gladsaxe-vask"), encoding="utf-8")
    files = build_pack(load_tender(path), "md", "da").files
    assert "Personer under uddannelse" not in files["kontraktbilag.md"].decode("utf-8")
    assert "opfylder ikke begge betingelser" in files["udbudsbetingelser.md"].decode("utf-8")


def test_references_resolve_against_the_day() -> None:
    law = load_law()
    assert law.cite("udbl-176-2", dt.date(2022, 6, 30), "da") is None
    assert "lov nr. 1564" in (law.cite("udbl-176-2", dt.date(2022, 7, 1), "da") or "")
    assert "1297" in (law.cite("ratio", dt.date(2018, 6, 1), "da") or "")
    assert "1297" not in (law.cite("ratio", dt.date(2016, 4, 15), "da") or "")
    assert "lovbekendtgørelse nr. 10 af 6. januar 2023" in (law.cite("udbl", dt.date(2024, 1, 1), "da") or "")


# ---- the timetable against the law ------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    ("  answers: 2016-05-18\n", "  answers: 2016-05-22\n",
     "deadlines.answers: 2016-05-22 leaves 4 full days before the tender deadline 2016-05-27; answers must be "
     "given at least 6 full days before it (§§ 93 and 134 of the Procurement Act)"),
    ("  tender: 2016-05-27T12:00:00\n", "  tender: 2016-05-10T12:00:00\n",
     "deadlines.tender: 2016-05-10 is 25 days after published 2016-04-15; an open procedure needs at least 30 "
     "days (35 days less 5 for electronic tenders; § 57 of the Procurement Act)"),
    ("  questions: 2016-05-13\n", "  questions: 2016-05-19\n",
     "deadlines.questions: 2016-05-19 must lie between published 2016-04-15 and deadlines.answers 2016-05-18"),
    ("validity_months: 3\n", "", "validity_months: Field required"),
])
def test_timetable_against_the_law_is_a_line_error(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = IKAST.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tender.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleSetErrors) as info:
        load_tender(path)
    assert message in str(info.value)
    assert re.search(r"tender\.yaml:\d+: ", str(info.value))


def test_a_prior_information_notice_shortens_the_period(tmp_path: Path) -> None:
    text = IKAST.read_text(encoding="utf-8").replace("  tender: 2016-05-27T12:00:00\n",
                                                     "  tender: 2016-05-06T12:00:00\n")
    text = text.replace("  questions: 2016-05-13\n  answers: 2016-05-18\n",
                        "  questions: 2016-04-25\n  answers: 2016-04-28\n")
    path = tmp_path / "tender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetErrors, match="needs at least 30 days"):
        load_tender(path)
    path.write_text(text.replace("deadlines:                          # (illustrative)\n",
                                 "deadlines:\n  prior_information_notice: 2016-02-01\n"), encoding="utf-8")
    assert load_tender(path).spec.deadlines.prior_information_notice == dt.date(2016, 2, 1)


def test_the_confirm_block_of_the_tests_covers_every_unconfirmed_value() -> None:
    pack = build_pack(load_tender(IKAST), "md", "da")
    assert {f.name for f in pack.fill_ins} == set(re.findall(r"^  (\w+):", CONFIRM, re.M))


def test_a_clause_citing_an_unknown_law_reference_is_a_line_error(tmp_path: Path) -> None:
    from procurekit.documents.clauses import clause_errors

    (tmp_path / "extra.yaml").write_text(
        "id: reporting\norder: 5\ngeneral: true\n"
        "title: {da: Indberetning, en: Reporting}\n"
        "legal_basis: {da: \"{{ law('udbl-999') }}\", en: \"{{ law('udbl-176') }}\"}\n"
        "requirement: {da: Data, en: Data}\n"
        "documentation: {da: Data, en: Data}\n"
        "text:\n  - {da: Tekst, en: Text}\n",
        encoding="utf-8",
    )
    errors = clause_errors(load_ruleset("ikast-brande"), load_library(tmp_path))
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'extra.yaml'}:5: clause 'reporting' cites law(\"udbl-999\"), which rules/law/dk.yaml lacks"
    ]


def test_annex_numbers_agree_across_the_pack(packs: dict) -> None:
    files = {n: d.decode("utf-8") for n, d in packs[("ikast", "md", "da")].items()}
    conditions = files["udbudsbetingelser.md"]
    assert "| Bilag 2 | Kravspecifikation" in conditions and "| Bilag 3 | Kontraktbilag 2" in conditions
    assert "| Bilag 4 | Tilbudsliste" in conditions and "ESPD (Bilag 5)" in conditions
    assert "Bilag 2 til udbudsbetingelserne" in files["kravspecifikation.md"]
    assert "Kontraktbilag 2" in files["kontraktbilag.md"] and "udbudsmaterialets Bilag 3" in files["kontraktbilag.md"]
    assert "Bilag 3, pkt. 2" in files["kravspecifikation.md"]


@pytest.mark.parametrize("fmt", ["ocds", "eforms"])
def test_final_applies_to_notice_data_too(tmp_path: Path, fmt: str) -> None:
    code, _, err = invoke("tender", str(IKAST), "--format", fmt, "--final", "-o", str(tmp_path / "out"))
    assert code == 2 and "penalty_per_week_dkk (bod pr. påbegyndt uge)" in err
    assert not (tmp_path / "out").exists()
    code, _, err = invoke("tender", str(confirmed_tender(tmp_path)), "--format", fmt, "--final",
                          "-o", str(tmp_path / "out"))
    assert code == 0, err


def test_english_documents_have_english_fill_in_fields(packs: dict) -> None:
    files = packs[("ikast", "md", "en")]
    text = "\n".join(d.decode("utf-8") for n, d in files.items() if not n.startswith("intern"))
    assert "[to be completed by the authority: penalty per week begun]" in text
    assert "[udfyldes" not in text and "udfyldes af ordregiver" not in text


def test_a_broken_law_file_is_a_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import procurekit.documents.law as law_module

    (tmp_path / "rules" / "law").mkdir(parents=True)
    text = (ROOT / "rules" / "law" / "dk.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules" / "law" / "dk.yaml").write_text(
        text.replace("- {ref: udbl-93, act: udbl-2015,", "- {ref: udbl-93, act: udbl-1999,", 1), encoding="utf-8")
    monkeypatch.setattr(law_module, "data_dir", lambda name: tmp_path / name)
    law_module.load_law.cache_clear()
    try:
        with pytest.raises(RuleSetErrors, match=r"dk\.yaml:\d+: references\.\d+\.act: 'udbl-1999' is not an act"):
            law_module.load_law()
    finally:
        law_module.load_law.cache_clear()
