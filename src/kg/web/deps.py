"""What request handlers depend on: the settings, the engine, the result cache, the public address.

Each is a function of the request. Handlers get them through :func:`provided`, which honours
``app.dependency_overrides`` as FastAPI does, so a test swaps the engine or the settings of one
app with ``app.dependency_overrides[get_engine] = lambda request: other`` without the cost of
FastAPI's dependency solver on the query path (it would run each sync dependency in a thread).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from kg.engine.base import QueryEngine
from kg.engine.plan import Limits
from kg.engine.policy import Allowlist
from kg.settings import Settings
from kg.web.http.result_cache import ResultCache
from kg.web.render.pages import Site
from kg.web.views.examples import Example
from kg.web.views.labels import term_labels
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData

T = TypeVar("T")


def provided(request: Request, dependency: Callable[[Request], T]) -> T:
    """``dependency(request)``, or what the app's override for it gives."""
    chosen: Callable[[Request], T] = request.app.dependency_overrides.get(dependency, dependency)
    return chosen(request)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


def get_cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


def get_limits(request: Request) -> Limits:
    return limits_of(provided(request, get_settings))


def public_url(request: Request) -> str:
    """The address this service is reached at, without a trailing ``/``: ``--public-url`` when it
    was given, else the scheme and host the request came to."""
    configured = provided(request, get_settings).public_url
    if configured:
        return configured.rstrip("/")
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


_LIMITS: dict[int, tuple[Settings, Limits]] = {}


def limits_of(settings: Settings) -> Limits:
    """The per-query limits the settings give (worked out once per settings object)."""
    known = _LIMITS.get(id(settings))
    if known is not None and known[0] is settings:
        return known[1]
    limits = Limits(
        max_rows=settings.max_rows,
        timeout=settings.query_timeout,
        max_depth=settings.max_depth,
        allow=Allowlist(tuple(settings.allow_service)),
        max_tokens=settings.max_tokens,
        max_chain=settings.max_chain,
    )
    _LIMITS[id(settings)] = (settings, limits)
    return limits


# What the pages depend on besides the engine and the settings (each made once by ``create_app``).


async def get_page_data(request: Request) -> PageData:
    """Values the pages compute once per build of the data (the timeline's, the labels)."""
    data: PageData = request.app.state.page_data
    return data


async def get_offload(request: Request) -> Offload:
    """Where the pages' CPU work runs, off the event loop."""
    offload: Offload = request.app.state.offload
    return offload


async def get_site(request: Request) -> Site:
    """The public path prefix and the asset URLs every page's template needs."""
    site: Site = request.app.state.site
    return site


async def get_build_info(request: Request) -> dict[str, Any]:
    """``build.json`` of the build being served (empty before the first build)."""
    info: dict[str, Any] = request.app.state.build_info
    return info


async def get_examples(request: Request) -> list[Example]:
    """The example queries (``queries/*.rq``), read once at start-up."""
    examples: list[Example] = request.app.state.examples
    return examples


async def get_term_labels(
    engine: Annotated[QueryEngine, Depends(get_engine)], data: Annotated[PageData, Depends(get_page_data)]
) -> dict[str, str]:
    """The names of the ontology's terms in the engine's current data (read once per build)."""
    return await term_labels(engine, data)


# The same, as the types a page route's parameters are declared with.
Engine = Annotated[QueryEngine, Depends(get_engine)]
SettingsOf = Annotated[Settings, Depends(get_settings)]
Data = Annotated[PageData, Depends(get_page_data)]
Work = Annotated[Offload, Depends(get_offload)]
SiteOf = Annotated[Site, Depends(get_site)]
BuildInfo = Annotated[dict[str, Any], Depends(get_build_info)]
Examples = Annotated[list[Example], Depends(get_examples)]
TermLabels = Annotated[dict[str, str], Depends(get_term_labels)]
PublicUrl = Annotated[str, Depends(public_url)]
