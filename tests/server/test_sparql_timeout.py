"""The time limit: a runaway query is stopped, its CPU freed, and the server stays fast meanwhile."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c != ?f) }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("timeout")
    data = tmp / "big.nt"
    with data.open("w", encoding="utf-8") as out:  # 90,000 triples
        for i in range(90_000):
            out.write(f'<http://example.org/s{i % 3000}> <http://example.org/p{i % 7}> "{i}" .\n')
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root), "--data", str(data), "--query-timeout", "3"], tmp / "log")
    yield server
    stop_server(server)


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def test_runaway_query_is_stopped_while_other_queries_stay_fast(server: Server) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        r = httpx.post(server.url + "/sparql", data={"query": CARTESIAN}, timeout=30)
        outcome.update(status=r.status_code, text=r.text, seconds=time.monotonic() - start)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    workers = [c.pid for c in psutil.Process(server.process.pid).children(recursive=True)]
    latencies = []
    # another client address: one address runs one query at a time (see test_endpoint_hardening)
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(timeout=10, transport=transport) as client:
        while thread.is_alive() and len(latencies) < 200:
            start = time.monotonic()
            r = client.post(server.url + "/sparql", data={"query": f"ASK {{}} # {len(latencies)}"})
            latencies.append(time.monotonic() - start)
            assert r.status_code == 200 and r.json()["boolean"] is True
            assert r.headers["x-cache"] == "miss"  # each one really ran on a worker
            time.sleep(0.05)
    thread.join()
    assert outcome["status"] in (503, 504), outcome
    assert "3 s" in str(outcome["text"])
    assert float(outcome["seconds"]) < 6.0  # type: ignore[arg-type]
    assert len(latencies) >= 10 and max(latencies) < 0.5, latencies
    # the worker that ran the query was killed; what is left (and its replacement) sits idle
    time.sleep(1.0)
    children = [c.pid for c in psutil.Process(server.process.pid).children(recursive=True)]
    assert set(workers) - set(children), "the runaway query's worker should have been replaced"
    before = cpu_seconds(children + workers)
    time.sleep(1.5)
    assert cpu_seconds(children + workers) - before < 0.3
