"""Crawl every page reachable from the landing page: each answers 200, quickly, and links only to
this server or to plain outside links (no page loads anything from elsewhere: see the browser tests)."""

from __future__ import annotations

import re
import statistics
import time
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from conftest import Server

pytestmark = pytest.mark.server

SKIP = ("/downloads/", "/assets/", "/static/", "/sparql?", "/context.jsonld")
LINK = re.compile(r'href="([^"#]+)')


def test_every_page_answers_200_quickly(live_server: Server) -> None:
    seen: set[str] = set()
    todo = ["/"]
    times: list[float] = []
    failures: list[str] = []
    with httpx.Client(base_url=live_server.url, headers={"Accept": "text/html"}, timeout=30) as client:
        client.get("/")  # warm up the caches of the first request
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            start = time.perf_counter()
            r = client.get(path)
            times.append(time.perf_counter() - start)
            if r.status_code != 200:
                failures.append(f"{path}: {r.status_code}")
                continue
            if not r.headers["content-type"].startswith("text/html"):
                continue
            for link in LINK.findall(r.text):
                target = urljoin(live_server.url + path, link.replace("&amp;", "&"))
                parts = urlsplit(target)
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.netloc != urlsplit(live_server.url).netloc or local.startswith(SKIP):
                    continue
                if "." in parts.path.rsplit("/", 1)[-1] and not parts.path.endswith(".html"):
                    continue  # RDF serialisations and text files: covered by the linked-data tests
                if local not in seen:
                    todo.append(local)
    assert failures == []
    assert len(seen) > 500, len(seen)
    median = statistics.median(times)
    assert median < 0.020, f"median {median * 1000:.1f} ms over {len(times)} pages"
    print(f"crawled {len(seen)} pages, median {median * 1000:.1f} ms")
