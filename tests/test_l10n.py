"""procurekit.l10n: one way to write every number, share, amount, date, month, unit and code."""

from __future__ import annotations

import datetime as dt
import html
import json
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from procurekit import l10n


@pytest.mark.parametrize(("value", "da", "en"), [
    (Decimal("4.999"), "4,999", "4.999"),
    (160.3334, "160,3334", "160.3334"),
    (12326, "12.326", "12,326"),
    (Decimal("5.000"), "5", "5"),
    (5.0, "5", "5"),
    (4.5, "4,5", "4.5"),
    (Decimal("0.0999"), "0,0999", "0.0999"),
    (-1234.5, "-1.234,5", "-1,234.5"),
    (37 * 52 / 12, "160,3333", "160.3333"),  # a quotient: computed, shown to 4 decimals
    (0.1 + 0.2, "0,3", "0.3"),  # a float artefact is not shown
    (None, "–", "none"),
    (float("nan"), "–", "–"),
])
def test_number_keeps_the_precision_the_value_has(value: object, da: str, en: str) -> None:
    assert l10n.number(value, "da") == da
    assert l10n.number(value, "en") == en


@pytest.mark.parametrize(("value", "da", "en"), [
    (0.0999, "9,99 %", "9.99%"),
    (Decimal("0.0999"), "9,99 %", "9.99%"),
    (0.1, "10 %", "10%"),
    (Decimal("0.10"), "10 %", "10%"),
    (Decimal("0.12345"), "12,345 %", "12.345%"),
    (0, "0 %", "0%"),
])
def test_percent_shows_a_share_with_its_precision(value: object, da: str, en: str) -> None:
    assert l10n.percent(value, "da") == da
    assert l10n.percent(value, "en") == en


def test_numpy_numbers_as_charts_get_them() -> None:
    np = pytest.importorskip("numpy")
    assert l10n.number(np.float64(0.5), "da") == "0,5"
    assert l10n.number(np.int64(1234), "da") == "1.234"
    assert l10n.percent(np.float64(0.25), "en", places=0) == "25%"


def test_chart_ticks_may_ask_for_whole_percents() -> None:
    assert l10n.percent(0.0999, "da", places=0) == "10 %"
    assert l10n.percent(0.125, "en", places=0) == "12%"  # half to even, as Babel


@pytest.mark.parametrize(("value", "da", "en"), [
    (12326, "12.326 kr.", "DKK 12,326"),
    (1234567.891, "1.234.568 kr.", "DKK 1,234,568"),
    (45.5, "45,50 kr.", "DKK 45.50"),
    (Decimal("250"), "250 kr.", "DKK 250"),
])
def test_money(value: object, da: str, en: str) -> None:
    assert (l10n.money(value, "da"), l10n.money(value, "en")) == (da, en)


def test_dates_and_months() -> None:
    day = dt.date(2016, 10, 1)
    assert l10n.date(day, "da") == l10n.date("2016-10-01", "da") == "1. oktober 2016"
    assert l10n.date(dt.datetime(2016, 10, 1, 12), "en") == "1 October 2016"
    assert l10n.month("2016-10", "da") == l10n.month(day, "da") == "oktober 2016"
    assert l10n.month("2016-10", "en") == "October 2016"
    assert l10n.month("2016-10", "da", short=True) == "okt. 2016"
    assert l10n.month("2016-05", "da", short=True) == "maj 2016"
    assert l10n.month("2016-10", "en", short=True) == "Oct 2016"
    assert l10n.month("not a month", "da") == "not a month"
    assert l10n.date(None, "da") == "–"


@pytest.mark.parametrize(("value", "unit", "da", "en"), [
    (18, "months", "18 måneder", "18 months"),
    (1, "months", "1 måned", "1 month"),
    (Decimal("4.999"), "years", "4,999 år", "4.999 years"),
    (160.3334, "hours", "160,3334 timer", "160.3334 hours"),
    (15, "persons", "15 personer", "15 people"),
    (30, "days", "30 dage", "30 days"),
    (4, "course month", "forløbsmåned 4", "course month 4"),
    (0.0999, "share", "9,99 %", "9.99%"),
    (12326, "DKK", "12.326 kr.", "DKK 12,326"),
    (3, "widgets", "3 widgets", "3 widgets"),
])
def test_quantities_with_unit_words(value: object, unit: str, da: str, en: str) -> None:
    assert l10n.quantity(value, unit, "da") == da
    assert l10n.quantity(value, unit, "en") == en


