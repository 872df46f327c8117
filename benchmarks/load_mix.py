"""A public-service load test: many clients, a mix of routes, errors and p99 latency per route.

Each simulated client has its own loopback address (127.0.1.N; the server limits concurrent
queries per address) and one keep-alive connection, and loops over the mix: a SPARQL lookup of
one event, an event's page, ``/timeline``, a GROUP BY count, the landing page. Any answer other
than 200 (or a connection error) counts as an error. The server's memory (server plus query
workers, RSS) is sampled every few seconds, so a long run doubles as a soak test.

    .venv/bin/python -m benchmarks.load_mix --events 15000 --clients 32 --seconds 60
    .venv/bin/python -m benchmarks.load_mix --url http://127.0.0.1:8000 --seconds 600 --clients 8

Without ``--url`` it generates a graph of ``--events`` events (benchmarks/generate.py) and
serves it beside this repository's graph with ``kg serve --data``, then stops the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import httpx
import psutil

from benchmarks.generate import TRIPLES_PER_EVENT, event_iri, generate
from benchmarks.servers import free_port

REPO = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/nato-iraq/id/"
GROUP_BY = "SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a ?type } GROUP BY ?type ORDER BY DESC(?n)"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 50"


@dataclass
class Route:
    name: str
    weight: int
    times: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def p(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


class Client:
    """One keep-alive HTTP/1.1 connection from a given local address (asyncio streams, no parsing library)."""

    def __init__(self, url: str, source: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.source = parts.hostname or "127.0.0.1", parts.port or 80, source
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes = b"", accept: str = "*/*") -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(
                self.host, self.port, local_addr=(self.source, 0), limit=1 << 22
            )
        reader, writer = self.streams
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n"
        if body:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        status = int((await reader.readuntil(b"\r\n")).split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while (size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)) > 0:
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            with contextlib.suppress(OSError):
                await self.streams[1].wait_closed()
        self.streams = None


def mix() -> list[Route]:
    return [
        Route("sparql lookup", 4),
        Route("entity page", 4),
        Route("/timeline", 1),
        Route("sparql GROUP BY", 1),
        Route("landing page", 1),
    ]


async def one(client: Client, route: Route, rnd: random.Random, events: int) -> int:
    iri = event_iri(rnd.randrange(events))
    if route.name == "sparql lookup":
        body = urlencode({"query": LOOKUP.format(iri=iri)}).encode()
        return await client.request("POST", "/sparql", body, "application/sparql-results+json")
    if route.name == "entity page":
        return await client.request(
            "GET", "/" + quote(iri.removeprefix("https://w3id.org/nato-iraq/")), accept="text/html"
        )
    if route.name == "/timeline":
        return await client.request("GET", "/timeline", accept="text/html")
    if route.name == "sparql GROUP BY":
        body = urlencode({"query": GROUP_BY}).encode()
        return await client.request("POST", "/sparql", body, "application/sparql-results+json")
    return await client.request("GET", "/", accept="text/html")


async def run_clients(url: str, clients: int, seconds: float, events: int, timeout: float) -> list[Route]:
    routes = mix()
    weighted = [r for r in routes for _ in range(r.weight)]
    stop = time.monotonic() + seconds

    async def loop(n: int) -> None:
        rnd = random.Random(n)
        client = Client(url, f"127.0.1.{n % 250 + 1}")
        try:
            while time.monotonic() < stop:
                route = rnd.choice(weighted)
                start = time.monotonic()
                try:
                    status = await asyncio.wait_for(one(client, route, rnd, events), timeout)
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as err:
                    route.errors[type(err).__name__] += 1
                    await client.close()
                    continue
                if status == 200:
                    route.times.append(time.monotonic() - start)
                else:
                    route.errors[str(status)] += 1
        finally:
            await client.close()

    await asyncio.gather(*(loop(n) for n in range(clients)))
    return routes


async def sample_memory(pid: int, every: float, into: list[tuple[float, float]], stop: asyncio.Event) -> None:
    start = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            into.append((time.monotonic() - start, rss / 2**20))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def report(routes: list[Route], seconds: float, clients: int, memory: list[tuple[float, float]]) -> str:
    done = sum(len(r.times) for r in routes)
    errors = sum(sum(r.errors.values()) for r in routes)
    lines = [
        f"{clients} clients, {seconds:.0f} s: {done} answers ({done / seconds:.1f}/s), {errors} errors",
        "",
        "| route | answers | errors | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in routes:
        errs = ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())) or "0"
        p50 = statistics.median(r.times) * 1000 if r.times else float("nan")
        lines.append(
            f"| {r.name} | {len(r.times)} | {errs} | {p50:.0f} | {r.p(0.99) * 1000:.0f} | "
            f"{max(r.times, default=float('nan')) * 1000:.0f} |"
        )
    if memory:
        third = max(1, len(memory) // 3)
        first = statistics.mean(m for _, m in memory[:third])
        last = statistics.mean(m for _, m in memory[-third:])
        lines += [
            "",
            f"memory (server + workers, RSS MiB): start {memory[0][1]:.0f}, first third mean "
            f"{first:.0f}, last third mean {last:.0f}, "
            f"max {max(m for _, m in memory):.0f} ({len(memory)} samples)",
        ]
    return "\n".join(lines)


START, END = "<!-- load-mix: written by benchmarks/load_mix.py -->", "<!-- /load-mix -->"


def _path_option(args: list[str], i: int) -> bool:
    """Whether ``args[i]`` is ``--work``/``--doc``/``--json`` or its value (left out of the report)."""
    paths = ("--work", "--doc", "--json")
    return args[i].split("=")[0] in paths or (i > 0 and args[i - 1] in paths)


def section(text: str, command: str, events: int, workers: int) -> str:
    load = ", ".join(f"{x:.1f}" for x in psutil.getloadavg())
    return "\n".join(
        [
            START,
            "## Under load: a public-service mix",
            "",
            f"`{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {events:,} generated "
            f"events beside this graph, {workers} query workers, each client from its own address "
            f"(load average at the end: {load} on {psutil.cpu_count()} cores).",
            "",
            text,
            "",
            "The server had answered `/timeline` once before the clock started (its data is prepared "
            "once per build). Each client loops without pause, so this is far more than 32 people "
            "browsing. Any answer but 200 is an error, 429 and 503 included. The acceptance runs are "
            "`python -m benchmarks.load_mix --events 15000 --clients 32 --seconds 60` (0 errors; p99 per "
            "route above) and a soak at moderate load, "
            "`python -m benchmarks.load_mix --events 15000 --clients 8 --seconds 600`, whose memory line "
            "shows whether memory stays flat (samples every 5 s).",
            END,
        ]
    )


def put_section(doc: Path, text: str) -> None:
    """Replace the load-mix section of ``doc`` (or add it at the end)."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip() + "\n\n" + text + "\n"
    doc.write_text(new, encoding="utf-8")


