"""The time limit: a runaway query is stopped at the limit, its worker killed (its CPU freed) and
replaced, and other queries are answered meanwhile. Nothing here times the server: the limit shows
in its answer (503 naming the limit) and in its processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from helpers import (
    FIXTURES,
    Server,
    copy_project,
    start_server,
    stop_server,
    wait_for,
    wait_until_idle,
    wait_until_running,
    workers,
)

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


def test_a_runaway_query_is_stopped_at_the_limit_while_other_queries_are_answered(server: Server) -> None:
    pid = server.process.pid
    started = set(workers(pid))
    outcome: list[httpx.Response] = []
    # the client would wait ten times the limit: the answer can only come from the server's limit
    thread = threading.Thread(
        target=lambda: outcome.append(
            httpx.post(server.url + "/sparql", data={"query": CARTESIAN}, timeout=30)
        )
    )
    thread.start()
    wait_until_running(pid)
    # meanwhile another address's queries are answered, each by a worker (not from the cache):
    # the runaway holds one worker, nothing else
    asked = answered_meanwhile = 0
    transport = httpx.HTTPTransport(local_address="127.0.0.2")  # (one address runs one query at a time)
    with httpx.Client(timeout=30, transport=transport) as client:
        while thread.is_alive() and answered_meanwhile < 20:
            asked += 1
            r = client.post(server.url + "/sparql", data={"query": f"ASK {{}} # {asked}"})
            assert r.status_code == 200 and r.json()["boolean"] is True
            assert r.headers["x-cache"] == "miss"
            answered_meanwhile += not outcome  # (answered before the runaway's answer)
    thread.join()
    assert answered_meanwhile == 20, "queries waited for the runaway query"
    assert outcome, "the server did not stop the runaway query (its client gave up waiting)"
    r = outcome[0]
    assert r.status_code == 503 and "ran longer than this endpoint's limit of 3 s" in r.text, r.text
    # its worker was killed (its CPU freed at once) and replaced; the workers left sit idle
    wait_for(lambda: started - set(workers(pid)), 10, "the runaway query's worker killed")
    wait_until_idle(pid, len(started))
