"""The compliance report as a contract manager reads it: page one, merged breaches, no identifiers above
the technical appendix, the same content in every format (read back from PDF and DOCX)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from helpers import write_rules
from pypdf import PdfReader

from procurekit import load_ruleset
from procurekit.cli import cli
from procurekit.ruleset.subjects import SUBJECTS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
ASSUMPTIONS = EXAMPLE / "assumptions.yaml"
APPENDIX = "Teknisk bilag"


def render(out: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["report", str(EXAMPLE), *args, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr


def pdf_pages(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


def docx_text(path: Path) -> str:
    """Paragraphs and tables in document order."""
    document = docx.Document(str(path))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            parts.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif child.tag.endswith("}tbl"):
            for row in child.iter():
                if row.tag.endswith("}tc"):
                    parts.append("".join(t.text or "" for t in row.iter() if t.tag.endswith("}t")))
    return " ".join(" ".join(parts).split())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report")
    out = {}
    for fmt in ("pdf", "docx", "md", "html"):
        out[fmt] = folder / f"rapport.{fmt}"
        render(out[fmt], "--as-of", "2019-10-31", "--format", fmt, "--assumptions", str(ASSUMPTIONS))
    return out


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """12 places instead of 15: the capacity breach runs for months and still goes on."""
    folder = tmp_path_factory.mktemp("twelve")
    rules = write_rules(folder / "twelve.yaml", """
        id: twelve
        title: {da: Tolv pladser, en: Twelve places}
        extends: ikast-brande
        version: 1.0.0
        parameters:
          training_places: {value: 12, source: test}
        """)
    out = {}
    for fmt in ("pdf", "docx"):
        out[fmt] = folder / f"r.{fmt}"
        render(out[fmt], "--rules", str(rules), "--as-of", "2018-10-15", "--format", fmt)
    return out


def test_page_one_answers_the_four_questions(example: dict[str, Path]) -> None:
    page = pdf_pages(example["pdf"])[0]
    assert "Kontrakten er ikke overholdt. 8 brud på den sociale klausul kræver handling." in page
    for heading in ("Kræver handling nu", "Kommende frister", "Sådan går det"):
        assert heading in page
    # a breach: what, who, since when, the contract point, and what to send
    assert re.search(r"Forløbets længde \(pkt\. 2\.2\)\. Forløbet skulle være slut senest 17\. maj 2018 .*? "
                     r"\(se F\d\) IB-012 Afsluttet: 18\. maj 2018 – 17\. juni 2018 \(31 dage\) "
                     r"Påtale og krav om redegørelse inden 10 dage, til 10\. november 2019", page), page
    assert "22 af de 32 deltagere, der har afsluttet forløbet, er kommet i ordinært job" in page


def test_an_ongoing_breach_is_one_row_since_its_first_month_and_comes_first(twelve: dict[str, Path]) -> None:
    for text in (pdf_pages(twelve["pdf"])[0], docx_text(twelve["docx"])):
        head = text.split("Kommende frister")[0]
        rows = re.findall(r"\(se F(\d+)\)", head)
        assert rows == [str(i) for i in range(1, len(rows) + 1)]
        assert head.count("Træningspladser i brug") == 1
        first = head.split("(se F2)")[0]
        assert "Træningspladser i brug" in first and "Igangværende: siden november 2016 (24 måneder, fortsat)" in first
        assert "Påkrav med 10 dages frist, til 25. oktober 2018 (pkt. 7.1); derefter bod 2.500 kr. pr. påbegyndt " \
               "uge (pkt. 7.2)." in first
        # then the ended breaches, oldest first
        order = [head.index(f"Afsluttet: {when}") for when in
                 ("fra 9. november 2016", "februar 2018", "18. maj 2018", "august 2018")]
        assert order == sorted(order)
        coming = text.split("Kommende frister")[1].split("Sådan går det")[0]
        assert "Jobgaranti – tilbud om fast job (pkt. 4.1) IB-017 14. november 2018 om 30 dage" in coming


def _above_appendix(text: str) -> str:
    assert APPENDIX in text
    return text.split(APPENDIX)[0]


def test_no_identifier_and_no_english_above_the_appendix(example: dict[str, Path]) -> None:
    rs = load_ruleset("ikast-brande")
    names = {n for fields in SUBJECTS.values() for n in fields} | set(rs.parameters)
    names |= {n for r in rs.rules for n in r.lets}
    texts = {"pdf": " ".join(pdf_pages(example["pdf"])), "docx": docx_text(example["docx"]),
             "md": example["md"].read_text(encoding="utf-8")}
    for fmt, text in texts.items():
        above = _above_appendix(text)
        for rule in rs.rules:
            assert rule.id not in above, (fmt, rule.id)
        for name in names:
            if "_" in name:
                assert name not in above, (fmt, name)
        assert "@" not in above, fmt
        assert not re.search(r"\b\d{4}-\d{2}\b", above), (fmt, re.search(r".{30}\b\d{4}-\d{2}\b.{10}", above))
        # (the sources quoted from the assumptions file are the user's own words, in whatever language)
        for english in ("Break-even", "assumptions.yaml", "motor durable", "durable"):
            assert english not in above, (fmt, english)
        # and the appendix holds them
        appendix = text.split(APPENDIX)[1]
        assert "cap.course-months" in appendix and rs.digest in appendix and "durable_rules" in appendix


def test_every_format_holds_the_same_content(example: dict[str, Path]) -> None:
    pdf = " ".join(pdf_pages(example["pdf"]))
    texts = [pdf, docx_text(example["docx"]), example["md"].read_text(encoding="utf-8")]
    html = example["html"].read_text(encoding="utf-8")
    for expected in ("Kræver handling nu", "Afsluttet: september 2018",
                     "Følsomhed", "Forudsætninger og kilder", "Pris pr. plads pr. måned", "måned 16",
                     "F8. IB-023 – Jobgaranti – almindelige vilkår", "Kontraktbilag pkt. 4.2:",
                     "Seneste slutdato for forløbet", "17. maj 2018"):
        for fmt, text in zip(("pdf", "docx", "md"), texts, strict=True):
            assert expected in " ".join(text.split()), (fmt, expected)
        assert expected in re.sub(r"<[^>]+>", "", html).replace("\n", " ") or expected in html, ("html", expected)


def test_html_links_each_breach_to_its_explanation(example: dict[str, Path]) -> None:
    html = example["html"].read_text(encoding="utf-8")
    links = re.findall(r'<a href="#(why-[^"]+)">', html)
    assert len(links) == 8 and len(set(links)) == 8
    for anchor in links:
        assert f'<h3 id="{anchor}">' in html


def test_markdown_writes_its_charts_beside_it(example: dict[str, Path]) -> None:
    md = example["md"].read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert images == ["rapport-places.png", "rapport-paid_share.png", "rapport-target_group.png",
                      "rapport-funnel.png", "rapport-business.png"]
    for name in images:
        assert (example["md"].parent / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_status_is_coloured_in_pdf_and_docx(example: dict[str, Path]) -> None:
    document = docx.Document(str(example["docx"]))
    coloured = [run.text for table in document.tables for row in table.rows for cell in row.cells
                for p in cell.paragraphs for run in p.runs if run.font.color and run.font.color.rgb is not None]
    assert any(text.startswith("Afsluttet") for text in coloured)
    first = PdfReader(io.BytesIO(example["pdf"].read_bytes())).pages[0].get_contents()
    assert first is not None and b"0.6431 0.149 0.1725 rg" in first.get_data()  # the violation colour


def test_english_report_has_its_own_words(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    render(out, "--as-of", "2019-10-31", "--format", "pdf", "--lang", "en")
    page = pdf_pages(out)[0]
    assert "The contract is not honoured." in page and "Action needed now" in page
    assert "Påtale" not in page and "Afsluttet" not in page


def test_a_clean_contract_says_it_is_honoured(tmp_path: Path) -> None:
    import datetime as dt

    from helpers import completed, make_dataset

    from procurekit.documents.report import report_model
    from procurekit.evaluation.check import check

    ds = make_dataset(tmp_path / "d", [completed("A", job_offer_on="2018-02-10", job_offer_terms="ordinary")])
    model = report_model(check(ds, as_of=dt.date(2018, 3, 1)))
    assert (model.status_css, model.status) == ("ok", "Kontrakten er overholdt.")
    assert model.actions == () and model.upcoming == ()
    due = report_model(check(ds, as_of=dt.date(2018, 2, 5)))
    assert due.status_css == "due" and [(d.who, d.deadline) for d in due.upcoming] == [("A", "2. marts 2018")]
