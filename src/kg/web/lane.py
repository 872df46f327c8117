"""The SPARQL endpoint's fast lane: ``GET``/``POST /sparql`` answered before FastAPI's routing.

A query's answer may take less time than FastAPI's own layers (its error middlewares, exit
stack and router) take to reach the handler, so requests to the endpoint skip them: they go
through the same middlewares as every other request (security headers, CORS, gzip, limits,
conditional GET: the app's ``user_middleware``, built once more around the handler; they keep
no state of their own, what they share is passed in) straight to
:func:`kg.web.routes.sparql.sparql_handler`. The handler turns every refusal into a response; anything
it raises becomes the same 500 as elsewhere (:func:`kg.web.http.limits.internal_error`). Every other
request (``HEAD``, ``OPTIONS``, other paths, lifespan) goes to the app as usual.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.web.http.limits import internal_error
from kg.web.iris import SPARQL_PATH
from kg.web.routes.sparql import Handler

LANE_METHODS = ("GET", "POST")


class Service(FastAPI):
    """The FastAPI application, with the SPARQL endpoint's fast lane in front of it."""

    lane_path = SPARQL_PATH
    lane_handler: Handler | None = None
    _lane: ASGIApp | None = None

    def add_lane(self, handler: Handler) -> None:
        self.lane_handler, self._lane = handler, None

    def _build_lane(self) -> ASGIApp:
        handler = self.lane_handler
        assert handler is not None

        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            request = Request(scope, receive)
            try:
                response = await handler(request)
            except Exception as exc:  # what FastAPI's error middleware would turn into a 500
                response = await internal_error(request, exc)
            await response(scope, receive, send)

        lane: ASGIApp = endpoint
        for middleware in reversed(self.user_middleware):  # the app's own order, outermost first
            lane = middleware.cls(lane, *middleware.args, **middleware.kwargs)
        return lane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == self.lane_path
            and scope["method"] in LANE_METHODS
            and self.lane_handler is not None
        ):
            if self._lane is None:
                self._lane = self._build_lane()
            scope["app"] = self
            await self._lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
