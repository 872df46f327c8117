"""Run the service: the engine the settings ask for, under uvicorn (default) or granian.

Both servers read POST bodies that come with ``Upgrade: h2c`` (uvicorn with its h11 parser, see
``Settings.http``). granian (optional: ``pip install granian``) is a Rust HTTP server; it
imports the app in its own worker process, so the settings travel there as ``KG_*``
environment variables and :func:`app_from_environment` builds the app from them.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI

from kg.engine.base import QueryEngine
from kg.settings import Settings


def engine_for(settings: Settings) -> QueryEngine:
    """The engine ``settings`` ask for: a remote store (``engine``) or the worker-process pool."""
    if settings.engine:
        from kg.engine.remote_config import remote_engine

        return remote_engine(settings.engine, settings)
    from kg.engine.pool import PoolEngine
    from kg.web.deps import limits_of

    limits = limits_of(settings)
    return PoolEngine(
        settings.store_path,
        settings.data,
        workers=settings.workers,
        timeout=limits.timeout,
        max_rows=limits.max_rows,
        max_depth=limits.max_depth,
        allow=limits.allow,
        build_info=settings.dist_dir / "build.json",
        union_limit=settings.union_limit,
    )


def environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``KG_*`` variables that give the same Settings again."""
    out: dict[str, str] = {}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        out[f"KG_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return out


def app_from_environment() -> FastAPI:
    """The app over the settings of the ``KG_*`` environment (granian's factory)."""
    from kg.web.app import create_app

    settings = Settings()
    return create_app(settings, engine_for(settings))


def run(settings: Settings, app: FastAPI | None = None) -> None:
    """Serve until interrupted: ``app`` (built from ``settings``) under uvicorn, or, with granian,
    the app that granian's worker builds from the same settings."""
    if settings.server == "granian":
        from granian import Granian
        from granian.constants import HTTPModes, Interfaces

        os.environ.update(environment(settings))
        Granian(
            "kg.web.serving:app_from_environment",
            address=settings.host,
            port=settings.port,
            interface=Interfaces.ASGI,
            factory=True,
            http=HTTPModes.http1,
            workers=1,
        ).serve()
        return
    import uvicorn

    if app is None:
        from kg.web.app import create_app

        app = create_app(settings, engine_for(settings))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", http=settings.http)
