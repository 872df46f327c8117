"""Whatever a client sends a page is answered with a 4xx or the page, never a 500: the timeline's
years (Unicode digits, years past 9999, thousands of digits), a shared editor link whose query
would end the page's script block early, the search's caps; and the same JSON-LD document is the
same bytes on every request."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from kg.web.views.search import MAX_CHARS, MAX_WORDS


@pytest.mark.parametrize(
    "query", ["from=2004&to=9999", "to=9999", "from=1", "from=2011&to=2004", "from=0001"]
)
def test_any_year_the_axis_can_show_draws_the_timeline(site: TestClient, query: str) -> None:
    r = site.get(f"/timeline?{query}")
    assert r.status_code == 200 and '<svg class="tl-axis-svg"' in r.text


@pytest.mark.parametrize(
    "value",
    ["²", "①", "٢٠٠٤", "２００４", "10000", "0", "-5", "2004.0", " 2004", "1e3", "9" * 5000],
)
@pytest.mark.parametrize("name", ["from", "to"])
def test_anything_but_a_year_is_a_400(site: TestClient, name: str, value: str) -> None:
    r = site.get(f"/timeline?{name}={quote(value)}")
    assert r.status_code == 400, r.text[:200]
    assert "must be a year" in r.text and len(r.text) < 500


def test_a_shared_query_cannot_end_the_editors_script_block(site: TestClient) -> None:
    """``<!--<script>`` inside a ``<script>`` element makes a browser read everything up to the
    next ``</script>`` as script data, so the editor's own scripts never load."""
    query = 'SELECT * { ?s ?p "<!--<script>" } # </script><script>alert(1)</script> & ]]> \u2028'
    r = site.get(f"/sparql?query={quote(query)}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    block = re.search(r'<script id="editor-config" type="application/json">(.*?)</script>', r.text, re.S)
    assert block is not None
    assert not re.search(r"<!--|<script|</script|<", block.group(1), re.I)
    assert json.loads(block.group(1))["query"] == query
    after = r.text[block.end() :]
    assert after.count("<script src=") == 2  # YASGUI's and the editor's scripts still follow


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/ontology", "application/ld+json"),
        ("/dataset", "application/ld+json"),
        ("/.well-known/void", "application/ld+json"),
        ("/id/org/nato", "application/ld+json"),
        ("/ontology", "text/turtle"),
    ],
)
def test_the_same_document_is_the_same_bytes_under_the_same_etag(
    site: TestClient, path: str, accept: str
) -> None:
    first, second = (site.get(path, headers={"Accept": accept}) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] == second.headers["etag"]
    assert first.content == second.content


def test_a_search_over_its_caps_is_refused_at_once(site: TestClient) -> None:
    worst = "+".join(["iraqi"] * 1300)  # nearly 8 KB of words, under the URL limit
    for params, status in (
        (f"q={worst}&format=json", 400),
        (f"q={'+'.join(['iraqi'] * (MAX_WORDS + 1))}&format=json", 400),
        (f"q={'x' * (MAX_CHARS + 1)}&format=json", 400),
        (f"q={'+'.join(['iraqi'] * MAX_WORDS)}&format=json", 200),
    ):
        r = site.get(f"/search?{params}")
        assert r.status_code == status, (params[:40], r.text[:200])
    page = site.get(f"/search?q={worst}", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "at most" in page.text


@pytest.mark.parametrize("root", ["id", "graph", "ontology", "dataset", "shapes"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_path_no_iri_can_hold_is_a_404(site: TestClient, root: str, accept: str) -> None:
    for rest in ("%F2%8E%8E%BDZk%3A%C3%90%C2%9BJ", "a%20b%3E", "x%00y", "%EF%BF%BE"):
        r = site.get(f"/{root}/{rest}", headers={"Accept": accept})
        assert r.status_code == 404, (root, rest, r.text[:200])
