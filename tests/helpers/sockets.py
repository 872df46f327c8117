"""Raw connections to a served ``kg serve``, for tests of what the server does with them."""

from __future__ import annotations

import socket
from urllib.parse import urlencode


def ended(sock: socket.socket) -> bool:
    """The server closed ``sock`` or answered on it; False while it is open and nothing arrived.
    Peeks without waiting, whatever the socket's timeout (select() cannot watch a thousand sockets)."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return False  # open, nothing sent
    except OSError:
        return True  # reset
    finally:
        sock.settimeout(timeout)
    return True  # closed, or an answer arrived


def post_without_reading(url: str, query: str, source: str, rcvbuf: int | None = None) -> socket.socket:
    """POST ``query`` to ``url``'s /sparql from the address ``source`` and read nothing of the answer
    (yet). ``rcvbuf``: a small receive buffer, so that the answer waits on the server."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((source, 0))
    sock.connect((host, int(port)))
    body = urlencode({"query": query}).encode()
    sock.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    return sock
