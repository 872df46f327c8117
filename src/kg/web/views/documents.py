"""What each resolvable IRI serves, as one CONSTRUCT on the engine: a whole document for document
IRIs (the ontology, the shapes, a module of either, a named graph, the dataset's VoID), else the
resource's description (see docs/linked-data.md, "What the RDF of a resource contains")."""

from __future__ import annotations

from kg.engine.base import QueryEngine
from kg.namespaces import GRAPH, ONTOLOGY, SHAPES, VOID_GRAPH
from kg.web.iris import Target
from kg.web.views.queries import PROLOGUE, Description, construct, iri_literal, string_literal

PASSAGE = "{{ {s} prov:wasDerivedFrom|nio:claim ?pa }} UNION {{ BIND({s} AS ?pa) }} ?pa oa:hasSelector ?sel ."
"""The resource's passages (or the resource itself, a passage) and their selectors (``{s}``: its IRI)."""
RESOURCE_TEMPLATE = """{s} ?p ?o . ?o ?bp ?bo . ?bo ?bp2 ?bo2 . ?o ?lp ?ol .
  ?pa ?pp ?po . ?sel ?sp ?so . ?src ?srcp ?srco . ?x ?ip {s} . ?x ?xlp ?xl ."""
RESOURCE_PATTERN = """{{ {s} ?p ?o .
     OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) OPTIONAL {{ ?bo ?bp2 ?bo2 FILTER(isBlank(?bo)) }} }} }}
  UNION {{ {s} ?p ?o . ?o ?lp ?ol . FILTER(?lp IN (rdfs:label, skos:prefLabel, dcterms:title)) }}
  UNION {{ {passage} ?pa ?pp ?po . }}
  UNION {{ {passage} ?sel ?sp ?so . }}
  UNION {{ {passage} ?pa oa:hasSource ?src .
           ?src ?srcp ?srco . FILTER(?srcp IN (rdfs:label, dcterms:title, schema:url)) }}
  UNION {{ ?x ?ip {s} . OPTIONAL {{ ?x ?xlp ?xl . FILTER(?xlp IN (rdfs:label, skos:prefLabel)) }} }}"""
"""A resource's description (``{s}``: its IRI), as a CONSTRUCT template and the pattern that
fills it: its own triples (with blank nodes two levels deep), labels of what it links to, its
provenance passages (or, for a passage, itself) with their quote selectors and source, and the
triples that point to it with their subjects' labels.

A passage is found by a UNION (its own IRI, or what the resource was derived from), not by a
zero-or-one path ``(p|q)?``: Virtuoso 7.2 joins no further pattern to such a path.

Each part is its own UNION branch (no OPTIONAL across parts): one big join of passages ×
selectors × sources took Oxigraph seconds for NATO; these branches take milliseconds. Filters
with IN, not VALUES blocks: Oxigraph joined VALUES first, scanning every triple."""


def resource_query(iri: str) -> str:
    """The CONSTRUCT of a resource's description."""
    s = iri_literal(iri)
    template, pattern = (
        RESOURCE_TEMPLATE.format(s=s),
        RESOURCE_PATTERN.format(s=s, passage=PASSAGE.format(s=s)),
    )
    return f"{PROLOGUE}\nCONSTRUCT {{\n  {template}\n}} WHERE {{\n  {pattern}\n}}"


def graph_contents_query(graph_iri: str, about: str | None = None) -> str:
    """Everything in one named graph, plus what the dataset says about ``about`` (default: the
    graph itself)."""
    g, a = iri_literal(graph_iri), iri_literal(about or graph_iri)
    void = iri_literal(VOID_GRAPH)  # the dataset description is a named graph, not in the default graph
    return (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ GRAPH {g} {{ ?s ?p ?o }} }} "
        f"UNION {{ BIND({a} AS ?s) ?s ?p ?o }} UNION {{ GRAPH {void} {{ BIND({a} AS ?s) ?s ?p ?o }} }} }}"
    )


def graphs_under_query(graph_prefix: str, subject_prefix: str) -> str:
    """Every named graph whose IRI starts with ``graph_prefix``, plus every triple whose subject
    starts with ``subject_prefix`` (the ontology document: its modules and any statement about
    a term made elsewhere)."""
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {string_literal(graph_prefix)})) }}
  UNION {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {string_literal(subject_prefix)})) }}
}}"""


def void_part_query(iri: str) -> str:
    """A part of the VoID description (a partition, a distribution, a linkset): only in its graph."""
    s, void = iri_literal(iri), iri_literal(VOID_GRAPH)
    where = f"GRAPH {void} {{ {{ {s} ?p ?o }} UNION {{ ?x ?q {s} }} }}"
    return f"CONSTRUCT {{ {s} ?p ?o . ?x ?q {s} }} WHERE {{ {where} }}"


def document_query(target: Target) -> str | None:
    """The CONSTRUCT of a document IRI (``None``: a resource, described by ``resource_query``)."""
    path = target.path
    if path == "ontology":
        return graphs_under_query(GRAPH + "ontology/", ONTOLOGY)
    if path == "shapes":
        return graphs_under_query(GRAPH + "shapes/", SHAPES)
    if path.startswith("graph/"):
        return graph_contents_query(target.iri)
    if path == "dataset":
        return graph_contents_query(VOID_GRAPH)
    if path.startswith("dataset/"):
        return void_part_query(target.iri)
    if path.startswith(("ontology/", "shapes/")):
        return graph_contents_query(GRAPH + path, target.iri)
    return None


def is_final(path: str) -> bool:
    """Whether the document at ``path`` is what its query finds, even nothing (no resource
    description to fall back on: the ontology, the shapes, a named graph)."""
    return path in ("ontology", "shapes") or path.startswith("graph/")


async def document(engine: QueryEngine, target: Target) -> Description | None:
    """A document's triples; ``None`` for a resource, or for a document IRI its query finds
    nothing about that has a resource description instead (a part of the VoID description)."""
    try:
        query = document_query(target) if target.kind != "resource" else None
    except ValueError:  # characters no IRI of the dataset has: nothing is known about it
        return Description(b"")
    if query is None:
        return None
    found = await construct(engine, query)
    return found if len(found) or is_final(target.path) else None


async def fetch(engine: QueryEngine, target: Target) -> Description:
    """The triples served for ``target`` (empty: nothing is known about it, or the IRI holds
    characters no IRI of the dataset has)."""
    found = await document(engine, target)
    if found is not None:
        return found
    try:
        return await construct(engine, resource_query(target.iri))
    except ValueError:
        return Description(b"")
