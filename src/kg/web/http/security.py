"""Security headers on every response, and redirects that never trust the ``Host`` header.

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and ``X-Frame-Options`` everywhere.
- A ``Content-Security-Policy`` per kind of response: HTML pages load everything from this
  server and nothing else, and run no inline script (the query editor at ``/sparql``, also when
  a browser opens a ``?query=`` link, reads its settings from a JSON data block and runs its
  own script files); any other response (data, JSON, SVG) may load nothing at all. A 304 (see
  :mod:`kg.web.http.conditional`) carries none: a cache updates the stored page's headers from it,
  and the policy for "no content type" would replace the page's.
- Starlette's trailing-slash redirect builds its ``Location`` from the request's ``Host`` header
  (``Host: evil.example`` → ``http://evil.example/timeline``); such a Location is made relative.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'self'"
FIXED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "SAMEORIGIN",
}


def policy_for(content_type: str) -> str:
    if not content_type.startswith(("text/html", "application/xhtml+xml")):
        return DATA_POLICY
    return PAGE_POLICY


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = secured(list(message.get("headers", ())), message["status"], host)
            await send(message)

        await self.app(scope, receive, send_with_headers)


FIXED_RAW = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in FIXED.items()]


def secured(headers: list[tuple[bytes, bytes]], status: int, host: str) -> list[tuple[bytes, bytes]]:
    """A response's raw headers with the security headers it lacks, and a relative Location."""
    names = {name.lower() for name, _ in headers}
    headers.extend(item for item in FIXED_RAW if item[0] not in names)
    if status != 304 and b"content-security-policy" not in names:  # a 304 keeps the page's policy
        ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"").decode("latin-1")
        headers.append((b"content-security-policy", policy_for(ctype).encode("latin-1")))
    if b"location" in names:
        headers = [
            (k, relative_location(v.decode("latin-1"), host).encode("latin-1"))
            if k.lower() == b"location"
            else (k, v)
            for k, v in headers
        ]
    return headers


def relative_location(location: str, host: str) -> str:
    """``location`` without scheme and host when its host came from the request's ``Host`` header."""
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() == host.lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return location
