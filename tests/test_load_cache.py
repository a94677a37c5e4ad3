"""A rule set and the clause library are read once per process, and again as soon as one of their files
changes (by content: a rewrite within the clock's tick at the same size counts)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from procurekit import load_ruleset
from procurekit.documents import load_library
from procurekit.errors import RuleSetErrors
from procurekit.files import FileCache, fingerprint

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2020, 1, 1)


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    parent = tmp_path / "parent.yaml"
    parent.write_text((ROOT / "rules" / "ikast-brande.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("id: child\ntitle: {da: Barn, en: Child}\nextends: parent.yaml\n", encoding="utf-8")
    return parent, child


def test_a_rule_set_is_loaded_once_while_its_files_are_unchanged(tmp_path: Path) -> None:
    _, child = _pair(tmp_path)
    first = load_ruleset(child)
    assert load_ruleset(child) is first
    assert load_ruleset(str(child)) is first


def test_a_changed_parent_is_read_again_even_at_the_same_size_and_time(tmp_path: Path) -> None:
    parent, child = _pair(tmp_path)
    assert load_ruleset(child).parameters["min_benefit_years"].at(DAY) == 5
    text = parent.read_text(encoding="utf-8")
    stat = parent.stat()
    changed = text.replace("  min_benefit_years:\n    value: 5\n", "  min_benefit_years:\n    value: 6\n", 1)
    assert changed != text and len(changed) == len(text)
    parent.write_text(changed, encoding="utf-8")
    os.utime(parent, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same time stamp as before
    assert load_ruleset(child).parameters["min_benefit_years"].at(DAY) == 6


def test_a_failed_load_is_not_kept(tmp_path: Path) -> None:
    _, child = _pair(tmp_path)
    good = child.read_text(encoding="utf-8")
    child.write_text(good.replace("id: child", "id: Child!"), encoding="utf-8")
    with pytest.raises(RuleSetErrors):
        load_ruleset(child)
    child.write_text(good, encoding="utf-8")
    assert load_ruleset(child).id == "child"


def test_the_clause_library_is_read_again_when_a_clause_changes(tmp_path: Path) -> None:
    extra = tmp_path / "clauses"
    extra.mkdir()
    own = extra / "sanctions.yaml"
    text = (ROOT / "clauses" / "sanctions.yaml").read_text(encoding="utf-8")
    own.write_text(text.replace("da: Sanktioner\n", "da: Sanktion 1\n", 1), encoding="utf-8")
    assert load_library(extra)["sanctions"].spec.title.da == "Sanktion 1"
    assert load_library(extra)["sanctions"].spec.title.da == "Sanktion 1"
    own.write_text(text.replace("da: Sanktioner\n", "da: Sanktion 2\n", 1), encoding="utf-8")
    assert load_library(extra)["sanctions"].spec.title.da == "Sanktion 2"
    (extra / "zz-extra.yaml").write_text("not: a clause\n", encoding="utf-8")
    with pytest.raises(RuleSetErrors):  # a file added is read too
        load_library(extra)


def test_a_caller_changing_its_library_does_not_change_the_next_one() -> None:
    library = load_library()
    library.clear()
    assert load_library()


def test_a_file_without_a_fingerprint_is_never_kept(tmp_path: Path) -> None:
    cache: FileCache[str] = FileCache()
    cache.put("fifo", [(tmp_path, fingerprint(tmp_path))], "value")  # a folder has no fingerprint
    assert fingerprint(tmp_path) is None
    assert cache.get("fifo") is None
    path = tmp_path / "f"
    path.write_text("a", encoding="utf-8")
    cache.put("file", [(path, fingerprint(path))], "value")
    assert cache.get("file") == "value"
    path.unlink()
    assert cache.get("file") is None

