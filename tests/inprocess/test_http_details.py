"""HTTP details every route shares (``kg.web.http``): preconditions only on what exists, content
coding by q-value, HEAD as GET, one ETag scheme, ``Retry-After`` one way and readable by scripts,
a page for a browser's mistyped path, the client behind a trusted proxy, the build read once per
build, and the engine taken through ``Depends``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers.inprocess import build_mini, client
from kg.engine.base import QueryEngine, QueryError
from kg.web.deps import get_engine
from kg.web.http.headers import Builds
from kg.web.http.middleware import Trusted, accepts_gzip, client_address

ASK = "/sparql?query=ASK%20%7B%7D"
BIG = "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D"  # over 1 KiB of results: gzipped if asked
MALFORMED = "/sparql?query=SELECT%20WHERE"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mini(tmp_path_factory.mktemp("http"))


@pytest.fixture(scope="module")
def http(root: Path) -> Iterator[TestClient]:
    with client(root) as c:
        yield c


@pytest.mark.parametrize(("path", "status"), [("/", 200), (ASK, 200), ("/nope", 404), (MALFORMED, 400)])
def test_if_none_match_star_is_a_304_only_for_what_exists(http: TestClient, path: str, status: int) -> None:
    r = http.get(path, headers={"If-None-Match": "*"})
    assert r.status_code == (304 if status == 200 else status)
    if status == 200:
        assert r.content == b"" and r.headers["etag"].startswith('W/"')


def test_if_modified_since_is_answered_where_last_modified_is_sent(http: TestClient) -> None:
    first = http.get("/")
    modified = parsedate_to_datetime(first.headers["last-modified"])
    assert http.get("/", headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
    before = format_datetime(modified.replace(year=modified.year - 1), usegmt=True)
    assert http.get("/", headers={"If-Modified-Since": before}).status_code == 200
    assert http.get("/nope", headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 404
    # If-None-Match decides when both are sent (RFC 9110 13.2.2)
    both = {"If-Modified-Since": first.headers["last-modified"], "If-None-Match": 'W/"other"'}
    assert http.get("/", headers=both).status_code == 200


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [("gzip", True), ("gzip;q=0", False), ("gzip;q=0, deflate", False), ("*", True), ("gzip;q=0.5", True),
     ("*;q=0", False), ("identity", False), ("br, gzip;q=0", False)],
)  # fmt: skip
def test_accept_encoding_q_values_are_honoured(http: TestClient, accept_encoding: str, gzipped: bool) -> None:
    r = http.get(BIG, headers={"Accept-Encoding": accept_encoding})
    assert r.status_code == 200
    assert (r.headers.get("content-encoding") == "gzip") is gzipped
    assert accepts_gzip(accept_encoding.encode()) is gzipped


@pytest.mark.parametrize("path", ["/", BIG, "/sparql", "/dataset"])
def test_head_gives_the_headers_of_get_under_gzip(http: TestClient, path: str) -> None:
    headers = {"Accept-Encoding": "gzip", "Accept": "text/html"}
    got = http.get(path, headers=headers)
    head = http.head(path, headers=headers)
    assert head.status_code == got.status_code == 200 and head.content == b""
    for name in ("content-length", "content-encoding", "content-type", "etag", "vary"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_assets_have_one_etag_and_answer_it(http: TestClient) -> None:
    landing = http.get("/").text
    css = landing.split('href="/assets/site.', 1)[1].split('"', 1)[0]
    r = http.get(f"/assets/site.{css}")
    assert r.status_code == 200 and len(r.headers.get_list("etag")) == 1
    assert http.get(f"/assets/site.{css}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    # a tag of another scheme (the file's versioned name, which no answer carries) is not honoured
    assert http.get(f"/assets/site.{css}", headers={"If-None-Match": f'"site.{css}"'}).status_code == 200


def test_retry_after_is_readable_by_scripts(http: TestClient) -> None:
    r = http.get(ASK, headers={"Origin": "https://other.example"})
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert "retry-after" in exposed


class Busy(QueryEngine):
    """An engine that is always busy."""

    def named_graphs(self) -> list[str]:
        return []

    async def run(self, plan: Any) -> Any:
        raise QueryError("Every worker is busy.", 503)


def test_an_overridden_engine_answers_sparql_and_retry_after_is_set_one_way(root: Path) -> None:
    with client(root) as c:
        c.app.dependency_overrides[get_engine] = lambda: Busy()  # type: ignore[attr-defined]
        sparql = c.get(ASK)
        assert sparql.status_code == 503 and sparql.headers["retry-after"] == "10"
        assert sparql.text == "Every worker is busy.\n"


def test_a_browser_gets_a_page_for_a_mistyped_path_and_an_api_client_json(http: TestClient) -> None:
    page = http.get("/nope", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/nope" in page.text and 'href="/"' in page.text
    api = http.get("/nope", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("127.0.0.1", "6.6.6.6", [], "127.0.0.1"),  # nobody is trusted by default
        ("10.0.0.5", "6.6.6.6", ["127.0.0.1"], "10.0.0.5"),  # a proxy that was not named
        ("127.0.0.1", "6.6.6.6", ["127.0.0.1"], "6.6.6.6"),
        ("127.0.0.1", "1.1.1.1, 6.6.6.6", ["127.0.0.1"], "6.6.6.6"),  # the client picked the first
        ("10.1.2.3", "1.1.1.1, 6.6.6.6, 10.9.9.9", ["10.0.0.0/8"], "6.6.6.6"),  # two named proxies
        ("127.0.0.1", None, ["127.0.0.1"], "127.0.0.1"),
    ],
)
def test_x_forwarded_for_is_believed_only_from_named_proxies(
    peer: str, forwarded: str | None, trusted: list[str], client: str
) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {"type": "http", "client": (peer, 5000), "headers": headers}
    assert client_address(scope, Trusted(trusted)) == client


class Versioned(QueryEngine):
    version_now = "1"

    def named_graphs(self) -> list[str]:
        return []

    async def run(self, plan: Any) -> Any:
        raise NotImplementedError

    @property
    def version(self) -> str:
        return self.version_now


def test_the_build_is_read_once_per_engine_version(tmp_path: Path) -> None:
    info = tmp_path / "build.json"
    info.write_text(json.dumps({"build_id": "a", "version": "0.1.0", "built_at": "2026-01-01T00:00:00Z"}))
    engine = Versioned()
    builds = Builds(info, engine)
    first = builds.current()
    assert first.info["build_id"] == "a" and first.last_modified == "Thu, 01 Jan 2026 00:00:00 GMT"
    info.write_text(json.dumps({"build_id": "b", "version": "0.2.0"}))
    assert builds.current() is first  # the same build: not read again
    engine.version_now = "2"  # the engine serves the new build
    second = builds.current()
    assert second.info["build_id"] == "b" and second.seed != first.seed and second.last_modified is None
