"""HTTP validators for everything the data decides: ``ETag``, ``Last-Modified``, ``Cache-Control``.

The data only changes with a new build, so a GET's answer is fixed by the build (and the
engine's data version), the path, the query string and the Accept header. The ETag is derived
from exactly those, before the request is handled: an ``If-None-Match`` that matches is answered
304 without running any query. Tags are weak (``W/``): the same answer may be sent gzipped or not.
Static assets (``/static``) carry their own validators and are left alone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_AGE = 300


def http_date(iso: str | None) -> str | None:
    """``2026-11-30T05:32:33Z`` as an HTTP date, or None."""
    if not iso:
        return None
    try:
        when = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return format_datetime(when, usegmt=True)


class BuildStamp:
    """The build the answers come from: ``seed`` for ETags and the build time for Last-Modified.

    ``version`` is the engine's data version; when it changes, ``build.json`` is read again. The
    seed also holds the time this process started, so a new release of the pages served from the
    same build never answers 304 to a tag of the old one.
    """

    def __init__(self, build_info: Path, version: Callable[[], str]) -> None:
        self.build_info, self.version = build_info, version
        self.started = str(time.time_ns())
        self._seen: str | None = None
        self.seed: str = ""
        self.last_modified: str | None = None

    def current(self) -> tuple[str, str | None]:
        version = self.version()
        if version != self._seen:
            info = {}
            if self.build_info.is_file():
                try:
                    info = json.loads(self.build_info.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    info = {}
            self.seed = f"{info.get('build_id', '')}|{version}|{self.started}"
            self.last_modified = http_date(info.get("built_at"))
            self._seen = version
        return self.seed, self.last_modified


def _matches(header: str, tag: str) -> bool:
    opaque = tag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == opaque for t in header.split(","))


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, stamp: BuildStamp, max_age: int = MAX_AGE) -> None:
        self.app, self.stamp, self.max_age = app, stamp, max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith("/static/")
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        seed, modified = self.stamp.current()
        digest = hashlib.sha256(
            "\n".join(
                (
                    seed,
                    scope["path"],
                    scope.get("query_string", b"").decode("latin-1"),
                    headers.get("accept", ""),
                )
            ).encode("utf-8")
        ).hexdigest()[:24]
        tag = f'W/"{digest}"'
        validators = {"ETag": tag, "Cache-Control": f"public, max-age={self.max_age}", "Vary": "Accept"}
        if modified:
            validators["Last-Modified"] = modified
        match = headers.get("if-none-match")
        if match and _matches(match, tag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in validators.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = MutableHeaders(scope=message)
                for name, value in validators.items():
                    if name == "ETag" or name.lower() not in out:
                        out[name] = value
            await send(message)

        await self.app(scope, receive, stamped)
