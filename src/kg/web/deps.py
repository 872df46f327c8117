"""What request handlers depend on: the settings, the engine, the result cache, the build being
served, the per-query limits, the public address, and what the pages share (page data, the
offload for CPU work, the site's paths, the example queries, the term labels).

Routes declare them with ``Depends``, through the ``…Dep`` aliases (``engine: EngineDep``), so a
test swaps any of them for every route with ``app.dependency_overrides[get_engine] = other``,
where ``other`` takes the request (``def other(request: Request) -> QueryEngine``). They are
coroutine functions: FastAPI awaits those on the event loop, where a plain function would cost
a thread hop (about 0.1 ms) on every request.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from kg.engine.base import QueryEngine
from kg.engine.plan import Limits, limits_for
from kg.settings import Settings
from kg.web.http.headers import BuildInfo
from kg.web.http.result_cache import ResultCache
from kg.web.render.pages import Site
from kg.web.views.examples import Example
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


async def get_cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


async def get_build(request: Request) -> BuildInfo:
    """The facts of the build being served (``build.json``), read once per build."""
    build: BuildInfo = request.app.state.builds.current()
    return build


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
CacheDep = Annotated[ResultCache, Depends(get_cache)]
BuildDep = Annotated[BuildInfo, Depends(get_build)]


async def get_limits(settings: SettingsDep) -> Limits:
    """The per-query limits the settings give (:func:`kg.engine.plan.limits_for`)."""
    return limits_for(settings)


LimitsDep = Annotated[Limits, Depends(get_limits)]


async def public_url(request: Request, settings: SettingsDep) -> str:
    """The address this service is reached at, without a trailing ``/``: ``--public-url`` when it
    was given, else the scheme and host the request came to."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    scope = request.scope
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    server = scope.get("server")
    return _base_url(
        scope.get("scheme", "http"), host, tuple(server) if server else None, scope.get("root_path", "")
    )


@lru_cache(maxsize=64)
def _base_url(scheme: str, host: bytes | None, server: tuple[str, int] | None, root_path: str) -> str:
    """Starlette's ``request.base_url`` without its trailing ``/``, worked out once per address."""
    headers = [(b"host", host)] if host is not None else []
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": "/",
        "headers": headers,
    }
    return str(Request(scope).base_url).rstrip("/")


PublicUrlDep = Annotated[str, Depends(public_url)]


# What the pages share besides the engine and the settings (each made once by ``create_app``).


async def get_page_data(request: Request) -> PageData:
    """Values the pages compute once per build of the data (the timeline's, the labels)."""
    data: PageData = request.app.state.page_data
    return data


async def get_offload(request: Request) -> Offload:
    """Where the pages' CPU work runs, off the event loop, in the turns of the request's client."""
    offload: Offload = request.app.state.offload
    return replace(offload, client=request.client.host if request.client else None)


async def get_site(request: Request) -> Site:
    """The public path prefix and the asset URLs every page's template needs."""
    site: Site = request.app.state.site
    return site


async def get_examples(request: Request) -> list[Example]:
    """The example queries (``queries/*.rq``), read once at start-up."""
    examples: list[Example] = request.app.state.examples
    return examples


PageDataDep = Annotated[PageData, Depends(get_page_data)]
OffloadDep = Annotated[Offload, Depends(get_offload)]
SiteDep = Annotated[Site, Depends(get_site)]
ExamplesDep = Annotated[list[Example], Depends(get_examples)]
