"""The in-process test tier: the whole FastAPI app over the embedded engine, driven by TestClient
(entered, so that its start-up runs and every request runs on the app's one event loop) or, for
tests that send requests at once, by ``served``: an httpx client on the test's own loop.

No server process and no worker processes: a request goes through every middleware and router
exactly as over HTTP, and the engine is pyoxigraph in this process. Use it for protocol and page
behaviour; keep real-server tests for what only a real HTTP stack shows (the parser, streaming,
time limits, worker processes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from helpers import FIXTURES, copy_project
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import limits_for
from kg.settings import Settings
from kg.web.app import create_app

MINI_GRAPH = "https://w3id.org/nato-iraq/graph/data/mini"


def build_mini(folder: Path) -> Path:
    """The mini fixture project copied into ``folder`` and built (returns the project root)."""
    from kg.build.pipeline import build

    root = copy_project(FIXTURES / "mini", folder / "mini")
    build(root, root / "dist")
    return root


def client(
    root: Path, base_url: str = "http://testserver", *, follow_redirects: bool = True, **fields: Any
) -> TestClient:
    """A TestClient over the app serving the built ``root`` (``fields`` override Settings); use it
    entered (``with client(root) as c``): its requests then run on the loop its start-up ran on."""
    settings = Settings(root=root, **fields)
    engine = EmbeddedEngine(settings.store_path, settings.data, limits=limits_for(settings))
    return TestClient(create_app(settings, engine), base_url=base_url, follow_redirects=follow_redirects)


@dataclass(frozen=True)
class Page:
    """One answer to ``GET path`` with ``Accept: text/html``."""

    status: int
    content_type: str
    text: str


class Pages:
    """The HTML answers of a site that does not change, each fetched once.

    The crawl and the every-document test ask for the same few hundred pages; they share the
    answers instead of rendering each page twice. Each test still checks every answer it needs.
    """

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.seen: dict[str, Page] = {}

    def get(self, path: str) -> Page:
        if path not in self.seen:
            r = self.http.get(path, headers={"Accept": "text/html"})
            self.seen[path] = Page(r.status_code, r.headers.get("content-type", ""), r.text)
        return self.seen[path]


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` started (its lifespan run: the engine's start-up, the timeline's warm-up) and a
    client that calls it, both on the running event loop: the app's own loop, as under a server."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as http:
            yield http


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as their own routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)
