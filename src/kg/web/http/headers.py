"""What every answer carries: validators from the build being served, and security headers.
:mod:`kg.web.http.middleware` puts them on each answer.

**Validators** (``ETag``, ``Last-Modified``, ``Cache-Control``). The data only changes with a new
build, so a GET's answer is fixed by the build (and the engine's data version), the path, the
query string and the Accept header. The ETag is derived from exactly those, so an
``If-None-Match`` that names it is answered 304 before any query runs. It is the only ETag
scheme: every answer with status 200 gets one (static assets included). Tags are weak (``W/``):
the same answer may be sent gzipped or not. ``If-None-Match: *`` and ``If-Modified-Since`` are
answered 304 only for what exists: the request is answered as usual and a 200 becomes a 304 (a
404 path or a malformed query keeps its status).

**The build.** :class:`Builds` reads ``dist/build.json`` once per build, when the engine's data
version changes; the pages read the same :class:`BuildInfo` (``kg.web.deps.get_build``), so a
rebuild changes the validators, the landing page's citation and the downloads together.

**Security headers.**

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and ``X-Frame-Options`` everywhere.
- A ``Content-Security-Policy`` per kind of response: HTML pages load everything from this
  server and nothing else, and run no inline script (the query editor at ``/sparql``, also when
  a browser opens a ``?query=`` link, reads its settings from a JSON data block and runs its
  own script files); any other response (data, JSON, SVG) may load nothing at all. A 304
  carries none: a cache updates the stored page's headers from it, and the policy for "no
  content type" would replace the page's.
- Starlette's trailing-slash redirect builds its ``Location`` from the request's ``Host`` header
  (``Host: evil.example`` → ``http://evil.example/timeline``); such a Location is made relative.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kg.engine.base import QueryEngine

MAX_AGE = 300


@dataclass(frozen=True)
class BuildInfo:
    """The facts of the build the engine serves: ``build.json`` as it was read (empty before the
    first build), the engine's data version they belong to, and what the validators derive from
    them (the ETag seed, ``Last-Modified``)."""

    info: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    seed: str = ""
    last_modified: str | None = None
    modified: datetime | None = None


class Builds:
    """The current :class:`BuildInfo` of ``engine``, read again from ``path`` (``build.json``) when
    the engine's data version changes. The ETag seed also holds the time this process started, so
    a new release of the pages served from the same build never answers 304 to an old tag."""

    def __init__(self, path: Path, engine: QueryEngine) -> None:
        self.path, self.engine = path, engine
        self.started = str(time.time_ns())
        self.now: BuildInfo | None = None

    def current(self) -> BuildInfo:
        version = self.engine.version
        now = self.now
        if now is None or now.version != version:
            now = self.now = self.read(version)
        return now

    def read(self, version: str) -> BuildInfo:
        info: dict[str, Any] = {}
        try:
            info = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        modified = built_at(info.get("built_at"))
        return BuildInfo(
            info=info,
            version=version,
            seed=f"{info.get('build_id', '')}|{version}|{self.started}",
            last_modified=format_datetime(modified, usegmt=True) if modified else None,
            modified=modified,
        )


def built_at(iso: str | None) -> datetime | None:
    """``2026-11-30T05:32:33Z`` as a datetime, or None."""
    try:
        return datetime.strptime(iso or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def validators(build: BuildInfo, path: str, query: bytes, accept: bytes) -> list[tuple[bytes, bytes]]:
    """The validators of a GET's 200 answer (``ETag`` first), as raw headers."""
    digest = hashlib.sha256(b"\n".join((build.seed.encode(), path.encode(), query, accept))).hexdigest()[:24]
    headers = [
        (b"etag", f'W/"{digest}"'.encode()),
        (b"cache-control", f"public, max-age={MAX_AGE}".encode()),
        (b"vary", b"Accept"),
    ]
    if build.last_modified:
        headers.append((b"last-modified", build.last_modified.encode()))
    return headers


def names_tag(if_none_match: bytes, tag: bytes) -> bool:
    """``If-None-Match`` lists ``tag`` (compared weakly)."""
    opaque = tag.removeprefix(b"W/")
    return any(t.strip().removeprefix(b"W/") == opaque for t in if_none_match.split(b","))


def unmodified(build: BuildInfo, if_none_match: bytes | None, if_modified_since: bytes | None) -> bool:
    """A 200 answer to these preconditions is a 304: ``If-None-Match: *`` (it exists), or, without
    ``If-None-Match``, an ``If-Modified-Since`` no earlier than the build."""
    if if_none_match is not None:
        return any(t.strip() == b"*" for t in if_none_match.split(b","))
    if if_modified_since is None or build.modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since.decode("latin-1"))
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and build.modified <= since


def with_validators(
    headers: list[tuple[bytes, bytes]], tagged: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """``headers`` with the validators of ``tagged``: its ETag replaces the answer's, the others are
    added where the answer has none, and ``Vary`` names ``Accept`` (the tag depends on it)."""
    out = [(name, value) for name, value in headers if name.lower() != b"etag"]
    present = {name.lower(): i for i, (name, _) in enumerate(out)}
    for name, value in tagged:
        if name not in present:
            out.append((name, value))
        elif name == b"vary":
            i = present[name]
            tokens = [t.strip().lower() for t in out[i][1].split(b",")]
            if b"accept" not in tokens and b"*" not in tokens:
                out[i] = (out[i][0], out[i][1] + b", Accept")
    return out


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


FIXED_RAW = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in FIXED.items()]


def secured(headers: list[tuple[bytes, bytes]], status: int, host: bytes) -> list[tuple[bytes, bytes]]:
    """A response's raw headers with the security headers it lacks, and a relative Location."""
    names = {name.lower() for name, _ in headers}
    headers.extend(item for item in FIXED_RAW if item[0] not in names)
    if status != 304 and b"content-security-policy" not in names:  # a 304 keeps the page's policy
        ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"").decode("latin-1")
        headers.append((b"content-security-policy", policy_for(ctype).encode("latin-1")))
    if b"location" in names:
        headers = [
            (k, relative_location(v.decode("latin-1"), host.decode("latin-1")).encode("latin-1"))
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
