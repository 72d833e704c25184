"""Clock breaches: raised the first time a clock is judged breached, withdrawn when it no longer is.

Theory of operation
-------------------
A breach row is unique per (contract, ticket, commitment, cycle, start_key): its clock's
``row_key`` (slaengine.service.row_keys; a commitment that runs per start has a clock, and so a
breach, for every start, keyed by its start event; its ``occurrence`` number is updated when a
late start renumbers it). The first time the core judges a clock breached the row is created
(or, if it was withdrawn, revived with ``revision + 1``) and a ``breach`` alert is decided; a
breach whose clock is no longer breached (a late event stopped it in time, or cancelled it) is
*withdrawn* and a ``withdrawn`` alert is decided. The row stays, so both are on record. Alert
keys name the breach's id and revision, so a revived breach alerts anew.

Transaction boundary: none of its own. Changed rows are the caller's session's (ORM objects it
read); new rows are left in the caller's ``created`` list, not added to the session: the caller
inserts them all at once without the ORM (``insert_breaches``: their ids set) before it raises
the batch's alerts (``Batch``), whose keys name those ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from slaengine.clocks import BREACHED, Clock
from slaengine.contract.models import Contract
from slaengine.service.raising import Batch
from slaengine.service.row_keys import RowKey, by_row_key, row_key
from slaengine.store.bulk import insert_rows
from slaengine.store.models import CLOSED, OPEN, WITHDRAWN, Breach

BREACHES = cast(Table, Breach.__table__)


class _TicketRow(Protocol):
    @property
    def contract(self) -> str: ...

    @property
    def ticket(self) -> str: ...


def sync_breaches(
    session: Session,
    contract: Contract,
    row: _TicketRow,
    clocks: list[Clock],
    rows: list[Breach],
    now: datetime,
    batch: Batch,
    created: list[Breach],
) -> dict[RowKey, Breach]:
    """Breaches raised and withdrawn (their alerts go to ``batch``, the new rows to
    ``created``, for ``insert_breaches``); the ticket's breach rows by their clock's
    ``row_key`` (commitment, cycle, start_key)."""
    stored = by_row_key(rows, clocks)
    by_key = {row_key(c): c for c in clocks}
    for clock in clocks:
        if clock.status != BREACHED:
            continue
        key = row_key(clock)
        breach = stored.get(key)
        status = OPEN if clock.stopped_at is None else CLOSED
        fresh = breach is None or breach.status == WITHDRAWN
        if breach is None:
            breach = Breach(
                contract=row.contract,
                kind="clock",
                ticket=row.ticket,
                commitment=clock.commitment,
                cycle=clock.cycle,
                start_key=clock.start_key,
                detected_at=now,
                revision=1,
            )
            created.append(breach)
            stored[key] = breach
        elif breach.status == WITHDRAWN:
            breach.revision += 1
            breach.detected_at = now
            breach.withdrawn_at = None
            breach.withdrawn_reason = None
            breach.acknowledged_at = None
            breach.acknowledged_by = None
        judged = (
            status,
            clock.severity,
            clock.deadline,
            clock.stopped_at,
            clock.late_by_seconds,
            clock.occurrence,
            clock.start_key,
        )
        if fresh or judged != (
            breach.status,
            breach.severity,
            breach.deadline,
            breach.stopped_at,
            breach.late_by_seconds,
            breach.occurrence,
            breach.start_key,
        ):  # an unchanged breach is not written again
            breach.status = status
            breach.severity = clock.severity
            breach.deadline = clock.deadline
            breach.stopped_at = clock.stopped_at
            breach.late_by_seconds = clock.late_by_seconds
            # a late, earlier start renumbers it; a row stored without a start is adopted
            breach.occurrence = clock.occurrence
            breach.start_key = clock.start_key
            breach.updated_at = now
        if fresh:
            batch.alert(
                contract,
                "breach",
                lambda b=breach: f"breach/{b.id}/{b.revision}/breach",  # type: ignore[misc]
                clock=clock,
                breach=breach,
            )
    for key, breach in list(stored.items()):
        clock_now = by_key.get(key)
        if breach.status == WITHDRAWN or (clock_now is not None and clock_now.status == BREACHED):
            continue
        breach.status = WITHDRAWN
        breach.withdrawn_at = now
        breach.withdrawn_reason = withdrawal_reason(clock_now)
        breach.updated_at = now
        batch.alert(
            contract,
            "withdrawn",
            lambda b=breach: f"breach/{b.id}/{b.revision}/withdrawn",  # type: ignore[misc]
            clock=clock_now,
            breach=breach,
            details={"reason": breach.withdrawn_reason},
        )
    return stored


#: What a new breach row is inserted with (every column but ``id``).
_COLUMNS = tuple(column.name for column in BREACHES.c if column.name != "id")
#: What identifies a clock's breach among those of one batch.
_KEY = ("contract", "ticket", "commitment", "cycle", "start_key")


def insert_breaches(session: Session, created: list[Breach]) -> None:
    """Insert the new clock breaches of a batch (``sync_breaches``'s ``created``) in one
    statement, without the ORM (slaengine.store.bulk), and give each its id. The objects stay
    out of the session: nothing reads them back through it in the transaction."""
    if not created:
        return
    rows = [{name: getattr(breach, name) for name in _COLUMNS} for breach in created]
    found = insert_rows(session, BREACHES, rows, ("id", *_KEY))
    ids = {tuple(row[1:]): row[0] for row in found}
    for breach in created:
        breach.id = ids[tuple(getattr(breach, name) for name in _KEY)]


def withdrawal_reason(clock: Clock | None) -> str:
    """Why a breach no longer stands, in a sentence."""
    if clock is None:
        return "the clock no longer applies to the ticket (its events changed)"
    if clock.cancelled_at is not None:
        return f"cancelled: {clock.cancel_reason or 'the commitment was not owed'}"
    if clock.stopped_at is not None:
        return (
            f"met: stopped at {clock.stopped_at.isoformat()}, "
            f"not after the deadline {clock.deadline.isoformat()}"
        )
    return f"the deadline is now {clock.deadline.isoformat()} (paused or excused time)"
