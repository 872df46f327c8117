"""``kg publish --to URL``: the built dataset into a real ``oxigraph serve`` (Graph Store Protocol)."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from helpers import KG, free_port
from helpers.graph_compare import canonical, dist_graphs, same_graph, store_folder_graphs
from helpers.oxigraph_server import Oxigraph, start_oxigraph, stop_oxigraph

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("oxigraph_bin")]


def kg_publish(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [*KG, "publish", *map(str, args)]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=environment)


def store_graphs(server: Oxigraph) -> dict[str, Graph]:
    """Every named graph of the store, fetched back one by one with a Graph Store Protocol GET."""
    listing = httpx.post(
        server.query_url,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    names = [row["g"]["value"] for row in listing["results"]["bindings"]]
    out = {}
    for name in names:
        got = httpx.get(server.store_url, params={"graph": name}, headers={"Accept": "application/n-triples"})
        assert got.status_code == 200, got.text
        out[name] = Graph().parse(data=got.text, format="nt")
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    tmp = tmp_path_factory.mktemp("publish")
    server = start_oxigraph(tmp / "oxigraph.log", tmp / "store")
    yield server
    stop_oxigraph(server)


def assert_same(server: Oxigraph, dumps: dict[str, Graph], built: dict[str, Graph]) -> None:
    """The store holds the graphs of the dumps (count; isomorphic up to numeric lexical forms) and,
    term for term, those of ``dist/store``."""
    got = store_graphs(server)
    assert sorted(got) == sorted(dumps) == sorted(built)
    for name, graph in dumps.items():
        assert len(got[name]) == len(graph), name
        assert same_graph(canonical(got[name]), canonical(graph)), name
        assert same_graph(got[name], built[name]), name


def test_publish_into_a_fresh_oxigraph_gives_the_quads_of_dist_and_twice_changes_nothing(
    built_repo: Path, store: Oxigraph
) -> None:
    expected, built = dist_graphs(built_repo), store_folder_graphs(built_repo / "store")
    first = kg_publish("--to", store.store_url, "--dist", built_repo)
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stderr.splitlines() if "triples," in line]
    assert len(lines) == len(expected)  # one progress line (one PUT) per named graph
    assert f"[{len(expected)}/{len(expected)}]" in first.stderr and "published" in first.stderr
    assert_same(store, expected, built)
    total = sum(len(g) for g in expected.values())
    second = kg_publish("--to", store.store_url, "--dist", built_repo)
    assert second.returncode == 0, second.stderr
    assert f"published {len(expected)} graphs, {total:,} triples" in second.stderr
    assert_same(store, expected, built)


def test_a_store_that_refuses_is_reported_with_its_status_and_message(
    built_repo: Path, store: Oxigraph
) -> None:
    # /query is not a Graph Store Protocol endpoint: Oxigraph refuses the PUT
    result = kg_publish("--to", store.query_url, "--dist", built_repo)
    assert result.returncode == 1
    assert "refused graph <https://w3id.org/nato-iraq/graph/" in result.stderr
    assert "HTTP 4" in result.stderr or "HTTP 5" in result.stderr


def test_an_unreachable_store_is_a_clear_error(built_repo: Path) -> None:
    result = kg_publish("--to", f"http://127.0.0.1:{free_port()}/store", "--dist", built_repo)
    assert result.returncode == 1
    assert "error: cannot reach http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


class AuthStore(ThreadingHTTPServer):
    """A loopback stand-in for a protected store: accepts PUTs only with the expected Authorization."""

    daemon_threads = True

    def __init__(self, expected: str) -> None:
        super().__init__(("127.0.0.1", 0), _AuthHandler)
        self.expected = expected
        self.puts: list[tuple[str, str, int]] = []  # (path, content type, body length)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/store"


class _AuthHandler(BaseHTTPRequestHandler):
    def do_PUT(self) -> None:
        assert isinstance(self.server, AuthStore)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Authorization") != self.server.expected:
            self._answer(401, b"invalid credentials for this store")
            return
        self.server.puts.append((self.path, self.headers.get("Content-Type", ""), len(body)))
        self._answer(204, b"")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (["--token", "s3cret"], "Bearer s3cret"),
        (["--user", "loader", "--password", "pa:ss"], "Basic " + base64.b64encode(b"loader:pa:ss").decode()),
    ],
)
def test_credentials_are_sent_and_wrong_ones_are_a_clear_error(
    built_repo: Path, args: list[str], header: str
) -> None:
    server = AuthStore(header)
    try:
        ok = kg_publish("--to", server.url, "--dist", built_repo, *args)
        assert ok.returncode == 0, ok.stderr
        assert server.puts and all(ctype == "application/n-triples" for _, ctype, _ in server.puts)
        assert any(
            path.endswith("graph=https%3A%2F%2Fw3id.org%2Fnato-iraq%2Fgraph%2Fvoid")
            for path, _, _ in server.puts
        )
        wrong = [a if a not in ("s3cret", "pa:ss") else "wrong" for a in args]
        refused = kg_publish("--to", server.url, "--dist", built_repo, *wrong)
        assert refused.returncode == 1
        assert "HTTP 401 Unauthorized: invalid credentials for this store" in refused.stderr
    finally:
        server.shutdown()


def test_secrets_come_from_the_settings_environment(built_repo: Path) -> None:
    """KG_PUBLISH_TOKEN and KG_PUBLISH_PASSWORD keep secrets off the command line."""
    server = AuthStore("Basic " + base64.b64encode(b"loader:pa:ss").decode())
    try:
        ok = kg_publish(
            "--to", server.url, "--dist", built_repo, "--user", "loader", env={"KG_PUBLISH_PASSWORD": "pa:ss"}
        )
        assert ok.returncode == 0, ok.stderr
    finally:
        server.shutdown()
    server = AuthStore("Bearer s3cret")
    try:
        ok = kg_publish("--to", server.url, "--dist", built_repo, env={"KG_PUBLISH_TOKEN": "s3cret"})
        assert ok.returncode == 0, ok.stderr
    finally:
        server.shutdown()
