"""``/list/<kind>``: every resource of one kind, as a list of links (``kg.web.views.lists``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from kg.web.deps import EngineDep, OffloadDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.lists import KINDS, listing


def lists_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])

    @router.api_route("/list/{kind}", methods=["GET", "HEAD"], response_model=None)
    async def listed(
        kind: str,
        engine: EngineDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        """Every resource of one kind (events, engagements, actors, people, places, source-passages)."""
        if kind not in KINDS:
            raise HTTPException(404, f"No list called {kind!r}; lists: {', '.join(KINDS)}")
        found = await listing(engine, kind, site.prefix)
        html = await offload.run(
            render, site, "list.html", kind=kind, heading=KINDS[kind][1], entries=found, kinds=KINDS
        )
        return HTMLResponse(html)

    return router
