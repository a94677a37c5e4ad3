"""Hostile user templates: every known escape and resource attack is refused, quickly, with one line.

Each payload goes into a user template (`--templates DIR`) for `tender` and for `report`; the run must
exit 2 with one line naming the template file and line, write nothing, leak nothing, and end in seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from procurekit.cli import cli
from procurekit.documents.formats import write_formats
from procurekit.documents.render import BundledTemplateError, TemplateError, render, render_text
from procurekit.documents.sandbox import View, template_data
from procurekit.documents.tender import load_tender, tender_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
TENDER = EXAMPLE / "tender.yaml"

ESCAPES = {
    "str-format": "{{ '{0.__class__.__mro__}'.format(1) }}",
    "str-format-map": "{{ '{x.__class__}'.format_map({'x': 1}) }}",
    "format-filter": "{{ '%s'|format(1) }}",
    "percent-format": "{{ '%0999999999d' % 1 }}",
    "attr-filter-dunder": "{{ ''|attr('__class__') }}",
    "attr-filter-globals": "{{ (t|attr('__globals__')) }}",
    "cycler-globals": "{{ cycler.__init__.__globals__.os }}",
    "joiner-globals": "{{ joiner.__init__.__globals__ }}",
    "namespace-globals": "{{ namespace.__init__.__globals__ }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].system('echo pwned') }}",
    "self-context": "{{ self._TemplateReference__context }}",
    "self-context-item": "{{ self['_TemplateReference__context'] }}",
    "request-config": "{{ request.application.__globals__ }}",
    "config": "{{ config.items() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "helper-globals": "{{ t.__globals__ }}",
    "filter-globals": "{{ 1|date.__globals__ }}",
    "range-class": "{{ range.__self__ }}",
    "dict-class": "{{ dict.__base__ }}",
    "loop-internals": "{% for x in [1] %}{{ loop._iterable }}{% endfor %}",
    "date-methods": "{{ p.max_course_months.value.__class__ }}",
}
PATHS = {  # the pack's rule set path is a plain string, and strings have no file methods
    "path-joinpath": "{{ PACK.ruleset.path.joinpath('/etc/passwd').read_text() }}",
    "path-read": "{{ PACK.ruleset.path.read_text() }}",
    "path-write": "{{ PACK.ruleset.path.write_text('x') }}",
    "path-unlink": "{{ PACK.ruleset.path.unlink() }}",
    "path-open": "{{ PACK.ruleset.path.open() }}",
    "path-parent": "{{ PACK.ruleset.path.parent.parent }}",
}
MUTATIONS = {
    "list-append": "{% set x = PACK.clauses.append(1) %}",
    "dict-update": "{% set d = {} %}{% set x = d.update({'a': 1}) %}",
    "dict-pop": "{% set d = {'a': 1} %}{{ d.pop('a') }}",
    "view-internals": "{{ PACK._fields }}",
    "params-internals": "{{ p._fields }}",
    "param-slot": "{{ p.max_course_months.__slots__ }}",
}
INCLUDES = {
    "include-absolute": "{% include '/etc/passwd' %}",
    "include-parent": "{% include '../../x.j2' %}",
    "import-parent": "{% import '../secret.j2' as s %}",
    "extends-absolute": "{% extends '/etc/hostname' %}",
}
RESOURCES = {
    "string-times": "{{ 'x' * 10**9 }}",
    "string-times-const": "{{ 'x' * 1000000000 }}",
    "list-times": "{{ ([1] * 10**8)|length }}",
    "ljust": "{{ 'x'.ljust(10**9) }}",
    "center-filter": "{{ 'x'|center(1000000000) }}",
    "indent-filter": "{{ ('a\\n' * 1000)|indent(1000000) }}",
    "replace-blowup": "{% set s = 'x' * 1000000 %}{{ s|replace('x', s) }}",
    "replace-method": "{% set s = 'x' * 1000000 %}{{ s.replace('x', s) }}",
    "join-blowup": "{% set s = 'x' * 1000000 %}{{ [s, s, s, s, s, s]|join(s) }}",
    "concat-doubling": "{% set ns = namespace(s='x' * 100000) %}{% for i in range(40) %}"
                       "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "range-huge": "{% for i in range(10**9) %}{% endfor %}",
    "nested-ranges": "{% set r = range(100000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
    "slow-loops": "{% set r = range(1000) %}{% for i in r %}{% for j in r %}{{ (j ~ i)|length }}{% endfor %}"
                  "{% endfor %}",
    "power": "{{ 10**10**10 }}{{ 10**(10**10) }}",
    "power-const": "{{ 10 ** 100000000 }}",
    "recursive-macro": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "recursive-include": "{% include 'SELF' %}",
    "map-dunder": "{{ PACK.clauses|map(attribute='__class__')|join }}",
    "dict-update-attr": "{% set d = dict(a=1) %}{{ d.update }}",
    "recursive-loop": "{% for x in [[1]] recursive %}{{ loop([x]) }}{% endfor %}",
    "output-flood": "{% set s = 'x' * 4000000 %}{% for i in range(100) %}{{ s }}{% endfor %}",
    "set-block-flood": "{% set s = 'x' * 4000000 %}{% set x %}{% for i in range(100000) %}{{ s }}{% endfor %}"
                       "{% endset %}{{ x|length }}",
    "macro-flood": "{% set s = 'x' * 4000000 %}{% macro m() %}{% for i in range(1000) %}{{ s }}{% endfor %}"
                   "{% endmacro %}{{ m()|length }}",
    "literal-flood": "{% set x %}{% for i in range(100000) %}" + "y" * 1000 + "{% endfor %}{% endset %}{{ x|length }}",
    "big-int": "{{ 10**4999999 }}",
    "big-int-product": "{% set n = 10**4000 %}{{ n * n }}",
    "strftime-blowup": "{{ PACK.tender.published.strftime('%c' * 1000000) }}",
}
ALL = {**ESCAPES, **PATHS, **MUTATIONS, **INCLUDES, **RESOURCES}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _template(folder: Path, name: str, payload: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    if payload.startswith(("{% include", "{% import", "{% extends")):
        path.write_text(payload, encoding="utf-8")  # on line 1
        return path
    # the payload on line 3, so the error must name that line
    path.write_text('{% extends "_base.html.j2" %}\n{% block body %}\n' + payload + "\n{% endblock %}\n",
                    encoding="utf-8")
    return path


def _assert_refused(code: int, stdout: str, err: str, path: Path, out: Path, started: float) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"{path}:3" in err or f"{path}:1" in err, err
    assert "pwned" not in stdout + err and "root:" not in stdout + err
    assert not out.exists()
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("case", sorted(ALL))
def test_tender_template_attack_is_refused(tmp_path: Path, case: str) -> None:
    payload = ALL[case].replace("PACK", "pack").replace("SELF", "kontraktbilag.html.j2")
    path = _template(tmp_path / "templates", "kontraktbilag.html.j2", payload)
    out = tmp_path / "out"
    started = time.monotonic()
    code, stdout, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(path.parent),
                               "-o", str(out))
    _assert_refused(code, stdout, err, path, out, started)


@pytest.mark.parametrize("case", sorted(ALL))
def test_report_template_attack_is_refused(tmp_path: Path, case: str) -> None:
    payload = ALL[case].replace("PACK.ruleset.path", "report.ruleset_id").replace("PACK.clauses", "report.rules")
    payload = payload.replace("PACK.tender.published", "report.as_of").replace("PACK", "report")
    payload = payload.replace("SELF", "report.html.j2")
    path = _template(tmp_path / "templates", "report.html.j2", payload)
    out = tmp_path / "report.html"
    started = time.monotonic()
    code, stdout, err = invoke("report", str(EXAMPLE), "--as-of", "2019-06-01", "--templates", str(path.parent),
                               "-o", str(out))
    _assert_refused(code, stdout, err, path, out, started)


def test_nothing_outside_is_written_or_deleted(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    payload = "{{ pack.ruleset.path.joinpath('%s').unlink() }}{{ '%s'.write_text('x') }}" % (victim, victim)
    path = _template(tmp_path / "templates", "kontraktbilag.html.j2", payload)
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(path.parent),
                          "-o", str(tmp_path / "out"))
    assert code == 2, err
    assert victim.read_text(encoding="utf-8") == "keep"


def test_a_link_out_of_the_templates_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    folder = tmp_path / "templates"
    _template(folder, "kontraktbilag.html.j2", "{% include 'leak.j2' %}")
    os.symlink(secret, folder / "leak.j2")
    code, stdout, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(folder),
                               "-o", str(tmp_path / "out"))
    assert code == 2 and "outside the templates folder" in err, err
    assert "TOP SECRET" not in stdout + err


def test_a_huge_template_file_is_refused(tmp_path: Path) -> None:
    path = _template(tmp_path / "templates", "kontraktbilag.html.j2", "x" * 1_100_000)
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(path.parent),
                          "-o", str(tmp_path / "out"))
    assert code == 2 and "larger than 1,000,000 bytes" in err, err


def test_a_user_template_error_names_file_and_line(tmp_path: Path) -> None:
    path = _template(tmp_path / "templates", "kontraktbilag.html.j2", "{{ pack.nothing_here.x }}")
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(path.parent),
                          "-o", str(tmp_path / "out"))
    assert code == 2
    assert err.strip() == f"Error: {path}:3: UndefinedError: 'nothing_here' is undefined" or \
        err.startswith(f"Error: {path}:3: UndefinedError:"), err


def test_a_bundled_template_error_is_internal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken bundled template is our bug: exit 3, not blamed on the user."""
    import procurekit.documents.render as _render

    folder = tmp_path / "bundled"
    folder.mkdir()
    (folder / "broken.html.j2").write_text("line 1\n{{ nothing.x }}\n", encoding="utf-8")
    monkeypatch.setattr(_render, "data_dir", lambda name: folder)
    _render.environment.cache_clear()
    try:
        with pytest.raises(BundledTemplateError, match=r"broken.html.j2:2"):
            render("broken.html.j2", "da")
    finally:
        _render.environment.cache_clear()


