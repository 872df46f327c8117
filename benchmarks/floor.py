"""The floor: the thinnest endpoint built the way this one must be, as a benchmark peer.

It is uvicorn (with uvloop, as ``kg serve`` runs, and httptools, a faster parser than the h11 that
``kg serve`` needs to read the bodies of POSTs asking to upgrade to h2c) in front of killable pyoxigraph
worker processes, and nothing else: a POSTed form's ``query`` goes to an idle worker in one pipe
write, the worker evaluates it and writes the answer back (SPARQL JSON results, or N-Triples for
a graph), and the answer is sent. No checks, no limits, no cache, no headers beyond
Content-Type, no time limit (a timer would only add to its cost). Whatever this endpoint's rules
cost is measured against it: its distance to Oxigraph's server is the part of a gap that comes
from the design (a Python HTTP process and a hop to a separate process per query), not from the
rules. It uses none of this project's code (its frames, pool or worker), so that it measures the
design alone.

    python -m benchmarks.floor serve STORE --port 8000 --workers 2
    python -m benchmarks.floor worker STORE        (started by the server)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import struct
import sys
from typing import Any, cast
from urllib.parse import parse_qs

FRAME = struct.Struct(">I")  # every message, both ways: its length in 4 bytes, then its bytes


def work(store_path: str) -> None:
    """The worker: answer each query frame read from stdin with a status byte and the answer."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    source = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    while len(head := source.read(FRAME.size)) == FRAME.size:
        query = source.read(FRAME.unpack(head)[0]).decode("utf-8")
        try:
            result = store.query(query)
            if isinstance(result, ox.QueryTriples):
                body = b"G" + (ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"")
            else:
                body = b"S" + (result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
        except (SyntaxError, ValueError, OSError) as err:
            body = b"E" + str(err).encode("utf-8")
        out.write(FRAME.pack(len(body)) + body)
        out.flush()


class Worker(asyncio.SubprocessProtocol):
    """The server's end of one worker: one query at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[bytes] | None = None
        self.stdin: asyncio.WriteTransport | None = None

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= FRAME.size:
            (size,) = FRAME.unpack_from(self.buffer)
            if len(self.buffer) >= FRAME.size + size and self.waiter is not None:
                answer = bytes(self.buffer[FRAME.size : FRAME.size + size])
                del self.buffer[: FRAME.size + size]
                waiter, self.waiter = self.waiter, None
                waiter.set_result(answer)

    async def ask(self, query: bytes) -> bytes:
        assert self.stdin is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.stdin.write(FRAME.pack(len(query)) + query)
        return await self.waiter


class Floor:
    """The ASGI app."""

    def __init__(self, store: str, workers: int) -> None:
        self.store, self.size = store, workers
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self.size):
            worker = Worker()
            transport, _ = await loop.subprocess_exec(
                lambda w=worker: w,  # type: ignore[misc]
                sys.executable,
                "-m",
                "benchmarks.floor",
                "worker",
                self.store,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            worker.stdin = cast(asyncio.WriteTransport, transport.get_pipe_transport(0))
            self.idle.put_nowait(worker)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        query = parse_qs(body.decode("utf-8")).get("query", [""])[0].encode("utf-8")
        worker = await self.idle.get()
        try:
            answer = await worker.ask(query)
        finally:
            self.idle.put_nowait(worker)
        kind, answer = answer[:1], answer[1:]
        status, media = {
            b"S": (200, b"application/sparql-results+json"),
            b"G": (200, b"application/n-triples"),
        }.get(kind, (400, b"text/plain"))
        headers = [(b"content-type", media), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", choices=("serve", "worker"))
    parser.add_argument("store")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.role == "worker":
        work(args.store)
        return
    import uvicorn

    floor = Floor(args.store, args.workers)
    uvicorn.run(floor, host="127.0.0.1", port=args.port, http="httptools", log_level="warning")


if __name__ == "__main__":
    main()
