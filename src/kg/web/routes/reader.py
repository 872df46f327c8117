"""``/source/<slug>``: a source document read line by line (``kg.web.views.reader``), and
``/source/<slug>.txt``, its stored copy (only with the SHA-256 the graph states)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from kg.web.deps import EngineDep, OffloadDep, PageDataDep, SettingsDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.reader import load_source, reader_page, stored_text


def reader_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])

    @router.api_route("/source/{name}", methods=["GET", "HEAD"], response_model=None)
    async def reader(
        name: str,
        engine: EngineDep,
        settings: SettingsDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        """The source read line by line (``/source/<slug>``) or its stored copy (``<slug>.txt``)."""
        slug, _, ext = name.partition(".")
        source = await load_source(engine, slug) if ext in ("", "txt") else None
        if source is None:
            raise HTTPException(404, f"No source document called {slug!r}")
        text = await offload.run(stored_text, settings.root, source)
        if ext == "txt":
            if text is None:
                raise HTTPException(404, "The stored copy of this source is not available here")
            return PlainTextResponse(text, headers={"Content-Disposition": f'inline; filename="{slug}.txt"'})
        page = await reader_page(engine, data, source, text, site.prefix)
        return HTMLResponse(await offload.run(render, site, "reader.html", **vars(page)))

    return router
