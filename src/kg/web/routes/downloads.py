"""``/downloads``: the files of ``dist/`` with size, count and SHA-256 (``kg.web.views.downloads``),
and ``/downloads/<name>``, each file (nothing else of ``dist/`` is reachable)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

from kg.build.tables import ALL_TABLES
from kg.web.deps import BuildDep, OffloadDep, SettingsDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.downloads import listing, media_type


def downloads_router() -> APIRouter:
    router = APIRouter(tags=["downloads"])

    @router.api_route("/downloads", methods=["GET", "HEAD"], response_model=None)
    async def downloads(
        settings: SettingsDep, build: BuildDep, offload: OffloadDep, site: SiteDep
    ) -> Response:
        """The list of downloads with their sizes, counts and SHA-256 checksums, and the tables'
        columns."""
        files = await offload.run(listing, settings.dist_dir, build.info)  # off the loop: it hashes files
        return HTMLResponse(await offload.run(render, site, "downloads.html", files=files, tables=ALL_TABLES))

    @router.api_route("/downloads/{name:path}", methods=["GET", "HEAD"], response_model=None)
    async def download(name: str, settings: SettingsDep, build: BuildDep, offload: OffloadDep) -> Response:
        """One file of ``dist/``: a dump, its checksum, ``void.ttl``, ``build.json``, a CSV table or
        their ``datapackage.json``."""
        dist = settings.dist_dir
        kind = media_type(name, await offload.run(listing, dist, build.info))
        path = dist / name
        if kind is None or not path.is_file():
            raise HTTPException(404, f"No download called {name!r}; see /downloads")
        charset = "; charset=utf-8" if kind.startswith("text/") else ""
        return FileResponse(path, media_type=kind + charset, filename=path.name)

    return router
