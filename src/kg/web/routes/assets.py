"""The files the pages load (the site's stylesheet and scripts, YASGUI's built script and
stylesheet), served under versioned names (``/assets/site.3f2a9c1e.css``): gzip-compressed once,
cached by browsers for a year (``immutable``), and nothing else of ``node_modules`` is served.

A template links ``assets["site.css"]`` (``Assets.urls``, in every page's ``Site``); the name changes
whenever the content does.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

STATIC = Path(__file__).resolve().parents[2] / "static"
SITE_FILES = ("site.css", "editor.js", "favicon.svg")
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    name: str
    versioned: str
    media_type: str
    body: bytes
    gzipped: bytes


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:10]
    stem, dot, ext = path.name.partition(".")
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media in ("application/javascript", "image/svg+xml"):
        media += "; charset=utf-8"
    return Asset(path.name, f"{stem}.{digest}{dot}{ext}", media, body, gzip.compress(body, 9, mtime=0))


class Assets:
    """The served files, read once at start-up."""

    def __init__(self, yasgui: Path | None) -> None:
        paths = [STATIC / name for name in SITE_FILES]
        if yasgui is not None:
            paths += [yasgui / name for name in YASGUI_FILES]
        self.by_name = {p.name: _load(p) for p in paths if p.is_file()}
        self.by_versioned = {a.versioned: a for a in self.by_name.values()}

    def urls(self, prefix: str = "") -> dict[str, str]:
        """The URL of each file the pages load, by its plain name (a missing one keeps it)."""
        found = {name: asset.versioned for name, asset in self.by_name.items()}
        return {name: f"{prefix}/assets/{found.get(name, name)}" for name in (*SITE_FILES, *YASGUI_FILES)}


def respond(request: Request, asset: Asset, cache: str) -> Response:
    """``asset``, gzipped when the client takes gzip (its ETag and 304s come from
    :mod:`kg.web.http.headers`, as every answer's)."""
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def assets_router(assets: Assets) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.api_route("/assets/{name}", methods=["GET", "HEAD"], response_model=None)
    async def versioned(request: Request, name: str) -> Response:
        asset = assets.by_versioned.get(name)
        if asset is None:
            raise HTTPException(404, f"No asset called {name!r}")
        return respond(request, asset, LONG)

    @router.api_route("/static/yasgui/{name}", methods=["GET", "HEAD"], response_model=None)
    async def yasgui(request: Request, name: str) -> Response:
        """YASGUI's two built files under their plain names (for clients that link them directly)."""
        asset = assets.by_name.get(name) if name in YASGUI_FILES else None
        if asset is None:
            raise HTTPException(404, f"No YASGUI file called {name!r}")
        return respond(request, asset, SHORT)

    @router.api_route("/static/favicon.svg", methods=["GET", "HEAD"], response_model=None)
    async def favicon(request: Request) -> Response:
        asset = assets.by_name.get("favicon.svg")
        if asset is None:
            raise HTTPException(404, "No favicon")
        return respond(request, asset, SHORT)

    return router
