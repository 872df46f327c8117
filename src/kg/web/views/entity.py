"""The HTML page of a resource (``/id/…``): one SELECT gives its description (the rows that fill
the template of the CONSTRUCT the RDF formats serve) and what the page adds, made into one
``EntityPage`` whose every text and link is worked out here. A document's page (a named graph,
the shapes, the VoID description) is made the same way from the document's CONSTRUCT.

What the SELECT adds: the source line behind each statement (the build puts the statements a
line supports into the named graph ``graph/line/<N>``); who took part in an event, or what an
actor took part in (``nio:Participation`` nodes); an engagement's summary
(:mod:`kg.web.views.engagement`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.engine.base import QueryEngine, QueryResult, ask
from kg.namespaces import ONTOLOGY
from kg.web.iris import Link, Target, links
from kg.web.views.documents import PASSAGE, RESOURCE_PATTERN, RESOURCE_TEMPLATE, document
from kg.web.views.engagement import SUMMARY_PATTERN, Summary, summarize
from kg.web.views.offload import Offload
from kg.web.views.queries import PROLOGUE, XSD_STRING, Description, Row, iri_literal
from kg.web.views.values import Lines, ResourceView, Value, Values

AFFECTS = URIRef(ONTOLOGY + "affects")
PART = """OPTIONAL { ?event rdfs:label ?eventLabel } OPTIONAL { ?event sem:hasEarliestBeginTimeStamp ?start }
     OPTIONAL { ?actor rdfs:label ?actorLabel } OPTIONAL { ?part sem:roleType/rdfs:label ?roleLabel }
     OPTIONAL { ?part nio:inCapacityOf ?cap . OPTIONAL { ?cap rdfs:label ?capLabel } }"""


@dataclass
class Part:
    event: str
    event_label: str
    event_href: str
    start: str
    actor: str
    actor_label: str
    actor_href: str
    roles: list[str]
    capacity: str | None
    capacity_href: str | None


@dataclass
class EntityPage:
    view: ResourceView
    contents: list[Value]
    """The subjects of a document (a named graph, the shapes), each with its anchor there."""
    parts: list[Part]
    """Who took part (an event)."""
    did: list[Part]
    """What it took part in (an actor), each event once."""
    summary: Summary | None
    """An engagement's start, end, status and history."""
    timeline: str | None
    """The timeline filtered to this actor."""
    cut: bool = False
    """The engine's row cap cut the answer: the page shows part of what is known."""


def page_query(iri: str) -> str:
    """Everything the page shows, each kind of row marked by ``?kind``: the description (the
    rows that fill ``RESOURCE_TEMPLATE``), then what the page adds."""
    s = iri_literal(iri)
    return f"""{PROLOGUE}
SELECT * WHERE {{
  {{ {RESOURCE_PATTERN.format(s=s, passage=PASSAGE.format(s=s))} BIND("about" AS ?kind) }}
  UNION {{ GRAPH ?g {{ {s} ?p ?o }} ?g nio:sourceLine ?line .
     OPTIONAL {{ ?g prov:wasDerivedFrom/oa:hasSource ?src }} BIND("line" AS ?kind) }}
  UNION {{ {s} nio:hasParticipation ?part . ?part nio:participant ?actor . BIND({s} AS ?event)
     {PART} BIND("part" AS ?kind) }}
  UNION {{ ?part nio:participant {s} . ?event nio:hasParticipation ?part . BIND({s} AS ?actor)
     {PART} BIND("did" AS ?kind) }}
  UNION {{ {SUMMARY_PATTERN.format(g=s)} BIND("summary" AS ?kind) }}
}}"""


async def page_rows(engine: QueryEngine, iri: str) -> QueryResult | None:
    """The answer to ``page_query`` as the engine sent it (SPARQL JSON; read by ``entity_page``
    off the event loop), ``None`` for an IRI no query can hold."""
    try:
        query = page_query(iri)
    except ValueError:
        return None
    return await ask(engine, query, ["application/sparql-results+json"])


def _term(binding: dict[str, str]) -> Node:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    return Literal(value, datatype=URIRef(datatype) if datatype and datatype != XSD_STRING else None)


TEMPLATE = re.findall(r"(\S+) (\S+) (\S+) \.", RESOURCE_TEMPLATE.format(s="S"))
"""The triple patterns of a resource's description (``S`` the resource, ``?v`` a variable)."""


def description(iri: str, rows: list[dict[str, Node]]) -> Graph:
    """The triples ``TEMPLATE`` makes of the rows: what the CONSTRUCT gives."""
    subject = URIRef(iri)
    graph = Graph()
    for row in rows:
        for pattern in TEMPLATE:
            s, p, o = (subject if t == "S" else row.get(t[1:]) for t in pattern)
            if s is not None and p is not None and o is not None:
                graph.add((s, p, o))
    return graph


