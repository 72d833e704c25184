"""Has anything been committed to the store since the last look? Asked without a query of the store.

Theory of operation
-------------------
A live process must see what *other* processes write (tickets marked by ``consume`` or
``ingest --no-judge``, ``slaengine rejudge``, a new contract version, alerts another worker
queued) within a quarter of a second, and an idle process should cost about nothing. Until
issue 23 (round 2) the scheduler and the outbox each read the store four times a second to find
out; now one ``StoreWatch`` per store asks a question that costs microseconds and no store read —
*has a transaction that wrote committed since?* — and only when the answer is yes do its
subscribers (the scheduler's look, the outbox's dispatcher) read the store:

* **SQLite**: ``PRAGMA data_version`` on a connection of the watch's own. SQLite changes it
  whenever another connection (of this process or another) commits a change to the file, and
  never for a transaction that changed nothing (a look, an empty claim): exact, ~5 µs, no lock.
* **PostgreSQL**: ``pg_current_snapshot()`` on an autocommit connection of the watch's own. The
  text ``xmin:xmax:in-progress`` changes whenever a transaction that was given a transaction id
  (any that wrote, or locked a row) commits or aborts — its id leaves the in-progress list or
  moves ``xmax`` — and never for a read-only one: exact for this store's writes, ~30 µs and one
  round trip. It is cluster-wide, so other databases' writes make the watch say "changed" too:
  the subscribers then read as they did before (at most four times a second), never less often.

The watch's thread asks every ``EVERY`` seconds (0.25) and calls its subscribers once per
change. An answer it cannot get (the database away, a URL with no file behind it) counts as a
change, so the subscribers look as they always did and notice the outage themselves; the
connection is opened again at the next ask. The subscribers keep their own long safety nets (the
scheduler's ``--sweep``, the outbox's ``idle_wait``).

Transaction boundary: none. The watch's connection is in autocommit and never writes.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

logger = logging.getLogger("slaengine.watch")

#: Seconds between two asks (the longest another process's commit waits to be noticed).
EVERY = 0.25


class StoreWatch:
    """One thread that notices commits to the store and calls its subscribers (see the module
    doc). ``subscribe`` starts it; ``stop`` ends it and closes its connection."""

    def __init__(self, engine: Engine, every: float = EVERY) -> None:
        self.every = every
        self._dialect = engine.dialect.name
        if self._dialect == "sqlite":
            database = engine.url.database or ""
            self._target: str | None = database if database and database != ":memory:" else None
        else:
            self._target = engine.url.set(drivername="postgresql").render_as_string(
                hide_password=False
            )
        self._subscribers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Any = None
        self._last: object = None
        #: Asks made and changes seen (tests and benchmarks count them).
        self.asks = 0
        self.changes = 0

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (in the watch's thread) after each commit noticed; starts the
        thread on first use."""
        with self._lock:
            self._subscribers.append(callback)
            if self._thread is None and not self._stop.is_set():
                self._last = self._token()  # what is there now is what the subscriber reads
                self._thread = threading.Thread(
                    target=self._run, name="slaengine-store-watch", daemon=True
                )
                self._thread.start()

    def unsubscribe(self, callback: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._subscribers.remove(callback)

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
        self._thread = None
        self._close()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            token = self._token()
            self.asks += 1
            if token is not None and token == self._last:
                continue
            self._last = token
            self.changes += 1
            with self._lock:
                subscribers = list(self._subscribers)
            for callback in subscribers:
                try:
                    callback()
                except Exception:  # one subscriber's failure must not stop the others
                    logger.debug("a store watch subscriber failed", exc_info=True)

    def _token(self) -> object:
        """What changes with every commit that wrote; None when it cannot be told (a change)."""
        if self._target is None:
            return None
        try:
            if self._connection is None:
                self._connection = self._connect()
            if self._dialect == "sqlite":
                return self._connection.execute("PRAGMA data_version").fetchone()[0]
            return self._connection.execute("SELECT pg_current_snapshot()::text").fetchone()[0]
        except Exception:
            logger.debug("the store watch cannot ask the store", exc_info=True)
            self._close()
            return None

    def _connect(self) -> Any:
        assert self._target is not None
        if self._dialect == "sqlite":
            return sqlite3.connect(self._target, isolation_level=None, check_same_thread=False)
        import psycopg

        # A route that drops packets must not hold the watch (and every wake-up) for the
        # operating system's connect timeout.
        return psycopg.connect(self._target, autocommit=True, connect_timeout=5)

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
