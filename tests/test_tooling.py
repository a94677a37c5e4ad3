"""`make test` is the whole gate: lint, types and tests, with the tools in the dev dependency group."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _recipe(target: str) -> list[str]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_test_runs_ruff_mypy_and_pytest() -> None:
    recipe = _recipe("test")
    assert any(re.search(r"/ruff check procurekit tests$", line) for line in recipe), recipe
    assert any(re.search(r"/mypy procurekit$", line) for line in recipe), recipe
    assert any(line.endswith("-m pytest") for line in recipe), recipe


def test_dev_group_holds_the_tools_with_lower_bounds() -> None:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["dev"]
    bounds = {re.split(r"[<>=!~ ]", spec, maxsplit=1)[0].lower(): spec for spec in dev}
    for tool in ("ruff", "mypy", "types-pyyaml"):
        assert ">=" in bounds.get(tool, ""), (tool, dev)
