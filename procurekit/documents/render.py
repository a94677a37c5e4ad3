"""Jinja2 rendering: the bundled templates, user templates in the sandbox, Danish formatting.

Every generated document is a Jinja2 template that renders a small, documented subset of HTML (see
`documents/formats.py`); the HTML is the document, and DOCX, PDF and Markdown are written from it. Templates get
typed models and these helpers:

- `t(da, en)`: the text in the document's language;
- filters `date`, `month`, `number`, `money`, `percent`: Danish (or English) formatting (`procurekit.l10n`);
- `p.<name>`: a rule-set parameter in force on the document's date, formatted with its unit
  (`{{ p.max_course_months }}` → "18 måneder"; `.n` → "18"; `.value` → the raw value).

Every template renders in the sandbox of `documents/sandbox.py` with StrictUndefined and gets plain data only
(the models are turned into read-only records first). Templates from `--templates DIR` and clause
texts (data too) also run under the limits of `_sandbox.Limits`; their errors are one line naming the
template file and line (exit 2). An error in a bundled template is a bug (BundledTemplateError, exit 3).
"""

from __future__ import annotations

import datetime as dt
import functools
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import escape

from procurekit import l10n
from procurekit.documents.sandbox import (
    LIMITS,
    Limits,
    ParamLike,
    SafeEnvironment,
    View,
    budget,
    end_budget,
    helper,
    start_budget,
    template_data,
)
from procurekit.errors import ProcurekitError
from procurekit.files import data_dir


class TemplateError(ProcurekitError):
    """A template could not be found or rendered; names the template and line."""


class ParamView(ParamLike):
    """A parameter as a template sees it: str() is the value with its unit, in the document's language.

    Data only: `name`, `value`, `unit`, `n` (the value alone, formatted) and `text` (value with unit).
    """

    __slots__ = ("name", "value", "unit", "n", "text")
    fields = ("name", "value", "unit", "n", "text")

    def __init__(self, name: str, value: Any, unit: str, lang: str, fill: str | None = None) -> None:
        self.name = name
        self.value = value
        self.unit = unit
        if fill is not None:  # not confirmed: the fill-in field stands in for the value
            self.n = self.text = fill
            return
        if unit in l10n.SHARE_UNITS:
            self.n = l10n.percent(value, lang)
        elif isinstance(value, dt.date):
            self.n = l10n.date(value, lang)
        else:
            self.n = l10n.number(value, lang)
        self.text = l10n.quantity(value, unit, lang)

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(escape(self.text))


class Params(View):
    """`p` in templates: parameter views by name; an unknown name is a render error, not a blank."""

    __slots__ = ()

    def __init__(self, views: dict[str, ParamView]) -> None:
        super().__init__(views, "parameters")


def param_views(parameters: Mapping[str, Any], day: dt.date, lang: str) -> Params:
    """Views of every parameter of a rule set, at the value in force on `day`."""
    return Params({name: ParamView(name, p.at(day), p.unit, lang) for name, p in parameters.items()})


def _helpers(lang: str) -> dict[str, Callable[..., Any]]:
    return {
        "date": lambda v: l10n.date(v, lang),
        "month": lambda v: l10n.month(v, lang),
        "number": lambda v: l10n.number(v, lang),
        "money": lambda v: l10n.money(v, lang),
        "percent": lambda v: l10n.percent(v, lang),
    }


def _configure(env: jinja2.Environment, lang: str) -> jinja2.Environment:
    env.filters.update(_helpers(lang))
    env.globals["t"] = helper(lambda da, en: en if lang == "en" else da)
    env.globals["lang"] = lang
    return env


class _FolderLoader(jinja2.FileSystemLoader):
    """Templates by relative name inside one folder: no absolute path, no '..', no link out, no huge file."""

    def __init__(self, folder: Path, limit: int | None) -> None:
        super().__init__(str(folder))
        self.folder = folder.resolve()
        self.limit = limit

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith(("/", "\\")) or ".." in template.replace("\\", "/").split("/") or ":" in template:
            raise jinja2.exceptions.SecurityError(f"template name '{template}': only names inside the templates folder")
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.folder):
            raise jinja2.exceptions.SecurityError(f"template '{template}' leads outside the templates folder")
        if self.limit is not None and len(source.encode("utf-8")) > self.limit:
            raise jinja2.exceptions.SecurityError(
                f"template '{template}' is larger than {self.limit:,} bytes (the limit)")
        return source, filename, uptodate


@functools.lru_cache(maxsize=16)
def environment(lang: str, templates_dir: Path | None = None) -> jinja2.Environment:
    """The bundled templates, or `templates_dir` first (then the bundled ones); both in the sandbox.

    One environment per (language, folder), so a template is parsed once per process; Jinja reloads a
    template whose file changed.
    """
    limit = LIMITS.template_bytes
    bundled = _FolderLoader(data_dir("templates"), None)
    loader: jinja2.BaseLoader = bundled
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise TemplateError(f"{templates_dir}: not a folder of templates")
        loader = jinja2.ChoiceLoader([_FolderLoader(templates_dir, limit), bundled])
    env = SafeEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(("html", "html.j2", "htm")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _configure(env, lang)


class BundledTemplateError(Exception):
    """A bundled template failed: a bug in procurekit, not in the user's input (exit 3)."""


#: errors a template's own code can raise on data (turned into a one-line error naming file and line)
_RENDER_ERRORS = (jinja2.TemplateError, AttributeError, KeyError, TypeError, ValueError, ArithmeticError,
                  IndexError, RecursionError, MemoryError)


def _where(exc: BaseException, name: str, user: Path | None) -> tuple[str, int | None]:
    """The template file and line an error happened in: the innermost frame of a `user` template, if any."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return exc.filename or exc.name or name, exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
    mine = [f for f in frames if user is not None and _inside(f.filename, user)]
    frames = mine or frames
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return name, None


def _inside(filename: str, folder: Path) -> bool:
    return Path(filename).resolve().is_relative_to(folder.resolve())


def _describe(exc: BaseException, where: str, line: int | None) -> str:
    at = f"{where}:{line}" if line else where
    if isinstance(exc, RecursionError):
        return f"{at}: refused by the template sandbox (recursion too deep)"
    if isinstance(exc, MemoryError):
        return f"{at}: refused by the template sandbox (out of memory)"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"{at}: refused by the template sandbox ({str(exc).rstrip('.')})"
    message = getattr(exc, "message", None) or str(exc)
    return f"{at}: {type(exc).__name__}: {' '.join(str(message).split())}"


def _generate(template: jinja2.Template, context: dict[str, Any], limits: Limits | None) -> str:
    token = start_budget(limits)
    try:
        chunks: list[str] = []
        size = 0
        stream = template.generate(**context)
        for chunk in stream:
            size += len(chunk)
            if limits is not None:
                try:
                    if size > limits.output_chars:
                        raise jinja2.exceptions.SecurityError(
                            f"output would exceed {limits.output_chars:,} characters (the limit)")
                    budget().check_time()  # type: ignore[union-attr]
                except jinja2.exceptions.SecurityError as exc:
                    stream.throw(exc)  # type: ignore[attr-defined]  # raised where the template stands, so the error names its line
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        end_budget(token)


def _data(context: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if getattr(v, "_template_helper", False) else template_data(v) for k, v in context.items()}


def render(name: str, lang: str, templates_dir: Path | None = None, **context: Any) -> str:
    """Render template `name` with `context` (as plain data).

    A failure in a user template (or any limit exceeded) is a one-line TemplateError naming the
    template file and line; a failure in a bundled template is a BundledTemplateError (an internal error).
    """
    env = environment(lang, templates_dir)
    data = _data(context)
    try:
        template = env.get_template(name)
        return _generate(template, data, None if templates_dir is None else LIMITS)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template '{exc.name}' not found") from None
    except _RENDER_ERRORS as exc:
        where, line = _where(exc, name, templates_dir)
        message = _describe(exc, where, line)
        bundled = templates_dir is None or not _inside(where, templates_dir)
        if bundled and not isinstance(exc, (jinja2.exceptions.SecurityError, RecursionError, MemoryError)):
            raise BundledTemplateError(message) from None
        raise TemplateError(message) from None


@functools.lru_cache(maxsize=4)
def _text_environment(lang: str) -> jinja2.Environment:
    return _configure(SafeEnvironment(undefined=jinja2.StrictUndefined), lang)


def render_text(source: str, lang: str, origin: str, **context: Any) -> str:
    """Render a short text held in data (a clause paragraph) in the sandbox, under limits, no autoescape."""
    env = _text_environment(lang)
    try:
        return _generate(env.from_string(source), _data(context), LIMITS)
    except _RENDER_ERRORS as exc:
        raise TemplateError(_describe(exc, origin, None)) from None
