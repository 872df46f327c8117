"""The real HTTP stack serves every family of pages as the in-process tier does.

The pages' content is checked in process (``site``: the tests/inprocess/test_pages_* files). Here a
few pages of each family come from ``kg serve`` (uvicorn, the worker-process engine) and must be
the in-process answers byte for byte, with the same status and headers; and a dump downloads
whole, with its length and checksum.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from helpers import Server

pytestmark = pytest.mark.server

HTML = "text/html"
# (path, Accept, status): a page of each family; linked-data documents by negotiation and extension
FAMILIES = [
    ("/", HTML, 200),
    ("/dataset", HTML, 200),
    ("/list/events", HTML, 200),
    ("/timeline", HTML, 200),
    ("/ontology", HTML, 200),
    ("/downloads", HTML, 200),
    ("/id/person/iyad-allawi", HTML, 200),
    ("/id/event/2004-06-22-allawi-letter-of-request", HTML, 200),
    ("/id/source/nato-relations-with-iraq", HTML, 200),
    ("/source/nato-relations-with-iraq.txt", "*/*", 200),
    ("/id/org/nato", "text/html;q=0.5, application/ld+json", 200),
    ("/id/person/iyad-allawi.ttl", "*/*", 200),
    ("/.well-known/void", "text/turtle", 200),
    ("/search?q=allawi", "application/json", 200),
    ("/search?q=stoltenberg", HTML, 200),
    ("/id/person/allawi-typo", HTML, 404),  # the helpful 404
]
SAME_HEADERS = (
    "content-type",
    "content-location",
    "vary",
    "link",
    "cache-control",
    "last-modified",
    "content-security-policy",
)


def answer(r: httpx.Response, own: str) -> tuple[int, dict[str, str | None], str]:
    """Status, the headers that must agree and the body, with the server's own address taken out
    (every body byte for byte: a JSON-LD document too, in one order whatever the process)."""
    headers = {name: r.headers.get(name) for name in SAME_HEADERS}
    return r.status_code, headers, r.text.replace(own, "SERVER")


@pytest.mark.parametrize(("path", "accept", "status"), FAMILIES)
def test_the_server_answers_as_the_app_in_process(
    live_server: Server, site: TestClient, path: str, accept: str, status: int
) -> None:
    served = httpx.get(live_server.url + path, headers={"Accept": accept}, timeout=30)
    assert served.status_code == status and served.text, (path, served.status_code)
    in_process = site.get(path, headers={"Accept": accept})
    got_status, headers, body = answer(served, live_server.url)
    want_status, want_headers, want_body = answer(in_process, str(site.base_url).rstrip("/"))
    assert (got_status, headers) == (want_status, want_headers)
    diff = difflib.unified_diff(
        want_body.splitlines(), body.splitlines(), "in process", "served", lineterm=""
    )
    assert body == want_body, "\n".join(list(diff)[:40])


def test_a_dump_downloads_whole(live_server: Server, built_repo: Path) -> None:
    """Plain (with its length) and gzipped (as a browser asks), the body is the dump."""
    name = "nato-iraq.nq"
    want = json.loads((built_repo / "build.json").read_text())["dumps"][name]
    for encoding in ("identity", "gzip"):
        url = f"{live_server.url}/downloads/{name}"
        with httpx.stream("GET", url, headers={"Accept-Encoding": encoding}, timeout=60) as r:
            assert r.status_code == 200
            body = b"".join(r.iter_bytes())
        assert r.headers.get("content-encoding", "identity") == encoding
        assert hashlib.sha256(body).hexdigest() == want
        if encoding == "identity":
            assert int(r.headers["content-length"]) == (built_repo / name).stat().st_size == len(body)
