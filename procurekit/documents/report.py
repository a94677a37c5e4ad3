"""The compliance report: the findings of `check`, for a contract manager who acts on them.

Page one answers four questions: is the contract honoured (a sentence), what must be done now (one row
per breach, merged over consecutive months, with since when, the contract point and the next step of
the sanction ladder), what is coming due, and how it is going. Then each rule in short with the people
and months behind it, the charts, the economics (with an assumptions file), and a technical appendix
holding rule ids, deciding values, references, the rule set's digest and the engine. Nothing above the
appendix shows an identifier. Participants appear only by pseudonym.

Everything the template sees is plain data made here (strings, numbers, tuples, frozen dataclasses).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from procurekit import l10n
from procurekit.dataset.read import Dataset
from procurekit.documents.actions import Breach, breaches, upcoming
from procurekit.documents.charts import Chart, encodings
from procurekit.documents.clauses import Clause, load_library
from procurekit.documents.formats import write_formats
from procurekit.documents.labels import humanize, labelled_values
from procurekit.documents.render import render
from procurekit.documents.report_charts import report_charts
from procurekit.documents.why import point_texts
from procurekit.evaluation.check import CheckResult
from procurekit.ruleset.load import VERDICTS
from procurekit.version import __version__

_RANK = {v: i for i, v in enumerate(VERDICTS)}


@dataclass(frozen=True)
class KeyFigures:
    """The programme's key figures at the report date."""

    participants: int
    active: int
    left: int
    completed: int
    dropped_out: int
    met_requirements: int
    offered: int
    ordinary_jobs: int
    share_into_jobs: float | None  # ordinary jobs / participants who have left


