"""Issue 14 in the live service: a clock per start (``runs: per_start``), repeat-failure remedies
(三包) and amendments by the version in force — in travelled time (FixedClock) over a real store,
the HTTP API (TestClient) and the real CLI; and a per-start clock breached by the real
``slaengine serve`` in real time with no event (a subprocess, a real HTTP receiver).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store, migrate
from slaengine.store.models import Base, Breach, PenaltyLine, StoredAlert, StoredClock
from tests.live_support import event, fast_contract, open_service
from tests.receivers import http_receiver
from tests.test_service_e2e import TOKEN as E2E_TOKEN
from tests.test_service_e2e import serve, wait_until

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 09:00 in Shanghai
TOKEN = "terms-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AUTH_E2E = {"Authorization": f"Bearer {E2E_TOKEN}"}
SLAENGINE = str(Path(sys.executable).with_name("slaengine"))

REPLY = """  - id: reply
    name: {zh: 每次客户来电须及时回复, en: Reply to every customer contact}
    start: customer_contact
    stop: update_sent
    target: 10s
    calendar: always
    runs: per_start
    clauses: [P-reply]
"""


def per_start_contract(hook: str | None = None, target: str = "10s") -> str:
    """The fast contract with a reply clock that every customer contact re-arms."""
    text = fast_contract(hook).replace("commitments:\n", "commitments:\n" + REPLY, 1)
    text = text.replace("target: 10s\n    calendar: always\n    runs", f"target: {target}\n"
                        "    calendar: always\n    runs", 1)  # fmt: skip
    text = text.replace(
        "clauses:\n  - {id: P-ack",
        'clauses:\n  - {id: P-reply, kind: fixed, amount: "300.00"}\n  - {id: P-ack',
        1,
    )
    return "event_types: [customer_contact, update_sent]\n" + text


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


# -- runs: per_start --------------------------------------------------------------------------


def test_two_contacts_rearm_the_reply_clock_and_one_reply_answers_both(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    live = open_service(db_url, clock, per_start_contract(), tmp_path)
    client = TestClient(create_app(live.store, clock, token=TOKEN, service=live))
    try:
        live.ingest(
            [
                (0, event("reported", "T1", T0)),
                (1, event("acknowledged", "T1", T0)),
                (2, event("arrived", "T1", T0)),
                (3, event("customer_contact", "T1", at(1), "C-first")),
                (4, event("customer_contact", "T1", at(5))),
            ],
            "test",
        )
        # Each contact its own clock: #1 due at 11 s (warned at 9 s), #2 due at 15 s.
        clock.set(at(9))
        live.run_due()
        with live.store.sessions() as session:
            warnings = set(
                session.scalars(select(StoredAlert.key).where(StoredAlert.kind == "warning"))
            )
        assert warnings == {"clock/FAST-1/T1/reply/1@C-first/warning"}  # by its start event
        # The first deadline passes with no event: a breach of occurrence 1 only, alerted.
        clock.set(at(11.001))
        live.run_due()
        with live.store.sessions() as session:
            rows = session.scalars(select(Breach).where(Breach.commitment == "reply")).all()
            assert [(b.occurrence, b.status) for b in rows] == [(1, "open")]
            breach_id = rows[0].id
            alerted = session.scalars(
                select(StoredAlert).where(
                    StoredAlert.kind == "breach", StoredAlert.commitment == "reply"
                )
            ).all()
        assert sorted(a.contact for a in alerted) == ["duty", "manager"]
        assert {a.key for a in alerted} == {f"breach/{breach_id}/1/breach"}
        assert all(json.loads(a.payload)["details"]["occurrence"] == 1 for a in alerted)
        # The API shows each occurrence's clock, and the open breach as late as its clock now.
        clock.set(at(12))
        answer = client.get("/contracts/FAST-1/tickets/T1", headers=AUTH).json()
        replies = [c for c in answer["clocks"] if c["commitment"] == "reply"]
        assert [(c["occurrence"], c["status"]) for c in replies] == [
            (1, "breached"),
            (2, "running"),
        ]
        assert replies[0]["late_by_seconds"] == 1
        assert replies[1]["time_left_seconds"] == 3
        (shown,) = [b for b in answer["breaches"] if b["commitment"] == "reply"]
        assert (shown["occurrence"], shown["status"], shown["late_by_seconds"]) == (1, "open", 1)
        # The console's ticket page shows both.
        page = client.get("/console/tickets/FAST-1/T1", headers=AUTH).text
        assert 'data-commitment="reply" data-occurrence="1" data-status="breached"' in page
        assert 'data-commitment="reply" data-occurrence="2" data-status="running"' in page
        # The board has a row for each start, marked with its number.
        board = client.get("/", headers=AUTH).text
        rows = re.findall(
            r'data-commitment="reply" data-status="(\w+)".*?data-occurrence="(\d)"', board
        )
        assert sorted(rows) == [("breached", "1"), ("running", "2")]
        assert board.count('<span class="occurrence">') == 2
        # One update answers every contact waiting: #1 stopped late, #2 met.
        live.ingest([(0, event("update_sent", "T1", at(12)))], "test")
        with live.store.sessions() as session:
            clocks = session.scalars(
                select(StoredClock)
                .where(StoredClock.commitment == "reply")
                .order_by(StoredClock.occurrence)
            ).all()
            assert [(c.occurrence, c.status, c.stopped_at) for c in clocks] == [
                (1, "breached", at(12)),
                (2, "met", at(12)),
            ]
            rows = session.scalars(select(Breach).where(Breach.commitment == "reply")).all()
            assert [(b.occurrence, b.status, b.late_by_seconds) for b in rows] == [(1, "closed", 1)]
        lines = client.get("/penalties?ticket=T1", headers=AUTH).json()
        reply_lines = [
            (x["id"], x["amount"], x["breach_id"]) for x in lines if x["clause"] == "P-reply"
        ]
        assert reply_lines == [("P-reply/T1/reply/1#1", "300.00", breach_id)]
        assert [x["occurrence"] for x in lines if x["clause"] == "P-reply"] == [1]
        # The console's money page and the ticket page's lines name the start.
        money = client.get("/console/money?month=2026-03", headers=AUTH).text
        assert '<small class="occurrence">reply · ' in money
        page = client.get("/console/tickets/FAST-1/T1", headers=AUTH).text
        assert 'data-clause="P-reply" data-occurrence="1"' in page
        # Nothing more happens at the second deadline: it was met.
        clock.set(at(20))
        live.run_due()
        with live.store.sessions() as session:
            count = len(session.scalars(select(Breach).where(Breach.commitment == "reply")).all())
        assert count == 1
    finally:
        live.store.close()


def test_contract_load_takes_a_per_start_contract(tmp_path: Path) -> None:
    contract = tmp_path / "per-start.yaml"
    contract.write_text(per_start_contract(), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'load.db'}"
    done = subprocess.run(
        [SLAENGINE, "contract", "load", str(contract), "--db", db, "--effective", "2026-03-01"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout and "FAST-1" in done.stdout
    assert "note" not in done.stdout  # nothing of it is left to statements


def test_contract_load_says_what_the_live_service_leaves_to_statements(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tender.db'}"
    done = subprocess.run(
        [SLAENGINE, "contract", "load", "contracts/example-tender.yaml", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())  # as the terminal wrapped it
    assert "loaded: contract HT-2026-017" in said
    assert (
        "availability, satisfaction, SC-availability: period figures (measures, service and "
        "measure credits) are not computed by the live service" in said
    )
    assert "按期间计算的指标及服务抵扣不在实时服务中计算" in said


@pytest.mark.slow
def test_the_real_server_breaches_a_contact_left_unanswered(tmp_path: Path) -> None:
    """``slaengine serve`` in real time: the first contact's deadline passes with no event and
    the scheduler alone raises its breach and alert; a second contact re-arms the reply clock,
    and one update then answers both contacts waiting (the first late, the second in time)."""
    with http_receiver() as hook:
        contract = tmp_path / "per-start.yaml"
        contract.write_text(per_start_contract(hook.url, target="2s"), encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'serve.db'}"
        load = subprocess.run(
            [SLAENGINE, "contract", "load", str(contract), "--db", db],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert load.returncode == 0, load.stderr
        with serve(db, contract, tmp_path, {}) as server:
            now = datetime.now(UTC)
            first = [
                event("reported", "R1", now),
                event("acknowledged", "R1", now),
                event("arrived", "R1", now),
                event("customer_contact", "R1", now, "C-1"),
            ]
            answer = httpx.post(f"{server.url}/events/batch", json=first, headers=AUTH_E2E)
            assert answer.status_code == 200 and answer.json()["accepted"] == 4

            def reply_breach(request: Any) -> bool:
                body = request.json()
                return (
                    request.path == "/duty"
                    and body["kind"] == "breach"
                    and body["commitment"] == "reply"
                )

            (alerted,) = wait_until(hook, reply_breach, 1, timeout=20)
            assert alerted.json()["details"]["occurrence"] == 1
            assert alerted.json()["ticket"] == "R1"
            # the message says which contact: the duty supervisor reads both languages
            assert "（第1次）" in alerted.json()["message"]
            assert "(start 1)" in alerted.json()["message"]
            assert (
                server.post(event("customer_contact", "R1", datetime.now(UTC), "C-2")).status_code
                == 201
            )
            ticket = httpx.get(f"{server.url}/contracts/FAST-1/tickets/R1", headers=AUTH_E2E)
            replies = [c for c in ticket.json()["clocks"] if c["commitment"] == "reply"]
            assert [(c["occurrence"], c["status"]) for c in replies] == [
                (1, "breached"),
                (2, "running"),
            ]
            assert server.post(event("update_sent", "R1", datetime.now(UTC))).status_code == 201
            ticket = httpx.get(f"{server.url}/contracts/FAST-1/tickets/R1", headers=AUTH_E2E)
            replies = [c for c in ticket.json()["clocks"] if c["commitment"] == "reply"]
            assert [(c["occurrence"], c["status"]) for c in replies] == [
                (1, "breached"),
                (2, "met"),
            ]
            found = httpx.get(f"{server.url}/breaches?commitment=reply", headers=AUTH_E2E).json()
            assert [(b["occurrence"], b["status"]) for b in found] == [(1, "closed")]


# -- repeat-failure remedies (三包) -------------------------------------------------------------

REMEDY = """remedies:
  - id: replace-after-two-repairs
    name:
      zh: 同一部件质保期内经两次修理仍不能正常使用的免费更换
      en: Replace a part that fails after two repairs
    repairs: resolved
    count: 3
    within_warranty: true
    target: 5d
    calendar: office
    done_by: part_replaced
    clauses: [P-remedy]

