"""``/search?q=``: find resources by any of their labels (rdfs:label, skos:prefLabel, skos:altLabel)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from kg.engine.base import QueryEngine
from kg.namespaces import BASE
from kg.web.describe import PROLOGUE, select, string_literal
from kg.web.iris import href
from kg.web.labels import compact
from kg.web.negotiation import parse_accept
from kg.web.templating import get_engine, page, prefix_of

MAX_HITS = 100


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    """The label that matched (an alternative spelling, perhaps)."""
    types: list[str]
    href: str


def search_query(text: str) -> str:
    """Resources under BASE with a label containing ``text`` (case-insensitive)."""
    return f"""{PROLOGUE}
SELECT ?s (SAMPLE(?l) AS ?matched) (SAMPLE(?name) AS ?label)
  (GROUP_CONCAT(DISTINCT STR(?t); SEPARATOR=" ") AS ?types)
WHERE {{
  VALUES ?lp {{ rdfs:label skos:prefLabel skos:altLabel }}
  ?s ?lp ?l .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {string_literal(BASE)}))
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE({string_literal(text)})))
  OPTIONAL {{ ?s rdfs:label ?name }}
  OPTIONAL {{ ?s a ?t }}
}} GROUP BY ?s LIMIT 1000"""


def find(engine: QueryEngine, text: str, prefix: str = "", limit: int = MAX_HITS) -> list[Hit]:
    """Resources whose labels contain ``text``; the closest (whole, then starting, then shortest) first."""
    text = " ".join(text.split())
    if not text:
        return []
    needle = text.lower()
    hits = [
        Hit(
            row["s"],
            row.get("label") or row["matched"],
            row["matched"],
            sorted(compact(t) for t in row.get("types", "").split()),
            href(row["s"], prefix),
        )
        for row in select(engine, search_query(text))
    ]

    def rank(hit: Hit) -> tuple[int, int, int, str]:
        m = hit.matched.lower()
        words = m.replace("-", " ").split()
        return (m != needle, not any(w.startswith(needle) for w in words), len(m), hit.label.lower())

    return sorted(hits, key=rank)[:limit]


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
    router = APIRouter()

    @router.api_route("/search", methods=["GET", "HEAD"], include_in_schema=True, response_model=None)
    def search(request: Request, q: str = "") -> Response:
        """Label lookup: HTML for browsers, JSON with ``?format=json`` or ``Accept: application/json``."""
        hits_json = wants_json(request.query_params.get("format"), request.headers.get("accept"))
        hits = find(get_engine(request), q, prefix_of(request))
        headers = {"Vary": "Accept"}
        if hits_json:
            body = {"query": q, "count": len(hits), "results": [asdict(h) for h in hits]}
            return JSONResponse(body, headers=headers)
        return page(request, "search.html", headers=headers, q=q, hits=hits)

    return router
