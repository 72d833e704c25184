"""The due pass: every ticket whose ``next_due`` has passed is evaluated, one claim at a time.

Theory of operation
-------------------
The scheduler (slaengine.scheduler) calls the pass at the earliest due time and on a sweep. A
ticket is due when a clock's deadline or unsent warning comes, when a future-dated event's time
comes, or when it has unevaluated events (intake marks it dirty and due at once). Each
evaluation leaves the ticket due strictly after ``now`` (or ``RETRY`` later when it failed), so a
pass ends; a ticket picked twice got new events in between.

Transaction boundary: one transaction per claimed ticket. A worker claims a ticket by locking its
row — on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` — so several workers share the due
tickets and never fire one breach twice; the unique keys on breaches, alerts and outbox rows are
the second line of defence. A ticket whose evaluation fails is put off in a transaction of its
own, so it does not hold up the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from slaengine.service.clock_rows import sync_rows
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import StoredAlert, Ticket

logger = logging.getLogger("slaengine.service")

#: When a ticket could not be evaluated, the next try.
RETRY = timedelta(seconds=30)


@dataclass
class DueReport:
    """What one "evaluate what is due now" pass did."""

    tickets: int = 0
    alerts: int = 0
    escalations: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def claim_one(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
) -> bool:
    """Claim one due ticket and evaluate it; False when none is left for this pass.
    ``committed`` is called when the evaluation committed alerts (delivery wakes up)."""
    claimed: int | None = None
    raised = 0
    try:
        with store.write() as session:
            query = select(Ticket).where(Ticket.next_due <= now)
            query = query.order_by(Ticket.next_due).limit(1)
            if store.is_postgres:
                query = query.with_for_update(skip_locked=True)
            row = session.scalars(query).first()
            if row is None:
                return False
            claimed = row.id
            raised = sync_rows(store, raiser, session, [row], now)
            report.alerts += raised
            report.tickets += 1
        if raised:  # committed: deliver now, not after the whole pass
            committed()
    except Exception:
        if claimed is None:
            raise  # the database itself failed: the scheduler retries the pass
        # One ticket that cannot be evaluated must not hold up the others (nor keep the
        # scheduler spinning): it is tried again a little later.
        logger.exception("evaluating ticket row %s failed; retrying in 30 s", claimed)
        with store.write() as session:
            session.execute(
                update(Ticket).where(Ticket.id == claimed).values(dirty=False, next_due=now + RETRY)
            )
    return True


def next_due(store: Store, duties_due: datetime | None) -> datetime | None:
    """The earliest time the due pass has something to do."""
    with store.sessions() as session:
        candidates = [
            session.scalar(select(func.min(Ticket.next_due))),
            session.scalar(
                select(func.min(StoredAlert.escalate_at)).where(StoredAlert.escalated_at.is_(None))
            ),
        ]
    candidates.append(duties_due)
    found = [when for when in candidates if when is not None]
    return min(found) if found else None
