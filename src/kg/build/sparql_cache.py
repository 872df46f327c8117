"""Parse each SPARQL string once while pyshacl validates.

pyshacl evaluates every SHACL-SPARQL constraint once per focus node by handing rdflib the
query *string*, which rdflib parses and translates again each time: most of a validation's
time. Within ``parsed_once()``, rdflib's plugin ``sparql`` (the processor every ``Graph.query``
uses unless told otherwise) is :class:`ParsedOnceProcessor`, which keeps each string's
translation; afterwards rdflib's own processor is registered again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.query import Processor

Key = tuple[str, Any, tuple[tuple[str, str], ...]]


class ParsedOnceProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, translating each distinct query string once."""

    translated: ClassVar[dict[Key, Any]] = {}

    def query(  # type: ignore[override]
        self,
        strOrQuery: Any,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in self.translated:
                self.translated[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = self.translated[key]
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


@contextmanager
def parsed_once() -> Iterator[None]:
    """Within this block, rdflib parses and translates each distinct query string once."""
    plugin.register("sparql", Processor, __name__, ParsedOnceProcessor.__name__)
    try:
        yield
    finally:
        ParsedOnceProcessor.translated.clear()
        plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")
