"""Every bad input is a 4xx with a reason, in one body shape, on every route; the OpenAPI
document says so (docs/reliability.md). A real store (SQLite and PostgreSQL), in-process client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaengine.api.problems import BodyLimits
from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from tests.live_support import event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveService]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'api.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    live = open_service(url, FixedClock(T0), fast_contract(), tmp_path)
    yield live
    live.store.close()


@pytest.fixture
def client(service: LiveService) -> TestClient:
    limits = BodyLimits(event_bytes=2_000, batch_bytes=20_000, batch_events=20)
    return TestClient(create_app(service.store, service.clock, service=service, limits=limits))


def _shape(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["status"] == "rejected" and isinstance(body["error"], str) and body["error"]
    return body


def test_a_form_content_type_is_read_as_json(client: TestClient) -> None:
    # What `curl -d @event.json` sends: application/x-www-form-urlencoded.
    answer = client.post(
        "/events",
        content=json.dumps(event("reported", "T1", T0)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 201, answer.text


def test_the_small_bodies_of_rejudge_and_ack_are_json_whatever_the_content_type(
    client: TestClient, service: LiveService
) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}  # what `curl -d` sends
    assert client.post("/events", json=event("reported", "T1", T0)).status_code == 201
    service.run_due()
    answer = client.post(
        "/contracts/FAST-1/rejudge",
        content=b'{"closed": true, "since": "2026-03-01"}',
        headers=form,
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["marked"] == 1
    assert client.post("/contracts/FAST-1/rejudge").status_code == 202  # no body: the defaults
    body = _shape(client.post("/contracts/FAST-1/rejudge", content=b"[1", headers=form), 400)
    assert "not valid JSON" in body["error"] and "column" in body["error"]
    body = _shape(
        client.post("/contracts/FAST-1/rejudge", content=b'{"closed": "yes"}', headers=form), 422
    )
    assert body["field"] == "closed"
    _shape(client.post("/contracts/NOPE/rejudge", content=b"{}", headers=form), 404)
    # An acknowledgement: an unknown alert is a 404 (its body read as JSON, not refused).
    _shape(client.post("/alerts/999999/ack", content=b'{"by": "ut"}', headers=form), 404)
    body = _shape(client.post("/alerts/999999/ack", content=b'{"who": "ut"}', headers=form), 422)
    assert body["field"] == "who"


def test_malformed_json_oversized_bodies_and_batches_have_the_one_shape(
    client: TestClient,
) -> None:
    body = _shape(client.post("/events", content=b'{"id": "E1",'), 400)
    assert "not valid JSON" in body["error"] and "column" in body["error"]
    _shape(client.post("/events/batch", content=b"[1, 2"), 400)
    digits = _shape(client.post("/events/batch", content=b"[" + b"9" * 5_000 + b"]"), 400)
    assert "not valid JSON" in digits["error"] and "digits" in digits["error"]
    big = event("reported", "T1", T0, attrs={"note": "x" * 3_000})
    assert "at most 2,000" in _shape(client.post("/events", json=big), 413)["error"]
    many = [event("reported", f"T{i}", T0) for i in range(21)]
    assert "at most 20 per batch" in _shape(client.post("/events/batch", json=many), 413)["error"]
    _shape(client.post("/events", json=[event("reported", "T1", T0)]), 422)
    _shape(client.get("/nowhere"), 404)
    _shape(client.get("/breaches", params={"limit": 0}), 422)
    _shape(client.get("/breaches", params={"status": "late"}), 422)


POISON: list[tuple[str, dict[str, Any], str]] = [
    ("year 1", {"at": "0001-01-01T00:00:00+08:00"}, "at:"),
    ("year 9999", {"at": "9999-12-31T23:00:00-05:00"}, "at:"),
    ("NUL", {"ticket": "T\x00"}, "NUL"),
    ("lone surrogate", {"ticket": "T\ud800"}, "surrogate"),
    ("lone surrogate in the id", {"id": "E\ud800"}, "surrogate"),  # echoed in the answer
    ("long ticket", {"ticket": "T" * 301}, "ticket: 301 characters"),
    ("long id", {"id": "E" * 301}, "id: 301 characters"),
    ("NaN", {"attrs": {"reading": float("nan")}}, "attrs.reading"),
    ("Infinity", {"attrs": {"reading": float("inf")}}, "attrs.reading"),
    ("2^64", {"attrs": {"count": 2**64}}, "attrs.count"),
]


def test_poison_events_are_refused_at_the_edge_each_with_its_index(
    client: TestClient, service: LiveService
) -> None:
    batch = [event("reported", "GOOD-0", T0)]
    for number, (_, change, _) in enumerate(POISON):
        batch.append({**event("reported", f"P{number}", T0), **change})
    batch.append(event("reported", "GOOD-1", T0))
    # json.dumps writes NaN, Infinity and lone surrogates as Python's json reads them.
    answer = client.post("/events/batch", content=json.dumps(batch))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accepted"] == 2
    rejected = {item["index"]: item["error"] for item in body["rejected"]}
    assert sorted(rejected) == list(range(1, len(POISON) + 1))
    for number, (name, _, words) in enumerate(POISON, start=1):
        assert words in rejected[number], (name, rejected[number])
    for name, change, words in POISON:  # one at a time: a 422 each, and the next one is fine
        single = {**event("reported", "P", T0), **change}
        found = _shape(client.post("/events", content=json.dumps(single)), 422)
        assert words in found["error"], name
    assert client.post("/events", json=event("reported", "AFTER", T0)).status_code == 201


def test_bad_parameters_are_4xx_with_a_reason(client: TestClient) -> None:
    _shape(client.get(f"/alerts/{2**63}"), 422)
    _shape(client.get("/alerts/0"), 422)
    _shape(client.post("/alerts/1/ack", json={"by": "x" * 10_000}), 422)
    since = {"since": "0001-01-01T00:00:00+08:00", "until": "9999-12-31T23:00:00-05:00"}
    assert client.get("/breaches", params=since).json() == []  # all of time: no breach yet
    _shape(client.get("/breaches", params={"since": "yesterday"}), 422)
    _shape(client.get("/alerts/12345"), 404)


def test_times_are_in_the_contracts_zone_and_a_breach_is_as_late_as_its_clock(
    client: TestClient, service: LiveService
) -> None:
    clock = service.clock
    assert isinstance(clock, FixedClock)
    client.post("/events", json=event("reported", "T1", T0))
    clock.set(T0 + timedelta(seconds=4))
    service.run_due()  # ack (3 s) breached, 1 s late
    clock.set(T0 + timedelta(seconds=28))
    ticket = client.get("/contracts/FAST-1/tickets/T1").json()
    ack = next(c for c in ticket["clocks"] if c["commitment"] == "ack")
    breach = next(b for b in ticket["breaches"] if b["commitment"] == "ack")
    assert ack["late_by_seconds"] == breach["late_by_seconds"] == 25
    assert breach["deadline"] == ack["deadline"] == "2026-03-02T09:00:03+08:00"
    listed = client.get("/breaches").json()[0]
    assert listed["deadline"].endswith("+08:00") and listed["detected_at"].endswith("+08:00")
    alert = client.get("/alerts").json()[0]
    assert alert["created_at"].endswith("+08:00")


def test_the_openapi_document_declares_each_answer_and_what_an_event_is(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    event_schema = document["components"]["schemas"]["EventIn"]
    assert {"id", "contract", "type", "at"} <= set(event_schema["required"])
    assert event_schema["properties"]["ticket"]["anyOf"][0]["maxLength"] == 300
    post = document["paths"]["/events"]["post"]
    assert {"200", "201", "400", "401", "409", "413", "422", "503"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EventIn"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path != "/health":
                assert {"401", "422"} <= set(operation["responses"]), (method, path)
