"""The two middlewares of every request, outermost and innermost of the app's (``kg.web.app``).

``HttpMiddleware``, outside CORS and gzip, gives every answer what :mod:`kg.web.http.headers`
defines:

1. ``HEAD`` is answered as ``GET`` without the body: the same status and headers, gzip and
   ``Content-Length`` included.
2. ``Accept-Encoding`` is read with its q-values (``gzip;q=0`` refuses gzip; ``*`` allows it) and
   handed on as a plain ``gzip`` or ``identity``, which the gzip middleware and the assets read.
3. Conditional GET: an ``If-None-Match`` naming the answer's tag is a 304 at once; a 200 gets its
   validators, and becomes a 304 for ``If-None-Match: *`` or a satisfied ``If-Modified-Since``.
4. Security headers on every answer, refusals and errors included.
5. A client that does not take the next part of an answer within ``send_timeout`` seconds is
   dropped (the query worker was freed long before: results wait in memory or a temporary file).

``LimitsMiddleware``, inside CORS (so scripts can read its refusals), refuses before any handler
runs: a URL longer than ``max_url`` bytes (414), more than ``max_headers`` header lines (431), a
declared ``Content-Length`` over ``max_body`` (413, the body is not read). Behind a trusted proxy it
puts the request's client in the scope (``scope["client"]``, as ``request.client`` reads it), so
routes pass it on to the engine's turns and shares (:mod:`kg.engine.fairness`).

**The client** of a request is the connection's address. Behind a reverse proxy every connection
comes from the proxy, so the proxy says who its client was in ``X-Forwarded-For``; that header is
believed only from the proxies the operator names (``Settings.trusted_proxies``: addresses or
networks; none by default, so no client can pick its own identity). The header lists the client
first and each proxy that passed the request on after it; the address taken is the last one that
is not a trusted proxy (read from the right: every hop to its left was named by a host nobody
vouched for).

What a connection may send before its request reaches the app (the head's size and deadline,
connections per address) is limited by :mod:`kg.web.http.connections`; a body's size and deadline
while it is read, by the SPARQL protocol's reader (:mod:`kg.web.routes.sparql`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.settings import Settings
from kg.web.http.errors import error
from kg.web.http.headers import Builds, names_tag, secured, unmodified, validators, with_validators

log = logging.getLogger("kg.web")


class SendTimedOut(Exception):
    """The client did not take the response's next part in time."""


def accepts_gzip(header: bytes) -> bool:
    """``Accept-Encoding`` allows gzip: listed (or ``*`` is) with a q-value above 0."""
    best: dict[bytes, float] = {}
    for part in header.lower().split(b","):
        coding, _, params = part.partition(b";")
        q = 1.0
        name, _, value = params.partition(b"=")
        if name.strip() == b"q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        best[coding.strip()] = q
    return best.get(b"gzip", best.get(b"x-gzip", best.get(b"*", 0.0))) > 0


class HttpMiddleware:
    def __init__(self, app: ASGIApp, builds: Builds, send_timeout: float) -> None:
        self.app, self.builds, self.send_timeout = app, builds, send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        host = accept = b""
        if_none_match = if_modified_since = None
        headers = scope["headers"]
        for i, (name, value) in enumerate(headers):
            if name == b"host":
                host = value
            elif name == b"accept":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"if-modified-since":
                if_modified_since = value
            elif name == b"accept-encoding" and (b";" in value or b"*" in value):
                headers = headers if headers is not scope["headers"] else list(headers)
                headers[i] = (name, b"gzip" if accepts_gzip(value) else b"identity")
        if head or headers is not scope["headers"]:
            scope = {**scope, "method": "GET" if head else scope["method"], "headers": headers}
        get = scope["method"] == "GET"
        if get and if_none_match is not None:
            tagged = validators(self.builds.current(), scope["path"], scope["query_string"], accept)
            if names_tag(if_none_match, tagged[0][1]):
                start = {"type": "http.response.start", "status": 304, "headers": secured(tagged, 304, host)}
                await send(start)
                await send({"type": "http.response.body", "body": b""})
                return
        drop_body = head
        stalled = False

        async def respond(message: Message) -> None:
            nonlocal drop_body, stalled
            if message["type"] == "http.response.start":
                status, out = message["status"], list(message.get("headers", ()))
                if get and status == 200:  # validators from the build the answer came from
                    build = self.builds.current()
                    tagged = validators(build, scope["path"], scope["query_string"], accept)
                    if unmodified(build, if_none_match, if_modified_since):
                        status, out, drop_body = 304, tagged, True
                    else:
                        out = with_validators(out, tagged)
                message = {**message, "status": status, "headers": secured(out, status, host)}
            elif drop_body:
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            try:
                async with asyncio.timeout(self.send_timeout):
                    await send(message)
            except TimeoutError:
                stalled = True
                raise SendTimedOut from None

        try:
            await self.app(scope, receive, respond)
        except BaseException:
            if not stalled:
                raise
            log.info("dropped a client that read nothing for %g s: %s", self.send_timeout, scope["path"])


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_url, self.max_headers, self.max_body = (
            settings.max_url,
            settings.max_headers,
            settings.max_body,
        )
        self.trusted = Trusted(settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
            if self.trusted:  # the proxy's client stands for the request from here on
                address = client_address(scope, self.trusted)
                scope["client"] = (address, 0) if address is not None else None
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> ASGIApp | None:
        url = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b"")) + 1
        if url > self.max_url:
            return error(414, f"URL too long ({url} bytes, limit {self.max_url}): send the query with POST.")
        headers = scope["headers"]
        if len(headers) > self.max_headers:
            return error(431, f"Too many header lines (limit {self.max_headers}).")
        for name, value in headers:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return error(400, "Content-Length is not a number.")
                if declared > self.max_body:
                    return error(413, f"Request body too large ({declared} bytes, limit {self.max_body}).")
        return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Trusted:
    """The reverse proxies whose ``X-Forwarded-For`` is believed."""

    def __init__(self, proxies: Iterable[str]) -> None:
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(p, strict=False) for p in proxies)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def holds(self, address: str) -> bool:
        return bool(self.networks) and _within(address, self.networks)


@lru_cache(maxsize=4096)
def _within(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(scope: Mapping[str, Any], trusted: Trusted) -> str | None:
    """The address of the client that sent the request of ``scope`` (an ASGI HTTP scope)."""
    peer = scope.get("client")
    address: str | None = str(peer[0]) if peer else None
    if address is None or not trusted.holds(address):
        return address
    hops: list[str] = [
        hop.strip()
        for name, value in scope["headers"]
        if name == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
    ]
    for hop in reversed(hops):
        if hop and not trusted.holds(hop):
            return hop
    return hops[0] if hops and hops[0] else address
