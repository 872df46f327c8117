"""One plan per query: everything decided before an engine runs it, decided once.

``plan_query`` reads the query once (its tokens, :mod:`kg.engine.lexer`, read by
:func:`kg.engine.guard.read`: form, updates, nesting and complexity limits, ``PREFIX`` and
``BASE`` declarations, prefixes used, ``SELECT *`` order, ``SERVICE``/``FROM`` targets), checks
the IRIs the query would reach against the operator's allowlist, settles the dataset, and picks
the media type from ``format=`` and Accept (406 when none fits). The plan carries what the reading
found to every engine: the predeclared prefixes the query uses without declaring them (the
embedded engine passes them to Oxigraph, the remote one declares them in the text it sends), its
own declarations and ``BASE``, and the column order of a ``SELECT *``. Every engine executes a
``QueryPlan`` as it is; none reads the query, checks or negotiates again.

What a query may reach: Oxigraph evaluates ``SERVICE`` by itself over HTTP, so every ``SERVICE``
target must be on the allowlist. ``FROM``/``FROM NAMED`` naming a graph of the dataset are local;
any other graph IRI must be on the allowlist, and is then fetched by the worker (a bounded HTTP
GET) and queried with the local graphs named beside it. The protocol's
``default-graph-uri``/``named-graph-uri`` replace the query's ``FROM`` clauses (SPARQL 1.1
Protocol 2.1.4); a graph they name that the dataset does not hold is empty, never fetched. File
IRIs are never read, whatever the allowlist says.

``limits_for`` is the one place where the per-query limits are made from the settings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from kg import defaults
from kg.engine.guard import Reading, read
from kg.engine.lexer import tokens
from kg.engine.results import QueryError, ResultKind
from kg.formats import DEFAULT, GRAPHS, SOLUTIONS, choose
from kg.namespaces import PREFIXES

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*")

if TYPE_CHECKING:  # (not imported at run time: worker processes need no settings machinery)
    from kg.settings import Settings

LaneName = Literal["sparql", "pages"]
"""Who asked: a client of ``/sparql``, or the site itself for one of its pages (see
:mod:`kg.engine.fairness`)."""


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


@dataclass(frozen=True)
class Limits:
    """What one query may use (from :class:`kg.settings.Settings`, by :func:`limits_for`)."""

    max_rows: int = defaults.MAX_ROWS
    timeout: float = defaults.QUERY_TIMEOUT
    max_depth: int = defaults.MAX_DEPTH
    allow: Allowlist = field(default_factory=lambda: NO_REMOTE)
    max_tokens: int = defaults.MAX_TOKENS
    max_chain: int = defaults.MAX_CHAIN


DEFAULT_LIMITS = Limits()


def limits_for(settings: Settings) -> Limits:
    """The per-query limits ``settings`` give (the one place they are made)."""
    return Limits(
        max_rows=settings.max_rows,
        timeout=settings.query_timeout,
        max_depth=settings.max_depth,
        allow=Allowlist(tuple(settings.allow_service)),
        max_tokens=settings.max_tokens,
        max_chain=settings.max_chain,
    )


@dataclass(frozen=True)
class QueryPlan:
    """A checked query and how to answer it (what a worker process receives, as it is)."""

    query: str
    kind: ResultKind
    media: str
    dataset: Dataset = field(default_factory=Dataset)
    max_rows: int = defaults.MAX_ROWS
    timeout: float = defaults.QUERY_TIMEOUT
    base_iri: str | None = None
    """What relative IRIs resolve against when the query declares no ``BASE`` (the endpoint's IRI)."""
    columns: tuple[str, ...] = ()
    """``SELECT *``: its variables in the order they first appear in the query (Jena's order)."""
    protocol_dataset: bool = False
    """The dataset came from ``default-graph-uri``/``named-graph-uri`` (not from ``FROM``)."""
    prefixes: Mapping[str, str] = field(default_factory=dict)
    """The predeclared prefixes the query uses without declaring them: each engine declares these."""
    declared: Mapping[str, str] = field(default_factory=dict)
    """The query's own ``PREFIX`` declarations (name → namespace IRI)."""
    unknown: tuple[str, ...] = ()
    """Prefixes the query uses that are neither declared nor predeclared (a parser will refuse it)."""
    bases: tuple[str, ...] = ()
    """The query's own ``BASE`` IRIs."""
    client: str | None = None
    """The address the request came from, as the web layer names it (for fair turns; None: unknown)."""
    lane: LaneName = "sparql"


def plan_query(
    query: str,
    *,
    accepted: Sequence[str] = (),
    format_param: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    limits: Limits = DEFAULT_LIMITS,
    local_graphs: Collection[str] = (),
    base_iri: str | None = None,
    prefixes: Mapping[str, str] = PREFIXES,
    client: str | None = None,
    lane: LaneName = "sparql",
) -> QueryPlan:
    """Check ``query`` and decide how to answer it; raise QueryError (400, 403, 406) when it cannot be.

    ``prefixes``: the predeclared ones. ``client``: who sent it (see :mod:`kg.engine.fairness`).
    Reading a large query takes time linear in its length (up to a second for the largest
    bodies): a server calls this off its event loop (see :mod:`kg.web.routes.sparql`).
    """
    toks = tokens(query, limits.max_tokens + 1)
    reading = read(
        query,
        toks,
        prefixes,
        max_depth=limits.max_depth,
        max_tokens=limits.max_tokens,
        max_chain=limits.max_chain,
    )
    for target in reading.services:  # what it may reach, and the dataset it runs over
        if target is None or not limits.allow.allows(target):
            raise _refused("SERVICE", target)
    if default_graphs or named_graphs:  # (they replace FROM; a graph the store lacks is empty)
        dataset = Dataset(
            _absolute("default-graph-uri", default_graphs),
            _absolute("named-graph-uri", named_graphs),
            union=False,
        )
    elif reading.from_graphs or reading.from_named:
        dataset = _from_clauses(reading, limits.allow, local_graphs)
    else:
        dataset = Dataset()
    kind: ResultKind = reading.kind or "solutions"
    among = GRAPHS if kind == "graph" else SOLUTIONS
    chosen = choose(among, format_param, accepted, DEFAULT["graph" if kind == "graph" else "solutions"])
    if chosen is None:
        what = "a graph" if kind == "graph" else "query results"
        asked = ", ".join([*([f"format={format_param}"] if format_param else []), *accepted])
        offered = ", ".join(f.media_type for f in among)
        raise QueryError(
            f"None of the accepted media types ({asked}) can carry {what}; this endpoint offers {offered}.",
            406,
        )
    return QueryPlan(
        query,
        kind,
        chosen.media_type,
        dataset,
        limits.max_rows,
        limits.timeout,
        base_iri,
        reading.columns if kind == "solutions" else (),
        bool(default_graphs or named_graphs),
        reading.needed,
        reading.prefixes,
        reading.unknown,
        tuple(reading.bases),
        client,
        lane,
    )


def _refused(what: str, iri: str | None) -> QueryError:
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


def _from_clauses(reading: Reading, allow: Allowlist, local_graphs: Collection[str]) -> Dataset:
    """The dataset of the query's ``FROM``/``FROM NAMED``: local graphs, and allowlisted remote
    ones the worker fetches; QueryError(403) for any other."""
    fetch: list[str] = []
    for kind, group in (("FROM", reading.from_graphs), ("FROM NAMED", reading.from_named)):
        for iri in group:
            if iri is not None and iri in local_graphs and urlsplit(iri).scheme.lower() != "file":
                continue
            if iri is None or not allow.allows(iri):
                raise _refused(kind, iri)
            if iri not in fetch:
                fetch.append(iri)
    return Dataset(
        tuple(i for i in reading.from_graphs if i),
        tuple(i for i in reading.from_named if i),
        union=False,
        fetch=tuple(fetch),
    )


def _absolute(name: str, iris: Sequence[str]) -> tuple[str, ...]:
    """The protocol's graph IRIs ``iris`` (parameter ``name``), once each; QueryError(400) for
    one that is not absolute."""
    for iri in iris:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise QueryError(f"{name} {iri!r} is not an absolute IRI.", 400)
    return tuple(dict.fromkeys(iris))
