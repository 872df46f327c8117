"""The protocol's caching headers and the security headers on the same answers.

Both are middlewares (``kg.web.http.conditional`` and ``kg.web.http.headers``): a page keeps its own
Content-Security-Policy through a 304 (whose headers a cache copies onto the stored page), and
errors, refusals and gzipped bodies carry the security headers too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers.inprocess import build_mini, client
from kg.web.http.headers import DATA_POLICY, PAGE_POLICY

ASK = "/sparql?query=ASK%20%7B%7D"


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = build_mini(tmp_path_factory.mktemp("headers"))
    with client(root) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "accept", "policy"),
    [("/", "text/html", PAGE_POLICY), ("/sparql", "text/html", PAGE_POLICY), (ASK, "*/*", DATA_POLICY)],
)
def test_a_304_keeps_the_cached_answers_policy(http: TestClient, path: str, accept: str, policy: str) -> None:
    first = http.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["content-security-policy"] == policy
    again = http.get(path, headers={"Accept": accept, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert "content-security-policy" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"


def test_gzipped_and_refused_answers_carry_the_security_headers(http: TestClient) -> None:
    big = http.get("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D", headers={"Accept-Encoding": "gzip"})
    assert big.status_code == 200 and big.headers.get("content-encoding") == "gzip"
    assert big.headers["content-security-policy"] == DATA_POLICY and "etag" in big.headers
    refused = http.get("/sparql?query=" + "x" * 9000)
    assert refused.status_code == 414 and refused.headers["x-frame-options"] == "SAMEORIGIN"
