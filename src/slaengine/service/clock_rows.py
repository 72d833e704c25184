"""Clock-row sync: evaluate locked ticket rows and write what changed since the last look.

Theory of operation
-------------------
For each ticket the pure core's answer at ``now`` (slaengine.service.judging) is compared with
what the store last recorded, and the difference is written:

* clocks (with ``next_due``: the earlier of an unsent warning and the deadline while it runs),
  each stored under ``row_key`` (commitment, cycle, start_key: a commitment that runs per start
  has a clock for every start, keyed by its start event: slaengine.service.row_keys); a clock
  the events no longer start is marked ``void``;
* a warning alert when ``warn_at`` has passed and the deadline has not;
* breaches raised and withdrawn (slaengine.service.breaches);
* penalty lines, when the report has them (slaengine.service.lines);
* the ticket's ``next_due`` (the earliest due clock, or a future-dated event) and ``dirty=False``.

Transaction boundary: the caller's. The caller has locked the ticket rows (intake and the due
pass each claim them in their own transaction); everything here is written into that session,
so clocks, breaches, alerts and lines of a ticket commit together or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaengine.clocks import BREACHED, PAUSED, RUNNING, Clock
from slaengine.events import Event
from slaengine.service.breaches import sync_breaches
from slaengine.service.judging import judge
from slaengine.service.lines import store_ticket_lines
from slaengine.service.raising import Batch, Raiser
from slaengine.service.row_keys import by_row_key, row_key, row_name
from slaengine.store import Store
from slaengine.store.models import Breach, PenaltyLine, StoredClock, Ticket

#: Smallest step past "now" for a due time that is exactly now (a deadline is breached only once
#: it has passed, so the next look must be strictly later).
TICK = timedelta(milliseconds=1)


class _OfTicket(Protocol):
    @property
    def ticket(self) -> str | None: ...


_T = TypeVar("_T", bound=_OfTicket)


def sync_rows(
    store: Store, raiser: Raiser, session: Session, rows: list[Ticket], now: datetime
) -> int:
    """Evaluate the locked ticket ``rows`` at ``now`` and write what changed; the number of
    alerts queued.

    Batched: the rows' events, clocks, breaches and penalty lines are read with one query
    each (per contract); clocks and breaches are then written in one flush (new breaches get
    their ids), the alerts they cause in one more (each alert's outbox rows after it), and the
    penalty lines last (they name their breach).
    """
    if not rows:
        return 0
    batch = Batch()
    with session.no_autoflush:
        for contract, group in groupby(
            sorted(rows, key=lambda row: row.contract), key=lambda row: row.contract
        ):
            members = list(group)
            names = [row.ticket for row in members]
            events = store.tickets_events(session, contract, names)
            clocks = _by_ticket(
                session.scalars(
                    select(StoredClock).where(
                        StoredClock.contract == contract, StoredClock.ticket.in_(names)
                    )
                )
            )
            breaches = _by_ticket(
                session.scalars(
                    select(Breach).where(
                        Breach.contract == contract,
                        Breach.kind == "clock",
                        Breach.ticket.in_(names),
                    )
                )
            )
            lines = _by_ticket(
                session.scalars(
                    select(PenaltyLine).where(
                        PenaltyLine.contract == contract, PenaltyLine.ticket.in_(names)
                    )
                )
            )
            for row in members:
                _sync_one(
                    store,
                    session,
                    row,
                    now,
                    events.get(row.ticket, []) + events.get(None, []),
                    clocks.get(row.ticket, []),
                    breaches.get(row.ticket, []),
                    lines.get(row.ticket, []),
                    batch,
                )
        session.flush()  # clocks and breaches: the new breaches get their ids
        alerts = raiser.raise_all(session, batch, now)
        for job in batch.lines:
            job()
    return alerts


def _sync_one(
    store: Store,
    session: Session,
    row: Ticket,
    now: datetime,
    events: list[Event],
    stored_clocks: list[StoredClock],
    stored_breaches: list[Breach],
    stored_lines: list[PenaltyLine],
    batch: Batch,
) -> None:
    judged = judge(store, session, row.contract, row.ticket, events, now)
    row.dirty = False
    row.evaluated_at = now
    if judged is None:
        row.next_due = None
        return
    context, clocks, applied, future = (
        judged.context,
        judged.clocks,
        judged.applied,
        judged.future,
    )
    contract = context.contract
    stored = by_row_key(stored_clocks, clocks)
    dues: list[datetime] = [future] if future is not None else []
    for clock in clocks:
        record = stored.pop(row_key(clock), None)
        if record is None:
            record = StoredClock(
                contract=row.contract,
                ticket=row.ticket,
                commitment=clock.commitment,
                cycle=clock.cycle,
                start_key=clock.start_key,
            )
            session.add(record)
        record.occurrence = clock.occurrence
        record.status = clock.status
        record.severity = clock.severity
        record.started_at = clock.started_at
        record.deadline = clock.deadline
        record.warn_at = clock.warn_at
        record.stopped_at = clock.stopped_at
        record.cancelled_at = clock.cancelled_at
        record.late_by_seconds = clock.late_by_seconds
        record.updated_at = now
        if (
            clock.status == RUNNING
            and clock.warn_at is not None
            and record.warned_at is None
            and clock.warn_at <= now < clock.deadline
        ):
            record.warned_at = now
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
        record.next_due = clock_due(clock, record, now)
        if record.next_due is not None:
            dues.append(record.next_due)
    for gone in stored.values():  # a clock the events no longer start (a late reclassify)
        gone.status = "void"
        gone.next_due = None
        gone.updated_at = now
    breaches = sync_breaches(session, contract, row, clocks, stored_breaches, now, batch)
    if any(c.status == BREACHED for c in clocks) or stored_lines:
        batch.lines.append(
            partial(
                store_ticket_lines,
                store,
                session,
                context,
                row.contract,
                row.ticket,
                applied,
                now,
                breaches,
                stored_lines,
            )
        )
    row.next_due = max(min(dues), now + TICK) if dues else None


def clock_due(clock: Clock, record: StoredClock, now: datetime) -> datetime | None:
    """When a running clock next needs a look: its unsent warning, else its deadline."""
    if clock.status == PAUSED or clock.status != RUNNING:
        return None  # a paused clock's deadline moves until it resumes (an event)
    due = clock.deadline
    if record.warned_at is None and clock.warn_at is not None and clock.warn_at > now:
        due = min(due, clock.warn_at)
    return max(due, now + TICK)


def _by_ticket(rows: Iterable[_T]) -> dict[str | None, list[_T]]:
    grouped: dict[str | None, list[_T]] = {}
    for row in rows:
        grouped.setdefault(row.ticket, []).append(row)
    return grouped
