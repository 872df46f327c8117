"""``kg.api``: the graph queried from Python without a server, as rows and as a pandas DataFrame.

The installed package's API, from a wheel outside any checkout, is tested in ``test_install``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from helpers import REPO, copy_project
from kg import api

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

JSON = "application/sparql-results+json"
CQ02 = (REPO / "queries" / "cq-02-events-2016.rq").read_text(encoding="utf-8")
CQ06 = (REPO / "queries" / "cq-06-people-trained.rq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def graph(built_repo: Path) -> Iterator[api.Graph]:
    with api.Graph(built_repo) as g:
        yield g


def endpoint_rows(site: TestClient, query: str) -> list[dict[str, dict[str, str]]]:
    answer = site.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, dict[str, str]]] = answer.json()["results"]["bindings"]
    return rows


def test_rows_are_the_endpoints_rows_typed_by_their_datatypes(graph: api.Graph, site: TestClient) -> None:
    """Every value is the endpoint's, as the Python type its datatype calls for."""
    for query in (CQ02, CQ06):
        got, want = graph.rows(query), endpoint_rows(site, query)
        assert len(got) == len(want) > 0
        for row, cells in zip(got, want, strict=True):
            assert row.keys() == cells.keys()
            for name, cell in cells.items():
                value, kind = row[name], cell.get("datatype", "")
                expected = {
                    "http://www.w3.org/2001/XMLSchema#date": dt.date.fromisoformat,
                    "http://www.w3.org/2001/XMLSchema#decimal": Decimal,
                    "http://www.w3.org/2001/XMLSchema#integer": int,
                }.get(kind, str)(cell["value"])
                assert value == expected and type(value) is type(expected), (name, value, cell)
    # nio:date keeps the source's precision: days are dates, months stay text
    dates = {type(r["date"]) for r in graph.rows(CQ02)}
    assert dates == {dt.date, str}


def test_the_dataframe_has_a_column_per_variable_typed_by_the_datatypes(graph: api.Graph) -> None:
    frame = graph.dataframe(CQ02)
    assert list(frame.columns) == ["event", "label", "dateText", "date", "precision", "earliest", "latest"]
    assert len(frame) == len(graph.rows(CQ02))
    assert pd.api.types.is_datetime64_any_dtype(frame["earliest"])
    assert frame["earliest"].min() >= pd.Timestamp("2016-01-01")
    assert frame["date"].dtype == object  # days and months: no single type
    assert frame.attrs["datatypes"]["earliest"] == ["http://www.w3.org/2001/XMLSchema#date"]
    numbers = graph.dataframe(CQ06)
    assert numbers["value"].dtype == "float64" and numbers["value"].notna().all()
    counts = graph.dataframe("SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class")
    assert counts["n"].dtype == "int64" and counts["n"].sum() > 500
    lines = graph.dataframe(
        "SELECT ?x ?line WHERE { { ?x a nio:Passage } UNION { ?x a nio:Decision } "
        "OPTIONAL { ?x nio:sourceLine ?line } }"
    )
    assert lines["line"].dtype == "Int64"  # integers with gaps: pandas' nullable integers
    assert lines["line"].isna().any() and lines["line"].notna().any()


def test_ask_construct_and_errors(graph: api.Graph) -> None:
    assert graph.ask("ASK { organisation:north-atlantic-council rdfs:label ?l }") is True
    triples = graph.rows("CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d a nio:Decision ; rdfs:label ?l }")
    assert triples and set(triples[0]) == {"subject", "predicate", "object"}
    with pytest.raises(api.QueryError) as malformed:
        graph.rows("SELECT * WHERE { ?s ?p }")
    assert malformed.value.status == 400 and "line 1, column" in malformed.value.message
    with pytest.raises(api.QueryError) as update:
        graph.rows("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.value.status == 403
    with pytest.raises(api.QueryError) as service:
        graph.rows("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert service.value.status == 403
    with pytest.raises(TypeError):
        graph.rows("ASK {}")


def test_without_pandas_rows_work_and_dataframe_says_what_to_install(
    graph: api.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    assert graph.rows(CQ06)
    with pytest.raises(ImportError, match=r'pip install "nato-iraq-kg\[pandas\]"'):
        graph.dataframe(CQ06)


@pytest.fixture
def in_checkout(built_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The current folder is inside a checkout whose dist/ is the session's build."""
    checkout = copy_project(REPO, tmp_path / "checkout")
    (checkout / "dist").symlink_to(built_repo)
    monkeypatch.chdir(checkout / "data")
    api.graph.cache_clear()
    yield checkout
    api.graph.cache_clear()


def test_the_module_functions_use_the_checkout_around_the_current_folder(
    in_checkout: Path, built_repo: Path
) -> None:
    found = api.rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    info = json.loads((built_repo / "build.json").read_text())
    assert found == [{"n": info["triples"]}]


def test_the_readme_notebook_example_runs(in_checkout: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    names: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), names)
    events, per_year, rows = names["events"], names["per_year"], names["rows"]
    assert isinstance(events, pd.DataFrame) and len(events) > 40
    assert pd.api.types.is_datetime64_any_dtype(events["earliest"])
    assert isinstance(per_year, pd.Series) and per_year.sum() == len(events)
    assert isinstance(rows, list) and len(rows) == 3 and set(rows[0]) == {"d", "label"}