def start_server(events: int, work: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` over a copy of this repository's graph plus ``events`` generated events."""
    root = work / "project"
    for part in ("ontology", "data", "shapes", "queries"):
        if (REPO / part).is_dir() and not (root / part).exists():
            shutil.copytree(REPO / part, root / part)
    (root / "pyproject.toml").write_text("# load-test project\n")
    data = work / f"events-{events}.nt"
    if not data.exists():
        generate(events * TRIPLES_PER_EVENT, data)
    port = free_port()
    cmd = [sys.executable, "-m", "kg.cli", "serve", "--root", str(root), "--data", str(data)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((work / "server.log").read_text(errors="replace")[-3000:])
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/", timeout=2).status_code == 200:
                # started as a deployed server is before its visitors come: the timeline's data ready
                httpx.get(url + "/timeline", timeout=300)
                return proc, url
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start within 15 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one over generated data)")
    parser.add_argument("--events", type=int, default=15_000, help="events in the generated graph")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as failed")
    parser.add_argument("--work", type=Path, help="folder for the generated graph and the server's log")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--doc", type=Path, help="put the report into this Markdown file (docs/benchmarks.md)"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-load-"))
    work.mkdir(parents=True, exist_ok=True)
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server(args.events, work, args.workers)
    pid = proc.pid if proc is not None else None
    try:
        routes, memory = asyncio.run(measure(url, args, pid))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    text = report(routes, args.seconds, args.clients, memory)
    print(text)
    if args.doc:
        shown = [a for i, a in enumerate(sys.argv[1:]) if not _path_option(sys.argv[1:], i)]
        command = " ".join(["python -m benchmarks.load_mix", *shown])
        put_section(args.doc, section(text, command, args.events, args.workers))
    if args.json:
        figures = {
            r.name: {"answers": len(r.times), "errors": dict(r.errors), "p99": r.p(0.99)} for r in routes
        }
        args.json.write_text(json.dumps({"routes": figures, "memory_mib": memory}, indent=1))


async def measure(
    url: str, args: argparse.Namespace, pid: int | None
) -> tuple[list[Route], list[tuple[float, float]]]:
    memory: list[tuple[float, float]] = []
    stop = asyncio.Event()
    sampler = asyncio.ensure_future(sample_memory(pid, 5.0, memory, stop)) if pid else None
    try:
        routes = await run_clients(url, args.clients, args.seconds, args.events, args.timeout)
    finally:
        stop.set()
        if sampler is not None:
            await sampler
    return routes, memory


if __name__ == "__main__":
    main()
