"""The default engine: pyoxigraph in a pool of worker processes, each query under a hard time limit.

Each worker opens the store read-only and runs one query at a time. A query that runs past the
limit has its worker killed (its CPU is freed at once) and a fresh worker started; the client gets
503. A worker that crashes (or passes its memory cap, ``memory_mb``) costs that worker only and
answers 503. A worker is free as soon as its answer is computed: the whole body is taken from it
at once (into memory, or an anonymous temporary file when large), so a client that reads slowly
or not at all holds no worker. The pool watches ``dist/build.json``: when the
graph is rebuilt, new workers open the new store and the old ones are retired (``version``
changes, which invalidates cached results).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Coroutine, Sequence
from pathlib import Path
from typing import IO, Any

from kg import defaults
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.fairness import ClientSlots
from kg.engine.plan import Limits, QueryPlan
from kg.engine.policy import NO_REMOTE, Allowlist
from kg.engine.process import WorkerGone, WorkerProcess
from kg.engine.stores import UNION_LIMIT, build_stamp, graph_names, prepare_store

log = logging.getLogger("kg.engine")
CHUNK = 256 * 1024


class PoolEngine(QueryEngine):
    """Queries on ``store_path`` (plus ``extra`` files) in ``workers`` killable processes."""

    def __init__(
        self,
        store_path: Path | None,
        extra: Sequence[Path] = (),
        *,
        workers: int = 2,
        timeout: float = defaults.QUERY_TIMEOUT,
        max_rows: int = defaults.MAX_ROWS,
        max_depth: int = defaults.MAX_DEPTH,
        allow: Allowlist = NO_REMOTE,
        build_info: Path | None = None,
        union_limit: int = UNION_LIMIT,
        memory_mb: int = defaults.WORKER_MEMORY_MB,
        client_queries: int = defaults.CLIENT_QUERIES,
        max_tokens: int = defaults.MAX_TOKENS,
        max_chain: int = defaults.MAX_CHAIN,
    ) -> None:
        self.source, self.extra = store_path, tuple(extra)
        self.size, self.timeout, self.max_rows, self.max_depth = max(1, workers), timeout, max_rows, max_depth
        self.allow, self.build_info = allow, build_info
        self.limits = Limits(max_rows, timeout, max_depth, allow, max_tokens, max_chain)
        self.union_limit, self.memory_mb = union_limit, memory_mb
        # uncached queries one client address may run at once (0: half the workers, at least one)
        self.slots = ClientSlots(client_queries if client_queries > 0 else max(1, self.size // 2))
        self.prepared = prepare_store(store_path, self.extra, union_limit)
        self._graphs = graph_names(self.prepared.path)
        self._build = build_stamp(build_info)
        self.generation = 0
        self._idle: asyncio.Queue[WorkerProcess] = asyncio.Queue()
        self._live: set[WorkerProcess] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def version(self) -> str:
        return f"{self._build}:{self.generation}"

    def named_graphs(self) -> list[str]:
        return list(self._graphs)

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        self._background(self._watch())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*(w.kill() for w in list(self._live)), return_exceptions=True)
        self._live.clear()
        self.close()

    def close(self) -> None:
        if self.prepared.tmp is not None:
            shutil.rmtree(self.prepared.tmp, ignore_errors=True)

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn(self) -> None:
        generation = self.generation
        for attempt in range(30):
            try:
                worker = await WorkerProcess.start(
                    self.prepared.path, self.prepared.union_stored, generation, memory_mb=self.memory_mb
                )
            except (OSError, ValueError, TimeoutError, WorkerGone) as err:
                log.warning("query worker failed to start (%s); retrying", err)
                await asyncio.sleep(min(5.0, 0.2 * (attempt + 1)))
                continue
            if generation != self.generation:
                await worker.kill()
                return
            self._live.add(worker)
            self._idle.put_nowait(worker)
            return

    async def _retire(self, worker: WorkerProcess) -> None:
        """Kill ``worker`` and, if it belonged to the current store, start its replacement."""
        self._live.discard(worker)
        await worker.kill()
        if worker.generation == self.generation:
            await self._spawn()

    def _release(self, worker: WorkerProcess) -> None:
        if worker.generation == self.generation and worker.alive:
            self._idle.put_nowait(worker)
        else:
            self._background(self._retire(worker))

    async def _watch(self) -> None:
        """Every second: follow rebuilds."""
        while True:
            await asyncio.sleep(1.0)
            build = build_stamp(self.build_info)
            if build and build != self._build:
                await self._reload(build)

    async def _reload(self, build: str) -> None:
        """Open the rebuilt store in fresh workers; retire the old ones."""
        log.info("graph rebuilt (build %s): restarting query workers", build)
        old_tmp = self.prepared.tmp
        self.prepared = await asyncio.to_thread(prepare_store, self.source, self.extra, self.union_limit)
        self._graphs = await asyncio.to_thread(graph_names, self.prepared.path)
        self._build, self.generation = build, self.generation + 1
        while not self._idle.empty():
            self._background(self._retire(self._idle.get_nowait()))
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        if old_tmp is not None:
            self._background(self._remove_when_unused(old_tmp, self.generation - 1))

    async def _remove_when_unused(self, folder: Path, generation: int) -> None:
        """Delete an old serving copy once no worker of that generation runs a query any more."""
        for _ in range(int(self.timeout) + 10):
            if not any(w.generation == generation for w in self._live):
                break
            await asyncio.sleep(1.0)
        shutil.rmtree(folder, ignore_errors=True)

    # -- queries ---------------------------------------------------------------------------

    async def _acquire(self, deadline: float) -> WorkerProcess:
        while True:
            try:
                if self._idle.empty():  # wait for one (no timer, no task when a worker is idle)
                    async with asyncio.timeout_at(deadline):
                        worker = await self._idle.get()
                else:
                    worker = self._idle.get_nowait()
            except TimeoutError:
                raise QueryError(
                    f"Every query worker stayed busy for {self.timeout:g} s; try again later.", 503
                ) from None
            if worker.generation == self.generation and worker.alive:
                return worker
            self._background(self._retire(worker))

    async def run(self, plan: QueryPlan) -> QueryResult:
        """Answer ``plan`` (checked once, by :func:`kg.engine.plan.plan_query`) in a worker, under
        the client's share of the pool (:mod:`kg.engine.fairness`)."""
        async with self.slots.slot():
            return await self._run(plan)

    async def _run(self, plan: QueryPlan) -> QueryResult:
        deadline = asyncio.get_running_loop().time() + self.timeout
        worker = await self._acquire(deadline)
        try:
            # one timeout on the running task for the whole exchange: the answer arrives whole
            # (see kg.engine.process), so the worker is free however slowly the client reads
            async with asyncio.timeout_at(deadline):
                header, body = await worker.ask(plan.as_message())
        except TimeoutError:
            self._background(self._retire(worker))
            raise QueryError(
                f"Query stopped: it ran longer than this endpoint's limit of {self.timeout:g} s. "
                "Narrow it down (fewer patterns, a LIMIT, more specific terms) and try again.",
                503,
            ) from None
        except asyncio.CancelledError:  # the request was given up: the worker's state is unknown
            self._background(self._retire(worker))
            raise
        except WorkerGone:
            self._background(self._retire(worker))
            raise QueryError(
                "The query engine stopped while evaluating this query (too complex, or over the "
                "memory limit); it was not answered. Simplify it, or try again later.",
                503,
            ) from None
        if header.get("retire"):  # it ran out of memory: start afresh
            self._background(self._retire(worker))
        else:
            self._release(worker)
        if not header.get("ok"):
            if not isinstance(body, bytes):
                body.close()
            raise QueryError(str(header.get("message", "Query failed.")), int(header.get("status", 500)))
        if isinstance(body, bytes):
            return self._result(header, body, None)
        return self._result(header, b"", _replay(body))

    @staticmethod
    def _result(header: dict[str, Any], body: bytes, chunks: AsyncIterator[bytes] | None) -> QueryResult:
        kind, media, truncated, rows = header["kind"], header["media"], header["truncated"], header["rows"]
        return QueryResult(kind, body, media, truncated, rows, chunks)


async def _replay(spool: IO[bytes]) -> AsyncIterator[bytes]:
    """A spooled body in chunks; the file is closed (and so deleted) when done or dropped."""
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk
