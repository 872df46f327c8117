"""``/timeline``: every event and engagement on a time axis, filterable by actor and type.

The axis is drawn on the server as SVG (``timeline_svg.py``), so the page needs no JavaScript and
loads nothing from elsewhere; filters are plain query parameters (``?actor=IRI&type=IRI``).
An engagement's interval is its own ``sem:`` time stamps where it has them; otherwise it starts
with the earliest event that launched or established it (or, failing that, any event that
affected it) and ends with the event that discontinued or renamed it; else it stays open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.engine.base import QueryEngine
from kg.namespaces import PREFIXES
from kg.web.dates import PRECISIONS, when
from kg.web.describe import PROLOGUE, select
from kg.web.iris import href
from kg.web.page_data import page_data
from kg.web.templating import get_engine, page, prefix_of
from kg.web.timeline_svg import draw

CHANGE = PREFIXES["changetype"]
STARTS = {CHANGE + "launch", CHANGE + "establishment"}
ENDS = {CHANGE + "discontinuation"}
STAMPS = "OPTIONAL { ?s sem:hasEarliestBeginTimeStamp ?start } OPTIONAL { ?s sem:hasLatestEndTimeStamp ?end }"
ITEMS = f"""{PROLOGUE}PREFIX sem: <{PREFIXES["sem"]}> PREFIX time: <{PREFIXES["time"]}>
SELECT ?s ?kind ?label ?start ?end ?date ?text ?unit ?status WHERE {{
  {{ ?s a/rdfs:subClassOf* nio:Event BIND("event" AS ?kind) }}
  UNION {{ ?s a/rdfs:subClassOf* nio:Engagement BIND("engagement" AS ?kind) }}
  ?s rdfs:label ?label . {STAMPS}
  OPTIONAL {{ ?s nio:date ?date }} OPTIONAL {{ ?s nio:dateText ?text }}
  OPTIONAL {{ ?s time:unitType ?unit }} OPTIONAL {{ ?s nio:status ?status }}
}}"""
CHANGES = f"""{PROLOGUE}PREFIX sem: <{PREFIXES["sem"]}> PREFIX org: <{PREFIXES["org"]}>
SELECT ?g ?s ?ct ?start ?end WHERE {{
  {{ ?s nio:affects ?g . OPTIONAL {{ ?s nio:changeType ?ct }} }}
  UNION {{ ?s org:originalOrganization ?g BIND(<{CHANGE}discontinuation> AS ?ct) }}
  {STAMPS}
}}"""
FACETS = f"""{PROLOGUE}PREFIX sem: <{PREFIXES["sem"]}>
SELECT DISTINCT ?s ?facet ?v ?vl WHERE {{
  {{ ?s sem:hasActor|nio:conductedBy|nio:beneficiary|nio:contributor|nio:keyCounterpart|nio:coordinatesWith ?v
     BIND("actor" AS ?facet) }}
  UNION {{ ?s a ?v . VALUES ?top {{ nio:Event nio:Engagement }} ?v rdfs:subClassOf* ?top
           BIND("type" AS ?facet) }}
  UNION {{ ?s nio:eventType ?v BIND("type" AS ?facet) }}
  ?v rdfs:label ?vl .
}}"""


@dataclass
class Item:
    iri: str
    kind: str
    label: str
    start: str
    end: str | None
    when: str
    href: str
    note: str = ""
    ongoing: bool = False
    facets: set[str] = field(default_factory=set)


def _engagement_span(
    row: dict[str, str], changes: list[dict[str, str]]
) -> tuple[str | None, str | None, str]:
    start, end, note = row.get("start"), row.get("end"), ""
    if not start:
        launch = sorted(c["start"] for c in changes if c.get("ct") in STARTS and c.get("start"))
        other = sorted(c["start"] for c in changes if c.get("start"))
        start = (launch or other)[0] if launch or other else None
        note = "start from the event that launched it" if launch else "start from the first event about it"
    if not end:
        ends = sorted(c.get("end") or c["start"] for c in changes if c.get("ct") in ENDS and c.get("start"))
        end = ends[-1] if ends else None
    if not end:
        ongoing = row.get("status", "").endswith("/ongoing")
        note = ", ".join(
            filter(None, [note, "ongoing when the source was last updated" if ongoing else "end not stated"])
        )
    return start, end, note


def items(engine: QueryEngine, prefix: str = "") -> tuple[list[Item], dict[str, dict[str, str]]]:
    """The dated items, and facet → value IRI → label for the filters."""
    changes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for c in select(engine, CHANGES):
        changes[c["g"]].append(c)
    found: dict[str, Item] = {}
    for row in select(engine, ITEMS):
        start, end, note = row.get("start"), row.get("end"), ""
        if row["kind"] == "engagement":
            start, end, note = _engagement_span(row, changes[row["s"]])
        if not start or row["s"] in found:
            continue
        precision = PRECISIONS.get(row.get("unit", ""))
        words = when(row.get("date"), row.get("text"), precision, start, end) or start
        ongoing = row.get("status", "").endswith("/ongoing")
        found[row["s"]] = Item(
            row["s"], row["kind"], row["label"], start, end, words, href(row["s"], prefix), note, ongoing
        )
    facets: dict[str, dict[str, str]] = {"actor": {}, "type": {}}
    for f in select(engine, FACETS):
        if f["s"] in found:
            found[f["s"]].facets.add(f["v"])
            facets[f["facet"]][f["v"]] = f["vl"]
    ordered = sorted(found.values(), key=lambda i: (i.kind != "engagement", i.start, i.end or "", i.label))
    return ordered, facets


def timeline_router() -> APIRouter:
    router = APIRouter(tags=["timeline"])

    @router.api_route("/timeline", methods=["GET", "HEAD"], response_model=None)
    def timeline(request: Request, actor: str = "", type: str = "") -> Response:
        """Events and engagements on a time axis; ``actor`` and ``type`` (IRIs) filter them."""
        prefix = prefix_of(request)
        engine = get_engine(request)
        everything, facets = page_data(request, f"timeline {prefix}", lambda: items(engine, prefix))
        shown = [i for i in everything if all(not f or f in i.facets for f in (actor, type))]
        svg = draw(shown)
        options = {k: sorted(v.items(), key=lambda kv: (kv[1].lower(), kv[0])) for k, v in facets.items()}
        return page(
            request, "timeline.html", items=shown, total=len(everything), svg=svg,
            options=options, actor=actor, type=type,
        )  # fmt: skip

    return router
