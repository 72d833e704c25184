"""``POST /hooks/NAME`` in-process over a real store (SQLite), in travelled time: the schemes the
live tests do not use (a token in the URL, a base64 HMAC), limits, and the start-up checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from slaengine.api.hooks import load_hooks, mount_hooks, parse_hook_options
from slaengine.api.problems import BodyLimits
from slaengine.clock import FixedClock
from slaengine.errors import SlaError
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store.models import RejectedInput, StoredEvent
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
TOKEN = "operator-token"
SECRET = "in-house-secret"

MAPPING = f"""\
shape: webhook
contract: {CONTRACT_ID}
auth: {{scheme: SCHEME, secret_env: INHOUSE_SECRET, header: X-Sig, param: key, encoding: base64}}
ticket: ticket_no
severity_from: level
severity: {{low: general, high: major}}
events:
  - {{type: reported, at: when, required: true, when: {{kind: created}}}}
  - {{type: resolved, at: when, when: {{kind: fixed}}}}
changes:
  - items: steps
    at: when
    field: what
    rules:
      - {{field: visit, type: arrived}}
"""


def _client(tmp_path: Path, scheme: str, limits: BodyLimits | None = None) -> Iterator[TestClient]:
    clock = FixedClock(T0)
    service: LiveService = open_service(
        f"sqlite:///{tmp_path / 'hooks.db'}", clock, fast_contract(), tmp_path
    )
    path = tmp_path / "inhouse.yaml"
    path.write_text(MAPPING.replace("SCHEME", scheme), encoding="utf-8")
    app = create_app(service.store, clock, token=TOKEN, service=service, limits=limits)
    from slaengine.api.auth import Auth

    hooks = load_hooks(parse_hook_options([f"inhouse={path}"]), {"INHOUSE_SECRET": SECRET})
    mount_hooks(app, service, Auth(operator=TOKEN, clock=clock), hooks, limits)
    try:
        yield TestClient(app)
    finally:
        service.store.close()


@pytest.fixture
def url_token(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, "query-token")


@pytest.fixture
def signed(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, "hmac-sha256")


def _body(**fields: object) -> bytes:
    data = {
        "kind": "created",
        "ticket_no": "WO-1",
        "when": "2026-03-02T09:00:00+08:00",
        "level": "low",
        **fields,
    }
    return json.dumps(data).encode()


def test_a_token_in_the_url_for_senders_that_cannot_set_a_header(url_token: TestClient) -> None:
    assert url_token.post("/hooks/inhouse?key=" + SECRET, content=_body()).status_code == 201
    wrong = url_token.post("/hooks/inhouse?key=guess", content=_body())
    assert wrong.status_code == 401 and wrong.json()["error"].endswith("wrong ?key=")
    none = url_token.post("/hooks/inhouse", content=_body())
    assert none.status_code == 401 and "no ?key= in the URL" in none.json()["error"]


def test_a_base64_hmac_and_a_list_of_changes(signed: TestClient) -> None:
    body = _body(kind="progress", steps=[{"what": "visit"}, {"what": "note"}])
    mac = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    answer = signed.post("/hooks/inhouse", content=body, headers={"X-Sig": mac})
    assert answer.status_code == 201, answer.text
    assert [o["type"] for o in answer.json()["outcomes"]] == ["arrived"]
    tampered = body.replace(b"WO-1", b"WO-2")
    refused = signed.post("/hooks/inhouse", content=tampered, headers={"X-Sig": mac})
    assert refused.status_code == 401 and "does not match the body" in refused.json()["error"]


def test_the_intake_refusing_an_event_is_answered_with_each_outcome(
    signed: TestClient, tmp_path: Path
) -> None:
    """The same id with other content: the mapping maps it, the intake refuses it, and both the
    stored event and the refusal say which hook they came from."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = signed.post("/hooks/inhouse", content=_body(), headers=auth)
    assert first.status_code == 201
    # The same id with other content (someone edited history at the source): a conflict.
    conflict = signed.post("/hooks/inhouse", content=_body(level="high"), headers=auth)
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["outcomes"][0]["status"] == "rejected"
    assert "already accepted with different content" in conflict.json()["error"]
    # The helpdesk retries a delivery answered 4xx: the same refusal, recorded once.
    again = signed.post("/hooks/inhouse", content=_body(level="high"), headers=auth)
    assert again.status_code == 409 and again.json() == conflict.json()
    with sqlite3.connect(tmp_path / "hooks.db") as db:
        stored = db.execute("SELECT source FROM events").fetchall()
        refused = db.execute("SELECT source, event_id, error FROM rejected").fetchall()
    assert stored == [("hook:inhouse",)]
    assert len(refused) == 1 and refused[0][:2] == (
        "hook:inhouse",
        "WO-1@2026-03-02T09:00:00+08:00#reported",
    )
    assert "different content" in refused[0][2]


