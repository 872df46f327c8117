"""Abuse and mistakes on a running server: updates, bad input, limits, crashes; it keeps answering."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("safety")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root)], tmp / "log")
    yield server
    stop_server(server)


def post(server: Server, data: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
    return httpx.post(server.url + "/sparql", data=data, timeout=30, **kwargs)  # type: ignore[arg-type]


def assert_alive(server: Server) -> None:
    r = post(server, {"query": "ASK {}"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def assert_clean(r: httpx.Response) -> None:
    """No stack trace, no file system path in an error answer."""
    for leak in ("Traceback", 'File "', "/site-packages/", "/work/", "/tmp/", ".py"):
        assert leak not in r.text, r.text


@pytest.mark.parametrize(
    "data",
    [
        {"update": "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"},
        {"query": "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"},
        {"query": "LOAD <http://127.0.0.1:9/data.ttl>"},
        {"query": "DROP ALL"},
        {"query": "CLEAR DEFAULT"},
        {"query": "PREFIX x: <http://a.example/> DELETE WHERE { ?s ?p ?o }"},
    ],
)
def test_updates_are_refused(server: Server, data: dict[str, str]) -> None:
    r = post(server, data)
    assert r.status_code == 403 and "read-only" in r.text
    assert_clean(r)


def test_update_body_is_refused(server: Server) -> None:
    r = post(server, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert_alive(server)


def test_malformed_query_gets_the_parser_message_and_position(server: Server) -> None:
    r = post(server, {"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "Malformed query" in r.text and "line 1, column" in r.text
    assert_clean(r)
    assert_alive(server)


def test_non_utf8_input_is_refused(server: Server) -> None:
    body = 'SELECT * WHERE { ?s ?p "caf\u00e9" }'.encode("latin-1")
    r = post(server, content=body, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text
    r = httpx.get(server.url + "/sparql?query=SELECT%20%22caf%E9%22%20%7B%7D")
    assert r.status_code == 400 and "UTF-8" in r.text
    r = post(
        server,
        content=b"query=ASK%20%7B%FF%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert_alive(server)


def test_over_deep_queries_are_refused_before_the_engine(server: Server) -> None:
    parens = "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }"  # crashes Oxigraph in-process
    braces = "SELECT * WHERE " + "{ " * 300 + "}" * 300
    for query in (parens, braces):
        r = post(server, {"query": query})
        assert r.status_code == 400 and "nested too deeply" in r.text
    assert_alive(server)


def test_over_size_bodies_and_urls(server: Server) -> None:
    big = "ASK {} #" + "x" * (MB + 10)
    r = post(server, {"query": big})
    assert r.status_code == 413
    r = post(
        server,
        content=(c.encode() for c in [big[:MB], big[MB:]]),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 413  # chunked: no Content-Length, counted while reading
    r = httpx.get(server.url + "/sparql", params={"query": "ASK {} #" + "x" * 10_000})
    assert r.status_code == 414
    assert_alive(server)


def test_a_lying_content_length_cannot_get_past_the_limit(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 2000000000\r\n\r\nASK {}"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert_alive(server)


def test_engine_crash_costs_one_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the size limits lifted, a deep query kills its worker; the server answers 503, then goes on."""
    root = copy_project(FIXTURES / "mini", tmp_path / "mini")
    monkeypatch.setenv("KG_MAX_DEPTH", "100000000")
    monkeypatch.setenv("KG_MAX_TOKENS", "100000000")
    server = start_server(["--root", str(root), "--workers", "2"], tmp_path / "log")
    try:
        deep = "ASK { FILTER(" + "(" * 200_000 + "true" + ")" * 200_000 + ") }"
        r = post(server, content=deep.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 503 and "engine stopped" in r.text
        assert r.headers.get("retry-after")
        assert_clean(r)
        for _ in range(4):
            assert_alive(server)
    finally:
        stop_server(server)
