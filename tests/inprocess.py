"""The in-process test tier: the whole FastAPI app over the embedded engine, driven by TestClient.

No server process and no worker processes: a request goes through every middleware and router
exactly as over HTTP, and the engine is pyoxigraph in this process. Use it for protocol and page
behaviour; keep real-server tests for what only a real HTTP stack shows (the parser, streaming,
time limits, worker processes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from conftest import FIXTURES, copy_project
from kg.engine.embedded import EmbeddedEngine
from kg.engine.policy import Allowlist
from kg.settings import Settings
from kg.web.app import create_app

MINI_GRAPH = "https://w3id.org/nato-iraq/graph/data/mini"


def build_mini(folder: Path) -> Path:
    """The mini fixture project copied into ``folder`` and built (returns the project root)."""
    from kg.build import build

    root = copy_project(FIXTURES / "mini", folder / "mini")
    build(root, root / "dist")
    return root


def client(root: Path, base_url: str = "http://testserver", **fields: Any) -> TestClient:
    """A TestClient over the app serving the built ``root`` (``fields`` override Settings)."""
    settings = Settings(root=root, **fields)
    engine = EmbeddedEngine(
        settings.store_path,
        settings.data,
        allow=Allowlist(tuple(settings.allow_service)),
        max_rows=settings.max_rows,
    )
    return TestClient(create_app(settings, engine), base_url=base_url)
