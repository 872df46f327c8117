"""One answer for every page whose query the engine could not answer in time.

Page code calls the engine in many places (the description, the participants table, "took part
in", the timeline, labels); none of them needs its own ``try``. A ``QueryError`` that escapes a
handler becomes, here, the status the engine gave (503 when busy or past the time limit) with
``Retry-After``, as a short readable HTML page for browsers and plain text for everyone else.
"""

from __future__ import annotations

import logging
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from kg.engine.base import QueryError

log = logging.getLogger("kg.web")
RETRY_AFTER = "10"
RETRYABLE = {429, 503, 504}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1><p>{message}</p>{advice}
<p><a href="/">Home</a> · <a href="/sparql">SPARQL endpoint</a></p></main></body></html>
"""
TITLES = {503: "The service is busy", 504: "The service is busy", 429: "Too many requests at once"}


def engine_error_response(request: Request, err: QueryError) -> Response:
    """The answer for a page whose query failed with ``err``."""
    status = err.status if 400 <= err.status <= 599 else 500
    if status < 500 and status not in RETRYABLE:
        log.error("a page query was refused (%s): %s", status, err.message)
        status = 500  # our own query, not the client's: a fault here, said plainly below
    headers = {"Retry-After": RETRY_AFTER} if status in RETRYABLE else {}
    wants_html = "text/html" in request.headers.get("accept", "")
    if not wants_html:
        return PlainTextResponse(err.message.rstrip() + "\n", status, headers)
    title = TITLES.get(status, "This page could not be built")
    advice = "<p>Please try again in a few seconds.</p>" if status in RETRYABLE else ""
    html = PAGE.format(title=escape(title), message=escape(err.message), advice=advice)
    return HTMLResponse(html, status, headers)


def install_engine_errors(app: FastAPI) -> None:
    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QueryError)
        return engine_error_response(request, exc)

    app.add_exception_handler(QueryError, handler)
