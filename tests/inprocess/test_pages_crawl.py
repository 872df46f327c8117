"""Crawl every page reachable from the landing page, in process: each answers 200, every link to an
anchor of this site lands on an element with that id, and pages link only to this site or to plain
outside links (no page loads anything from elsewhere: see the browser tests). How fast the pages
answer is measured by the benchmarks, not here."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from fastapi.testclient import TestClient

from helpers.inprocess import Pages

SKIP = ("/downloads/", "/assets/", "/static/", "/sparql?", "/context.jsonld")
LINK = re.compile(r'href="([^"]+)')
ID = re.compile(r'\bid="([^"]+)"')


def test_every_page_answers_200_and_every_anchor_exists(site: TestClient, html_pages: Pages) -> None:
    seen: set[str] = set()
    todo = ["/"]
    failures: list[str] = []
    anchors: dict[str, set[str]] = {}  # page → the anchors links point to there
    base = str(site.base_url).rstrip("/")
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        page = html_pages.get(path)
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
            if parts.fragment and not parts.fragment.startswith(":~:"):
                anchors.setdefault(local, set()).add(unquote(parts.fragment))
            if local not in seen:
                todo.append(local)
    assert failures == []
    assert len(seen) > 500, len(seen)
    missing = [
        f"{page}#{anchor}"
        for page, wanted in sorted(anchors.items())
        for anchor in sorted(wanted - set(ID.findall(html_pages.get(page).text)))
    ]
    assert sum(len(a) for a in anchors.values()) > 100
    assert missing == [], f"{len(missing)} links to anchors that do not exist, e.g. {missing[:5]}"
