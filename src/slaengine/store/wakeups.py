"""Cross-process wake-ups on PostgreSQL: intake says "something is due now", a judge hears it.

Theory of operation
-------------------
When the judge lane runs in a process of its own (``slaengine judge`` beside ``slaengine serve
--no-judge``, or beside ``consume --no-judge``), the process that stores events cannot wake the
due pass by an in-process signal. On PostgreSQL the transaction that stores events also sends
``NOTIFY slaengine_due`` (``notify``, called by ``Store.add_events`` inside its transaction):
PostgreSQL delivers it to every listener when, and only if, the transaction commits, and folds
the notifications of one transaction into one. A ``Listener`` holds one connection of its own in
``LISTEN slaengine_due`` and, in a thread of its own that sleeps on the connection's socket (it
does not poll: psycopg's ``notifies(timeout=...)`` would wake ten times a second), calls its
callback for every notification (the scheduler's ``DueScheduler.due_now``): the pass starts
within milliseconds of the commit.
A transaction that stored an event without a ticket (an inspection, a replaced part) says so in
the payload (``DUTIES``), and the listener calls its ``duties`` callback first
(``LiveService.duties_now``), so the judge's duties pass runs in that same pass.
Channels are scoped to a database by PostgreSQL itself; a store kept in a schema of its own
(``options=-csearch_path=...`` in the URL) gets a channel of its own too (``channel_of``), so two
stores never wake each other's judges.

A lost connection (the database restarted) is logged once and reopened every
``RECONNECT_EVERY`` seconds; after a reconnect the callback is called once, since a notification
sent meanwhile was lost — the due pass then reads the store, which is the truth. SQLite has no
such channel: there the store's watch (slaengine.store.watch) notices another process's commit
and the scheduler's look at the store's earliest due time finds the work (slaengine.scheduler).

Transaction boundary: ``notify`` runs inside the caller's transaction; the listener's connection
is in autocommit and never writes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

logger = logging.getLogger("slaengine.wakeups")

#: The channel intake notifies and judge workers listen on (scoped to the database by PostgreSQL;
#: a store in a schema other than ``public`` adds the schema's name, see ``channel_of``).
CHANNEL = "slaengine_due"
#: The payload of a transaction that stored an event without a ticket (the duties are due).
DUTIES = "duties"
#: Seconds between attempts to reopen a lost listening connection.
RECONNECT_EVERY = 0.5
#: Seconds a listener's thread sleeps on its connection's socket when nothing arrives (``stop``
#: wakes it at once, through a pipe): it waits for the server, it does not poll it.
_IDLE = 30.0


def channel_of(schema: str) -> str:
    """The store's channel: ``slaengine_due``, or ``slaengine_due_SCHEMA`` for a store kept in a
    schema other than ``public`` (at most 63 characters, PostgreSQL's limit)."""
    return CHANNEL if schema == "public" else f"{CHANNEL}_{schema}"[:63]


def channel_in(session: Session) -> str:
    """The channel of the store ``session`` works in (its current schema)."""
    return channel_of(str(session.scalar(select(func.current_schema()))))


def notify(session: Session, channel: str, payload: str = "") -> None:
    """Queue the wake-up in ``session``'s transaction (PostgreSQL sends it at the commit).
    Sent on the driver's cursor: once per stored group of events, nothing to compile."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute("SELECT pg_notify(%s, %s)", (channel, payload))
    finally:
        cursor.close()


class Listener:
    """``LISTEN slaengine_due`` on a connection of its own; ``wake`` is called per notification
    (several arriving together make one call)."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        wake: Callable[[], None],
        duties: Callable[[], None] | None = None,
    ) -> None:
        self.channel = channel
        self._duties = duties
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Any = None
        #: ``stop`` writes to it, so the thread's wait on the socket ends at once.
        self._waker: tuple[int, int] | None = None
        #: Notifications heard (for tests and the logs).
        self.heard = 0

    def start(self) -> None:
        """Open the listening connection (an error here is the caller's: a bad store) and start
        the thread."""
        self._connection = self._connect()
        self._waker = os.pipe()
        self._thread = threading.Thread(target=self._run, name="slaengine-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._waker is not None:
            with contextlib.suppress(OSError):
                os.write(self._waker[1], b"x")
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already gone
                self._connection.close()
            self._connection = None
        if self._waker is not None:
            for end in self._waker:
                with contextlib.suppress(OSError):
                    os.close(end)
            self._waker = None

    def _wait(self) -> list[Any]:
        """The notifications that arrived, after sleeping on the connection's socket until the
        server sends something (or ``stop``, or ``_IDLE`` seconds): psycopg's own
        ``notifies(timeout=...)`` would wake ten times a second to look for a Ctrl-C."""
        assert self._waker is not None
        # What psycopg has already read off the socket (a notification that came with the
        # answer to LISTEN) would not wake the wait below.
        kept = list(self._connection.notifies(timeout=0))
        if kept:
            return kept
        # selectors (epoll here), not select.select, which refuses a descriptor of 1024 or more.
        with selectors.DefaultSelector() as selector:
            selector.register(self._connection.fileno(), selectors.EVENT_READ)
            selector.register(self._waker[0], selectors.EVENT_READ)
            ready = selector.select(_IDLE)
        if self._stop.is_set() or not ready:
            return []
        # What the server sent: notifications (several in one packet make one wake-up), or an
        # end of file that ``notifies`` raises as a lost connection.
        return list(self._connection.notifies(timeout=0))

    def _connect(self) -> Any:
        import psycopg

        connection = psycopg.connect(self._url, autocommit=True)
        connection.execute(f'LISTEN "{self.channel}"')
        return connection

    def _run(self) -> None:
        lost = False
        while not self._stop.is_set():
            try:
                if self._connection is None:
                    self._connection = self._connect()
                    if lost:
                        logger.warning("listening for %s again", self.channel)
                    lost = False
                    if self._duties is not None:
                        self._duties()
                    self._wake()  # what was notified while away is in the store
                heard = self._wait()
                if heard:
                    self.heard += len(heard)
                    if self._duties is not None and any(n.payload == DUTIES for n in heard):
                        self._duties()
                    self._wake()
            except Exception:
                if self._stop.is_set():
                    return
                if not lost:
                    logger.exception(
                        "lost the connection listening for %s; reopening every %s s",
                        self.channel,
                        RECONNECT_EVERY,
                    )
                lost = True
                if self._connection is not None:
                    with contextlib.suppress(Exception):
                        self._connection.close()
                self._connection = None
                self._stop.wait(RECONNECT_EVERY)
