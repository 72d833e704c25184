"""The tickets to judge: marking them ``dirty`` and due, and claiming them for the due pass.

Intake marks the tickets its events touch (``_mark_dirty``: due now) and, for a force majeure,
those with a clock it overlaps (``_mark_overlapping``: re-judged in the background, their
deadlines keeping their place). On PostgreSQL a ticket whose row another transaction holds (a
due pass judging it) is not waited for: it is appended to ``ticket_marks`` in that transaction
instead, and the due pass folds the marks into ``dirty`` before it claims (``fold_marks``), so
storing never waits for judging. The due pass claims with ``claim_due`` and ``claim_dirty``; on
PostgreSQL with ``FOR UPDATE SKIP LOCKED`` (see slaengine.service.due).

Tables: ``tickets`` (marked, claimed), ``ticket_marks`` (appended, folded), ``clocks`` (read:
which tickets a force majeure overlaps). Transactions: ``fold_marks`` one write of its own
(urgent); the others run in the caller's session (intake's, the due pass's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from slaengine.events import Event, parse_time
from slaengine.store.base import _IN_CHUNK, StoreBase, _pg_execute
from slaengine.store.models import StoredClock, Ticket, TicketMark


class TicketsMixin(StoreBase):
    """The store's queue of tickets to judge (see the module doc)."""

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


def waiting() -> ColumnElement[bool]:
    """The tickets waiting to be judged again, as the partial index ``ix_tickets_waiting``
    states it (migration 0005): ``dirty = true`` — PostgreSQL folds it to the index's ``dirty``,
    SQLite renders ``dirty = 1``, its condition word for word."""
    return Ticket.dirty == true()
