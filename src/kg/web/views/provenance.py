"""Which source line supports each statement about a resource.

The build puts every statement a line of the source supports into the named graph
``graph/line/<N>`` (described with ``nio:sourceLine N`` and ``prov:wasDerivedFrom`` its passage).
A page shows, next to each value, a link to that line in the source reader.
"""

from __future__ import annotations

from collections import defaultdict

from kg.engine.base import QueryEngine, QueryError
from kg.web.render.entity import reader_href
from kg.web.views.queries import PROLOGUE, iri_literal, select

Lines = dict[tuple[str, str], list[tuple[int, str]]]
"""(predicate IRI, object's lexical value) → [(line, link to the line in the reader)]."""


def lines_query(iri: str) -> str:
    s = iri_literal(iri)
    return f"""{PROLOGUE}
SELECT ?p ?o ?line ?src WHERE {{
  GRAPH ?g {{ {s} ?p ?o }}
  ?g nio:sourceLine ?line .
  OPTIONAL {{ ?g prov:wasDerivedFrom/oa:hasSource ?src }}
}}"""


async def statement_lines(engine: QueryEngine, iri: str, prefix: str = "") -> Lines:
    """The lines behind each statement whose subject is ``iri`` (empty if the graph has none)."""
    found: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    try:
        rows = await select(engine, lines_query(iri))
    except (QueryError, ValueError):
        return {}
    for r in rows:
        if not r.get("line", "").isdigit():
            continue
        n = int(r["line"])
        link = reader_href(r.get("src", ""), str(n), prefix) or ""
        found[(r["p"], r["o"])].add((n, link))
    return {k: sorted(v) for k, v in found.items()}
