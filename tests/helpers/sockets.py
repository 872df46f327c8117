"""Raw connections to a served ``kg serve``, for tests of what the server does with them."""

from __future__ import annotations

import socket


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
