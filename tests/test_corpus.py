"""Every bad input in tests/corpus gives its one expected line on stderr, exit code 2, and no output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from procurekit.cli import cli

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.txt").is_file())


def test_corpus_is_there() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Path, tmp_path: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").replace("{DS}", str(case))
    target = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["check", str(case), "--format", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {expected}"
    assert result.stdout == ""
    assert not target.exists()
