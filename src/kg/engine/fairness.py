"""Fair turns on the query workers: clients take turns, and the site's pages have a lane of their own.

The pool's workers are split into lanes, one per kind of query (``QueryPlan.lane``):

- ``sparql``, the queries clients send to ``/sparql``. When a worker comes free it goes to the
  next client in turn (round-robin over the client addresses with a query waiting), not to the
  query that came first, so a handful of addresses cannot starve the others however many queries
  they send. One client runs at most ``cap`` queries at once; a client at its cap waits up to
  ``cap_wait`` seconds for a turn, then gets 429 with ``Retry-After``. It holds no worker while
  it waits.
- ``pages``, the queries the site's own pages make, on a worker of their own. A page query also
  takes an idle ``/sparql`` worker when no ``/sparql`` query is waiting for one, but it never
  waits for one: pages never queue behind ``/sparql`` queries, and the per-client cap does not
  count them, so a user's pages answer while their own long query runs (and while other
  addresses keep every ``/sparql`` worker busy).

The client is the address the web layer names in the plan (``QueryPlan.client``); nothing here
reads a request. Cached answers take no turn.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from kg.engine.process import WorkerProcess
from kg.engine.results import QueryError


class Lane:
    """The workers of one lane, handed out in turns (round-robin over clients).

    ``retire`` is called with each worker that comes back unfit for another query (stuck,
    crashed, outdated): the pool kills it and, if needed, adds a fresh one. ``cap``: the most
    queries one client may run at once (0: no cap). ``spare``: a lane whose idle workers this
    one may borrow while nobody waits for them there.
    """

    def __init__(
        self,
        retire: Callable[[WorkerProcess], None],
        cap: int = 0,
        cap_wait: float = 2.0,
        spare: Lane | None = None,
    ) -> None:
        self.retire, self.cap, self.cap_wait, self.spare = retire, cap, cap_wait, spare
        self.idle: deque[WorkerProcess] = deque()
        self.waiting: dict[str | None, deque[asyncio.Future[WorkerProcess]]] = {}  # in turn order
        self.running: Counter[str | None] = Counter()
        self.borrowed: set[WorkerProcess] = set()  # taken from ``spare``, to go back there

    def add(self, worker: WorkerProcess) -> None:
        """A fresh worker, ready for the next turn."""
        self.idle.append(worker)
        self._dispatch()

    @asynccontextmanager
    async def turn(self, client: str | None, deadline: float) -> AsyncIterator[WorkerProcess]:
        """A worker for one query of ``client``, by ``deadline`` (the loop's clock), or QueryError
        (429: the client is at its cap; 503: every worker stayed busy). It comes back to the lane
        (or is retired) when the query is done."""
        loop = asyncio.get_running_loop()
        capped = bool(self.cap) and self.running[client] >= self.cap
        chance = loop.create_future()
        self.waiting.setdefault(client, deque()).append(chance)
        self._dispatch()
        if not chance.done():
            seconds = deadline - loop.time()
            until = min(deadline, loop.time() + self.cap_wait) if capped else deadline
            try:
                async with asyncio.timeout_at(until):
                    await chance
            except BaseException as err:
                self._give_up(client, chance)
                if not isinstance(err, TimeoutError):
                    raise
                if capped:
                    raise QueryError(
                        f"Too many queries at once from your address: at most {self.cap} may run at "
                        "the same time. Wait for one to finish, then try again.",
                        429,
                    ) from None
                raise QueryError(
                    f"Every query worker stayed busy for {seconds:.0f} s; try again later.", 503
                ) from None
        worker = chance.result()
        try:
            yield worker
        finally:
            self._hand_back(client, worker)

    def _hand_back(self, client: str | None, worker: WorkerProcess, unused: bool = False) -> None:
        """``client`` is done with ``worker``: it goes back to its lane's idle workers (first in line
        when ``unused``: it never ran the query), or is retired when it can no longer serve."""
        self.running[client] -= 1
        if not self.running[client]:
            del self.running[client]
        home = self.spare if worker in self.borrowed and self.spare is not None else self
        self.borrowed.discard(worker)
        if unused:
            home.idle.appendleft(worker)
        elif worker.usable:
            home.idle.append(worker)
        else:
            home.retire(worker)
        home._dispatch()
        self._dispatch()

    def _dispatch(self) -> None:
        """Give the idle workers (and the spare lane's, while nobody waits there) to the clients
        whose turn it is."""
        while self.waiting:
            spare = self.spare
            source = self if self.idle else spare if spare and spare.idle and not spare.waiting else None
            if source is None:
                return
            if not source.idle[0].usable:  # died while idle
                source.retire(source.idle.popleft())
                continue
            for client in self.waiting:
                if not self.cap or self.running[client] < self.cap:
                    break
            else:
                return  # every client waiting is at its cap
            queue = self.waiting.pop(client)
            chance = queue.popleft()
            if queue:
                self.waiting[client] = queue  # its next query waits for its next turn, behind the others
            if chance.done():  # given up (cancelled) a moment ago
                continue
            worker = source.idle.popleft()
            if source is not self:
                self.borrowed.add(worker)
            self.running[client] += 1
            chance.set_result(worker)

    def _give_up(self, client: str | None, chance: asyncio.Future[WorkerProcess]) -> None:
        """``client`` stopped waiting (time-out, cancelled): withdraw ``chance``, or hand back the
        worker it got meanwhile."""
        if chance.done() and not chance.cancelled():
            self._hand_back(client, chance.result(), unused=True)
            return
        chance.cancel()
        queue = self.waiting.get(client)
        if queue is not None and chance in queue:
            queue.remove(chance)
            if not queue:
                del self.waiting[client]
