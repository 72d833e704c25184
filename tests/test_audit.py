"""The audit trail (docs/audit.md): every recorded action writes its record, in the action's
transaction; the hash chain verifies, and an edited, deleted or rewritten record is named —
on SQLite and PostgreSQL; two writers on PostgreSQL never fork the chain; the migration keeps
every alert, acknowledgement and line; the CLI, ``GET /audit`` and the console page."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from slaengine.api.auth import Auth
from slaengine.audit import trail
from slaengine.audit.records import AuditRecord
from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store, migrate
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
OPERATOR, VIEWER = "op-token", "view-token"
AS_OPERATOR = {"Authorization": f"Bearer {OPERATOR}"}
AS_VIEWER = {"Authorization": f"Bearer {VIEWER}"}
REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "slaengine"]


def _kinds(store: Store) -> list[tuple[str, str, str, str]]:
    with store.sessions() as session:
        rows = trail.records(session, trail.Filters())
    return [(row.kind, row.who, row.via, row.origin) for row in rows]


def _verify(store: Store, anchors: list[tuple[int, str]] | None = None) -> trail.Verdict:
    with store.sessions() as session:
        return trail.verify(session, anchors or [])


def _history(store: Store, clock: FixedClock, tmp: Path) -> None:
    """Actions of several kinds: an amendment, a breach and its acknowledgement, a waiver, a
    re-judge (the contract was loaded by ``open_service``)."""
    service = LiveService(store, clock, environ={})
    amended = fast_contract(ack_target="4s").replace("id: FAST-1\n", "id: FAST-1\nversion: 2\n")
    store.load_contract(amended, tmp / "fast-2.yaml", T0.date(), trail.cli_actor("Zhou"))
    service.ingest([(1, event("reported", "T1", T0 - timedelta(seconds=30)))], "api")
    service.run_due()
    with store.sessions() as session:
        alert_id = session.execute(text("SELECT min(id) FROM alerts")).scalar_one()
    service.acknowledge(alert_id, "Wang", trail.Actor("Wang", "http", "10.0.0.7", "operator"))
    waiver = event("breach_waived", "T1", T0, attrs={"commitment": "ack", "reason": "line down",
                                                     "by": "Li"})  # fmt: skip
    service.ingest([(1, waiver)], "waivers.jsonl")
    service.rejudge(CONTRACT_ID, closed=True, actor=trail.cli_actor("ops"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def test_the_chain_verifies_then_an_edit_or_a_deletion_is_named(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    service = open_service(db_url, clock, fast_contract(), tmp_path)
    store = service.store
    try:
        _history(store, clock, tmp_path)
        kinds = [kind for kind, *_ in _kinds(store)]
        assert kinds == [
            "contract_loaded", "contract_amended", "acknowledged", "waiver", "rejudge"
        ]  # fmt: skip
        verdict = _verify(store)
        assert verdict.ok and verdict.checked == 5 and verdict.head_seq == 5

        # an edited record: its content no longer gives its hash
        with store.write() as session:
            session.execute(text("UPDATE audit_records SET who = 'Someone else' WHERE seq = 3"))
        verdict = _verify(store)
        assert not verdict.ok
        assert any(p.startswith("record 3 (acknowledged") and "altered" in p
                   for p in verdict.problems), verdict.problems  # fmt: skip
        with store.write() as session:
            session.execute(text("UPDATE audit_records SET who = 'Wang' WHERE seq = 3"))
        assert _verify(store).ok

        # a deleted record in the middle, then the newest one
        with store.write() as session:
            session.execute(text("DELETE FROM audit_records WHERE seq = 2"))
        problems = _verify(store).problems
        assert problems == ["record 2 removed: the chain goes from 1 to 3"], problems
        with store.write() as session:
            session.execute(text("DELETE FROM audit_records WHERE seq = 5"))
        problems = _verify(store).problems
        assert "record 5 removed from the end: the head names record 5, the newest left is 4" in (
            problems
        ), problems
        # the head row removed: said, and the next append carries on from the newest record
        with store.write() as session:
            session.execute(text("DELETE FROM audit_head"))
        assert "the head row (audit_head) is missing" in _verify(store).problems[-1]
        service.rejudge(CONTRACT_ID, actor=trail.cli_actor())
        with store.sessions() as session:
            newest = trail.records(session, trail.Filters(), 1, newest_first=True)[0]
        assert (newest.seq, newest.kind) == (5, "rejudge")
    finally:
        store.close()


def test_a_rewritten_chain_fails_against_an_anchor_kept_elsewhere(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    service = open_service(db_url, clock, fast_contract(), tmp_path)
    store = service.store
    try:
        _history(store, clock, tmp_path)
        kept = _verify(store)
        anchor = (kept.head_seq, kept.head_hash)
        # someone with write access alters record 2 and re-hashes everything after it
        with store.write() as session:
            rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
            prev = rows[0].hash
            for row in rows[1:]:
                if row.seq == 2:
                    row.who = "nobody"
                row.prev_hash = prev
                row.hash = trail.record_hash(row)
                prev = row.hash
            session.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
        assert _verify(store).ok  # the chain alone cannot tell
        problems = _verify(store, [anchor]).problems
        assert problems == [
            f"anchor {anchor[0]}: record {anchor[0]} now has hash {prev}, not {anchor[1]}: "
            "the chain was rewritten from there on"
        ]
    finally:
        store.close()


@pytest.mark.postgres
def test_two_writers_on_postgres_never_fork_the_chain(
    pg_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    store = Store.open(pg_url, clock)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(25):
                with store.write() as session:
                    trail.append(session, trail.Actor(name, "cli", "test"), "rejudge", T0,
                                 details={"n": n})  # fmt: skip
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        verdict = _verify(store)
        assert verdict.ok and verdict.checked == 100 and verdict.head_seq == 100
        with store.sessions() as session:
            seqs = list(session.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq)))
        assert seqs == list(range(1, 101))
    finally:
        store.close()


def test_the_migration_keeps_every_alert_acknowledgement_and_line(
    db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    """A store judged and acknowledged, taken back to 0006 (as today's stores are) and brought
    up to the head again: every row of every existing table is as it was."""
    service = open_service(db_url, clock, fast_contract(), tmp_path)
    store = service.store
    tables = ("events", "breaches", "alerts", "penalty_lines", "clocks", "outbox",
              "contract_versions")  # fmt: skip
    try:
        _history(store, clock, tmp_path)

        def rows() -> dict[str, list[Any]]:
            # every column but penalty_lines.change_seq (0012): a reading aid the triggers set,
            # not kept through a downgrade (the upgrade tells the readers to read every row)
            with store.engine.connect() as connection:
                return {
                    name: [tuple(v for k, v in r.items() if k != "change_seq")
                           for r in connection.execute(
                        text(f"SELECT * FROM {name} ORDER BY id" if name != "events"
                             else "SELECT * FROM events ORDER BY seq")).mappings()]
                    for name in tables
                }  # fmt: skip

        before = rows()
        assert before["alerts"] and before["penalty_lines"] and before["breaches"]
        assert any("Wang" in row for row in before["alerts"])  # the acknowledgement
        migrate.downgrade(store.engine, "0006")
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == "0006"
        assert rows() == before
        migrate.upgrade(store.engine)
        assert rows() == before
        verdict = _verify(store)
        assert verdict.ok and verdict.checked == 0  # the trail starts at the migration
        service.rejudge(CONTRACT_ID, actor=trail.cli_actor())
        assert _verify(store).head_seq == 1
    finally:
        store.close()


# -- the service's routes and pages -----------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path, clock: FixedClock) -> Iterator[LiveService]:
    live = open_service(f"sqlite:///{tmp_path / 'audit.db'}", clock, fast_contract(), tmp_path)
    yield live
    live.store.close()


@pytest.fixture
def client(service: LiveService, clock: FixedClock) -> TestClient:
    auth = Auth(operator=OPERATOR, viewer=VIEWER, clock=clock)
    return TestClient(
        create_app(service.store, clock, service=service, auth=auth), follow_redirects=False
    )


def _breach_alerts(client: TestClient, service: LiveService) -> list[dict[str, Any]]:
    for ticket in ("T1", "T2"):
        reported = event("reported", ticket, T0 - timedelta(seconds=4))
        assert client.post("/events", json=reported, headers=AS_OPERATOR).status_code == 201
    service.run_due()
    found: list[dict[str, Any]] = client.get(
        "/alerts?kind=breach&contact=duty", headers=AS_OPERATOR
    ).json()
    assert len(found) == 2
    return found


def test_every_action_through_the_service_writes_its_record(
    client: TestClient, service: LiveService, clock: FixedClock
) -> None:
    store = service.store
    first, second = _breach_alerts(client, service)
    # acknowledgement: API, then console
    acked = client.post(f"/alerts/{first['id']}/ack", json={"by": "Wang"}, headers=AS_OPERATOR)
    assert acked.status_code == 200
    client.post(f"/alerts/{first['id']}/ack", json={"by": "Again"}, headers=AS_OPERATOR)
    assert client.post("/login", data={"token": "wrong", "next": "/"}).status_code == 401
    assert client.post("/login", data={"token": OPERATOR, "next": "/"}).status_code == 303
    done = client.post(f"/console/alerts/{second['id']}/ack", data={"by": "Zhao"})
    assert done.status_code == 303
    # a waiver over the API, a re-judge over the API
    waiver = event("breach_waived", "T1", T0, attrs={"commitment": "ack", "reason": "storm",
                                                     "by": "Li (customer)"})  # fmt: skip
    assert client.post("/events", json=waiver, headers=AS_OPERATOR).status_code == 201
    rejudged = client.post(f"/contracts/{CONTRACT_ID}/rejudge", json={"closed": True},
                           headers=AS_OPERATOR)  # fmt: skip
    assert rejudged.status_code == 202
    # wrong bearer tokens: one record per address per 10 s, the ones between counted in the next
    guess = {"Authorization": "Bearer guess"}
    clock.advance(timedelta(seconds=11))
    assert client.get("/breaches", headers=guess).status_code == 401
    assert client.get("/breaches", headers=guess).status_code == 401
    assert client.get("/audit", headers=guess).status_code == 401
    clock.advance(timedelta(seconds=11))
    assert client.get("/breaches", headers=guess).status_code == 401

    recorded = _kinds(store)
    assert recorded[0][0] == "contract_loaded" and recorded[0][2] == "cli"
    assert recorded[1:] == [
        ("acknowledged", "Wang", "http", "testclient"),
        ("sign_in_failed", "unknown", "console", "testclient"),
        ("signed_in", "operator", "console", "testclient"),
        ("acknowledged", "Zhao", "console", "testclient"),
        ("waiver", "Li (customer)", "intake", "api"),
        ("rejudge", "operator", "http", "testclient"),
        ("sign_in_failed", "unknown", "http", "testclient"),
        ("sign_in_failed", "unknown", "http", "testclient"),
    ]  # the repeated acknowledgement changed nothing, so recorded nothing
    with store.sessions() as session:
        rows = trail.records(session, trail.Filters())
        assert trail.verify(session).ok
    details = [json.loads(row.details) for row in rows]
    assert details[1]["alert"] == first["id"] and details[1]["role"] == "operator"
    assert details[5]["reason"] == "storm" and details[5]["ticket"] == "T1"
    assert details[6] == {"closed": True, "since": None, "marked": 2, "role": "operator"}
    assert details[7]["how"] == "bearer" and "repeated" not in details[7]
    assert details[8]["repeated"] == 2 and details[8]["path"] == "/breaches"

    # GET /audit: operators only, filtered, JSON or CSV
    assert client.get("/audit", headers=AS_VIEWER).status_code == 403
    client.cookies.clear()
    assert client.get("/audit").status_code == 401
    listed = client.get("/audit?kind=acknowledged", headers=AS_OPERATOR).json()
    assert [r["who"] for r in listed] == ["Wang", "Zhao"]
    assert listed[1]["prev_hash"] != listed[0]["hash"]  # records in between
    assert client.get("/audit?who=Zhao&contract=FAST-1", headers=AS_OPERATOR).json()[0]["seq"] == 5
    assert client.get("/audit?kind=nonsense", headers=AS_OPERATOR).status_code == 422
    assert client.get("/audit?since=2026-03-03", headers=AS_OPERATOR).status_code == 422
    assert client.get("/audit?until=", headers=AS_OPERATOR).status_code == 422
    later = client.get("/audit?since=2026-03-03T00:00:00Z", headers=AS_OPERATOR).json()
    assert later == []
    exported = client.get("/audit?format=csv", headers=AS_OPERATOR)
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0] == list(trail.COLUMNS) and len(table) == 1 + len(rows)


def test_the_console_audit_page_filters_and_exports(
    client: TestClient, service: LiveService
) -> None:
    first, _ = _breach_alerts(client, service)
    client.post(f"/alerts/{first['id']}/ack", json={"by": "Wang"}, headers=AS_OPERATOR)
    client.post("/login", data={"token": VIEWER, "next": "/"})
    assert client.get("/console/audit").status_code == 403
    assert "/console/audit" not in client.get("/").text
    client.cookies.clear()
    client.post("/login", data={"token": OPERATOR, "next": "/"})
    page = client.get("/console/audit?kind=acknowledged").text
    assert "The chain is whole" in page and "Wang" in page
    assert 'data-kind="acknowledged"' in page and 'data-kind="signed_in"' not in page
    zh = client.get("/console/audit?lang=zh").text
    assert "记录链完整" in zh and "确认告警" in zh and "登录" in zh
    exported = client.get("/console/audit/export?format=json&kind=acknowledged")
    assert [r["who"] for r in exported.json()] == ["Wang"]
    with service.store.write() as session:
        session.execute(text("UPDATE audit_records SET origin = 'elsewhere' WHERE seq = 2"))
    broken = client.get("/console/audit?lang=en").text
    assert "The chain is broken" in broken and "record 2 (acknowledged" in broken


# -- the command line --------------------------------------------------------------------------


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_commands_record_and_verify(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    contract = REPO / "contracts" / "example-tender.yaml"
    loaded = _run("contract", "load", str(contract), "--db", db, "--effective", "2026-01-15",
                  cwd=tmp_path)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    amended = tmp_path / "amendment.yaml"
    amended.write_text(
        contract.read_text("utf-8").replace("version: 1", "version: 2", 1), encoding="utf-8"
    )
    assert "version: 2" in amended.read_text("utf-8")
    assert _run("contract", "load", str(amended), "--db", db, "--effective", "2026-06-01",
                cwd=tmp_path).returncode == 0  # fmt: skip
    assert _run("contract", "load", str(amended), "--db", db, cwd=tmp_path).returncode == 0
    rejudged = _run("rejudge", "--contract", "HT-2026-017", "--db", db, cwd=tmp_path)
    assert rejudged.returncode == 0, rejudged.stderr

    listed = _run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path)
    records = json.loads(listed.stdout)
    assert [r["kind"] for r in records] == ["contract_loaded", "contract_amended", "rejudge"]
    assert all(r["via"] == "cli" and "@" in r["origin"] for r in records)
    assert records[1]["details"]["effective_from"] == "2026-06-01"
    ok = _run("audit", "verify", "--db", db, cwd=tmp_path)
    assert ok.returncode == 0 and "the chain is whole" in ok.stdout
    head = ok.stdout.split("head ")[1].split()[0]
    assert _run("audit", "verify", "--db", db, "--anchor", head, cwd=tmp_path).returncode == 0

    kinds = _run("audit", "export", "--db", db, "--kind", "rejudge", "-f", "csv", "-o",
                 str(tmp_path / "a.csv"), cwd=tmp_path)  # fmt: skip
    assert kinds.returncode == 0
    exported = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text("utf-8-sig"))))
    assert len(exported) == 2 and exported[1][2] == "rejudge"
    bad = _run("audit", "list", "--db", db, "--kind", "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "kind: 'nope' is not one of" in bad.stderr

    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE audit_records SET details = '{}' WHERE seq = 2")
    broken = _run("audit", "verify", "--db", db, cwd=tmp_path)
    assert broken.returncode == 1
    assert "record 2 (contract_amended" in broken.stderr and "altered" in broken.stderr
    as_json = json.loads(_run("audit", "verify", "--db", db, "-f", "json", cwd=tmp_path).stdout)
    assert as_json["ok"] is False and len(as_json["problems"]) == 1
    missing = _run("audit", "verify", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such store" in missing.stderr


def test_a_failed_sign_in_the_trail_cannot_record_is_still_refused(
    client: TestClient, service: LiveService, caplog: pytest.LogCaptureFixture
) -> None:
    with service.store.write() as session:
        session.execute(text("DROP TABLE audit_records"))
    refused = client.get("/breaches", headers={"Authorization": "Bearer guess"})
    assert refused.status_code == 401
    assert "could not record a failed sign-in from testclient" in caplog.text
