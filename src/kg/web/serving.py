"""Run the service: the engine the settings ask for, the app over it, under uvicorn (default) or granian.

``kg serve`` binds its port first (:func:`listen`: a port in use is said at once, before anything
is built), then :func:`serve` runs until Ctrl-C.

- **uvicorn** reads HTTP with its h11 protocol, which reads the body of a POST that also asks to
  upgrade to h2c (Java's HttpClient, Jena, ``curl --http2`` send such POSTs; uvicorn's httptools
  protocol would drop the body). Its configuration is public: each connection's protocol is
  wrapped by :class:`kg.web.http.connections.Gate` (caps per client address, the head deadline)
  and h11 caps the request head's size on the bytes received (``max_head``). Idle keep-alive
  connections are closed after 5 s. ``X-Forwarded-For`` is read by the app
  (:mod:`kg.web.http.clients`), not by uvicorn.
- **granian** (optional: ``pip install granian``) is a Rust HTTP server. It imports the app in its
  own worker process, so the settings travel there as ``KG_*`` environment variables and
  :func:`app_from_environment` builds the app from them. It gets the head deadline and a read
  buffer of ``max_head`` bytes (at least 8 KiB, its minimum), and caps no connections: put a
  proxy in front. Every limit the app enforces itself holds under both servers.
"""

from __future__ import annotations

import copy
import errno
import json
import multiprocessing
import os
import socket
from collections.abc import Callable
from typing import Any, cast

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from kg.engine.base import QueryEngine
from kg.settings import Settings

GRANIAN_MIN_BUFFER = 8192  # granian (hyper) refuses a smaller read buffer
KEEP_ALIVE = 5  # seconds an idle connection stays open between requests


class PortInUse(Exception):
    """Another program listens on the address asked for (the message says what to do)."""


def listen(settings: Settings) -> socket.socket:
    """A socket listening on ``settings.host``:``settings.port``, or PortInUse."""
    family, *_, address = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)[0]
    try:
        return socket.create_server(address, family=family)
    except OSError as err:
        if err.errno != errno.EADDRINUSE:
            raise
        other = settings.port + 1
        raise PortInUse(
            f"port {settings.port} on {settings.host} is in use (is another server running?): stop "
            f"it, or serve on another port: kg serve --port {other} (make serve PORT={other})"
        ) from None


def engine_for(settings: Settings) -> QueryEngine:
    """The engine ``settings`` ask for: a remote store (``engine``) or the worker-process pool."""
    if settings.engine:
        from kg.engine.remote_config import remote_engine

        return remote_engine(settings.engine, settings)
    from kg.engine.pool import PoolEngine

    return PoolEngine.from_settings(settings)


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration, with the ``kg`` loggers (the engine's, the web's) written
    beside uvicorn's own, in its format, at ``level``."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["kg"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def uvicorn_config(settings: Settings, app: FastAPI, log_level: str = "info") -> uvicorn.Config:
    """uvicorn's configuration for ``app`` under ``settings`` (its connection limits included)."""
    from kg.web.http.connections import Gate

    gate = Gate(settings)
    return uvicorn.Config(
        gate.app(app),
        host=settings.host,
        port=settings.port,
        http=cast(Any, gate.protocol),  # a protocol factory: uvicorn calls it for each connection
        h11_max_incomplete_event_size=settings.max_head,
        timeout_keep_alive=KEEP_ALIVE,
        proxy_headers=False,  # the app reads X-Forwarded-For from trusted proxies only
        lifespan="on",
        log_level=log_level,
        log_config=log_config(log_level),
        access_log=settings.access_log,
    )


def serve(settings: Settings, sock: socket.socket | None = None, say: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C on ``sock`` (from :func:`listen`; one is made when None), under the server
    the settings name; ``say`` is told the address once the port is bound."""
    shown = settings.public_url or f"http://{settings.host}:{settings.port}"
    if sock is None:
        sock = listen(settings)
    if settings.server == "granian":
        sock.close()  # granian binds the port itself, in its own process
        say(f"serving {shown}/ (SPARQL at {shown}/sparql) with granian")
        run_granian(settings)
        return
    from kg.web.app import create_app

    app = create_app(settings, engine_for(settings))
    say(f"serving {shown}/ (SPARQL at {shown}/sparql)")
    try:
        uvicorn.Server(uvicorn_config(settings, app)).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stopped cleanly, then passed Ctrl-C on
        pass
    finally:
        sock.close()


def environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``KG_*`` variables that give the same Settings again (secrets included)."""
    out: dict[str, str] = {}
    for name, value in settings.model_dump(mode="json").items():
        secret = getattr(settings, name)
        if isinstance(secret, SecretStr):
            value = secret.get_secret_value()  # dumped as stars
        if value is not None:
            out[f"KG_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return out


def app_from_environment() -> FastAPI:
    """The app over the settings of the ``KG_*`` environment (granian's factory)."""
    from kg.web.app import create_app

    settings = Settings()
    return create_app(settings, engine_for(settings))


def run_granian(settings: Settings) -> None:
    """Serve under granian, whose worker builds the app from the same settings."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    os.environ.update(environment(settings))
    # granian starts its worker with multiprocessing's default method, a bare fork on Linux. A fork
    # copies none of the parent's threads, so after `kg serve` has built dist/ (pyoxigraph's thread
    # pools are then running) the worker hangs in its first pyoxigraph bulk load (the store it
    # prepares for --data). The worker builds its app from the environment anyway: start it fresh.
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
