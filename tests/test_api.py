"""The HTTP API over a real store (SQLite), in travelled time (FixedClock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from tests.live_support import event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(tmp_path: Path, clock: FixedClock) -> Iterator[LiveService]:
    live = open_service(f"sqlite:///{tmp_path / 'api.db'}", clock, fast_contract(), tmp_path)
    yield live
    live.store.close()


@pytest.fixture
def client(service: LiveService) -> TestClient:
    return TestClient(create_app(service.store, service.clock, token=TOKEN, service=service))


def test_without_the_token_only_health_and_docs_answer(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/breaches").status_code == 401
    assert client.get("/breaches", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.post("/events", json=event("reported", "T1", T0))
    assert answer.status_code == 401
    assert answer.json()["status"] == "rejected"
    assert "bearer token" in answer.json()["error"]


def test_one_event_is_accepted_once_stored_and_a_repeat_is_a_no_op(client: TestClient) -> None:
    reported = event("reported", "T1", T0, "E-1")
    first = client.post("/events", json=reported, headers=AUTH)
    assert first.status_code == 201
    assert first.json()["status"] == "accepted"
    again = client.post("/events", json=reported, headers=AUTH)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    changed = {**reported, "severity": "major"}
    conflict = client.post("/events", json=changed, headers=AUTH)
    assert conflict.status_code == 409
    assert "different content" in conflict.json()["error"]


def test_a_bad_event_gets_a_4xx_with_the_reason(client: TestClient) -> None:
    naive = {**event("reported", "T1", T0), "at": "2026-03-02T09:00:00"}
    answer = client.post("/events", json=naive, headers=AUTH)
    assert answer.status_code == 422
    assert "no UTC offset" in answer.json()["error"]
    unknown = {**event("reported", "T1", T0), "contract": "NOPE"}
    answer = client.post("/events", json=unknown, headers=AUTH)
    assert answer.status_code == 422
    assert "not loaded" in answer.json()["error"]


def test_a_batch_lists_each_rejected_index_and_reason(client: TestClient) -> None:
    good = event("reported", "T1", T0)
    batch = [good, {"id": "x"}, good, {**event("arrived", "T1", T0), "type": "teleported"}]
    answer = client.post("/events/batch", json=batch, headers=AUTH)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [item["index"] for item in body["rejected"]] == [1, 3]
    assert "contract: missing" in body["rejected"][0]["error"]
    assert "teleported" in body["rejected"][1]["error"]


def test_a_tickets_clocks_show_deadline_and_time_left(
    client: TestClient, clock: FixedClock
) -> None:
    client.post("/events", json=event("reported", "T1", T0), headers=AUTH)
    clock.advance(timedelta(seconds=1))
    body = client.get("/contracts/FAST-1/tickets/T1", headers=AUTH).json()
    ack = next(c for c in body["clocks"] if c["commitment"] == "ack")
    assert ack["deadline"] == "2026-03-02T09:00:03+08:00"  # the contract's zone
    assert ack["time_left_seconds"] == 2
    assert client.get("/contracts/FAST-1/tickets/T9", headers=AUTH).status_code == 404


def test_breaches_and_alerts_can_be_filtered_and_acknowledged(
    client: TestClient, service: LiveService, clock: FixedClock
) -> None:
    client.post("/events", json=event("reported", "T1", T0), headers=AUTH)
    client.post("/events", json=event("reported", "T2", T0), headers=AUTH)
    clock.advance(timedelta(seconds=4))
    service.run_due()
    client.post(
        "/events", json=event("acknowledged", "T2", T0 + timedelta(seconds=1)), headers=AUTH
    )
    open_ = client.get("/breaches", params={"status": "open"}, headers=AUTH).json()
    assert [(b["ticket"], b["commitment"]) for b in open_] == [("T1", "ack")]
    withdrawn = client.get("/breaches", params={"status": "withdrawn"}, headers=AUTH).json()
    assert [(b["ticket"], b["commitment"]) for b in withdrawn] == [("T2", "ack")]
    assert client.get("/breaches", params={"status": "bogus"}, headers=AUTH).status_code == 422
    since = client.get(
        "/breaches", params={"since": "2026-03-02T09:00:04+08:00"}, headers=AUTH
    ).json()
    assert since == []
    breach_alerts = client.get(
        "/alerts", params={"kind": "breach", "contact": "duty", "ticket": "T1"}, headers=AUTH
    ).json()
    assert len(breach_alerts) == 1
    alert_id = breach_alerts[0]["id"]
    assert breach_alerts[0]["deliveries"][0]["status"] == "pending"
    acked = client.post(f"/alerts/{alert_id}/ack", json={"by": "Han Meimei"}, headers=AUTH)
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "Han Meimei"
    assert client.post("/alerts/999999/ack", headers=AUTH).status_code == 404
    unacked = client.get(
        "/alerts", params={"acknowledged": "false", "kind": "breach"}, headers=AUTH
    ).json()
    assert alert_id not in [a["id"] for a in unacked]


def test_contracts_are_listed_with_their_versions(client: TestClient) -> None:
    listed = client.get("/contracts", headers=AUTH).json()
    assert [(c["contract"], c["version"]) for c in listed] == [("FAST-1", 1)]
    detail = client.get("/contracts/FAST-1", headers=AUTH).json()
    assert [c["id"] for c in detail["commitments"]] == ["ack", "onsite"]
    assert client.get("/contracts/NOPE", headers=AUTH).status_code == 404


def test_an_app_made_from_just_a_store_and_a_clock_evaluates_what_it_receives(
    service: LiveService, clock: FixedClock
) -> None:
    plain = TestClient(create_app(service.store, clock))  # no token: loopback use only
    assert plain.post("/events", json=event("reported", "T7", T0)).status_code == 201
    clock.advance(timedelta(seconds=1))
    health = plain.get("/health").json()
    assert health["next_due"] == "2026-03-02T01:00:02.400000+00:00"  # T7's warning
    assert health["database"] == "sqlite"
