"""Safe YAML loading that keeps line numbers, rejects duplicate keys and caps expansion.

Only `yaml.SafeLoader` is used, so a rule file cannot construct Python objects. The node graph is
converted by hand, which lets us record the line of every key and count nodes as aliases are expanded
(a "billion laughs" file stops at `MAX_NODES` instead of eating memory).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from procurekit.errors import RuleFileError
from procurekit.privacy import looks_like_cpr, shown

MAX_NODES = 200_000
MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 100
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"

Loc = tuple[Any, ...]
# C0 controls but tab, newline and carriage return; DEL; C1 controls (NEL too); the two non-characters
# PyYAML refuses. Checked before PyYAML sees the text (its ReaderError carries no line).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_FORBIDDEN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_SAFE_TAGS = {
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class LineMap(dict[Loc, int]):
    """Maps a path into the document (tuple of keys and indexes) to its 1-based line."""

    def line_of(self, loc: Loc) -> int | None:
        """Return the line of `loc` or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self:
                return self[loc]
            loc = loc[:-1]
        return self.get((), None)


def load_yaml(path: Path | str, text: str | None = None, refuse_cpr: bool = False) -> tuple[Any, LineMap]:
    """Load one YAML document safely.

    Args:
        path: the file (used in error messages; read unless `text` is given).
        text: the document's text, if already read.
        refuse_cpr: refuse any key or value that looks like a CPR number, as written in the file (a
            file about people, such as contract.yaml).

    Returns:
        The data and a `LineMap` of every key's line.

    Raises:
        RuleFileError: unreadable, oversized or not a regular file, a control character, syntax error,
            duplicate key, a CPR-like scalar (with `refuse_cpr`), or too large a document.
    """
    path = Path(path)
    if text is None:
        text = _read_text(path)
    _refuse_control_characters(path, text)
    node = _parse(path, text)
    lines = LineMap()
    if node is None:
        return None, lines
    counter = [0]
    data = _convert(node, (), lines, path, counter, yaml.SafeLoader(""), refuse_cpr)
    return data, lines


def load_mapping(path: Path | str, not_mapping: str, refuse_cpr: bool = False) -> tuple[dict[str, Any], LineMap]:
    """Load a YAML file whose document must be a mapping (every file procurekit reads is one).

    Args:
        path: the file.
        not_mapping: the message when the document is something else (it says what the file holds).
        refuse_cpr: as for `load_yaml`.

    Raises:
        RuleFileError: as `load_yaml`, or `not_mapping` on line 1.
    """
    data, lines = load_yaml(path, refuse_cpr=refuse_cpr)
    if not isinstance(data, dict):
        raise RuleFileError(Path(path), 1, not_mapping)
    return data, lines


def model_errors(lines: LineMap, exc: ValidationError) -> list[tuple[int | None, str, str]]:
    """(line, dotted location, message) of every problem pydantic found in a YAML document.

    The location leaves out the names pydantic adds for union members (`Rule`, `list[str]`); it is ""
    for the document as a whole. Each caller words and wraps them in its own error class, and decides
    whether to report all of them or the first.
    """
    out = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        keys = tuple(p for p in loc if not (isinstance(p, str) and (p[:1].isupper() or "[" in p)))
        line = lines[loc] if loc in lines else lines.line_of(keys)
        out.append((line, ".".join(str(p) for p in keys), e["msg"]))
    return out


#: libyaml's parser (PyYAML's C loader), when PyYAML was built with it: the same node graph ten times
#: faster. It is used only on text without the characters where the two parsers' line counting or
#: whitespace rules could differ; anything it refuses is parsed again by the Python parser, whose
#: message (and verdict) is the one reported.
_C_LOADER = getattr(yaml, "CSafeLoader", None)
_NOT_FOR_C = re.compile("[\t\r\x85\u2028\u2029\ufeff]")


