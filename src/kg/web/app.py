"""Assemble the FastAPI application from its routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from kg import __version__
from kg.engine.base import QueryEngine
from kg.settings import Settings
from kg.web.http.errors import install_errors
from kg.web.http.headers import Builds
from kg.web.http.middleware import HttpMiddleware, LimitsMiddleware
from kg.web.http.result_cache import ResultCache
from kg.web.iris import path_prefix
from kg.web.render.editor import Editor
from kg.web.render.pages import Site
from kg.web.routes.assets import Assets, assets_router
from kg.web.routes.downloads import downloads_router
from kg.web.routes.landing import landing_router
from kg.web.routes.lists import lists_router
from kg.web.routes.reader import reader_router
from kg.web.routes.resources import resources_router
from kg.web.routes.search import search_router
from kg.web.routes.sparql import sparql_router
from kg.web.routes.timeline import timeline_router
from kg.web.views.examples import examples
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData

CODE_ROOT = Path(__file__).resolve().parents[3]
EXPOSED = [
    "X-Result-Truncated",
    "X-Cache",
    "Link",
    "Content-Location",
    "ETag",
    "Last-Modified",
    "Retry-After",
]
"""The answers' headers that scripts on other sites may read (CORS)."""


def yasgui_assets(root: Path) -> Path | None:
    """YASGUI's build folder, installed by ``npm ci`` beside the data or beside this code."""
    for base in (root, CODE_ROOT):
        folder = base / "node_modules" / "@triply" / "yasgui" / "build"
        if (folder / "yasgui.min.js").is_file():
            return folder
    return None


def create_app(settings: Settings, engine: QueryEngine) -> FastAPI:
    """The whole service over ``engine``; ``settings`` says where things are and how big limits are.

    Every request passes, outermost first: the HTTP rules every answer gets (HEAD, content coding,
    validators, security headers, send deadline: :mod:`kg.web.http.middleware`), CORS, gzip, the
    request limits (``LimitsMiddleware``, same module), then FastAPI's routing to an ordinary route.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await engine.start()
        try:
            yield
        finally:
            await engine.stop()

    app = FastAPI(
        title="NATO–Iraq knowledge graph",
        version=__version__,
        description="SPARQL endpoint and linked-data service for the NATO page 'Relations with Iraq'.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's /docs and /redoc load their scripts from a CDN: nothing may
        redoc_url=None,  # load from elsewhere, so only the description itself, /openapi.json, is served
    )
    builds = Builds(settings.dist_dir / "build.json", engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.result_cache = ResultCache(settings.cache_mb * 1024 * 1024)
    app.state.builds = builds
    app.state.examples = examples(settings.root / "queries")  # read once: the editor's and the landing page's
    install_errors(app)
    app.add_middleware(LimitsMiddleware, settings=settings)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=EXPOSED,
    )
    app.add_middleware(HttpMiddleware, builds=builds, send_timeout=settings.send_timeout)  # outermost
    prefix = path_prefix(settings.public_url or "")
    assets = Assets(yasgui_assets(settings.root))
    app.state.site = Site(prefix, assets.urls(prefix))  # what every page's template needs
    app.state.page_data = PageData()  # what pages compute once per build
    app.state.offload = Offload.with_threads(settings.query_timeout)  # where pages do their CPU work
    app.include_router(sparql_router(Editor(app.state.examples, app.state.site)))
    app.include_router(landing_router())
    app.include_router(resources_router())
    app.include_router(search_router())
    app.include_router(downloads_router())
    app.include_router(timeline_router())
    app.include_router(lists_router())
    app.include_router(reader_router())
    app.include_router(assets_router(assets))
    return app
