"""The landing page at ``/``: what the dataset is, how big, where to go next."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg import __version__
from kg.engine.base import QueryError
from kg.namespaces import BASE
from kg.web.deps import get_build, get_settings, public_url
from kg.web.iris import SPARQL_PATH
from kg.web.render.pages import get_engine, page, prefix_of
from kg.web.routes.lists import NAMES
from kg.web.views.citation import citation
from kg.web.views.page_data import page_data
from kg.web.views.queries import PROLOGUE, select

COUNTS = f"""{PROLOGUE}PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?what (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES (?what ?class) {{
    ("events" nio:Event) ("engagements" nio:Engagement) ("actors" nio:Actor)
    ("people" nio:Person) ("places" nio:Place) ("source passages" nio:Passage)
  }}
  ?s a/rdfs:subClassOf* ?class .
}} GROUP BY ?what"""
ORDER = ["events", "engagements", "actors", "people", "places", "source passages"]


async def counts(request: Request) -> list[tuple[str, int]]:
    """Resources per kind, from the engine (empty if the store cannot answer)."""
    engine = await get_engine(request)

    async def read() -> dict[str, int]:
        return {r["what"]: int(r["n"]) for r in await select(engine, COUNTS)}

    try:
        rows = await page_data(request, "counts", read)  # read once per build
    except QueryError:
        return []
    return [(name, rows.get(name, 0)) for name in ORDER]


def landing_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_model=None, include_in_schema=False)
    async def landing(request: Request) -> Response:
        info = (await get_build(request)).info
        url = await public_url(request, await get_settings(request))
        found = request.app.state.examples
        examples = [(e.question, e.query, f"{SPARQL_PATH}?query={quote(e.query)}") for e in found]
        kinds = [(name, n, f"{prefix_of(request)}/list/{NAMES[name]}") for name, n in await counts(request)]
        return page(
            request, "landing.html", info=info, counts=kinds, base=BASE, examples=examples,
            public_url=url, cite=citation(info, __version__, url),
        )  # fmt: skip

    return router
