"""The store: opening it (SQLite file or PostgreSQL URL), contract versions, and event intake.

``Store.open(url, clock)`` connects, runs the Alembic migrations, and hands out transactions
(``store.write()``). Writing goes through a few methods that keep the store's promises:

* ``load_contract`` keeps each changed contract file as the next version with its effective date;
  an unchanged file is a no-op. A new version marks the contract's open tickets ``dirty``, so the
  due pass re-judges them in the background (``/health`` shows how many are waiting).
* ``add_events`` stores events append-only under their idempotency key (unique (contract, id)):
  the same content again is a duplicate (a no-op), different content under a known id is a
  conflict and is rejected. Rejected input is stored with its line or index and the reason. The
  touched tickets are marked ``dirty`` (and due now) in the same transaction, so an accepted
  event is always evaluated, even if the process dies the moment after it answered. On
  PostgreSQL a ticket whose row another transaction holds (a due pass judging it) is not waited
  for: it is appended to ``ticket_marks`` in that transaction instead, and the due pass folds the
  marks into ``dirty`` before it claims (``fold_marks``), so storing never waits for judging. A
  contract-wide event marks only the tickets it can change: a force majeure those with a clock
  its interval overlaps (``dirty``, to be re-judged in the background; their deadlines keep
  their place); an inspection or a site violation none (they are contract duties). On
  PostgreSQL the same transaction sends ``NOTIFY slaengine_due`` (slaengine.store.wakeups), so
  a judge worker in another process starts its due pass at the commit.

A new contract version, a re-judge asked for and every stored ``breach_waived`` event append
their record to the audit trail (slaengine.audit.trail) in the same transaction, as its last
statement.

Deciding what the events mean is the core's job (slaengine.evaluate), called by the live
service (slaengine.service); this module never judges a clock.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: one writer at a time, waiting (not
failing) for the lock, and no read-then-write upgrade that SQLite would refuse as a deadlock.
On PostgreSQL, workers claim rows with ``FOR UPDATE SKIP LOCKED`` (see slaengine.service.due).

Where each part lives (``Store`` combines them; each module names its tables and the
transactions it opens):

* store/base.py — ``StoreBase``: the engine, the clock, ``write()``, the shared caches;
* store/versions.py — the contract versions (``load_contract``, ``mark_for_rejudge``, which
  version is in force when);
* store/events.py — event intake, the rejected input, reading events back;
* store/tickets.py — marking tickets to judge, ``ticket_marks``, claiming them for the due pass;
* this module — opening the store (``Store.open``, ``database_url``) and the planner's
  statistics (``refresh_statistics``).

A new aggregate (a table and what is done with it) is a new module with a mixin over
``StoreBase`` (copy store/tickets.py) added to ``Store``'s bases, or plain functions over a
session for what needs no store state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from slaengine.clock import Clock
from slaengine.errors import SlaError
from slaengine.store.base import StoreBase
from slaengine.store.events import AddResult, EventsMixin, decoded, event_of, ordered
from slaengine.store.migrate import MigrationError, upgrade
from slaengine.store.tickets import TicketsMixin, waiting
from slaengine.store.versions import (
    ContractVersionsMixin,
    LaterVersions,
    LoadResult,
    VersionInfo,
)

__all__ = [
    "AddResult",
    "LaterVersions",
    "LoadResult",
    "Store",
    "StoreBase",
    "StoreError",
    "VersionInfo",
    "database_url",
    "decoded",
    "event_of",
    "ordered",
    "waiting",
]


class StoreError(SlaError):
    """The store cannot be opened or used; the message says which URL and why."""


def database_url(text: str) -> str:
    """``--db``: a SQLAlchemy URL, or a plain path meaning a SQLite file."""
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_immediate(engine: Engine) -> None:
    """pysqlite's own transaction handling is replaced by BEGIN IMMEDIATE (see the module doc)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a transaction that committed (an event answered 2xx) survives power loss;
        # NORMAL in WAL mode may lose the last commits (docs/reliability.md).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Store(EventsMixin, TicketsMixin, ContractVersionsMixin):
    """The database the live service keeps its truth in."""

    @classmethod
    def open(cls, url: str, clock: Clock) -> Store:
        """Connect to ``url`` and bring its schema up to date."""
        url = database_url(url)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"--db {url!r} is not a database URL: {exc}") from None
        safe = parsed.render_as_string(hide_password=True)
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        elif parsed.get_backend_name() == "postgresql":
            kwargs["pool_pre_ping"] = True
        else:
            raise StoreError(
                f"--db {safe}: only SQLite (sqlite:///file.db or a path) and PostgreSQL "
                "(postgresql+psycopg://user@host/db) are supported"
            )
        try:
            engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # a missing driver, bad options: say which URL
            raise StoreError(f"--db {safe}: {exc}") from None
        if engine.dialect.name == "sqlite":
            _sqlite_immediate(engine)
        try:
            upgrade(engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the store {safe}: {exc.orig}") from None
        except MigrationError as exc:
            raise StoreError(f"cannot open the store {safe}: {exc}") from None
        return cls(engine, clock)

    def refresh_statistics(self, tables: Sequence[str] = ("events", "tickets", "clocks")) -> None:
        """Bring PostgreSQL's planner statistics of ``tables`` up to date (``ANALYZE``). After a
        bulk load they lag until autovacuum gets round to it, and in between the per-ticket
        reads were measured twice as slow at 200,000 events (docs/benchmarks.md); a plan the
        server cached while a table was small is planned again after it (``ANALYZE``
        invalidates it). ``slaengine ingest`` calls this after storing a large load, and for
        the judged rows' tables as they grow while it judges. SQLite: no-op (its planner needs
        no statistics for these reads)."""
        if not self.is_postgres:
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE " + ", ".join(tables))
            connection.commit()
