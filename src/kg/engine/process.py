"""The parent's handle on one worker process: start it, send it a query, read the answer, kill it.

Everything here is asyncio: the pipes are read by the event loop, never by a blocking call, so a
worker that is busy (or stuck in a query) costs the server nothing but that worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

HEADER = struct.Struct(">I")
CHUNK = 256 * 1024


class WorkerGone(Exception):
    """The worker process ended (crashed or was killed) before it answered."""


class WorkerProcess:
    """A running ``python -m kg.engine.worker STORE``."""

    def __init__(self, proc: asyncio.subprocess.Process, generation: int) -> None:
        self.proc = proc
        self.generation = generation

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    async def start(
        cls, store: Path, union_stored: bool, generation: int, timeout: float = 120.0, memory_mb: int = 0
    ) -> WorkerProcess:
        """Start a worker on ``store`` and wait until it has opened the store.

        ``union_stored``: the store's default graph already holds the union of its named graphs.
        ``memory_mb``: the most address space the worker may use (0: no limit of its own).
        """
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kg.engine.worker",
            str(store),
            *(["--union-stored"] if union_stored else []),
            *([f"--memory-mb={memory_mb}"] if memory_mb > 0 else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        worker = cls(proc, generation)
        try:
            json.loads(await asyncio.wait_for(worker._read_frame(), timeout))  # {"ready": true, "pid": …}
        except BaseException:
            await worker.kill()
            raise
        return worker

    async def _read_frame(self) -> bytes:
        assert self.proc.stdout is not None
        try:
            head = await self.proc.stdout.readexactly(HEADER.size)
            return await self.proc.stdout.readexactly(HEADER.unpack(head)[0])
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerGone(str(err)) from None

    async def ask(self, request: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Send one request; return the answer's header and the size of the body that follows."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        payload = json.dumps(request).encode()
        try:
            self.proc.stdin.write(HEADER.pack(len(payload)) + payload)
            await self.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as err:
            raise WorkerGone(str(err)) from None
        header = json.loads(await self._read_frame())
        try:
            size = HEADER.unpack(await self.proc.stdout.readexactly(HEADER.size))[0]
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerGone(str(err)) from None
        return header, int(size)

    async def read_body(self, size: int) -> bytes:
        assert self.proc.stdout is not None
        try:
            return await self.proc.stdout.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerGone(str(err)) from None

    async def body_chunks(self, size: int) -> AsyncIterator[bytes]:
        """The body in chunks of at most ``CHUNK`` bytes (for large results)."""
        left = size
        while left:
            chunk = await self.read_body(min(CHUNK, left))
            left -= len(chunk)
            yield chunk

    async def kill(self) -> None:
        """Stop the process at once (SIGKILL: a query in Rust code does not look at signals)."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        await self.proc.wait()
