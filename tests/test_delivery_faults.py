"""Alert delivery under faults: each endpoint has its own worker and breaker, so a hung SMTP
relay or a failing webhook holds up its own alerts only (docs/reliability.md).

Real sockets on 127.0.0.1 (a relay that accepts TCP and never answers, HTTP receivers that fail
then recover), real delivery threads; the store's clock is a FixedClock, so back-off and parking
move only when the test moves it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from slaengine.alerts.model import ChannelSettings
from slaengine.alerts.outbox import OutboxDelivery
from slaengine.clock import FixedClock
from slaengine.store.models import PENDING, OutboxRow
from tests.live_support import event, fast_contract, open_service
from tests.receivers import http_receiver, hung_server

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


def _pending_mail(live_store: object) -> int:
    with live_store.sessions() as session:  # type: ignore[attr-defined]
        count: int = session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.status == PENDING, OutboxRow.channel.like("%:email"))
        )
        return count


def test_a_hung_smtp_relay_holds_up_no_webhook_and_is_parked_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(T0)
    with http_receiver() as hook, hung_server() as (host, port):
        live = open_service(
            f"sqlite:///{tmp_path / 'store.db'}",
            clock,
            fast_contract(hook.url, mail_to="duty@example.com"),
            tmp_path,
            environ={"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"},
        )
        settings = ChannelSettings(smtp_host=host, smtp_port=port, smtp_timeout_seconds=2)
        delivery = OutboxDelivery(live.store, clock, settings)
        live.on_alerts.append(delivery.wake)
        live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(10)], "test")
        clock.set(T0 + timedelta(seconds=3.5))
        delivery.start()
        try:
            started = time.monotonic()
            live.run_due()  # 10 ack breaches: /duty, /manager, /all and a mail each
            hook.wait_for(30, timeout=10)
            took = time.monotonic() - started
            # The relay swallows a mail for 2 s per attempt: behind it, 10 mails would hold the
            # webhooks 20 s. (Generous for a loaded machine; alone they take ~0.3 s.)
            assert took < 8.0, f"webhooks took {took:.2f} s behind a hung relay"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                states = {s["endpoint"]: s for s in delivery.health()}
                if states[f"smtp://{host}:{port}"]["state"] == "parked":
                    break
                time.sleep(0.05)
        finally:
            delivery.stop()
        states = {s["endpoint"]: s for s in delivery.health()}
        assert states[f"smtp://{host}:{port}"]["state"] == "parked"
        assert states[f"{hook.url}/duty"]["state"] == "ok"
        assert _pending_mail(live.store) == 10  # held, not lost
        keys = Counter((r.path, r.headers["idempotency-key"]) for r in hook.requests)
        assert len(keys) == 30 and set(keys.values()) == {1}
        live.store.close()
    parked = [r for r in caplog.records if "parked" in r.getMessage()]
    assert len(parked) == 1  # said once, not once per alert


def test_a_failing_webhook_is_parked_then_drained_once_it_recovers(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    with http_receiver() as hook:
        live = open_service(
            f"sqlite:///{tmp_path / 'store.db'}", clock, fast_contract(hook.url), tmp_path
        )
        delivery = OutboxDelivery(live.store, clock, ChannelSettings(), park_after=3)
        live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(5)], "test")
        clock.set(T0 + timedelta(seconds=3.5))
        live.run_due()  # 5 breaches to /duty and /manager
        hook.fail_next(6, status=500)
        first = delivery.deliver_due()
        # Each URL fails three times and is parked; the rest of its alerts are not tried.
        assert (first.sent, first.failed) == (0, 6)
        assert {s["state"] for s in delivery.health()} == {"parked"}
        assert delivery.deliver_due().failed == 0  # parked: nothing is tried
        clock.advance(timedelta(seconds=3))  # the breaker lets one through: it succeeds
        second = delivery.deliver_due()
        # The recovered endpoints' waiting rows were made due at once: all sent now.
        assert (second.sent, second.failed) == (10, 0)
        ok = Counter(
            (r.path, r.json()["details"]["alert_key"]) for r in hook.requests if r.status == 200
        )
        assert len(ok) == 10 and set(ok.values()) == {1}
        assert {s["state"] for s in delivery.health()} == {"ok"}
        live.store.close()


def test_email_with_no_relay_configured_is_off_said_once_and_held(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(T0)
    caplog.set_level(logging.INFO)
    with http_receiver() as hook:
        live = open_service(
            f"sqlite:///{tmp_path / 'store.db'}",
            clock,
            fast_contract(hook.url, mail_to="duty@example.com"),
            tmp_path,
        )
        delivery = OutboxDelivery(live.store, clock, ChannelSettings.from_env({}))
        live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(4)], "test")
        clock.set(T0 + timedelta(seconds=3.5))
        live.run_due()
        for _ in range(3):
            report = delivery.deliver_due()
            clock.advance(timedelta(seconds=30))
        assert report.failed == 0
        assert len(hook.requests) == 8
        states = {s["endpoint"]: s["state"] for s in delivery.health()}
        assert states["smtp://127.0.0.1:25"] == "off"
        assert _pending_mail(live.store) == 4
        live.store.close()
    said = [r.getMessage() for r in caplog.records if r.name == "slaengine.outbox"]
    assert said == [
        "alert endpoint smtp://127.0.0.1:25 is off: no SMTP relay configured "
        "(set SLAENGINE_SMTP_HOST); its alerts are held"
    ]
