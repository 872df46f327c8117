"""Search over the real graph, in process: misspellings, punctuation, grouping by type, participation
records hidden by default, the source text, JSON by Accept."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kg.web.views.search import score


def search(site: TestClient, q: str, **params: str) -> dict[str, object]:
    r = site.get("/search", params={"q": q, **params}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body: dict[str, object] = r.json()
    return body


def first(body: dict[str, object]) -> dict[str, str]:
    results = body["results"]
    assert isinstance(results, list) and results, body
    top: dict[str, str] = results[0]
    return top


def test_misspelt_and_unpunctuated_names_are_found(site: TestClient) -> None:
    assert first(search(site, "Stoltenburg"))["href"] == "/id/person/jens-stoltenberg"
    assert first(search(site, "NTMI"))["href"] == "/id/engagement/ntm-i"
    assert first(search(site, "brusels"))["href"] == "/id/place/brussels"


def test_short_words_are_not_matched_loosely() -> None:
    assert score("iraq", "Iran") == 0
    assert score("Stoltenburg", "Jens Stoltenberg") > 0
    assert score("NTMI", "NTM-I") == 100


def test_results_are_grouped_by_type(site: TestClient) -> None:
    html = site.get("/search", params={"q": "stoltenberg"}).text
    assert '<h2 id="g-1">People</h2>' in html
    assert html.count('<section class="hit-group"') >= 2


def test_participation_records_are_hidden_unless_asked_for(site: TestClient) -> None:
    shown = search(site, "abadi")
    groups = {r["group"] for r in shown["results"]}  # type: ignore[attr-defined]
    assert "participation" not in groups and shown["count"]
    everything = search(site, "abadi", all="1")
    assert any(r["group"] == "participation" for r in everything["results"])  # type: ignore[attr-defined]
    html = site.get("/search", params={"q": "abadi"}).text
    assert "participation record" in html and "all=1" in html


def test_source_text_is_searched(site: TestClient) -> None:
    lines = search(site, "fixed duration")["lines"]
    assert isinstance(lines, list) and lines
    assert lines[0]["href"].startswith("/source/nato-relations-with-iraq#L")
    assert "fixed duration" in lines[0]["text"]
    assert lines[0]["statements"] == f"/graph/line/{lines[0]['line']}"  # what the line says
