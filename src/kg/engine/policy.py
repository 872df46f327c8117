"""Which IRIs a query may reach outside the store: the operator's allowlist, nothing else.

Oxigraph evaluates ``SERVICE`` by itself over HTTP, so every ``SERVICE`` target must be on the
allowlist. ``FROM``/``FROM NAMED`` (and the protocol's ``default-graph-uri``/``named-graph-uri``)
naming a graph of the dataset are local; any other graph IRI must be on the allowlist, and is
then fetched by the worker (a bounded HTTP GET) and queried with the local graphs named beside
it. File IRIs are never read, whatever the allowlist says.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kg.engine.base import QueryError
from kg.engine.guard import QueryShape


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset one query runs over, as the worker needs it."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    union: bool = True  # no FROM and no protocol graphs: the default graph is the union of all graphs
    fetch: tuple[str, ...] = ()  # remote graphs (allowlisted) the worker downloads first


@dataclass(frozen=True)
class Allowlist:
    """Endpoints and graph URLs the operator allows; an entry ending in ``/`` allows everything under it."""

    entries: tuple[str, ...] = field(default_factory=tuple)

    def allows(self, iri: str) -> bool:
        if urlsplit(iri).scheme.lower() not in ("http", "https"):
            return False
        return any(iri == e or (e.endswith("/") and iri.startswith(e)) for e in self.entries)


NO_REMOTE = Allowlist()


def _refuse(what: str, iri: str | None) -> QueryError:
    if iri is None:
        return QueryError(
            f"{what} target must be an IRI known before the query runs (no variable, no unknown "
            "prefix, no relative IRI without BASE): this endpoint only reaches allowlisted endpoints.",
            403,
        )
    if urlsplit(iri).scheme.lower() == "file":
        return QueryError(f"{what} <{iri}>: file IRIs are never read by this endpoint.", 403)
    return QueryError(
        f"{what} <{iri}> is not allowed: this endpoint only reaches remote endpoints and graphs "
        "on its operator's allowlist (kg serve --allow-service URL).",
        403,
    )


def plan_dataset(
    shape: QueryShape,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    allow: Allowlist,
    local_graphs: Collection[str],
) -> Dataset:
    """Check every remote IRI of the query; raise QueryError(403) or return the dataset to use."""
    for target in shape.services:
        if target is None or not allow.allows(target):
            raise _refuse("SERVICE", target)
    protocol = bool(default_graphs or named_graphs)
    # the protocol's graph parameters replace the query's FROM clauses (SPARQL 1.1 Protocol 2.1.4)
    defaults = list(default_graphs) if protocol else shape.from_graphs
    named = list(named_graphs) if protocol else shape.from_named
    fetch: list[str] = []
    for kind, group in (("FROM", defaults), ("FROM NAMED", named)):
        for iri in group:
            if iri is not None and iri in local_graphs and urlsplit(iri).scheme.lower() != "file":
                continue
            if iri is None or not allow.allows(iri):
                raise _refuse(kind, iri)
            if iri not in fetch:
                fetch.append(iri)
    if shape.from_graphs or shape.from_named or protocol:
        return Dataset(
            tuple(i for i in defaults if i), tuple(i for i in named if i), union=False, fetch=tuple(fetch)
        )
    return Dataset()
