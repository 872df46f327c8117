"""The parent's handle on one worker process: start it, send it a query, take its answer, kill it.

Everything here is asyncio, and lean: a query is one write to the worker's stdin, and its answer
(a header frame and a body frame, see :mod:`kg.engine.worker`) is parsed from the worker's stdout
as the bytes arrive, by a protocol, not read step by step through a stream reader. The answer is
delivered whole: in memory, or in an anonymous temporary file once it passes ``spool_over``
bytes, so a large result never sits in memory and a slow client never holds the worker. A
worker that is busy (or stuck in a query) costs the server nothing but that worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, cast

HEADER = struct.Struct(">I")  # each frame, both ways, is its length in 4 bytes then its bytes
SPOOL_OVER = 4 * 1024 * 1024  # answers larger than this wait for their client in a temporary file

Answer = tuple[dict[str, Any], bytes | IO[bytes]]


class WorkerGone(Exception):
    """The worker process ended (crashed or was killed) before it answered."""


class _Answers(asyncio.SubprocessProtocol):
    """Parses the frames a worker writes to its stdout; hands each complete answer to ``waiter``.

    Every answer is a header frame followed by a body frame; the first one, with an empty body,
    says the worker is ready.
    """

    def __init__(self, spool_over: int) -> None:
        self.spool_over = spool_over
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Answer] | None = None
        self.header: dict[str, Any] | None = None
        self.body_size = -1  # -1: not known yet
        self.spool: IO[bytes] | None = None
        self.spooled = 0
        self.gone: str | None = None
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd != 1:
            return
        if self.spool is not None:
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
                self.spool = tempfile.TemporaryFile(prefix="kg-result-")  # noqa: SIM115 - closed by its reader
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
        assert self.spool is not None
        left = self.body_size - self.spooled
        self.spool.write(data[:left])
        self.spooled += min(left, len(data))
        if self.spooled == self.body_size:
            spool, self.spool, self.spooled = self.spool, None, 0
            spool.seek(0)
            rest = data[left:]
            self._complete(spool)
            if rest:
                self.pipe_data_received(1, rest)

    def _complete(self, body: bytes | IO[bytes]) -> None:
        header, self.header, self.body_size = self.header or {}, None, -1
        self._deliver((header, body))
        if self.buffer:
            self._parse()

    def _deliver(self, answer: Answer) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)
        elif not isinstance(answer[1], bytes):
            answer[1].close()  # nobody waits for it (the query was given up): drop the file

    def _end(self, why: str) -> None:
        self.gone = self.gone or why
        if self.spool is not None:
            self.spool.close()
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
        # (asyncio's or uvloop's pipe transport: both write as a WriteTransport does)
        self.stdin = cast(asyncio.WriteTransport, transport.get_pipe_transport(0))

    @property
    def pid(self) -> int:
        return self.transport.get_pid()

    @property
    def alive(self) -> bool:
        return self.transport.get_returncode() is None and self.answers.gone is None

    @classmethod
    async def start(
        cls,
        store: Path,
        union_stored: bool,
        generation: int,
        timeout: float = 120.0,
        memory_mb: int = 0,
        spool_over: int = SPOOL_OVER,
    ) -> WorkerProcess:
        """Start a worker on ``store`` and wait until it has opened the store.

        ``union_stored``: the store's default graph already holds the union of its named graphs.
        ``memory_mb``: the most address space the worker may use (0: no limit of its own).
        """
        loop = asyncio.get_running_loop()
        answers = _Answers(spool_over)
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
        )
        worker = cls(transport, answers, generation)
        try:
            async with asyncio.timeout(timeout):
                await answers.waiter  # the worker's {"ready": true}
        except BaseException:
            await worker.kill()
            raise
        return worker

    async def ask(self, request: dict[str, Any]) -> Answer:
        """Send one request; return the answer's header and its whole body (bytes, or a file
        positioned at its start that the caller must close)."""
        if not self.alive:
            raise WorkerGone(self.answers.gone or "the worker has exited")
        payload = json.dumps(request).encode()
        waiter: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.answers.waiter = waiter
        self.stdin.write(HEADER.pack(len(payload)) + payload)
        return await waiter

    async def kill(self) -> None:
        """Stop the process at once (SIGKILL: a query in Rust code does not look at signals)."""
        if self.transport.get_returncode() is None:
            with contextlib.suppress(ProcessLookupError):
                self.transport.kill()
        await asyncio.shield(self.answers.exited)
        self.transport.close()
