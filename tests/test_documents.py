"""The documents issue: clause library, tender pack, compliance report, templates and the sandbox."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from helpers import write_rules
from pypdf import PdfReader

from procurekit import l10n, load_ruleset
from procurekit.cli import cli
from procurekit.documents.clauses import clause_errors, load_library
from procurekit.documents.tender import load_tender, tender_documents

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
TENDER = EXAMPLE / "tender.yaml"
CPR = re.compile(r"(?<!\d)[0-3]\d[01]\d\d\d-?\d{4}(?!\d)")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def text_of(name: str, data: bytes) -> str:
    if name.endswith(".docx"):
        return docx_text(data)
    if name.endswith(".pdf"):
        return " ".join(pdf_text(data).split())
    text = data.decode("utf-8")
    return re.sub(r"<svg.*?</svg>", "", text, flags=re.S)


#: The example's unconfirmed values, confirmed (at the rule set's own values) as an authority would.
CONFIRM = """
confirm:
  min_benefit_years: {value: 5, source: "Byrådsbeslutning (test)"}
  job_offer_deadline_days: {value: 30, source: "Byrådsbeslutning (test)"}
  min_target_group_share: {value: 0.1, source: "Byrådsbeslutning (test)"}
  reporting_interval_months: {value: 1, source: "Byrådsbeslutning (test)"}
  documentation_deadline_days: {value: 10, source: "Byrådsbeslutning (test)"}
  notice_deadline_days: {value: 5, source: "Byrådsbeslutning (test)"}
  remedy_deadline_days: {value: 10, source: "Byrådsbeslutning (test)"}
  penalty_per_week_dkk: {value: 2500, source: "Byrådsbeslutning (test)"}
