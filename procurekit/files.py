"""Where the bundled data folders (rules/, clauses/, templates/) live.

In a built wheel they are inside the package (hatch force-include); in a source checkout they are the
top-level folders next to the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the bundled folder `name` (rules, clauses or templates)."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name
