"""Error answers, made one way everywhere.

- :func:`error`: a plain-text refusal whose message says what to change; 429, 503 and 504 carry
  ``Retry-After`` (the only place it is set).
- A ``QueryError`` that escapes a page handler (the engine was busy, past its time limit, or the
  page's own query failed) becomes the status the engine gave, as a short readable HTML page for
  browsers and plain text for everyone else: page code calls the engine in many places, and none
  of them needs its own ``try``.
- A path that leads nowhere is an HTML page for browsers, FastAPI's JSON for everyone else.
- Anything else a handler raises is logged and answered 500, without details.
"""

from __future__ import annotations

import logging
from html import escape

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from kg.engine.base import QueryError

log = logging.getLogger("kg.web")
RETRY_AFTER = "10"
RETRYABLE = {429, 503, 504}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1><p>{message}</p>{advice}
<p><a href="/">Home</a> · <a href="/sparql">SPARQL endpoint</a> · <a href="/search">Search</a></p>
</main></body></html>
"""
TITLES = {503: "The service is busy", 504: "The service is busy", 429: "Too many requests at once"}


def retry_headers(status: int, headers: dict[str, str] | None = None) -> dict[str, str]:
    """``headers`` plus ``Retry-After`` when ``status`` says to come back later."""
    return {**(headers or {}), "Retry-After": RETRY_AFTER} if status in RETRYABLE else headers or {}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error answer (the message says what to change)."""
    return PlainTextResponse(
        message.rstrip() + "\n", status_code=status, headers=retry_headers(status, headers)
    )


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def html_page(status: int, title: str, message: str, advice: str = "") -> HTMLResponse:
    html = PAGE.format(title=escape(title), message=escape(message), advice=advice)
    return HTMLResponse(html, status, retry_headers(status))


def engine_error_response(request: Request, err: QueryError) -> Response:
    """The answer for a page whose query failed with ``err``."""
    status = err.status if 400 <= err.status <= 599 else 500
    if status < 500 and status not in RETRYABLE:
        log.error("a page query was refused (%s): %s", status, err.message)
        status = 500  # our own query, not the client's: a fault here, said plainly below
    if not wants_html(request):
        return error(status, err.message)
    title = TITLES.get(status, "This page could not be built")
    advice = "<p>Please try again in a few seconds.</p>" if status in RETRYABLE else ""
    return html_page(status, title, err.message, advice)


async def _engine_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryError)
    return engine_error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A 404 for a browser is a page; every other HTTP error is FastAPI's JSON answer."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and wants_html(request):
        return html_page(404, "Page not found", f"There is no page at {request.url.path}.")
    return await http_exception_handler(request, exc)


async def internal_error(request: Request, exc: Exception) -> Response:
    """The last resort: anything a handler raised is logged and answered 500, without details."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error(500, "Internal server error: the request could not be answered. It has been logged.")


def install_errors(app: FastAPI) -> None:
    """Have ``app`` answer engine errors, HTTP errors and anything unexpected as above."""
    app.add_exception_handler(QueryError, _engine_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, internal_error)
