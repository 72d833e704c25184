"""The events a history load just stored, judged from memory instead of read back.

Theory of operation
-------------------
``slaengine ingest`` parses every event of its file, stores it, and then judges the tickets it
touched. Reading those events back from the store to judge them costs the database a read of
their bodies and the interpreter a second decoding of each (a tenth of the load's CPU). The
load keeps instead the events it stored, by ticket, each as the store gave it back (its ``seq``:
arrival order), and ``own_events`` judges a ticket from them when the store holds those events of
the ticket **and no others** — the number of events the store holds for the ticket, counted in
the judging transaction with the ticket's row locked, equals the number kept. Events are
append-only (never deleted, never changed under their seq) and the kept ones were committed by
the load, so an equal count means the same events: the judgment is the one a read from the store
gives. A ticket with other events (stored before the load, or by another process since) is read
from the store as always. The contract-wide force majeure is always read from the store
(``Store.batch_events``: one index read, decoded once per process).

No transaction of its own: it reads through the caller's (the judging batch's) session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slaengine.events import Event
from slaengine.store import Store
from slaengine.store.models import StoredEvent

#: The events a history load stored, by (contract, ticket), each list in arrival (seq) order.
Known = Mapping[tuple[str, str], Sequence[Event]]

#: SQLite: tickets per ``IN`` list (its bound-parameter limit is far above; PostgreSQL takes one
#: array parameter whatever the count).
_IN_CHUNK = 500


def stored_counts(
    store: Store, session: Session, contract: str, tickets: Sequence[str]
) -> dict[str, int]:
    """How many events the store holds for each of the contract's ``tickets`` (a ticket with
    none is absent): one grouped read of the index on (contract, ticket, seq)."""
    counts: dict[str, int] = {}
    chunk = max(len(tickets), 1) if store.is_postgres else _IN_CHUNK
    for first in range(0, len(tickets), chunk):
        statement = (
            select(StoredEvent.ticket, func.count())
            .where(
                StoredEvent.contract == contract,
                store.among(StoredEvent.ticket, tickets[first : first + chunk]),
            )
            .group_by(StoredEvent.ticket)
        )
        for ticket, count in session.execute(statement):
            if ticket is not None:
                counts[ticket] = int(count)
    return counts


def own_events(
    store: Store,
    session: Session,
    contract: str,
    tickets: Sequence[str],
    known: Known | None,
) -> tuple[dict[str, list[Event]], list[Event]]:
    """``Store.batch_events`` of the contract's ``tickets`` — their events by ticket and the
    contract's force majeure, each in arrival order — taking a ticket's events from ``known``
    when the store holds exactly those (see the module doc)."""
    if not known:
        return store.batch_events(session, contract, tickets)
    kept = {name: known[(contract, name)] for name in tickets if (contract, name) in known}
    counts = stored_counts(store, session, contract, list(kept)) if kept else {}
    same = {
        name: sorted(events, key=_seq)
        for name, events in kept.items()
        if counts.get(name) == len(events)
    }
    rest = [name for name in tickets if name not in same]
    own, wide = store.batch_events(session, contract, rest)
    own.update(same)
    return own, wide


def _seq(event: Event) -> int:
    return event.seq
