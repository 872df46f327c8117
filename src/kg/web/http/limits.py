"""Request limits and the last-resort error handler.

- URL longer than ``max_url`` bytes → 414; more than ``max_headers`` header lines → 431; a
  declared ``Content-Length`` over ``max_body`` → 413 before the body is read (an ASGI
  middleware, for every route).
- ``read_body`` enforces the same body limit while reading (chunked bodies have no length), and
  a time limit for the whole body (408).
- ``decode_form`` decodes a query string or form body strictly: percent-escapes that are not
  UTF-8 are a 400, never silently replaced.
- A client that does not take the next part of a response within ``send_timeout`` seconds is
  dropped (the query worker was freed long before: results wait in memory or a temporary file).
- Anything that still raises becomes a 500 with a generic message (details go to the log only).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import defaults
from kg.engine.base import QueryError

log = logging.getLogger("kg.web")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error answer (the message says what to change)."""
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


class SendTimedOut(Exception):
    """The client did not take the response's next part in time."""


class LimitsMiddleware:
    """Refuse over-long URLs (414) and bodies declared too large (413) before any handler runs;
    drop clients that stop reading (``send_timeout`` seconds per part of the response)."""

    def __init__(
        self,
        app: ASGIApp,
        max_url: int,
        max_body: int,
        send_timeout: float = defaults.SEND_TIMEOUT,
        max_headers: int = defaults.MAX_HEADERS,
    ) -> None:
        self.app, self.max_url, self.max_body = app, max_url, max_body
        self.send_timeout, self.max_headers = send_timeout, max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        stalled = False

        async def timed_send(message: Message) -> None:
            nonlocal stalled
            try:
                async with asyncio.timeout(self.send_timeout):
                    await send(message)
            except TimeoutError:
                stalled = True
                raise SendTimedOut from None

        try:
            await self.app(scope, receive, timed_send)
        except BaseException:
            if not stalled:
                raise
            log.info("dropped a client that read nothing for %g s: %s", self.send_timeout, scope["path"])

    def _refusal(self, scope: Scope) -> Response | None:
        url = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b"")) + 1
        if url > self.max_url:
            return error(414, f"URL too long ({url} bytes, limit {self.max_url}): send the query with POST.")
        if len(scope.get("headers", [])) > self.max_headers:
            return error(431, f"Too many header lines (limit {self.max_headers}).")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return error(400, "Content-Length is not a number.")
                if declared > self.max_body:
                    return error(413, f"Request body too large ({declared} bytes, limit {self.max_body}).")
        return None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``limit`` bytes, and with 408
    when it has not all arrived within the settings' ``body_timeout`` seconds."""
    settings = getattr(request.app.state, "settings", None)
    seconds = float(getattr(settings, "body_timeout", defaults.BODY_TIMEOUT))
    data = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                data += chunk
                if len(data) > limit:
                    raise QueryError(f"Request body too large (over {limit} bytes).", 413)
    except TimeoutError:
        raise QueryError(f"The request body did not arrive within {seconds:g} s.", 408) from None
    return bytes(data)


def decode_form(raw: bytes, what: str) -> dict[str, list[str]]:
    """Parse ``application/x-www-form-urlencoded`` data whose text and escapes must be UTF-8."""
    try:
        text = raw.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise QueryError(f"The {what} is not valid UTF-8 ({err.reason} at byte {err.start}).", 400) from None


async def internal_error(request: Request, exc: Exception) -> Response:
    """The last resort: anything a handler raised is logged and answered 500, without details."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error(500, "Internal server error: the request could not be answered. It has been logged.")


def install_limits(
    app: FastAPI,
    max_url: int,
    max_body: int,
    send_timeout: float = defaults.SEND_TIMEOUT,
    max_headers: int = defaults.MAX_HEADERS,
) -> None:
    """Add the limits middleware and the generic 500 handler to ``app``."""
    app.add_middleware(
        LimitsMiddleware, max_url=max_url, max_body=max_body,
        send_timeout=send_timeout, max_headers=max_headers,
    )  # fmt: skip
    app.add_exception_handler(Exception, internal_error)
