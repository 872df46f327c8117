"""Which IRIs a query may reach outside the store (the operator's allowlist, nothing else), and
the dataset it runs over.

Oxigraph evaluates ``SERVICE`` by itself over HTTP, so every ``SERVICE`` target must be on the
allowlist. ``FROM``/``FROM NAMED`` naming a graph of the dataset are local; any other graph IRI
must be on the allowlist, and is then fetched by the worker (a bounded HTTP GET) and queried
with the local graphs named beside it. The protocol's ``default-graph-uri``/``named-graph-uri``
replace the query's ``FROM`` clauses (SPARQL 1.1 Protocol 2.1.4); a graph they name that the
dataset does not hold is empty, never fetched. File IRIs are never read, whatever the allowlist
says.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kg.engine.guard import Reading
from kg.engine.results import QueryError

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*")


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
    reading: Reading,
    allow: Allowlist,
    local_graphs: Collection[str],
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> Dataset:
    """Check every remote IRI of the query; raise QueryError (400, 403) or return the dataset to use.

    ``default_graphs``/``named_graphs``: the protocol's dataset parameters.
    """
    for target in reading.services:
        if target is None or not allow.allows(target):
            raise _refuse("SERVICE", target)
    if default_graphs or named_graphs:
        return Dataset(
            _protocol_graphs("default-graph-uri", default_graphs),
            _protocol_graphs("named-graph-uri", named_graphs),
            union=False,
        )
    if not (reading.from_graphs or reading.from_named):
        return Dataset()
    fetch: list[str] = []
    for kind, group in (("FROM", reading.from_graphs), ("FROM NAMED", reading.from_named)):
        for iri in group:
            if iri is not None and iri in local_graphs and urlsplit(iri).scheme.lower() != "file":
                continue
            if iri is None or not allow.allows(iri):
                raise _refuse(kind, iri)
            if iri not in fetch:
                fetch.append(iri)
    return Dataset(
        tuple(i for i in reading.from_graphs if i),
        tuple(i for i in reading.from_named if i),
        union=False,
        fetch=tuple(fetch),
    )


def _protocol_graphs(name: str, iris: Sequence[str]) -> tuple[str, ...]:
    for iri in iris:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise QueryError(f"{name} {iri!r} is not an absolute IRI.", 400)
    return tuple(dict.fromkeys(iris))
