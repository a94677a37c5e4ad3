"""Safe YAML loading that keeps line numbers, rejects duplicate keys and caps expansion.

Only `yaml.SafeLoader` is used, so a rule file cannot construct Python objects. The node graph is
converted by hand, which lets us record the line of every key and count nodes as aliases are expanded
(a "billion laughs" file stops at `MAX_NODES` instead of eating memory).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import RuleFileError

MAX_NODES = 200_000
MAX_BYTES = 5 * 1024 * 1024

Loc = tuple[Any, ...]
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


def load_yaml(path: Path | str, text: str | None = None) -> tuple[Any, LineMap]:
    """Load one YAML document safely.

    Args:
        path: the file (used in error messages; read unless `text` is given).
        text: the document's text, if already read.

    Returns:
        The data and a `LineMap` of every key's line.

    Raises:
        RuleFileError: unreadable file, syntax error, duplicate key or too large a document.
    """
    path = Path(path)
    if text is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RuleFileError(path, None, f"cannot read file ({exc.strerror})") from None
        if len(raw) > MAX_BYTES:
            raise RuleFileError(path, None, f"file is larger than {MAX_BYTES // 1024 // 1024} MiB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RuleFileError(path, None, f"not UTF-8 (byte {exc.start})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise RuleFileError(path, line, f"YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    lines = LineMap()
    if node is None:
        return None, lines
    counter = [0]
    data = _convert(node, (), lines, path, counter, yaml.SafeLoader(""))
    return data, lines


#: control characters (all but tab, newline, carriage return) and non-characters no document can hold
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _convert(
    node: yaml.Node, loc: Loc, lines: LineMap, path: Path, counter: list[int], ctor: yaml.SafeLoader
) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise RuleFileError(path, node.start_mark.line + 1, "document expands to too many nodes")
    lines.setdefault(loc, node.start_mark.line + 1)
    if node.tag not in _SAFE_TAGS:
        raise RuleFileError(path, node.start_mark.line + 1, f"unsupported YAML tag '{node.tag}'")
    if isinstance(node, yaml.MappingNode):
        ctor.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, loc, LineMap(), path, counter, ctor)
            if isinstance(key, (list, dict)):
                raise RuleFileError(path, key_node.start_mark.line + 1, "a key must be a scalar")
            if key in out:
                raise RuleFileError(path, key_node.start_mark.line + 1, f"duplicate key '{key}'")
            lines[loc + (key,)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, loc + (key,), lines, path, counter, ctor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, loc + (i,), lines, path, counter, ctor) for i, item in enumerate(node.value)
        ]
    try:
        value = ctor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2017-13-01
        raise RuleFileError(path, node.start_mark.line + 1, f"bad value: {exc}") from None
    bad = _CONTROL.search(value) if isinstance(value, str) else None
    if bad is not None:  # written as an escape ("\x01"): no document format can hold it
        raise RuleFileError(path, node.start_mark.line + 1,
                            f"control character U+{ord(bad.group()):04X} in a text; remove it")
    return value
