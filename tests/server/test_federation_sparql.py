"""SERVICE and remote FROM reach only allowlisted endpoints: checked with real listeners on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

REMOTE_ONLY = '<http://example.org/remote> <http://example.org/says> "only on the remote endpoint" .\n'
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DOCUMENT = '<http://example.org/doc> <http://example.org/says> "only in the remote document" .\n'


class Listener(ThreadingHTTPServer):
    """A loopback HTTP server that counts every connection and serves one N-Triples document."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.paths: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, Listener)
        self.server.paths.append(self.path)
        body = DOCUMENT.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, Listener, Listener]]:
    """(remote endpoint, our server allowlisting it, an allowlisted document host, a forbidden listener)."""
    tmp = tmp_path_factory.mktemp("federation")
    extra = tmp / "remote.nt"
    extra.write_text(REMOTE_ONLY)
    remote_root = copy_project(FIXTURES / "mini", tmp / "remote")
    remote = start_server(
        ["--root", str(remote_root), "--data", str(extra), "--access-log"], tmp / "remote.log"
    )
    allowed, forbidden = Listener(), Listener()
    args = ["--allow-service", remote.url + "/sparql", "--allow-service", allowed.url + "/"]
    ours = start_server(
        ["--root", str(copy_project(FIXTURES / "mini", tmp / "ours")), *args], tmp / "ours.log"
    )
    yield remote, ours, allowed, forbidden
    for server in (ours, remote):
        stop_server(server)
    for listener in (allowed, forbidden):
        listener.shutdown()


def ask(server: Server, query: str, **params: str) -> httpx.Response:
    return httpx.post(server.url + "/sparql", data={"query": query, **params}, timeout=30)


def refused_without_contact(ours: Server, listener: Listener, query: str, **params: str) -> str:
    before = listener.connections
    r = ask(ours, query, **params)
    assert r.status_code == 403, r.text
    assert listener.connections == before
    return r.text


def test_service_and_from_to_other_endpoints_make_no_connection(
    setup: tuple[Server, Server, Listener, Listener],
) -> None:
    _, ours, _, forbidden = setup
    url = forbidden.url
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX evil: <{url}/> SELECT * WHERE {{ SERVICE evil:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{url}/x/> SELECT * WHERE {{ SERVICE <../sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { SERVICE <" + url.replace(":", "\\u003A", 1) + "/sparql> { ?s ?p ?o } }",
        f"SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/graph.nt> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/graph.nt> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        assert "allowlist" in refused_without_contact(ours, forbidden, query)
    # the protocol's graph parameters name graphs of the dataset: any other graph is empty, never fetched
    for param in ("default-graph-uri", "named-graph-uri"):
        r = ask(ours, "SELECT * { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", **{param: url + "/g.nt"})
        assert r.status_code == 200 and r.json()["results"]["bindings"] == [], r.text
    assert forbidden.connections == 0


def test_service_in_strings_and_comments_is_not_a_service(
    setup: tuple[Server, Server, Listener, Listener],
) -> None:
    _, ours, _, forbidden = setup
    r = ask(ours, f'SELECT ("SERVICE <{forbidden.url}/>" AS ?x) WHERE {{\n# SERVICE <{forbidden.url}/>\n}}')
    assert r.status_code == 200 and forbidden.url in r.text
    assert forbidden.connections == 0


def test_file_iris_read_nothing(setup: tuple[Server, Server, Listener, Listener], tmp_path: Path) -> None:
    _, ours, _, _ = setup
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://example.org/secret> <http://example.org/is> "do not read me" .\n')
    for query in (
        f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{secret.as_uri()}> {{ ?s ?p ?o }} }}",
    ):
        r = ask(ours, query)
        assert r.status_code == 403 and "do not read me" not in r.text
    r = ask(ours, "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": "file:///etc/passwd"})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == [] and "root:" not in r.text


def test_allowlisted_service_is_queried(setup: tuple[Server, Server, Listener, Listener]) -> None:
    remote, ours, _, _ = setup
    before = remote.output().count("POST /sparql")
    query = f"SELECT ?o WHERE {{ SERVICE <{remote.url}/sparql> {{ <http://example.org/remote> ?p ?o }} }}"
    r = ask(ours, query)
    assert r.status_code == 200, r.text
    assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["only on the remote endpoint"]
    assert remote.output().count("POST /sparql") + remote.output().count("GET /sparql?") > before


def test_allowlisted_remote_graph_is_fetched_with_from(
    setup: tuple[Server, Server, Listener, Listener],
) -> None:
    _, ours, allowed, _ = setup
    local = "https://w3id.org/nato-iraq/graph/data/mini"
    query = (
        f"SELECT ?o FROM <{allowed.url}/doc.nt> FROM <{local}> WHERE {{ ?s <http://example.org/says> ?o }}"
    )
    r = ask(ours, query)
    assert r.status_code == 200, r.text
    assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["only in the remote document"]
    assert allowed.paths[-1] == "/doc.nt"
    label = ask(
        ours,
        f"ASK FROM <{allowed.url}/doc.nt> FROM <{local}> {{ ?e <{RDFS_LABEL}> ?l }}",
    )
    assert label.json()["boolean"] is True  # the local graph named beside it is there too
