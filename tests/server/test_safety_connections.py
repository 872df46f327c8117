"""Connections nobody can hoard (``kg.web.http.connections``), on a real ``kg serve`` with its
default limits: a bystander is answered while one address holds a thousand half-sent request heads
and while endless header lines stream in; an endless header line is refused once ``max_head``
bytes of it have arrived.

Loopback addresses stand for different clients: a socket bound to 127.0.0.2 comes from another
address than one bound to 127.0.0.3.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import psutil
import pytest

from helpers import BYSTANDER_DEADLINE, Server, start_server, stop_server, wait_for
from helpers.inprocess import build_mini
from helpers.sockets import ended
from kg import defaults

pytestmark = pytest.mark.server

HALF_HEAD = b"GET / HTTP/1.1\r\nHost: x\r\nX-Waiting: "


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("connections")
    root = build_mini(tmp)
    server = start_server(["--root", str(root)], tmp / "log")
    yield server
    stop_server(server)


def address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def open_from(server: Server, source: str) -> socket.socket | None:
    """A connection from the loopback address ``source``, or None when it was refused at once."""
    try:
        sock = socket.create_connection(address(server), timeout=2, source_address=(source, 0))
    except OSError:
        return None
    sock.settimeout(None)  # blocking: ended() peeks without waiting
    return sock


def bystander(server: Server, source: str = "127.0.0.3") -> None:
    """``ASK {}`` and a static file from ``source``, each on a new connection, each answered within
    the bystander's deadline (the client's timeout: a slower answer fails the test)."""
    transport = httpx.HTTPTransport(local_address=source)
    timeout = BYSTANDER_DEADLINE
    with httpx.Client(transport=transport, timeout=timeout, headers={"Connection": "close"}) as http:
        for path in ("/sparql?query=ASK%7B%7D", "/static/favicon.svg"):
            r = http.get(server.url + path, headers={"Accept": "application/sparql-results+json"})
            assert r.status_code == 200, (path, r.status_code)


def attack(run: Callable[[threading.Event], None]) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def test_a_bystander_is_answered_while_one_address_holds_a_thousand_half_sent_heads(server: Server) -> None:
    held: list[socket.socket] = []
    ready = threading.Event()

    def slowloris(stop: threading.Event) -> None:
        # a thousand half-sent heads from one address, re-opened as the server closes them
        while not stop.is_set():
            for sock in list(held):
                if ended(sock):  # closed by the server
                    held.remove(sock)
                    sock.close()
            while len(held) < 1000 and not stop.is_set():
                sock = open_from(server, "127.0.0.2")
                if sock is None:
                    break
                with contextlib.suppress(OSError):
                    sock.sendall(HALF_HEAD)
                held.append(sock)
            ready.set()
            time.sleep(0.05)  # (the attacker's pace: it looks for closed heads twenty times a second)

    thread, stop = attack(slowloris)
    try:
        assert ready.wait(30)
        for _ in range(5):
            bystander(server)
    finally:
        stop.set()
        thread.join(10)
    try:
        bystander(server)  # (once it is answered, the server has read every head sent before)
        still_open = sum(not ended(s) for s in held)
        assert still_open <= defaults.MAX_CLIENT_HEADS  # the others were closed as they came
    finally:
        for sock in held:
            sock.close()


def endless_header_line(server: Server, source: str, stop: threading.Event) -> int:
    """Stream one header line that never ends; the bytes sent before the server answered 400 (or
    closed: the kernel's socket buffers take in much more than the server reads), or -1 if
    ``stop`` came first."""
    sock = open_from(server, source)
    if sock is None:
        return 0
    sent = 0
    with sock:
        with contextlib.suppress(OSError):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ")
            chunk = b"a" * 1024
            while not stop.is_set():
                if ended(sock):
                    answer = sock.recv(100)
                    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer
                    return sent
                sock.sendall(chunk)
                sent += len(chunk)
        return sent if not stop.is_set() else -1


def test_a_bystander_is_answered_while_endless_header_lines_stream_in(server: Server) -> None:
    refused_after: list[int] = []

    def stream(source: str) -> Callable[[threading.Event], None]:
        def run(stop: threading.Event) -> None:
            while not stop.is_set():
                refused_after.append(endless_header_line(server, source, stop))

        return run

    process = psutil.Process(server.process.pid)
    memory_before = process.memory_info().rss
    # a half-sent head begun before the attack: the head's deadline closes it before any attacker's
    witness = open_from(server, "127.0.0.10")
    assert witness is not None
    witness.sendall(HALF_HEAD)
    attackers = [attack(stream(f"127.0.0.{4 + i}")) for i in range(4)]
    try:
        wait_for(lambda: len(refused_after) >= 4, 30, "endless header lines refused (and streaming again)")
        for _ in range(5):
            bystander(server)
        growth = process.memory_info().rss - memory_before
        # every line so far was refused before any head's deadline came: on the bytes received
        assert not ended(witness), "the lines were closed by the head's deadline, not refused on their size"
    finally:
        witness.close()
        for _, stop in attackers:
            stop.set()
        for thread, _ in attackers:
            thread.join(10)
    # refused on the bytes received, before the line ends (it never does), and without buffering
    # them: four such lines once made the server hold 219 MB
    assert [n for n in refused_after if n >= 0], "no endless line was refused"
    assert growth < 64 * 2**20, f"the server grew by {growth / 2**20:.0f} MiB"


def test_one_address_has_a_share_of_the_connections(server: Server) -> None:
    """An address's connections over its share are closed at once; another address still connects."""
    mine = [open_from(server, "127.0.0.8") for _ in range(defaults.MAX_CLIENT_CONNECTIONS + 10)]
    try:
        # the last ten closed at once, the others open (the head's deadline would close the first first)
        share = [False] * defaults.MAX_CLIENT_CONNECTIONS + [True] * 10
        wait_for(
            lambda: [s is None or ended(s) for s in mine] == share,
            10,
            "the connections over the share closed",
        )
        bystander(server, "127.0.0.9")
    finally:
        for sock in mine:
            if sock is not None:
                sock.close()


def test_head_is_answered_as_get_over_the_wire(server: Server) -> None:
    url = server.url + "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D"
    headers = {"Accept-Encoding": "gzip", "Accept": "text/csv"}
    got, head = httpx.get(url, headers=headers), httpx.head(url, headers=headers)
    assert got.status_code == head.status_code == 200
    assert got.headers["content-encoding"] == head.headers["content-encoding"] == "gzip"
    assert got.headers["content-length"] == head.headers["content-length"]
