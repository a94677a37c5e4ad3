"""The package's layers (README, Layout): no import circles, no import running up, no private names across.

Read from the source with `ast`, imports inside functions included: a lazy import is still an import.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

import procurekit

ROOT = Path(procurekit.__file__).parent

#: Lowest first; a module may import its own layer's modules and those of the layers below.
LAYERS = [
    ("procurekit.conditions", "procurekit.errors", "procurekit.privacy", "procurekit.files", "procurekit.yamlio",
     "procurekit.messages",
     "procurekit.version", "procurekit.months", "procurekit.l10n", "procurekit.lazy"),
    ("procurekit.ruleset",),
    ("procurekit.dataset",),
    ("procurekit.evaluation",),
    ("procurekit.documents",),
    ("procurekit.business",),
    ("procurekit.authoring",),
    ("procurekit.ledger",),
    ("procurekit",),  # the public API, procurekit/__init__.py
    ("procurekit.web",),  # the browser workspace, over the public API
    ("procurekit.cli", "procurekit.pytest_plugin"),
    ("procurekit.__main__",),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _layer(module: str) -> int:
    best = None
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[1]):
                best = (i, len(name))
    assert best is not None, module
    return best[0]


def _imports(module: str, path: Path, known: set[str]) -> list[tuple[str, list[str]]]:
    """(imported procurekit module, names taken from it) for every import in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.split(".")[0] == "procurekit"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "procurekit":
                continue
            for a in node.names:  # `from procurekit.documents import actions` imports a module
                sub = f"{base}.{a.name}"
                is_module = sub in known and isinstance(_attribute(base, a.name), ModuleType)
                out.append((sub, []) if is_module else (base, [a.name]))
    return out


def _attribute(package: str, name: str) -> object:
    """`package.name`, importing it when it is a module not imported yet (packages import their names lazily)."""
    found = getattr(importlib.import_module(package), name, None)
    return found if found is not None else importlib.import_module(f"{package}.{name}")


def _graph() -> dict[str, list[tuple[str, list[str]]]]:
    modules = _modules()
    return {m: _imports(m, p, set(modules)) for m, p in modules.items()}


def test_no_import_runs_up_a_layer() -> None:
    up = [f"{m} -> {t}" for m, edges in _graph().items() for t, _ in edges if _layer(t) > _layer(m)]
    assert up == []


def test_no_import_circles() -> None:
    graph = {m: {t for t, _ in edges if t in _modules() and t != m} for m, edges in _graph().items()}
    # the package itself is imported first by every submodule import; only its own imports count
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == []


def test_no_module_takes_another_modules_private_name() -> None:
    taken = [f"{m}: {t}.{n}" for m, edges in _graph().items() for t, names in edges for n in names
             if n.startswith("_") and not n.startswith("__")]
    assert taken == []


def test_the_layers_name_every_module() -> None:
    for module in _modules():
        _layer(module)


def test_every_module_loads_rule_sets_with_the_durable_check() -> None:
    # ruleset.load cannot import the engines (they sit above it), so its loader takes the durable check
    # as an argument; everything above loads through evaluation.engines.load_checked_ruleset instead.
    raw = [m for m, edges in _graph().items() for t, names in edges
           if t == "procurekit.ruleset.load" and {"load_ruleset", "validate_ruleset"} & set(names)
           and m != "procurekit.evaluation.engines"]
    assert raw == []


def test_the_command_line_imports_the_public_api_not_module_paths() -> None:
    packages = {"procurekit." + p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    deep = [f"{m} -> {t}" for m, edges in _graph().items() if m.startswith("procurekit.cli")
            for t, _ in edges if t.count(".") >= 2 and not t.startswith("procurekit.cli")
            and t.rpartition(".")[0] in packages]
    assert deep == []


@pytest.mark.parametrize("package", ["procurekit", *(f"procurekit.{p}" for p in (
    "ruleset", "dataset", "evaluation", "documents", "business", "authoring", "ledger"))])
def test_every_package_lists_its_public_names(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__, key=str)
    for name in module.__all__:
        assert not name.startswith("_") or name == "__version__"
        assert getattr(module, name) is not None


@pytest.mark.parametrize("package", [m for m, p in _modules().items() if p.name == "__init__.py"])
def test_no_package_hides_a_module_behind_a_name(package: str) -> None:
    # `procurekit.evaluation.check` must stay the module (monkeypatch paths, `import ... as`), not the function
    module = importlib.import_module(package)
    hidden = [n for n in vars(module) if f"{package}.{n}" in _modules()
              and not isinstance(getattr(module, n), ModuleType)]
    assert hidden == []
