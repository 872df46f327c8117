"""The parent's handle on one worker process: start it, send it a plan, take its answer, kill it.

Everything here is asyncio, and lean: a query is one write to the worker's stdin (the
``QueryPlan`` itself, pickled), and its answer (a JSON header frame and a body frame, see
:mod:`kg.engine.worker`) is parsed from the worker's stdout as the bytes arrive, by a protocol,
not read step by step through a stream reader. The answer is delivered whole: in memory, or in
a temporary file (:mod:`kg.engine.spool`) once it passes ``spool_over`` bytes, so a large result
never sits in memory and a slow client never holds the worker. A worker that is busy (or stuck
in a query) costs the server nothing but that worker.

Workers run in a session of their own, so the terminal's Ctrl-C reaches the server only: the
server stops them itself (and the kernel kills them if the server dies, see ``worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import struct
import sys
import time
from pathlib import Path
from typing import Any, cast

from kg.engine.plan import QueryPlan
from kg.engine.results import QueryError
from kg.engine.spool import SPOOL_OVER, Spool, Spools

HEADER = struct.Struct(">I")  # each frame, both ways, is its length in 4 bytes then its bytes

Answer = tuple[dict[str, Any], bytes | Spool]


class WorkerGone(Exception):
    """The worker process ended (crashed or was killed) before it answered."""


class _Answers(asyncio.SubprocessProtocol):
    """Parses the frames a worker writes to its stdout; hands each complete answer to ``waiter``.

    Every answer is a header frame followed by a body frame; the first one, with an empty body,
    says the worker is ready. A body larger than ``spool_over`` goes to a spool of ``spools``
    for ``client`` (the client of the query being answered); when there is no room for it, its
    bytes are dropped and the answer is that refusal.
    """

    def __init__(self, spools: Spools, spool_over: int = SPOOL_OVER) -> None:
        self.spools, self.spool_over = spools, spool_over
        self.client: str | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Answer] | None = None
        self.header: dict[str, Any] | None = None
        self.body_size = -1  # -1: not known yet
        self.spool: Spool | None = None
        self.skipping = False  # a body with no room on disk: its bytes are dropped
        self.spooled = 0
        self.gone: str | None = None
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd != 1:
            return
        if self.spool is not None or self.skipping:
            self._to_spool(data)
            return
        self.buffer += data
        self._parse()

    def _frame(self) -> bytes | None:
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if len(self.buffer) < HEADER.size + size:
            return None
        frame = bytes(self.buffer[HEADER.size : HEADER.size + size])
        del self.buffer[: HEADER.size + size]
        return frame

    def _parse(self) -> None:
        if self.header is None:
            frame = self._frame()
            if frame is None:
                return
            self.header = json.loads(frame)
        if self.body_size < 0:
            if len(self.buffer) < HEADER.size:
                return
            (self.body_size,) = HEADER.unpack_from(self.buffer)
            del self.buffer[: HEADER.size]
            if self.body_size > self.spool_over:
                try:
                    self.spool = self.spools.start(self.client, self.body_size)
                except QueryError as err:
                    self.skipping = True
                    self.header = {"ok": False, "status": err.status, "message": err.message}
                data, self.buffer = bytes(self.buffer), bytearray()
                self._to_spool(data)
                return
        if len(self.buffer) >= self.body_size:
            if len(self.buffer) == self.body_size:  # the usual case: the buffer holds just the body
                body, self.buffer = bytes(self.buffer), bytearray()
            else:
                body = bytes(self.buffer[: self.body_size])
                del self.buffer[: self.body_size]
            self._complete(body)

    def _to_spool(self, data: bytes) -> None:
        left = self.body_size - self.spooled
        if self.spool is not None:
            self.spool.file.write(data[:left])
            self.spool.last_read = time.monotonic()  # (being written: not left unread)
        self.spooled += min(left, len(data))
        if self.spooled == self.body_size:
            spool, self.spool, self.spooled, self.skipping = self.spool, None, 0, False
            rest = data[left:]
            self._complete(spool if spool is not None else b"")
            if rest:
                self.pipe_data_received(1, rest)

    def _complete(self, body: bytes | Spool) -> None:
        header, self.header, self.body_size = self.header or {}, None, -1
        self._deliver((header, body))
        if self.buffer:
            self._parse()

    def _deliver(self, answer: Answer) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)
        elif isinstance(answer[1], Spool):
            self.spools.close(answer[1])  # nobody waits for it (the query was given up): drop it

    def _end(self, why: str) -> None:
        self.gone = self.gone or why
        if self.spool is not None:
            self.spools.close(self.spool)
            self.spool = None
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(WorkerGone(why))

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self._end(f"the worker's output closed ({exc or 'end of file'})")

    def process_exited(self) -> None:
        self._end("the worker exited")
        if not self.exited.done():
            self.exited.set_result(None)


class WorkerProcess:
    """A running ``python -m kg.engine.worker STORE``."""

    def __init__(self, transport: asyncio.SubprocessTransport, answers: _Answers, generation: int) -> None:
        self.transport = transport
        self.answers = answers
        self.generation = generation
        self.retired = False  # set when it must not take another query (stuck, outdated, out of memory)
        # (asyncio's or uvloop's pipe transport: both write as a WriteTransport does)
        self.stdin = cast(asyncio.WriteTransport, transport.get_pipe_transport(0))

    @property
    def pid(self) -> int:
        return self.transport.get_pid()

    @property
    def usable(self) -> bool:
        """Running, and fit to take a query."""
        return not self.retired and self.transport.get_returncode() is None and self.answers.gone is None

    @classmethod
    async def start(
        cls,
        store: Path,
        union_stored: bool,
        generation: int,
        spools: Spools,
        *,
        timeout: float = 120.0,
        memory_mb: int = 0,
        spool_over: int = SPOOL_OVER,
    ) -> WorkerProcess:
        """Start a worker on ``store`` and wait until it has opened the store.

        ``union_stored``: the store's default graph already holds the union of its named graphs.
        ``memory_mb``: the most address space the worker may use (0: no limit of its own).
        ``spools``: where its large answers wait for their clients.
        """
        loop = asyncio.get_running_loop()
        answers = _Answers(spools, spool_over)
        answers.waiter = loop.create_future()
        transport, _ = await loop.subprocess_exec(
            lambda: answers,
            sys.executable,
            "-m",
            "kg.engine.worker",
            str(store),
            *(["--union-stored"] if union_stored else []),
            *([f"--memory-mb={memory_mb}"] if memory_mb > 0 else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=None,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # the terminal's Ctrl-C is the server's to handle, not the workers'
        )
        worker = cls(transport, answers, generation)
        try:
            async with asyncio.timeout(timeout):
                await answers.waiter  # the worker's {"ready": true}
        except BaseException:
            await worker.kill()
            raise
        return worker

    async def ask(self, plan: QueryPlan) -> Answer:
        """Send ``plan``; return the answer's header and its whole body (bytes, or a spool that
        the caller must read or close)."""
        if self.answers.gone is not None or self.transport.get_returncode() is not None:
            raise WorkerGone(self.answers.gone or "the worker has exited")
        payload = pickle.dumps(plan)
        waiter: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.answers.waiter, self.answers.client = waiter, plan.client
        self.stdin.write(HEADER.pack(len(payload)) + payload)
        return await waiter

    async def kill(self) -> None:
        """Stop the process at once (SIGKILL: a query in Rust code does not look at signals)."""
        self.retired = True
        if self.transport.get_returncode() is None:
            with contextlib.suppress(ProcessLookupError):
                self.transport.kill()
        await asyncio.shield(self.answers.exited)
        self.transport.close()
