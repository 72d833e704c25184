"""One bad request or one bad ticket hurts no other (docs/reliability.md).

A ticket whose evaluation fails is retried within a second with back-off and then parked, while
every other ticket's breach is raised on time; a transaction that rolls back leaves nothing
behind in the store's caches. Travelled time (FixedClock), real SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from slaengine.clock import FixedClock
from slaengine.service import LiveService
from slaengine.service.due import PARK_AFTER, retry_after
from slaengine.store.models import Breach, StoredEvent, Ticket
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveService]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    service = open_service(url, FixedClock(T0), fast_contract(), tmp_path)
    yield service
    service.store.close()


def _poison(live: LiveService, ticket: str) -> None:
    """A stored event the core cannot read (a body that is not JSON), due now."""
    with live.store.write() as session:
        session.add(
            StoredEvent(
                contract=CONTRACT_ID,
                event_id=f"poison-{ticket}",
                ticket=ticket,
                type="reported",
                at=T0,
                body="{not json",
                fingerprint="-",
                source="test",
                received_at=T0,
            )
        )
        session.add(Ticket(contract=CONTRACT_ID, ticket=ticket, dirty=True, next_due=T0))


def _due(live: LiveService, ticket: str) -> datetime | None:
    with live.store.sessions() as session:
        row = session.scalars(select(Ticket).where(Ticket.ticket == ticket)).one()
        return row.next_due


def _breached(live: LiveService) -> set[str]:
    with live.store.sessions() as session:
        return set(session.scalars(select(Breach.ticket).where(Breach.commitment == "ack")))


def test_a_ticket_that_fails_is_retried_within_a_second_then_parked(
    live: LiveService, caplog: pytest.LogCaptureFixture
) -> None:
    clock = live.clock
    assert isinstance(clock, FixedClock)
    live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(3)], "test")
    _poison(live, "TP")
    clock.set(T0 + timedelta(seconds=3.001))
    live.run_due()
    assert _breached(live) == {"T0", "T1", "T2"}  # on time, despite TP
    waits = []
    for _ in range(1, PARK_AFTER):
        due = _due(live, "TP")
        assert due is not None
        waits.append(due - clock.now())
        clock.set(due)
        live.run_due()
    assert waits == [retry_after(n) for n in range(1, PARK_AFTER)]
    assert sum(waits, timedelta()) < timedelta(seconds=4)
    assert retry_after(1) < timedelta(seconds=1)
    assert live.troubled.parked() == [
        {"contract": CONTRACT_ID, "ticket": "TP", "error": live.troubled.parked()[0]["error"]}
    ]
    assert _due(live, "TP") is None  # parked: the pass no longer picks it
    parked = [r for r in caplog.records if "parked" in r.getMessage()]
    assert len(parked) == 1 and parked[0].levelno == logging.ERROR
    assert "TP" in parked[0].getMessage()
    # The others go on: a new ticket breaches on time after TP was parked.
    live.ingest([(0, event("reported", "T9", clock.now()))], "test")
    clock.advance(timedelta(seconds=3.001))
    live.run_due()
    assert "T9" in _breached(live)


def test_a_rolled_back_transaction_leaves_no_stale_rows_in_the_version_cache(
    live: LiveService,
) -> None:
    with pytest.raises(RuntimeError), live.store.write() as session:
        assert live.store.version_in_effect(session, CONTRACT_ID, None) is not None
        raise RuntimeError("the request failed inside the store")
    with live.store.sessions() as session:
        row = live.store.version_in_effect(session, CONTRACT_ID, None)  # from the cache
        assert row is not None and row.contract == CONTRACT_ID and row.source
    outcome = live.ingest([(0, event("reported", "T1", T0))], "test")
    assert len(outcome.added.accepted) == 1


def test_the_writer_gate_lets_an_urgent_writer_go_before_waiting_ingestion() -> None:
    import threading
    import time

    from slaengine.store.gate import WriterGate

    gate = WriterGate()
    order: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gate.passage(urgent=False):
            holding.set()
            release.wait(10)

    def write(name: str, urgent: bool) -> None:
        with gate.passage(urgent=urgent):
            order.append(name)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    ordinary = threading.Thread(target=write, args=("ingest", False))
    ordinary.start()
    time.sleep(0.05)  # the ingestion is waiting first
    urgent = threading.Thread(target=write, args=("due pass", True))
    urgent.start()
    deadline = time.monotonic() + 10
    while gate._urgent_waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in (holder, ordinary, urgent):
        thread.join(10)
    assert order == ["due pass", "ingest"]
    with gate.passage(urgent=False), gate.passage(urgent=True):  # re-entrant in one thread
        pass


def test_sqlite_commits_survive_power_loss(live: LiveService) -> None:
    from sqlalchemy import text

    if live.store.is_postgres:
        pytest.skip("PostgreSQL: synchronous_commit is the server's")
    with live.store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
