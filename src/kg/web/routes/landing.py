"""The landing page at ``/`` (``kg.web.views.landing``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from kg.namespaces import BASE
from kg.web.deps import BuildDep, EngineDep, ExamplesDep, OffloadDep, PageDataDep, PublicUrlDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.landing import landing


def landing_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_model=None, include_in_schema=False)
    async def home(
        engine: EngineDep,
        data: PageDataDep,
        build: BuildDep,
        examples: ExamplesDep,
        url: PublicUrlDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        found = await landing(engine, data, build.info, examples, url, site.prefix)
        return HTMLResponse(await offload.run(render, site, "landing.html", base=BASE, **vars(found)))

    return router