@pytest.mark.parametrize(("field", "code", "da", "en"), [
    ("exit_reason", "completed", "gennemført", "completed"),
    ("exit_reason", "dropped_out", "afbrudt", "dropped out"),
    ("exit_reason", "other", "andet", "other"),
    ("job_offer_terms", "ordinary", "almindelige vilkår", "ordinary terms"),
    ("job_offer_terms", "subsidised", "løntilskud", "wage subsidy"),
    ("job_offer_terms", "flexjob", "fleksjob", "flexjob"),
    ("verdict", "violation", "overtrædelse", "violation"),
    ("verdict", "warning", "advarsel", "warning"),
    ("verdict", "due", "frist løber", "due"),
    ("verdict", "ok", "i orden", "OK"),
])
def test_code_labels(field: str, code: str, da: str, en: str) -> None:
    assert l10n.code(field, code, "da") == da
    assert l10n.code(field, code, "en") == en
    assert l10n.value(code, "da", field=field) == da


def test_verdicts_counted() -> None:
    assert l10n.verdict("violation", "da", plural=True) == "overtrædelser"
    assert l10n.verdict("warning", "en", plural=True) == "warnings"
    assert l10n.verdict("due", "da") == "frist løber"


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert l10n.code("job_offer_terms", "unknown", "da") == "unknown"
    assert l10n.code("job_offer_terms", None, "en") == "none"


@pytest.mark.parametrize("value", [0, 1234.5, -1234.5, -7, 1000000, Decimal("1234.5")])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_numbers_agree_with_babel(value: object, lang: str) -> None:
    assert l10n.number(value, lang) == format_decimal(value, locale=l10n.LOCALES[lang])


def test_none_is_a_dash_in_danish_and_none_in_english() -> None:
    for f in (l10n.number, l10n.percent, l10n.money, l10n.date, l10n.month):
        assert f(None, "da") == "–"
        assert f(None, "en") == "none"


# --- one value, one way: check text, JSON message, report, explain and business case --------------

SHARE, YEARS, DEADLINE = "9,99 %", "4,999 år", "2. marts 2018"


def _invoke(*args: str) -> str:
    from click.testing import CliRunner

    from procurekit.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return html.unescape(result.stdout)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from helpers import completed, make_dataset, participant

    folder = tmp_path_factory.mktemp("l10n") / "ds"
    return make_dataset(
        folder,
        [participant("A", years_on_benefits="4.999"), completed("B", left_on="2018-01-31")],
        supplier=[{"month": "2018-01", "ordinary_staff": 50, "contract_fte": 10, "target_group_fte": "0.999"}],
    )


def test_the_same_value_prints_the_same_in_every_output(dataset: Path, tmp_path: Path) -> None:
    common = (str(dataset), "--as-of", "2018-02-15")
    text = _invoke("check", *common)
    messages = " ".join(f["message"] for f in json.loads(_invoke("check", *common, "--format", "json"))["findings"])
    report = _invoke("report", *common, "--format", "html", "-o", "-")
    explained = {s: _invoke("check", *common, "--explain", s) for s in ("A", "B", "2018-01")}
    for shown in (text, messages, report):
        assert SHARE in shown and YEARS in shown and DEADLINE in shown
        assert "0,0999" not in shown and "4,99 " not in shown and "2018-03-02" not in shown
    assert YEARS in explained["A"] and DEADLINE in explained["B"] and SHARE in explained["2018-01"]
    assumptions = tmp_path / "assumptions.yaml"
    source = (Path(__file__).parents[1] / "examples" / "ikast-brande" / "assumptions.yaml").read_text("utf-8")
    assumptions.write_text(source.replace("job_shares: [0.5,", "job_shares: [0.0999, 0.5,"), encoding="utf-8")
    business = _invoke("business-case", "--assumptions", str(assumptions))
    assert SHARE in business
    with_case = _invoke("report", *common, "--assumptions", str(assumptions), "--format", "html", "-o", "-")
    assert f"{SHARE} i job" in with_case


def test_rules_explain_writes_a_share_as_the_check_does(tmp_path: Path) -> None:
    from helpers import write_rules

    rules = write_rules(tmp_path / "r.yaml", """
        extends: ikast-brande
        id: share-test
        title: {da: Andel, en: Share}
        version: 1.0.0
        parameters:
          min_target_group_share: {value: 0.0999}
    """)
    assert f"min_target_group_share = {SHARE}" in _invoke("rules", "explain", str(rules))
