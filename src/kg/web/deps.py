"""What request handlers depend on: the settings, the engine, the result cache, the build being
served, the per-query limits, the public address.

Routes declare them with ``Depends`` (or the ``…Dep`` aliases: ``engine: EngineDep``), so a test
swaps any of them for every route with ``app.dependency_overrides[get_engine] = lambda request:
other``. They are coroutine functions:
FastAPI awaits those on the event loop, where a plain function would cost a thread hop (about
0.1 ms) on every request. Call them with ``Depends(...)``, or ``await`` them. (Each costs FastAPI's
solver some ten microseconds per request.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request

from kg.engine.base import QueryEngine
from kg.engine.plan import Limits, limits_for
from kg.settings import Settings
from kg.web.http.headers import BuildInfo
from kg.web.http.result_cache import ResultCache

__all__ = [
    "BuildDep",
    "BuildInfo",
    "CacheDep",
    "EngineDep",
    "LimitsDep",
    "PublicUrlDep",
    "SettingsDep",
    "get_build",
    "get_cache",
    "get_engine",
    "get_limits",
    "get_settings",
    "public_url",
]


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
    return limits_of(settings)


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


_LIMITS: dict[int, tuple[Settings, Limits]] = {}


def limits_of(settings: Settings) -> Limits:
    """The per-query limits the settings give (worked out once per settings object)."""
    known = _LIMITS.get(id(settings))
    if known is not None and known[0] is settings:
        return known[1]
    limits = limits_for(settings)
    _LIMITS[id(settings)] = (settings, limits)
    return limits
