"""Run the service: the engine the settings ask for, under uvicorn (default) or granian.

Both servers read POST bodies that come with ``Upgrade: h2c`` (uvicorn with either parser, see
:mod:`kg.web.server`). Under uvicorn, :func:`kg.web.server.run` adds the connection limits (request
head size and deadline, open connections). granian (optional: ``pip install granian``) is a Rust
HTTP server; it imports the app in its own worker process, so the settings travel there as
``KG_*`` environment variables and :func:`app_from_environment` builds the app from them. It
gets the head deadline and a read buffer of ``max_head`` bytes (at least 8 KiB, its minimum);
it has no cap on open connections. Every limit the app enforces itself (URL, header count,
body size and deadline, send deadline, query limits, per-client queries, security headers)
applies under both servers. granian's worker is spawned, not forked, so it inherits no
state (such as native thread pools) from the serving process.
"""

from __future__ import annotations

import json
import multiprocessing
import os

from fastapi import FastAPI

from kg.engine.base import QueryEngine
from kg.settings import Settings

GRANIAN_MIN_BUFFER = 8192  # granian (hyper) refuses a smaller read buffer


def engine_for(settings: Settings) -> QueryEngine:
    """The engine ``settings`` ask for: a remote store (``engine``) or the worker-process pool."""
    if settings.engine:
        from kg.engine.remote_config import remote_engine

        return remote_engine(settings.engine, settings)
    from kg.engine.pool import PoolEngine

    return PoolEngine.from_settings(settings)


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
        from granian.http import HTTP1Settings

        os.environ.update(environment(settings))
        # granian starts its worker with multiprocessing's default method, a bare fork on Linux. A
        # fork copies none of the parent's threads, so after `kg serve` has built dist/ (pyoxigraph's
        # thread pools are then running) the worker hangs in its first pyoxigraph bulk load (the
        # store it prepares for --data). The worker builds its app from the environment anyway:
        # start it fresh.
        multiprocessing.set_start_method("spawn", force=True)
        Granian(
            "kg.web.serving:app_from_environment",
            address=settings.host,
            port=settings.port,
            interface=Interfaces.ASGI,
            factory=True,
            http=HTTPModes.http1,
            http1_settings=HTTP1Settings(
                header_read_timeout=max(1, int(settings.head_timeout * 1000)),
                max_buffer_size=max(GRANIAN_MIN_BUFFER, settings.max_head),
            ),
            workers=1,
            log_access=settings.access_log,
        ).serve()
        return
    from kg.web.server import run as run_uvicorn

    if app is None:
        from kg.web.app import create_app

        app = create_app(settings, engine_for(settings))
    run_uvicorn(app, settings)
