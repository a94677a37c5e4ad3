"""libyaml's parser (fast) and PyYAML's (exact messages) give the same data, lines and errors on every
YAML file of the repository and on hostile documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procurekit import yamlio
from procurekit.errors import RuleFileError

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in ROOT.rglob("*.yaml") if ".git" not in p.parts)
HOSTILE = {
    "deep-flow": "[" * 5000 + "]" * 5000,
    "deep-block": "\n".join(" " * i + "a:" for i in range(1500)) + " 1",
    "deep-sequence": "- " * 3000 + "1",
    "laughs": "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
    "duplicate": "a: 1\nb: 2\na: 3\n",
    "syntax": "a: [1, 2\nb: 3\n",
    "mapping-in-plain": "a: b: c\n",
    "tab": "a:\n\t- 1\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "python-tag": "a: !!python/object:os.system ls\n",
    "bad-date": "a: 2017-13-01\n",
    "key-too-long": "? " + "k" * 2000 + "\n: 1\n",
    "simple-key-too-long": "k" * 1100 + ": 1\n",
    "merge": "base: &b {x: 1}\nthing:\n  <<: *b\n  y: 2\n",
    "bad-merge": "thing:\n  <<: [1, 2]\n",
    "anchor-undefined": "a: *nothing\n",
    "line-separator": "a: 1\u2028b: 2\n",
    "empty": "",
    "comment": "# nothing\n",
}


def _load(text: str, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    monkeypatch.setattr(yamlio, "_C_LOADER", yamlio._C_LOADER if fast else None)
    try:
        data, lines = yamlio.load_yaml(Path("doc.yaml"), text=text)
    except RuleFileError as exc:
        return ("error", exc.line, exc.message)
    except RecursionError:
        return ("recursion",)
    return (data, dict(lines))


def test_the_fast_parser_is_there() -> None:
    assert yamlio._C_LOADER is not None  # else the tests below compare the Python parser with itself


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_yaml_file_loads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    assert _load(text, True, monkeypatch) == _load(text, False, monkeypatch)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_document_gives_the_same_result(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HOSTILE[name]
    assert _load(text, True, monkeypatch) == _load(text, False, monkeypatch)
