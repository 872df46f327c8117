"""Raw connections to a served ``kg serve``, for tests of what the server does with them: whether
the server has closed (or answered on) a connection, and whether it still holds its end open."""

from __future__ import annotations

import socket

import psutil


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


def held_by_server(pid: int, sock: socket.socket) -> bool:
    """Process ``pid`` still holds its end of ``sock`` open (whatever ``sock`` has received so far):
    what the server did with a connection, seen from the server's side."""
    mine = sock.getsockname()[:2]
    return any(
        c.raddr and tuple(c.raddr) == mine and c.status == psutil.CONN_ESTABLISHED
        for c in psutil.Process(pid).net_connections(kind="tcp")
    )
