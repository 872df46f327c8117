"""The landing page at ``/``: what the dataset is, how big, where to go next."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.engine.base import QueryError
from kg.namespaces import BASE
from kg.web.deps import public_url
from kg.web.describe import PROLOGUE, select
from kg.web.examples import load_examples
from kg.web.templating import get_engine, get_settings, page

COUNTS = f"""{PROLOGUE}PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?what (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES (?what ?class) {{
    ("events" nio:Event) ("engagements" nio:Engagement) ("actors" nio:Actor)
    ("people" nio:Person) ("places" nio:Place) ("source passages" nio:Passage)
  }}
  ?s a/rdfs:subClassOf* ?class .
}} GROUP BY ?what"""
ORDER = ["events", "engagements", "actors", "people", "places", "source passages"]


def counts(request: Request) -> list[tuple[str, int]]:
    """Resources per kind, from the engine (empty if the store cannot answer)."""
    try:
        rows = {r["what"]: int(r["n"]) for r in select(get_engine(request), COUNTS)}
    except QueryError:
        return []
    return [(name, rows.get(name, 0)) for name in ORDER]


def landing_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], response_model=None, include_in_schema=False)
    def landing(request: Request) -> Response:
        info = request.app.state.build_info
        examples = [
            (title, item["query"], "/sparql?query=" + quote(item["query"]))
            for title, item in load_examples(get_settings(request).root / "queries").items()
        ]
        return page(
            request, "landing.html", info=info, counts=counts(request), base=BASE, examples=examples,
            public_url=public_url(request),
        )  # fmt: skip

    return router
