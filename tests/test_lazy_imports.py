"""Start-up: `procurekit --help` and `check` load neither the document stack, matplotlib, the web workspace
nor openpyxl; the packages' public names, imported on first use, are the names their modules define."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import procurekit

ROOT = Path(procurekit.__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ikast-brande"
#: What a check never needs: the renderers (Jinja2 and what writes DOCX and PDF), charts, the web
#: workspace, the xlsx reader (a CSV dataset), and numpy (0.1 s; the lines of a large CSV file only).
HEAVY = ("matplotlib", "PIL", "jinja2", "docx", "fpdf", "weasyprint", "starlette", "uvicorn", "openpyxl", "numpy")
LAZY_PACKAGES = ["procurekit", *(f"procurekit.{p}" for p in ("authoring", "business", "documents", "evaluation"))]


def _loaded_after(script: str) -> list[str]:
    """The heavy top-level modules a fresh interpreter holds after running `script`."""
    probe = f"{script}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return [m for m in HEAVY if m in loaded]


def test_help_loads_nothing_heavy() -> None:
    script = "from procurekit.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass"
    assert _loaded_after(script) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_loads_nothing_heavy_in_the_command_or_its_worker(fmt: str, tmp_path: Path) -> None:
    # The command forks a worker for the check itself; the second half does here what the worker does.
    script = f"""
from pathlib import Path
from procurekit.cli import cli
try:
    cli(['check', {str(EXAMPLE)!r}, '--format', {fmt!r}, '-o', {str(tmp_path / "out")!r}])
except SystemExit as exc:
    assert exc.code in (0, 1), exc.code
from procurekit import check_json, check_text
from procurekit.documents.actions import finding_notes
from procurekit.evaluation import Job
from procurekit.evaluation.batch import run_job
done = run_job(Job(Path({str(EXAMPLE)!r}), None, None, 'python', 'da', False, {fmt == "text"}),
               (check_json, check_text, finding_notes))
assert 'error' not in done, done
"""
    assert _loaded_after(script) == []


def test_a_report_still_draws_its_charts() -> None:
    # The lazy import of matplotlib happens where a chart is drawn.
    from procurekit import chart
    from procurekit.documents import Series

    drawn = chart("T", ["a", "b"], [Series("s", [1.0, 2.0])], y_label="y")
    assert drawn.svg.startswith("<svg") and drawn.png.startswith(b"\x89PNG")


def _imports(package: str) -> tuple[dict[str, str], set[str]]:
    """The package __init__'s imports: under `if TYPE_CHECKING:` (name → "module" or "module:attribute"),
    and the names it imports right away."""
    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    lazy: dict[str, str] = {}
    eager: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for item in node.body:
                assert isinstance(item, ast.ImportFrom) and item.module
                for alias in item.names:
                    lazy[alias.asname or alias.name] = item.module + ("" if alias.asname is None else f":{alias.name}")
        elif isinstance(node, ast.ImportFrom):
            eager.update(alias.asname or alias.name for alias in node.names)
    return lazy, eager


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_the_lazy_names_are_the_imports_the_type_checker_sees(package: str) -> None:
    module = importlib.import_module(package)
    where = vars(module)["_WHERE"]
    written, eager = _imports(package)
    assert set(where) == set(written)
    assert set(where) <= set(module.__all__) <= set(where) | eager
    for name, target in where.items():
        home, _, attribute = target.partition(":")
        assert getattr(module, name) is getattr(importlib.import_module(home), attribute or name)
        # The type checker's view may import from a subpackage that itself re-exports the name.
        seen, _, seen_attribute = written[name].partition(":")
        assert getattr(module, name) is getattr(importlib.import_module(seen), seen_attribute or name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        procurekit.nonexistent  # noqa: B018
    assert not hasattr(importlib.import_module("procurekit.documents"), "nonexistent")
    assert "check_json" in dir(procurekit)


def test_every_command_is_found_by_its_name_and_check_loads_no_other_command() -> None:
    from procurekit.cli import COMMANDS, cli

    ctx = __import__("click").Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    assert all(cli.get_command(ctx, name).name == name for name in COMMANDS)  # type: ignore[union-attr]
    assert cli.get_command(ctx, "nonsense") is None
    script = "from procurekit.cli import cli\ntry:\n    cli(['check', '--help'])\nexcept SystemExit:\n    pass"
    probe = f"{script}\nimport sys\nprint(sorted(m for m in sys.modules if m.startswith('procurekit.cli.')))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip().splitlines()[-1] == "['procurekit.cli.check', 'procurekit.cli.options']"
