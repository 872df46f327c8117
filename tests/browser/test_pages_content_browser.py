"""The linked-data pages in Debian's headless Chromium: visible content, screenshots, nothing external."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

from helpers import REPO, Server

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PAGES = [
    # (path, screenshot, texts that must be visible)
    ("/", "ld-landing", ["NATO–Iraq knowledge graph", "source passages", "Timeline"]),
    (
        "/id/event/2004-06-22-allawi-letter-of-request",
        "ld-event",
        [
            "Allawi sends a letter",
            "22 June 2004 (day)",
            "Interim Iraqi Prime Minister Ilyad Allawi sends letter to NATO Secretary General",  # the quote
            "Line 32",
            "Who took part",
        ],
    ),
    ("/id/person/iyad-allawi", "ld-person", ["Iyad Allawi", "Wikidata Q", "Took part in", "Line 32"]),
    ("/timeline", "ld-timeline", ["NATO Training Mission-Iraq", "NATO Summit in Istanbul"]),
    ("/ontology", "ld-ontology", ["NATO–Iraq ontology", "Classes", "nio:Event"]),
]


@pytest.fixture(scope="module")
def browser_page(live_server: Server) -> Iterator[tuple[Page, list[str]]]:
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is required: run `make setup-test`")
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            yield page, requested
        finally:
            browser.close()


@pytest.mark.parametrize(("path", "shot", "texts"), PAGES, ids=[p[1] for p in PAGES])
def test_page_shows_its_content(
    browser_page: tuple[Page, list[str]], live_server: Server, path: str, shot: str, texts: list[str]
) -> None:
    page, requested = browser_page
    before = len(requested)
    response = page.goto(live_server.url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, text
    if path == "/timeline":
        marks = page.locator(".tl svg.tl-track")
        assert marks.count() > 50
        assert page.locator(".tl .tl-row.head a[href='/id/engagement/ntm-i']").count() == 1
        assert page.locator(".tl-axis").bounding_box() is not None
    if path.startswith("/id/event/"):
        assert page.locator("section.provenance mark").first.is_visible()
    own = urlsplit(live_server.url).netloc
    outside = [u for u in requested[before:] if urlsplit(u).netloc != own]
    assert outside == [], outside
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requested[before:])


def test_timeline_filter_works_without_javascript(
    browser_page: tuple[Page, list[str]], live_server: Server
) -> None:
    page, _ = browser_page
    page.goto(live_server.url + "/timeline")
    total = page.locator("ol.timeline-list li").count()
    allawi = page.locator("select[name=actor] option", has_text="Iyad Allawi").first.get_attribute("value")
    assert allawi is not None
    page.select_option("select[name=actor]", allawi)
    page.click("form.timeline-filters button[type=submit]")
    page.wait_for_load_state()
    assert "actor=" in page.url
    items = page.locator("ol.timeline-list li").all_inner_texts()
    assert 0 < len(items) < total and any("Allawi sends a letter" in t for t in items), items
