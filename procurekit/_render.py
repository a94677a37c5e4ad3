"""Jinja2 rendering: the bundled templates, user templates in the sandbox, Danish formatting.

Every generated document is a Jinja2 template that renders a small, documented subset of HTML (see
`_docs.py`); the HTML is the document, and DOCX, PDF and Markdown are written from it. Templates get
typed models and these helpers:

- `t(da, en)`: the text in the document's language;
- filters `date`, `number`, `money`, `percent`: Danish (or English) formatting by Babel;
- `p.<name>`: a rule-set parameter in force on the document's date, formatted with its unit
  (`{{ p.max_course_months }}` → "18 måneder"; `.n` → "18"; `.value` → the raw value).

Bundled templates render with StrictUndefined. Templates from `--templates DIR` (and clause texts,
which are data too) render in Jinja's ImmutableSandboxedEnvironment: no attribute starting with `_`,
no mutation, no access to Python internals.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ._resources import data_dir
from .errors import ProcurekitError

LOCALES = {"da": "da_DK", "en": "en_GB"}

#: unit → (da singular, da plural, en singular, en plural). `{n}` marks a prefix form.
UNITS: dict[str, tuple[str, str, str, str]] = {
    "years": ("år", "år", "year", "years"),
    "months": ("måned", "måneder", "month", "months"),
    "days": ("dag", "dage", "day", "days"),
    "weeks": ("uge", "uger", "week", "weeks"),
    "places": ("plads", "pladser", "place", "places"),
    "hours/week": ("time om ugen", "timer om ugen", "hour a week", "hours a week"),
    "hours": ("time", "timer", "hour", "hours"),
    "staff": ("ordinært ansat", "ordinært ansatte", "member of ordinary staff", "ordinary staff"),
    "persons": ("person", "personer", "person", "people"),
    "fte": ("årsværk", "årsværk", "full-time equivalent", "full-time equivalents"),
    "course month": ("forløbsmåned {n}", "forløbsmåned {n}", "course month {n}", "course month {n}"),
    "times": ("gang", "gange", "time", "times"),
}


class TemplateError(ProcurekitError):
    """A template could not be found or rendered; names the template and line."""


def fmt_number(value: Any, lang: str = "da") -> str:
    """12326 → '12.326' (da) / '12,326' (en); at most two decimals, none when whole."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "–"
    return format_decimal(value, format="#,##0.##", locale=LOCALES.get(lang, "da_DK"))


def fmt_money(value: Any, lang: str = "da") -> str:
    """12326 → '12.326 kr.' (da) / 'DKK 12,326' (en)."""
    number = fmt_number(round(value) if isinstance(value, float) and value >= 1000 else value, lang)
    return f"{number} kr." if lang == "da" else f"DKK {number}"


def fmt_percent(value: Any, lang: str = "da") -> str:
    """0.1 → '10 %' (da) / '10%' (en)."""
    number = fmt_number(round(float(value) * 100, 1), lang)
    return f"{number} %" if lang == "da" else f"{number}%"


def fmt_date(value: Any, lang: str = "da") -> str:
    """2016-10-01 → '1. oktober 2016' (da) / '1 October 2016' (en)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    pattern = "d. MMMM y" if lang == "da" else "d MMMM y"
    return format_date(value, format=pattern, locale=LOCALES.get(lang, "da_DK"))


def fmt_quantity(value: Any, unit: str, lang: str = "da") -> str:
    """A number with its unit in words: (18, 'months') → '18 måneder'; shares as percent; DKK as kr."""
    if unit in ("share", "percent"):
        return fmt_percent(value, lang)
    if unit.lower() in ("dkk", "kr", "kr."):
        return fmt_money(value, lang)
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    number = fmt_number(value, lang)
    forms = UNITS.get(unit) or UNITS.get(unit.lower())
    if forms is None:
        return f"{number} {unit}".strip()
    one = isinstance(value, (int, float)) and not isinstance(value, bool) and value == 1
    word = forms[(0 if one else 1) + (2 if lang == "en" else 0)]
    return word.replace("{n}", number) if "{n}" in word else f"{number} {word}"


class ParamView:
    """A parameter as a template sees it: str() is the value with its unit, in the document's language."""

    def __init__(self, name: str, value: Any, unit: str, lang: str, fill: str | None = None) -> None:
        self.name = name
        self.value = value
        self.unit = unit
        self._lang = lang
        self.fill = fill  # shown instead of the value when the value is not confirmed

    @property
    def n(self) -> str:
        """The value alone, formatted (a share as a percent)."""
        if self.fill is not None:
            return self.fill
        if self.unit in ("share", "percent"):
            return fmt_percent(self.value, self._lang)
        if isinstance(self.value, dt.date):
            return fmt_date(self.value, self._lang)
        return fmt_number(self.value, self._lang)

    def __str__(self) -> str:
        if self.fill is not None:
            return self.fill
        return fmt_quantity(self.value, self.unit, self._lang)

    def __html__(self) -> str:
        return jinja2.utils.markupsafe.escape(str(self))  # type: ignore[attr-defined,no-any-return]


