"""Real HTTP clients on a real server: Java-style POSTs with ``Upgrade: h2c``, ``curl --http2``,
Jena's ``rsparql`` and ARQ's ``SERVICE`` with a long query (sent by POST), SPARQLWrapper, pipelined
requests. Only a real HTTP stack shows these."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import rdflib

from helpers import Server, start_server, stop_server
from helpers.inprocess import build_mini

pytestmark = pytest.mark.server

EVENT = "https://w3id.org/nato-iraq/id/event/2020-05-01-meeting"
SELECT = f"SELECT ?label WHERE {{ <{EVENT}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
H2C = "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"


@pytest.fixture(scope="module")
def mini_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once: the servers of this module only read it."""
    return build_mini(tmp_path_factory.mktemp("clients-root"))


def serving_mini(factory: pytest.TempPathFactory, root: Path, name: str, *options: str) -> Iterator[Server]:
    """``kg serve`` over the mini project with ``options``, for one module."""
    tmp = factory.mktemp(name)
    server = start_server(["--root", str(root), *options], tmp / "log")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mini_root: Path) -> Iterator[Server]:
    yield from serving_mini(tmp_path_factory, mini_root, "clients")


@pytest.fixture(scope="module")
def granian_server(tmp_path_factory: pytest.TempPathFactory, mini_root: Path) -> Iterator[Server]:
    yield from serving_mini(tmp_path_factory, mini_root, "granian", "--server", "granian")


