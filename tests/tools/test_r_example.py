"""The R example (``docs/examples/sparql-query.R``) against a live ``kg serve``: the data frame it
gets holds the rows the same query gives over SPARQL JSON in Python, typed by their datatypes."""

from __future__ import annotations

import csv
import io
import subprocess

import httpx
import pytest

from helpers import REPO, Server

pytestmark = pytest.mark.server
EXAMPLE = REPO / "docs" / "examples" / "sparql-query.R"
QUERIES = ["cq-02-events-2016", "cq-06-people-trained", "cq-23-events-in-order"]
NUMERIC = {"integer", "decimal", "double", "float"}


def r(rscript: str, *args: str) -> str:
    done = subprocess.run(
        [rscript, *args], capture_output=True, text=True, timeout=120, check=False, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def comparable(value: str, numeric: bool) -> str:
    return repr(float(value)) if numeric and value else value


@pytest.mark.parametrize("name", QUERIES)
def test_the_r_example_gets_the_rows_python_gets(rscript: str, live_server: Server, name: str) -> None:
    path = REPO / "queries" / f"{name}.rq"
    endpoint = live_server.url + "/sparql"
    answer = httpx.post(
        endpoint,
        data={"query": path.read_text(encoding="utf-8")},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    names = answer["head"]["vars"]
    numeric = {
        n
        for row in answer["results"]["bindings"]
        for n, cell in row.items()
        if cell.get("datatype", "").rsplit("#", 1)[-1] in NUMERIC
    }
    want = sorted(
        tuple(comparable(row.get(n, {}).get("value", ""), n in numeric) for n in names)
        for row in answer["results"]["bindings"]
    )
    table = list(csv.reader(io.StringIO(r(rscript, str(EXAMPLE), endpoint, str(path)))))
    assert table[0] == names
    got = sorted(
        tuple(comparable(v, n in numeric) for n, v in zip(names, row, strict=True)) for row in table[1:]
    )
    assert got == want and len(got) > 0


def test_the_r_data_frame_is_typed_by_the_datatypes(rscript: str, live_server: Server) -> None:
    script = f"""
source("{EXAMPLE}")
endpoint <- "{live_server.url}/sparql"
events <- sparql_df(endpoint, paste(readLines("queries/cq-02-events-2016.rq"), collapse = "\\n"))
counts <- sparql_df(endpoint, "SELECT ?type (COUNT(?e) AS ?n) WHERE {{ ?e a ?type }} GROUP BY ?type")
cat(vapply(events, function(x) class(x)[1], ""), sep = ",")
cat("\\n")
cat(class(counts$n), nrow(events), sum(counts$n), sep = ",")
"""
    classes, counts = r(rscript, "-e", script).strip().splitlines()
    assert classes.split(",") == ["character"] * 5 + ["Date", "Date"]
    kind, rows, total = counts.split(",")
    assert kind == "integer" and int(rows) > 0 and int(total) > 500
