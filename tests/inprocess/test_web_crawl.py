"""Crawl every page reachable from the landing page, in process: each answers 200, quickly, and links
only to this site or to plain outside links (no page loads anything from elsewhere: see the browser
tests)."""

from __future__ import annotations

import re
import statistics
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient

from helpers.inprocess import Pages

SKIP = ("/downloads/", "/assets/", "/static/", "/sparql?", "/context.jsonld")
LINK = re.compile(r'href="([^"#]+)')


def test_every_page_answers_200_quickly(site: TestClient, html_pages: Pages) -> None:
    seen: set[str] = set()
    todo = ["/"]
    times: list[float] = []
    failures: list[str] = []
    base = str(site.base_url).rstrip("/")
    site.get("/", headers={"Accept": "text/html"})  # warm up the caches of the first request
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        page = html_pages.get(path)  # each page timed when first fetched, here or by another test
        times.append(page.seconds)
        if page.status != 200:
            failures.append(f"{path}: {page.status}")
            continue
        if not page.content_type.startswith("text/html"):
            continue
        for link in LINK.findall(page.text):
            target = urljoin(base + path, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc != urlsplit(base).netloc or local.startswith(SKIP):
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
