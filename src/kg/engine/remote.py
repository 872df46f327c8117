"""A remote SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune …) as the engine.

Every query passes the same checks as on the embedded store first (read-only, nesting depth,
``SERVICE`` only to the operator's allowlist); it is then sent with the SPARQL 1.1 Protocol
(POST form, ``default-graph-uri``/``named-graph-uri``) under this endpoint's time limit, its
answer read under the row cap and re-serialised by Oxigraph (see ``remote_results``). The text
sent declares the predeclared prefixes the query uses (on its first line, so the store's line
numbers stay right) and, unless it has its own, the endpoint's ``BASE``: the plan says which.

Default graph: the merge of the data, ontology and extra graphs (``kg.build.dumps.DEFAULT_GRAPH_PARTS``),
as in a built store. ``kg publish`` stores that merge as one graph, ``kg.build.dumps.MERGED_GRAPH``:
a query without a dataset of its own is sent with it as the one ``default-graph-uri`` and every
other graph of the dataset as ``named-graph-uri``. Without it (a store loaded otherwise), those
graphs themselves are sent as ``default-graph-uri`` (a store's own union would also merge the
shapes, VoID and per-line graphs). Only for a store holding none of those graphs,
or nothing else, is a store whose default graph is the union (``union="store"``: ``oxigraph serve
--union-default-graph``, Fuseki/TDB2's ``unionDefaultGraph``, Virtuoso) sent nothing extra, which
is faster (Oxigraph: 7x on property paths). ``"auto"`` (the default) asks the store once whether
a triple of a named graph is in its default graph.

The dataset's named graphs are the store's graphs under ``kg.namespaces.GRAPH``: a store's own
graphs (Virtuoso's ``virtrdf#``) and other datasets' are not listed, queried or merged. A store
whose TSV is not SPARQL 1.1 TSV (Virtuoso's) is asked for SPARQL JSON instead, and a store's own
row limit (Virtuoso's ``ResultSetMaxRows``, announced in ``X-SPARQL-MaxRows``) marks a SELECT
answer it may have cut as truncated. (Virtuoso cuts CONSTRUCT and DESCRIBE answers silently:
its limit must be above this endpoint's, see docs/deployment.md.)

The named graphs and a data version (the dump checksums ``kg publish`` stores in the VoID graph)
are refreshed every ``refresh`` seconds in the background, so a re-publish empties the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Literal

import httpx

from kg.build.dumps import DEFAULT_GRAPH_PARTS, MERGED_GRAPH
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.plan import DEFAULT_LIMITS, Dataset, Limits, QueryPlan
from kg.engine.remote_results import (
    REMOTE_ACCEPT,
    WITHOUT_TSV,
    Call,
    CappedReader,
    NotSparqlTsv,
    column,
    remote_error,
    store_cap,
)
from kg.namespaces import GRAPH

log = logging.getLogger("kg.engine")
TSV = "text/tab-separated-values"
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
PICK_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"
# for stores that match no empty GRAPH {} (Virtuoso 7; it also takes ~50 s for DISTINCT ?g here)
GRAPHS_SCAN = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
VERSION_QUERY = (
    f"SELECT ?v WHERE {{ GRAPH <{GRAPH}void> {{ ?c <http://spdx.org/rdf/terms#checksumValue> ?v }} }}"
)


class RemoteEngine(QueryEngine):
    """Queries sent over HTTP to the SPARQL endpoint at ``endpoint``."""

    def __init__(
        self,
        endpoint: str,
        *,
        limits: Limits = DEFAULT_LIMITS,
        max_bytes: int = 256 * 1024 * 1024,
        union: Literal["auto", "dataset", "store"] = "auto",
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        refresh: float = 10.0,
    ) -> None:
        self.endpoint, self.limits, self.timeout = endpoint, limits, limits.timeout
        self.max_bytes, self.union, self.refresh = max_bytes, union, refresh
        timeout = limits.timeout
        self._http: dict[str, Any] = {
            "auth": auth,
            "headers": {"User-Agent": "nato-iraq-kg", **(headers or {})},
            "timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        }
        self._client = httpx.Client(**self._http)
        self._aclient: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None
        self._graphs: list[str] | None = None
        self._others = False  # the store holds graphs of other datasets (or its own, as Virtuoso does)
        self._merged = False  # the store holds the default graph as one graph (kg.build.dumps.MERGED_GRAPH)
        self.tsv = True  # the store writes SPARQL TSV; False once it answered in other TSV
        self.store_cap: int | None = None  # the store's own row limit, once an answer said it
        self.version = ""
        self._task: asyncio.Task[None] | None = None

    # -- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self._refresh_now()
        self._task = asyncio.ensure_future(self._refresh_loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._aclient is not None:
            await self._aclient[1].aclose()
            self._aclient = None
        self.close()

    def close(self) -> None:
        self._client.close()

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh)
            try:
                await self._refresh_now()
            except QueryError as err:
                log.warning("remote store: %s", err.message)
            except (ValueError, KeyError) as err:  # an answer that is not SPARQL JSON
                log.warning("remote store: unreadable answer while refreshing: %s", err)

    async def _refresh_now(self) -> None:
        if self.union == "auto":
            probe = self._union_probe(await self._arun(Call.internal(PICK_QUERY, TSV)))
            if probe is not None:
                self._union_found(await self._arun(probe))
        listed = column(await self._arun(Call.internal(GRAPHS_QUERY)), "g")
        if not listed:
            listed = column(await self._arun(Call.internal(GRAPHS_SCAN)), "g")
        self._listed(listed)
        sums = column(await self._arun(Call.internal(VERSION_QUERY)), "v")
        assert self._graphs is not None
        digest = hashlib.sha256(json.dumps([self._graphs, sorted(sums)]).encode()).hexdigest()[:16]
        # without checksums to go by, cached results live for one refresh period at most
        self.version = digest if sums else f"{digest}:{int(time.time() // self.refresh)}"

    def _union_probe(self, pick: QueryResult) -> Call | None:
        """After ``PICK_QUERY`` (TSV): the ASK that tells whether the store's default graph is the union."""
        lines = pick.body.decode("utf-8").splitlines()
        if self.union != "auto" or len(lines) < 2:
            if self.union == "auto":
                self.union = "dataset"
            return None
        return Call.internal(f"ASK {{ {' '.join(lines[1].split(chr(9)))} }}")

    def _union_found(self, ask: QueryResult) -> None:
        self.union = "store" if json.loads(ask.body).get("boolean") else "dataset"
        log.info("remote store: default graph %s", "is the union" if self.union == "store" else "sent")

    def named_graphs(self) -> list[str]:
        if self.union == "auto":
            probe = self._union_probe(self._run(Call.internal(PICK_QUERY, TSV)))
            if probe is not None:
                self._union_found(self._run(probe))
        if self._graphs is None:
            listed = column(self._run(Call.internal(GRAPHS_QUERY)), "g")
            self._listed(listed or column(self._run(Call.internal(GRAPHS_SCAN)), "g"))
        assert self._graphs is not None
        return list(self._graphs)

    def _listed(self, listed: Iterable[str]) -> None:
        """Keep the dataset's named graphs out of the store's listing: those under the dataset's
        graph IRIs (``kg.namespaces.GRAPH``) when there are any. A store's own graphs (Virtuoso's
        ``virtrdf#``) and other datasets' graphs in a shared store are not part of it."""
        found = sorted(set(listed))
        ours = [g for g in found if g.startswith(GRAPH)] or found
        self._merged = MERGED_GRAPH in ours
        self._graphs = [g for g in ours if g != MERGED_GRAPH]
        self._others = len(ours) < len(found)

    # -- queries -----------------------------------------------------------------------------

    def _call(self, plan: QueryPlan) -> Call:
        """How to ask the store for ``plan``."""
        if plan.dataset.fetch:
            raise QueryError(
                "FROM/FROM NAMED of a graph the store does not hold is not supported over a remote store.",
                403,
            )
        declared = "".join(f"PREFIX {p}: <{iri}> " for p, iri in plan.prefixes.items()) + plan.query
        base = f"BASE <{plan.base_iri}>\n" if plan.base_iri and not plan.bases else ""
        fields = [("query", base + declared), *self._dataset_fields(plan.dataset, plan.protocol_dataset)]
        return Call(fields, REMOTE_ACCEPT[plan.kind], plan.media, plan.max_rows, plan.columns)

    def _dataset_fields(self, dataset: Dataset, protocol: bool) -> list[tuple[str, str]]:
        if dataset.union:
            graphs = self.named_graphs()
            named = [("named-graph-uri", g) for g in graphs]
            if self._merged:  # published by kg publish: one graph holds the whole default graph
                return [("default-graph-uri", MERGED_GRAPH), *named]
            # the dataset's default graph merges its data, ontology and extra graphs (kg.build.dumps); a
            # store's own union would also merge the shapes, VoID and per-line graphs of a kg build
            default = [g for g in graphs if g.startswith(DEFAULT_GRAPH_PARTS)]
            if self.union == "store" and not self._others and len(default) in (0, len(graphs)):
                return []
            default = default or graphs
            return [("default-graph-uri", g) for g in default] + named
        if not protocol:  # the query's own FROM / FROM NAMED say it
            return []
        return [("default-graph-uri", g) for g in dataset.default_graphs] + [
            ("named-graph-uri", g) for g in dataset.named_graphs
        ]

    async def run(self, plan: QueryPlan) -> QueryResult:
        if self._graphs is None:
            await self._refresh_now()
        return await self._arun(self._call(plan))

    def _drop_tsv(self) -> None:
        """Ask for other formats than TSV from now on: the store's TSV is not SPARQL TSV."""
        if self.tsv:
            log.info("remote store: its TSV is not SPARQL 1.1 TSV; asking for SPARQL JSON from now on")
        self.tsv = False

    def _accepted(self, call: Call) -> Call:
        """``call`` asking only for what the store writes correctly."""
        if not self.tsv and call.accept == REMOTE_ACCEPT["solutions"]:
            return replace(call, accept=WITHOUT_TSV)
        return call

    def _reader(self, call: Call, headers: httpx.Headers) -> CappedReader:
        """A reader for the answer with ``headers``, knowing the store's own row limit."""
        reader = CappedReader(headers.get("content-type", ""), call.max_rows, self.max_bytes, call.columns)
        reader.store_cap = store_cap(headers)
        if reader.store_cap is not None:
            self.store_cap = reader.store_cap
        return reader

    def _run(self, call: Call) -> QueryResult:
        """Send ``call`` and read the answer, blocking, within the time limit: only for
        ``named_graphs`` before ``start`` (the store is asked once; ``start`` asks it itself)."""
        try:
            return self._run_once(call)
        except NotSparqlTsv:
            self._drop_tsv()
            return self._run_once(call)

    def _run_once(self, call: Call) -> QueryResult:
        call = self._accepted(call)
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("POST", self.endpoint, data=call.data, headers=call.headers) as resp:
                if resp.status_code != 200:
                    raise remote_error(
                        resp.status_code, resp.read().decode("utf-8", "replace"), self.endpoint
                    )
                reader = self._reader(call, resp.headers)
                for chunk in resp.iter_bytes():
                    if reader.feed(chunk):
                        break
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("time limit")
        except httpx.HTTPError as err:
            raise self._transport_error(err) from None
        return reader.result(call.media)

    async def _arun(self, call: Call) -> QueryResult:
        """``_run`` without blocking the event loop."""
        try:
            return await self._arun_once(call)
        except NotSparqlTsv:
            self._drop_tsv()
            return await self._arun_once(call)

    async def _arun_once(self, call: Call) -> QueryResult:
        call = self._accepted(call)
        loop = asyncio.get_running_loop()
        if self._aclient is None or self._aclient[0] is not loop:  # a client belongs to one loop
            self._aclient = (loop, httpx.AsyncClient(**self._http))
        client = self._aclient[1]

        async def read() -> CappedReader:
            async with client.stream("POST", self.endpoint, data=call.data, headers=call.headers) as resp:
                if resp.status_code != 200:
                    body = (await resp.aread()).decode("utf-8", "replace")
                    raise remote_error(resp.status_code, body, self.endpoint)
                reader = self._reader(call, resp.headers)
                async for chunk in resp.aiter_bytes():
                    if reader.feed(chunk):
                        break
                return reader

        try:
            reader = await asyncio.wait_for(read(), self.timeout)
        except TimeoutError:
            raise self._transport_error(httpx.ReadTimeout("time limit")) from None
        except httpx.HTTPError as err:
            raise self._transport_error(err) from None
        return reader.result(call.media)

    def _transport_error(self, err: httpx.HTTPError) -> QueryError:
        if isinstance(err, httpx.TimeoutException) and not isinstance(err, httpx.ConnectTimeout):
            return QueryError(
                f"Query stopped: the store did not answer within this endpoint's limit of "
                f"{self.timeout:g} s. Narrow it down (fewer patterns, a LIMIT, more specific terms) "
                "and try again.",
                504,
            )
        return QueryError(f"The store at {self.endpoint} cannot be reached: {err or type(err).__name__}", 502)