def raw_post(server: Server, body: bytes, chunked: bool) -> tuple[int, dict[str, str], bytes]:
    """A POST of ``body`` as a Java 11+ HttpClient sends it over plain HTTP/1.1."""
    parts = urlsplit(server.url)
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {len(body)}\r\n"
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {parts.netloc}\r\n{H2C}"
        f"Content-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\n"
        f"{framing}Connection: close\r\n\r\n"
    ).encode()
    payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if chunked else body
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body_out = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            body_out += rest[:size]
            rest = rest[size + 2 :]
        rest = body_out
    return int(lines[0].split()[1]), headers, rest


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_post_with_h2c_upgrade_headers_gets_its_body(server: Server, chunked: bool) -> None:
    """The body of a POST that also asks to upgrade to HTTP/2 arrives (uvicorn's httptools parser
    would drop it: uvicorn issue 2722; kg serve reads HTTP with h11)."""
    status, headers, body = raw_post(server, SELECT.encode(), chunked)
    assert status == 200, body
    assert headers["content-type"].startswith("application/sparql-results+json")
    bindings = json.loads(body)["results"]["bindings"]
    assert [b["label"]["value"] for b in bindings] == ["NATO meets Iraq"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_granian_reads_the_body_of_an_h2c_upgrade_post(granian_server: Server, chunked: bool) -> None:
    status, _, body = raw_post(granian_server, SELECT.encode(), chunked)
    assert status == 200, body
    assert [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["NATO meets Iraq"]


def test_granian_serves_the_same_protocol(granian_server: Server) -> None:
    url = granian_server.url + "/sparql"
    r = httpx.post(url, data={"query": "SELECT * WHERE { ?s nio2:x ?o }"})
    assert r.status_code == 400 and "unknown prefix `nio2:`" in r.text
    accept = {"Accept": "text/csv"}
    r = httpx.get(url, params={"query": SELECT}, headers=accept)
    assert r.status_code == 200 and r.text.splitlines() == ["label", "NATO meets Iraq"]
    again = httpx.get(url, params={"query": SELECT}, headers={**accept, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert httpx.post(url, content=b"ASK {}", headers={"Content-Type": ""}).status_code == 400


def run_jena(jena: Path, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one of Jena's command-line tools (``rsparql``, ``arq``) through ``tools/jena``."""
    return subprocess.run([str(jena), tool, *args], capture_output=True, text=True, timeout=300, check=False)


def rsparql_post(jena: Path, server: Server, query: Path, results: str) -> subprocess.CompletedProcess[str]:
    """``rsparql --post``: Jena sends the query by POST with Java's HTTP client (``Upgrade: h2c``)."""
    return run_jena(
        jena,
        "rsparql",
        "--service",
        server.url + "/sparql",
        "--query",
        str(query),
        "--post",
        f"--results={results}",
    )


def test_jena_rsparql_post_select_and_construct(server: Server, jena: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(SELECT)
    result = rsparql_post(jena, server, query, "CSV")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["label", "NATO meets Iraq"], result.stdout + result.stderr
    query.write_text(f"CONSTRUCT {{ <{EVENT}> ?p ?o }} WHERE {{ <{EVENT}> ?p ?o }}")
    result = rsparql_post(jena, server, query, "NT")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"<{EVENT}>") for line in lines), result.stdout
    assert "sparql-service-description" not in result.stdout


def test_arq_service_with_a_long_query(server: Server, jena: Path, tmp_path: Path) -> None:
    padding = " ".join(f'"{i:05d}-{"x" * 40}"' for i in range(100))  # > 4 KB: ARQ sends it by POST
    query = tmp_path / "service.rq"
    query.write_text(
        "SELECT ?label WHERE {\n"
        f"  SERVICE <{server.url}/sparql> {{\n"
        f"    <{EVENT}> <http://www.w3.org/2000/01/rdf-schema#label> ?label .\n"
        f"    FILTER(?label NOT IN ({', '.join(padding.split(' '))}))\n"
        "  }\n}\n"
    )
    assert query.stat().st_size > 4096
    result = run_jena(jena, "arq", "--query", str(query), "--results=CSV")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["label", "NATO meets Iraq"], result.stdout + result.stderr


def test_curl_http2_post_is_answered_over_http1(server: Server, tmp_path: Path) -> None:
    """``curl --http2`` on plain http asks to upgrade to h2c; the answer comes over HTTP/1.1."""
    query = tmp_path / "q.rq"
    query.write_text(SELECT)
    headers = ["-H", "Accept: text/csv", "-H", "Content-Type: application/sparql-query"]
    command = ["curl", "-sS", "--http2", "--fail-with-body", *headers, "--data-binary", f"@{query}"]
    result = subprocess.run(
        [*command, server.url + "/sparql"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.splitlines() == ["label", "NATO meets Iraq"]


def test_h2c_upgrade_posts_pipelined_on_one_connection(server: Server) -> None:
    """A request that asked to upgrade keeps what followed it: two such POSTs and a GET sent in one
    go on one connection are all answered, in order."""
    parts = urlsplit(server.url)
    body = SELECT.encode()
    post = (
        f"POST /sparql HTTP/1.1\r\nHost: {parts.netloc}\r\n{H2C}"
        f"Content-Type: application/sparql-query\r\nAccept: text/csv\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    last = (
        f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(post + post + last.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    answers = data.split(b"HTTP/1.1 ")[1:]
    assert len(answers) == 3, data
    for answer in answers[:2]:
        assert answer.startswith(b"200") and b"NATO meets Iraq" in answer, data
    assert answers[2].startswith(b"200") and b'"boolean":true' in answers[2], data


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_gets_every_return_format(server: Server, method: str) -> None:
    """SPARQLWrapper sends format=, output= and results= with its return format (n3 for N3)."""
    from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

    def ask(query: str, fmt: str) -> object:
        client = SPARQLWrapper(server.url + "/sparql")
        client.setMethod(method)
        client.setQuery(query)
        client.setReturnFormat(fmt)
        return client.query().convert()

    select = f"SELECT ?label WHERE {{ <{EVENT}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    got = ask(select, JSON)
    assert [b["label"]["value"] for b in got["results"]["bindings"]] == ["NATO meets Iraq"]  # type: ignore[index]
    assert "NATO meets Iraq" in ask(select, XML).toxml()  # type: ignore[attr-defined]
    assert ask(select, CSV).decode().splitlines() == ["label", "NATO meets Iraq"]  # type: ignore[attr-defined]
    assert ask(select, TSV).decode().splitlines()[0] == "?label"  # type: ignore[attr-defined]
    construct = f"CONSTRUCT {{ <{EVENT}> ?p ?o }} WHERE {{ <{EVENT}> ?p ?o }}"
    for fmt in (TURTLE, N3):
        text = ask(construct, fmt)
        graph = rdflib.Graph().parse(data=text, format="turtle")  # type: ignore[arg-type]
        assert (rdflib.URIRef(EVENT), None, None) in graph, fmt
    for fmt in (XML, RDFXML, JSONLD):
        graph = ask(construct, fmt)
        assert isinstance(graph, rdflib.Graph) and (rdflib.URIRef(EVENT), None, None) in graph, fmt
