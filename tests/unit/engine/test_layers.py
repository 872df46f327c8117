"""The engine's modules import each other in one direction only: no import circle, counting
imports made for type checking and inside functions too."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import kg.engine

PACKAGE = Path(kg.engine.__file__).parent


def imports(path: Path) -> set[str]:
    """The ``kg.engine`` modules that the module at ``path`` imports, wherever it imports them."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg.engine"):
            found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_engine_has_no_import_circle() -> None:
    modules = {f"kg.engine.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert len(modules) > 10
    graph = {name: (imports(path) & modules.keys()) - {name} for name, path in modules.items()}
    assert graph["kg.engine.base"] and graph["kg.engine.plan"]  # (the graph is read at all)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import circle: {' → '.join(err.args[1])}") from None
    assert order.index("kg.engine.results") < order.index("kg.engine.plan") < order.index("kg.engine.base")
