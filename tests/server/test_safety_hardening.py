"""One request or a few clients cannot stall the server (a real server on the tiny fixture).

Nothing here times the server: each limit shows in what the server does (its answer, a connection
it closes, its log), and the client waits longer than any of its deadlines."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from unittest import mock

import httpx
import psutil
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
)
from helpers.sockets import ended, post_without_reading
from kg import defaults

pytestmark = pytest.mark.server
MEMORY_MB = 1024
MAX_CONNECTIONS = 64
WORKERS = 3  # two for /sparql (--workers 2), one for the pages
CUT_SHORT = "ASGI callable returned without completing response"  # the server's log: a client dropped


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hardening")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    limits = {"KG_SEND_TIMEOUT": "3", "KG_WORKER_MEMORY_MB": str(MEMORY_MB), "KG_HEAD_TIMEOUT": "2"}
    limits.update(KG_MAX_CONNECTIONS=str(MAX_CONNECTIONS), KG_BODY_TIMEOUT="2")
    with mock.patch.dict(os.environ, limits):
        server = start_server(["--root", str(root), "--query-timeout", "5", "--workers", "2"], tmp / "log")
    yield server
    stop_server(server)


def big_result_query(tag: str) -> str:
    """10,000 rows of 4 KB each (about 45 MB of JSON), from no data at all."""
    values = " ".join(str(i) for i in range(100))
    return (
        f"SELECT * WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        f'BIND("{"x" * 4000}" AS ?x) }} # {tag}'
    )


def test_64k_hyphen_runs_are_refused_by_the_limit_while_others_are_served(server: Server) -> None:
    """The tokenizer once took 44 s on this body, on the event loop: nothing else was answered. Now
    the pre-check stops at a complexity limit, off the event loop, in a fraction of a second (its
    clients would give up after 30 s, a hundred times that), while others' queries are answered.
    That the tokenizer is linear is a unit test (tests/unit/engine/test_query_complexity.py)."""
    body = "SELECT * WHERE { " + "a-" * 32_000 + "a }"
    assert len(body) > 64_000
    outcome: list[httpx.Response] = []

    def attack() -> None:
        headers = {"Content-Type": "application/sparql-query"}
        outcome.append(httpx.post(server.url + "/sparql", content=body.encode(), headers=headers, timeout=30))

    attackers = [threading.Thread(target=attack) for _ in range(3)]
    for thread in attackers:
        thread.start()
    with httpx.Client(timeout=30) as client:
        n = 0
        while any(t.is_alive() for t in attackers) or n < 5:
            n += 1
            r = client.post(server.url + "/sparql", data={"query": f"ASK {{ FILTER({n} > 0) }}"})
            assert r.status_code == 200, r.text
    for thread in attackers:
        thread.join()
    assert len(outcome) == 3, "the pre-check kept its clients waiting for 30 s"
    assert [r.status_code for r in outcome] == [400] * 3
    # "2001 times '-' (limit 2000 …)": read no further than the limit
    assert all(f"(limit {defaults.MAX_CHAIN} " in r.text for r in outcome), outcome[0].text


@pytest.mark.parametrize("kind", ["UNION", "&&", "MINUS", "BIND", "collection", "join", "/"])
def test_long_chains_get_400_naming_the_limit(server: Server, kind: str) -> None:
    from helpers.queries import chain

    r = httpx.post(server.url + "/sparql", data={"query": chain(kind, 10_000)}, timeout=60)
    assert r.status_code == 400, r.text
    assert "limit 2000" in r.text
    assert httpx.post(server.url + "/sparql", data={"query": "ASK {}"}, timeout=10).status_code == 200


def test_clients_that_stop_reading_hold_no_worker(server: Server) -> None:
    """Two clients that ask for a large result and never read it once locked everyone out for minutes."""
    cut_short = server.output().count(CUT_SHORT)
    stalled = [
        post_without_reading(server.url, big_result_query(f"slow {i}"), f"127.0.0.{i + 2}") for i in range(2)
    ]
    try:
        # a worker hands its answer over whole: once the answers begin to arrive, both were computed
        wait_for(lambda: all(ended(sock) for sock in stalled), 30, "both large answers begun")
        ask = {"query": "ASK { FILTER(42 > 1) } # after slow"}
        r = httpx.post(server.url + "/sparql", data=ask, timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["x-cache"] == "miss"  # run by a worker
        # ... while both clients still held theirs: no worker waited for them
        assert server.output().count(CUT_SHORT) == cut_short, "a worker waited until a client was dropped"
        # a client that reads nothing for the send timeout (3 s here) is dropped, its answer cut short
        wait_for(lambda: server.output().count(CUT_SHORT) == cut_short + 2, 30, "the stalled clients dropped")
        sock = stalled[0]
        sock.settimeout(10)
        received = 0
        while chunk := sock.recv(1 << 20):
            received += len(chunk)
        assert 0 < received < 40_000_000  # the connection ended before the whole body was sent
    finally:
        for sock in stalled:
            sock.close()


def test_a_large_result_still_arrives_whole(server: Server) -> None:
    r = httpx.post(server.url + "/sparql", data={"query": big_result_query("whole")}, timeout=60)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 10_000


def test_a_memory_bomb_gets_503_and_stays_under_the_cap(server: Server) -> None:
    """String doubling reached 2.65 GB in one worker within 5 s before workers had a memory cap."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(30))
    bomb = f'SELECT (STRLEN(?s30) AS ?n) WHERE {{ BIND("0123456789" AS ?s0) {binds} }}'
    parent = psutil.Process(server.process.pid)
    peak = 0
    done = threading.Event()
    outcome: list[httpx.Response] = []

    def run() -> None:
        outcome.append(httpx.post(server.url + "/sparql", data={"query": bomb}, timeout=60))
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    while not done.is_set():
        for child in parent.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                peak = max(peak, child.memory_info().rss)
        time.sleep(0.01)  # (a sample of the workers' memory every 10 ms: the peak is what is measured)
    thread.join()
    r = outcome[0]
    assert r.status_code == 503, r.text
    assert r.headers.get("retry-after")
    assert "memory" in r.text
    assert 100 * 2**20 < peak < MEMORY_MB * 2**20, f"peak RSS {peak / 2**20:.0f} MiB"
    after = httpx.post(server.url + "/sparql", data={"query": "ASK { FILTER(2 > 1) }"}, timeout=30)
    assert after.status_code == 200


