"""The timeline (``/timeline``): every event and engagement on a time axis, filterable by actor and
type, and zoomable to a period.

``items()`` fetches the data (three queries, computed once per build); ``timeline_view()`` lays it
out: each engagement with the events that changed it under it, then the other events, then the
undated items. An engagement's bar runs from its generated start to its generated end
(``nio:start``, ``nio:end``, read by :mod:`kg.web.views.engagement`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kg.engine.base import QueryEngine
from kg.web.iris import href
from kg.web.views.dates import PRECISIONS, when
from kg.web.views.engagement import SUMMARIES, summaries_of, summarize
from kg.web.views.offload import Offload
from kg.web.views.queries import PROLOGUE, Row, select

FIRST_YEAR, LAST_YEAR = 1, 9999
"""The years the axis can show (those of ``datetime.date``)."""
ITEMS = f"""{PROLOGUE}
SELECT ?s ?kind ?label ?start ?end ?date ?text ?unit WHERE {{
  {{ ?s a/rdfs:subClassOf* nio:Event BIND("event" AS ?kind) }}
  UNION {{ ?s a/rdfs:subClassOf* nio:Engagement BIND("engagement" AS ?kind) }}
  ?s rdfs:label ?label .
  OPTIONAL {{ ?s sem:hasEarliestBeginTimeStamp ?start }} OPTIONAL {{ ?s sem:hasLatestEndTimeStamp ?end }}
  OPTIONAL {{ ?s nio:date ?date }} OPTIONAL {{ ?s nio:dateText ?text }}
  OPTIONAL {{ ?s time:unitType ?unit }}
}}"""
FACETS = f"""{PROLOGUE}
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

    @property
    def first(self) -> int:
        return int(self.start[:4])

    @property
    def last(self) -> int:
        return int((self.end or self.start)[:4])


@dataclass
class Timeline:
    """Every event and engagement (undated ones with ``start == ""``), and facet → value IRI →
    label for the filters."""

    items: list[Item]
    facets: dict[str, dict[str, str]]

    @cached_property
    def options(self) -> dict[str, list[tuple[str, str]]]:
        """The choices of each filter (actor, type)."""
        return {facet: filter_options(values) for facet, values in self.facets.items()}

    @cached_property
    def years(self) -> list[int]:
        """Every year from the first to the last that an item starts in (the period filters)."""
        starts = [i.first for i in self.items if i.dated]
        return list(range(min(starts), max(starts) + 1)) if starts else []


async def items(engine: QueryEngine, offload: Offload, prefix: str = "") -> Timeline:
    """The timeline's data: three queries, and their rows made into items off the event loop."""
    rows = [await select(engine, query) for query in (SUMMARIES, ITEMS, FACETS)]
    return await offload.run(timeline_of, *rows, prefix)


def timeline_of(
    summary_rows: list[Row], item_rows: list[Row], facet_rows: list[Row], prefix: str
) -> Timeline:
    """The timeline from the rows of its three queries (CPU work: off the event loop)."""
    engagements = summaries_of(summary_rows, prefix)
    affects: dict[str, set[str]] = {}
    for g, about in engagements.items():
        for change in (*about.history, *about.undated):
            affects.setdefault(change.iri, set()).add(g)
    found: dict[str, Item] = {}
    for row in item_rows:
        if row["s"] in found:
            continue
        start, end, note, kind = row.get("start"), row.get("end"), "", row["kind"]
        ongoing = False
        if kind == "engagement":  # its bar: the build's nio:start and nio:end
            about = engagements.get(row["s"]) or summarize([], prefix)
            start, end, note, ongoing = about.first or None, about.last, about.dated_from, about.ongoing
        precision = PRECISIONS.get(row.get("unit", ""))
        words = when(row.get("date"), row.get("text"), precision, start, end) or start or "undated"
        found[row["s"]] = Item(
            row["s"], kind, row["label"], start or "", end, words, href(row["s"], prefix), note, ongoing,
            affects=affects.get(row["s"], set()) if kind == "event" else set(),
        )  # fmt: skip
    facets: dict[str, dict[str, str]] = {"actor": {}, "type": {}}
    for f in facet_rows:
        if f["s"] in found:
            found[f["s"]].facets.add(f["v"])
            facets[f["facet"]][f["v"]] = f["vl"]
    ordered = sorted(found.values(), key=lambda i: (i.kind != "engagement", i.start, i.end or "", i.label))
    return Timeline(ordered, facets)


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
    """The dated items on the axis (in the period and passing the filters)."""
    left_out: list[Item]
    """The dated items that pass the filters but lie outside the period."""
    filtered: int
    """How many items the actor and type filters leave out."""


def same_label_values(facets: dict[str, str], chosen: str) -> set[str]:
    """``chosen`` and every value with the same label (a class and a concept both called "summit")."""
    label = facets.get(chosen)
    return {v for v, lab in facets.items() if lab == label} | {chosen} if label else {chosen}


def timeline_view(
    timeline: Timeline, actor: str = "", kind: str = "", first: int | None = None, last: int | None = None
) -> TimelineView:
    """What the page shows: the items that pass the filters, in groups, within [first, last]."""
    wanted = [same_label_values(timeline.facets.get("actor", {}), actor) if actor else set()]
    wanted.append(same_label_values(timeline.facets.get("type", {}), kind) if kind else set())
    passing = [i for i in timeline.items if all(not w or w & i.facets for w in wanted)]
    dated = [i for i in passing if i.dated]
    years = [i.first for i in dated] + [i.last for i in dated]
    lo = first if first is not None else min(years, default=2004)
    hi = last if last is not None else max(years, default=lo)
    lo, hi = max(min(lo, hi), FIRST_YEAR), min(max(lo, hi), LAST_YEAR)
    visible: list[Item] = []
    left_out: list[Item] = []  # pass the filters, outside the period
    for i in dated:
        (visible if i.first <= hi and i.last >= lo else left_out).append(i)
    placed: set[str] = set()
    groups = []
    for e in (i for i in visible if i.kind == "engagement"):
        events = [i for i in visible if e.iri in i.affects]
        placed.update(i.iri for i in events)
        groups.append(Group(e, events))
    others = [i for i in visible if i.kind == "event" and i.iri not in placed]
    if others:
        groups.append(Group(None, others))
    undated = [i for i in passing if not i.dated]
    return TimelineView(lo, hi, groups, undated, visible, left_out, len(timeline.items) - len(passing))


def filter_options(values: dict[str, str]) -> list[tuple[str, str]]:
    """Filter options, one per label (the first IRI of each label stands for all of them)."""
    by_label: dict[str, str] = {}
    for iri, label in sorted(values.items(), key=lambda kv: (kv[1].lower(), kv[0])):
        by_label.setdefault(label, iri)
    return [(iri, label) for label, iri in by_label.items()]
