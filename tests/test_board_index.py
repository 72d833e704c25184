"""The board over the clock indexes of migration 0003: every page and every filter lists the
clocks in the order the board promises (open breaches, then clocks past their warning time, then
the rest, each by deadline then id), counted right, on SQLite and PostgreSQL; and on SQLite each
of the board's queries reads ``clocks`` through an index, without a scan, and sorts nothing but
the clocks past their warning time (what keeps a page fast at 100,000 running clocks;
bench/run.py --sections console measures it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from slaengine.clock import FixedClock
from slaengine.clocks import BREACHED, CANCELLED, MET, PAUSED, RUNNING
from slaengine.console import board as board_module
from slaengine.console.board import ASSET_TICKETS_LISTED, PAGE_SIZE, RECENT, Filters, board
from slaengine.store import Store
from slaengine.store.models import StoredClock
from tests.live_support import CONTRACT_ID, event, fast_contract

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
FILTERS = [
    Filters(),
    Filters(contract="C-2"),
    Filters(commitment="onsite"),
    Filters(severity="major"),
    Filters(contract="C-1", commitment="ack", severity="general"),
]


def _clocks() -> list[StoredClock]:
    """A mix of every status, with shared deadlines (ties fall to the id) and warning times on
    both sides of NOW, enough for the groups to straddle page boundaries."""
    rows = []
    statuses = [RUNNING, RUNNING, RUNNING, PAUSED, BREACHED, MET, CANCELLED]
    for n in range(3 * PAGE_SIZE + 17):
        status = statuses[n % len(statuses)]
        deadline = NOW + timedelta(minutes=(n * 37) % 23 - 11)
        stopped = status in (MET, BREACHED) and n % 3 == 0
        rows.append(
            StoredClock(
                contract=f"C-{n % 2 + 1}",
                ticket=f"T{n}",
                commitment=("ack", "onsite", "fix")[n % 3],
                cycle=1,
                status=status,
                severity=("general", "major")[n % 5 == 0],
                started_at=NOW - timedelta(hours=1),
                deadline=deadline,
                warn_at=None if n % 4 == 0 else deadline - timedelta(minutes=(n * 7) % 19),
                stopped_at=deadline + timedelta(seconds=n) if stopped else None,
                cancelled_at=NOW if status == CANCELLED else None,
                late_by_seconds=0,
                warned_at=None,
                next_due=None,
                updated_at=NOW,
            )
        )
    return rows


def _expected(clocks: list[StoredClock], filters: Filters) -> tuple[list[int], list[int]]:
    """The board's order and its recently stopped clocks, worked out in Python."""

    def kept(c: StoredClock) -> bool:
        return all(
            want is None or have == want
            for want, have in (
                (filters.contract, c.contract),
                (filters.commitment, c.commitment),
                (filters.severity, c.severity),
            )
        )

    def urgency(c: StoredClock) -> int:
        if c.status == BREACHED and c.stopped_at is None and c.cancelled_at is None:
            return 0
        return 1 if c.warn_at is not None and c.warn_at <= NOW else 2

    live = [c for c in clocks if kept(c) and (c.status in (RUNNING, PAUSED) or urgency(c) == 0)]
    order = [c.id for c in sorted(live, key=lambda c: (urgency(c), c.deadline, c.id))]
    stopped = [
        c for c in clocks if kept(c) and c.status in (MET, BREACHED) and c.stopped_at is not None
    ]
    recent = sorted(stopped, key=lambda c: (c.stopped_at, c.id), reverse=True)[:RECENT]
    return order, [c.id for c in recent]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, list[Any]]]:
    url = (
        f"sqlite:///{tmp_path / 'board.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    store = Store.open(url, FixedClock(NOW))
    with store.sessions.begin() as session:
        session.add_all(_clocks())
        session.flush()
        clocks = list(session.query(StoredClock))
        session.expunge_all()
    yield store, clocks
    store.close()


def test_every_page_and_filter_lists_the_clocks_in_the_promised_order(
    filled: tuple[Store, list[StoredClock]],
) -> None:
    store, clocks = filled
    for filters in FILTERS:
        order, recent = _expected(clocks, filters)
        pages = max(1, -(-len(order) // PAGE_SIZE))
        for page in range(1, pages + 2):  # one past the last: shown as the last
            shown = board(store, filters, NOW, page)
            first = (min(page, pages) - 1) * PAGE_SIZE
            assert [r.clock.id for r in shown.rows] == order[first : first + PAGE_SIZE], (
                filters,
                page,
            )
            assert (shown.total, shown.page, shown.pages) == (len(order), min(page, pages), pages)
            assert [r.clock.id for r in shown.recent] == recent


def test_sqlite_reads_every_board_query_through_an_index(tmp_path: Path) -> None:
    path = tmp_path / "board.db"
    store = Store.open(f"sqlite:///{path}", FixedClock(NOW))
    with store.sessions.begin() as session:
        session.add_all(_clocks())
    statements: list[tuple[str, Any]] = []

    def seen(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and " clocks" in statement:
            statements.append((statement, parameters))

    sa_event.listen(store.engine, "before_cursor_execute", seen)
    for filters in FILTERS:
        for page in (1, 2, 99):
            board(store, filters, NOW, page)
    store.close()
    assert len(statements) >= 5 * len(FILTERS) * 3
    plans = sqlite3.connect(path)
    try:
        for statement, parameters in statements:
            steps = [row[3] for row in plans.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            on_clocks = [s for s in steps if " clocks" in s]
            assert on_clocks and all("INDEX" in s or "PRIMARY KEY" in s for s in on_clocks), (
                statement,
                steps,
            )
            # Only the clocks past their warning time (a range of their own index) are sorted.
            sorts = any("TEMP B-TREE" in s for s in steps)
            assert not sorts or "ix_clocks_live_warn (warn_at>? AND warn_at<?)" in steps[0], (
                statement,
                steps,
            )
    finally:
        plans.close()


@pytest.mark.parametrize("listed", [ASSET_TICKETS_LISTED, 1])
def test_the_asset_filter_lists_the_clocks_of_the_assets_tickets(
    filled: tuple[Store, list[StoredClock]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    listed: int,
) -> None:
    """Whether the asset's tickets are listed once per page or (more than ``listed``) asked for
    in each query, the page is the same."""
    store, clocks = filled
    monkeypatch.setattr(board_module, "ASSET_TICKETS_LISTED", listed)
    for contract in ("C-1", "C-2"):
        written = tmp_path / f"{contract}.yaml"
        written.write_text(fast_contract().replace(CONTRACT_ID, contract), encoding="utf-8")
        store.load_contract(written.read_text(encoding="utf-8"), written)
    named = [
        (n, event("reported", f"T{n}", NOW, contract=f"C-{n % 2 + 1}", asset=f"U{n % 3}"))
        for n in range(40)
    ]
    assert len(store.add_events(named, "test").accepted) == len(named)
    tickets = {(f"C-{n % 2 + 1}", f"T{n}") for n in range(40) if n % 3 == 1}
    order, _ = _expected([c for c in clocks if (c.contract, c.ticket) in tickets], Filters())
    shown = board(store, Filters(asset="U1"), NOW)
    assert [r.clock.id for r in shown.rows] == order and shown.total == len(order)
    assert {r.asset for r in shown.rows} == {"U1"}
    assert board(store, Filters(asset="none"), NOW).rows == []
