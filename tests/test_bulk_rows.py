"""slaengine.store.bulk: rows inserted and updated in one statement, on SQLite and PostgreSQL.

The judging path's writes (new clocks, breaches and penalty lines; changed clocks and ticket
marks) go through these two functions; tests/test_history_load.py shows the judged result equals
the due pass's. Here: what is stored is what was given (time zones, NULL-only columns, booleans,
integers into integer columns), the ids read back belong to the rows that carry them, and an
update touches only the rows named.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, select

from slaengine.clock import FixedClock
from slaengine.store import Store
from slaengine.store.bulk import insert_rows, update_rows
from slaengine.store.models import Breach, Ticket

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
BREACHES = cast(Table, Breach.__table__)
TICKETS = cast(Table, Ticket.__table__)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url, FixedClock(T0))
    try:
        yield opened
    finally:
        opened.close()


def _breach(ticket: str, cycle: int, deadline: datetime) -> dict[str, Any]:
    return {
        "contract": "C",
        "kind": "clock",
        "ticket": ticket,
        "commitment": "resolve",
        "cycle": cycle,
        "occurrence": 0,
        "start_key": "",
        "status": "open",
        "severity": None,
        "deadline": deadline,
        "stopped_at": None,
        "late_by_seconds": 60,
        "detected_at": T0,
        "revision": 1,
        "withdrawn_at": None,
        "withdrawn_reason": None,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "updated_at": T0,
    }


def test_inserted_rows_are_stored_as_given_and_their_ids_read_back(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    rows = [_breach(f"T{n}", n, datetime(2026, 3, 1, 9, n, tzinfo=paris)) for n in range(5)]
    with store.write() as session:
        found = insert_rows(session, BREACHES, rows, ("id", "ticket", "cycle"))
    ids = {ticket: id_ for id_, ticket, _ in found}
    assert sorted(ids) == ["T0", "T1", "T2", "T3", "T4"]
    with store.sessions() as session:
        stored = {b.ticket: b for b in session.scalars(select(Breach))}
    for n in range(5):
        breach = stored[f"T{n}"]
        assert breach.id == ids[f"T{n}"]
        assert breach.cycle == n
        assert breach.deadline == datetime(2026, 3, 1, 8, n, tzinfo=UTC)
        assert breach.severity is None
        assert breach.withdrawn_reason is None


def test_an_update_sets_the_named_rows_only(store: Store) -> None:
    with store.write() as session:
        insert_rows(
            session,
            TICKETS,
            [
                {"contract": "C", "ticket": name, "dirty": True, "next_due": T0}
                for name in ("A", "B", "C")
            ],
        )
    with store.sessions() as session:
        ids = {t.ticket: t.id for t in session.scalars(select(Ticket))}
    later = T0 + timedelta(hours=2)
    with store.write() as session:
        update_rows(
            session,
            TICKETS,
            [
                {"id": ids["A"], "dirty": False, "evaluated_at": T0, "next_due": None},
                {"id": ids["C"], "dirty": False, "evaluated_at": T0, "next_due": later},
            ],
        )
    with store.sessions() as session:
        stored = {t.ticket: t for t in session.scalars(select(Ticket))}
    assert (stored["A"].dirty, stored["A"].evaluated_at, stored["A"].next_due) == (False, T0, None)
    assert (stored["B"].dirty, stored["B"].evaluated_at, stored["B"].next_due) == (True, None, T0)
    assert (stored["C"].dirty, stored["C"].next_due) == (False, later)


def test_nothing_to_write_sends_nothing(store: Store) -> None:
    with store.write() as session:
        assert insert_rows(session, BREACHES, [], ("id",)) == []
        update_rows(session, TICKETS, [])


def test_rows_inserted_without_reading_ids_back_are_stored_as_given(store: Store) -> None:
    """The rows whose ids are not read back (PostgreSQL: a binary ``COPY``, each value in its
    column's type): offsets, NULLs, integers, booleans and text with tabs, newlines,
    backslashes and Chinese, as given."""
    tokyo = timezone(timedelta(hours=9))
    odd = 'a\tb\nc\\d "e" 超时'
    rows = [
        {
            **_breach(f"U{n}", n, datetime(2026, 3, 1, 18, n, tzinfo=tokyo)),
            "late_by_seconds": 2**31 - 1 - n,
            "withdrawn_reason": odd if n % 2 else None,
            "stopped_at": None if n % 2 else T0 + timedelta(seconds=n),
        }
        for n in range(3)
    ]
    tickets = [
        {"contract": "C", "ticket": odd, "dirty": True, "next_due": None},
        {"contract": "C", "ticket": "V", "dirty": False, "next_due": T0},
    ]
    with store.write() as session:
        assert insert_rows(session, BREACHES, rows) == []
        assert insert_rows(session, TICKETS, tickets) == []
    with store.sessions() as session:
        stored = {b.ticket: b for b in session.scalars(select(Breach))}
        marks = {t.ticket: (t.dirty, t.next_due) for t in session.scalars(select(Ticket))}
    for n in range(3):
        breach = stored[f"U{n}"]
        assert breach.deadline == datetime(2026, 3, 1, 9, n, tzinfo=UTC)
        assert breach.late_by_seconds == 2**31 - 1 - n
        assert breach.withdrawn_reason == (odd if n % 2 else None)
        assert breach.stopped_at == (None if n % 2 else T0 + timedelta(seconds=n))
        assert (breach.cycle, breach.revision, breach.detected_at) == (n, 1, T0)
    assert marks == {odd: (True, None), "V": (False, T0)}
