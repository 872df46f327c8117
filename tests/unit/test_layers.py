"""The package's modules import each other in one direction only: no import circle anywhere in
``kg`` (counting imports made for type checking and inside functions too), and each layer imports
only the layers below it (docs/architecture.md)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import kg

PACKAGE = Path(kg.__file__).parent
LAYERS = {
    # a package (or module prefix) → the kg packages it may not import
    "kg.build": ("kg.engine", "kg.web", "kg.api", "kg.cli"),
    "kg.engine": ("kg.web", "kg.api", "kg.cli"),
    "kg.web.http": ("kg.web.routes", "kg.web.views", "kg.web.render", "kg.web.app"),
    "kg.web.views": ("kg.web.routes", "kg.web.app", "kg.web.http"),
    "kg.web.render": ("kg.web.routes", "kg.web.app", "kg.web.http"),
    "kg.web.routes": ("kg.web.app",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """The ``kg`` modules that the module at ``path`` imports, wherever it imports them."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found & MODULES.keys()


def test_no_import_circle_in_the_package() -> None:
    assert len(MODULES) > 60
    graph = {name: imports(path) - {name, "kg"} for name, path in MODULES.items() if name != "kg"}
    assert graph["kg.engine.base"] and graph["kg.web.app"]  # (the graph is read at all)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import circle: {' → '.join(err.args[1])}") from None
    assert order.index("kg.engine.results") < order.index("kg.engine.plan") < order.index("kg.engine.base")


@pytest.mark.parametrize("layer", list(LAYERS))
def test_each_layer_imports_only_the_layers_below(layer: str) -> None:
    members = {n: p for n, p in MODULES.items() if n == layer or n.startswith(layer + ".")}
    assert members
    wrong = sorted(
        f"{name} imports {target}"
        for name, path in members.items()
        for target in imports(path)
        if target.startswith(LAYERS[layer])
    )
    assert not wrong, wrong