class Params(Mapping[str, ParamView]):
    """`p` in templates: parameter views by name; an unknown name is a render error, not a blank."""

    def __init__(self, views: dict[str, ParamView]) -> None:
        self._views = views

    def __getitem__(self, key: str) -> ParamView:
        return self._views[key]

    def __getattr__(self, key: str) -> ParamView:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._views[key]
        except KeyError:
            raise AttributeError(f"the rule set has no parameter '{key}'") from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)


def param_views(parameters: Mapping[str, Any], day: dt.date, lang: str) -> Params:
    """Views of every parameter of a rule set, at the value in force on `day`."""
    return Params({name: ParamView(name, p.at(day), p.unit, lang) for name, p in parameters.items()})


def _helpers(lang: str) -> dict[str, Callable[..., Any]]:
    return {
        "date": lambda v: fmt_date(v, lang),
        "number": lambda v: fmt_number(v, lang),
        "money": lambda v: fmt_money(v, lang),
        "percent": lambda v: fmt_percent(v, lang),
    }


def _configure(env: jinja2.Environment, lang: str) -> jinja2.Environment:
    env.filters.update(_helpers(lang))
    env.globals["t"] = lambda da, en: en if lang == "en" else da
    env.globals["lang"] = lang
    return env


@functools.lru_cache(maxsize=16)
def environment(lang: str, templates_dir: Path | None = None) -> jinja2.Environment:
    """The bundled templates, or `templates_dir` first (then the bundled ones) in the sandbox.

    One environment per (language, folder), so a template is parsed once per process; Jinja reloads a
    template whose file changed.
    """
    bundled = jinja2.FileSystemLoader(str(data_dir("templates")))
    options: dict[str, Any] = {
        "undefined": jinja2.StrictUndefined,
        "autoescape": jinja2.select_autoescape(("html", "html.j2", "htm")),
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    env: jinja2.Environment
    if templates_dir is None:
        env = jinja2.Environment(loader=bundled, **options)
    else:
        if not templates_dir.is_dir():
            raise TemplateError(f"{templates_dir}: not a folder of templates")
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates_dir)), bundled])
        env = ImmutableSandboxedEnvironment(loader=loader, **options)
    return _configure(env, lang)


def _describe(exc: Exception, name: str) -> str:
    lineno = getattr(exc, "lineno", None)
    where = getattr(exc, "filename", None) or name
    at = f":{lineno}" if lineno else ""
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"{where}{at}: refused by the template sandbox ({exc})"
    return f"{where}{at}: {type(exc).__name__}: {exc}"


def render(name: str, lang: str, templates_dir: Path | None = None, **context: Any) -> str:
    """Render template `name` with `context`; any failure is a one-line TemplateError."""
    env = environment(lang, templates_dir)
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template '{exc.name}' not found") from None
    except (jinja2.TemplateError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise TemplateError(_describe(exc, name)) from None


@functools.lru_cache(maxsize=4)
def _text_environment(lang: str) -> jinja2.Environment:
    return _configure(ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined), lang)


def render_text(source: str, lang: str, origin: str, **context: Any) -> str:
    """Render a short text held in data (a clause paragraph) in the sandbox, no autoescape."""
    env = _text_environment(lang)
    try:
        return env.from_string(source).render(**context)
    except (jinja2.TemplateError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise TemplateError(_describe(exc, origin)) from None
