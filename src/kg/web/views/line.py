"""The HTML page of a line's named graph (``/graph/line/<N>``): the line of the source, and what it
says — every statement of its graph, by the resource it is about, each value as the line gives it
(its wording, its precision) and with the other lines whose graph states the same.

One SELECT gives the statements with the labels of what they name, the other lines of each, and
the line's text (the quote of its whole-line passage, ``passage:L<N>``). The RDF formats of the
same IRI serve the graph itself (``kg.web.views.documents``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.engine.base import QueryEngine, QueryResult, ask
from kg.namespaces import PREFIXES
from kg.web.iris import Target, links
from kg.web.views.entity import node_of
from kg.web.views.offload import Offload
from kg.web.views.queries import PROLOGUE, iri_literal
from kg.web.views.values import Evidence, LineRef, Value, Values, format_links, text_fragment
from kg.web.views.values import Row as Property

LABEL = URIRef(PREFIXES["rdfs"] + "label")


@dataclass
class Subject:
    """A resource the line speaks about, and what the line says of it."""

    value: Value
    rows: list[Property]


@dataclass
class LinePage:
    iri: str
    number: int | None
    text: str | None
    """The line as the source has it (``None``: the graph names no passage with a quote)."""
    reader_href: str | None
    """The line in the source reader."""
    passage_href: str | None
    source_title: str | None
    source_href: str | None
    """The source page, with a text fragment that highlights the line."""
    subjects: list[Subject]
    statements: int
    formats: list[tuple[str, str]]
    """(name, link) of the graph in each RDF format."""


def line_query(iri: str) -> str:
    g = iri_literal(iri)
    return f"""{PROLOGUE}
SELECT * WHERE {{
  {{ GRAPH {g} {{ ?s ?p ?o }} OPTIONAL {{ ?s rdfs:label ?sl }} OPTIONAL {{ ?o rdfs:label ?ol }}
     BIND("said" AS ?kind) }}
  UNION {{ GRAPH {g} {{ ?s ?p ?o }} GRAPH ?other {{ ?s ?p ?o }} ?other nio:sourceLine ?line .
     FILTER(?other != {g}) BIND("other" AS ?kind) }}
  UNION {{ {g} nio:sourceLine ?line ; prov:wasDerivedFrom ?pa . ?pa oa:hasSelector ?sel .
     ?sel oa:exact ?exact .
     OPTIONAL {{ ?pa oa:hasSource ?src
                 OPTIONAL {{ ?src dcterms:title ?title }} OPTIONAL {{ ?src schema:url ?url }} }}
     BIND("text" AS ?kind) }}
}}"""


def line_page(target: Target, answer: QueryResult, labels: Mapping[str, str], prefix: str) -> LinePage | None:
    """The page model from the answer to ``line_query`` (``None``: no such line graph). CPU work:
    run it off the event loop."""
    kinds: dict[str, list[dict[str, Node]]] = defaultdict(list)
    for binding in json.loads(answer.body)["results"]["bindings"]:
        kinds[binding["kind"]["value"]].append({k: node_of(v) for k, v in binding.items()})
    said, other = kinds["said"], kinds["other"]
    text = max(kinds["text"], key=lambda r: (len(str(r["exact"])), str(r["pa"])), default=None)
    if not said and text is None:
        return None
    graph = Graph()
    for r in said:
        graph.add((r["s"], r["p"], r["o"]))
        for node, label in ((r["s"], r.get("sl")), (r["o"], r.get("ol"))):
            if label is not None:
                graph.add((node, LABEL, label))
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    about = {str(t) for t in (text or {}).values() if isinstance(t, URIRef)}
    names = links(terms | about, prefix)
    source = str(text["src"]) if text and "src" in text else None
    reader = names[source].reader if source else None
    elsewhere: dict[str, dict[tuple[str, str], set[LineRef]]] = defaultdict(lambda: defaultdict(set))
    for r in other:
        n = int(str(r["line"]))
        elsewhere[str(r["s"])][(str(r["p"]), str(r["o"]))].add((n, f"{reader}#L{n}" if reader else ""))
    subjects = []
    for s in {r["s"] for r in said}:
        values = Values(labels, names, {k: Evidence(sorted(v)) for k, v in elsewhere[str(s)].items()})
        rows = [r for r in values.rows(graph, s) if r.iri != str(LABEL)]
        subjects.append(Subject(values.value(graph, s), rows))
    subjects.sort(key=lambda x: (x.value.text.lower(), x.value.href or ""))
    number = int(str(text["line"])) if text else None
    exact = str(text["exact"]) if text else None
    url = str(text["url"]) if text and "url" in text else None
    return LinePage(
        target.iri, number, exact, f"{reader}#L{number}" if reader else None,
        names[str(text["pa"])].href if text else None,
        str(text["title"]) if text and "title" in text else None,
        text_fragment(url, exact) if url and exact else url,
        subjects, len({(r["s"], r["p"], r["o"]) for r in said}),
        format_links(target.href),
    )  # fmt: skip


async def page(
    engine: QueryEngine, target: Target, labels: Mapping[str, str], prefix: str, offload: Offload
) -> LinePage | None:
    """The page model of the line graph ``target`` (``None``: no such graph)."""
    try:
        query = line_query(target.iri)
    except ValueError:
        return None
    answer = await ask(engine, query, ["application/sparql-results+json"])
    return await offload.run(line_page, target, answer, labels, prefix)
