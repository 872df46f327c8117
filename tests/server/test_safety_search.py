"""No search can stall the server: while four addresses send the worst ``/search`` requests three
at a time (8 KB of ``iraqi+iraqi+…``, and the costliest text under the caps), a bystander's
``ASK {}`` and a static file still answer in under half a second.

Each attacker binds its client sockets to its own loopback address (127.0.0.2 … 127.0.0.5), as
four machines would. The bystander's deadline (``helpers.BYSTANDER_DEADLINE``, 0.5 s) is the
service's promise, not a timing of this machine: it is the bystander's timeout, and a bystander's
answer normally takes a few milliseconds, so the margin is about a hundredfold.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

import httpx
import pytest

from helpers import BYSTANDER_DEADLINE, Server
from kg.web.views.search import MAX_CHARS, MAX_WORDS

pytestmark = pytest.mark.server

ATTACKERS = [f"127.0.0.{n}" for n in range(2, 6)]
AT_ONCE = 3
ROUNDS = 6  # requests each attacking connection sends
FLOOD = "+".join(["iraqi"] * 1300)  # nearly 8 KB, under the URL limit
COSTLIEST = quote(" ".join(f"iraqis{n}x" for n in range(MAX_WORDS))[:MAX_CHARS])


def attack(url: str, address: str, stop: threading.Event, statuses: list[int]) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, transport=transport, timeout=60) as http:
        for n in range(ROUNDS):
            if stop.is_set():
                return
            q = FLOOD if n % 2 == 0 else COSTLIEST
            statuses.append(http.get(f"/search?q={q}", headers={"Accept": "text/html"}).status_code)


def test_a_bystander_is_answered_while_four_addresses_search_their_worst(live_server: Server) -> None:
    url = live_server.url
    with httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/search?q=warm+up").status_code == 200  # the index is built once per build
        css = re.search(r'href="(/assets/site\.[0-9a-f]+\.css)"', http.get("/").text)
        assert css is not None
        static = css.group(1)
    statuses: list[int] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=attack, args=(url, address, stop, statuses), daemon=True)
        for address in ATTACKERS
        for _ in range(AT_ONCE)
    ]
    for thread in threads:
        thread.start()
    slow: list[str] = []
    asked = 0
    try:
        with httpx.Client(base_url=url, timeout=BYSTANDER_DEADLINE) as bystander:
            while any(t.is_alive() for t in threads) and asked < 200:
                for path in ("/sparql?query=ASK%7B%7D", static):
                    try:
                        answer = bystander.get(path, headers={"Accept": "application/sparql-results+json"})
                        assert answer.status_code == 200, (path, answer.status_code)
                    except httpx.TimeoutException:
                        slow.append(f"{path}: no answer within {BYSTANDER_DEADLINE} s")
                    asked += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert asked >= 10, "the attack ended before the bystander could ask"
    assert slow == []
    assert len(statuses) == len(threads) * ROUNDS
    assert set(statuses) <= {200, 400}, sorted(set(statuses))  # a refusal or an answer, never a 5xx
    assert 400 in statuses and 200 in statuses
