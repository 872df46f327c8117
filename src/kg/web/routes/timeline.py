"""``/timeline``: events and engagements on a time axis (``kg.web.views.timeline``), filtered by
``actor`` and ``type`` (IRIs) and zoomed to the years ``from`` and ``to``; drawn on the server
as SVG (``kg.web.render.timeline_svg``), so the page needs no JavaScript. Its data is read once
per build, the first time at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, Response

from kg.engine.base import QueryEngine
from kg.web.deps import EngineDep, OffloadDep, PageDataDep, SiteDep
from kg.web.render.pages import render
from kg.web.render.timeline_svg import marks
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData
from kg.web.views.timeline import FIRST_YEAR, LAST_YEAR, Timeline, items, timeline_view

log = logging.getLogger("kg.web")
YEAR = re.compile(r"[0-9]{1,4}")


def year(value: str, name: str) -> int | None:
    """The year a ``from`` or ``to`` parameter names (400 for anything but a year the axis can show)."""
    if not value:
        return None
    if not YEAR.fullmatch(value) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise HTTPException(
            400, f"{name} must be a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2004, not {shown!r}"
        )
    return int(value)


async def timeline_data(engine: QueryEngine, data: PageData, offload: Offload, prefix: str) -> Timeline:
    """The timeline's data for ``engine``'s current build (read once per build)."""
    return await data.get(f"timeline {prefix}", engine, lambda: items(engine, offload, prefix))


def timeline_router() -> APIRouter:
    @asynccontextmanager
    async def warm_up(app: Any) -> AsyncIterator[None]:
        """Compute the timeline's data in the background once the app has started, so that the
        first visitors do not wait for it."""

        async def warm(app: FastAPI) -> None:
            try:
                state = app.state
                await timeline_data(state.engine, state.page_data, state.offload, state.site.prefix)
            except Exception as err:  # a busy or failing engine: the first visitor computes it instead
                log.info("timeline data not prepared at start-up: %s", err)

        task = asyncio.ensure_future(warm(app)) if isinstance(app, FastAPI) else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    router = APIRouter(tags=["timeline"], lifespan=warm_up)

    @router.api_route("/timeline", methods=["GET", "HEAD"], response_model=None)
    async def timeline(
        engine: EngineDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
        actor: str = "",
        type: str = "",
        start: str = Query("", alias="from"),
        to: str = "",
    ) -> Response:
        """Events and engagements on a time axis; ``actor`` and ``type`` (IRIs) filter them,
        ``from`` and ``to`` (years) zoom to a period."""
        first, last = year(start, "from"), year(to, "to")
        found = await timeline_data(engine, data, offload, site.prefix)
        view = await offload.run(timeline_view, found, actor, type, first, last)
        axis, rows = await offload.run(marks, view)
        html = await offload.run(
            render, site, "timeline.html", view=view, total=len(found.items), axis=axis, rows=rows,
            options=found.options, actor=actor, type=type, start=start, to=to, years=found.years,
        )  # fmt: skip
        return HTMLResponse(html)

    return router
