"""Where a SPARQL query reaches a store: one interface, several back ends."""

from kg.engine.base import QueryEngine, QueryError, QueryResult, ResultKind

__all__ = ["QueryEngine", "QueryError", "QueryResult", "ResultKind"]
