"""``/search?q=``: labels and source lines that match, as HTML, or JSON with ``?format=json`` or
``Accept: application/json`` (``kg.web.views.search``). A text over the search's caps is a 400."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.formats import parse_accept
from kg.web.deps import EngineDep, OffloadDep, PageDataDep, SiteDep
from kg.web.render.pages import render
from kg.web.views.labels import term_labels
from kg.web.views.search import Found, search_index, too_costly


def wants_json(format_param: str | None, accept: str | None) -> bool:
    """``?format=json``, or an Accept header that prefers JSON to HTML."""
    if format_param:
        return format_param.lower() == "json"
    for media in parse_accept(accept):
        if media in ("application/json", "application/ld+json"):
            return True
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return False
    return False


def search_router() -> APIRouter:
    router = APIRouter(tags=["search"])

    @router.api_route("/search", methods=["GET", "HEAD"], response_model=None)
    async def search(
        request: Request,
        engine: EngineDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
        q: str = "",
        all: str = "",
    ) -> Response:
        """Label and source-text search: HTML for browsers, JSON with ``?format=json`` or
        ``Accept: application/json``; ``all=1`` includes participation records and passages."""
        as_json = wants_json(request.query_params.get("format"), request.headers.get("accept"))
        headers = {"Vary": "Accept"}
        refused = too_costly(q)
        if refused is not None:
            if as_json:
                return JSONResponse({"query": q[:200], "error": refused}, 400, headers)
            html = await offload.run(render, site, "search.html", q=q, error=refused, found=Found([], [], 0))
            return HTMLResponse(html, 400, headers)
        everything = all not in ("", "0", "false")
        found = Found([], [], 0)
        if q.strip():
            names = await term_labels(engine, data)
            index = await search_index(engine, data, offload)
            found = await offload.run(index.search, q, site.prefix, everything, names)
        if as_json:
            body = {
                "query": q,
                "count": len(found.hits),
                "results": [asdict(h) for h in found.hits],
                "lines": [asdict(h) for h in found.lines],
            }
            return JSONResponse(body, headers=headers)
        html = await offload.run(render, site, "search.html", q=q, found=found, everything=everything)
        return HTMLResponse(html, headers=headers)

    return router