def statement_lines(rows: list[Row], names: Mapping[str, Link]) -> Lines:
    """The lines behind each statement whose subject is the page's resource."""
    found: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    for r in rows:
        if r.get("line", "").isdigit():
            reader = names[r["src"]].reader if r.get("src") else None
            found[(r["p"], r["o"])].add((int(r["line"]), f"{reader}#L{r['line']}" if reader else ""))
    return {k: sorted(v) for k, v in found.items()}


def participations(rows: list[Row], names: Mapping[str, Link]) -> list[Part]:
    """One ``Part`` per participation node, its roles merged, in date order."""
    grouped: dict[str, Part] = {}
    for r in rows:
        part = grouped.get(r["part"])
        if part is None:
            cap = r.get("cap")
            part = grouped[r["part"]] = Part(
                r["event"], r.get("eventLabel", r["event"]), names[r["event"]].href, r.get("start", ""),
                r["actor"], r.get("actorLabel", r["actor"]), names[r["actor"]].href, [],
                r.get("capLabel", cap) if cap else None, names[cap].href if cap else None,
            )  # fmt: skip
        if r.get("roleLabel") and r["roleLabel"] not in part.roles:
            part.roles = sorted([*part.roles, r["roleLabel"]])
    return sorted(grouped.values(), key=lambda p: (p.start, p.event_label, p.actor_label))


def once_per_event(parts: list[Part]) -> list[Part]:
    """What an actor took part in, each event once (its roles and capacities merged)."""
    merged: dict[str, Part] = {}
    for p in parts:
        first = merged.setdefault(p.event, p)
        if first is not p:
            first.roles = sorted(set(first.roles) | set(p.roles))
            if p.capacity and p.capacity != first.capacity:
                first.capacity = ", ".join(filter(None, [first.capacity, p.capacity]))
    return list(merged.values())


def entity_page(
    target: Target, answer: QueryResult, labels: Mapping[str, str], prefix: str
) -> EntityPage | None:
    """A resource's page model from the answer to ``page_query`` (``None``: nothing is known
    about it). CPU work: run it off the event loop."""
    kinds: dict[str, list[dict[str, Node]]] = defaultdict(list)
    for binding in json.loads(answer.body)["results"]["bindings"]:
        kinds[binding["kind"]["value"]].append({k: _term(v) for k, v in binding.items()})
    if not kinds["about"]:
        return None
    extras = {k: [{v: str(t) for v, t in row.items()} for row in rows] for k, rows in kinds.items()}
    page = _page(target, description(target.iri, kinds["about"]), extras, labels, prefix)
    page.cut = answer.truncated
    return page


def document_page(target: Target, found: Description, labels: Mapping[str, str], prefix: str) -> EntityPage:
    """A document's page model (a named graph, the shapes, the VoID description): its
    statements, and its subjects, each with its anchor. CPU work: run it off the event loop."""
    return _page(target, found.graph, {}, labels, prefix)


def _page(
    target: Target, graph: Graph, extras: dict[str, list[Row]], labels: Mapping[str, str], prefix: str
) -> EntityPage:
    node = URIRef(target.iri)
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    terms.update(
        r[v] for rows in extras.values() for r in rows for v in ("src", "event", "actor", "cap") if v in r
    )
    names = links(terms, prefix)
    lines = statement_lines(extras.get("line", []), names)
    did = once_per_event(participations(extras.get("did", []), names))
    parts = participations(extras.get("part", []), names)
    values = Values(labels, names, lines)
    contents = []
    if target.path.startswith("graph/") or target.path == "shapes":
        for s in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s != node}):
            value = values.value(graph, s)
            document, _, fragment = str(s).partition("#")
            value.anchor = fragment if document == target.iri else ""
            contents.append(value)
    engaged = target.path.startswith("id/engagement/") or (None, AFFECTS, node) in graph
    return EntityPage(
        values.resource(target.iri, target.href, graph), contents, parts, did,
        summarize(extras.get("summary", []), prefix) if engaged else None,
        f"{prefix}/timeline?actor={quote(target.iri, safe='')}" if did else None,
    )  # fmt: skip


async def page(
    engine: QueryEngine, target: Target, labels: Mapping[str, str], prefix: str, offload: Offload
) -> EntityPage | None:
    """The page model of ``target`` (``None``: nothing is known about it): a document from its
    CONSTRUCT, a resource from ``page_query``."""
    found = await document(engine, target) if target.kind != "resource" else None
    if found is not None:
        return await offload.run(document_page, target, found, labels, prefix) if len(found) else None
    answer = await page_rows(engine, target.iri)
    return None if answer is None else await offload.run(entity_page, target, answer, labels, prefix)
