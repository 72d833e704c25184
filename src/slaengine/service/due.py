"""The due pass: every ticket whose ``next_due`` has passed is evaluated, one claim at a time.

Theory of operation
-------------------
The scheduler (slaengine.scheduler) calls the pass at the earliest due time and on a sweep. A
ticket is due when a clock's deadline or unsent warning comes, when a future-dated event's time
comes, or when it has unevaluated events (intake marks it dirty and due at once). Each
evaluation leaves the ticket due strictly after ``now`` (or ``RETRY`` later when it failed), so a
pass ends; a ticket picked twice got new events in between.

Transaction boundary: one transaction per claimed batch of up to ``CLAIM_BATCH`` tickets (the
earliest due first, ``Store.claim_due``), urgent (``Store.write(urgent=True)``: on SQLite it goes
before waiting ingestion). A worker claims tickets by locking their rows — on PostgreSQL
``SELECT ... FOR UPDATE SKIP LOCKED`` — so several workers share the due tickets and never fire
one breach twice; the unique keys on breaches, alerts and outbox rows are the second line of
defence. If a batch fails, its tickets are claimed again one per transaction (``claim_one``), so
a ticket whose evaluation fails is put off in a transaction of its own and does not hold up the
others.

Re-judging (a force majeure overlapped a ticket's clocks, a new contract version applies to its
open clocks, a re-judge asked for: ``slaengine rejudge``) is marked ``dirty`` without making the
ticket due: ``rejudge`` works through those tickets after the deadlines, in batches of
``REJUDGE_BATCH`` (the oldest first, through the partial index of waiting tickets), for up to
``REJUDGE_BUDGET`` seconds per pass, and ``next_due`` says "now" while any are left, so the next
pass comes at once. Between two batches it looks whether a ticket has fallen due meanwhile (one
index probe at the current time); if one has, the pass ends there and the next one serves it
first. A burst of re-judging therefore holds a deadline's alert back by at most the batch in
hand.

A ticket whose evaluation fails is tried again soon, with back-off (``retry_after``: 0.2 s,
0.4 s, 0.8 s, ...), so a passing fault (a lock, a database hiccup) costs well under a second;
after ``PARK_AFTER`` failures in a row it is *parked* (no longer due; said once in the log at
ERROR and listed in /health) so it cannot keep the pass busy. A new event for a parked ticket
makes it due again. The failure counts are the process's memory; a restart tries every ticket
afresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from slaengine.service.clock_rows import sync_rows
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import StoredAlert, Ticket
from slaengine.store.repository import waiting as waiting_for_judging

logger = logging.getLogger("slaengine.service")

#: A ticket that failed this many evaluations in a row is parked.
PARK_AFTER = 5
#: Due tickets claimed and evaluated in one transaction: enough to share the statement costs of a
#: burst of deadlines, few enough that the first alert of the burst is not held up for long.
CLAIM_BATCH = 50
#: Seconds of re-judging per due pass, in batches of ``REJUDGE_BATCH`` tickets (see the module
#: doc): a batch is the most a deadline due meanwhile waits for.
REJUDGE_BUDGET = 0.25
REJUDGE_BATCH = 25


def retry_after(failures: int) -> timedelta:
    """The wait after the ``failures``-th failed evaluation of a ticket in a row."""
    return timedelta(seconds=min(0.2 * 2 ** (failures - 1), 30.0))


class Troubled:
    """Tickets whose evaluation failed: failures in a row, and the parked ones (thread-safe)."""

    def __init__(self) -> None:
        self._failures: dict[int, int] = {}
        self._parked: dict[int, dict[str, str]] = {}
        self._lock = threading.Lock()

    def failed(self, row_id: int) -> int:
        with self._lock:
            count = self._failures[row_id] = self._failures.get(row_id, 0) + 1
            return count

    def succeeded(self, row_id: int) -> None:
        with self._lock:
            self._failures.pop(row_id, None)
            self._parked.pop(row_id, None)

    def park(self, row_id: int, contract: str, ticket: str, error: str) -> None:
        with self._lock:
            self._failures.pop(row_id, None)
            self._parked[row_id] = {"contract": contract, "ticket": ticket, "error": error}

    def parked(self) -> list[dict[str, str]]:
        """The parked tickets, for /health."""
        with self._lock:
            return sorted(
                self._parked.values(), key=lambda item: (item["contract"], item["ticket"])
            )


@dataclass
class DueReport:
    """What one "evaluate what is due now" pass did."""

    tickets: int = 0
    alerts: int = 0
    escalations: int = 0
    #: Batches of due tickets claimed (a pass that claims none found nothing to do).
    batches: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def claim_batch(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
    troubled: Troubled | None = None,
) -> bool:
    """Claim up to ``CLAIM_BATCH`` due tickets and evaluate them in one transaction; False when
    none is left for this pass. A batch that fails is done again one ticket per transaction
    (``claim_one``: back-off and parking are per ticket)."""
    try:
        with store.write(urgent=True) as session:
            rows = store.claim_due(session, now, CLAIM_BATCH)
            if not rows:
                return False
            claimed = [row.id for row in rows]
            raised = sync_rows(store, raiser, session, rows, now)
    except Exception:
        logger.warning("evaluating a batch of due tickets failed; one by one", exc_info=True)
        for _ in range(CLAIM_BATCH):
            if not claim_one(store, raiser, now, report, committed, troubled):
                break
        return True
    if troubled is not None:
        for row_id in claimed:
            troubled.succeeded(row_id)
    report.alerts += raised
    report.tickets += len(claimed)
    report.batches += 1
    if raised:  # committed: deliver now, not after the whole pass
        committed()
    return True


def claim_one(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
    troubled: Troubled | None = None,
) -> bool:
    """Claim one due ticket and evaluate it; False when none is left for this pass.
    ``committed`` is called when the evaluation committed alerts (delivery wakes up)."""
    troubled = troubled if troubled is not None else Troubled()
    claimed: int | None = None
    name = ("", "")
    raised = 0
    try:
        with store.write(urgent=True) as session:
            rows = store.claim_due(session, now, 1)
            if not rows:
                return False
            row = rows[0]
            claimed = row.id
            name = (row.contract, row.ticket)
            raised = sync_rows(store, raiser, session, [row], now)
            report.alerts += raised
            report.tickets += 1
        troubled.succeeded(claimed)
        if raised:  # committed: deliver now, not after the whole pass
            committed()
    except Exception as exc:
        if claimed is None:
            raise  # the database itself failed: the scheduler retries the pass
        # One ticket that cannot be evaluated must not hold up the others (nor keep the
        # scheduler spinning): it is tried again a little later, then parked.
        failures = troubled.failed(claimed)
        error = f"{type(exc).__name__}: {exc}"
        if failures >= PARK_AFTER:
            logger.exception(
                "ticket %s of contract %s parked: its evaluation failed %d times in a row (%s); "
                "the other tickets go on, a new event for it tries again",
                name[1],
                name[0],
                failures,
                error,
            )
            troubled.park(claimed, name[0], name[1], error)
            next_try = None
        else:
            wait = retry_after(failures)
            logger.warning(
                "evaluating ticket %s of contract %s failed (%s); trying again in %.1f s",
                name[1],
                name[0],
                error,
                wait.total_seconds(),
            )
            next_try = now + wait
        with store.write(urgent=True) as session:
            session.execute(
                update(Ticket).where(Ticket.id == claimed).values(dirty=False, next_due=next_try)
            )
    return True


def rejudge(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Re-judge marked tickets for up to ``REJUDGE_BUDGET`` seconds, yielding to a ticket that
    falls due by ``clock()`` between two batches (see the module doc)."""
    started = time.monotonic()
    batches = 0
    while time.monotonic() - started < REJUDGE_BUDGET:
        if batches and clock is not None and _fallen_due(store, clock()):
            return  # the next pass serves it first
        batches += 1
        try:
            with store.write() as session:
                rows = store.claim_dirty(session, now, REJUDGE_BATCH)
                if not rows:
                    return
                raised = sync_rows(store, raiser, session, rows, now)
        except Exception:
            logger.warning("re-judging a batch failed; one by one", exc_info=True)
            _rejudge_one_by_one(store, raiser, now, report, committed)
            continue
        report.tickets += len(rows)
        report.alerts += raised
        if raised:
            committed()


