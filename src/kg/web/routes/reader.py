"""``/source/<slug>``: a source document read line by line (``kg.web.views.reader``), and
``/source/<slug>.txt``, its stored copy (only with the SHA-256 the graph states)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from kg.engine.base import QueryEngine
from kg.settings import Settings
from kg.web.deps import get_engine, get_offload, get_page_data, get_settings, get_site
from kg.web.render.pages import Site, render
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData
from kg.web.views.reader import load_source, reader_page, stored_text


def reader_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])

    @router.api_route("/source/{name}", methods=["GET", "HEAD"], response_model=None)
    async def reader(
        name: str,
        engine: QueryEngine = Depends(get_engine),
        settings: Settings = Depends(get_settings),
        data: PageData = Depends(get_page_data),
        offload: Offload = Depends(get_offload),
        site: Site = Depends(get_site),
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
