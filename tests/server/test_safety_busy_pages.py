"""Pages answer while /sparql is busy: the site's own queries never wait behind /sparql queries,
and clients take turns (kg.engine.fairness). Every route answers 4xx/503, never 500.

The server is a default ``kg serve`` (the workers this machine gives, at least 2), except for a
short query time limit, so that the long queries end soon after each test.
"""

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
    wait_until_idle,
    wait_until_running,
    workers,
)

pytestmark = pytest.mark.server

TIME_LIMIT = 4  # seconds a query may run here (the default is 30)
VALUES = "VALUES ?{} {{ " + " ".join(str(i) for i in range(300)) + " }} "
HOG = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + "".join(VALUES.format(v) for v in "abcd") + "}"
)  # runs past the limit
ENTITIES = ["/id/event/2020-05-01-meeting", "/id/passage/L2", "/id/source/mini"]
ROUTES = [
    "/",
    "/timeline",
    "/search?q=meeting",
    *ENTITIES,
    "/id/event/2020-05-01-meeting.ttl",
    "/id/nothing-here-at-all",
    "/ontology",
    "/dataset",
    "/.well-known/void",
    "/shapes",
    "/sparql?query=ASK%20%7B%20FILTER(3%20%3E%201)%20%7D",
]
# The acceptance deadline for a page while others' long queries run (a page takes well under
# 0.2 s here when the server is idle): a request timeout, so a slower answer fails the test.
PAGE_DEADLINE = 1.0


def client(source: str, timeout: float = 30) -> httpx.Client:
    """An HTTP client whose connections come from the loopback address ``source``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("busy")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root), "--query-timeout", str(TIME_LIMIT)], tmp / "log")
    yield server
    stop_server(server)


class LongQueries:
    """Long /sparql queries, one at a time from each of ``sources``, until stopped; each answer
    (503: the time limit) is kept."""

    def __init__(self, server: Server, sources: list[str]) -> None:
        self.server, self.stop, self.answers = server, threading.Event(), list[httpx.Response]()
        self.started = threading.Barrier(len(sources) + 1)
        self.threads = [threading.Thread(target=self.run, args=(s,)) for s in sources]

    def run(self, source: str) -> None:
        with client(source) as http:
            n = 0
            self.started.wait()
            while not self.stop.is_set():
                n += 1
                self.answers.append(http.post(self.server.url + "/sparql", data={"query": f"{HOG} # {n}"}))

    def __enter__(self) -> LongQueries:
        for thread in self.threads:
            thread.start()
        self.started.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


@pytest.fixture(scope="module")
def all_workers(server: Server) -> int:
    """How many workers the server runs (each one started before the server answered)."""
    return len(workers(server.process.pid))


@pytest.fixture(autouse=True)
def workers_at_rest(server: Server, all_workers: int) -> None:
    """Each test begins with every worker idle: those killed by an earlier test's long queries (at
    the time limit) replaced, so that the workers seen running are this test's queries."""
    wait_until_idle(server.process.pid, all_workers)


def test_a_fifth_address_reads_pages_while_four_run_long_queries(server: Server) -> None:
    with LongQueries(server, [f"127.0.0.{n}" for n in range(2, 6)]) as long:
        wait_until_running(
            server.process.pid, 2
        )  # every /sparql worker (two at least), the other two waiting
        with client("127.0.0.6", timeout=PAGE_DEADLINE) as reader:
            for path in ENTITIES * 2:
                r = reader.get(server.url + path, headers={"Accept": "text/html"})
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                assert "<html" in r.text
        assert not long.answers or {a.status_code for a in long.answers} <= {503}
    assert any(a.status_code == 503 and f"{TIME_LIMIT} s" in a.text for a in long.answers)


def test_one_address_reads_pages_while_its_own_long_query_runs(server: Server) -> None:
    with LongQueries(server, ["127.0.0.7"]) as long, client("127.0.0.7", timeout=PAGE_DEADLINE) as reader:
        wait_until_running(server.process.pid, 1)
        for path in ENTITIES * 2:
            r = reader.get(server.url + path, headers={"Accept": "text/html"})
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        running = long.answers == []
    assert running  # the pages were read while the long query ran


def test_no_route_answers_500_while_every_worker_is_busy(server: Server) -> None:
    answers: dict[str, httpx.Response] = {}

    def visit(n: int, route: str) -> None:
        with client(f"127.0.1.{n}") as http:  # one address each
            answers[f"{route} #{n}"] = http.get(server.url + route, headers={"Accept": "text/html"})

    with LongQueries(server, [f"127.0.0.{n}" for n in range(8, 12)]):
        wait_until_running(server.process.pid, 2)
        visitors = [threading.Thread(target=visit, args=item) for item in enumerate(ROUTES * 2)]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join()
    statuses = {route: r.status_code for route, r in answers.items()}
    assert all(status != 500 for status in statuses.values()), statuses
    for route in ENTITIES:  # the pages did not wait behind the /sparql queries
        assert statuses[f"{route} #{ROUTES.index(route)}"] == 200, statuses
    for r in answers.values():
        if r.status_code in (429, 503):
            assert r.headers.get("retry-after"), r.url


@pytest.mark.parametrize("path", ["/id/x%0D", "/id/%ZZ", "/id/a%00b", "/id/x%0Ay.ttl", "/id/%E2%80"])
def test_bad_iris_get_4xx_not_503(server: Server, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
        assert r.status_code in (400, 404), (path, r.status_code, r.text[:200])
        assert "parser" not in r.text.lower() and "error at" not in r.text


@pytest.mark.parametrize(
    ("path", "accept", "script"),
    [
        ("/", "text/html", "script-src 'self';"),
        ("/timeline", "text/html", "script-src 'self';"),
        ("/id/event/2020-05-01-meeting", "text/html", "script-src 'self';"),
        ("/sparql", "text/html", "script-src 'self';"),
        ("/sparql?query=ASK%7B%7D", "text/html", "script-src 'self';"),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json", "default-src 'none'"),
        ("/id/event/2020-05-01-meeting", "text/turtle", "default-src 'none'"),
        ("/static/favicon.svg", "*/*", "default-src 'none'"),
        ("/no/such/page", "text/html", ""),
    ],
)
def test_security_headers_on_every_answer(server: Server, path: str, accept: str, script: str) -> None:
    r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    policy = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and script in policy
    assert "http:" not in policy and "https:" not in policy and "*" not in policy


def test_docs_pages_load_nothing_from_a_cdn(server: Server) -> None:
    for path in ("/docs", "/redoc"):
        r = httpx.get(server.url + path, timeout=30)
        assert r.status_code == 404 or "cdn" not in r.text.lower(), path
    assert httpx.get(server.url + "/openapi.json", timeout=30).status_code == 200


def test_trailing_slash_redirect_ignores_the_host_header(server: Server) -> None:
    r = httpx.get(server.url + "/timeline/", headers={"Host": "evil.example"}, timeout=30)
    assert r.status_code in (301, 307, 308)
    assert "evil.example" not in r.headers["location"]
    assert r.headers["location"].startswith("/timeline")
