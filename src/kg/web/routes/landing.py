"""The landing page at ``/`` (``kg.web.views.landing``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from kg.engine.base import QueryEngine
from kg.namespaces import BASE
from kg.web.deps import (
    get_build_info,
    get_engine,
    get_examples,
    get_offload,
    get_page_data,
    get_site,
    public_url,
)
from kg.web.render.pages import Site, render
from kg.web.views.examples import Example
from kg.web.views.landing import landing
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData


def landing_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_model=None, include_in_schema=False)
    async def home(
        engine: QueryEngine = Depends(get_engine),
        data: PageData = Depends(get_page_data),
        info: dict[str, Any] = Depends(get_build_info),
        examples: list[Example] = Depends(get_examples),
        url: str = Depends(public_url),
        offload: Offload = Depends(get_offload),
        site: Site = Depends(get_site),
    ) -> Response:
        found = await landing(engine, data, info, examples, url, site.prefix)
        return HTMLResponse(await offload.run(render, site, "landing.html", base=BASE, **vars(found)))

    return router
