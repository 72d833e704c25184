"""History loaded into a fresh service is recorded, not alerted; a deadline that passed while the
service was down still alerts (``LiveService.quiet_history``, ``serve --alert-history``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from slaengine.clock import FixedClock
from slaengine.service import LiveService
from slaengine.store.models import Breach, StoredAlert
from tests.live_support import event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


def _count(live: LiveService, model: type) -> int:
    with live.store.sessions() as session:
        found: int = session.scalar(select(func.count()).select_from(model))
        return found


def test_history_in_a_fresh_store_is_recorded_without_alerts(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    live = open_service(f"sqlite:///{tmp_path / 's.db'}", clock, fast_contract(), tmp_path)
    live.store.add_events([(i, event("reported", f"H{i}", T0)) for i in range(3)], "history")
    clock.set(T0 + timedelta(days=30))  # a month later, a service starts on that store
    assert live.quiet_history() == clock.now()
    live.run_due()
    assert _count(live, Breach) == 6  # ack and onsite of three tickets: on record
    assert _count(live, StoredAlert) == 0  # and nobody is woken for last month
    live.ingest([(0, event("reported", "NEW", clock.now()))], "api")
    clock.advance(timedelta(seconds=3.5))
    live.run_due()
    assert _count(live, StoredAlert) > 0  # what happens from now on alerts as ever
    live.store.close()


def test_a_deadline_passed_while_the_service_was_down_still_alerts(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = open_service(url, clock, fast_contract(), tmp_path)
    first.ingest([(0, event("reported", "T1", T0))], "api")  # evaluated at T0
    first.store.close()
    clock.set(T0 + timedelta(seconds=10))  # down meanwhile: ack (3 s) passed at T0 + 3 s
    second = open_service(url, clock, fast_contract(), tmp_path)
    assert second.quiet_history() == T0
    second.run_due()
    with second.store.sessions() as session:
        kinds = set(session.scalars(select(StoredAlert.kind)))
    assert "breach" in kinds
    second.store.close()


def test_an_event_received_after_start_alerts_even_when_its_deadline_is_older(
    tmp_path: Path,
) -> None:
    # History is what the store held when the service took over; a ticket posted since is news,
    # even one reported (and so already breached) before the service started.
    clock = FixedClock(T0)
    live = open_service(f"sqlite:///{tmp_path / 's.db'}", clock, fast_contract(), tmp_path)
    live.store.add_events([(0, event("reported", "OLD", T0))], "history")
    clock.set(T0 + timedelta(seconds=20))
    assert live.quiet_history() == clock.now()
    live.run_due()
    assert _count(live, StoredAlert) == 0
    late = event("reported", "LATE", T0 + timedelta(seconds=5))  # ack deadline: T0 + 8 s
    live.ingest([(0, late)], "api")
    live.run_due()
    with live.store.sessions() as session:
        breached = set(
            session.scalars(select(StoredAlert.ticket).where(StoredAlert.kind == "breach"))
        )
    assert breached == {"LATE"}
    live.store.close()