def client(source: str) -> httpx.Client:
    """An HTTP client whose connections come from the loopback address ``source``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30)


def test_one_address_cannot_hold_every_worker(server: Server) -> None:
    """With two workers an address runs one uncached query at a time; others are not held up."""
    values = " ".join(str(i) for i in range(300))
    slow = "SELECT (COUNT(*) AS ?n) WHERE { " + "".join(f"VALUES ?{v} {{ {values} }} " for v in "abcd") + "}"
    outcome: list[httpx.Response] = []
    with client("127.0.0.5") as greedy, client("127.0.0.6") as other:
        thread = threading.Thread(
            target=lambda: outcome.append(greedy.post(server.url + "/sparql", data={"query": slow}))
        )
        wait_until_idle(server.process.pid, WORKERS)  # (a worker killed by an earlier test replaced)
        thread.start()
        wait_until_running(server.process.pid)
        second = greedy.post(server.url + "/sparql", data={"query": "ASK { FILTER(7 > 1) }"})
        assert second.status_code == 429, second.text
        assert second.headers.get("retry-after") and "at most 1" in second.text
        r = other.post(server.url + "/sparql", data={"query": "ASK { FILTER(8 > 1) }"})
        assert r.status_code == 200 and r.headers["x-cache"] == "miss"
        assert not outcome  # answered by the other worker while the slow query ran
        thread.join()
        assert outcome[0].status_code == 503  # the slow query ran into the time limit
        after = greedy.post(server.url + "/sparql", data={"query": "ASK { FILTER(7 > 1) }"})
        assert after.status_code == 200  # its slot was given back


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.settimeout(10)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection. The client waits 10 s, longer than
    any deadline of this server: an answer (or b"") means the server ended the connection."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_huge_headers_are_refused_while_reading(server: Server) -> None:
    """A header line that never ends is refused with 400 once the head passes its size limit: the
    head's deadline (2 s here) would close it without an answer."""
    sock = connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (2 * defaults.MAX_HEAD))
    reply = answer_of(sock)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:100]
    assert httpx.get(server.url + "/", timeout=10).status_code == 200


def test_too_many_header_lines_get_431(server: Server) -> None:
    sock = connect(server)
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(150))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"Connection: close\r\n\r\n")
    assert answer_of(sock).startswith(b"HTTP/1.1 431")


def test_half_sent_and_idle_connections_are_closed(server: Server) -> None:
    """Without a deadline for the request head, idle half-sent requests exhausted file descriptors."""
    half = connect(server)
    half.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    idle = connect(server)
    for sock in (half, idle):
        assert answer_of(sock) == b""  # closed by the server (KG_HEAD_TIMEOUT=2), nothing answered
    # a head trickled in, one byte every 0.2 s (the sleep is the slow client, not a wait): the
    # deadline counts from the connection, not from the last byte, so the server closes it while
    # the head is still arriving (the whole head would take 20 s)
    trickle = connect(server)
    head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 66 + b"\r\n\r\n"
    sent = 0
    with contextlib.suppress(ConnectionError):
        while sent < len(head) and not ended(trickle):
            trickle.send(head[sent : sent + 1])
            sent += 1
            time.sleep(0.2)
    assert sent < len(head), "the trickled head was taken whole"
    assert answer_of(trickle) == b""


def test_connections_over_the_cap_are_closed_at_once(server: Server) -> None:
    held = [connect(server) for _ in range(MAX_CONNECTIONS + 10)]
    try:
        # closed at once, not by the head's deadline: that would close the first connections first
        wait_for(lambda: all(ended(sock) for sock in held[-10:]), 10, "the connections over the cap closed")
        assert not ended(held[0])  # within the cap: open, waiting for its request
    finally:
        for sock in held:
            sock.close()
    wait_for(lambda: answers(server.url + "/"), 10, "an answer once the connections are closed")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=10).status_code == 200
    except httpx.TransportError:  # (still over the cap: closed at once)
        return False


def test_a_body_that_never_arrives_gets_408(server: Server) -> None:
    sock = connect(server)
    sock.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK {"
    )
    reply = sock.recv(65536)  # (the client waits 10 s; KG_BODY_TIMEOUT=2)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    sock.close()
