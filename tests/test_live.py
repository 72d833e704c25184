"""The live service in travelled time: a FixedClock moves, the due-now pass runs, nothing sleeps.

Warnings, breaches with no event, withdrawals by late events, escalations, restarts from the
store and outbox delivery with retries, on SQLite and (marked ``postgres``) on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from slaengine.alerts.model import ChannelSettings
from slaengine.alerts.outbox import OutboxDelivery, backoff
from slaengine.clock import FixedClock
from slaengine.scheduler import DueScheduler
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store.models import Breach, OutboxRow, PenaltyLine, StoredAlert, StoredClock
from tests.live_support import event, fast_contract, open_service
from tests.receivers import http_receiver

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[LiveService]:
    live = open_service(db_url, clock, fast_contract(), tmp_path)
    yield live
    live.store.close()


def alerts(service: LiveService) -> list[tuple[str, str, str | None, int]]:
    """(kind, contact, commitment, level) of every queued alert, in order."""
    with service.store.sessions() as session:
        rows = session.scalars(select(StoredAlert).order_by(StoredAlert.id))
        return [(a.kind, a.contact, a.commitment, a.level) for a in rows]


def breaches(service: LiveService) -> dict[str, str]:
    with service.store.sessions() as session:
        return {b.commitment: b.status for b in session.scalars(select(Breach))}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_warning_fires_at_80_percent_of_the_target_and_not_before(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    # ack: 3 s target, warning at 2.4 s; onsite: 6 s, warning at 4.8 s.
    assert service.next_due() == at(2.4)
    clock.set(at(2.3))
    service.run_due()
    assert alerts(service) == []
    clock.set(at(2.4))
    service.run_due()
    assert alerts(service) == [("warning", "duty", "ack", 0)]
    assert service.next_due() == at(3)
    service.run_due()  # a second pass at the same moment raises nothing new
    assert len(alerts(service)) == 1


def test_a_commitment_can_warn_earlier_than_the_contract_default(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    live = open_service(db_url, clock, fast_contract(ack_warn_at=0.5), tmp_path)
    live.ingest([(0, event("reported", "T1", T0))], "test")
    assert live.next_due() == at(1.5)
    clock.set(at(1.5))
    live.run_due()
    assert alerts(live) == [("warning", "duty", "ack", 0)]
    live.store.close()


def test_a_deadline_passing_with_no_event_is_a_breach_once(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(3))
    service.run_due()
    assert breaches(service) == {}  # at the deadline it is not late yet
    clock.set(at(3.001))
    report = service.run_due()
    assert breaches(service) == {"ack": "open"}
    assert report.alerts == 2  # duty and manager; no warning once the deadline has come
    kinds = alerts(service)
    assert ("breach", "duty", "ack", 0) in kinds
    assert ("breach", "manager", "ack", 0) in kinds
    clock.set(at(3.5))
    service.run_due()
    assert len(alerts(service)) == len(kinds)  # once


def test_a_breach_records_the_late_clock_and_its_penalty_lines(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(5))
    service.ingest([(0, event("acknowledged", "T1", at(4.5)))], "test")
    with service.store.sessions() as session:
        clock_row = session.scalars(
            select(StoredClock).where(StoredClock.commitment == "ack")
        ).one()
        assert (clock_row.status, clock_row.late_by_seconds) == ("breached", 2)
        assert clock_row.deadline == at(3)
        lines = [(p.clause, p.amount) for p in session.scalars(select(PenaltyLine))]
        provisional = [p.provisional for p in session.scalars(select(PenaltyLine))]
    assert lines == [("P-ack", "500.00")]
    assert provisional == [False]  # the clock stopped: the charge is final
    assert breaches(service) == {"ack": "closed"}
    report_lines = [
        (line["clause"], line["amount"])
        for line in _report_penalties(service, "T1", clock.now())
        if line.get("ticket") == "T1"
    ]
    assert lines == report_lines


def _report_penalties(service: LiveService, ticket: str, now: datetime) -> list[dict[str, str]]:
    from slaengine.evaluate import evaluate

    with service.store.sessions() as session:
        judged = service.judge_ticket(session, "FAST-1", ticket, now)
        assert judged is not None
        data = evaluate(judged.context, judged.applied, now).to_json()
    return list(data["penalties"]) + list(data["compensation"])


def test_a_late_event_withdraws_the_breach_and_says_so(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(4))
    service.run_due()
    assert breaches(service) == {"ack": "open"}
    # The acknowledgement happened in time; it reached us late.
    service.ingest([(0, event("acknowledged", "T1", at(2)))], "test")
    assert breaches(service) == {"ack": "withdrawn"}
    assert ("withdrawn", "duty", "ack", 0) in alerts(service)
    with service.store.sessions() as session:
        breach = session.scalars(select(Breach)).one()
        assert breach.withdrawn_reason is not None and "met" in breach.withdrawn_reason
        assert breach.detected_at == at(4) and breach.withdrawn_at == at(4)
        assert session.scalars(select(PenaltyLine)).all() == []


def test_a_cancel_after_the_deadline_withdraws_the_breach(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(6.5))
    service.run_due()
    assert breaches(service) == {"ack": "open", "onsite": "open"}
    service.ingest([(0, event("resolved", "T1", at(6.4)))], "test")
    # ack stopped late by the resolution (still a breach); onsite was never owed.
    assert breaches(service) == {"ack": "closed", "onsite": "withdrawn"}


def test_a_paused_clock_does_not_fire_until_it_resumes(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest(
        [(0, event("reported", "T1", T0)), (1, event("acknowledged", "T1", at(1)))], "test"
    )
    service.ingest([(0, event("paused", "T1", at(2)))], "test")
    clock.set(at(30))
    service.run_due()
    assert breaches(service) == {}
    service.ingest([(0, event("resumed", "T1", at(30)))], "test")
    # 2 s ran before the pause: the warning (at 4.8 s of 6) is 2.8 s after the resume, the
    # deadline 4 s after it.
    assert service.next_due() == at(32.8)
    clock.set(at(34.01))
    service.run_due()
    assert breaches(service) == {"onsite": "open"}


def test_an_unacknowledged_breach_escalates_to_the_next_contact(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(3.5))
    service.run_due()
    assert service.next_due() == at(4.8)  # onsite's warning comes before the escalation
    clock.set(at(5.5))  # the escalation was due at 5.5 (2 s after the breach alert)
    service.run_due()
    assert ("escalation", "manager", "ack", 1) in alerts(service)
    with service.store.sessions() as session:
        payload = session.scalars(
            select(StoredAlert.payload).where(StoredAlert.kind == "escalation")
        ).one()
    # The escalation tells how late it is now (2.5 s, counted up as the core counts), not how
    # late it was when the breach was first seen (0.5 s).
    assert json.loads(payload)["late_by_seconds"] == 3
    assert json.loads(payload)["details"]["escalated_from"] == "duty"
    clock.set(at(20))  # onsite breached at 6, seen now: its escalation is due at 22
    service.run_due()
    assert [a for a in alerts(service) if a[0] == "escalation"] == [
        ("escalation", "manager", "ack", 1)
    ]
    clock.set(at(60))
    service.run_due()
    # manager has no escalate_after: the chain ends there; one escalation per breach.
    escalations = [a for a in alerts(service) if a[0] == "escalation"]
    assert sorted(escalations) == [
        ("escalation", "manager", "ack", 1),
        ("escalation", "manager", "onsite", 1),
    ]


def test_an_acknowledged_breach_does_not_escalate(service: LiveService, clock: FixedClock) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(3.5))
    service.run_due()
    with service.store.sessions() as session:
        alert_id = session.scalars(
            select(StoredAlert.id).where(
                StoredAlert.kind == "breach", StoredAlert.contact == "duty"
            )
        ).one()
    acknowledged = service.acknowledge(alert_id, "Li Lei")
    assert acknowledged is not None and acknowledged.acknowledged_by == "Li Lei"
    clock.set(at(5.6))
    service.run_due()
    assert [a for a in alerts(service) if a[0] == "escalation" and a[2] == "ack"] == []


def test_events_dated_in_the_future_apply_when_their_time_comes(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", at(10)))], "test")
    assert service.next_due() == at(10)
    clock.set(at(13.5))
    service.run_due()
    assert breaches(service) == {"ack": "open"}


def test_a_restart_finds_what_fell_due_while_it_was_down(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    first = open_service(db_url, clock, fast_contract(), tmp_path)
    first.ingest([(0, event("reported", "T1", T0))], "test")
    first.store.close()  # the process is gone; an hour passes
    clock.set(at(3600))
    second = LiveService(Store.open(db_url, clock), clock, environ={})
    assert second.next_due() is not None and second.next_due() <= clock.now()  # type: ignore[operator]
    second.run_due()
    assert breaches(second) == {"ack": "open", "onsite": "open"}
    # A warning for a deadline already past is no use: the breach is what is said.
    assert [a for a in alerts(second) if a[0] == "warning"] == []
    second.run_due()
    second.store.close()
    third = LiveService(Store.open(db_url, clock), clock, environ={})
    count = len(alerts(third))
    third.run_due()
    assert len(alerts(third)) == count
    third.store.close()


def test_a_contract_wide_force_majeure_moves_running_deadlines(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    wide = {
        "id": "FM-1",
        "contract": "FAST-1",
        "type": "force_majeure",
        "at": at(1).isoformat(),
        "attrs": {"until": at(11).isoformat(), "reason": "typhoon"},
    }
    clock.set(at(2))
    service.ingest([(0, wide)], "test")
    clock.set(at(5))
    service.run_due()
    assert breaches(service) == {}
    assert service.next_due() is not None


def test_scheduler_arms_its_date_job_at_the_next_due_time(
    service: LiveService, clock: FixedClock
) -> None:
    scheduler = DueScheduler(service, sweep_seconds=3600)
    scheduler.start(paused=True)  # the jobs are armed; the test runs the pass itself
    try:
        assert scheduler.armed_for == T0  # at start: whatever fell due while it was down
        outcome = service.ingest([(0, event("reported", "T1", T0))], "test")
        # With a scheduler the ticket is left to the judge lane: the pass is armed for now.
        assert (outcome.evaluated, outcome.alerts) == (0, None)
        assert scheduler.armed_for == T0
        assert scheduler.run_now().tickets == 1  # the judge lane
        assert scheduler.armed_for == at(2.4)
        clock.set(at(3.2))
        report = scheduler.run_now()
        assert report.tickets == 1
        assert breaches(service) == {"ack": "open"}
        assert scheduler.armed_for == at(4.8)
    finally:
        scheduler.shutdown()


def test_outbox_retries_with_back_off_and_sends_each_alert_once(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    with http_receiver() as hook:
        live = open_service(
            db_url,
            clock,
            fast_contract(hook.url),
            tmp_path,
            environ={"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"},
        )
        delivery = OutboxDelivery(live.store, clock, ChannelSettings(webhook_timeout_seconds=5))
        live.ingest([(0, event("reported", "T1", T0))], "test")
        clock.set(at(3.5))
        live.run_due()  # ack breached: duty, manager and the env webhook: 3 deliveries
        hook.fail_next(2, status=503)
        report = delivery.deliver_due()
        assert (report.sent, report.failed) == (1, 2)
        assert delivery.deliver_due().sent == 0  # the failed ones wait for their back-off
        clock.advance(backoff(1))
        assert delivery.deliver_due().sent == 2
        clock.advance(timedelta(minutes=10))
        assert delivery.deliver_due().sent == 0  # sent is sent
        accepted = [r for r in hook.requests if r.status == 200]
        assert sorted(r.path for r in accepted) == ["/all", "/duty", "/manager"]
        body = next(r.json() for r in accepted if r.path == "/all")
        assert {k: body[k] for k in ("kind", "contract", "ticket", "commitment")} == {
            "kind": "breach",
            "contract": "FAST-1",
            "ticket": "T1",
            "commitment": "ack",
        }
        assert body["deadline"] == "2026-03-02T09:00:03+08:00"
        assert body["late_by_seconds"] == 1
        with live.store.sessions() as session:
            rows = session.scalars(select(OutboxRow)).all()
            assert {r.status for r in rows} == {"sent"}
            assert sorted(r.attempts for r in rows) == [1, 2, 2]
        live.store.close()


def test_back_off_doubles_up_to_a_ceiling() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30).total_seconds() == 300


def test_alerts_carry_names_in_both_languages(service: LiveService, clock: FixedClock) -> None:
    service.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(3.5))
    service.run_due()
    with service.store.sessions() as session:
        payload = session.scalars(
            select(StoredAlert.payload).where(StoredAlert.kind == "breach")
        ).first()
    assert payload is not None
    details = json.loads(payload)["details"]
    assert details["commitment_name"] == {"zh": "及时答复", "en": "Answer the call"}


def _tender_service(url: str, clock: FixedClock) -> LiveService:
    from slaengine.bundled import example_contract

    store = Store.open(url, clock)
    path = example_contract()
    store.load_contract(path.read_text(encoding="utf-8"), path)
    return LiveService(store, clock, environ={})


def test_a_missed_inspection_period_alerts_once_and_a_late_record_withdraws_it(
    db_url: str,
) -> None:
    from slaengine.obligations import breached_periods, judge_obligations
    from slaengine.warranty import WarrantyBook

    # The example tender: inspections every 3 months from acceptance on 2026-01-15; the first
    # period ended at midnight 2026-04-15 in Shanghai with no inspection.
    clock = FixedClock(datetime(2026, 4, 15, 0, 0, 1, tzinfo=UTC))  # 08:00:01 in Shanghai
    live = _tender_service(db_url, clock)
    live.run_due()
    missed = [a for a in alerts(live) if a[0] == "obligation_missed"]
    assert sorted({(a[1], a[2]) for a in missed}) == [
        ("duty-supervisor", "inspection"),
        ("service-manager", "inspection"),
    ]
    with live.store.sessions() as session:
        contract = live.context_for(session, "HT-2026-017", None).contract
        rows = session.scalars(select(Breach).where(Breach.kind == "obligation")).all()
        stored = sorted((b.ticket, b.commitment, b.cycle, b.status) for b in rows)
    # Exactly the periods slaengine.obligations judges breached (per unit or contract-wide, as
    # the contract says), each stored once.
    periods = judge_obligations(WarrantyBook.build(contract, []), [], clock.now())
    expected = sorted(
        (p.asset or "", p.obligation, p.index, "closed") for p in breached_periods(periods)
    )
    assert stored == expected and len(expected) >= 1
    assert all(index == 0 for (_, _, index, _) in stored)
    live.run_due()
    assert len([a for a in alerts(live) if a[0] == "obligation_missed"]) == len(missed)
    # The inspection was done in March; its record arrives late. No asset: it concerns all.
    inspection = {
        "id": "INS-1",
        "contract": "HT-2026-017",
        "type": "inspection_done",
        "at": "2026-03-20T10:00:00+08:00",
    }
    live.ingest([(0, inspection)], "test")
    live.run_due()
    with live.store.sessions() as session:
        statuses = {
            b.status for b in session.scalars(select(Breach).where(Breach.kind == "obligation"))
        }
    assert statuses == {"withdrawn"}
    assert ("withdrawn", "duty-supervisor", "inspection", 0) in alerts(live)
    live.store.close()


def test_warranty_expiry_is_announced_once_within_the_reminder_window(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2028, 12, 20, 1, 0, tzinfo=UTC))
    live = _tender_service(f"sqlite:///{tmp_path / 'w.db'}", clock)
    live.run_due()
    # Units accepted 2026-01-15 with 3 years: cover ends 2029-01-15, within 30 days.
    reminders = {(a[1], a[2]) for a in alerts(live) if a[0] == "warranty_expiring"}
    assert reminders == {("duty-supervisor", None), ("service-manager", None)}
    with live.store.sessions() as session:
        keys = set(
            session.scalars(select(StoredAlert.key).where(StoredAlert.kind == "warranty_expiring"))
        )
    assert "warranty/HT-2026-017/U1/2029-01-15" in keys
    assert "warranty/HT-2026-017/U2/2029-01-15" in keys
    assert not any("KP1" in key for key in keys)  # key parts have 5 years
    count = len(alerts(live))
    clock.advance(timedelta(days=2))
    live.run_due()
    assert len(alerts(live)) == count
    live.store.close()


def test_a_new_version_judges_tickets_from_its_date_and_its_roster_applies_at_once(
    service: LiveService, clock: FixedClock, tmp_path: Path
) -> None:
    # Version 1 (answer in 3 s) is in effect from 2026-03-02; version 2 answers in 10 s from
    # 2026-03-03 and adds a night desk that hears breaches.
    amended = fast_contract(ack_target="10s") + (
        "  - id: night\n    kinds: [breach]\n    channels: [{kind: log}]\n"
    )
    path = tmp_path / "amended.yaml"
    path.write_text(amended, encoding="utf-8")
    assert service.store.load_contract(amended, path, date(2026, 3, 3)).changed
    day2 = T0 + timedelta(days=1)
    service.ingest(
        [(0, event("reported", "T1", at(-1))), (1, event("reported", "T2", day2))], "test"
    )
    clock.set(day2 + timedelta(seconds=5))
    service.run_due()
    with service.store.sessions() as session:
        late = {(b.ticket, b.commitment) for b in session.scalars(select(Breach))}
    # T1 (reported under version 1) is late after 3 s; T2 (version 2) has 10 s for its answer.
    assert ("T1", "ack") in late and ("T2", "ack") not in late
    assert ("breach", "night", "ack", 0) in alerts(service)


def test_a_bad_alert_webhook_is_refused_at_start(service: LiveService) -> None:
    from slaengine.errors import SlaError

    with pytest.raises(SlaError, match="SLAENGINE_ALERT_WEBHOOK"):
        LiveService(service.store, environ={"SLAENGINE_ALERT_WEBHOOK": "ftp://hooks.example"})


def test_several_delivery_threads_send_each_alert_once(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    with http_receiver() as hook:
        live = open_service(db_url, clock, fast_contract(hook.url), tmp_path)
        live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(10)], "test")
        clock.set(at(3.5))
        live.run_due()  # 10 breaches of ack: duty and manager each
        delivery = OutboxDelivery(live.store, clock, ChannelSettings(), threads=3)
        delivery.start()
        try:
            hook.wait_for(20, timeout=20)
        finally:
            delivery.stop()
        keys = [(r.path, r.json()["details"]["alert_key"]) for r in hook.requests]
        assert len(keys) == len(set(keys)) == 20
        live.store.close()


def test_the_outbox_keeps_one_http_client_per_webhook_and_closes_it_on_stop(
    db_url: str, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    import httpx._api

    made: list[httpx.Client] = []

    class CountedClient(httpx.Client):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    # httpx.post makes its client through httpx._api: count those too.
    monkeypatch.setattr(httpx, "Client", CountedClient)
    monkeypatch.setattr(httpx._api, "Client", CountedClient)
    with http_receiver() as hook:
        live = open_service(db_url, clock, fast_contract(hook.url), tmp_path)
        live.ingest([(i, event("reported", f"T{i}", T0)) for i in range(6)], "test")
        clock.set(at(3.5))
        live.run_due()  # 6 breaches of ack: duty and manager each, two webhook URLs
        delivery = OutboxDelivery(live.store, clock, ChannelSettings(), threads=2)
        delivery.start()
        try:
            hook.wait_for(12, timeout=20)
        finally:
            delivery.stop()
        live.store.close()
    assert len(made) == 2  # one per channel, shared by both threads: not one per post
    assert all(client.is_closed for client in made)


def _lines(live: LiveService) -> list[tuple[str | None, str | None, str, str | None, str | None]]:
    """(ticket, clause, line id, amount, breach status) of every stored penalty line."""
    with live.store.sessions() as session:
        rows = session.scalars(select(PenaltyLine).order_by(PenaltyLine.line_id)).all()
        return [
            (
                row.ticket,
                row.clause,
                row.line_id,
                row.amount,
                (b.status if (b := session.get(Breach, row.breach_id)) else None)
                if row.breach_id
                else None,
            )
            for row in rows
        ]


def test_lines_of_no_ticket_are_stored_once_and_go_with_their_breach(db_url: str) -> None:
    from fastapi.testclient import TestClient

    from slaengine.server import create_app

    # The first inspection period ended at midnight 2026-04-15 in Shanghai with no inspection.
    clock = FixedClock(datetime(2026, 4, 15, 0, 0, 1, tzinfo=UTC))
    live = _tender_service(db_url, clock)
    live.run_due()
    lines = _lines(live)
    assert [(t, c, a, s) for (t, c, _, a, s) in lines] == [
        (None, "P-inspection", "2000.00", "closed")
    ]
    assert lines[0][2].startswith("P-inspection/inspection/")
    violation = {
        "id": "SV-1",
        "contract": "HT-2026-017",
        "type": "site_violation",
        "at": "2026-04-10T10:00:00+08:00",
    }
    live.ingest([(0, violation)], "test")
    live.run_due()
    live.ingest([(0, violation)], "test")  # a repeat is a duplicate: no second line
    clock.advance(timedelta(hours=1))
    live.run_due()
    live.run_due()
    # One line per line id, however often the duties are looked at; the violation's line
    # belongs to no ticket and to no breach.
    assert sorted((t, c, a, s) for (t, c, _, a, s) in _lines(live)) == [
        (None, "P-inspection", "2000.00", "closed"),
        (None, "P-site", "12800.00", None),
    ]
    assert "P-site/event/SV-1" in [line_id for (_, _, line_id, _, _) in _lines(live)]
    client = TestClient(create_app(live.store, clock, service=live))
    listed = client.get("/breaches", params={"contract": "HT-2026-017"}).json()
    assert [[p["clause"] for p in b["penalties"]] for b in listed] == [["P-inspection"]]
    wide = client.get("/penalties", params={"contract_wide": "true"}).json()
    assert sorted(p["clause"] for p in wide) == ["P-inspection", "P-site"]
    assert client.get("/penalties", params={"contract_wide": "false"}).json() == []
    # The inspection was done in March; its record arrives late: the breach is withdrawn and
    # its line goes with it; the site violation's line stays.
    inspection = {
        "id": "INS-1",
        "contract": "HT-2026-017",
        "type": "inspection_done",
        "at": "2026-03-20T10:00:00+08:00",
    }
    live.ingest([(0, inspection)], "test")
    live.run_due()
    assert [(c, lid) for (_, c, lid, _, _) in _lines(live)] == [("P-site", "P-site/event/SV-1")]
    live.store.close()


def test_a_batch_costs_one_transaction_to_store_and_one_to_evaluate(
    service: LiveService, clock: FixedClock
) -> None:
    from sqlalchemy import event as sa_event

    def costs(tickets: range) -> tuple[int, int]:
        """(commits, SELECT statements) of ingesting one batch that reports ``tickets``."""
        counted = {"commits": 0, "selects": 0}

        def on_commit(*_: Any) -> None:
            counted["commits"] += 1

        def on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            counted["selects"] += statement.lstrip().upper().startswith("SELECT")

        engine = service.store.engine
        sa_event.listen(engine, "commit", on_commit)
        sa_event.listen(engine, "before_cursor_execute", on_execute)
        try:
            batch = [(i, event("reported", f"B{i}", at(-10))) for i in tickets]
            outcome = service.ingest(batch, "test")
        finally:
            sa_event.remove(engine, "commit", on_commit)
            sa_event.remove(engine, "before_cursor_execute", on_execute)
        assert (len(outcome.added.accepted), outcome.evaluated) == (len(tickets), len(tickets))
        assert outcome.alerts == 4 * len(tickets)  # ack and onsite breached: duty and manager
        return counted["commits"], counted["selects"]

    small = costs(range(0, 5))
    large = costs(range(5, 45))
    assert small[0] == large[0] == 2  # storing, then evaluating every touched ticket
    # Reads are per batch, not per ticket (the contract's versions are cached for a second).
    assert large[1] <= small[1] <= 10
    assert set(breaches(service).values()) == {"open"}
    with service.store.sessions() as session:
        rows = session.scalars(select(Breach)).all()
        assert len(rows) == 2 * 45  # one per (ticket, commitment), never twice
        queued = session.scalars(select(OutboxRow)).all()
        assert len(queued) == 4 * 45  # each alert's channel row, in the same transaction


@pytest.mark.postgres
def test_ingest_skips_a_ticket_another_worker_holds_and_it_stays_due(
    pg_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, text

    live = open_service(pg_url, clock, fast_contract(), tmp_path)
    live.ingest([(0, event("reported", "T1", T0))], "test")
    clock.set(at(4))
    added = live.store.add_events([(0, event("acknowledged", "T1", at(1)))], "test")
    other = create_engine(pg_url)
    try:
        with other.connect() as held:
            held.execute(text("SELECT id FROM tickets WHERE ticket = 'T1' FOR UPDATE"))
            # Evaluating does not wait for the other worker's lock (SKIP LOCKED) ...
            assert live.evaluate_tickets_now(added.tickets) == 0
            held.rollback()
    finally:
        other.dispose()
    # ... and the ticket stays dirty and due, so the next pass evaluates it with the new event.
    assert live.next_due() is not None and live.next_due() <= clock.now()  # type: ignore[operator]
    assert live.run_due().tickets == 1
    assert breaches(live) == {}  # ack answered in time; onsite still has 2 s
    with live.store.sessions() as session:
        ack = session.scalars(select(StoredClock).where(StoredClock.commitment == "ack")).one()
        assert ack.stopped_at == at(1)
    live.store.close()