def _fallen_due(store: Store, now: datetime) -> bool:
    """Is a ticket due by ``now`` (one probe of the ``next_due`` index)?"""
    with store.sessions() as session:
        return session.scalar(select(Ticket.id).where(Ticket.next_due <= now).limit(1)) is not None


def _rejudge_one_by_one(
    store: Store,
    raiser: Raiser,
    now: datetime,
    report: DueReport,
    committed: Callable[[], None],
) -> None:
    for _ in range(REJUDGE_BATCH):
        claimed: Ticket | None = None
        try:
            with store.write() as session:
                rows = store.claim_dirty(session, now, 1)
                if not rows:
                    return
                claimed = rows[0]
                raised = sync_rows(store, raiser, session, rows, now)
        except Exception as exc:
            if claimed is None:
                raise
            # Its next event (or deadline) judges it again; the re-judge is not retried.
            logger.error(
                "re-judging ticket %s of contract %s failed: %s: %s",
                claimed.ticket,
                claimed.contract,
                type(exc).__name__,
                exc,
            )
            with store.write() as session:
                session.execute(update(Ticket).where(Ticket.id == claimed.id).values(dirty=False))
            continue
        report.tickets += 1
        report.alerts += raised
        if raised:
            committed()


def next_due(store: Store, duties_due: datetime | None, now: datetime) -> datetime | None:
    """The earliest time the due pass has something to do (``now`` while tickets wait to be
    re-judged). One statement (three index probes): the scheduler's look asks four times a
    second, so an idle process's cost is this."""
    with store.sessions() as session:
        waiting, ticket_due, escalation_due = session.execute(
            select(
                select(Ticket.id).where(waiting_for_judging()).limit(1).scalar_subquery(),
                select(func.min(Ticket.next_due)).scalar_subquery(),
                select(func.min(StoredAlert.escalate_at))
                .where(StoredAlert.escalated_at.is_(None))
                .scalar_subquery(),
            )
        ).one()
    candidates = [now if waiting is not None else None, ticket_due, escalation_due, duties_due]
    found = [when for when in candidates if when is not None]
    return min(found) if found else None