"""


def confirmed_tender(folder: Path, text: str | None = None) -> Path:
    """A copy of the example tender whose unconfirmed values the authority has confirmed."""
    path = folder / "tender.yaml"
    path.write_text((text or TENDER.read_text(encoding="utf-8")) + CONFIRM, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    tender = load_tender(confirmed_tender(tmp_path_factory.mktemp("confirmed")))
    return {fmt: tender_documents(tender, fmt, "da") for fmt in ("docx", "pdf", "html", "md")}


# ---- formatting -------------------------------------------------------------------------------------

def test_danish_formatting() -> None:
    import datetime as dt

    assert l10n.date(dt.date(2016, 10, 1)) == "1. oktober 2016"
    assert l10n.date(dt.date(2016, 10, 1), "en") == "1 October 2016"
    assert l10n.money(12326) == "12.326 kr."
    assert l10n.quantity(18, "months") == "18 måneder"
    assert l10n.quantity(1, "months") == "1 måned"
    assert l10n.quantity(0.1, "share") == "10 %"
    assert l10n.quantity(4, "course month") == "forløbsmåned 4"


# ---- the tender pack --------------------------------------------------------------------------------

def test_tender_pack_has_the_three_documents_in_every_format(pack: dict[str, dict[str, bytes]]) -> None:
    for fmt, files in pack.items():
        assert sorted(files) == sorted(f"{d}.{fmt}" for d in ("udbudsbetingelser", "kravspecifikation",
                                                              "kontraktbilag"))


def test_numbers_and_danish_text_in_docx_and_pdf(pack: dict[str, dict[str, bytes]]) -> None:
    for fmt in ("docx", "pdf", "md", "html"):
        annex = text_of(f"x.{fmt}", pack[fmt][f"kontraktbilag.{fmt}"])
        conditions = text_of(f"x.{fmt}", pack[fmt][f"udbudsbetingelser.{fmt}"])
        for expected in ("18 måneder", "15 pladser", "mindst 5 år", "30 dage", "2.500 kr.",
                         "Målgruppe og visitation", "Træningspladser", "forløbsmåned 4"):
            assert expected in annex, (fmt, expected)
        assert "1. oktober 2016" in conditions, fmt
        assert "48.000.000 kr." in conditions, fmt


def test_docx_has_real_headings_numbered_paragraphs_and_tables(pack: dict[str, dict[str, bytes]]) -> None:
    document = docx.Document(io.BytesIO(pack["docx"]["kontraktbilag.docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "1. Målgruppe og visitation" in headings
    numbered = [p.text for p in document.paragraphs if re.match(r"^\d+\.\d+\t", p.text)]
    assert any(t.startswith("2.2\tEt forløb kan højst vare 18 måneder") for t in numbered)
    spec = docx.Document(io.BytesIO(pack["docx"]["kravspecifikation.docx"]))
    assert spec.tables, "the requirement specification has tables"
    assert spec.core_properties.language == "da-DK"


def test_pdf_embeds_its_font(pack: dict[str, dict[str, bytes]]) -> None:
    data = pack["pdf"]["kontraktbilag.pdf"]
    assert b"/FontFile2" in data and b"DejaVuSans" in data
    assert "Social klausul om beskæftigelse" in pdf_text(data)


def test_a_child_rule_set_changes_every_number_and_leaves_none_of_the_old(tmp_path: Path) -> None:
    write_rules(tmp_path / "rules" / "nabo.yaml", """
        id: nabo
        title: {da: Nabokommunen, en: The neighbour}
        extends: ikast-brande
        version: 1.0.0
        parameters:
          max_course_months: {value: 24, source: our contract}
          training_places: {value: 12, source: our contract}
          min_benefit_years: {value: 3, source: our contract}
          job_offer_deadline_days: {value: 45, source: our contract}
          penalty_per_week_dkk:
            source: our contract
            values:
              2016-01-01: 4000
              2016-06-01: {value: 9999, source: "a later change, after publication"}
        """)
    tender_text = TENDER.read_text(encoding="utf-8").replace("ruleset: ikast-brande",
                                                              f"ruleset: {tmp_path / 'rules' / 'nabo.yaml'}")
    (tmp_path / "tender.yaml").write_text(tender_text, encoding="utf-8")
    tender = load_tender(tmp_path / "tender.yaml")
    for fmt in ("docx", "pdf", "md"):
        text = "\n".join(text_of(n, d) for n, d in tender_documents(tender, fmt, "da").items())
        for new in ("24 måneder", "12 pladser", "mindst 3 år", "45 dage", "4.000 kr."):
            assert new in text, (fmt, new)
        for old in ("18 måneder", "15 pladser", "mindst 5 år", "30 dage", "2.500 kr.", "9.999 kr."):
            assert old not in text, (fmt, old)


def test_no_rule_set_number_is_typed_into_a_template_or_clause() -> None:
    rs = load_ruleset("ikast-brande")
    day = rs.parameters["max_course_months"].values[0][0]
    sources = [*(ROOT / "templates").glob("*.j2"), *(ROOT / "clauses").glob("*.yaml")]
    for param in rs.parameters.values():
        for lang in ("da", "en"):
            shown = l10n.quantity(param.at(day), param.unit, lang)
            if not re.search(r"\d", shown):
                continue
            for path in sources:
                assert shown not in path.read_text(encoding="utf-8"), f"{path.name} types '{shown}'"


def test_tender_cli_writes_every_format_and_ocds_validates(tmp_path: Path) -> None:
    for fmt in ("docx", "md", "ocds", "eforms"):
        code, _, err = invoke("tender", str(TENDER), "--format", fmt, "-o", str(tmp_path))
        assert code == 0, err
    release = json.loads((tmp_path / "ocds-release.json").read_text(encoding="utf-8"))
    lot = release["tender"]["lots"][0]
    assert lot["sustainability"][0]["goal"] == "social.disadvantagedEmploymentOpportunities"
    assert "18 måneder" in lot["contractTerms"]["performanceTerms"]
    eforms = json.loads((tmp_path / "eforms.json").read_text(encoding="utf-8"))["lots"][0]
    assert eforms["BT-06-Lot"] == "soc-obj" and eforms["BT-775-Lot"] == "opp"
    assert "18 months" in eforms["BT-777-Lot"]["ENG"] and "18 måneder" in eforms["BT-777-Lot"]["DAN"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    weight: 40\n", "    weight: 45\n", "award_criteria: Value error, weights add up to 105, not 100"),
        ("cpv: 90911200-8", "cpv: 9091-1", "cpv: String should match pattern"),
        ("ruleset: ikast-brande", "ruleset: no-such-rules", "no-such-rules"),
        ("procedure: open", "procedure: auction", "procedure: Input should be"),
    ],
)
def test_bad_tender_file_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = TENDER.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "tender.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = invoke("tender", str(bad), "-o", str(tmp_path / "out"))
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert "tender.yaml" in err
    assert not (tmp_path / "out").exists()


# ---- clauses ----------------------------------------------------------------------------------------

def test_clause_naming_a_parameter_or_rule_the_rule_set_lacks_is_an_error(tmp_path: Path) -> None:
    clauses = tmp_path / "clauses"
    clauses.mkdir()
    (clauses / "extra.yaml").write_text(
        "id: reporting\norder: 5\ngeneral: true\n"
        "title: {da: Indberetning, en: Reporting}\n"
        "legal_basis: {da: § 176, en: § 176}\n"
        "requirement: {da: 'Hver {{ p.report_weeks }}', en: 'Every {{ p.report_weeks }}'}\n"
        "documentation: {da: Data, en: Data}\n"
        "text:\n"
        "  - da: 'Se {{ rule(\"report.weekly\") }} og {{ cycler }}'\n"
        "    en: 'See {{ rule(\"report.weekly\") }}'\n",
        encoding="utf-8",
    )
    errors = [str(e) for e in clause_errors(load_ruleset("ikast-brande"), load_library(clauses))]
    assert any("extra.yaml:6:" in e and "parameter 'report_weeks'" in e for e in errors), errors
    assert any("extra.yaml:9:" in e and "rule 'report.weekly'" in e for e in errors), errors
    assert any("uses 'cycler'" in e for e in errors), errors


def test_rules_validate_reports_a_rule_naming_an_unknown_clause(tmp_path: Path) -> None:
    path = write_rules(tmp_path / "x.yaml", """
        id: x
        title: {da: X, en: X}
        extends: ikast-brande
        version: 1.0.0
        rules:
          - id: extra.rule
            subject: participant
            title: {da: Ekstra, en: Extra}
            condition: years_on_benefits >= 1
            severity: violation
            message:
              violation: {da: "For få år", en: "Too few years"}
            clause: no-such-clause
            reference: none
        """)
    code, _, err = invoke("rules", "validate", str(path))
    assert code == 2
    assert "names clause 'no-such-clause'" in err


def test_paragraphs_follow_the_rules_a_rule_set_keeps(tmp_path: Path) -> None:
    write_rules(tmp_path / "lean.yaml", """
        id: lean
        title: {da: Uden andel, en: Without share}
        extends: ikast-brande
        version: 1.0.0
        drop: [clause.target-group-share]
        """)
    text = TENDER.read_text(encoding="utf-8").replace("ruleset: ikast-brande", f"ruleset: {tmp_path / 'lean.yaml'}")
    md = tender_documents(load_tender(confirmed_tender(tmp_path, text)), "md", "da")["kontraktbilag.md"].decode()
    assert "årsværk, der anvendes" not in md
    assert "mindst 5 år" in md


# ---- the compliance report --------------------------------------------------------------------------

def test_report_in_every_format(tmp_path: Path) -> None:
    for fmt in ("html", "md", "docx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        code, _, err = invoke("report", str(EXAMPLE), "--as-of", "2019-10-31", "--format", fmt, "-o", str(out))
        assert code == 1, err  # the example has planted violations
        text = text_of(out.name, out.read_bytes())
        for expected in ("Kræver handling nu", "Kommende frister", "Sådan går det", "Teknisk bilag", "IB-007",
                         "IB-012", "Målgruppe – år på kontanthjælp", "Udbudsloven § 176"):
            assert expected in text, (fmt, expected)
        assert not CPR.search(text), fmt
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and 'data-chart="places"' in html and 'data-chart="target_group"' in html
    pictures = docx.Document(str(tmp_path / "report.docx")).inline_shapes
    assert len(pictures) == 4


def test_report_key_figures_count_from_the_data(tmp_path: Path) -> None:
    from helpers import completed, make_dataset, participant

    from procurekit.documents.report import report_model
    from procurekit.evaluation.check import check

    ds = make_dataset(tmp_path / "d", [
        completed("A", job_offer_on="2018-02-10", job_offer_terms="ordinary"),
        completed("B", left_on="2018-01-31", job_offer_on="2018-02-10", job_offer_terms="subsidised"),
        participant("C", left_on="2017-06-30", exit_reason="dropped_out"),
        participant("D"),
    ])
    import datetime as dt

    model = report_model(check(ds, as_of=dt.date(2018, 3, 1)))
    f = model.figures
    assert (f.participants, f.active, f.left, f.completed, f.dropped_out, f.ordinary_jobs) == (4, 1, 3, 2, 1, 1)
    assert f.share_into_jobs == pytest.approx(1 / 3)
    assert [(a.who, a.what, a.point) for a in model.actions] == [("B", "Jobgaranti – almindelige vilkår", "4.2")]


# ---- user templates render in the sandbox -----------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ pack.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].system('echo pwned') }}",
    "{{ '{0.__class__.__base__}'.format(pack) }}",
    "{{ pack.tender.__dict__ }}",
    "{% set x = pack.clauses.append(1) %}",
    "{{ pack.p._views }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_known_template_escapes_are_refused(tmp_path: Path, payload: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "kontraktbilag.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block title %}x{% endblock %}{% block body %}' + payload + "{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, stdout, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(templates), "-o", str(out))
    assert code == 2, (payload, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "kontraktbilag.html.j2" in err
    assert "pwned" not in stdout
    assert not out.exists()


def test_a_user_template_may_change_a_document(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    path = templates / "kontraktbilag.html.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("{% block body %}",
                    "{% block body %}<p>Vores egen indledning: {{ p.max_course_months }}.</p>"), encoding="utf-8")
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(templates),
                          "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "Vores egen indledning: 18 måneder." in (tmp_path / "out" / "kontraktbilag.md").read_text()


def test_another_sector_gets_its_own_clause_wording() -> None:
    """The turnover-band model (laundry) gets its bands and target group, and nothing of the training centre."""
    tender = load_tender(ROOT / "examples" / "gladsaxe-vask" / "tender.yaml")
    docs = tender_documents(tender, "md", "da")
    text = "\n".join(d.decode("utf-8") for d in docs.values())
    for expected in ("højst 1.000.000 kr.", "mindst 0,5 årsværk", "mindst 1 årsværk", "mindst 3 år",
                     "senest [udfyldes af ordregiver: frist for årsindberetningen (omsætning og tilknyttede "
                     "borgere)] efter årets udløb",
                     "98310000-9"):
        assert expected in text, expected
    for absent in ("pladser", "virksomhedspraktik", "praktiktimer", "rengøring", "18 måneder", "jobgaranti"):
        assert absent not in text.lower(), absent


def test_a_tender_pack_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "udbudsbetingelser.md").write_text("the old version", encoding="utf-8")
    (out / "kontraktbilag.md").mkdir()  # the last file cannot be written
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "-o", str(out))
    assert code == 2 and "kontraktbilag.md: not a regular file (a folder); refusing to replace it" in err
    assert len(err.strip().splitlines()) == 1
    assert (out / "udbudsbetingelser.md").read_text(encoding="utf-8") == "the old version"
    assert sorted(p.name for p in out.iterdir()) == ["kontraktbilag.md", "udbudsbetingelser.md"]


def test_an_unwritable_output_is_exit_2_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = invoke("report", str(EXAMPLE), "--format", "md", "-o", str(blocker / "report.md"))
    assert code == 2 and "cannot write" in err and "internal error" not in err


def test_report_with_assumptions_has_the_business_case(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _, err = invoke("report", str(EXAMPLE), "--assumptions", str(EXAMPLE / "assumptions.yaml"),
                          "--format", "html", "-o", str(out))
    assert code == 1, err
    html = out.read_text(encoding="utf-8")
    assert "<h2>Økonomi</h2>" in html and 'data-chart="business"' in html and html.count("<svg") == 5
    assert re.search(r"indhenter besparelserne udgifterne i måned \d+ \(\w+ \d{4}\)", html)
    docx_doc = tmp_path / "report.docx"
    invoke("report", str(EXAMPLE), "--assumptions", str(EXAMPLE / "assumptions.yaml"), "--format", "docx",
           "-o", str(docx_doc))
    assert len(docx.Document(str(docx_doc)).inline_shapes) == 5
