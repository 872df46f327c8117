"""``/timeline``: every event and engagement on a time axis, filterable by actor and type, and
zoomable to a period.

``items()`` fetches the data (one call, cacheable per build); ``timeline_view()`` and the template
lay it out: each engagement with the events that changed it under it, then the other events, then
the undated items. Marks are drawn on the server as SVG (``timeline_svg.py``) with percentage
coordinates, so the page needs no JavaScript, loads nothing from elsewhere and fits any width; the
year axis stays at the top while scrolling. Filters are plain query parameters
(``?actor=IRI&type=IRI&from=2004&to=2011``).
An engagement's interval is its own ``sem:`` time stamps where it has them; otherwise it starts
with the earliest event that launched or established it (or, failing that, any event that
affected it) and ends with the event that discontinued or renamed it; else it stays open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from kg.engine.base import QueryEngine
from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.render.pages import get_engine, page, prefix_of
from kg.web.render.timeline_svg import axis, track
from kg.web.views.dates import PRECISIONS, when
from kg.web.views.page_data import page_data
from kg.web.views.queries import PROLOGUE, select

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
    affects: set[str] = field(default_factory=set)
    """The engagements the item changed."""

    @property
    def dated(self) -> bool:
        return bool(self.start)


def _engagement_span(
    row: dict[str, str], changes: list[dict[str, str]]
) -> tuple[str | None, str | None, str]:
    start, end, note = row.get("start"), row.get("end"), ""
    if not start:
        launch = sorted(c["start"] for c in changes if c.get("ct") in STARTS and c.get("start"))
        other = sorted(c["start"] for c in changes if c.get("start"))
        start = (launch or other)[0] if launch or other else None
        if start:
            note = (
                "start from the event that launched it" if launch else "start from the first event about it"
            )
    if not end:
        ends = sorted(c.get("end") or c["start"] for c in changes if c.get("ct") in ENDS and c.get("start"))
        end = ends[-1] if ends else None
    if not end:
        ongoing = row.get("status", "").endswith("/ongoing")
        note = ", ".join(
            filter(None, [note, "ongoing when the source was last updated" if ongoing else "end not stated"])
        )
    return start, end, note


async def items(engine: QueryEngine, prefix: str = "") -> tuple[list[Item], dict[str, dict[str, str]]]:
    """Every event and engagement (undated ones with ``start == ""``), and facet → value IRI →
    label for the filters."""
    changes: dict[str, list[dict[str, str]]] = defaultdict(list)
    affects: dict[str, set[str]] = defaultdict(set)
    for c in await select(engine, CHANGES):
        changes[c["g"]].append(c)
        affects[c["s"]].add(c["g"])
    found: dict[str, Item] = {}
    for row in await select(engine, ITEMS):
        start, end, note = row.get("start"), row.get("end"), ""
        if row["kind"] == "engagement":
            start, end, note = _engagement_span(row, changes[row["s"]])
        if row["s"] in found:
            continue
        precision = PRECISIONS.get(row.get("unit", ""))
        words = when(row.get("date"), row.get("text"), precision, start, end) or start or "undated"
        ongoing = row.get("status", "").endswith("/ongoing")
        found[row["s"]] = Item(
            row["s"], row["kind"], row["label"], start or "", end, words, href(row["s"], prefix), note,
            ongoing, affects=affects[row["s"]] if row["kind"] == "event" else set(),
        )  # fmt: skip
    facets: dict[str, dict[str, str]] = {"actor": {}, "type": {}}
    for f in await select(engine, FACETS):
        if f["s"] in found:
            found[f["s"]].facets.add(f["v"])
            facets[f["facet"]][f["v"]] = f["vl"]
    ordered = sorted(found.values(), key=lambda i: (i.kind != "engagement", i.start, i.end or "", i.label))
    return ordered, facets


@dataclass
class Group:
    engagement: Item | None
    events: list[Item]


@dataclass
class TimelineView:
    first: int
    last: int
    groups: list[Group]
    undated: list[Item]
    shown: list[Item]


def same_label_values(facets: dict[str, str], chosen: str) -> set[str]:
    """``chosen`` and every value with the same label (a class and a concept both called "summit")."""
    label = facets.get(chosen)
    return {v for v, lab in facets.items() if lab == label} | {chosen} if label else {chosen}


def timeline_view(
    everything: list[Item],
    facets: dict[str, dict[str, str]],
    actor: str = "",
    kind: str = "",
    first: int | None = None,
    last: int | None = None,
) -> TimelineView:
    """What the page shows: the items that pass the filters, in groups, within [first, last]."""
    wanted = [same_label_values(facets.get("actor", {}), actor) if actor else set()]
    wanted.append(same_label_values(facets.get("type", {}), kind) if kind else set())
    shown = [i for i in everything if all(not w or w & i.facets for w in wanted)]
    dated = [i for i in shown if i.dated]
    years = [int(i.start[:4]) for i in dated] + [int((i.end or i.start)[:4]) for i in dated]
    lo = first if first is not None else min(years, default=2004)
    hi = last if last is not None else max(years, default=lo)
    lo, hi = min(lo, hi), max(lo, hi)

    def inside(i: Item) -> bool:
        return int(i.start[:4]) <= hi and int((i.end or i.start)[:4]) >= lo

    visible = [i for i in dated if inside(i)]
    engagements = [i for i in visible if i.kind == "engagement"]
    placed: set[str] = set()
    groups = []
    for e in engagements:
        events = [i for i in visible if e.iri in i.affects]
        placed.update(i.iri for i in events)
        groups.append(Group(e, events))
    others = [i for i in visible if i.kind == "event" and i.iri not in placed]
    if others:
        groups.append(Group(None, others))
    undated = [i for i in shown if not i.dated]
    return TimelineView(lo, hi, groups, undated, visible)


def _year(value: str, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1000 <= int(value) <= 9999:
        raise HTTPException(400, f"{name} must be a year such as 2004, not {value!r}")
    return int(value)


def timeline_router() -> APIRouter:
    router = APIRouter(tags=["timeline"])

    @router.api_route("/timeline", methods=["GET", "HEAD"], response_model=None)
    async def timeline(
        request: Request, actor: str = "", type: str = "", start: str = Query("", alias="from"), to: str = ""
    ) -> Response:
        """Events and engagements on a time axis; ``actor`` and ``type`` (IRIs) filter them,
        ``from`` and ``to`` (years) zoom to a period."""
        prefix = prefix_of(request)
        engine = await get_engine(request)
        everything, facets = await page_data(request, f"timeline {prefix}", lambda: items(engine, prefix))
        view = timeline_view(everything, facets, actor, type, _year(start, "from"), _year(to, "to"))
        options = {k: _options(v) for k, v in facets.items()}
        dated_years = sorted({int(i.start[:4]) for i in everything if i.dated})
        return page(
            request, "timeline.html", view=view, items=view.shown, total=len(everything),
            axis=axis(view.first, view.last),
            rows={i.iri: track(i, view.first, view.last) for i in view.shown},
            options=options, actor=actor, type=type, start=start, to=to,
            years=list(range(dated_years[0], dated_years[-1] + 1)) if dated_years else [],
        )  # fmt: skip

    return router


def _options(values: dict[str, str]) -> list[tuple[str, str]]:
    """Filter options, one per label (the first IRI of each label stands for all of them)."""
    by_label: dict[str, str] = {}
    for iri, label in sorted(values.items(), key=lambda kv: (kv[1].lower(), kv[0])):
        by_label.setdefault(label, iri)
    return [(iri, label) for label, iri in by_label.items()]
