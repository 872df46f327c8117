"""The default engine: pyoxigraph in a pool of worker processes, each query under a hard time limit.

Each worker opens the store read-only and runs one query at a time. A query that runs past the
limit has its worker killed (its CPU is freed at once) and a fresh worker started; the client gets
503. A worker that crashes costs that worker only. The pool watches ``dist/build.json``: when the
graph is rebuilt, new workers open the new store and the old ones are retired (``version``
changes, which invalidates cached results).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Coroutine, Sequence
from pathlib import Path
from typing import Any

from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.plan import Limits, QueryPlan
from kg.engine.policy import NO_REMOTE, Allowlist
from kg.engine.process import WorkerGone, WorkerProcess
from kg.engine.stores import UNION_LIMIT, build_id, graph_names, prepare_store

log = logging.getLogger("kg.engine")
STREAM_OVER = 1024 * 1024  # bodies larger than this are streamed from the worker to the client


class PoolEngine(QueryEngine):
    """Queries on ``store_path`` (plus ``extra`` files) in ``workers`` killable processes."""

    def __init__(
        self,
        store_path: Path | None,
        extra: Sequence[Path] = (),
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        max_depth: int = 200,
        allow: Allowlist = NO_REMOTE,
        build_info: Path | None = None,
        union_limit: int = UNION_LIMIT,
    ) -> None:
        self.source, self.extra = store_path, tuple(extra)
        self.size, self.timeout, self.max_rows, self.max_depth = max(1, workers), timeout, max_rows, max_depth
        self.allow, self.build_info = allow, build_info
        self.limits = Limits(max_rows=max_rows, timeout=timeout, max_depth=max_depth, allow=allow)
        self.union_limit = union_limit
        self.prepared = prepare_store(store_path, self.extra, union_limit)
        self._graphs = graph_names(self.prepared.path)
        self._build = build_id(build_info)
        self.generation = 0
        self._idle: asyncio.Queue[WorkerProcess] = asyncio.Queue()
        self._live: set[WorkerProcess] = set()
        self._lent: dict[WorkerProcess, float] = {}  # streaming a body: until when at most
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def version(self) -> str:
        return f"{self._build}:{self.generation}"

    def named_graphs(self) -> list[str]:
        return list(self._graphs)

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await super().start()
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
                worker = await WorkerProcess.start(self.prepared.path, self.prepared.union_stored, generation)
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
        if worker.generation == self.generation and worker.proc.returncode is None:
            self._idle.put_nowait(worker)
        else:
            self._background(self._retire(worker))

    async def _watch(self) -> None:
        """Every second: reclaim workers lent to a stream nobody reads; follow rebuilds."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1.0)
            for worker, until in list(self._lent.items()):
                if loop.time() > until:  # the response was dropped before its body was read
                    self._lent.pop(worker, None)
                    self._background(self._retire(worker))
            build = build_id(self.build_info)
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
        loop = asyncio.get_running_loop()
        while True:
            try:
                worker = await asyncio.wait_for(self._idle.get(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise QueryError(
                    f"Every query worker stayed busy for {self.timeout:g} s; try again later.", 503
                ) from None
            if worker.generation == self.generation and worker.proc.returncode is None:
                return worker
            self._background(self._retire(worker))

    async def run(self, plan: QueryPlan) -> QueryResult:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        worker = await self._acquire(deadline)
        request = plan.as_message()
        try:
            header, size = await asyncio.wait_for(worker.ask(request), max(0.0, deadline - loop.time()))
            if size > STREAM_OVER and header.get("ok"):
                self._lent[worker] = loop.time() + self.timeout + 300
                return self._result(header, b"", self._stream(worker, size))
            body = await asyncio.wait_for(worker.read_body(size), self.timeout)
        except TimeoutError:
            self._background(self._retire(worker))
            raise QueryError(
                f"Query stopped: it ran longer than this endpoint's limit of {self.timeout:g} s. "
                "Narrow it down (fewer patterns, a LIMIT, more specific terms) and try again.",
                503,
            ) from None
        except WorkerGone:
            self._background(self._retire(worker))
            raise QueryError(
                "The query engine stopped while evaluating this query; it was not answered.", 500
            ) from None
        self._release(worker)
        if not header.get("ok"):
            raise QueryError(str(header.get("message", "Query failed.")), int(header.get("status", 500)))
        return self._result(header, body, None)

    @staticmethod
    def _result(header: dict[str, Any], body: bytes, chunks: AsyncIterator[bytes] | None) -> QueryResult:
        kind, media, truncated, rows = header["kind"], header["media"], header["truncated"], header["rows"]
        return QueryResult(kind, body, media, truncated, rows, chunks)

    async def _stream(self, worker: WorkerProcess, size: int) -> AsyncIterator[bytes]:
        done = False
        try:
            async for chunk in worker.body_chunks(size):
                yield chunk
            done = True
        finally:
            if self._lent.pop(worker, None) is not None:  # else the watcher reclaimed it already
                if done:
                    self._release(worker)
                else:  # a client that went away mid-body leaves this worker's pipe out of step
                    self._background(self._retire(worker))