def test_templates_get_plain_data_only() -> None:
    pack = template_data(tender_pack(load_tender(TENDER), "da"))
    seen: set[int] = set()

    def walk(value: object) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        assert isinstance(value, (str, int, float, bool, type(None), dt.date, tuple, View)) or \
            type(value).__name__ == "ParamView", type(value)
        if isinstance(value, View):
            for item in value.values():
                walk(item)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(pack)
    assert isinstance(pack["ruleset"]["path"], str)


def test_clause_texts_are_sandboxed_and_limited() -> None:
    with pytest.raises(TemplateError, match="clause.yaml:text.*refused by the template sandbox"):
        render_text("{{ 'x' * 10**9 }}", "da", "clause.yaml:text[0]")
    with pytest.raises(TemplateError, match="refused by the template sandbox"):
        render_text("{{ ''.__class__ }}", "da", "clause.yaml:text[0]")
    assert render_text("{{ t('a', 'b') }} {{ 'Ab'.lower() }}", "en", "c") == "b ab"


def test_what_a_template_may_do_still_works(tmp_path: Path) -> None:
    payload = (
        "<p>{{ p.max_course_months }}/{{ p.max_course_months.n }}/{{ p['max_course_months'].unit }}</p>"
        "<p>{{ pack.tender.title.get(lang)|upper }} {{ pack.clauses|length }} {{ 'a,b'.split(',')|join('+') }}</p>"
        "{% for name, param in pack.ruleset.parameters.items() %}{% if loop.first %}<p>{{ name }}</p>{% endif %}"
        "{% endfor %}{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}"
        "<p>n={{ ns.n }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ pack.tender.published.strftime('%Y') }}</p>"
        "{% macro box(x) %}[{{ x }}|{{ caller() }}]{% endmacro %}{% call box(1) %}in{% endcall %}"
        "{% for c in pack.clauses %}{% if loop.index < 3 %}{{ loop.cycle('odd', 'even') }}{% endif %}{% endfor %}"
        "{% filter upper %}shout{% endfilter %}{% set block %}kept{% endset %}<p>{{ block }} {{ self.title() }}</p>"
        "{% include 'part.j2' %}{% from 'part.j2' import hello with context %}{{ hello('you') }}"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "part.j2").write_text(
        "{% macro hello(who) %}hej {{ who }}{% endmacro %}<p>partial {{ pack.tender.id }}</p>", encoding="utf-8")
    path = _template(tmp_path / "templates", "kontraktbilag.html.j2", payload)
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--templates", str(path.parent),
                          "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "kontraktbilag.md").read_text(encoding="utf-8")
    assert "18 måneder/18/months" in text
    assert "n=3 1024 ababab 20" in text and "a+b" in text
    assert "[1|in]" in text and "oddeven" in text and "SHOUT" in text and "kept" in text
    assert "partial IB-2016-RENGOERING" in text and "hej you" in text


