"""Intake: events offered by the API, ``ingest`` or ``consume`` are stored; their tickets judged.

Theory of operation
-------------------
Storing is ``Store.add_events``: it validates, deduplicates and stores the events and marks each
touched ticket row ``dirty`` (and due at once). Judging is what costs (milliseconds per ticket,
against microseconds per stored event), so the write paths that must keep up with a feed — ``POST
/events`` (group commit), ``POST /events/batch``, ``slaengine consume`` — do not judge: they
answer (or ack) at their commit and wake the process's due pass (``LiveService.stored``), the
*judge lane*, which claims the dirty tickets in batches (slaengine.service.due) right after; an
event that makes a breach still alerts within milliseconds. ``slaengine ingest`` (one-shot, no
due pass of its own) and callers that ask (``LiveService.ingest(judge=True)``) evaluate the
touched tickets here, right after storing (``evaluate_tickets``). Whatever this does not finish
stays dirty and due, for the due pass.

Transaction boundaries: storing the events is one transaction; evaluating the touched tickets is
one more per ``EVALUATE_CHUNK`` tickets. Each chunk locks its dirty ticket rows in one statement
— on PostgreSQL with ``SKIP LOCKED``: a row another worker holds is being evaluated by it; if it
read the ticket's events before ours were stored, storing (which does not wait for its lock)
put the ticket in ``ticket_marks``, and the due pass judges it again after (Store.fold_marks);
a row it skips stays dirty and due, for the due pass. If a chunk fails (one ticket the core
cannot evaluate), its tickets are evaluated one by one, so the error is that ticket's alone; a
ticket that still fails is left dirty and due (its events are stored and answered) for the due
pass, which retries it with back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import Row, select

from slaengine.service.clock_rows import sync_rows
from slaengine.service.raising import Raiser
from slaengine.store import AddResult, Store
from slaengine.store.models import Ticket

logger = logging.getLogger("slaengine.service")

#: Tickets evaluated in one transaction by ingestion (a contract-wide event touches them all).
EVALUATE_CHUNK = 200
#: Tickets of a history load (``judge_history``) handed to one worker at a time.
HISTORY_PART = 1_000
#: Tickets of a history load judged before the statistics of the tables judging fills are
#: refreshed the first time; again each time the count doubles (a handful of ANALYZEs for a
#: million events). Judging a history fills ``clocks`` from nothing: a plan made while it was
#: small reads every clock of the contract for each batch (measured: 1.5 s at 170,000 clocks,
#: against 1-2 ms through the index on (contract, ticket) once analysed).
ANALYZE_JUDGED_FROM = 1_000
#: What judging a history writes (their statistics are refreshed as they grow).
JUDGED_TABLES = ("clocks", "breaches", "penalty_lines", "tickets")


@dataclass
class IngestOutcome:
    added: AddResult
    #: Tickets evaluated in the call (0 when they were left to the judge lane).
    evaluated: int
    #: Alerts those evaluations queued; None when the tickets were left to the judge lane (it
    #: cannot be known at the commit).
    alerts: int | None


def evaluate_tickets(
    store: Store, raiser: Raiser, now: datetime, tickets: Iterable[tuple[str, str]]
) -> int:
    """Evaluate the tickets that have unevaluated events, ``EVALUATE_CHUNK`` per transaction;
    the number of alerts raised."""
    pairs = sorted(set(tickets))
    alerts = 0
    for first in range(0, len(pairs), EVALUATE_CHUNK):
        chunk = pairs[first : first + EVALUATE_CHUNK]
        try:
            alerts += evaluate_chunk(store, raiser, now, chunk)
        except Exception:
            if len(chunk) == 1:
                _left_to_the_due_pass(chunk[0])
                continue
            logger.exception("evaluating %d tickets together failed; one by one", len(chunk))
            for pair in chunk:
                try:
                    alerts += evaluate_chunk(store, raiser, now, [pair])
                except Exception:
                    _left_to_the_due_pass(pair)
    return alerts


def judge_history(
    store: Store,
    raiser: Raiser,
    now: Callable[[], datetime],
    tickets: Iterable[tuple[str, str]],
    advance: Callable[[int], None] | None = None,
) -> int:
    """Judge the tickets a history load stored: ``evaluate_tickets`` (the due pass's
    ``sync_rows``, ``EVALUATE_CHUNK`` tickets a transaction) over parts of ``HISTORY_PART``
    tickets, two parts at a time on PostgreSQL (one part's Python work goes on while the other
    waits for the database; disjoint rows, so neither waits for the other's locks), one at a
    time on SQLite (one writer). PostgreSQL's statistics of the tables judging fills are
    refreshed as they grow (``ANALYZE_JUDGED_FROM``). The number of alerts raised."""
    ordered = sorted(set(tickets))
    size = HISTORY_PART
    parts = [ordered[first : first + size] for first in range(0, len(ordered), size)]

    def judge(part: list[tuple[str, str]]) -> int:
        return evaluate_tickets(store, raiser, now(), part)

    alerts = judged = 0
    analyze_at = ANALYZE_JUDGED_FROM
    workers = 2 if store.is_postgres else 1
    pool = ThreadPoolExecutor(workers, thread_name_prefix="slaengine-history")
    try:
        for part, raised in zip(parts, pool.map(judge, parts), strict=True):
            alerts += raised
            judged += len(part)
            if advance is not None:
                advance(len(part))
            if analyze_at <= judged < len(ordered):
                store.refresh_statistics(JUDGED_TABLES)
                analyze_at *= 2
    finally:
        # Stopped (Ctrl-C, the database gone): the parts not begun are dropped, their tickets
        # stay dirty and due for the due pass; the ones in hand finish or roll back.
        pool.shutdown(wait=True, cancel_futures=True)
    return alerts


def _left_to_the_due_pass(pair: tuple[str, str]) -> None:
    # The events are stored (and answered): the ticket stays dirty and due, so the due pass
    # tries it again at once, with back-off and parking (slaengine.service.due).
    logger.warning(
        "evaluating ticket %s of contract %s after intake failed; the due pass tries again",
        pair[1],
        pair[0],
        exc_info=True,
    )


def evaluate_chunk(
    store: Store, raiser: Raiser, now: datetime, pairs: list[tuple[str, str]]
) -> int:
    """Lock the dirty rows of ``pairs`` (sorted) and evaluate them, in one transaction."""
    with store.write() as session:
        rows: list[Row[tuple[int, str, str]]] = []
        for contract, group in groupby(pairs, key=lambda pair: pair[0]):
            # plain rows (sync_rows reads id, contract, ticket); one array parameter on PostgreSQL
            query = (
                select(Ticket.id, Ticket.contract, Ticket.ticket)
                .where(
                    Ticket.contract == contract,
                    store.among(Ticket.ticket, [ticket for _, ticket in group]),
                    Ticket.dirty.is_(True),
                )
                .order_by(Ticket.id)
            )
            if store.is_postgres:
                query = query.with_for_update(skip_locked=True)
            rows.extend(session.execute(query))
        # Rows not found were evaluated by another worker after our events were stored.
        return sync_rows(store, raiser, session, rows, now)
