"""Clock-row sync: evaluate locked ticket rows and write what changed since the last look.

Theory of operation
-------------------
For each ticket the pure core's answer at ``now`` (slaengine.service.judging) is compared with
what the store last recorded, and the difference is written:

* clocks (with ``next_due``: the earlier of an unsent warning and the deadline while it runs),
  each stored under ``row_key`` (commitment, cycle, start_key: a commitment that runs per start
  has a clock for every start, keyed by its start event: slaengine.service.row_keys); only the
  rows whose values changed are written; a clock the events no longer start is marked ``void``;
* a warning alert when ``warn_at`` has passed and the deadline has not;
* breaches raised and withdrawn (slaengine.service.breaches);
* penalty lines, when the report has them (slaengine.service.lines);
* the ticket's ``next_due`` (the earliest due clock, or a future-dated event) and ``dirty=False``.

A batch is read with one statement per kind of row (per contract): the tickets' events with the
contract's force majeure (``Store.batch_events``; for a history load, the events it just stored
when the store holds those and no others: slaengine.service.history_events), their clock rows,
breaches and penalty lines.
The force majeure's excused intervals are worked out once per batch (``judging.wide_at``). Clock
and ticket rows are plain rows, not ORM objects (no identity map, no attribute bookkeeping):
changed clocks are written with one ``UPDATE`` by id and new ones with one ``INSERT``
(slaengine.store.bulk: array parameters on PostgreSQL, an executemany on SQLite), and the
tickets' ``dirty``/``evaluated_at``/``next_due`` with one more. New
breaches and new penalty lines are inserted the same way, one statement each for the batch
(slaengine.store.bulk: unnest arrays on PostgreSQL), the breaches first, with their ids read
back (alert keys and lines name them); the breaches and lines already stored are read as ORM
objects, and the few that change (a withdrawal, a repriced line) are written by the session's
flush.

Transaction boundary: the caller's. The caller has locked the ticket rows (intake and the due
pass each claim them in their own transaction); everything here is written into that session,
so clocks, breaches, alerts and lines of a ticket commit together or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from slaengine.clocks import BREACHED, PAUSED, RUNNING, Clock
from slaengine.service.breaches import insert_breaches, sync_breaches
from slaengine.service.history_events import Known, own_events
from slaengine.service.judging import Wide, judge_own, wide_at
from slaengine.service.lines import insert_lines, store_ticket_lines
from slaengine.service.raising import Batch, Raiser
from slaengine.service.row_keys import by_row_key, row_key, row_name
from slaengine.store import Store
from slaengine.store.bulk import insert_rows, update_rows
from slaengine.store.models import Breach, PenaltyLine, StoredClock, Ticket

#: Smallest step past "now" for a due time that is exactly now (a deadline is breached only once
#: it has passed, so the next look must be strictly later).
TICK = timedelta(milliseconds=1)

CLOCKS = cast(Table, StoredClock.__table__)
TICKETS = cast(Table, Ticket.__table__)
#: What a clock row holds besides its identity and ``updated_at``: a row is written when one of
#: these differs from what the core judged.
VALUES = (
    "status",
    "severity",
    "started_at",
    "deadline",
    "warn_at",
    "stopped_at",
    "cancelled_at",
    "late_by_seconds",
    "warned_at",
    "next_due",
    "occurrence",
    "start_key",
)


class _OfTicket(Protocol):
    @property
    def ticket(self) -> str | None: ...


_T = TypeVar("_T", bound=_OfTicket)


class Claimed(Protocol):
    """A locked ticket row (an ORM ``Ticket`` or a plain row): what ``sync_rows`` reads of it."""

    @property
    def id(self) -> int: ...

    @property
    def contract(self) -> str: ...

    @property
    def ticket(self) -> str: ...


class _Writes:
    """The plain-row writes of a batch, sent together at its end."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.inserted: list[dict[str, Any]] = []
        self.updated: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        #: New breaches (ORM objects kept out of the session; ``insert_breaches``).
        self.breaches: list[Breach] = []
        #: New penalty lines, as plain rows (``insert_lines``).
        self.lines: list[dict[str, Any]] = []

    def ticket(self, row_id: int, due: datetime | None) -> None:
        """The ticket row ``row_id`` judged: clean, evaluated now, next due at ``due``."""
        self.tickets.append(
            {"id": row_id, "dirty": False, "evaluated_at": self.now, "next_due": due}
        )

    def send(self, session: Session) -> None:
        update_rows(session, CLOCKS, self.updated)
        insert_rows(session, CLOCKS, self.inserted)
        update_rows(session, TICKETS, self.tickets)


