"""The pages' own files: versioned names, gzip, a year of caching, and nothing else of node_modules.

The compressed editor script is fetched from a real server (the gzip that goes over the wire); which
files are served is checked in process."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from helpers import REPO, Server


@pytest.mark.server
def test_editor_assets_are_versioned_compressed_and_cached(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/sparql", headers={"Accept": "text/html"}).text
    urls = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page)
    names = {u.rsplit("/", 1)[-1].split(".")[0] for u in urls}
    assert {"yasgui", "editor", "site", "favicon"} <= names, urls
    script = next(u for u in urls if u.endswith(".min.js"))
    plain = (REPO / "node_modules/@triply/yasgui/build/yasgui.min.js").read_bytes()
    with (
        httpx.Client(headers={"Accept-Encoding": "gzip"}) as client,
        client.stream("GET", live_server.url + script) as r,
    ):
        raw = b"".join(r.iter_raw())
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"] and "max-age=31536000" in r.headers["cache-control"]
    assert len(raw) < len(plain) / 2 and gzip.decompress(raw) == plain
    again = httpx.get(live_server.url + script, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_only_the_needed_files_are_served(site: TestClient) -> None:
    for path in (
        "/static/yasgui/yasgui.min.js.map",
        "/static/yasgui/yasgui.html",
        "/assets/yasgui.min.js.map",
        "/assets/site.0000000000.css",
    ):
        assert site.get(path).status_code == 404, path
    assert site.get("/static/yasgui/yasgui.min.js").status_code == 200
    landing = site.get("/").text
    css = re.search(r'href="(/assets/site\.[0-9a-f]{10}\.css)"', landing)
    assert css is not None and site.get(css.group(1)).status_code == 200
