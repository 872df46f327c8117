"""``/downloads``: the files of ``dist/`` with size, count and SHA-256 (``kg.web.views.downloads``),
and ``/downloads/<name>``, each file (nothing else of ``dist/`` is reachable)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

from kg.web.deps import BuildDep, EngineDep, OffloadDep, PageDataDep, SettingsDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.downloads import listing, media_type, offered
from kg.web.views.engagement_table import NAME as ENGAGEMENTS
from kg.web.views.engagement_table import engagements_table


def downloads_router() -> APIRouter:
    router = APIRouter(tags=["downloads"])

    @router.api_route("/downloads", methods=["GET", "HEAD"], response_model=None)
    async def downloads(
        engine: EngineDep,
        settings: SettingsDep,
        build: BuildDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        """The list of downloads with their sizes, counts and SHA-256 checksums."""
        files = await offered(settings.dist_dir, build.info, engine, data, offload)
        return HTMLResponse(await offload.run(render, site, "downloads.html", files=files))

    @router.api_route("/downloads/{name:path}", methods=["GET", "HEAD"], response_model=None)
    async def download(
        name: str,
        engine: EngineDep,
        settings: SettingsDep,
        build: BuildDep,
        data: PageDataDep,
        offload: OffloadDep,
    ) -> Response:
        """One file of ``dist/``: a dump, its checksum, ``void.ttl``, ``build.json`` or a CSV table."""
        dist = settings.dist_dir
        if name == ENGAGEMENTS and not (dist / name).is_file():
            body = (await engagements_table(engine, data, offload)).body
            headers = {"Content-Disposition": 'attachment; filename="engagements.csv"'}
            return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
        kind = media_type(name, await offload.run(listing, dist, build.info))
        path = dist / name
        if kind is None or not path.is_file():
            raise HTTPException(404, f"No download called {name!r}; see /downloads")
        charset = "; charset=utf-8" if kind.startswith("text/") else ""
        return FileResponse(path, media_type=kind + charset, filename=path.name)

    return router
