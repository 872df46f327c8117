"""A lean HTTP/1.1 keep-alive client (asyncio streams) for latency and throughput measurements.

httpx costs more CPU per request than the fastest server here spends answering, and client and
servers share the machine's cores, so the load generator is kept as thin as possible.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

ACCEPT = "application/sparql-results+json"


class Connection:
    """One keep-alive connection to a SPARQL endpoint; ``query`` POSTs a form and reads the answer."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is not None and self.reader.at_eof():  # the server closed an idle connection
            await self.close()
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        return self.reader, self.writer

    async def query(self, text: str, accept: str = ACCEPT) -> tuple[int, bytes]:
        reader, writer = await self._open()
        body = urlencode({"query": text}).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        try:
            status_line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):  # closed as idle just before: once more
            await self.close()
            reader, writer = await self._open()
            writer.write(head.encode() + body)
            status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            data = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while (size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)) > 0:
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            data = b"".join(parts)
        else:
            data = await reader.read()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Latency:
    first: float  # seconds
    times: list[float]
    status: int
    size: int
    timed_out: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def latency(
    urls: dict[str, str], make: Callable[[int], str], runs: int, budget: float, timeout: float
) -> dict[str, Latency]:
    """The same query on each endpoint of ``urls`` (name → URL), the endpoints taking turns, one
    request each per round, so that what else the machine does weighs on all of them alike: each
    runs ``make(0)`` once (first), then ``make(k)`` up to ``runs`` times or ``budget`` seconds of its
    own. An endpoint whose first answer took more than half the budget keeps that one sample."""
    conns = {name: Connection(url) for name, url in urls.items()}
    firsts: dict[str, tuple[float, int, int]] = {}
    out: dict[str, Latency] = {}
    try:
        for name, conn in conns.items():
            start = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(conn.query(make(0)), timeout)
            except TimeoutError:
                out[name] = Latency(timeout, [], 0, 0, timed_out=True)
                continue
            first = time.perf_counter() - start
            if first > budget / 2:  # one slow query: its first run is the only sample worth the wait
                out[name] = Latency(first, [first], status, len(body))
            else:
                firsts[name] = (first, status, len(body))
        times: dict[str, list[float]] = {name: [] for name in firsts}
        spent = {name: first for name, (first, _, _) in firsts.items()}
        for k in range(1, runs + 1):
            turn = [n for n in firsts if not (spent[n] > budget and len(times[n]) >= 3)]
            if not turn:
                break
            for name in turn[k % len(turn) :] + turn[: k % len(turn)]:  # who goes first rotates
                start = time.perf_counter()
                await asyncio.wait_for(conns[name].query(make(k)), timeout)
                times[name].append(time.perf_counter() - start)
                spent[name] += times[name][-1]
        for name, (first, status, size) in firsts.items():
            out[name] = Latency(first, times[name], status, size)
        return out
    finally:
        for conn in conns.values():
            await conn.close()


async def throughput(url: str, make: Callable[[int], str], clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second with ``clients`` connections for ``seconds``; also the number of non-200s."""
    counter = iter(range(1 << 62))
    done, errors = 0, 0
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done, errors
        conn = Connection(url)
        try:
            while time.perf_counter() < stop:
                status, _ = await conn.query(make(next(counter)))
                done += 1
                errors += status != 200
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.perf_counter() - start), errors