# ---- what data may carry into a document --------------------------------------------------------------


def _hostile_tender(tmp_path: Path, title: str) -> Path:
    text = TENDER.read_text(encoding="utf-8")
    start = text.index("title:\n")
    end = text.index("authority:")
    path = tmp_path / "tender.yaml"
    path.write_text(text[:start] + f'title:\n  da: "{title}"\n  en: "{title}"\n' + text[end:], encoding="utf-8")
    return path


def test_markdown_shows_html_from_data_and_never_runs_it(tmp_path: Path) -> None:
    tender = _hostile_tender(tmp_path, "<script>alert(1)</script> <!-- the rest & more")
    code, _, err = invoke("tender", str(tender), "--format", "md", "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "kontraktbilag.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "<!--" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- the rest &amp; more" in text
    assert "Underskrift" in text  # nothing after the unclosed comment is hidden (the signature block ends it)


def test_a_control_character_in_a_yaml_file_is_refused_with_its_line(tmp_path: Path) -> None:
    tender = _hostile_tender(tmp_path, "Rengøring\\x01 af bygninger")
    code, _, err = invoke("tender", str(tender), "--format", "docx", "-o", str(tmp_path / "out"))
    assert code == 2
    line = tender.read_text(encoding="utf-8").splitlines().index('  da: "Rengøring\\x01 af bygninger"') + 1
    assert err == f"Error: {tender}:{line}: control character U+0001 is not allowed\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["docx", "pdf", "md"])
def test_a_control_character_reaching_a_writer_is_replaced_never_a_crash(fmt: str) -> None:
    html = "<html><head><title>T\x01</title></head><body><h1>Rengøring\x01\x0b\x1f af bygninger</h1>" \
           "<p>a\x00b</p><table><tr><th>x\x02</th></tr><tr><td>y\x03</td></tr></table></body></html>"
    data = write_formats(html, fmt, lang="da", charts={}, day=dt.date(2020, 1, 1))
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "Rengøring\ufffd\ufffd\ufffd af bygninger" in text
    elif fmt == "md":
        text = data.decode("utf-8")
        assert "Rengøring\ufffd\ufffd\ufffd af bygninger" in text and "a\ufffdb" in text
    else:
        assert data.startswith(b"%PDF")


@pytest.mark.parametrize("text", [
    "{{ 'x' * 10**9 }}",
    "{{ p.max_course_months.__class__ }}",
    "{{ p.max_course_months.text * 10**8 }}",
    "{{ rule.__globals__ }}",
])
def test_a_hostile_clause_text_is_refused(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "clauses"
    folder.mkdir()
    source = (ROOT / "clauses" / "hours-conversion.yaml").read_text(encoding="utf-8")
    source = source.replace("  - da: >-\n      Forløbet begynder", f"  - da: \"{text}\"\n    en: x\n  - da: >-\n"
                            "      Forløbet begynder", 1)
    (folder / "hours-conversion.yaml").write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    code, _, err = invoke("tender", str(TENDER), "--format", "md", "--clauses", str(folder), "-o", str(out))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "hours-conversion.yaml" in err, err
    assert not out.exists()
    assert time.monotonic() - started < 10
