"""The live service with a long history: what a contract-wide event, a new contract version and
the duties pass cost, and that a ticket's read never scans the contract (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select, text

from slaengine.bundled import example_contract
from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store.models import Breach, StoredClock, Ticket
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[LiveService]:
    live = open_service(db_url, clock, fast_contract(onsite_target="60s"), tmp_path)
    yield live
    live.store.close()


def dirty(service: LiveService) -> set[str]:
    with service.store.sessions() as session:
        return set(session.scalars(select(Ticket.ticket).where(Ticket.dirty)))


def wide(kind: str, event_id: str, when: datetime, **attrs: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event_id,
        "contract": CONTRACT_ID,
        "type": kind,
        "at": when.isoformat(),
    }
    if attrs:
        data["attrs"] = attrs
    return data


def test_a_contract_wide_event_marks_only_the_tickets_it_can_change_and_judges_none_inline(
    service: LiveService, clock: FixedClock
) -> None:
    # T-old: answered and on site before the force majeure; T-run: running through it;
    # T-new: reported after it ended.
    service.ingest(
        [
            (0, event("reported", "T-old", at(0))),
            (1, event("arrived", "T-old", at(1))),
            (2, event("reported", "T-run", at(2))),
        ],
        "test",
    )
    clock.set(at(30))
    service.ingest([(0, event("reported", "T-new", at(30)))], "test")
    service.run_due()
    assert dirty(service) == set()

    inspection = service.ingest([(0, wide("inspection_done", "I-1", at(30)))], "test")
    violation = service.ingest([(0, wide("site_violation", "V-1", at(30)))], "test")
    assert (inspection.evaluated, inspection.added.marked) == (0, 0)
    assert (violation.evaluated, violation.added.marked) == (0, 0)
    assert dirty(service) == set()

    typhoon = wide("force_majeure", "FM-1", at(5), until=at(20).isoformat(), reason="typhoon")
    outcome = service.ingest([(0, typhoon)], "test")
    # Nothing judged inside the request; only the ticket whose clocks it overlaps is marked.
    assert outcome.evaluated == 0 and outcome.alerts == 0
    assert outcome.added.marked == 1
    assert dirty(service) == {"T-run"}
    service.run_due()  # the background pass
    assert dirty(service) == set()
    with service.store.sessions() as session:
        onsite = session.scalars(
            select(StoredClock).where(
                StoredClock.ticket == "T-run", StoredClock.commitment == "onsite"
            )
        ).one()
    # 60 s target from at(2), plus the 15 s excused from at(5) to at(20).
    assert onsite.deadline == at(77)


def test_a_new_version_rejudges_open_tickets_in_the_background_with_progress_in_health(
    service: LiveService, clock: FixedClock, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    service.ingest(
        [
            (0, event("reported", "T-open", at(0))),
            (1, event("reported", "T-done", at(0))),
            (2, event("arrived", "T-done", at(1))),
            (3, event("resolved", "T-done", at(2))),
            # closed the day before (1 March): nothing of it reaches the new version's day
            (4, event("reported", "T-old", at(-86_400))),
            (5, event("arrived", "T-old", at(-86_399))),
            (6, event("resolved", "T-old", at(-86_398))),
        ],
        "test",
    )
    client = TestClient(create_app(service.store, service=service))
    assert client.get("/health").json()["ready"] is False
    clock.set(at(5))
    service.run_due()
    assert client.get("/health").json()["ready"] is True
    amended = fast_contract(onsite_target="90s")
    service.store.load_contract(amended, tmp_path / "v2.yaml")
    # The open ticket waits for its new judgement, and the closed one whose deadlines fall on
    # or after the day the version takes effect (today: its lines, its terms may change); not
    # the one closed the day before. The load itself judged nothing.
    assert dirty(service) == {"T-open", "T-done"}
    assert client.get("/health").json()["tickets_waiting"] == 2
    service.run_due()
    assert client.get("/health").json()["tickets_waiting"] == 0


def test_the_duties_pass_reads_only_what_arrived_since_and_sees_other_workers_events(
    db_url: str,
) -> None:
    # The example tender's first inspection period ended 2026-04-15 with no inspection.
    clock = FixedClock(datetime(2026, 4, 15, 0, 0, 1, tzinfo=UTC))
    path = example_contract()
    first = Store.open(db_url, clock)
    first.load_contract(path.read_text(encoding="utf-8"), path)
    worker = LiveService(first, clock, environ={})
    other = LiveService(Store.open(db_url, clock), clock, environ={})
    assert "duties" in worker.run_due().extra
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa_event.listen(first.engine, "before_cursor_execute", seen)
    clock.advance(timedelta(seconds=5))
    assert "duties" not in worker.run_due().extra  # nothing new, nothing due: not judged
    reads = [s for s in statements if "FROM events" in s]
    assert reads and all("events.seq >" in s for s in reads if "max(" not in s)
    # Another process stores the inspection (a consume worker): the next pass sees it.
    other.ingest(
        [
            (
                0,
                {
                    "id": "INS-1",
                    "contract": "HT-2026-017",
                    "type": "inspection_done",
                    "at": "2026-03-20T10:00:00+08:00",
                },
            )
        ],
        "test",
    )
    assert "duties" not in worker.run_due().extra  # looked at most every 5 s
    clock.advance(timedelta(seconds=5))
    assert "duties" in worker.run_due().extra
    with first.sessions() as session:
        statuses = set(session.scalars(select(Breach.status).where(Breach.kind == "obligation")))
    assert statuses == {"withdrawn"}
    sa_event.remove(first.engine, "before_cursor_execute", seen)
    first.close()
    other.store.close()


def test_a_tickets_events_are_read_through_indexes_not_a_scan_of_the_contract(
    tmp_path: Path,
) -> None:
    live = open_service(f"sqlite:///{tmp_path / 'p.db'}", FixedClock(T0), fast_contract(), tmp_path)
    store = live.store
    captured: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM events" in statement and not statement.startswith("EXPLAIN"):
            captured.append((statement, parameters))

    sa_event.listen(store.engine, "before_cursor_execute", keep)
    with store.sessions() as session:
        store.ticket_events(session, CONTRACT_ID, "T1")
    sa_event.remove(store.engine, "before_cursor_execute", keep)
    assert len(captured) == 1  # the ticket's events and the force majeure: one statement
    with store.engine.connect() as connection:
        for statement, parameters in captured:
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "USING INDEX ix_events_ticket" in plan, plan
            # the contract-wide force majeure: its own partial index or the (contract, type) one
            assert "USING INDEX ix_events_wide" in plan or "USING INDEX ix_events_type" in plan, (
                plan
            )
            assert "SCAN events" not in plan, plan
        connection.execute(text("SELECT 1"))
    store.close()


def test_concurrent_single_posts_are_committed_together_each_before_its_answer(
    service: LiveService,
) -> None:
    import threading

    from slaengine.store.models import RejectedInput, StoredEvent

    woken: list[int] = []
    # The judge lane's wake-up, as slaengine serve's scheduler registers it: the posts are
    # answered at their commit and their tickets left to it.
    service.on_stored.append(lambda: woken.append(1))
    posts: list[dict[str, Any]] = [event("reported", f"G{n}", at(n)) for n in range(40)]
    posts.append(dict(posts[0]))  # the same event again: a duplicate
    posts.append({**posts[1], "severity": "major"})  # same id, other content: a conflict
    posts.append({"id": "bad", "contract": CONTRACT_ID, "type": "reported"})  # no time
    answers: dict[int, str] = {}
    stored_when_answered: dict[int, bool] = {}
    start = threading.Barrier(len(posts))

    def post(n: int) -> None:
        start.wait()
        single = service.post_one(posts[n])
        answers[n] = (
            "accepted"
            if single.accepted is not None
            else "rejected"
            if single.rejected is not None
            else "duplicate"
        )
        with service.store.sessions() as session:
            stored_when_answered[n] = (
                session.scalar(
                    select(StoredEvent.seq).where(StoredEvent.event_id == posts[n]["id"])
                )
                is not None
            )

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    groups = service.group_commit
    assert groups.requests == len(posts)
    assert groups.groups < len(posts)  # some were committed together
    counts = {kind: list(answers.values()).count(kind) for kind in set(answers.values())}
    assert counts == {"accepted": 40, "duplicate": 1, "rejected": 2}
    # Whichever of the two same-id posts came first is accepted, the other is its duplicate
    # (or conflict); every accepted event was in the store before its answer.
    assert all(stored_when_answered[n] for n, kind in answers.items() if kind == "accepted")
    with service.store.sessions() as session:
        rejected = list(session.scalars(select(RejectedInput)))
    assert len(rejected) == 2 and all(row.line is None for row in rejected)
    # Answered at the commit, not judged: the tickets are dirty and due now, for the judge lane
    # (the due pass, which the commit wakes in a running service), which judges them all.
    assert dirty(service) == {f"G{n}" for n in range(40)}
    assert 1 <= len(woken) <= groups.groups  # woken after each commit that stored events
    service.run_due()
    assert dirty(service) == set()


@pytest.mark.postgres
def test_storing_never_waits_for_a_due_pass_that_holds_the_ticket(
    pg_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    """A due pass holds T1's row (judging it) while an event for T1 is stored: storing does not
    wait for that lock — the ticket goes to ticket_marks in the event's transaction — and the
    next pass folds it back and judges the ticket with the new event."""
    import threading

    from slaengine.store.models import TicketMark

    live = open_service(pg_url, clock, fast_contract(onsite_target="60s"), tmp_path)
    live.ingest([(0, event("reported", "T1", T0))], "test")  # judged: not dirty
    assert dirty(live) == set()
    holding = threading.Event()
    release = threading.Event()

    def lane() -> None:  # what a due pass's claim does: lock the row until its commit
        with live.store.write() as session:
            session.execute(text("SELECT id FROM tickets WHERE ticket = 'T1' FOR UPDATE"))
            holding.set()
            release.wait(30)
            # ... and the pass, having judged what it read, leaves the ticket clean.
            session.execute(text("UPDATE tickets SET dirty = false WHERE ticket = 'T1'"))

    holder = threading.Thread(target=lane)
    holder.start()
    try:
        assert holding.wait(10)
        stored: list[Any] = []
        storing = threading.Thread(
            target=lambda: stored.append(
                live.store.add_events([(0, event("acknowledged", "T1", at(1)))], "test")
            )
        )
        storing.start()
        storing.join(5)
        assert not storing.is_alive(), "storing waited for the due pass's lock"
        assert len(stored[0].accepted) == 1
        with live.store.sessions() as session:
            marks = list(session.scalars(select(TicketMark.ticket)))
            assert marks == ["T1"]
            assert live.store.waiting(session) == 1
    finally:
        release.set()
        holder.join(10)
    assert dirty(live) == set()  # the pass cleaned it, without having seen the event
    clock.set(at(2))
    assert live.next_due() == at(2)  # the mark makes the due pass due now
    live.run_due()  # folds the mark and judges T1 with its acknowledgement
    with live.store.sessions() as session:
        assert list(session.scalars(select(TicketMark.ticket))) == []
        ack = session.scalars(
            select(StoredClock).where(StoredClock.ticket == "T1", StoredClock.commitment == "ack")
        ).one()
    assert ack.stopped_at == at(1)
    assert dirty(live) == set()
    live.store.close()


def test_the_rejudge_lane_claims_and_counts_through_the_waiting_index(tmp_path: Path) -> None:
    from alembic import command

    from slaengine.store.migrate import alembic_config

    live = open_service(f"sqlite:///{tmp_path / 'w.db'}", FixedClock(T0), fast_contract(), tmp_path)
    store = live.store
    live.ingest([(n, event("reported", f"T{n}", at(0))) for n in range(30)], "test")
    live.run_due()
    assert live.rejudge(CONTRACT_ID, closed=True) == 30
    captured: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM tickets" in statement and not statement.startswith("EXPLAIN"):
            captured.append((statement, parameters))

    sa_event.listen(store.engine, "before_cursor_execute", keep)
    with store.write() as session:
        claimed = store.claim_dirty(session, at(1), 10)
        waiting = store.waiting(session)
    sa_event.remove(store.engine, "before_cursor_execute", keep)
    # The oldest rows first (intake creates them in ticket order).
    assert [row.ticket for row in claimed] == sorted(f"T{n}" for n in range(30))[:10]
    assert waiting == 30
    with store.engine.connect() as connection:
        for statement, parameters in captured:
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            # Only the waiting tickets, in id order: no walk past those already judged again.
            assert "INDEX ix_tickets_waiting" in plan, plan
            assert "TEMP B-TREE" not in plan, plan

    def indexes() -> set[str]:
        with store.engine.connect() as connection:
            return set(
                connection.scalars(
                    text(
                        "SELECT name FROM sqlite_master "
                        "WHERE type = 'index' AND tbl_name = 'tickets'"
                    )
                )
            )

    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert "ix_tickets_waiting" not in indexes()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "ix_tickets_waiting" in indexes()
    store.close()


def test_the_rejudge_lane_yields_to_a_ticket_fallen_due_between_two_batches(
    service: LiveService, clock: FixedClock
) -> None:
    from slaengine.service import due

    service.ingest([(n, event("reported", f"T{n}", at(0))) for n in range(25)], "test")
    service.run_due()
    assert service.rejudge(CONTRACT_ID) == 25  # all open (the 60 s on-site clocks run)
    report = due.DueReport()
    # The pass began at 1 s; by the end of its first batch it is 3.5 s: the 3 s answer clocks
    # (warned at 2.4 s) have fallen due, so the lane hands over after the batch in hand.
    due.rejudge(service.store, service.raiser, at(1), report, lambda: None, lambda: at(3.5))
    assert report.tickets == due.REJUDGE_BATCH
    assert service.progress()["tickets_waiting"] == 25 - due.REJUDGE_BATCH
    clock.set(at(3.5))
    first = service.run_due()  # the fallen-due tickets first, then the lane goes on
    assert first.alerts > 0


def test_judging_again_with_nothing_changed_writes_no_clock_or_breach_row(
    service: LiveService, clock: FixedClock
) -> None:
    service.ingest(
        [(0, event("reported", "T1", at(0))), (1, event("acknowledged", "T1", at(4)))], "test"
    )
    clock.set(at(5))
    service.run_due()  # the answer was late: a breach; the on-site clock runs
    with service.store.sessions() as session:
        before = {
            (c.commitment, c.status, c.updated_at) for c in session.scalars(select(StoredClock))
        }
        assert session.scalars(select(Breach.status)).all() == ["closed"]
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa_event.listen(service.store.engine, "before_cursor_execute", keep)
    clock.set(at(6))
    assert service.rejudge(CONTRACT_ID, closed=True) == 1
    service.run_due()
    sa_event.remove(service.store.engine, "before_cursor_execute", keep)
    assert service.progress()["tickets_waiting"] == 0
    writes = [
        s.split()[1] for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert "clocks" not in writes and "breaches" not in writes, writes
    assert "tickets" in writes  # judged: dirty cleared, evaluated_at and next_due written
    with service.store.sessions() as session:
        after = {
            (c.commitment, c.status, c.updated_at) for c in session.scalars(select(StoredClock))
        }
    assert after == before


def test_a_deadline_never_waits_for_a_duties_pass_in_another_thread(
    service: LiveService, clock: FixedClock
) -> None:
    import threading

    service.ingest([(0, event("reported", "T1", at(0)))], "test")
    service.run_due()
    clock.set(at(3.5))  # the 3 s answer clock has run out
    held = service._duties_lock  # another thread is judging the contract duties
    assert held.acquire(blocking=False)
    try:
        done: list[Any] = []
        worker = threading.Thread(target=lambda: done.append(service.run_due()))
        worker.start()
        worker.join(10)
        assert done, "the due pass waited for the duties pass"
        assert done[0].tickets == 1 and done[0].alerts > 0
        assert "duties" not in done[0].extra  # left to the thread that is on them
    finally:
        held.release()
    with service.store.sessions() as session:
        assert session.scalars(select(Breach.commitment)).all() == ["ack"]
