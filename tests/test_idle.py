"""An idle process reads nothing: no store read while nobody commits, yet another process's
commit is seen at once (issue 23, round 2).

The real scheduler and outbox delivery (their threads, the store's watch) over a real SQLite file
and a real PostgreSQL schema, on the system clock; another process is the real ``slaengine
rejudge`` command. What is counted is what the process sends to its store — every statement
through the store's engine — not how long anything takes: a loop that looks at the store on a
timer (as the scheduler and the outbox did four times a second until this round) fails the
count whatever the machine's load.

On SQLite the file is the test's own, so nothing else changes it and an idle window must show no
statement at all. PostgreSQL's watch is cluster-wide (slaengine.store.watch: other databases'
commits, the other test worker's, count as changes), so there each statement must follow a
change the watch noticed — with none noticed, none made.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from slaengine.alerts.model import ChannelSettings
from slaengine.alerts.outbox import OutboxDelivery
from slaengine.clock import SystemClock
from slaengine.scheduler import DueScheduler
from slaengine.service import LiveService
from slaengine.store.models import Ticket
from slaengine.store.watch import EVERY
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

#: Asks of the watch in the idle window (each a chance for a timer loop to read the store).
IDLE_ASKS = 6


class Running:
    """A process's judge lane and delivery over ``service``, and the statements it sends."""

    def __init__(self, service: LiveService) -> None:
        self.service = service
        self.scheduler = DueScheduler(service, sweep_seconds=3600)
        self.delivery = OutboxDelivery(service.store, settings=ChannelSettings())
        service.on_alerts.append(self.delivery.wake)
        self.statements = 0
        self._lock = threading.Lock()
        sa_event.listen(service.store.engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        with self._lock:
            self.statements += 1

    def start(self) -> None:
        self.delivery.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown()
        self.delivery.stop()
        sa_event.remove(self.service.store.engine, "before_cursor_execute", self._count)


@pytest.fixture
def running(db_url: str, tmp_path: Path) -> Iterator[Running]:
    contract = fast_contract(ack_target="2h", onsite_target="4h", escalate_after="1h")
    live = open_service(db_url, SystemClock(), contract, tmp_path)
    process = Running(live)
    process.start()
    try:
        yield process
    finally:
        process.stop()
        live.store.close()


def _waiting(service: LiveService) -> int:
    with service.store.sessions() as session:
        return int(session.scalar(select(func.count()).where(Ticket.dirty.is_(True))) or 0)


def _judged_and_armed_later(running: Running, judged: int, timeout: float = 60.0) -> None:
    service, scheduler = running.service, running.scheduler
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        armed = scheduler.armed_for
        later = armed is not None and armed > service.clock.now() + timedelta(minutes=30)
        if service.judged.tickets >= judged and _waiting(service) == 0 and later:
            return
        time.sleep(0.05)
    raise AssertionError(f"{_waiting(service)} ticket(s) waiting, armed {scheduler.armed_for}")


def _quiet(running: Running, timeout: float = 30.0) -> None:
    """Until the watch has asked twice in a row without a change (the process's own last
    commits have been noticed and looked at)."""
    watch = running.service.store.watch
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        changes, asks = watch.changes, watch.asks
        while watch.asks < asks + 2 and time.monotonic() < give_up:
            time.sleep(EVERY / 4)
        if watch.changes == changes:
            return
    raise AssertionError("the store never went quiet")


def test_an_idle_process_reads_nothing_and_sees_another_process_commit(
    running: Running, db_url: str
) -> None:
    service, scheduler, delivery = running.service, running.scheduler, running.delivery
    now = service.clock.now()
    service.ingest([(0, event("reported", f"IDLE-{n}", now)) for n in range(3)], "test")
    _judged_and_armed_later(running, 3)
    _quiet(running)

    # Idle: the next deadline is hours away and nobody writes.
    watch = service.store.watch
    asks, changes = watch.asks, watch.changes
    statements, passes = running.statements, scheduler.passes
    looks, delivery_looks = scheduler.looks, delivery.looks
    give_up = time.monotonic() + 30
    while watch.asks < asks + IDLE_ASKS and time.monotonic() < give_up:
        time.sleep(EVERY / 2)
    assert watch.asks >= asks + IDLE_ASKS  # the watch kept asking (microseconds, no store read)
    noticed = watch.changes - changes
    read = running.statements - statements
    if service.store.is_postgres:
        # Cluster-wide: another database's commit is a change too. Each change may cost a look
        # and the outbox's (a few statements); with no change, nothing.
        assert scheduler.looks - looks <= noticed
        assert read <= 8 * noticed, (read, noticed)
    else:
        assert noticed == 0
        assert read == 0, f"{read} statement(s) sent by an idle process"
        assert scheduler.looks == looks and delivery.looks == delivery_looks
    assert scheduler.passes == passes  # no pass runs while nothing is due

    # Another process marks the tickets for re-judging (no signal reaches this one but the
    # commit itself): the watch notices it, the look arms a pass, the pass judges them.
    judged = service.judged.tickets
    marked = subprocess.run(
        [sys.executable, "-m", "slaengine", "rejudge", "--contract", CONTRACT_ID, "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert marked.returncode == 0, marked.stderr
    _judged_and_armed_later(running, judged + 3)
    assert scheduler.looks > looks


def test_the_rule_engine_starts_no_threads_of_its_own(tmp_path: Path) -> None:
    """durable_rules' Host starts two timer chains (a new thread every 0.2 s each, for ever);
    slaengine's host starts none, and matching still works."""
    from slaengine.contract.loader import parse_contract
    from slaengine.ruleset import matcher

    contract = parse_contract(fast_contract(), tmp_path / "fast.yaml")
    found = matcher.Matcher(contract).match("reported", severity="general")
    assert found  # the ack and onsite clocks start
    host = matcher._the_host()
    assert getattr(host, "_d_timer", None) is None and getattr(host, "_t_timer", None) is None
    time.sleep(0.3)  # longer than durable_rules' period
    assert not [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]
