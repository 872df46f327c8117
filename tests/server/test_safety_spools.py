"""Large results wait on disk within bounds and leave nothing behind (kg.engine.spool): a real
server with a private TMPDIR and small caps."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import psutil
import pytest

from helpers import FIXTURES, Server, copy_project, start_server, stop_server, wait_for
from helpers.sockets import post_without_reading

pytestmark = pytest.mark.server
SEND_TIMEOUT = 6  # seconds a client may take no part of a response before it is dropped
CLIENT_MB, TOTAL_MB = 14, 26  # each result below is about 6 MB: two fit one client, four all
VALUES = " ".join(str(i) for i in range(100))


def big(tag: str) -> str:
    """1,200 rows of 5 KB: about 6 MB of JSON, from no data at all (over 4 MB: a file on disk)."""
    return (
        f"SELECT * WHERE {{ VALUES ?a {{ {VALUES[:29]} }} VALUES ?b {{ {VALUES} }} "
        f'BIND("{"x" * 5000}" AS ?x) }} # {tag}'
    )


@pytest.fixture(scope="module")
def spool_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spool-tmp")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, spool_dir: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("spools")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    env = {"TMPDIR": str(spool_dir), "KG_SEND_TIMEOUT": str(SEND_TIMEOUT)}
    env.update(KG_CLIENT_SPOOL_MB=str(CLIENT_MB), KG_SPOOL_MB=str(TOTAL_MB))
    with mock.patch.dict(os.environ, env):
        server = start_server(["--root", str(root), "--query-timeout", "20"], tmp / "log")
    yield server
    stop_server(server)


def held(server: Server, folder: Path) -> list[str]:
    """The files under ``folder`` (named, or deleted but still open) that the server holds."""
    found = [str(p) for p in folder.iterdir()]
    parent = psutil.Process(server.process.pid)
    for process in [parent, *parent.children(recursive=True)]:
        for fd in Path(f"/proc/{process.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            if target.startswith(str(folder)):
                found.append(target)
    return found


def send_without_reading(server: Server, query: str, source: str) -> socket.socket:
    """POST ``query`` from ``source``, reading nothing yet, through a small receive buffer."""
    return post_without_reading(server.url, query, source, rcvbuf=4096)


def post(server: Server, query: str, source: str) -> httpx.Response:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60) as http:
        return http.post(server.url + "/sparql", data={"query": query})


def test_no_result_file_is_left_once_the_clients_have_gone(server: Server, spool_dir: Path) -> None:
    whole = post(server, big("read whole"), "127.0.0.2")
    assert whole.status_code == 200 and len(whole.content) > 5_000_000
    partly = send_without_reading(server, big("read in part"), "127.0.0.3")
    closed = send_without_reading(server, big("closed early"), "127.0.0.4")
    stalled = send_without_reading(server, big("never read"), "127.0.0.5")
    try:
        wait_for(lambda: len(held(server, spool_dir)) >= 3, 30, "results waiting on disk for three clients")
        assert partly.recv(65536)
        partly.close()
        closed.close()
        # the client that reads nothing is dropped at the send timeout, and its result deleted
        # then, though its connection is still open
        wait_for(lambda: not held(server, spool_dir), SEND_TIMEOUT + 10, "no result file held")
    finally:
        stalled.close()
        partly.close()
        closed.close()
    assert list(spool_dir.iterdir()) == []


def test_a_client_over_its_share_of_disk_gets_503_and_others_do_not(server: Server, spool_dir: Path) -> None:
    waiting = [send_without_reading(server, big(f"a{n}"), "127.0.1.2") for n in range(2)]
    try:
        wait_for(lambda: len(held(server, spool_dir)) >= 2, 30, "two results waiting for one client")
        third = post(server, big("a3"), "127.0.1.2")
        assert third.status_code == 503 and third.headers.get("retry-after"), third.text
        assert f"limit of {CLIENT_MB} MiB" in third.text
        other = post(server, big("b1"), "127.0.1.3")  # another address still gets its result
        assert other.status_code == 200 and len(other.content) > 5_000_000
        waiting += [send_without_reading(server, big(f"b{n}"), "127.0.1.3") for n in (2, 3)]
        wait_for(lambda: len(held(server, spool_dir)) >= 4, 30, "four results waiting")
        full = post(server, big("c1"), "127.0.1.4")  # a fifth would pass the total
        assert full.status_code == 503 and full.headers.get("retry-after"), full.text
        assert "as many large results as it can" in full.text
    finally:
        for sock in waiting:
            sock.close()
    wait_for(lambda: not held(server, spool_dir), SEND_TIMEOUT + 10, "no result file held")
    assert post(server, big("c2"), "127.0.1.4").status_code == 200
