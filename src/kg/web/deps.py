"""What request handlers depend on, as FastAPI dependencies (tests override them).

``app.dependency_overrides[get_engine] = lambda: other`` swaps the engine of one app; the
settings, the result cache and the public address are read the same way.
"""

from __future__ import annotations

from fastapi import Depends, Request

from kg.engine.base import QueryEngine
from kg.engine.plan import Limits
from kg.engine.policy import Allowlist
from kg.settings import Settings
from kg.web.cache import ResultCache


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


def get_cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


def public_url(request: Request, settings: Settings = Depends(get_settings)) -> str:  # noqa: B008
    """The address this service is reached at, without a trailing ``/``: ``--public-url`` when it
    was given, else the scheme and host the request came to."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def get_limits(settings: Settings = Depends(get_settings)) -> Limits:  # noqa: B008
    return limits_of(settings)


def limits_of(settings: Settings) -> Limits:
    """The per-query limits the settings give."""
    return Limits(
        max_rows=settings.max_rows,
        timeout=settings.query_timeout,
        max_depth=settings.max_depth,
        allow=Allowlist(tuple(settings.allow_service)),
    )
