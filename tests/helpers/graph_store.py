"""Rows of a SELECT over the built store, with the project's prefixes predeclared."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import sparql_prologue

P = sparql_prologue()


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]