contacts:
"""
REMEDY_CLAUSE = """  - id: P-remedy
    kind: fixed
    amount: "5000.00"
  - id: W-final
"""


def remedy_contract() -> str:
    text = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")
    text = text.replace("contacts:\n", REMEDY, 1)
    return text.replace("  - id: W-final\n", REMEDY_CLAUSE, 1)


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def tender_event(
    kind: str, ticket: str | None, when: str, event_id: str, **fields: Any
) -> dict[str, Any]:
    data = {"id": event_id, "contract": "HT-2026-017", "type": kind, "at": f"{when}+08:00"}
    if ticket is not None:
        data["ticket"] = ticket
    data.update(fields)
    return data


def repair(ticket: str, day: str, asset: str = "U1-P1") -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            0,
            tender_event(
                "reported",
                ticket,
                f"{day}T09:00:00",
                f"{ticket}-r",
                severity="general",
                asset=asset,
            ),
        ),
        (1, tender_event("resolved", ticket, f"{day}T10:00:00", f"{ticket}-f")),
    ]


def remedy_service(url: str, clock: FixedClock, tmp: Path) -> LiveService:
    store = Store.open(url, clock)
    path = tmp / "remedy.yaml"
    text = remedy_contract()
    path.write_text(text, encoding="utf-8")
    store.load_contract(text, path)
    return LiveService(store, clock, environ={})


def remedy_state(live: LiveService) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with live.store.sessions() as session:
        breaches = [
            (b.ticket, b.commitment, b.cycle, b.status, b.deadline)
            for b in session.scalars(
                select(Breach).where(Breach.commitment == "replace-after-two-repairs")
            )
        ]
        lines = [
            (p.line_id, p.amount, p.ticket, p.breach_id is not None)
            for p in session.scalars(select(PenaltyLine).where(PenaltyLine.clause == "P-remedy"))
        ]
    return breaches, lines


def test_a_remedy_not_done_by_its_deadline_is_breached_by_the_due_pass(
    db_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(shanghai("2026-03-16T11:00:00"))
    live = remedy_service(db_url, clock, tmp_path)
    try:
        live.ingest(
            repair("T-1", "2026-03-02") + repair("T-2", "2026-03-09") + repair("T-3", "2026-03-16"),
            "test",
        )
        live.run_due()
        assert remedy_state(live) == ([], [])
        # The third repair (Monday 16 March 10:00) owes a replacement within 5 working days:
        # Monday 23 March 10:00. The due pass is armed for that moment.
        deadline = shanghai("2026-03-23T10:00:00")
        due = live.next_due()
        assert due is not None and due <= deadline
        clock.set(deadline - timedelta(seconds=1))
        live.run_due()
        assert remedy_state(live) == ([], [])
        clock.set(deadline)  # the core: a remedy not done by its deadline is missed then
        live.run_due()
        breaches, lines = remedy_state(live)
        assert breaches == [("U1-P1", "replace-after-two-repairs", 0, "closed", deadline)]
        start = shanghai("2026-03-16T10:00:00").isoformat()
        assert lines == [
            (f"P-remedy/replace-after-two-repairs/U1-P1/{start}", "5000.00", None, True)
        ]
        with live.store.sessions() as session:
            missed = session.scalars(
                select(StoredAlert).where(
                    StoredAlert.kind == "obligation_missed",
                    StoredAlert.payload.contains("replace-after-two-repairs"),
                )
            ).all()
        assert {a.contact for a in missed} == {"duty-supervisor", "service-manager"}
        assert all("同一部件质保期内" in a.payload for a in missed)  # the remedy's name
        live.run_due()
        assert len(remedy_state(live)[0]) == 1  # once
        # The replacement done on Friday 20 March is recorded late: the remedy was met after
        # all, the breach is withdrawn and its line goes with it.
        replaced = tender_event("part_replaced", None, "2026-03-20T15:00:00", "R-1", asset="U1-P1")
        live.ingest([(0, replaced)], "test")
        live.run_due()
        breaches, lines = remedy_state(live)
        assert [b[3] for b in breaches] == ["withdrawn"] and lines == []
    finally:
        live.store.close()


# -- amendments: each line under the version in force when its breach began --------------------


def test_an_amendment_loaded_into_a_running_store_prices_later_breaches_by_its_clauses(
    tmp_path: Path, clock: FixedClock
) -> None:
    db = f"sqlite:///{tmp_path / 'amend.db'}"
    live = open_service(db, clock, fast_contract(), tmp_path)
    client = TestClient(create_app(live.store, clock, token=TOKEN, service=live))
    try:
        live.ingest([(0, event("reported", "TA", T0))], "test")  # 09:00 on 2 March
        clock.set(at(4))
        live.ingest([(0, event("acknowledged", "TA", at(4)))], "test")  # 1 s late
        live.run_due()
        # Version 2 from 3 March: the answer within 10 s, P-ack 800.00 instead of 500.00.
        amended = (
            fast_contract(ack_target="10s")
            .replace(
                "accepted_on: 2026-01-01",
                "accepted_on: 2026-01-01\nversion: 2\neffective_from: 2026-03-03",
                1,
            )
            .replace('amount: "500.00"', 'amount: "800.00"', 1)
        )
        path = tmp_path / "amendment.yaml"
        path.write_text(amended, encoding="utf-8")
        load = subprocess.run(
            [SLAENGINE, "contract", "load", str(path), "--db", db],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert load.returncode == 0, load.stderr
        assert "2026-03-03" in load.stdout
        # A version another process stores is seen within a second (the store's cache of the
        # versions): the second passes.
        live.store._versions.clear()
        midnight = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 00:00 on 3 March in Shanghai
        live.ingest(
            [
                # reported two seconds before midnight: version 1's 3 s, due 00:00:01
                (0, event("reported", "TB", midnight - timedelta(seconds=2))),
                # reported after midnight: version 2's 10 s, due 00:00:15
                (1, event("reported", "TC", midnight + timedelta(seconds=5))),
            ],
            "test",
        )
        clock.set(midnight + timedelta(seconds=20))
        live.run_due()
        answer = client.get("/penalties?clause=P-ack", headers=AUTH).json()
        charged = sorted((x["ticket"], x["amount"], x["late_by_seconds"]) for x in answer)
        assert charged == [
            ("TA", "500.00", 1),  # began on 2 March: version 1's clause
            ("TB", "800.00", 19),  # a version 1 clock whose breach began on 3 March
            ("TC", "800.00", 5),
        ]
    finally:
        live.store.close()


# -- migration 0004 ---------------------------------------------------------------------------


def _clock_row(occurrence: int) -> StoredClock:
    return StoredClock(
        contract="FAST-1",
        ticket="T1",
        commitment="reply",
        cycle=1,
        occurrence=occurrence,
        start_key=f"C-{occurrence}",
        status="running",
        started_at=T0,
        deadline=at(10),
        late_by_seconds=0,
        updated_at=T0,
    )


def _migrate(store: Store, revision: str) -> None:
    if revision == "head":
        migrate.upgrade(store.engine, revision)
    else:
        migrate.downgrade(store.engine, revision)


def test_migration_0004_keys_clocks_by_occurrence_and_keeps_the_board_indexes(
    db_url: str,
) -> None:
    store = Store.open(db_url, FixedClock(T0))
    try:
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("clocks")}
        with store.write() as session:
            session.add_all([_clock_row(1), _clock_row(2)])
        with pytest.raises(IntegrityError), store.write() as session:
            session.add(_clock_row(2))  # one row per start
        _migrate(store, "0003")
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM clocks")).scalar() == 1
        _migrate(store, "head")
        with store.sessions() as session:
            # rows from before 0004 are a commitment's one clock (a per-start row kept by a
            # downgrade is taken as its first start's when its ticket is next judged:
            # tests/test_live_keys.py)
            stored = session.scalars(select(StoredClock))
            assert [(c.occurrence, c.start_key) for c in stored] == [(0, "")]
        assert {i["name"] for i in inspect(store.engine).get_indexes("clocks")} == indexes
        assert {"ix_clocks_live", "ix_clocks_open_breach"} <= indexes
        with store.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
        mine = [d for d in flat if "clocks" in str(d) or "breaches" in str(d)]
        assert mine == []  # the models and the migrations agree on clocks and breaches
    finally:
        store.close()


def test_the_terms_benchmark_runs_and_checks_what_it_timed() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--sections", "terms", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    terms = json.loads(done.stdout)["terms"]
    # 50 tickets: 500.00 each; under the amendment 800.00; per start 500.00 + 3 x 300.00
    assert {name: figures["penalties"] for name, figures in terms.items()} == {
        "plain": "25000.00",
        "amended": "40000.00",
        "per_start": "70000.00",
    }
    assert terms["per_start"]["penalty_lines"] == 200
