"""The HTML page of a resource (``/id/…``): one SELECT gives its description (the rows that fill
the template of the CONSTRUCT the RDF formats serve) and what the page adds, made into one
``EntityPage`` whose every text and link is worked out here. A document's page (a named graph,
the shapes, the VoID description) is made the same way from the document's CONSTRUCT.

What the SELECT adds: the evidence of each statement — the source lines whose named graph
(``graph/line/<N>``, where the build puts what each line claims) states it, in the line's own
words and precision, or the outside source its graph is derived from, or that the build derived
it by rule (``evidence``); who took part in an event, or what an actor took part in
(``nio:Participation`` nodes); an engagement's summary (:mod:`kg.web.views.engagement`).
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

from kg.build.generate import GENERATED_GRAPH
from kg.engine.base import QueryEngine, QueryResult, ask
from kg.namespaces import ONTOLOGY, PREFIXES
from kg.web.iris import Link, Target, links
from kg.web.views.dates import PRECISIONS
from kg.web.views.documents import PASSAGE, RESOURCE_PATTERN, RESOURCE_TEMPLATE, document
from kg.web.views.engagement import SUMMARY_PATTERN, Summary, summarize
from kg.web.views.offload import Offload
from kg.web.views.queries import PROLOGUE, XSD_STRING, Description, Row, iri_literal
from kg.web.views.values import Evidence, Evidences, LineRef, ResourceView, Value, Values, Wording

AFFECTS = URIRef(ONTOLOGY + "affects")
DATE, DATE_TEXT, UNIT = ONTOLOGY + "date", ONTOLOGY + "dateText", PREFIXES["time"] + "unitType"
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
    rows that fill ``RESOURCE_TEMPLATE``), then what the page adds. A statement's evidence has
    variables of its own (``?cp``, ``?co``, ``?cl``): Virtuoso 7.2 drops the ``?p`` of the rows of
    a named graph when a branch reuses the description's names."""
    s = iri_literal(iri)
    return f"""{PROLOGUE}
SELECT * WHERE {{
  {{ {RESOURCE_PATTERN.format(s=s, passage=PASSAGE.format(s=s))} BIND("about" AS ?kind) }}
  UNION {{ GRAPH ?g {{ {s} ?cp ?co }} ?g prov:wasDerivedFrom ?from .
     OPTIONAL {{ ?g nio:sourceLine ?line }} OPTIONAL {{ ?from oa:hasSource ?src }}
     OPTIONAL {{ ?from rdfs:label ?fromLabel }} OPTIONAL {{ ?co rdfs:label ?cl }}
     OPTIONAL {{ ?co skos:inScheme ?scheme . ?scheme prov:wasDerivedFrom ?via }} BIND("line" AS ?kind) }}
  UNION {{ GRAPH <{GENERATED_GRAPH}> {{ {s} ?cp ?co }} FILTER(?cp != rdf:type) BIND("derived" AS ?kind) }}
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


def node_of(binding: dict[str, str]) -> Node:
    """The term of a SPARQL JSON binding, as rdflib reads it (a plain string has no datatype)."""
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


def evidence(
    iri: str, graph: Graph, rows: list[Row], derived: list[Row], names: Mapping[str, Link]
) -> Evidences:
    """Where each statement of the page's resource comes from, from the rows of ``page_query``.

    A statement lists the lines whose graph states it as the page shows it. Lines that state a
    property of the resource with a value the integrated view does not keep (a month where
    another line gives the day, "NATO" where another names the Allies) are, where the resource
    has one value of that property, listed with that value in their own words and precision:
    the build keeps one value only where the lines agree (``docs/modelling-spec.md``). Where it
    keeps several, the page cannot tell which one such lines state: they go with the property.
    """
    stated: dict[tuple[str, str], set[LineRef]] = defaultdict(set)
    said: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    outside: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    labels = {r["co"]: r["cl"] for r in rows if r.get("cl")}
    for r in rows:
        if r.get("line", "").isdigit():
            n, reader = int(r["line"]), names[r["src"]].reader if r.get("src") else None
            stated[(r["cp"], r["co"])].add((n, f"{reader}#L{n}" if reader else ""))
            said[n][r["cp"]].add(r["co"])
        elif r.get("via", r["from"]) == r["from"]:  # a graph derived from an outside source (the
            # alignment table, the codebooks); a code is from the codebook its scheme is taken from
            name = r.get("fromLabel", "").split(": ")[0] or names[r["from"]].compact
            outside[(r["cp"], r["co"])][r["from"]] = name
    shown: dict[str, set[str]] = defaultdict(set)
    for predicate, value in graph.predicate_objects(URIRef(iri)):
        shown[str(predicate)].add(str(value))
    found: Evidences = {key: Evidence(sorted(lines)) for key, lines in stated.items()}
    reworded: dict[str, dict[str, set[LineRef]]] = defaultdict(lambda: defaultdict(set))
    for (p, o), lines in stated.items():
        if o not in shown[p]:
            reworded[p][o] |= lines
    for p, values in reworded.items():
        one = next(iter(shown[p])) if len(shown[p]) == 1 else ""
        target = found.setdefault((p, one), Evidence())
        for o, lines in values.items():
            target.also += wordings(p, o, lines, said, labels, names)
        target.also.sort(key=lambda w: w.lines)
    for key, sources in outside.items():
        found.setdefault(key, Evidence()).outside = sorted((n, names[s].href) for s, n in sources.items())
    for r in derived if stated else ():  # only where lines describe the resource
        made = found.setdefault((r["cp"], r["co"]), Evidence())
        made.derived = not (made.lines or made.also or made.outside)
    return found


def wordings(
    p: str,
    o: str,
    lines: set[LineRef],
    said: Mapping[int, Mapping[str, set[str]]],
    labels: Mapping[str, str],
    names: Mapping[str, Link],
) -> list[Wording]:
    """How ``lines`` state the value ``o`` of ``p``: a date in each line's words and precision,
    a resource by its name, a literal as it is."""
    if p == DATE:
        grouped: dict[tuple[str, str], list[LineRef]] = defaultdict(list)
        for line in lines:
            words, unit = said[line[0]].get(DATE_TEXT, {o}), said[line[0]].get(UNIT, {""})
            grouped[(min(words), PRECISIONS.get(min(unit), ""))].append(line)
        return [Wording(text, sorted(ls), note) for (text, note), ls in grouped.items()]
    if p == UNIT and o in PRECISIONS:
        return [Wording(PRECISIONS[o], sorted(lines), href=names[o].href if o in names else None)]
    if o in names:
        return [Wording(labels.get(o) or names[o].compact, sorted(lines), href=names[o].href)]
    return [Wording(o, sorted(lines))]


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
        kinds[binding["kind"]["value"]].append({k: node_of(v) for k, v in binding.items()})
    if not kinds["about"]:
        return None
    extras = {k: [{v: str(t) for v, t in row.items()} for row in rows] for k, rows in kinds.items()}
    iris = {
        str(t) for k, rows in kinds.items() if k != "about" for r in rows for t in r.values()
        if isinstance(t, URIRef)
    }  # fmt: skip
    page = _page(target, description(target.iri, kinds["about"]), extras, labels, prefix, iris)
    page.cut = answer.truncated
    return page


def document_page(target: Target, found: Description, labels: Mapping[str, str], prefix: str) -> EntityPage:
    """A document's page model (a named graph, the shapes, the VoID description): its
    statements, and its subjects, each with its anchor. CPU work: run it off the event loop."""
    return _page(target, found.graph, {}, labels, prefix, set())


def _page(
    target: Target,
    graph: Graph,
    extras: dict[str, list[Row]],
    labels: Mapping[str, str],
    prefix: str,
    iris: set[str],
) -> EntityPage:
    """``iris``: the IRIs of the rows beside the description (sources, events, actors …)."""
    node = URIRef(target.iri)
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    names = links(terms | iris, prefix)
    found = evidence(target.iri, graph, extras.get("line", []), extras.get("derived", []), names)
    did = once_per_event(participations(extras.get("did", []), names))
    parts = participations(extras.get("part", []), names)
    values = Values(labels, names, found)
    contents = []
    if target.path.startswith("graph/") or target.path == "shapes":
        for s in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s != node}):
            value = values.value(graph, s)
            document, _, fragment = str(s).partition("#")
            value.anchor = fragment if document == target.iri else ""
            contents.append(value)
    engaged = target.path.startswith("id/engagement/") or (None, AFFECTS, node) in graph
    summary = summarize(extras.get("summary", []), prefix) if engaged else None
    if summary is not None:  # the lines that state its start and end
        for bound, p in ((summary.start, ONTOLOGY + "start"), (summary.end, ONTOLOGY + "end")):
            bound.lines = found.get((p, bound.value), Evidence()).lines
    return EntityPage(
        values.resource(target.iri, target.href, graph), contents, parts, did, summary,
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
