"""The due pass: every ticket whose ``next_due`` has passed is evaluated, claimed in batches.

Theory of operation
-------------------
The scheduler (slaengine.scheduler) calls the pass at the earliest due time and on a sweep. A
ticket is due when a clock's deadline or unsent warning comes, when a future-dated event's time
comes, or when it has unevaluated events (intake marks it dirty and due at once). Each
evaluation leaves the ticket due strictly after ``now`` (or ``RETRY`` later when it failed), so a
pass ends; a ticket picked twice got new events in between.

Transaction boundary: one transaction per claimed batch of up to ``CLAIM_BATCH`` tickets (the
earliest due first, ``Store.claim_due``). A worker claims tickets by locking their rows — on
PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` — so several workers share the due tickets and
never fire one breach twice; the unique keys on breaches, alerts and outbox rows are the second
line of defence. If a batch fails, its tickets are claimed again one per transaction, so a ticket
whose evaluation fails is put off (in a transaction of its own) without holding up the others.
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
#: Due tickets claimed and evaluated in one transaction: enough to share the statement costs of a
#: burst of deadlines, few enough that the first alert of the burst is not held up for long.
CLAIM_BATCH = 50


@dataclass
class DueReport:
    """What one "evaluate what is due now" pass did."""

    tickets: int = 0
    alerts: int = 0
    escalations: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def claim_batch(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
    limit: int = CLAIM_BATCH,
) -> bool:
    """Claim up to ``limit`` due tickets and evaluate them in one transaction; False when none
    is left for this pass. ``committed`` is called when the evaluation committed alerts (delivery
    wakes up). A batch that fails is done again one ticket per transaction."""
    try:
        with store.write() as session:
            rows = store.claim_due(session, now, limit)
            if not rows:
                return False
            raised = sync_rows(store, raiser, session, rows, now)
    except Exception:
        if limit == 1:
            raise
        logger.exception("evaluating a batch of due tickets failed; one by one")
        for _ in range(limit):
            if not claim_one(store, raiser, now, report, committed):
                break
        return True
    report.alerts += raised
    report.tickets += len(rows)
    if raised:  # committed: deliver now, not after the whole pass
        committed()
    return True


def claim_one(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
) -> bool:
    """Claim one due ticket and evaluate it; False when none is left for this pass. A ticket
    whose evaluation fails is tried again ``RETRY`` later."""
    claimed: int | None = None
    raised = 0
    try:
        with store.write() as session:
            rows = store.claim_due(session, now, 1)
            if not rows:
                return False
            claimed = rows[0].id
            raised = sync_rows(store, raiser, session, rows, now)
            report.alerts += raised
            report.tickets += 1
        if raised:
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