@dataclass(frozen=True)
class ActionRow:
    """A breach on page one."""

    ref: str  # "F3": its explanation in the appendix
    anchor: str
    what: str
    detail: str  # the finding's message, in words
    status: str
    css: str
    who: str
    since: str
    point: str
    next_step: str


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline coming due."""

    what: str
    who: str
    deadline: str
    left: str
    point: str
    css: str


@dataclass(frozen=True)
class RuleRow:
    """One breach or deadline under its rule."""

    who: str
    when: str
    text: str
    status: str
    css: str
    ref: str


@dataclass(frozen=True)
class RuleSection:
    """One rule in short: its status in words, the counts, the rows behind it."""

    title: str
    status: str
    css: str
    summary: str
    rows: tuple[RuleRow, ...]


@dataclass(frozen=True)
class Why:
    """The explanation of one breach (the appendix)."""

    ref: str
    anchor: str
    heading: str
    message: str
    point: str
    basis: str
    values: tuple[tuple[str, str], ...]
    rule: str
    subjects: str
    reference: str


@dataclass(frozen=True)
class Appendix:
    """Teknisk bilag: identifiers and provenance, kept off the pages above."""

    ruleset: str
    engine: str
    rules: tuple[tuple[str, str, str, str, str], ...]  # rule id, title, clause id, point, reference
    whys: tuple[Why, ...]
    not_evaluated: tuple[str, ...]
    generator: str


@dataclass(frozen=True)
class EconomyView:
    """What the template shows of the business case (all text made here)."""

    summary: str
    totals: tuple[tuple[str, str], ...]
    sensitivity_head: tuple[str, ...]
    sensitivity_rows: tuple[tuple[str, ...], ...]
    sensitivity_note: str
    inputs: tuple[tuple[str, str, str], ...]  # label, value, source
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ReportModel:
    """What report.html.j2 sees."""

    lang: str
    contract_id: str
    municipality: str
    supplier: str
    as_of: dt.date
    status_css: str
    status: str
    status_detail: str
    actions: tuple[ActionRow, ...]
    upcoming: tuple[DeadlineRow, ...]
    progress: str
    progress_rows: tuple[tuple[str, str], ...]
    rules: tuple[RuleSection, ...]
    figures: KeyFigures
    charts: dict[str, Chart]
    appendix: Appendix
    economy: EconomyView | None = None
    notes: tuple[str, ...] = ()  # what the reader must know about what was checked (CheckResult.notes)


def _t(lang: str, da: str, en: str) -> str:
    return en if lang == "en" else da


def key_figures(ds: Dataset, as_of: dt.date) -> KeyFigures:
    """Counts from the participants known at `as_of` (exits and offers after it are not yet known)."""
    people = [p for p in ds.participants if p.enrolled_on <= as_of]
    left = [p for p in people if p.left_on is not None and p.left_on <= as_of]
    completed = [p for p in left if p.exit_reason == "completed"]
    met = [p for p in completed if p.met_stability and p.met_efficiency and p.met_quality]
    offered = [p for p in left if p.job_offer_on is not None and p.job_offer_on <= as_of]
    ordinary = [p for p in offered if p.job_offer_terms == "ordinary"]
    return KeyFigures(
        participants=len(people),
        active=len(people) - len(left),
        left=len(left),
        completed=len(completed),
        dropped_out=sum(1 for p in left if p.exit_reason == "dropped_out"),
        met_requirements=len(met),
        offered=len(offered),
        ordinary_jobs=len(ordinary),
        share_into_jobs=len(ordinary) / len(left) if left else None,
    )


# ---- words ---------------------------------------------------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _who(b: Breach, lang: str) -> str:
    return b.who or _t(lang, "Programmet", "Programme")


def since_text(b: Breach, as_of: dt.date, lang: str) -> str:
    """Since when and for how long, in words."""
    if b.since is None:
        return "–"
    if b.by_month:
        first = l10n.month(b.since.strftime("%Y-%m"), lang)
        months = _t(lang, _plural(b.months, "måned", "måneder"), _plural(b.months, "month", "months"))
        if b.ongoing:
            return _t(lang, f"siden {first} ({months}, fortsat)", f"since {first} ({months}, ongoing)")
        if b.months == 1 or b.until is None:
            return first
        return f"{first} – {l10n.month(b.until.strftime('%Y-%m'), lang)} ({months})"
    day = l10n.date(b.since, lang)
    if b.ongoing:
        days = (as_of - b.since).days + 1
        return _t(lang, f"siden {day} (fortsat, {_plural(days, 'dag', 'dage')})",
                  f"since {day} (ongoing, {_plural(days, 'day', 'days')})")
    if b.until is not None:
        days = (b.until - b.since).days + 1
        return (f"{day} – {l10n.date(b.until, lang)} "
                + _t(lang, f"({_plural(days, 'dag', 'dage')})", f"({_plural(days, 'day', 'days')})"))
    return _t(lang, f"fra {day}", f"from {day}")


def _status_word(b: Breach, lang: str) -> str:
    if b.verdict == "violation":
        return _t(lang, "Igangværende", "Ongoing") if b.ongoing else _t(lang, "Afsluttet", "Ended")
    return _t(lang, "Advarsel", "Warning") if b.verdict == "warning" else _t(lang, "Frist løber", "Due")


_STATUS = {
    "da": {"none": "Ingen tilfælde", "not-evaluated": "Ikke vurderet"},
    "en": {"none": "No cases", "not-evaluated": "Not evaluated"},
}
_TABLES = {"hours": ("timetabellen (hours.csv)", "the hours table (hours.csv)"),
           "supplier": ("bemandingstabellen (supplier.csv)", "the staffing table (supplier.csv)"),
           "turnover": ("omsætningstabellen (turnover.csv)", "the turnover table (turnover.csv)")}


# ---- page one ------------------------------------------------------------------------------------------


def _status(found: list[Breach], coming: list[Breach], skipped: int, lang: str) -> tuple[str, str, str]:
    """(css, sentence, detail) answering: is the contract honoured?"""
    note = _t(lang, f" {_plural(skipped, 'regel', 'regler')} kunne ikke vurderes (se nedenfor).",
              f" {_plural(skipped, 'rule', 'rules')} could not be evaluated (see below).") if skipped else ""
    if found:
        running = sum(1 for b in found if b.ongoing)
        detail = _t(lang, f"{_plural(len(found), 'brud', 'brud')} på den sociale klausul kræver handling",
                    f"{_plural(len(found), 'breach', 'breaches')} of the social clause need action")
        if running:
            detail += _t(lang, f"; {running} af dem varer stadig ved", f"; {running} of them still go on")
        if coming:
            detail += _t(lang, f", og {_plural(len(coming), 'frist', 'frister')} løber",
                         f", and {_plural(len(coming), 'deadline is', 'deadlines are')} running")
        honoured = _t(lang, "Kontrakten er ikke overholdt.", "The contract is not honoured.")
        return "violation", honoured, detail + "." + note
    if coming:
        return ("due", _t(lang, "Kontrakten er overholdt, men frister løber.",
                          "The contract is honoured, but deadlines are running."),
                _t(lang, f"{_plural(len(coming), 'frist', 'frister')} skal følges op (se Kommende frister).",
                   f"{_plural(len(coming), 'deadline', 'deadlines')} to follow up (see Coming due).") + note)
    return ("ok", _t(lang, "Kontrakten er overholdt.", "The contract is honoured."),
            _t(lang, "Ingen brud, og ingen frister løber.", "No breach, and no deadline is running.") + note)


def _deadline_row(b: Breach, as_of: dt.date, lang: str) -> DeadlineRow:
    when = l10n.date(b.deadline, lang) if b.deadline else "–"
    left = "–"
    if b.deadline is not None:
        days = (b.deadline - as_of).days
        left = _t(lang, f"om {_plural(days, 'dag', 'dage')}", f"in {_plural(days, 'day', 'days')}") if days > 0 \
            else _t(lang, "i dag", "today")
    return DeadlineRow(b.title, _who(b, lang), when, left, b.point or "", b.verdict)


def _progress(f: KeyFigures, result: CheckResult, lang: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """How it is going: a sentence and a few figures."""
    share = l10n.percent(f.share_into_jobs, lang) if f.share_into_jobs is not None else "–"
    text = _t(lang, f"{f.ordinary_jobs} af de {f.left} deltagere, der har afsluttet forløbet, er kommet i "
                    f"ordinært job ({share}). {f.active} er i forløb nu.",
              f"{f.ordinary_jobs} of the {f.left} participants who have left the course are in ordinary jobs "
              f"({share}). {f.active} are on the course now.")
    rows = [
        (_t(lang, "Deltagere i alt", "Participants in all"), l10n.number(f.participants, lang)),
        (_t(lang, "I forløb nu", "On the course now"), l10n.number(f.active, lang)),
        (_t(lang, "Afsluttet forløb (gennemført / frafaldet)", "Left the course (completed / dropped out)"),
         f"{f.left} ({f.completed} / {f.dropped_out})"),
        (_t(lang, "I ordinært job", "In ordinary jobs"), l10n.number(f.ordinary_jobs, lang)),
        (_t(lang, "Andel i ordinært job af dem, der har afsluttet", "Share in ordinary jobs of those who left"),
         share),
    ]
    return text, tuple(rows)


# ---- per rule ------------------------------------------------------------------------------------------


def _rule_sections(result: CheckResult, rows: dict[str, list[RuleRow]]) -> tuple[RuleSection, ...]:
    lang, ds = result.lang, result.dataset
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for f in result.findings:
        by_rule[f.rule][f.verdict] += 1
    skipped_rules = {n.rule for n in result.not_evaluated if n.subject is None}
    skipped_subjects: dict[str, list[str]] = defaultdict(list)
    for n in result.not_evaluated:
        if n.subject is not None:
            skipped_subjects[n.rule].append(n.subject)
    out = []
    for rule in result.ruleset.rules:
        counts = by_rule[rule.id]
        if rule.id in skipped_rules:
            status = "not-evaluated"
            missing = [s for s in rule.requires if s not in ds.sources]
            summary = _t(lang, "Ikke vurderet: datasættet mangler ", "Not evaluated: the dataset lacks ") + \
                _t(lang, " og ", " and ").join(_TABLES.get(s, (s, s))[0 if lang == "da" else 1] for s in missing) + "."
        else:
            status = next((v for v in VERDICTS if counts[v]), "none")
            parts = [_plural(counts[v], l10n.verdict(v, lang), l10n.verdict(v, lang, plural=True))
                     for v in VERDICTS if counts[v]]
            summary = (", ".join(parts) + ".") if parts else _t(lang, "Ingen tilfælde at vurdere endnu.",
                                                                "Nothing to evaluate yet.")
            months = skipped_subjects.get(rule.id)
            if months:
                summary += _t(lang, f" Ikke vurderet for {_plural(len(months), 'måned', 'måneder')} uden række "
                                    "i bemandingstabellen: ",
                              f" Not evaluated for {_plural(len(months), 'month', 'months')} without a row in "
                              "the staffing table: ") + ", ".join(l10n.month(m, lang) for m in months) + "."
        out.append(RuleSection(rule.title.get(lang), _status_text(status, lang), status, _capital(summary),
                               tuple(rows.get(rule.id, ()))))
    return tuple(out)


def _status_text(status: str, lang: str) -> str:
    return _STATUS[lang].get(status) or _capital(l10n.verdict(status, lang))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- the appendix --------------------------------------------------------------------------------------


def _why(result: CheckResult, b: Breach, ref: str, library: dict[str, Clause], texts: dict[str, str]) -> Why:
    lang = result.lang
    rule = result.ruleset.rule(b.rule)
    last = next(f for f in result.findings if f.rule == b.rule and f.subject == b.subjects[-1])
    point = (_t(lang, f"Kontraktbilag pkt. {b.point}: ", f"Contract annex point {b.point}: ")
             + texts.get(b.point, "")) if b.point else ""
    cited = texts.get(f"basis:{rule.clause}", "")
    basis = (_t(lang, "Hjemmel: ", "Legal basis: ") + cited) if cited else ""
    heading = f"{ref}. {_who(b, lang)} – {b.title}"
    return Why(ref, b.anchor, heading, humanize(last.message, lang), point, basis,
               tuple(labelled_values(last.values, rule, result.ruleset, result.as_of, lang)),
               b.rule, ", ".join(b.subjects), result.ruleset.reference(rule, result.as_of))


def _appendix(result: CheckResult, found: list[Breach], library: dict[str, Clause]) -> Appendix:
    from procurekit.documents.clauses import contract_point

    lang, rs = result.lang, result.ruleset
    texts = point_texts(result, library)
    whys = tuple(_why(result, b, f"F{i}", library, texts) for i, b in enumerate(found, start=1))
    rules = tuple((r.id, r.title.get(lang), r.clause, contract_point(rs, library, r.clause, rule_id=r.id) or "–",
                   rs.reference(r, result.as_of)) for r in rs.rules)
    engine = {"durable": "durable_rules", "python": _t(lang, "procurekits Python-evaluator",
                                                       "procurekit's Python evaluator")}.get(result.engine,
                                                                                           result.engine)
    return Appendix(
        ruleset=f"{rs.title.get(lang)} · id {rs.id} · version {rs.version} · digest {rs.digest}",
        engine=engine, rules=rules, whys=whys,
        not_evaluated=tuple(f"{n.rule}" + (f" {n.subject}" if n.subject else "") + f": {n.reason}"
                            for n in result.not_evaluated),
        generator=f"procurekit {__version__}",
    )


# ---- the model -----------------------------------------------------------------------------------------


def report_model(result: CheckResult, clauses_dir: Path | None = None) -> ReportModel:
    """Build the report's model from a check (run with every finding, ok included)."""
    lang = result.lang
    library = load_library(clauses_dir)
    found = breaches(result, library)
    coming = upcoming(result, library)
    appendix = _appendix(result, found, library)
    refs = {b.anchor: w.ref for b, w in zip(found, appendix.whys, strict=True)}
    actions = tuple(
        ActionRow(refs[b.anchor], b.anchor, b.title, humanize(b.message, lang), _status_word(b, lang), b.verdict,
                  _who(b, lang),
                  since_text(b, result.as_of, lang), b.point or "", b.next_step)
        for b in found
    )
    rows: dict[str, list[RuleRow]] = defaultdict(list)
    for b in [*found, *coming]:
        when = since_text(b, result.as_of, lang) if b.verdict == "violation" else (
            _t(lang, "frist ", "due ") + (l10n.date(b.deadline, lang) if b.deadline else "–"))
        rows[b.rule].append(RuleRow(_who(b, lang), when, humanize(b.message, lang), _status_word(b, lang),
                                    b.verdict, refs.get(b.anchor, "")))
    figures = key_figures(result.dataset, result.as_of)
    skipped = len({n.rule for n in result.not_evaluated if n.subject is None})
    css, status, detail = _status(found, coming, skipped, lang)
    progress, progress_rows = _progress(figures, result, lang)
    c = result.dataset.contract
    steps = [
        (_t(lang, "Optaget", "Enrolled"), figures.participants), (_t(lang, "Afsluttet", "Left"), figures.left),
        (_t(lang, "Gennemført", "Completed"), figures.completed),
        (_t(lang, "Opfyldt krav", "Met requirements"), figures.met_requirements),
        (_t(lang, "Jobtilbud", "Job offered"), figures.offered),
        (_t(lang, "Ordinært job", "Ordinary job"), figures.ordinary_jobs),
    ]
    return ReportModel(
        lang=lang, contract_id=c.contract_id, municipality=c.municipality, supplier=c.supplier,
        as_of=result.as_of, status_css=css, status=status, status_detail=detail, actions=actions,
        upcoming=tuple(_deadline_row(b, result.as_of, lang) for b in coming), progress=progress,
        progress_rows=progress_rows, rules=_rule_sections(result, rows), figures=figures,
        charts=report_charts(result, steps), appendix=appendix, notes=tuple(result.notes),
    )


