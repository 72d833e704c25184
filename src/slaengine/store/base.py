"""The store's base: the engine, the clock, transactions, and what every aggregate shares.

``StoreBase`` holds the connection (``engine``; ``sessions()`` opens a read session), the clock,
and the caches the aggregates keep (compiled contract versions, decoded force-majeure events);
the aggregates (store/versions.py, store/tickets.py, store/events.py) are mixins over it and
``Store`` (store/repository.py) combines them.

Tables: none of its own. Transactions: ``write()`` opens every write transaction of the
aggregates. On SQLite every transaction starts with ``BEGIN IMMEDIATE`` (store/repository.py):
one writer at a time, waiting (not failing) for the lock, and no read-then-write upgrade that
SQLite would refuse as a deadlock; the process's writer gate (slaengine.store.gate) lets
``urgent`` writers go first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Engine, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from slaengine.clock import Clock
from slaengine.evaluate import Context
from slaengine.events import Event
from slaengine.store import wakeups
from slaengine.store.gate import WriterGate
from slaengine.store.models import ContractVersion
from slaengine.store.watch import StoreWatch

#: Values in one ``IN (...)`` list or one multi-row statement (well under SQLite's limit).
_IN_CHUNK = 500


class StoreBase:
    """The database the live service keeps its truth in: its connection and transactions."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._contexts: dict[int, Context] = {}
        self._dated: dict[tuple[int, date], Context] = {}
        self._contexts_lock = threading.Lock()
        self._versions: dict[str, tuple[float, list[ContractVersion]]] = {}
        self._gate = WriterGate() if engine.dialect.name == "sqlite" else None
        #: Force-majeure events decoded, by seq (``batch_events``).
        self._wide_cache: dict[int, Event] = {}
        self._channel: str | None = None
        self._watch: StoreWatch | None = None
        self._watch_lock = threading.Lock()

    @property
    def watch(self) -> StoreWatch:
        """The process's watch for commits to this store (slaengine.store.watch): the
        scheduler's look and the outbox's dispatcher read the store only after one."""
        with self._watch_lock:
            if self._watch is None:
                self._watch = StoreWatch(self.engine)
            return self._watch

    def wake_channel(self, session: Session) -> str:
        """PostgreSQL: the channel judge workers of this store listen on (its schema's; read
        once)."""
        if self._channel is None:
            self._channel = wakeups.channel_in(session)
        return self._channel

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        with self._watch_lock:
            watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
        self.engine.dispose()

    @contextmanager
    def write(self, urgent: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises. On SQLite it
        first passes the process's writer gate (slaengine.store.gate): ``urgent`` writers —
        breach detection and alert delivery — go before the ordinary ones waiting."""
        if self._gate is None:
            with self.sessions.begin() as session:
                yield session
            return
        with self._gate.passage(urgent), self.sessions.begin() as session:
            yield session

    def among(self, column: Any, values: Sequence[Any]) -> Any:
        """``column`` is one of ``values``: on PostgreSQL ``= ANY(:array)`` (one parameter, one
        statement text whatever the count), elsewhere ``IN (...)``."""
        if self.is_postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return column.in_(list(values))


def _pg_execute(session: Session, sql: str, parameters: Sequence[Any]) -> list[Any]:
    """``sql`` with psycopg's own placeholders, in the session's transaction; the rows it
    returned (none for a statement without RETURNING)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall()) if cursor.description is not None else []
    finally:
        cursor.close()
