"""A remote SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune …) as the engine.

Every query passes the same checks as on the embedded store first (read-only, nesting depth,
``SERVICE`` only to the operator's allowlist); it is then sent with the SPARQL 1.1 Protocol
(POST form, ``default-graph-uri``/``named-graph-uri``) under this endpoint's time limit, its
answer read under the row cap and re-serialised by Oxigraph (see ``remote_results``). The text
sent declares the predeclared prefixes the query uses (on its first line, so the store's line
numbers stay right) and, unless it has its own, the endpoint's ``BASE``: the plan says which.

Default graph: the merge of the data, ontology and extra graphs (``kg.build.dumps.DEFAULT_GRAPH_PARTS``),
as in a built store. A query without a dataset of its own is sent with those graphs as
``default-graph-uri`` and every named graph as ``named-graph-uri`` (a store's own union would
also merge the shapes, VoID and per-line graphs). Only for a store holding none of those graphs,
or nothing else, is a store whose default graph is the union (``union="store"``: ``oxigraph serve
--union-default-graph``, Fuseki/TDB2's ``unionDefaultGraph``, Virtuoso) sent nothing extra, which
is faster (Oxigraph: 7x on property paths). ``"auto"`` (the default) asks the store once whether
a triple of a named graph is in its default graph.

The named graphs and a data version (the dump checksums ``kg publish`` stores in the VoID graph)
are refreshed every ``refresh`` seconds in the background, so a re-publish empties the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from kg.build.dumps import DEFAULT_GRAPH_PARTS
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.plan import DEFAULT_LIMITS, Dataset, Limits, QueryPlan
from kg.engine.remote_results import REMOTE_ACCEPT, Call, CappedReader, column, remote_error
from kg.namespaces import GRAPH

log = logging.getLogger("kg.engine")
TSV = "text/tab-separated-values"
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
PICK_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"
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
        graphs = column(await self._arun(Call.internal(GRAPHS_QUERY)), "g")
        sums = column(await self._arun(Call.internal(VERSION_QUERY)), "v")
        self._graphs = sorted(graphs)
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
            self._graphs = sorted(column(self._run(Call.internal(GRAPHS_QUERY)), "g"))
        return list(self._graphs)

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
            # the dataset's default graph merges its data, ontology and extra graphs (kg.build.dumps); a
            # store's own union would also merge the shapes, VoID and per-line graphs of a kg build
            default = [g for g in graphs if g.startswith(DEFAULT_GRAPH_PARTS)]
            if self.union == "store" and len(default) in (0, len(graphs)):
                return []
            default = default or graphs
            return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in graphs]
        if not protocol:  # the query's own FROM / FROM NAMED say it
            return []
        return [("default-graph-uri", g) for g in dataset.default_graphs] + [
            ("named-graph-uri", g) for g in dataset.named_graphs
        ]

    async def run(self, plan: QueryPlan) -> QueryResult:
        if self._graphs is None:
            await self._refresh_now()
        return await self._arun(self._call(plan))

    def _run(self, call: Call) -> QueryResult:
        """Send ``call`` and read the answer, blocking, within the time limit: only for
        ``named_graphs`` before ``start`` (the store is asked once; ``start`` asks it itself)."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("POST", self.endpoint, data=call.data, headers=call.headers) as resp:
                if resp.status_code != 200:
                    raise remote_error(
                        resp.status_code, resp.read().decode("utf-8", "replace"), self.endpoint
                    )
                reader = CappedReader(
                    resp.headers.get("content-type", ""), call.max_rows, self.max_bytes, call.columns
                )
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
        loop = asyncio.get_running_loop()
        if self._aclient is None or self._aclient[0] is not loop:  # a client belongs to one loop
            self._aclient = (loop, httpx.AsyncClient(**self._http))
        client = self._aclient[1]

        async def read() -> CappedReader:
            async with client.stream("POST", self.endpoint, data=call.data, headers=call.headers) as resp:
                if resp.status_code != 200:
                    body = (await resp.aread()).decode("utf-8", "replace")
                    raise remote_error(resp.status_code, body, self.endpoint)
                reader = CappedReader(
                    resp.headers.get("content-type", ""), call.max_rows, self.max_bytes, call.columns
                )
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