def test_concurrent_posts_of_several_sources_each_keep_their_source(tmp_path: Path) -> None:
    """The group commit may put a webhook's event and a POST /events one in one group: each is
    stored (or refused) under its own source, never the other's."""
    service = open_service(
        f"sqlite:///{tmp_path / 'mixed.db'}", FixedClock(T0), fast_contract(), tmp_path
    )
    posts = [
        (event("reported", f"M{n}", T0, f"M{n}"), "api" if n % 2 else "hook:jira")
        for n in range(20)
    ]
    # the same ids again with other content: refusals, of both sources
    posts += [({**posts[n][0], "severity": "major"}, posts[n][1]) for n in (0, 1)]
    start = threading.Barrier(len(posts))

    def post(data: dict[str, object], source: str) -> None:
        start.wait()
        service.post_one(data, source)

    threads = [threading.Thread(target=post, args=item) for item in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with service.store.sessions() as session:
        stored = {row.event_id: row.source for row in session.scalars(select(StoredEvent))}
        refused = [(row.event_id, row.source) for row in session.scalars(select(RejectedInput))]
    service.store.close()
    assert stored == {data["id"]: source for data, source in posts[:20]}
    assert sorted(refused) == [("M0", "hook:jira"), ("M1", "api")]


def test_too_many_events_from_one_payload_is_413_and_kept(tmp_path: Path) -> None:
    limits = BodyLimits(batch_events=1)
    for client in _client(tmp_path, "query-token", limits):
        one = client.post(f"/hooks/inhouse?key={SECRET}", content=_body())
        assert one.status_code == 201
        two = _body(ticket_no="WO-2", steps=[{"what": "visit"}])  # reported and arrived
        answer = client.post(f"/hooks/inhouse?key={SECRET}", content=two)
        assert answer.status_code == 413, answer.text
        assert "2 events from one payload, at most 1" in answer.json()["error"]


def test_hook_options_and_secrets_are_checked_at_start(tmp_path: Path) -> None:
    with pytest.raises(SlaError, match=r"write NAME=MAPPING\.yaml"):
        parse_hook_options(["jira"])
    with pytest.raises(SlaError, match="given twice"):
        parse_hook_options(["a=x.yaml", "a=y.yaml"])
    with pytest.raises(SlaError, match="a hook name is letters"):
        parse_hook_options(["a/b=x.yaml"])
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING.replace("SCHEME", "token"), encoding="utf-8")
    with pytest.raises(SlaError, match="INHOUSE_SECRET, which is not set"):
        load_hooks([("inhouse", path)], {})
    with pytest.raises(SlaError, match="no such mapping file"):
        load_hooks([("x", tmp_path / "missing.yaml")], {})


DEEP = b'{"kind": "created", "ticket_no": "WO-1", "x": ' + b"[" * 600_000 + b"]" * 600_000 + b"}"

HOSTILE: list[tuple[str, bytes, int, str]] = [
    ("nested past any parser", DEEP, 413, "body"),  # over the 1 MB a webhook may be
    ("nested deeply", DEEP[:48] + b"[" * 5_000 + b"]" * 5_000 + b"}", 400, "body"),
    ("an integer of 5,000 digits", b'{"ticket_no": ' + b"9" * 5_000 + b"}", 400, "body"),
    ("not UTF-8", b'{"ticket_no": "\xff"}', 400, "body"),
    ("empty", b"", 400, "body"),
    ("a list, not an object", json.dumps([1, 2]).encode(), 422, "ticket_no"),
    ("ticket an object", _body(ticket_no={"id": 1}), 422, "ticket_no"),
    ("ticket true", _body(ticket_no=True), 422, "ticket_no"),
    ("ticket a fraction", _body(ticket_no=1.5), 422, "ticket_no"),
    ("time a list", _body(when=[1]), 422, "when"),
    ("time Infinity", _body(when=float("inf")), 422, "when"),
    ("time past UTC's year 9999", _body(when="9999-12-31T23:59:59-14:00"), 422, "when"),
    ("time before UTC's year 1", _body(when="0001-01-01T00:00:00+14:00"), 422, "when"),
    ("time a megabyte long", _body(when="2" * 900_000), 422, "when"),
    ("priority an object", _body(level={"name": "low"}), 422, "level"),
    ("changes an object", _body(kind="progress", steps={"what": "visit"}), 422, "steps"),
    ("a change a number", _body(kind="progress", steps=[7]), 422, "steps.0"),
    ("ticket a lone surrogate", _body(ticket_no="W\ud800"), 422, ""),  # refused by the intake
]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_a_hostile_payload_is_a_4xx_naming_the_field_never_a_500(
    tmp_path: Path, body: bytes, status: int, field: str
) -> None:
    for client in _client(tmp_path, "query-token"):
        client = TestClient(client.app, raise_server_exceptions=False)
        answer = client.post(f"/hooks/inhouse?key={SECRET}", content=body)
        assert answer.status_code == status, answer.text[:300]
        found = answer.json()
        assert found["status"] == "rejected"
        assert len(found["error"]) < 1_000  # the value is cut, not echoed whole
        if field:
            assert found["field"] == field, found
        else:  # the intake's refusal, each event's outcome listed
            assert found["outcomes"][0]["status"] == "rejected"
        after = client.post(f"/hooks/inhouse?key={SECRET}", content=_body())
        assert after.status_code == 201  # one bad delivery breaks nothing for the next


@pytest.mark.parametrize("where", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_refusal_retried_by_a_helpdesk_is_recorded_once(
    tmp_path: Path, request: pytest.FixtureRequest, where: str
) -> None:
    """Only a webhook's: POST /events keeps each refusal it answers, as before."""
    url = (
        f"sqlite:///{tmp_path / 'retry.db'}"
        if where == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    service = open_service(url, FixedClock(T0), fast_contract(), tmp_path)
    first = event("reported", "R1", T0, "R1")
    other = {**first, "severity": "major"}
    service.post_one(first, "hook:jira")
    for source in ("hook:jira", "hook:jira", "hook:zammad", "api", "api"):
        assert service.post_one(other, source).rejected is not None
    with service.store.sessions() as session:
        refused = sorted(row.source for row in session.scalars(select(RejectedInput)))
    service.store.close()
    assert refused == ["api", "api", "hook:jira", "hook:zammad"]
