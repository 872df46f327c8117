"""IRIs the project mints, and the prefixes it writes Turtle with."""

from __future__ import annotations

BASE = "https://w3id.org/nato-iraq/"
"""The dataset's URI space (``void:uriSpace``): every IRI the project mints starts with it."""

ONTOLOGY = BASE + "ontology#"
RESOURCE = BASE + "id/"
GRAPH = BASE + "graph/"
SHAPES = BASE + "shapes#"
DATASET = BASE + "dataset"
VOID_GRAPH = GRAPH + "void"
"""The named graph of the dataset's VoID and DCAT description (``dist/void.ttl``)."""

# Turtle forbids "/" in prefixed names, so each kind of resource has its own prefix.
PREFIXES: dict[str, str] = {
    "nio": ONTOLOGY,
    "niq": RESOURCE,
    "nis": SHAPES,
    "country": RESOURCE + "country/",
    "organisation": RESOURCE + "org/",
    "person": RESOURCE + "person/",
    "post": RESOURCE + "post/",
    "place": RESOURCE + "place/",
    "event": RESOURCE + "event/",
    "participation": RESOURCE + "participation/",
    "engagement": RESOURCE + "engagement/",
    "quantity": RESOURCE + "quantity/",
    "document": RESOURCE + "document/",
    "passage": RESOURCE + "passage/",
    "source": RESOURCE + "source/",
    "scheme": RESOURCE + "scheme/",
    "discrepancy": RESOURCE + "discrepancy/",
    "request": RESOURCE + "request/",
    "eventtype": RESOURCE + "concept/event-type/",
    "roletype": RESOURCE + "concept/role-type/",
    "changetype": RESOURCE + "concept/change-type/",
    "area": RESOURCE + "concept/cooperation-area/",
    "bound": RESOURCE + "concept/bound/",
    "quantitykind": RESOURCE + "concept/quantity-kind/",
    "status": RESOURCE + "concept/status/",
    "section": RESOURCE + "concept/section/",
    "principle": RESOURCE + "concept/principle/",
    "aim": RESOURCE + "concept/aim/",
    "limitation": RESOURCE + "concept/limitation/",
    "condition": RESOURCE + "concept/condition/",
    "reason": RESOURCE + "concept/reason/",
    "topic": RESOURCE + "concept/topic/",
    "partnercategory": RESOURCE + "concept/partner-category/",
    "personnelkind": RESOURCE + "concept/personnel-kind/",
    "integrationrule": RESOURCE + "concept/integration-rule/",
    "cameo": RESOURCE + "concept/cameo/",
    "plover": RESOURCE + "concept/plover/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "dbr": "http://dbpedia.org/resource/",
}

OA_EXACT = PREFIXES["oa"] + "exact"
OA_PREFIX = PREFIXES["oa"] + "prefix"
OA_SUFFIX = PREFIXES["oa"] + "suffix"
OA_HAS_SELECTOR = PREFIXES["oa"] + "hasSelector"
OA_HAS_SOURCE = PREFIXES["oa"] + "hasSource"
NIO_STORED_COPY = ONTOLOGY + "storedCopy"
NIO_SHA256 = ONTOLOGY + "sha256"


def sparql_prologue(names: list[str] | None = None) -> str:
    """PREFIX lines for a SPARQL query (all known prefixes, or just ``names``)."""
    chosen = names if names is not None else list(PREFIXES)
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in chosen)


def compact_iri(iri: str) -> str:
    """``time:unitDay`` for an IRI in one of :data:`PREFIXES` (longest namespace wins), else the IRI."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    if not best:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"