def report_document(
    result: CheckResult,
    fmt: str,
    templates_dir: Path | None = None,
    clauses_dir: Path | None = None,
    economy: tuple[EconomyView, Chart] | None = None,
    appendix: tuple[str, dict[str, Chart]] | None = None,
    image_prefix: str = "report",
) -> dict[str, bytes]:
    """The compliance report in `fmt` (html, pdf, docx or md); with `economy`, the business case too.

    `economy` is the business case's section and its cumulative chart (`business.report_section.economy`).
    Returns the document under the key "" and, for Markdown, each chart as a PNG file under its name
    (`<image_prefix>-<chart>.png`), to be written beside the document. `appendix` is (HTML in the
    documented subset, its charts by `data-chart` name): sections added at the end of the report (the
    contract ledger's history uses it).
    """
    with encodings("svg" if fmt == "html" else "png"):  # HTML shows the SVG; PDF, DOCX, Markdown the PNG
        model = report_model(result, clauses_dir)
    if economy is not None:
        view, cumulative = economy
        model = replace(model, economy=view, charts={**model.charts, "business": cumulative})
    charts = model.charts
    # The template gets each chart's text and SVG, never its PNG (bytes are not template data): a chart
    # still being drawn aside (`charts_drawn_aside`) is waited for where the writer places it, not here.
    shown = {key: Chart(c.title, c.alt, c.svg, b"") for key, c in charts.items()}
    html = render("report.html.j2", result.lang, templates_dir, report=replace(model, charts=shown))
    if appendix is not None:
        extra, extra_charts = appendix
        cut = html.rindex("</body>")
        html = html[:cut] + extra + html[cut:]
        charts = {**charts, **extra_charts}
    images = {key: f"{image_prefix}-{key}.png" for key in charts} if fmt == "md" else None
    files = {"": write_formats(html, fmt, lang=result.lang, charts=charts, day=result.as_of, images=images)}
    for key, name in (images or {}).items():
        files[name] = charts[key].png
    return files