def _parse(path: Path, text: str) -> yaml.Node | None:
    """The document's node graph, every parser failure a `RuleFileError` with the line where known."""
    if _C_LOADER is not None and not _NOT_FOR_C.search(text):
        fast = _C_LOADER(text)
        try:
            node: yaml.Node | None = fast.get_single_node()
            return node
        except (yaml.YAMLError, RecursionError):  # libyaml also stops at 1000 levels of nesting
            pass
        finally:
            fast.dispose()
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # the reader's own checks; the ones above should leave none
        raise RuleFileError(path, None, f"YAML error: {type(exc).__name__}") from None
    try:
        node = loader.get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise RuleFileError(path, line, f"YAML syntax error: {shown(str(exc.problem), 200)}") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, f"YAML error: {shown(str(exc), 200)}") from None
    except RecursionError:  # the composer recurses once per level of nesting
        raise RuleFileError(path, loader.get_mark().line + 1, _TOO_DEEP) from None
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """A YAML file's text: size and kind checked before reading, at most `MAX_BYTES` + 1 bytes read."""
    too_large = f"file is larger than {MAX_BYTES // 1024 // 1024} MiB"
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
            raise RuleFileError(path, None, "not a regular file")
        if info.st_size > MAX_BYTES:
            raise RuleFileError(path, None, too_large)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # stat may not tell the size (/proc); read no more than the cap
    except OSError as exc:
        raise RuleFileError(path, None, f"cannot read file ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise RuleFileError(path, None, too_large)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleFileError(path, None, f"not UTF-8 (byte {exc.start})") from None


def _refuse_control_characters(path: Path, text: str) -> None:
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    line = 1 + len(_LINE_BREAK.findall(text, 0, found.start()))
    raise RuleFileError(path, line, f"{_kind(found.group())} U+{ord(found.group()):04X} is not allowed")


def _kind(char: str) -> str:
    code = ord(char)
    return "control character" if code <= 0x9F else "surrogate" if code <= 0xDFFF else "non-character"


def _convert(
    node: yaml.Node,
    loc: Loc,
    lines: LineMap,
    path: Path,
    counter: list[int],
    ctor: yaml.SafeLoader,
    refuse_cpr: bool = False,
) -> Any:
    counter[0] += 1
    line = node.start_mark.line + 1
    if counter[0] > MAX_NODES:
        raise RuleFileError(path, line, "document expands to too many nodes")
    if len(loc) > MAX_DEPTH:  # also stops an alias that refers to itself (&a [*a])
        raise RuleFileError(path, line, _TOO_DEEP)
    lines.setdefault(loc, line)
    if node.tag not in _SAFE_TAGS:
        raise RuleFileError(path, line, f"unsupported YAML tag '{shown(str(node.tag), 200)}'")
    if isinstance(node, yaml.MappingNode):
        try:
            ctor.flatten_mapping(node)
        except yaml.MarkedYAMLError as exc:  # a merge key (<<) with something else than mappings
            mark = exc.problem_mark
            raise RuleFileError(path, mark.line + 1 if mark else line, f"bad merge key: {exc.problem}") from None
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, loc, LineMap(), path, counter, ctor, refuse_cpr)
            if isinstance(key, (list, dict)):
                raise RuleFileError(path, key_node.start_mark.line + 1, "a key must be a scalar")
            if key in out:
                raise RuleFileError(path, key_node.start_mark.line + 1, f"duplicate key '{shown(str(key))}'")
            lines[loc + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, loc + (key,), lines, path, counter, ctor, refuse_cpr)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, loc + (i,), lines, path, counter, ctor, refuse_cpr) for i, item in enumerate(node.value)
        ]
    # The scalar as written (010190.1234 would become the float 10190.1234).
    if refuse_cpr and looks_like_cpr(str(node.value)):
        raise RuleFileError(path, line, "looks like a CPR number; use a pseudonym (value not shown)")
    # An escape ("\x1b[31m", "\ud800") can put back what the file may not hold; it would reach outputs.
    escaped = _FORBIDDEN_VALUE.search(str(node.value))
    if escaped is not None:
        raise RuleFileError(path, line, f"{_kind(escaped.group())} U+{ord(escaped.group()):04X} is not allowed")
    try:
        return ctor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2017-13-01
        raise RuleFileError(path, line, f"bad value: {shown(str(exc), 200)}") from None