def sync_rows(
    store: Store,
    raiser: Raiser,
    session: Session,
    rows: Sequence[Claimed],
    now: datetime,
    known: Known | None = None,
) -> int:
    """Evaluate the locked ticket ``rows`` at ``now`` and write what changed; the number of
    alerts queued (see the module doc: one read per kind of row, the writes batched).
    ``known``: the events a history load just stored, by (contract, ticket), used for a ticket
    whose stored events are those and no others (``own_events``)."""
    if not rows:
        return 0
    # The versions as of this transaction: a ticket marked by a version another process just
    # loaded is judged under that version (the cache would be up to a second behind).
    store.forget_versions()
    batch = Batch()
    writes = _Writes(now)
    with session.no_autoflush:
        for contract, group in groupby(
            sorted(rows, key=lambda row: row.contract), key=lambda row: row.contract
        ):
            members = list(group)
            names = [row.ticket for row in members]
            own, wide_events = own_events(store, session, contract, names, known)
            wide = wide_at(wide_events, now)
            clocks = _by_ticket(
                session.execute(
                    select(CLOCKS).where(
                        CLOCKS.c.contract == contract, store.among(CLOCKS.c.ticket, names)
                    )
                )
            )
            breaches = _by_ticket(
                session.scalars(
                    select(Breach).where(
                        Breach.contract == contract,
                        Breach.kind == "clock",
                        store.among(Breach.ticket, names),
                    )
                )
            )
            lines = _by_ticket(
                session.scalars(
                    select(PenaltyLine).where(
                        PenaltyLine.contract == contract,
                        store.among(PenaltyLine.ticket, names),
                    )
                )
            )
            for row in members:
                _sync_one(
                    store,
                    session,
                    row,
                    now,
                    own.get(row.ticket, []),
                    wide,
                    clocks.get(row.ticket, []),
                    breaches.get(row.ticket, []),
                    lines.get(row.ticket, []),
                    batch,
                    writes,
                )
        writes.send(session)
        session.flush()  # the breaches and lines already stored that changed
        insert_breaches(session, writes.breaches)  # the new ones get their ids
        alerts = raiser.raise_all(session, batch, now)
        for job in batch.lines:
            job()
        insert_lines(session, writes.lines)
    return alerts


def _sync_one(
    store: Store,
    session: Session,
    row: Claimed,
    now: datetime,
    events: list[Any],
    wide: Wide,
    stored_clocks: list[Row[Any]],
    stored_breaches: list[Breach],
    stored_lines: list[PenaltyLine],
    batch: Batch,
    writes: _Writes,
) -> None:
    judged = judge_own(store, session, row.contract, row.ticket, events, wide, now)
    if judged is None:
        writes.ticket(row.id, None)
        return
    context, clocks, future = judged.context, judged.clocks, judged.future
    contract = context.contract
    stored = by_row_key(stored_clocks, clocks)
    dues: list[datetime] = [future] if future is not None else []
    for clock in clocks:
        record = stored.pop(row_key(clock), None)
        warned_at = record.warned_at if record is not None else None
        if (
            clock.status == RUNNING
            and clock.warn_at is not None
            and warned_at is None
            and clock.warn_at <= now < clock.deadline
        ):
            warned_at = now
            key = f"clock/{row.contract}/{row.ticket}/{row_name(clock)}/warning"
            batch.alert(
                contract,
                "warning",
                lambda key=key: key,  # type: ignore[misc]
                clock=clock,
                details={
                    "time_left_seconds": math.ceil((clock.deadline - now).total_seconds()),
                    "warn_at": clock.warn_at.astimezone(ZoneInfo(contract.timezone)),
                },
            )
        next_due = clock_due(clock, warned_at, now)
        if next_due is not None:
            dues.append(next_due)
        values = {
            "status": clock.status,
            "severity": clock.severity,
            "started_at": clock.started_at,
            "deadline": clock.deadline,
            "warn_at": clock.warn_at,
            "stopped_at": clock.stopped_at,
            "cancelled_at": clock.cancelled_at,
            "late_by_seconds": clock.late_by_seconds,
            "warned_at": warned_at,
            "next_due": next_due,
            # the display number follows the starts' order; start_key is written when a row
            # stored without a start is adopted as the first start's (row_keys.by_row_key)
            "occurrence": clock.occurrence,
            "start_key": clock.start_key,
            "updated_at": now,
        }
        if record is None:
            writes.inserted.append(
                {
                    "contract": row.contract,
                    "ticket": row.ticket,
                    "commitment": clock.commitment,
                    "cycle": clock.cycle,
                    **values,
                }
            )
        elif any(getattr(record, name) != values[name] for name in VALUES):
            writes.updated.append({"id": record.id, **values})
    for gone in stored.values():  # a clock the events no longer start (a late reclassify)
        if gone.status != "void" or gone.next_due is not None:
            writes.updated.append(
                {
                    "id": gone.id,
                    **{name: getattr(gone, name) for name in VALUES},
                    "status": "void",
                    "next_due": None,
                    "updated_at": now,
                }
            )
    breaches = sync_breaches(
        session, contract, row, clocks, stored_breaches, now, batch, writes.breaches
    )
    if any(c.status == BREACHED for c in clocks) or stored_lines:
        batch.lines.append(
            partial(
                store_ticket_lines,
                store,
                session,
                judged,
                row.contract,
                row.ticket,
                now,
                breaches,
                stored_lines,
                writes.lines,
            )
        )
    due = max(min(dues), now + TICK) if dues else None
    writes.ticket(row.id, due)


def clock_due(clock: Clock, warned_at: datetime | None, now: datetime) -> datetime | None:
    """When a running clock next needs a look: its unsent warning, else its deadline."""
    if clock.status == PAUSED or clock.status != RUNNING:
        return None  # a paused clock's deadline moves until it resumes (an event)
    due = clock.deadline
    if warned_at is None and clock.warn_at is not None and clock.warn_at > now:
        due = min(due, clock.warn_at)
    return max(due, now + TICK)


def _by_ticket(rows: Iterable[_T]) -> dict[str | None, list[_T]]:
    grouped: dict[str | None, list[_T]] = {}
    for row in rows:
        grouped.setdefault(row.ticket, []).append(row)
    return grouped
