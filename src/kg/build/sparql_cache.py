"""Parse each SPARQL string once while pyshacl validates.

pyshacl evaluates every SHACL-SPARQL constraint once per focus node by handing rdflib the
query *string*, which rdflib parses and translates again each time: most of a validation's
time. Within ``parsed_once()`` rdflib's processor keeps the translated query per string.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery


@contextmanager
def parsed_once() -> Iterator[None]:
    """Within this block, rdflib parses and translates each distinct query string once."""
    original = processor.SPARQLProcessor.query
    cache: dict[tuple[str, Any, tuple[tuple[str, str], ...]], Any] = {}

    def query(
        self: processor.SPARQLProcessor,
        strOrQuery: Any,
        initBindings: Any = None,
        initNs: Any = None,
        base: Any = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
