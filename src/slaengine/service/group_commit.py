"""Group commit: concurrent single-event requests stored in one transaction.

Theory of operation
-------------------
A help desk posts one event per request, and on PostgreSQL each transaction's commit is a disk
flush: one transaction per request caps intake at a few hundred events a second however many
clients post. ``GroupCommit`` puts every request in a queue; one thread takes what is waiting —
everything that arrived while the previous group was being written, or within ``WINDOW`` after
the first of an idle moment, at most ``LIMIT`` — and hands the group to the same intake as a
batch (``LiveService.ingest``: one transaction). Each request is answered only after that
transaction committed: its event is durable before its 2xx. In ``slaengine serve`` its ticket
is judged by the judge lane (the due pass, woken at the commit), not before the answer: an
answer costs one share of a commit, not an evaluation (slaengine.service.intake); a service
without a due pass of its own (a bare ``LiveService``) judges the group before answering.

The group is one batch, so its outcome is per position: an accepted event carries its position
as ``line``, a rejection as ``line``, and anything else was a duplicate — exactly what the same
event posted alone would have got (two requests with the same id in one group: the first is
stored, the second is its duplicate or its conflict). If the group's transaction fails, each
request is tried again alone, so one bad request never fails the others; a request whose own
transaction fails gets that error.

Each request names its source (``api`` for ``POST /events``, ``hook:NAME`` for a webhook), which
is recorded with the events it stores and the ones the intake refuses; a group holding requests
of several sources is written as one transaction per source.

A request waits without holding a thread: ``submit_async`` (the API's, on the event loop) awaits
a future that the writer thread resolves through ``loop.call_soon_threadsafe``; ``submit``
(callers on threads of their own) waits on a ``threading.Event``. Both queue the same
``_Waiting``, whose ``finish`` the writer calls once the outcome is set.

Transaction boundary: ``LiveService.ingest``'s, once per group.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from slaengine.events import Event, Rejected

if TYPE_CHECKING:
    from slaengine.service.intake import IngestOutcome


class Ingests(Protocol):
    """What a group commit needs of the live service (``LiveService.ingest``); named here so
    that group_commit does not import live.py, which imports it."""

    def ingest(
        self, offered: Iterable[tuple[int, Any]], source: str, *, keep_lines: bool = ...
    ) -> IngestOutcome: ...


logger = logging.getLogger("slaengine.service")

#: How long the first request of an idle moment waits for company (seconds).
WINDOW = 0.002
#: Requests stored in one transaction at most.
LIMIT = 500


@dataclass
class Single:
    """What became of one posted event."""

    accepted: Event | None = None
    rejected: Rejected | None = None

    @property
    def duplicate(self) -> bool:
        return self.accepted is None and self.rejected is None


@dataclass
class _Waiting:
    data: Any
    #: Called by the writer thread once ``outcome`` or ``error`` is set.
    finish: Callable[[], None]
    #: Where the event came from, recorded with it (``api``, ``hook:NAME``).
    source: str
    outcome: Single | None = None
    error: BaseException | None = None

    def result(self) -> Single:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # not cancelled meanwhile (the client went away)
        future.set_result(None)


def _wake(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    """Resolve ``future`` on its loop, from the writer thread."""
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_resolve, future)


class GroupCommit:
    """The queue and its one writer thread (started on first use, a daemon)."""

    def __init__(self, service: Ingests, source: str = "api") -> None:
        self.service = service
        self.source = source
        self._queue: queue.Queue[_Waiting] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        #: Groups written and requests in them (for benchmarks and /health).
        self.groups = 0
        self.requests = 0

    def submit(self, data: Any, source: str | None = None) -> Single:
        """Store one event with whatever else is arriving; returns once it is committed.
        ``source`` (default: this commit's) is recorded with the event or its refusal."""
        done = threading.Event()
        waiting = _Waiting(data, done.set, source or self.source)
        self._put(waiting)
        done.wait()
        return waiting.result()

    async def submit_async(self, data: Any, source: str | None = None) -> Single:
        """``submit`` for the event loop: awaits the commit without holding a thread."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiting = _Waiting(data, functools.partial(_wake, loop, future), source or self.source)
        self._put(waiting)
        await future
        return waiting.result()

    def _put(self, waiting: _Waiting) -> None:
        self._ensure_thread()
        self._queue.put(waiting)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="slaengine-group-commit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            if self._queue.empty():
                time.sleep(WINDOW)  # an idle moment: let the concurrent requests catch up
            while len(group) < LIMIT:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            sources = {item.source for item in group}
            if len(sources) == 1:
                self._write(group)
                continue
            for source in sorted(sources):  # one transaction per source
                self._write([item for item in group if item.source == source])

    def _write(self, group: list[_Waiting]) -> None:
        try:
            outcomes = self._ingest([item.data for item in group], group[0].source)
        except Exception as exc:
            if len(group) > 1:
                logger.warning("a group of %d events failed; one by one", len(group))
                for item in group:
                    self._write([item])
                return
            group[0].error = exc
            group[0].finish()
            return
        self.groups += 1
        self.requests += len(group)
        for item, outcome in zip(group, outcomes, strict=True):
            item.outcome = outcome
            item.finish()

    def _ingest(self, datas: list[Any], source: str) -> list[Single]:
        outcome = self.service.ingest(list(enumerate(datas)), source, keep_lines=False)
        singles = [Single() for _ in datas]
        for event in outcome.added.accepted:
            if event.line is not None:
                singles[event.line].accepted = event
        for rejected in outcome.added.rejected:
            if rejected.line is not None:
                singles[rejected.line].rejected = rejected
        return singles
