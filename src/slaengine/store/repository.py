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
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import (
    ColumnElement,
    Engine,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from slaengine.audit import trail
from slaengine.clock import Clock
from slaengine.contract import Contract, contract_fingerprint, parse_contract
from slaengine.contract.versions import default_effective
from slaengine.errors import EventError, SlaError
from slaengine.evaluate import Context
from slaengine.events import BLANK, Event, Rejected, decode_line, parse_event, parse_time
from slaengine.store import limits, wakeups
from slaengine.store.gate import WriterGate
from slaengine.store.migrate import MigrationError, upgrade
from slaengine.store.models import (
    Breach,
    ContractVersion,
    RejectedInput,
    StoredClock,
    StoredEvent,
    Ticket,
    TicketMark,
)

#: How long the versions of a contract are read from memory before the store is asked again.
_VERSIONS_TTL = 1.0

#: Where the store lives when no --db is given.


def _in_force_on(rows: list[ContractVersion], day: date) -> ContractVersion:
    """The one rule of which stored version is in force on ``day`` (``version_in_effect`` and
    ``versions_in_force`` both ask it): the newest version effective by then; before any is,
    the first stored."""
    in_effect = [row for row in rows if row.effective_from <= day]
    return in_effect[-1] if in_effect else rows[0]


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


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A stored contract version, as the API and CLI show it."""

    contract: str
    version: int
    declared_version: int
    fingerprint: str
    effective_from: date
    loaded_at: datetime
    path: str

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "version": self.version,
            "declared_version": self.declared_version,
            "fingerprint": self.fingerprint,
            "effective_from": self.effective_from.isoformat(),
            "loaded_at": self.loaded_at.isoformat(),
            "path": self.path,
        }

    @classmethod
    def of(cls, row: ContractVersion) -> VersionInfo:
        return cls(
            row.contract,
            row.version,
            row.declared_version,
            row.fingerprint,
            row.effective_from,
            row.loaded_at,
            row.path,
        )


@dataclass(frozen=True, slots=True)
class LoadResult:
    version: VersionInfo
    changed: bool


@dataclass(frozen=True, slots=True)
class LaterVersions:
    """The stored versions that amend a contract file (``Store.later_versions``)."""

    #: The stored version whose text is the file's (by fingerprint); None when it is not stored.
    matched: VersionInfo | None
    #: Every stored version of the contract, in the order they were loaded.
    stored: list[VersionInfo]
    #: The versions used as amendments, each with its contract dated with the store's
    #: effective day, in the order they come into force.
    used: list[tuple[VersionInfo, Contract]]


@dataclass
class Prepared:
    """Offered items parsed for ``add_events`` (``Store.prepare_events``), not yet stored."""

    #: (position, the rejection or the parsed event, the contract a rejection names).
    items: list[tuple[int, Rejected | Event, str | None]]
    #: The text of each raw item, kept with a rejection for a conflicting duplicate too.
    texts: dict[int, str]
    #: Each parsed event's fingerprint, by its position.
    prints: dict[int, str]


@dataclass
class AddResult:
    """What ``add_events`` did with each offered event."""

    accepted: list[Event] = field(default_factory=list)
    duplicates: int = 0
    #: (line or index, the rejection).
    rejected: list[Rejected] = field(default_factory=list)
    #: (contract, ticket) pairs whose evaluation is due now.
    tickets: set[tuple[str, str]] = field(default_factory=set)
    #: Tickets a contract-wide event may change, marked due for the due pass (not evaluated
    #: by the caller: a force majeure can touch every running clock of the contract).
    marked: int = 0


class Store:
    """The database the live service keeps its truth in."""

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

    # -- contract versions -------------------------------------------------------------------

    def load_contract(
        self,
        text: str,
        path: Path,
        effective: date | None = None,
        actor: trail.Actor | None = None,
    ) -> LoadResult:
        """Keep the contract file ``text`` as a new version, unless it is unchanged; a new
        version is recorded in the audit trail as ``actor``'s (default: the OS user)."""
        contract = parse_contract(text, path)
        try:
            return self._keep_version(contract, text, path, effective, actor)
        except IntegrityError:
            # Another process stored a version at the same moment (two workers starting with
            # the same --contract): look again; it is most likely this very file.
            return self._keep_version(contract, text, path, effective, actor)

    def _keep_version(
        self,
        contract: Contract,
        text: str,
        path: Path,
        effective: date | None,
        actor: trail.Actor | None = None,
    ) -> LoadResult:
        fingerprint = contract_fingerprint(contract)
        now = self.clock.now()
        with self.write() as session:
            latest = session.scalars(
                select(ContractVersion)
                .where(ContractVersion.contract == contract.id)
                .order_by(ContractVersion.version.desc())
                .limit(1)
                .with_for_update()
            ).first()
            if latest is not None and latest.fingerprint == fingerprint:
                return LoadResult(VersionInfo.of(latest), changed=False)
            if effective is None:
                effective = default_effective(
                    contract,
                    first=latest is None,
                    today=now.astimezone(ZoneInfo(contract.timezone)).date(),
                )
            row = ContractVersion(
                contract=contract.id,
                version=(latest.version + 1) if latest is not None else 1,
                declared_version=contract.version,
                fingerprint=fingerprint,
                source=text,
                path=str(path),
                effective_from=effective,
                loaded_at=now,
            )
            session.add(row)
            session.flush()
            with self._contexts_lock:
                self._versions.clear()
            if latest is not None:
                # Tickets are evaluated under the version in effect for them, and each line is
                # priced under the version in force when its breach began. Judged again by the
                # due pass, in the background: the open ones (something still due), and every
                # ticket — closed ones included — with a clock or breach whose deadline is on or
                # after the day the new version takes effect (its lines may change price). A
                # closed ticket with nothing that late is judged when it is next evaluated (a
                # new event, a re-judge on demand).
                since = datetime.combine(effective, dt_time(0), ZoneInfo(contract.timezone))
                reached = select(StoredClock.ticket).where(
                    StoredClock.contract == contract.id, StoredClock.deadline >= since
                )
                breached = select(Breach.ticket).where(
                    Breach.contract == contract.id,
                    Breach.kind == "clock",
                    Breach.deadline >= since,
                )
                session.execute(
                    update(Ticket)
                    .where(
                        Ticket.contract == contract.id,
                        Ticket.next_due.is_not(None)
                        | Ticket.ticket.in_(reached)
                        | Ticket.ticket.in_(breached),
                    )
                    .values(dirty=True)
                )
            trail.append(
                session,
                actor or trail.cli_actor(),
                "contract_amended" if latest is not None else "contract_loaded",
                now,
                contract=contract.id,
                subject=f"version {row.version}",
                details={
                    "version": row.version,
                    "declared_version": row.declared_version,
                    "fingerprint": fingerprint,
                    "effective_from": effective,
                    "path": str(path),
                },
            )
            return LoadResult(VersionInfo.of(row), changed=True)

    def mark_for_rejudge(
        self,
        contract: str,
        closed: bool = False,
        since: date | None = None,
        actor: trail.Actor | None = None,
    ) -> int | None:
        """Mark the contract's tickets ``dirty`` for the due pass's background lane to judge
        again under the version in effect for each (a re-judge on demand, after a new version):
        the open ones (something still due), and with ``closed`` the closed ones too; with
        ``since``, only tickets with a clock started on or after that day (the contract's time
        zone). Their ``next_due`` is left alone, so deadlines keep their place. The number
        marked, or None when the contract is not loaded. One transaction, with its audit
        record (``actor``'s; default: the OS user)."""
        with self.write() as session:
            newest = self.version_in_effect(session, contract, None)
            if newest is None:
                return None
            query = update(Ticket).where(Ticket.contract == contract)
            if not closed:
                query = query.where(Ticket.next_due.is_not(None))
            if since is not None:
                zone = ZoneInfo(self.context(newest).contract.timezone)
                start = datetime(since.year, since.month, since.day, tzinfo=zone)
                started = select(StoredClock.ticket).where(
                    StoredClock.contract == contract, StoredClock.started_at >= start
                )
                query = query.where(Ticket.ticket.in_(started))
            marked = session.execute(
                query.values(dirty=True).execution_options(synchronize_session=False)
            )
            count = int(getattr(marked, "rowcount", 0) or 0)
            trail.append(
                session,
                actor or trail.cli_actor(),
                "rejudge",
                self.clock.now(),
                contract=contract,
                subject="closed and open tickets" if closed else "open tickets",
                details={"closed": closed, "since": since, "marked": count},
            )
            return count

    def versions(self, session: Session, contract: str | None = None) -> list[ContractVersion]:
        query = select(ContractVersion).order_by(ContractVersion.contract, ContractVersion.version)
        if contract is not None:
            query = query.where(ContractVersion.contract == contract)
        return list(session.scalars(query))

    def _cached_versions(self, session: Session, contract: str) -> list[ContractVersion]:
        """The contract's versions, read at most once a second: every ticket evaluation needs
        them, and a version another process stores is then seen within a second."""
        now = time.monotonic()
        with self._contexts_lock:
            cached = self._versions.get(contract)
        if cached is not None and now - cached[0] < _VERSIONS_TTL:
            return cached[1]
        rows = self.versions(session, contract)
        # Cached rows must not belong to ``session``: if it rolls back it would expire them,
        # and the next request reading them from the cache would fail (DetachedInstanceError).
        for row in rows:
            session.expunge(row)
        with self._contexts_lock:
            self._versions[contract] = (now, rows)
        return rows

    def forget_versions(self) -> None:
        """Read the contract versions afresh at their next use (a batch of tickets about to be
        judged: the version another process loaded a moment ago, and the tickets it marked for
        re-judging, must be seen together, not a second apart)."""
        with self._contexts_lock:
            self._versions.clear()

    def context(self, row: ContractVersion) -> Context:
        """The compiled contract of a stored version (compiled once per process)."""
        with self._contexts_lock:
            found = self._contexts.get(row.id)
            if found is None:
                found = Context(parse_contract(row.source, Path(row.path)))
                self._contexts[row.id] = found
            return found

    def versions_in_force(self, session: Session, contract: str) -> list[Context]:
        """The contexts of the contract's versions in the order they came into force, each
        dated with the day it did, for pricing each penalty line under the version in force
        when its breach began (slaengine.contract.versions); empty when one version governs
        throughout. Which version is in force on a day is ``version_in_effect``'s answer (the
        newest stored version effective by then); each context is the stored version's, its
        contract's ``effective_from`` and ``version`` set to that day and the store's number."""
        rows = self._cached_versions(session, contract)
        if len(rows) < 2:
            return []
        days = sorted({row.effective_from for row in rows})
        # Before the earliest effective day the first version is in force (``_in_force_on``),
        # even when a later version is the one effective earliest: dated the day before.
        chosen: list[tuple[date, ContractVersion]] = []
        for day in [days[0] - timedelta(days=1), *days]:
            row = _in_force_on(rows, day)
            if not chosen or chosen[-1][1].id != row.id:
                chosen.append((day, row))
        if len(chosen) < 2:
            return []
        return [self._dated_context(row, day) for day, row in chosen]

    def later_versions(self, contract: Contract) -> LaterVersions:
        """The stored versions that amend ``contract`` (a file given to replay or statement
        with ``--db``), for judging the stored events as the live service does.

        Those loaded after the stored version whose fingerprint is the file's (the last such);
        when the file was never stored, those effective after its effective date with a higher
        declared version (an edited copy of a stored version amends nothing). Of them, each
        effective day takes the version ``_in_force_on`` picks (the newest stored effective by
        then), so a version superseded before it took effect is left out. Each contract's
        ``effective_from`` is the stored one (an amendment loaded without a date is in force
        from the day it was loaded). One read transaction."""
        fingerprint = contract_fingerprint(contract)
        with self.sessions() as session:
            rows = self.versions(session, contract.id)
        matches = [i for i, row in enumerate(rows) if row.fingerprint == fingerprint]
        if matches:
            later = rows[matches[-1] + 1 :]
        else:
            later = [
                row
                for row in rows
                if row.effective_from > contract.effective
                and row.declared_version > contract.version
            ]
        chosen: list[ContractVersion] = []
        for day in sorted({row.effective_from for row in later}):
            row = _in_force_on(later, day)
            if not chosen or chosen[-1].id != row.id:
                chosen.append(row)
        used = [
            (
                VersionInfo.of(row),
                parse_contract(row.source, Path(row.path)).model_copy(
                    update={"effective_from": row.effective_from}
                ),
            )
            for row in chosen
        ]
        return LaterVersions(
            VersionInfo.of(rows[matches[-1]]) if matches else None,
            [VersionInfo.of(row) for row in rows],
            used,
        )

    def _dated_context(self, row: ContractVersion, day: date) -> Context:
        base = self.context(row)
        with self._contexts_lock:
            found = self._dated.get((row.id, day))
            if found is None:
                # The compiled rules and calendars are the version's own; only its dates differ.
                found = copy.copy(base)
                found.contract = base.contract.model_copy(
                    update={"effective_from": day, "version": row.version}
                )
                self._dated[(row.id, day)] = found
            return found

    def version_in_effect(
        self, session: Session, contract: str, on: datetime | None
    ) -> ContractVersion | None:
        """The version in effect at ``on`` (the latest effective by then; else the first);
        with ``on`` None, the newest version."""
        rows = self._cached_versions(session, contract)
        if not rows:
            return None
        if on is None:
            return rows[-1]
        zone = ZoneInfo(self.context(rows[-1]).contract.timezone)
        return _in_force_on(rows, on.astimezone(zone).date())

    # -- events ------------------------------------------------------------------------------

    def add_events(
        self,
        offered: Iterable[tuple[int, Any]],
        source: str,
        raw: bool = False,
        blank: str | None = None,
        keep_lines: bool = True,
    ) -> AddResult:
        """Store events, each with its line (file), index (API batch) or stream sequence (a
        message bus); see the module doc.

        With ``raw`` the items are JSON text lines, otherwise decoded JSON values. A blank line
        is skipped, unless ``blank`` gives the reason to reject it with (a blank message on a
        bus is not "nothing": it was sent as an event). Without ``keep_lines`` the rejected rows
        are stored with no line (requests grouped by the group commit each had one event).

        The valid events are inserted with multi-row ``INSERT ... ON CONFLICT DO NOTHING``
        statements (one statement, compiled once, sent as an executemany), ``_IN_CHUNK`` rows
        each, in arrival order, so ``seq`` follows it; each that was not inserted is then a
        duplicate or a conflict exactly as if the events had been stored one by one: compared
        with what the store holds under its id (an earlier event of the same batch included).
        """
        now = self.clock.now()
        with self.write() as session:
            prepared = self.prepare_events(session, offered, raw, blank)
            return self._store_prepared(session, prepared, source, now, keep_lines)

    def add_prepared(self, prepared: Prepared, source: str) -> AddResult:
        """``add_events`` of items ``prepare_events`` parsed (in another process, say)."""
        now = self.clock.now()
        with self.write() as session:
            return self._store_prepared(session, prepared, source, now, True)

    def prepare_events(
        self,
        session: Session,
        offered: Iterable[tuple[int, Any]],
        raw: bool = False,
        blank: str | None = None,
    ) -> Prepared:
        """The first half of ``add_events``: each offered item decoded, checked and parsed (a
        rejection or an event), with its fingerprint; nothing is written (``session`` reads
        the contract versions)."""
        contexts: dict[str, Contract | None] = {}
        #: (position, the rejection, its contract) or (position, the parsed event, None).
        items: list[tuple[int, Rejected | Event, str | None]] = []
        #: The text of each raw item, kept with a rejection for a conflicting duplicate too.
        texts: dict[int, str] = {}
        for position, item in offered:
            data, text = item, None
            if raw:
                data = decode_line(item, position)
                if data is BLANK and blank is not None:
                    data = Rejected(blank, position, raw="")
                if data is BLANK:
                    continue
                if isinstance(data, Rejected):
                    items.append((position, data, None))
                    continue
                text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
                text = text.strip()
                texts[position] = text
            outcome = self._parse_one(session, contexts, data, position)
            if isinstance(outcome, Rejected):
                if text is not None and outcome.raw is None:
                    outcome = Rejected(
                        outcome.error, outcome.line, outcome.id, outcome.ticket, text
                    )
                contract_id = data.get("contract") if isinstance(data, dict) else None
                items.append(
                    (position, outcome, contract_id if isinstance(contract_id, str) else None)
                )
            else:
                items.append((position, outcome, None))
        #: Each parsed event's fingerprint, by its position (worked out once).
        prints = {
            position: outcome.fingerprint()
            for position, outcome, _ in items
            if isinstance(outcome, Event)
        }
        return Prepared(items, texts, prints)

    def _store_prepared(
        self, session: Session, prepared: Prepared, source: str, now: datetime, keep_lines: bool
    ) -> AddResult:
        """The second half of ``add_events``: the prepared items stored, in ``session``."""
        result = AddResult()
        items, texts, prints = prepared.items, prepared.texts, prepared.prints
        parsed = [
            (outcome, prints[position])
            for position, outcome, _ in items
            if isinstance(outcome, Event)
        ]
        seqs, held = self._insert_events(session, parsed, source, now)
        for position, outcome, contract_id in items:
            if isinstance(outcome, Rejected):
                self._reject(session, result, outcome, contract_id, source, now, keep_lines)
                continue
            key = (outcome.contract, outcome.id)
            fingerprint = prints[position]
            seq = seqs.pop(key, None)
            if seq is not None:  # stored now (the first of the batch under its id)
                held[key] = fingerprint
                accepted = Event(
                    outcome.id,
                    outcome.contract,
                    outcome.type,
                    outcome.at,
                    outcome.ticket,
                    outcome.severity,
                    outcome.asset,
                    outcome.attrs,
                    seq,
                    position,
                )
                result.accepted.append(accepted)
                if accepted.ticket is not None:
                    result.tickets.add((accepted.contract, accepted.ticket))
            elif held.get(key) == fingerprint:
                result.duplicates += 1
            else:
                self._reject(
                    session,
                    result,
                    Rejected(
                        f"id: {outcome.id!r} was already accepted with different content "
                        "(conflicting duplicate; send a new id for a new event)",
                        position,
                        outcome.id,
                        outcome.ticket,
                        texts.get(position),
                    ),
                    None,
                    source,
                    now,
                    keep_lines,
                )
        # A ticket row is locked by marking it dirty; always in the same order, so two
        # batches never wait for each other in a circle.
        self._mark_dirty(session, sorted(result.tickets), now)
        for accepted in result.accepted:
            if accepted.ticket is None and accepted.type == "force_majeure":
                result.marked += self._mark_overlapping(session, accepted, now)
        trail.record_waivers(session, result.accepted, source, now)
        if result.accepted and self.is_postgres:
            # A judge worker in another process starts its due pass at the commit
            # (slaengine.store.wakeups); one notification per transaction.
            wide = any(event.ticket is None for event in result.accepted)
            wakeups.notify(session, self.wake_channel(session), wakeups.DUTIES if wide else "")
        return result

    def _mark_overlapping(self, session: Session, wide: Event, now: datetime) -> int:
        """Mark for re-judging the tickets with a clock the force majeure ``wide`` overlaps
        (started before it ends, not stopped or cancelled before it began); the number marked.
        Only those can change: excused time counts for the clocks it overlaps and no others.
        They are marked ``dirty`` with their ``next_due`` left alone: the due pass re-judges
        them in the background, after the deadlines that are due (slaengine.service.due)."""
        until = parse_time(wide.attrs["until"], "attrs.until")
        overlapping = (
            select(StoredClock.ticket)
            .where(
                StoredClock.contract == wide.contract,
                StoredClock.started_at < until,
                (StoredClock.stopped_at.is_(None)) | (StoredClock.stopped_at > wide.at),
                (StoredClock.cancelled_at.is_(None)) | (StoredClock.cancelled_at > wide.at),
            )
            .distinct()
        )
        marked = session.execute(
            update(Ticket)
            .where(Ticket.contract == wide.contract, Ticket.ticket.in_(overlapping))
            .values(dirty=True)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(marked, "rowcount", 0) or 0)

    def _insert_events(
        self, session: Session, events: list[tuple[Event, str]], source: str, now: datetime
    ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        """Insert the events (each with its fingerprint) not yet stored under their (contract,
        id), first occurrence in the batch only, in order. Returns the ``seq`` of each inserted,
        and the fingerprint the store already held under each id that was not."""
        first: dict[tuple[str, str], tuple[Event, str]] = {}
        for each in events:
            first.setdefault((each[0].contract, each[0].id), each)
        rows = list(first.values())
        if self.is_postgres:
            seqs = self._insert_events_postgres(session, rows, source, now)
        else:
            seqs = self._insert_events_sqlite(session, rows, source, now)
        missing = sorted(key for key in first if key not in seqs)
        return seqs, self._held_fingerprints(session, missing)

    def _insert_events_postgres(
        self, session: Session, rows: list[tuple[Event, str]], source: str, now: datetime
    ) -> dict[tuple[str, str], int]:
        """One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING`` for
        the whole batch: seven array parameters, one round trip, a statement text that does not
        grow with the batch (a multi-row VALUES list of thousands of parameters costs the
        driver more to convert than the database to insert). ``ORDER BY`` the batch position,
        so ``seq`` follows the arrival order."""
        if not rows:
            return {}
        columns: list[list[Any]] = [[], [], [], [], [], [], []]
        for row, fingerprint in rows:
            columns[0].append(row.contract)
            columns[1].append(row.id)
            columns[2].append(row.ticket)
            columns[3].append(row.type)
            columns[4].append(row.at)
            columns[5].append(_body(row))
            columns[6].append(fingerprint)
        found = _pg_execute(session, _PG_INSERT_EVENTS, [source, now, *columns])
        return {(contract, event_id): seq for contract, event_id, seq in found}

    def _insert_events_sqlite(
        self, session: Session, rows: list[tuple[Event, str]], source: str, now: datetime
    ) -> dict[tuple[str, str], int]:
        """Multi-row ``INSERT ... ON CONFLICT DO NOTHING`` statements (one statement, compiled
        once, sent as an executemany), ``_IN_CHUNK`` rows each, in arrival order."""
        seqs: dict[tuple[str, str], int] = {}
        statement = (
            sqlite.insert(StoredEvent)
            .on_conflict_do_nothing(index_elements=["contract", "event_id"])
            .returning(StoredEvent.contract, StoredEvent.event_id, StoredEvent.seq)
        )
        connection = session.connection()
        for start in range(0, len(rows), _IN_CHUNK):
            values = [
                {
                    "contract": row.contract,
                    "event_id": row.id,
                    "ticket": row.ticket,
                    "type": row.type,
                    "at": row.at,
                    "body": _body(row),
                    "fingerprint": fingerprint,
                    "source": source,
                    "received_at": now,
                }
                for row, fingerprint in rows[start : start + _IN_CHUNK]
            ]
            for contract, event_id, seq in connection.execute(statement, values):
                seqs[(contract, event_id)] = seq
        return seqs

    def _held_fingerprints(
        self, session: Session, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The fingerprint the store holds under each (contract, id) of ``keys`` (sorted):
        one ``= ANY(array)`` lookup per contract on PostgreSQL, ``IN`` lists on SQLite."""
        held: dict[tuple[str, str], str] = {}
        for contract, group in groupby(keys, key=lambda key: key[0]):
            ids = [event_id for _, event_id in group]
            if self.is_postgres:
                found = _pg_execute(session, _PG_HELD, [contract, ids])
                for event_id, fingerprint in found:
                    held[(contract, event_id)] = fingerprint
                continue
            for start in range(0, len(ids), _IN_CHUNK):
                for event_id, fingerprint in session.execute(
                    select(StoredEvent.event_id, StoredEvent.fingerprint).where(
                        StoredEvent.contract == contract,
                        StoredEvent.event_id.in_(ids[start : start + _IN_CHUNK]),
                    )
                ):
                    held[(contract, event_id)] = fingerprint
        return held

    def _parse_one(
        self,
        session: Session,
        contexts: dict[str, Contract | None],
        data: Any,
        position: int,
    ) -> Event | Rejected:
        """The offered item as an event of its contract, or why it is not one (the store's
        edge checks first, slaengine.store.limits)."""
        event_id = data.get("id") if isinstance(data, dict) else None
        ticket = data.get("ticket") if isinstance(data, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        ticket = ticket if isinstance(ticket, str) else None
        contract_id = data.get("contract") if isinstance(data, dict) else None
        problem = limits.value_problem(data)
        if problem is not None:
            return Rejected(problem, position, event_id, ticket)
        if isinstance(contract_id, str) and contract_id not in contexts:
            row = self.version_in_effect(session, contract_id, None)
            contexts[contract_id] = self.context(row).contract if row is not None else None
        contract = contexts.get(contract_id) if isinstance(contract_id, str) else None
        if isinstance(data, dict) and isinstance(contract_id, str) and contract is None:
            return Rejected(
                f"contract: {contract_id!r} is not loaded in this store "
                "(load it first: slaengine contract load FILE --db URL)",
                position,
                event_id,
                ticket,
            )
        try:
            if contract is None:  # not an object, or no contract field: let the parser say
                raise EventError(
                    "contract: missing (required)"
                    if isinstance(data, dict)
                    else f"an event is a JSON object, got {type(data).__name__}"
                )
            parsed = parse_event(data, contract, line=position)
        except EventError as exc:
            return Rejected(str(exc), position, event_id, ticket)
        problem = limits.time_problem(parsed.at, "at")
        if problem is not None:
            return Rejected(problem, position, event_id, ticket)
        return parsed

    def _reject(
        self,
        session: Session,
        result: AddResult,
        rejected: Rejected,
        contract: str | None,
        source: str,
        now: datetime,
        keep_line: bool = True,
    ) -> None:
        result.rejected.append(rejected)
        if source.startswith("hook:") and self._refused_before(session, source, rejected):
            return
        # The record of a refusal must not fail on what was refused (limits.storable).
        session.add(
            RejectedInput(
                contract=limits.storable(contract, limits.LENGTHS["contract"]),
                source=limits.storable(source, 500) or "",
                # 64-bit since migration 0002 (a bus's stream sequence); an API index or a file
                # line beyond that is not a line.
                line=rejected.line
                if keep_line and rejected.line is not None and abs(rejected.line) < 2**63
                else None,
                event_id=limits.storable(rejected.id, limits.LENGTHS["id"]),
                ticket=limits.storable(rejected.ticket, limits.LENGTHS["ticket"]),
                error=limits.storable(rejected.error) or "",
                raw=limits.storable(rejected.raw),
                received_at=now,
            )
        )

    @staticmethod
    def _refused_before(session: Session, source: str, rejected: Rejected) -> bool:
        """Whether this refusal of a webhook's event is on record already: a helpdesk retries a
        delivery it was answered 4xx for, and the retry is the same refusal, recorded once."""
        known = session.scalar(
            select(RejectedInput.id)
            .where(
                RejectedInput.source == source,
                RejectedInput.event_id == limits.storable(rejected.id, limits.LENGTHS["id"]),
                RejectedInput.error == (limits.storable(rejected.error) or ""),
            )
            .limit(1)
        )
        return known is not None

    def _mark_dirty(
        self, session: Session, tickets: Sequence[tuple[str, str]], now: datetime
    ) -> None:
        """The tickets have events not yet evaluated: they are due now (one indexed column, so
        the claim of due tickets is a range scan of ``next_due``). On PostgreSQL one statement
        from two arrays marks the rows no one holds and inserts the new tickets, and the rest
        are appended to ``ticket_marks`` (never waiting for a due pass's lock); on SQLite (one
        writer at a time) one upsert per ``_IN_CHUNK`` tickets, in the given (sorted) order."""
        if not tickets:
            return
        if self.is_postgres:
            # A row another transaction holds (a due pass judging the ticket) is not waited
            # for: the ticket goes to ``ticket_marks``, in this transaction, and the due pass
            # folds it into ``dirty`` after its claim (``fold_marks``).
            contracts = [contract for contract, _ in tickets]
            names = [ticket for _, ticket in tickets]
            done = set(_pg_execute(session, _PG_MARK_FREE, [contracts, names, now, now]))
            held = [pair for pair in tickets if pair not in done]
            if held:
                later = [[contract for contract, _ in held], [ticket for _, ticket in held]]
                _pg_execute(session, _PG_MARK_LATER, later)
            return
        statement = sqlite.insert(Ticket)
        statement = statement.on_conflict_do_update(
            index_elements=["contract", "ticket"],
            set_={"dirty": True, "next_due": statement.excluded.next_due},
        )
        connection = session.connection()
        for first in range(0, len(tickets), _IN_CHUNK):
            values = [
                {"contract": contract, "ticket": ticket, "dirty": True, "next_due": now}
                for contract, ticket in tickets[first : first + _IN_CHUNK]
            ]
            connection.execute(statement, values)  # compiled once: an executemany

    def fold_marks(self, now: datetime) -> int:
        """Fold ``ticket_marks`` into ``tickets.dirty`` (due ``now``), in a transaction of its
        own; the number of marks taken. The due pass calls it before it claims: the tickets got
        events while their row was held, and are judged again with them (PostgreSQL only; on
        SQLite intake always marks the row itself)."""
        if not self.is_postgres:
            return 0
        with self.write(urgent=True) as session:
            taken = _pg_execute(session, _PG_FOLD_MARKS, [now])
        return int(taken[0][0]) if taken else 0

    def has_marks(self, session: Session) -> bool:
        """Whether ``ticket_marks`` holds a ticket to fold (the due pass has work now)."""
        if not self.is_postgres:
            return False
        return bool(_pg_execute(session, "SELECT 1 FROM ticket_marks LIMIT 1", []))

    def reject_item(self, line: int, raw: bytes | str, reason: str, source: str) -> AddResult:
        """Keep an item that could not be stored as an event in the rejected list."""
        text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
        result = AddResult()
        with self.write() as session:
            self._reject(
                session, result, Rejected(reason, line, raw=text), None, source, self.clock.now()
            )
        return result

    def rejected_raw(self, source: str, lines: Sequence[int]) -> dict[int, str | None]:
        """The rejected items on record of ``source`` at ``lines``, with their raw text (a
        message bus delivers again what it was not told was done: its rejection must not count
        twice)."""
        found: dict[int, str | None] = {}
        with self.sessions() as session:
            for first in range(0, len(lines), _IN_CHUNK):
                for line, raw in session.execute(
                    select(RejectedInput.line, RejectedInput.raw).where(
                        RejectedInput.source == source,
                        RejectedInput.line.in_(list(lines[first : first + _IN_CHUNK])),
                    )
                ):
                    if line is not None:
                        found[line] = raw
        return found

    def contract_events(self, contract: str) -> list[Event]:
        """Every accepted event of the contract, in arrival order (what replay reads from a
        file, read from the store instead: `slaengine replay|statement --db`)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(StoredEvent)
                .where(StoredEvent.contract == contract)
                .order_by(StoredEvent.seq)
            )
            return [event_of(row) for row in rows]

    def ticket_events(self, session: Session, contract: str, ticket: str) -> list[Event]:
        """The ticket's events plus the contract-wide force-majeure events, in arrival order."""
        found = self.tickets_events(session, contract, [ticket])
        return sorted(found.get(ticket, []) + found.get(None, []), key=_by_seq)

    def tickets_events(
        self, session: Session, contract: str, tickets: Sequence[str]
    ) -> dict[str | None, list[Event]]:
        """``ticket_events`` of several tickets at once, by ticket; the contract-wide
        force-majeure events (which apply to each of them) under None."""
        own, wide = self.batch_events(session, contract, tickets)
        found: dict[str | None, list[Event]] = {name: events for name, events in own.items()}
        if wide:
            found[None] = wide
        return found

    def batch_events(
        self, session: Session, contract: str, tickets: Sequence[str]
    ) -> tuple[dict[str, list[Event]], list[Event]]:
        """The events of ``tickets`` by ticket, and the contract's force majeure (which applies
        to each of them), each in arrival order: one statement, two indexed reads, neither of
        which grows with the contract's history — the tickets' own events (``ix_events_ticket``:
        contract, ticket, seq; on PostgreSQL one array parameter, ``ticket = ANY(:tickets)``)
        and the force majeure (``ix_events_wide``, the partial index of events without a
        ticket), put together with ``UNION ALL``. One query with ``ticket IN (...) OR ticket IS
        NULL`` would make the database read every event of the contract instead. Force-majeure
        bodies are decoded once per process (events are append-only: a seq never changes)."""
        own: dict[str, list[Event]] = {}
        wide: list[Event] = []
        columns = (
            StoredEvent.seq,
            StoredEvent.event_id,
            StoredEvent.contract,
            StoredEvent.ticket,
            StoredEvent.type,
            StoredEvent.body,
        )
        # PostgreSQL: one statement whatever the count; SQLite: IN lists of ``_IN_CHUNK``.
        chunk = max(len(tickets), 1) if self.is_postgres else _IN_CHUNK
        for first in range(0, max(len(tickets), 1), chunk):
            statement = select(*columns).where(
                StoredEvent.contract == contract,
                self.among(StoredEvent.ticket, tickets[first : first + chunk]),
            )
            if first == 0:
                statement = statement.union_all(  # type: ignore[assignment]
                    select(*columns).where(
                        StoredEvent.contract == contract,
                        StoredEvent.ticket.is_(None),
                        StoredEvent.type == "force_majeure",
                    )
                )
            for seq, event_id, of, ticket, kind, body in session.execute(statement):
                if ticket is None:
                    wide.append(self._wide_event(seq, event_id, of, kind, body))
                else:
                    own.setdefault(ticket, []).append(
                        decoded(seq, event_id, of, ticket, kind, body)
                    )
        for events in own.values():
            events.sort(key=_by_seq)
        wide.sort(key=_by_seq)
        return own, wide

    def _wide_event(self, seq: int, event_id: str, contract: str, kind: str, body: str) -> Event:
        found = self._wide_cache.get(seq)
        if found is None:
            found = self._wide_cache[seq] = decoded(seq, event_id, contract, None, kind, body)
        return found

    def among(self, column: Any, values: Sequence[Any]) -> Any:
        """``column`` is one of ``values``: on PostgreSQL ``= ANY(:array)`` (one parameter, one
        statement text whatever the count), elsewhere ``IN (...)``."""
        if self.is_postgres:
            return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return column.in_(list(values))

    def wide_events(self, session: Session, contract: str, types: Sequence[str]) -> list[Event]:
        """The contract's events without a ticket of the given types, in arrival order (an
        index lookup: ``ix_events_wide`` holds only events without a ticket)."""
        rows = session.scalars(
            select(StoredEvent)
            .where(
                StoredEvent.contract == contract,
                StoredEvent.ticket.is_(None),
                StoredEvent.type.in_(list(types)),
            )
            .order_by(StoredEvent.seq)
        )
        return [event_of(row) for row in rows]

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

    def waiting(self, session: Session) -> int:
        """How many tickets have events (or a new contract version) not yet evaluated (a
        ticket both waiting and in ``ticket_marks`` counts twice, for a moment)."""
        dirty = session.scalar(select(func.count()).select_from(Ticket).where(waiting())) or 0
        marked = session.scalar(
            select(func.count()).select_from(
                select(TicketMark.contract, TicketMark.ticket).distinct().subquery()
            )
        )
        return dirty + (marked or 0)

    def claim_dirty(self, session: Session, now: datetime, limit: int) -> list[Ticket]:
        """Up to ``limit`` tickets marked for re-judging and not due by ``now`` (those the
        deadline claim takes), locked as ``claim_due`` locks them."""
        query = (
            select(Ticket)
            .where(waiting(), Ticket.next_due.is_(None) | (Ticket.next_due > now))
            .order_by(Ticket.id)
            .limit(limit)
        )
        if self.is_postgres:
            query = query.with_for_update(skip_locked=True)
        return list(session.scalars(query))

    def claim_due(self, session: Session, now: datetime, limit: int) -> list[Ticket]:
        """Up to ``limit`` tickets due by ``now``, earliest first, locked for this transaction.

        On PostgreSQL with ``FOR UPDATE SKIP LOCKED``: rows another worker holds are skipped,
        so workers share the due tickets and none waits for another. On SQLite the transaction
        already holds the one write lock (``BEGIN IMMEDIATE``).
        """
        query = select(Ticket).where(Ticket.next_due <= now).order_by(Ticket.next_due).limit(limit)
        if self.is_postgres:
            query = query.with_for_update(skip_locked=True)
        return list(session.scalars(query))


#: Values in one ``IN (...)`` list or one multi-row statement (well under SQLite's limit).
_IN_CHUNK = 500

#: PostgreSQL's bulk intake (``Store._insert_events_postgres``): a batch as arrays, each a
#: binary parameter (``%b``: psycopg sends it without quoting each element, ten times cheaper
#: than the text form of the same array).
_PG_INSERT_EVENTS = (
    "INSERT INTO events (contract, event_id, ticket, type, at, body, fingerprint, source, "
    "received_at) "
    "SELECT contract, event_id, ticket, type, at, body, fingerprint, %b, %b "
    "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::timestamptz[], "
    "%b::text[], %b::text[]) "
    "WITH ORDINALITY AS incoming(contract, event_id, ticket, type, at, body, fingerprint, "
    "position) "
    "ORDER BY position "
    "ON CONFLICT (contract, event_id) DO NOTHING "
    "RETURNING contract, event_id, seq"
)
#: The fingerprints held under some ids of one contract (PostgreSQL: one array parameter).
_PG_HELD = (
    "SELECT event_id, fingerprint FROM events WHERE contract = %b AND event_id = ANY(%b::text[])"
)
#: Touched tickets (two arrays) marked dirty and due now where no one holds their row, inserted
#: where they are new; returns those done (PostgreSQL). A row locked by another transaction is
#: skipped, not waited for; a new ticket another transaction inserts meanwhile is not returned.
_PG_MARK_FREE = (
    "WITH touched AS (SELECT contract, ticket, position "
    "FROM unnest(%b::text[], %b::text[]) WITH ORDINALITY AS t(contract, ticket, position)), "
    "free AS (SELECT k.id FROM tickets k JOIN touched t "
    "ON k.contract = t.contract AND k.ticket = t.ticket "
    "ORDER BY k.id FOR UPDATE OF k SKIP LOCKED), "
    "marked AS (UPDATE tickets k SET dirty = true, next_due = %b FROM free WHERE k.id = free.id "
    "RETURNING k.contract, k.ticket), "
    "fresh AS (INSERT INTO tickets (contract, ticket, dirty, next_due) "
    "SELECT t.contract, t.ticket, true, %b FROM touched t WHERE NOT EXISTS "
    "(SELECT 1 FROM tickets k WHERE k.contract = t.contract AND k.ticket = t.ticket) "
    "ORDER BY t.position ON CONFLICT (contract, ticket) DO NOTHING RETURNING contract, ticket) "
    "SELECT contract, ticket FROM marked UNION ALL SELECT contract, ticket FROM fresh"
)
#: The touched tickets whose row was held: folded into ``dirty`` by the due pass.
_PG_MARK_LATER = (
    "INSERT INTO ticket_marks (contract, ticket) SELECT * FROM unnest(%b::text[], %b::text[])"
)
#: ``Store.fold_marks``: the marks taken, their tickets marked dirty and due (rows locked in id
#: order); returns how many marks were taken.
_PG_FOLD_MARKS = (
    "WITH taken AS (DELETE FROM ticket_marks RETURNING contract, ticket), "
    "locked AS (SELECT k.id FROM tickets k JOIN (SELECT DISTINCT contract, ticket FROM taken) t "
    "ON k.contract = t.contract AND k.ticket = t.ticket ORDER BY k.id FOR UPDATE OF k), "
    "marked AS (UPDATE tickets SET dirty = true, next_due = %b "
    "WHERE id IN (SELECT id FROM locked) RETURNING id) "
    "SELECT count(*) FROM taken"
)


def _pg_execute(session: Session, sql: str, parameters: Sequence[Any]) -> list[Any]:
    """``sql`` with psycopg's own placeholders, in the session's transaction; the rows it
    returned (none for a statement without RETURNING)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall()) if cursor.description is not None else []
    finally:
        cursor.close()


def _body(event: Event) -> str:
    """The stored body: the event's canonical JSON (keys sorted, offsets as written)."""
    return orjson.dumps(
        event.to_json(), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    ).decode()


def waiting() -> ColumnElement[bool]:
    """The tickets waiting to be judged again, as the partial index ``ix_tickets_waiting``
    states it (migration 0005): ``dirty = true`` — PostgreSQL folds it to the index's ``dirty``,
    SQLite renders ``dirty = 1``, its condition word for word."""
    return Ticket.dirty == true()


def event_of(row: StoredEvent) -> Event:
    """The stored event as the core reads it (offsets exactly as they were written)."""
    return decoded(row.seq, row.event_id, row.contract, row.ticket, row.type, row.body)


def decoded(
    seq: int, event_id: str, contract: str, ticket: str | None, kind: str, text: str
) -> Event:
    """A stored event's columns as the core reads the event (offsets as they were written)."""
    body = orjson.loads(text)
    return Event(
        id=event_id,
        contract=contract,
        type=kind,
        at=parse_time(body["at"]),
        ticket=ticket,
        severity=body.get("severity"),
        asset=body.get("asset"),
        attrs=body.get("attrs") or {},
        seq=seq,
    )


def _by_seq(event: Event) -> int:
    return event.seq


def ordered(events: Sequence[Event]) -> list[Event]:
    return sorted(events, key=Event.sort_key)
