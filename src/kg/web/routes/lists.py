"""``/list/<kind>``: every event, engagement, actor, person, place or source passage, as a list of
links (the landing page's counts link here). Events and engagements in date order, passages in
line order, the rest by name."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.render.pages import get_engine, page, prefix_of
from kg.web.views.queries import PROLOGUE, select

KINDS: dict[str, tuple[str, str]] = {
    # slug: (class, heading)
    "events": ("nio:Event", "Events"),
    "engagements": ("nio:Engagement", "Engagements: missions, programmes, packages, initiatives"),
    "actors": ("nio:Actor", "Actors"),
    "people": ("nio:Person", "People"),
    "places": ("nio:Place", "Places"),
    "source-passages": ("nio:Passage", "Source passages"),
}
NAMES = {
    "events": "events",
    "engagements": "engagements",
    "actors": "actors",
    "people": "people",
    "places": "places",
    "source passages": "source-passages",
}
"""The landing page's count names → list slugs."""


@dataclass(frozen=True)
class Entry:
    iri: str
    label: str
    href: str
    types: str
    date: str
    line: int | None


def list_query(cls: str) -> str:
    return f"""{PROLOGUE}PREFIX sem: <{PREFIXES["sem"]}>
SELECT ?s (SAMPLE(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?n) AS ?line)
  (GROUP_CONCAT(DISTINCT ?tl; SEPARATOR=", ") AS ?types)
WHERE {{
  ?s a/rdfs:subClassOf* {cls} .
  OPTIONAL {{ ?s rdfs:label ?l }}
  OPTIONAL {{ ?s sem:hasEarliestBeginTimeStamp ?d }}
  OPTIONAL {{ ?s nio:sourceLine ?n }}
  OPTIONAL {{ ?s a ?t . ?t rdfs:label ?tl FILTER(LANG(?tl) = "" || LANGMATCHES(LANG(?tl), "en")) }}
  FILTER(isIRI(?s))
}} GROUP BY ?s"""


async def entries(request: Request, kind: str) -> list[Entry]:
    prefix = prefix_of(request)
    rows = await select(await get_engine(request), list_query(KINDS[kind][0]))
    found = [
        Entry(
            r["s"],
            r.get("label") or r["s"].rsplit("/", 1)[-1],
            href(r["s"], prefix),
            r.get("types", ""),
            r.get("date", "")[:10],
            int(r["line"]) if r.get("line", "").isdigit() else None,
        )
        for r in rows
    ]
    if kind == "source-passages":
        return sorted(found, key=lambda e: (e.line or 0, e.iri))
    if kind in ("events", "engagements"):
        return sorted(found, key=lambda e: (e.date == "", e.date, e.label.lower()))
    return sorted(found, key=lambda e: e.label.lower())


def lists_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])

    @router.api_route("/list/{kind}", methods=["GET", "HEAD"], response_model=None)
    async def listing(request: Request, kind: str) -> Response:
        """Every resource of one kind (events, engagements, actors, people, places, source-passages)."""
        if kind not in KINDS:
            raise HTTPException(404, f"No list called {kind!r}; lists: {', '.join(KINDS)}")
        found = await entries(request, kind)
        return page(request, "list.html", kind=kind, heading=KINDS[kind][1], entries=found, kinds=KINDS)

    return router
