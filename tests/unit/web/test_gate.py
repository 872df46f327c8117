"""The connection gate's counts (``kg.web.http.connections``): a share per address, none for a
named proxy, and every count given back when a connection goes."""

from __future__ import annotations

from pathlib import Path

from kg.settings import Settings
from kg.web.http.connections import Gate, GatedConnection


class Transport:
    def __init__(self, peer: tuple[str, int]) -> None:
        self.peer, self.aborted = peer, False

    def get_extra_info(self, name: str) -> object:
        return self.peer if name == "peername" else None

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted


class Inner:
    """Stands for uvicorn's protocol: records what reaches it."""

    def __init__(self) -> None:
        self.made = self.lost = 0
        self.data: list[bytes] = []

    def connection_made(self, transport: object) -> None:
        self.made += 1

    def data_received(self, data: bytes) -> None:
        self.data.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost += 1


def connect(gate: Gate, address: str, port: int) -> tuple[GatedConnection, Transport, Inner]:
    inner, transport = Inner(), Transport((address, port))
    connection = GatedConnection(gate, inner)  # type: ignore[arg-type]
    connection.arm = lambda: None  # type: ignore[method-assign]  # no event loop here: no deadline
    connection.connection_made(transport)  # type: ignore[arg-type]
    return connection, transport, inner


def test_an_address_has_its_share_and_a_named_proxy_has_none(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, max_client_connections=2, trusted_proxies=["10.0.0.0/8"])
    gate = Gate(settings)
    mine = [connect(gate, "192.0.2.7", port) for port in range(3)]
    assert [t.aborted for _, t, _ in mine] == [False, False, True]
    assert [i.made for _, _, i in mine] == [1, 1, 0]  # the refused one never reached uvicorn
    proxy = [connect(gate, "10.1.2.3", port) for port in range(5)]
    assert not any(t.aborted for _, t, _ in proxy)
    mine[0][0].connection_lost(None)
    again = connect(gate, "192.0.2.7", 9)
    assert not again[1].aborted  # a share is given back when a connection goes
    mine[2][0].connection_lost(None)  # a refused connection gives back nothing it did not take
    assert gate.connections["192.0.2.7"] == 2


def test_half_sent_heads_are_counted_until_their_blank_line(tmp_path: Path) -> None:
    gate = Gate(Settings(root=tmp_path, max_client_heads=2))
    conns = [connect(gate, "192.0.2.8", port) for port in range(3)]
    conns[0][0].data_received(b"GET / HTTP/1.1\r\nHost: x\r\n")
    conns[1][0].data_received(b"GET / HTTP/1.1\r\nHo")
    assert gate.heads["192.0.2.8"] == 2
    conns[2][0].data_received(b"GET /")  # a third half-sent head from the same address
    assert conns[2][1].aborted and conns[2][2].data == []
    conns[0][0].data_received(b"\r\n")  # the blank line straddles two reads
    assert gate.heads["192.0.2.8"] == 1
    conns[1][0].connection_lost(None)
    assert "192.0.2.8" not in gate.heads
    conns[0][0].serve()  # the app has the request: nothing is counted any more
    assert conns[0][0].serving == 1 and "192.0.2.8" not in gate.heads
