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

Transaction boundaries: storing the events is one transaction; evaluating the touched tickets is one
more per ``EVALUATE_CHUNK`` tickets (``HISTORY_CHUNK`` for a history load, whose judging may run in
forked worker processes: ``judge_history``). Each chunk locks its dirty ticket rows in one statement
— on PostgreSQL with ``SKIP LOCKED``: a row another worker holds is being evaluated by it; if it
read the ticket's events before ours were stored, storing (which does not wait for its lock) put the
ticket in ``ticket_marks``, and the due pass judges it again after (Store.fold_marks); a row it
skips stays dirty and due, for the due pass. If a chunk fails (one ticket the core cannot evaluate),
its tickets are evaluated one by one, so the error is that ticket's alone; a ticket that still fails
is left dirty and due (its events are stored and answered) for the due pass, which retries it with
back-off.
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import Row, select

from slaengine.service.clock_rows import sync_rows
from slaengine.service.history_events import Known
from slaengine.service.raising import Raiser
from slaengine.store import AddResult, Store
from slaengine.store.models import Ticket

logger = logging.getLogger("slaengine.service")

#: Tickets evaluated in one transaction by ingestion (a contract-wide event touches them all).
EVALUATE_CHUNK = 200
#: Tickets of a history load (``judge_history``) handed to one worker at a time.
HISTORY_PART = 2_000
#: Tickets of a history load judged in one transaction: fewer commits (each waits for the
#: server's flush to disk, ~5 ms here) and round trips than ``EVALUATE_CHUNK``; nothing waits
#: for these fresh rows meanwhile (the due pass skips a locked row).
HISTORY_CHUNK = 500
#: Tickets of a history load judged before the statistics of the tables judging fills are
#: refreshed the first time; again each time the count grows ``ANALYZE_GROWTH``-fold (a
#: handful of ANALYZEs for a million events). Judging a history fills ``clocks`` from nothing:
#: a plan made while it was small reads every clock of the contract for each batch (measured:
#: 1.5 s at 170,000 clocks, against 1-2 ms through the index on (contract, ticket) once
#: analysed). Once analysed, the estimates grow with the table: ANALYZE keeps the distinct
#: tickets of a large table as a share of its rows (``pg_stats.n_distinct`` < 0), and the
#: planner scales it by the table's size (index scans on ``uq_clock``, ``uq_breach``,
#: ``ix_penalty_lines_ticket``, ``ix_events_ticket`` at 20,000 and 200,000 events alike).
ANALYZE_JUDGED_FROM = 1_000
ANALYZE_GROWTH = 4
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
    store: Store,
    raiser: Raiser,
    now: datetime,
    tickets: Iterable[tuple[str, str]],
    known: Known | None = None,
    size: int = EVALUATE_CHUNK,
) -> int:
    """Evaluate the tickets that have unevaluated events, ``size`` per transaction; the number
    of alerts raised. ``known``: the events a history load stored (see ``sync_rows``)."""
    pairs = sorted(set(tickets))
    alerts = 0
    for first in range(0, len(pairs), size):
        chunk = pairs[first : first + size]
        try:
            alerts += evaluate_chunk(store, raiser, now, chunk, known)
        except Exception:
            if len(chunk) == 1:
                _left_to_the_due_pass(chunk[0])
                continue
            logger.exception("evaluating %d tickets together failed; one by one", len(chunk))
            for pair in chunk:
                try:
                    alerts += evaluate_chunk(store, raiser, now, [pair], known)
                except Exception:
                    _left_to_the_due_pass(pair)
    return alerts


def judge_history(
    store: Store,
    raiser: Raiser,
    now: Callable[[], datetime],
    tickets: Iterable[tuple[str, str]],
    advance: Callable[[int], None] | None = None,
    known: Known | None = None,
    processes: int = 0,
) -> int:
    """Judge the tickets a history load stored: ``evaluate_tickets`` (the due pass's
    ``sync_rows``, ``HISTORY_CHUNK`` tickets a transaction; from the ``known`` events the load
    stored where the store holds those and no others) over parts of ``HISTORY_PART`` tickets.
    On PostgreSQL several parts at a time (disjoint rows, so none waits for another's locks):
    one in each of ``processes`` worker processes forked from this one (``slaengine ingest``:
    the judging is Python work, and one interpreter runs one thread at a time) where the
    platform forks, ``processes`` is 2 or more and there are two parts or more; else two (or
    ``processes``) in threads (one part's Python work goes on while another waits for the
    database); one at a time on SQLite (one writer). PostgreSQL's
    statistics of the tables judging fills are refreshed as they grow
    (``ANALYZE_JUDGED_FROM``). The number of alerts raised."""
    global _FORKED
    ordered = sorted(set(tickets))
    workers = max(processes, 2) if store.is_postgres else 1
    # at least two parts a worker, so that none is left idle while another ends a long part
    size = max(min(HISTORY_PART, math.ceil(len(ordered) / (2 * workers))), 1)
    parts = [ordered[first : first + size] for first in range(0, len(ordered), size)]

    def judge(part: list[tuple[str, str]]) -> int:
        return evaluate_tickets(store, raiser, now(), part, known, HISTORY_CHUNK)

    alerts = judged = 0
    analyze_at = ANALYZE_JUDGED_FROM
    forked = (
        processes > 1
        and store.is_postgres
        and len(parts) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )
    pool: Executor
    # What exists now (the events kept, by the hundred thousand) is only read by the judging:
    # kept out of the garbage collector's full walks, which would cost seconds over a large
    # history (and, in a forked child, write to and so copy every page of it).
    gc.freeze()
    if forked:
        # The children inherit the store, the events kept and this module (no pickling of
        # them); each opens connections of its own. This process closes its pool first, so
        # no connection is shared with a child (one would end the other's session).
        store.engine.dispose()
        _FORKED = (store, raiser, now, known)
        pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_forked_start,
        )
        work: Callable[[list[tuple[str, str]]], int] = _judge_forked
    else:
        pool = ThreadPoolExecutor(workers, "slaengine-history")
        work = judge
    try:
        for part, raised in zip(parts, pool.map(work, parts), strict=True):
            alerts += raised
            judged += len(part)
            if advance is not None:
                advance(len(part))
            if analyze_at <= judged < len(ordered):
                store.refresh_statistics(JUDGED_TABLES)
                analyze_at *= ANALYZE_GROWTH
    finally:
        # Stopped (Ctrl-C, the database gone): the parts not begun are dropped, their tickets
        # stay dirty and due for the due pass; the ones in hand finish or roll back.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _FORKED = None
    return alerts


#: What a forked worker of ``judge_history`` judges with: the store, the raiser, the clock and
#: the events kept (set in the parent just before the fork; None otherwise).
_FORKED: tuple[Store, Raiser, Callable[[], datetime], Known | None] | None = None


def _forked_start() -> None:
    """A forked worker begins with a pool of connections of its own (none is open in the
    parent at the fork; ``close=False`` leaves anything inherited untouched all the same)."""
    assert _FORKED is not None
    _FORKED[0].engine.dispose(close=False)


def _judge_forked(part: list[tuple[str, str]]) -> int:
    assert _FORKED is not None
    store, raiser, now, known = _FORKED
    return evaluate_tickets(store, raiser, now(), part, known, HISTORY_CHUNK)


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
    store: Store,
    raiser: Raiser,
    now: datetime,
    pairs: list[tuple[str, str]],
    known: Known | None = None,
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
        return sync_rows(store, raiser, session, rows, now, known)
