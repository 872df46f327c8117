"""The OpenAPI description of ``/sparql``: the SPARQL 1.1 Protocol's parameters and bodies.

The endpoint reads the request itself (strict UTF-8, size limits, one ``query``), so FastAPI cannot
see its parameters from the handler's signature; its routes declare them with FastAPI's
``openapi_extra`` (``GET`` and ``POST`` below), with the answers each operation can give (including
the limits' 4xx and 503). ``/openapi.json`` serves the result.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

from kg.formats import GRAPHS, SOLUTIONS

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


ROUTE: dict[str, Any] = {"response_model": None, "response_class": Response}
GET: dict[str, Any] = {
    "operationId": "sparql_get",
    "parameters": [QUERY, *GRAPH_PARAMETERS, FORMAT],
    "responses": ANSWERS,
}
POST: dict[str, Any] = {
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
