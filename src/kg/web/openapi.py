"""The OpenAPI description of ``/sparql``: the SPARQL 1.1 Protocol's parameters and bodies.

The endpoint's handlers read the request themselves (strict UTF-8, size limits), so FastAPI
cannot see their parameters; they are declared here, in the description ``/openapi.json``
serves, with the answers each operation can give (including the limits' 4xx and 503).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kg.formats import GRAPHS, SOLUTIONS
from kg.web.iris import SPARQL_PATH

GRAPH_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
    }
    for name, description in (
        ("default-graph-uri", "A graph of the dataset to use as the default graph (repeatable)."),
        ("named-graph-uri", "A graph of the dataset to make available by name (repeatable)."),
    )
]
QUERY = {
    "name": "query",
    "in": "query",
    "required": False,
    "description": "The SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, the "
    "service description (or, for browsers, the query editor) is answered.",
    "schema": {"type": "string"},
}
FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "A result media type (overrides Accept), e.g. application/sparql-results+json.",
    "schema": {"type": "string"},
}
FORM = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
    },
}
RESULTS = {f.media_type: {"schema": {"type": "string"}} for f in (*SOLUTIONS, *GRAPHS)}
TEXT = {"text/plain": {"schema": {"type": "string"}}}
ANSWERS: dict[str, Any] = {
    "200": {"description": "The query's result, in the negotiated media type.", "content": RESULTS},
    "400": {"description": "Malformed query, or one over the complexity limits.", "content": TEXT},
    "403": {"description": "An update, or a remote IRI not on the allowlist.", "content": TEXT},
    "406": {"description": "No acceptable media type fits the result.", "content": TEXT},
    "413": {"description": "Request body too large.", "content": TEXT},
    "414": {"description": "URL too long: use POST.", "content": TEXT},
    "415": {"description": "Unsupported request content type.", "content": TEXT},
    "429": {"description": "Too many queries at once from one address (see Retry-After).", "content": TEXT},
    "503": {"description": "Busy, over the time or memory limit (see Retry-After).", "content": TEXT},
}


def sparql_operations() -> dict[str, Any]:
    get = {
        "summary": "SPARQL query (GET)",
        "operationId": "sparql_get",
        "parameters": [QUERY, *GRAPH_PARAMETERS, FORMAT],
        "responses": ANSWERS,
    }
    post = {
        "summary": "SPARQL query (POST form or body)",
        "operationId": "sparql_post",
        "parameters": [*GRAPH_PARAMETERS, FORMAT],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": FORM},
                "application/sparql-query": {"schema": {"type": "string"}},
            },
        },
        "responses": ANSWERS,
    }
    return {"get": get, "post": post}


def describe_sparql(app: FastAPI, path: str = SPARQL_PATH) -> None:
    """Have ``app``'s OpenAPI description declare ``path``'s parameters, bodies and answers."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            schema.setdefault("paths", {})[path] = sparql_operations()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
