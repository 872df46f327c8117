"""RemoteEngine against stores that fail, stall or answer in other formats (small loopback stubs),
and the engine ``kg serve --engine URL`` builds from the settings and the environment."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from pydantic import ValidationError

from helpers import free_port
from helpers.federation import answer
from kg.engine.base import QueryError
from kg.engine.plan import Limits, limits_for
from kg.engine.remote import RemoteEngine
from kg.engine.remote_config import EngineConfigError, remote_engine
from kg.settings import Settings

pytestmark = pytest.mark.server
JSON = "application/sparql-results+json"


class Stub(ThreadingHTTPServer):
    """A loopback 'store' that lists no graphs and answers queries as ``mode`` says ("slow": not
    before the test is over)."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _StubHandler)
        self.mode = mode
        self.authorizations: list[str] = []
        self.over = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def shutdown(self) -> None:
        self.over.set()
        super().shutdown()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


XML_RESULTS = """<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">
<head><variable name="x"/></head><results>
<result><binding name="x"><literal xml:lang="en">one</literal></binding></result>
<result><binding name="x"><uri>http://example.org/two</uri></binding></result>
<result><binding name="x"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">3</literal></binding></result>
</results></sparql>"""


# What Virtuoso 7.2 answers: a SELECT cut at its ResultSetMaxRows (2 here), the legacy
# "typed-literal", booleans as 1, blank nodes labelled nodeID://.
VIRTUOSO_JSON = """{ "head": { "link": [], "vars": ["x", "y"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "x": { "type": "bnode", "value": "nodeID://b10012" }, "y": { "type": "typed-literal",
      "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1" }},
    { "x": { "type": "bnode", "value": "nodeID://b10013" }, "y": { "type": "typed-literal",
      "datatype": "http://www.w3.org/2001/XMLSchema#decimal", "value": "7500000.0" }} ] } }"""


class _StubHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        assert isinstance(self.server, Stub)
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
        query = form["query"][0]
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        if "GRAPH ?g" in query:
            self._send(200, "text/tab-separated-values", "?g\n")
        elif self.server.mode == "slow":
            self.server.over.wait(30)
            self._send(200, "text/tab-separated-values", "?x\n1\n")
        elif self.server.mode == "xml":
            self._send(200, "application/sparql-results+xml; charset=utf-8", XML_RESULTS)
        elif self.server.mode == "virtuoso" and self.headers.get("Accept", "").startswith("text/tab"):
            self._send(200, "text/tab-separated-values", '"x"\t"y"\n"http://example.org/a"\t1\n')
        elif self.server.mode == "virtuoso":
            self._send(200, "application/sparql-results+json", VIRTUOSO_JSON, {"X-SPARQL-MaxRows": "2"})
        elif self.server.mode == "turtle":
            self._send(200, "text/turtle", "<http://e.org/a> <http://e.org/b> 1, 2, 3 .\n")
        else:
            self._send(int(self.server.mode), "text/plain", "the store's own explanation")

    def _send(self, status: int, ctype: str, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the engine may hang up first (time limit)
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("500", 502, "answered 500: the store's own explanation"),
        ("401", 502, "answered 401: the store's own explanation"),
        ("503", 503, "the store's own explanation"),
        ("slow", 504, "did not answer within this endpoint's limit of 0.5 s"),
    ],
)
def test_remote_failures_become_clear_errors(mode: str, status: int, words: str) -> None:
    stub = Stub(mode)
    try:
        engine = RemoteEngine(stub.url, limits=Limits(timeout=0.5))
        with pytest.raises(QueryError) as err:  # (the slow store would answer 200 once the test is over)
            answer(engine, "SELECT ?x WHERE { ?x ?p ?o }", [JSON])
        assert (err.value.status, words in err.value.message) == (status, True), err.value.message
    finally:
        stub.shutdown()


def test_an_unreachable_store_is_a_502() -> None:
    engine = RemoteEngine(f"http://127.0.0.1:{free_port()}/query", limits=Limits(timeout=2))
    with pytest.raises(QueryError) as err:
        answer(engine, "SELECT * WHERE { ?s ?p ?o }", [JSON])
    assert err.value.status == 502 and "cannot be reached" in err.value.message


