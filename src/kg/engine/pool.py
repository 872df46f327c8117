"""The default engine: pyoxigraph in a pool of worker processes, each query under a hard time limit.

Each worker opens the store read-only and runs one query at a time. ``workers`` processes answer
``/sparql``, and one more the site's own pages; clients take turns on them (see
:mod:`kg.engine.fairness`). A query that runs past the limit has its worker killed (its CPU is
freed at once) and a fresh worker started; the client gets 503. A worker that crashes (or passes
its memory cap, ``memory_mb``) costs that worker only and answers 503. A worker is free as soon
as its answer is computed: the whole body is taken from it at once (into memory, or a temporary
file when large, see :mod:`kg.engine.spool`), so a client that reads slowly or not at all holds
no worker. The pool watches ``dist/build.json``: when the graph is rebuilt, new workers open the
new store and the old ones are retired (``version`` changes, which invalidates cached results).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import defaults
from kg.engine.base import QueryEngine
from kg.engine.fairness import Lane
from kg.engine.plan import DEFAULT_LIMITS, LaneName, Limits, QueryPlan, limits_for
from kg.engine.process import WorkerGone, WorkerProcess
from kg.engine.results import QueryError, QueryResult
from kg.engine.spool import Spools
from kg.engine.stores import build_stamp, graph_names, prepare_store

if TYPE_CHECKING:
    from kg.settings import Settings

log = logging.getLogger("kg.engine")
PAGE_WORKERS = 1  # workers kept for the site's own pages, beside the ones for /sparql


class PoolEngine(QueryEngine):
    """Queries on ``store_path`` (plus ``extra`` files) in ``workers`` killable processes for
    ``/sparql``, and one for the pages.

    ``client_queries``: the most ``/sparql`` queries one client runs at once (0: half the
    workers, at least one). ``spools``: where large results wait for their clients.
    """

    def __init__(
        self,
        store_path: Path | None,
        extra: Sequence[Path] = (),
        *,
        limits: Limits = DEFAULT_LIMITS,
        workers: int = 2,
        client_queries: int = defaults.CLIENT_QUERIES,
        build_info: Path | None = None,
        union_limit: int = defaults.UNION_LIMIT,
        memory_mb: int = defaults.WORKER_MEMORY_MB,
        spools: Spools | None = None,
    ) -> None:
        self.source, self.extra, self.limits, self.build_info = store_path, tuple(extra), limits, build_info
        self.union_limit, self.memory_mb = union_limit, memory_mb
        self.spools = spools or Spools()
        self.sizes: dict[LaneName, int] = {"sparql": max(1, workers), "pages": PAGE_WORKERS}
        cap = client_queries if client_queries > 0 else max(1, self.sizes["sparql"] // 2)
        sparql = Lane(lambda worker: self._replace(worker, "sparql"), cap=cap)
        pages = Lane(lambda worker: self._replace(worker, "pages"), spare=sparql)
        self.lanes: dict[LaneName, Lane] = {"sparql": sparql, "pages": pages}
        self.prepared = prepare_store(store_path, self.extra, union_limit)
        self.graphs = tuple(graph_names(self.prepared.path))
        self._build = build_stamp(build_info)
        self.generation = 0
        self.version = f"{self._build}:0"
        self.stopping = False
        self._live: set[WorkerProcess] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> PoolEngine:
        """The pool ``kg serve`` runs: the store, limits and sizes the settings give."""
        return cls(
            settings.store_path,
            settings.data,
            limits=limits_for(settings),
            workers=settings.workers,
            client_queries=settings.client_queries,
            build_info=settings.dist_dir / "build.json",
            union_limit=settings.union_limit,
            memory_mb=settings.worker_memory_mb,
            spools=Spools(settings.spool_mb << 20, settings.client_spool_mb << 20, settings.send_timeout),
        )

    # -- queries ---------------------------------------------------------------------------

    async def run(self, plan: QueryPlan) -> QueryResult:
        """Answer ``plan`` (checked once, by :func:`kg.engine.plan.plan_query`) in a worker of its
        lane, when its client's turn comes (:mod:`kg.engine.fairness`), within its time limit."""
        deadline = asyncio.get_running_loop().time() + plan.timeout
        async with self.lanes[plan.lane].turn(plan.client, deadline) as worker:
            try:
                # one timeout for the whole exchange: the answer arrives whole (see kg.engine.process),
                # so the worker is free however slowly the client reads
                async with asyncio.timeout_at(deadline):
                    header, body = await worker.ask(plan)
            except TimeoutError:
                worker.retired = True  # stuck in the query: killed when its turn ends
                raise QueryError(
                    f"Query stopped: it ran longer than this endpoint's limit of {plan.timeout:g} s. "
                    "Narrow it down (fewer patterns, a LIMIT, more specific terms) and try again.",
                    503,
                ) from None
            except asyncio.CancelledError:  # the request was given up: the worker's state is unknown
                worker.retired = True
                raise
            except WorkerGone:
                if self.stopping:
                    raise QueryError("The server is stopping; this query was not answered.", 503) from None
                raise QueryError(
                    "The query engine stopped while evaluating this query (too complex, or over the "
                    "memory limit); it was not answered. Simplify it, or try again later.",
                    503,
                ) from None
            if header.get("retire"):  # it ran out of memory: start afresh
                worker.retired = True
        if not header.get("ok"):
            raise QueryError(str(header.get("message", "Query failed.")), int(header.get("status", 500)))
        kind, media, truncated, rows = header["kind"], header["media"], header["truncated"], header["rows"]
        if isinstance(body, bytes):
            return QueryResult(kind, body, media, truncated, rows)
        return QueryResult(kind, b"", media, truncated, rows, self.spools.chunks(body))

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn(lane) for lane, size in self.sizes.items() for _ in range(size)))
        self._background(self._watch())

    async def stop(self) -> None:
        self.stopping = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*(w.kill() for w in list(self._live)), return_exceptions=True)
        self._live.clear()
        for spool in list(self.spools.open):
            self.spools.close(spool)
        self.close()

    def close(self) -> None:
        if self.prepared.tmp is not None:
            shutil.rmtree(self.prepared.tmp, ignore_errors=True)

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn(self, lane: LaneName) -> None:
        generation = self.generation
        for attempt in range(30):
            if self.stopping:
                return
            try:
                worker = await WorkerProcess.start(
                    self.prepared.path,
                    self.prepared.union_stored,
                    generation,
                    self.spools,
                    memory_mb=self.memory_mb,
                )
            except (OSError, ValueError, TimeoutError, WorkerGone) as err:
                if self.stopping:
                    return
                log.warning("query worker failed to start (%s); retrying", err)
                await asyncio.sleep(min(5.0, 0.2 * (attempt + 1)))
                continue
            if generation != self.generation or self.stopping:
                await worker.kill()
                return
            self._live.add(worker)
            self.lanes[lane].add(worker)
            return

    def _replace(self, worker: WorkerProcess, lane: LaneName) -> None:
        """Kill ``worker``; if it belonged to the current store, start its replacement in ``lane``."""
        self._live.discard(worker)
        self._background(worker.kill())
        if worker.generation == self.generation and not self.stopping:
            self._background(self._spawn(lane))

    async def _watch(self) -> None:
        """Every second: follow rebuilds, and delete results whose clients are gone."""
        while True:
            await asyncio.sleep(1.0)
            self.spools.sweep()
            build = build_stamp(self.build_info)
            if build and build != self._build:
                await self._reload(build)

    async def _reload(self, build: str) -> None:
        """Open the rebuilt store in fresh workers; retire the old ones."""
        log.info("graph rebuilt (build %s): restarting query workers", build)
        old_tmp = self.prepared.tmp
        self.prepared = await asyncio.to_thread(prepare_store, self.source, self.extra, self.union_limit)
        self.graphs = tuple(await asyncio.to_thread(graph_names, self.prepared.path))
        self._build, self.generation = build, self.generation + 1
        self.version = f"{build}:{self.generation}"
        for worker in self._live:
            worker.retired = True  # idle ones are replaced below, busy ones when their query ends
        for name, lane in self.lanes.items():
            while lane.idle:
                self._replace(lane.idle.popleft(), name)  # (an old worker: no replacement)
        await asyncio.gather(*(self._spawn(lane) for lane, size in self.sizes.items() for _ in range(size)))
        if old_tmp is not None:
            self._background(self._remove_when_unused(old_tmp, self.generation - 1))

    async def _remove_when_unused(self, folder: Path, generation: int) -> None:
        """Delete an old serving copy once no worker of that generation runs a query any more."""
        for _ in range(int(self.limits.timeout) + 10):
            if not any(w.generation == generation for w in self._live):
                break
            await asyncio.sleep(1.0)
        shutil.rmtree(folder, ignore_errors=True)
