"""Cross-process wake-ups on PostgreSQL (slaengine.store.wakeups): a storing transaction's NOTIFY
reaches a listener on another connection at the commit — not before, not for a rolled-back
transaction, and not for a store kept in another schema. Real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slaengine.clock import SystemClock
from slaengine.store.wakeups import CHANNEL, Listener, channel_of
from tests.live_support import event, fast_contract, open_service

pytestmark = pytest.mark.postgres


def test_the_channel_is_the_stores_schemas() -> None:
    assert channel_of("public") == CHANNEL == "slaengine_due"
    assert channel_of("t_abc") == "slaengine_due_t_abc"
    assert len(channel_of("s" * 100)) == 63


def test_a_commit_that_stores_events_wakes_a_listener_and_a_rollback_does_not(
    pg_url: str, tmp_path: Path
) -> None:
    service = open_service(pg_url, SystemClock(), fast_contract("http://127.0.0.1:9"), tmp_path)
    store = service.store
    woken, duties = threading.Event(), threading.Event()
    with store.sessions() as session:
        channel = store.wake_channel(session)
    assert channel.startswith("slaengine_due_t_")  # the fixture's own schema
    listener = Listener(store.engine, channel, woken.set, duties.set)
    listener.start()
    try:
        # A transaction that fails after storing sends nothing.
        with pytest.raises(RuntimeError), store.write() as session:
            from slaengine.store import wakeups

            wakeups.notify(session, channel)
            raise RuntimeError("rolled back")
        assert not woken.wait(1.0)
        # Storing an event notifies at its commit.
        now = datetime.now(UTC)
        added = store.add_events([(1, event("reported", "W-1", now))], "test")
        assert len(added.accepted) == 1
        assert woken.wait(5.0), "no wake-up after the commit"
        woken.clear()
        # A duplicate stores nothing and wakes nobody.
        store.add_events([(1, event("reported", "W-1", now, event_id=added.accepted[0].id))], "t")
        assert not woken.wait(1.0)
        assert listener.heard == 1 and not duties.is_set()
        # An event without a ticket (an inspection) says the duties are due.
        inspection = event("inspection_done", "x", now)
        del inspection["ticket"]
        assert len(store.add_events([(1, inspection)], "test").accepted) == 1
        assert woken.wait(5.0) and duties.is_set()
    finally:
        listener.stop()
        store.close()


def test_a_store_in_another_schema_does_not_wake_this_stores_listener(
    pg_url: str, tmp_path: Path
) -> None:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    mine = open_service(pg_url, SystemClock(), fast_contract("http://127.0.0.1:9"), tmp_path)
    schema = f"t_other_{uuid.uuid4().hex[:10]}"
    engine = create_engine(make_url(pg_url).set(query={}), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
        (tmp_path / "other").mkdir()
        other = open_service(
            url.render_as_string(hide_password=False),
            SystemClock(),
            fast_contract("http://127.0.0.1:9"),
            tmp_path / "other",
        )
        woken = threading.Event()
        with mine.store.sessions() as session:
            listener = Listener(mine.store.engine, mine.store.wake_channel(session), woken.set)
        listener.start()
        try:
            other.store.add_events([(1, event("reported", "O-1", datetime.now(UTC)))], "test")
            assert not woken.wait(1.0), "another schema's commit woke this store's judge"
            mine.store.add_events([(1, event("reported", "M-1", datetime.now(UTC)))], "test")
            assert woken.wait(5.0)
        finally:
            listener.stop()
            other.store.close()
            mine.store.close()
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_a_listener_whose_connection_is_cut_reconnects_and_wakes_once(
    pg_url: str, tmp_path: Path
) -> None:
    """The database drops the listening connection (a restart, an operator): the listener
    reopens it, wakes the judge once (a notification sent meanwhile was lost; the store is the
    truth), and hears the next commit."""
    from sqlalchemy import text

    service = open_service(pg_url, SystemClock(), fast_contract("http://127.0.0.1:9"), tmp_path)
    store = service.store
    woken = threading.Event()
    with store.sessions() as session:
        channel = store.wake_channel(session)
    listener = Listener(store.engine, channel, woken.set)
    listener.start()
    try:
        with store.write() as session:
            cut = session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = :listen"
                ),
                {"listen": f'LISTEN "{channel}"'},
            ).scalars()
            assert list(cut) == [True]
        assert woken.wait(10.0), "no wake-up after the listener reconnected"
        woken.clear()
        store.add_events([(1, event("reported", "R-1", datetime.now(UTC)))], "test")
        assert woken.wait(5.0), "the reconnected listener did not hear the commit"
    finally:
        listener.stop()
        store.close()
