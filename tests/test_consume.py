"""``slaengine consume``: events from the real NATS JetStream server on 127.0.0.1:4222.

Each test publishes to a stream of its own (deleted afterwards). When NATS cannot be reached
the test is skipped with the reason, except under CI=true, where it fails (.ci/run starts it).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from slaengine.bus.jetstream import EMPTY_MESSAGE, JetStreamConsumer, JetStreamSettings, _covers
from slaengine.clock import SystemClock
from slaengine.store import Store
from slaengine.store.models import Breach, OutboxRow, RejectedInput, StoredEvent, Ticket
from tests.live_support import event, fast_contract, open_service

NATS_URL = os.environ.get("SLAENGINE_TEST_NATS_URL", "nats://127.0.0.1:4222")
SLAENGINE = str(Path(sys.executable).with_name("slaengine"))


async def _publish(stream: str, subject: str, bodies: list[bytes]) -> None:
    import nats

    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        context = connection.jetstream()
        await context.add_stream(name=stream, subjects=[f"{subject}.>"])
        pending = [await context.publish_async(f"{subject}.t", body) for body in bodies]
        await asyncio.gather(*pending)
    finally:
        await connection.close()


async def _delete(stream: str) -> None:
    import nats

    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


@pytest.fixture
def stream() -> Iterator[str]:
    """A stream name of this test's own, deleted afterwards; skipped (failed in CI) without
    NATS."""
    name = f"T{uuid.uuid4().hex[:10].upper()}"
    try:
        asyncio.run(_publish(name, name.lower(), []))
    except Exception as exc:
        reason = f"NATS JetStream not reachable at {NATS_URL}: {exc!r}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI=true: the NATS tests must run)")
        pytest.skip(reason)
    try:
        yield name
    finally:
        asyncio.run(_delete(name))


def _count(store: Store, model: Any) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_9_mid_stream_loses_nothing_and_counts_nothing_twice(
    tmp_path: Path, pg_url: str, stream: str
) -> None:
    store = open_service(pg_url, SystemClock(), fast_contract(), tmp_path).store
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    good: list[bytes] = []
    for n in range(1000):
        at = start + timedelta(seconds=n)
        good.append(orjson.dumps(event("reported", f"T{n}", at, event_id=f"R{n}")))
        good.append(orjson.dumps(event("acknowledged", f"T{n}", at, event_id=f"A{n}")))
    bad = [b"{not json", b"", orjson.dumps({"id": "X1", "contract": "NOPE", "type": "reported"})]
    bodies = good[:700] + bad[:1] + good[700:1400] + bad[1:] + good[1400:] + good[:5]
    subject = stream.lower()
    asyncio.run(_publish(stream, subject, bodies))

    command = [SLAENGINE, "consume", NATS_URL, "--db", pg_url, "--stream", stream]
    command += ["--subject", f"{subject}.>", "--durable", "w", "--batch", "100", "--ack-wait", "1"]
    log = tmp_path / "consume.log"
    with log.open("wb") as output:
        first = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _count(store, StoredEvent) < 400:
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
    finally:
        first.kill()  # SIGKILL: no clean shutdown, mid-stream
        first.wait()
    assert _count(store, StoredEvent) < len(good), "killed too late to prove anything"

    second = subprocess.run([*command, "--drain"], capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert _count(store, StoredEvent) == len(good)  # nothing lost
    with store.sessions() as session:
        rejected = sorted(session.scalars(select(RejectedInput.error)))
    # Each bad message on record exactly once, with its reason; nothing redelivered forever
    # (--drain ends only when no message is pending or unacknowledged).
    assert len(rejected) == 3, rejected
    assert any("not valid JSON" in error for error in rejected)
    assert EMPTY_MESSAGE in rejected
    assert any("'NOPE' is not loaded" in error for error in rejected)
    store.close()


def test_a_redelivered_batch_counts_nothing_twice(tmp_path: Path) -> None:
    """A crash between the commit and the ack: the same messages again, as JetStream redelivers
    them (no NATS needed: this is the consumer's step 1 twice)."""
    service = open_service(
        f"sqlite:///{tmp_path / 's.db'}", SystemClock(), fast_contract(), tmp_path
    )
    consumer = JetStreamConsumer(service, JetStreamSettings(stream="S"))
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    conflict = orjson.dumps(event("reported", "T1", at, event_id="E1", severity="major"))
    batch = [
        (1, orjson.dumps(event("reported", "T1", at, event_id="E1"))),
        (2, b"[1, 2"),
        (3, b"  "),
        (4, conflict),
    ]
    first = consumer._store(batch, redelivered=[])
    assert (len(first.accepted), len(first.rejected)) == (1, 3)
    again = consumer._store(batch, redelivered=[1, 2, 3, 4])
    assert (len(again.accepted), again.duplicates, len(again.rejected)) == (0, 1, 0)
    assert consumer.totals.already_rejected == 3
    assert _count(service.store, RejectedInput) == 3
    # A new message that happens to reuse a sequence number (a stream made anew) is not
    # mistaken for the one on record.
    fresh = consumer._store([(2, b"{also bad")], redelivered=[2])
    assert len(fresh.rejected) == 1
    service.store.close()


def test_subject_patterns_and_bad_options(tmp_path: Path) -> None:
    assert _covers("slaengine.events.>", "slaengine.events.>")
    assert _covers("a.>", "a.b.c") and _covers("a.*", "a.b") and not _covers("a.*", "a.b.c")
    assert not _covers("a.*", "a.>") and not _covers("b.>", "a.b")
    db = str(tmp_path / "s.db")
    bad_url = subprocess.run(
        [SLAENGINE, "consume", "http://x", "--db", db], capture_output=True, text=True
    )
    assert bad_url.returncode == 2 and "give a NATS URL" in bad_url.stderr
    nobody = subprocess.run(
        [SLAENGINE, "consume", "nats://127.0.0.1:1", "--db", db, "--drain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert nobody.returncode == 2, nobody.stderr
    assert "cannot reach NATS at nats://127.0.0.1:1" in nobody.stderr
    assert "Traceback" not in nobody.stderr


@pytest.mark.slow
def test_consume_judges_what_it_stores_with_no_serve_running(
    tmp_path: Path, db_url: str, stream: str
) -> None:
    """Its own judge lane (the due pass in a thread) judges the tickets while it runs: the
    breaches the events make are recorded, their alerts queued in the outbox for a serve."""
    store = open_service(db_url, SystemClock(), fast_contract(), tmp_path).store
    late = datetime.now(UTC) - timedelta(seconds=30)  # the 3 s answer target has passed
    bodies = [orjson.dumps(event("reported", f"L{n}", late, event_id=f"L{n}-r")) for n in range(10)]
    subject = stream.lower()
    asyncio.run(_publish(stream, subject, bodies))
    command = [SLAENGINE, "consume", NATS_URL, "--db", db_url, "--stream", stream]
    command += ["--subject", f"{subject}.>", "--durable", "judge", "--sweep", "3600"]
    log = tmp_path / "consume.log"
    with log.open("wb") as output:
        running = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _count(store, Breach) < 10:  # judged while it runs, not at its exit
            assert running.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        with store.sessions() as session:
            dirty = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.dirty))
        assert dirty == 0
        assert _count(store, OutboxRow) > 0  # queued for a serve to deliver
    finally:
        running.terminate()
        running.wait(30)
    assert running.returncode == 0, log.read_text()
    summary = log.read_text()
    assert "10 event(s) stored" in summary, summary
    assert "10 ticket evaluation(s)" in summary, summary
    store.close()
