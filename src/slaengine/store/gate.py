"""The writer gate: on SQLite, the service's own writers queue in the process, urgent ones first.

Theory of operation
-------------------
SQLite has one writer at a time. Left to SQLite, the threads of one process that want to write
(the web server's threads storing batches, the due pass, the outbox) each retry its lock
until it is free, in no order: under a stream of batches the due pass could wait for many of
them, and a breach would be raised seconds late. So every write transaction of the process first
passes this gate, which lets one through at a time and an *urgent* one (the due pass, escalation,
the duties, alert delivery: ``Store.write(urgent=True)``) before any ordinary one that is waiting.
A breach then waits for at most the one transaction in progress. Re-entrant per thread (a
transaction opened inside another of the same thread passes at once). Other processes (``slaengine
ingest`` beside ``serve``) still meet at SQLite's own lock. PostgreSQL needs no gate: writers of
different rows run side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriterGate:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._urgent_waiting = 0

    @contextmanager
    def passage(self, urgent: bool) -> Iterator[None]:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
            else:
                if urgent:
                    self._urgent_waiting += 1
                try:
                    self._condition.wait_for(
                        lambda: self._owner is None and (urgent or self._urgent_waiting == 0)
                    )
                finally:
                    if urgent:
                        self._urgent_waiting -= 1
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._condition:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._condition.notify_all()
