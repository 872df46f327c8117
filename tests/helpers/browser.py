"""Headless Chromium for the page tests: Debian's browser, axe-core from node_modules, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
WIDTHS = {"desktop": 1280, "phone": 390}


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium (a missing browser or axe-core fails the test: `make setup-test`)."""
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is required: run `make setup-test`")
    if not AXE.is_file():
        pytest.fail("axe-core is required in node_modules: run `make setup`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, width: int, requested: list[str]) -> Page:
    # axe-core is injected as an inline script, which the pages' policy forbids: these pages
    # bypass it (test_sparql_editor_policy.py checks the pages under the policy itself)
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844}, bypass_csp=True)
    page.on("request", lambda request: requested.append(request.url))
    return page


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (axe injected inline)."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    width: int = page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"
    )
    return width


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def off_server(requested: list[str], base_url: str) -> list[str]:
    """Requests that went anywhere but the server under test."""
    own = urlsplit(base_url).netloc
    web = ("http", "https", "ws", "wss")
    return [u for u in requested if urlsplit(u).scheme in web and urlsplit(u).netloc != own]
