"""Private internals of libraries are used in one place each, and those libraries have an upper bound."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "procurekit"

# private name -> (the one module allowed to use it, the distribution it belongs to)
INTERNALS = {
    "_ruleset_directory": ("evaluation/durable_engine.py", "durable_rules"),
    "_ruleset_list": ("evaluation/durable_engine.py", "durable_rules"),
    "durable_rules_engine.delete_ruleset": ("evaluation/durable_engine.py", "durable_rules"),
    "openpyxl.worksheet._reader": ("dataset/excel.py", "openpyxl"),
    "_shared_strings": ("dataset/excel.py", "openpyxl"),
    "_get_source": ("dataset/excel.py", "openpyxl"),
    "_date_formats": ("dataset/excel.py", "openpyxl"),
    '"_processes"': ("evaluation/batch.py", None),
}


@pytest.mark.parametrize("name", INTERNALS)
def test_internal_is_used_in_one_module(name: str) -> None:
    users = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if name in p.read_text("utf-8"))
    assert users == [INTERNALS[name][0]]


@pytest.mark.parametrize("dist", sorted({d for _, d in INTERNALS.values() if d}))
def test_library_with_used_internals_has_an_upper_bound(dist: str) -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    spec = next(d for d in deps if re.match(rf"{re.escape(dist)}\b", d))
    assert "<" in spec, spec