def test_answers_in_other_formats_are_read_capped_and_rewritten() -> None:
    stub, turtle = Stub("xml"), Stub("turtle")
    try:
        got = answer(
            RemoteEngine(stub.url, limits=Limits(max_rows=2)), "SELECT ?x WHERE { ?x ?p ?o }", [JSON]
        )
        data: dict[str, Any] = json.loads(got.body)
        assert (got.rows, got.truncated) == (2, True)
        assert data["results"]["bindings"][0]["x"] == {"type": "literal", "value": "one", "xml:lang": "en"}
        graph = answer(RemoteEngine(turtle.url), "CONSTRUCT WHERE { ?s ?p ?o }", ["application/n-triples"])
        assert (graph.rows, graph.truncated) == (3, False)
    finally:
        stub.shutdown()
        turtle.shutdown()


def test_kg_serve_engine_takes_limits_and_credentials_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The KG_ENGINE_* variables are settings like every KG_* variable."""
    stub = Stub("xml")
    limits = {
        "query_timeout": 7,
        "max_rows": 3,
        "max_tokens": 99,
        "max_chain": 9,
        "allow_service": ["http://example.org/sparql"],
    }
    monkeypatch.setenv("KG_ENGINE_TOKEN", "t0ken")
    monkeypatch.setenv("KG_ENGINE_UNION", "store")
    settings = Settings(root=tmp_path, **limits)
    try:
        engine = remote_engine(stub.url, settings)
        assert (engine.limits, engine.union) == (limits_for(settings), "store")  # every limit, as the pool's
        assert (engine.limits.timeout, engine.limits.max_tokens, engine.limits.max_chain) == (7, 99, 9)
        assert engine.limits.allow.allows("http://example.org/sparql")
        assert stub.authorizations and set(stub.authorizations) == {"Bearer t0ken"}
        monkeypatch.delenv("KG_ENGINE_TOKEN")
        monkeypatch.setenv("KG_ENGINE_USER", "u")
        monkeypatch.setenv("KG_ENGINE_PASSWORD", "p")
        basic = remote_engine(stub.url, Settings(root=tmp_path, **limits))
        answer(basic, "SELECT ?x WHERE { ?x ?p ?o }", [JSON])
        assert stub.authorizations[-1] == "Basic dTpw"
        monkeypatch.setenv("KG_ENGINE_UNION", "sometimes")
        with pytest.raises(ValidationError, match="engine_union"):
            Settings(root=tmp_path)
    finally:
        stub.shutdown()
    with pytest.raises(EngineConfigError, match="cannot be reached"):
        remote_engine(f"http://127.0.0.1:{free_port()}/query", settings)


def test_a_store_like_virtuoso_is_read_right() -> None:
    """Plain TSV (not SPARQL TSV): asked for JSON instead; nodeID:// blank nodes renamed; literals
    in canonical form; its own row limit (X-SPARQL-MaxRows) marks the answer truncated."""
    stub = Stub("virtuoso")
    try:
        engine = RemoteEngine(stub.url, limits=Limits(max_rows=10))
        got = answer(engine, "SELECT ?x ?y WHERE { ?x ?p ?y }", [JSON])
        assert engine.tsv is False and (got.rows, got.truncated) == (2, True)
        cells = json.loads(got.body)["results"]["bindings"]
        assert [c["x"]["type"] for c in cells] == ["bnode", "bnode"] and cells[0]["x"] != cells[1]["x"]
        assert [c["y"]["value"] for c in cells] == ["true", "7500000"]
        # the store cut at this endpoint's own cap: there may be more rows, as the embedded engine would say
        same = answer(
            RemoteEngine(stub.url, limits=Limits(max_rows=2)), "SELECT ?x ?y WHERE { ?x ?p ?y }", [JSON]
        )
        assert (same.rows, same.truncated) == (2, True)
        below = answer(
            RemoteEngine(stub.url, limits=Limits(max_rows=1)), "SELECT ?x ?y WHERE { ?x ?p ?y }", [JSON]
        )
        assert (below.rows, below.truncated) == (1, True)
    finally:
        stub.shutdown()
