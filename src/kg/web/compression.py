"""gzip for every answer a client accepts it for: Starlette's ``GZipMiddleware``, with the work it
repeats for each request done once.

Starlette builds a responder per request, and each responder normalises the list of media
types never to compress (fourteen of them) again, and parses the request headers into an object
to read ``Accept-Encoding``. Here the list is normalised once, when the middleware is built, and
the header is found in the raw list; the responders, and so what is compressed and how (and
``Vary: Accept-Encoding``), are Starlette's own.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import Receive, Scope, Send


class Compression(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = next((v for k, v in scope["headers"] if k == b"accept-encoding"), b"")
        responder: IdentityResponder
        if b"gzip" in accepted:
            responder = GZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=(),
            )
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=())
        responder.exclude_content_types = self.exclude_content_types  # normalised once, in __init__
        await responder(scope, receive, send)
