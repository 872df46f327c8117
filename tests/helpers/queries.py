"""Query texts the tests share: flat chains of one operator, the shape that overflows parsers."""

from __future__ import annotations


def chain(kind: str, n: int) -> str:
    """A flat chain of ``n`` of one operator or keyword (Oxigraph's parser overflows at 2,500-10,000)."""
    items = {
        "UNION": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
        "+": "SELECT (" + "+".join(["1"] * n) + " AS ?x) {}",
        "&&": "ASK { FILTER(" + " && ".join(["true"] * n) + ") }",
        "||": "ASK { FILTER(" + " || ".join(["true"] * n) + ") }",
        "!": "ASK { FILTER(" + "!" * n + "true) }",
        "/": "SELECT * WHERE { ?s " + "/".join(["<p:a>"] * n) + " ?o }",
        "|": "SELECT * WHERE { ?s " + "|".join(["<p:a>"] * n) + " ?o }",
        "MINUS": "SELECT * WHERE { ?s ?p ?o " + " MINUS { ?s ?p ?o }" * n + " }",
        "BIND": "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
        "FILTER": "SELECT * WHERE { ?s ?p ?o " + " FILTER(true)" * n + " }",
        "VALUES": "SELECT * WHERE { " + " VALUES ?x { 1 }" * n + " }",
        "OPTIONAL": "SELECT * WHERE { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o }" * n + " }",
        "collection": "SELECT * WHERE { ?s ?p (" + " ".join(["1"] * n) + ") }",
        "join": "SELECT * WHERE { " + " ".join(f"?s <p:a> ?o{i} ." for i in range(n)) + " }",
        "groups": "SELECT * WHERE { " + " ".join(["{ ?s ?p ?o }"] * n) + " }",
    }
    return items[kind]


KINDS = ["UNION", "+", "&&", "||", "!", "/", "|", "MINUS", "BIND", "FILTER", "VALUES", "OPTIONAL"]
KINDS += ["collection", "join", "groups"]
