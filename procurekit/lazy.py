"""Public names imported on first use, so a command loads only the modules it needs.

`procurekit check` must not pay for the document stack (Jinja2, matplotlib, the DOCX and PDF writers)
or the web workspace, yet `from procurekit import check_json` and `procurekit.documents.chart` keep
working. A package's `__init__` names where each public name lives and installs the module hooks
`exports` returns; the same imports stay written out under `if TYPE_CHECKING:` for the type checker
and for tests/test_layers.py, which reads every import from the source.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module `__getattr__` and `__dir__` of `package`, whose public names live elsewhere.

    Args:
        package: the package's `__name__`.
        where: public name → the module defining it, or "module:attribute" when the name is an alias.

    A name is imported the first time it is asked for and then kept in the package's namespace, so later
    lookups cost nothing.
    """
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        target = where.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = target.partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
