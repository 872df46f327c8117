"""The SPARQL 1.1 Service Description of ``/sparql``, built for each request that asks for it.

Every term is defined in its vocabulary (SD, W3C formats, VoID, DCMI terms). The endpoint IRI
is the public address the request came to (or ``--public-url``); ``sd:BasicFederatedQuery`` is
only claimed when the operator's allowlist lets ``SERVICE`` reach somewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from kg.formats import GRAPHS, SOLUTIONS, MediaFormat

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TITLE = "NATO–Iraq knowledge graph: SPARQL endpoint"
DESCRIPTION = "Read-only SPARQL 1.1 endpoint over the NATO–Iraq relations knowledge graph."
# the syntaxes the description itself can be written in, and rdflib's name for each
SYNTAXES = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


def describe_service(endpoint: str, named_graphs: Sequence[str], federated: bool) -> Graph:
    graph = Graph()
    for prefix, ns in (("sd", SD), ("formats", "http://www.w3.org/ns/formats/"), ("void", VOID)):
        graph.bind(prefix, ns)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((service, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    for fmt in (*SOLUTIONS, *GRAPHS):
        if fmt.w3c:
            graph.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if federated:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    # blank node labels fixed by position, so the same description is the same bytes each time
    dataset, default = BNode("dataset"), BNode("default")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, service))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for i, name in enumerate(sorted(named_graphs)):
        node = BNode(f"graph{i}")
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(name)))
    return graph


def serialise(graph: Graph, fmt: MediaFormat) -> bytes:
    return graph.serialize(format=SYNTAXES[fmt.key]).encode("utf-8")
