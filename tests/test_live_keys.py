"""What identifies a stored clock, breach and line, and migration 0004 that keys them.

A clock of a commitment that runs per start is stored under its start event, not its place in
time order: a contact that arrives late with an earlier time must not hand one contact's breach
(its acknowledgement, its alert) to another. A remedy's breach is stored under the repair that
made it owed. Migration 0004 upgrades and downgrades a SQLite store whose breaches alerts and
lines refer to (foreign keys), drops the money of the starts a downgrade cannot keep, leaves
PostgreSQL's indexes alone, and a round trip through it raises no alert. Real SQLite files and
PostgreSQL (``db_url``), travelled time (FixedClock).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Column, Engine, MetaData, Table, create_engine, select, text, update

from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store, migrate
from slaengine.store.models import Base, Breach, PenaltyLine, StoredAlert, StoredClock, Ticket
from slaengine.store.repository import _sqlite_immediate
from tests.live_support import event, open_service
from tests.test_live_terms import (
    AUTH,
    T0,
    TOKEN,
    at,
    remedy_service,
    remedy_state,
    repair,
    shanghai,
    tender_event,
)
from tests.test_live_terms import per_start_contract as per_start


def _breach_alerts(live: LiveService) -> list[tuple[str, int | None, int | None]]:
    """(kind, breach id, occurrence named) of each breach and withdrawn alert, one per key."""
    with live.store.sessions() as session:
        rows = session.scalars(
            select(StoredAlert)
            .where(StoredAlert.kind.in_(["breach", "withdrawn"]))
            .order_by(StoredAlert.id)
        ).all()
    seen: dict[str, tuple[str, int | None, int | None]] = {}
    for row in rows:
        details = json.loads(row.payload)["details"]
        seen.setdefault(row.key, (row.kind, row.breach_id, details.get("occurrence")))
    return list(seen.values())


def _reply_breaches(live: LiveService) -> list[tuple[int, str, int, str, str | None]]:
    """(id, start_key, occurrence, status, acknowledged_by) of the reply clock's breaches."""
    with live.store.sessions() as session:
        return [
            (b.id, b.start_key, b.occurrence, b.status, b.acknowledged_by)
            for b in session.scalars(
                select(Breach).where(Breach.commitment == "reply").order_by(Breach.id)
            )
        ]


def _acknowledge(live: LiveService, breach_id: int) -> None:
    with live.store.write() as session:
        session.execute(
            update(Breach)
            .where(Breach.id == breach_id)
            .values(acknowledged_at=at(11), acknowledged_by="lead")
        )


# -- finding 2: a late contact with an earlier time ---------------------------------------------


def test_a_late_earlier_contact_leaves_each_breach_with_its_own_contact(
    db_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    live = open_service(db_url, clock, per_start(), tmp_path)
    try:
        live.ingest(
            [
                (0, event("reported", "T1", T0)),
                (1, event("acknowledged", "T1", T0)),
                (2, event("arrived", "T1", T0)),
                (3, event("customer_contact", "T1", at(1), "C-A")),  # due 11 s
                (4, event("customer_contact", "T1", at(5), "C-B")),  # due 15 s
            ],
            "test",
        )
        clock.set(at(11.5))
        live.run_due()
        [(a_id, key, number, status, _)] = _reply_breaches(live)
        assert (key, number, status) == ("C-A", 1, "open")
        _acknowledge(live, a_id)
        assert _breach_alerts(live) == [("breach", a_id, 1)]
        # C-C arrives late with the earliest time (0 s, due 10 s): it is now the first start
        # and C-A the second. C-A's breach stays C-A's (acknowledged, not alerted again); C-C
        # has a breach of its own, alerted once.
        live.ingest([(0, event("customer_contact", "T1", at(0), "C-C"))], "test")
        live.run_due()
        rows = _reply_breaches(live)
        c_id = next(row[0] for row in rows if row[1] == "C-C")
        assert rows == [(a_id, "C-A", 2, "open", "lead"), (c_id, "C-C", 1, "open", None)]
        assert _breach_alerts(live) == [("breach", a_id, 1), ("breach", c_id, 1)]
        with live.store.sessions() as session:
            clocks = {
                c.start_key: (c.occurrence, c.deadline)
                for c in session.scalars(
                    select(StoredClock).where(StoredClock.commitment == "reply")
                )
            }
            lines = {
                p.line_id: p.breach_id
                for p in session.scalars(select(PenaltyLine).where(PenaltyLine.clause == "P-reply"))
            }
        assert clocks == {"C-C": (1, at(10)), "C-A": (2, at(11)), "C-B": (3, at(15))}
        # each line is charged for its own contact's breach (its id numbers the start in order)
        assert lines == {"P-reply/T1/reply/1#1": c_id, "P-reply/T1/reply/1#2": a_id}
    finally:
        live.store.close()


def test_a_late_earlier_repair_does_not_move_a_remedy_breach(db_url: str, tmp_path: Path) -> None:
    clock = FixedClock(shanghai("2026-03-11T11:00:00"))
    live = remedy_service(db_url, clock, tmp_path)
    try:
        live.ingest(repair("T-1", "2026-03-09") + repair("T-2", "2026-03-10"), "test")
        live.ingest(repair("T-3", "2026-03-11"), "test")
        # The third repair (Wednesday 11 March 10:00) owes a replacement in 5 working days.
        deadline = shanghai("2026-03-18T10:00:00")
        clock.set(deadline)
        live.run_due()
        breaches, _ = remedy_state(live)
        assert breaches == [("U1-P1", "replace-after-two-repairs", 0, "closed", deadline)]
        # Three earlier repairs, and the replacement they made owed done in time, arrive late:
        # that remedy is the part's first (met), the breached one its second — the same
        # remedy, owed since the same repair: no withdrawal, no second alert.
        late = (
            repair("T-a", "2026-03-02") + repair("T-b", "2026-03-03") + repair("T-c", "2026-03-04")
        )
        done = tender_event("part_replaced", None, "2026-03-05T15:00:00", "R-0", asset="U1-P1")
        live.ingest([*late, (9, done)], "test")
        live.run_due()
        breaches, lines = remedy_state(live)
        assert breaches == [("U1-P1", "replace-after-two-repairs", 1, "closed", deadline)]
        assert [line[3] for line in lines] == [True]  # its line still linked to its breach
        with live.store.sessions() as session:
            keys = set(
                session.scalars(
                    select(StoredAlert.key).where(
                        StoredAlert.kind.in_(["obligation_missed", "withdrawn"])
                    )
                )
            )
            stored = session.scalars(select(Breach.start_key).where(Breach.kind == "obligation"))
            assert list(stored) == ["T-3-f"]  # the repair that made it owed
        assert len(keys) == 1 and next(iter(keys)).endswith("/1/obligation_missed")
    finally:
        live.store.close()


def test_lines_carry_their_clock_occurrence_and_start() -> None:
    from slaengine.contract import parse_contract
    from slaengine.evaluate import evaluate
    from slaengine.events import parse_event

    contract = parse_contract(per_start(), Path("per-start.yaml"))
    events = [
        parse_event(e, contract, i)
        for i, e in enumerate(
            [
                event("reported", "T1", T0, "R"),
                event("acknowledged", "T1", T0, "A"),
                event("arrived", "T1", T0, "V"),
                event("customer_contact", "T1", at(1), "C-1"),
                event("customer_contact", "T1", at(5), "C-2"),
            ]
        )
    ]
    lines = [
        (x.id, x.occurrence, x.start_key)
        for x in evaluate(contract, events, at(30)).charges.penalties
        if x.clause == "P-reply"
    ]
    assert lines == [("P-reply/T1/reply/1#1", 1, "C-1"), ("P-reply/T1/reply/1#2", 2, "C-2")]


# -- finding 1: migration 0004 on a SQLite store with history ----------------------------------


def _engine(url: str) -> Engine:
    """An engine as the store makes one (foreign keys enforced on SQLite)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_immediate(engine)
    return engine


def _as_of_0003(name: str) -> Table:
    """Table ``name`` as 0003 left it: the models' columns but those 0004 adds, no defaults."""
    new = {"occurrence", "start_key"}
    columns = [Column(c.name, c.type) for c in Base.metadata.tables[name].columns]
    return Table(name, MetaData(), *[c for c in columns if c.name not in new])


def _history_0003(engine: Engine) -> None:
    """A breach with its clock, an alert and a penalty line, written at revision 0003."""
    with engine.begin() as connection:
        connection.execute(
            _as_of_0003("clocks").insert(),
            [
                dict(contract="FAST-1", ticket="T1", commitment="ack", cycle=1, status="breached",
                     started_at=T0, deadline=at(3), late_by_seconds=4, updated_at=at(7))
            ],
        )  # fmt: skip
        connection.execute(
            _as_of_0003("breaches").insert(),
            [
                dict(id=1, contract="FAST-1", kind="clock", ticket="T1", commitment="ack",
                     cycle=1, status="open", deadline=at(3), late_by_seconds=4,
                     detected_at=at(4), revision=1, updated_at=at(7))
            ],
        )  # fmt: skip
        connection.execute(
            _as_of_0003("alerts").insert(),
            [
                dict(key="breach/1/1/breach", contact="duty", kind="breach", contract="FAST-1",
                     ticket="T1", commitment="ack", breach_id=1, level=0, lang="en",
                     payload="{}", created_at=at(4))
            ],
        )  # fmt: skip
        connection.execute(
            _as_of_0003("penalty_lines").insert(),
            [
                dict(contract="FAST-1", line_id="P-ack/T1/ack/1", ticket="T1",
                     section="penalties", source="clock", clause="P-ack", commitment="ack",
                     breach_id=1, amount="500.00", provisional=True, body="{}",
                     computed_at=at(4))
            ],
        )  # fmt: skip


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("clocks", "breaches", "alerts", "penalty_lines")
        }


def test_0004_upgrades_a_store_whose_breaches_alerts_and_lines_refer_to(db_url: str) -> None:
    engine = _engine(db_url)
    try:
        migrate.upgrade(engine, "0003")
        _history_0003(engine)
    finally:
        engine.dispose()
    store = Store.open(db_url, FixedClock(T0))  # upgrades to 0004
    try:
        assert _counts(store.engine) == {
            "clocks": 1,
            "breaches": 1,
            "alerts": 1,
            "penalty_lines": 1,
        }
        with store.sessions() as session:
            breach = session.scalars(select(Breach)).one()
            assert (breach.id, breach.start_key, breach.occurrence) == (1, "", 0)
            line = session.scalars(select(PenaltyLine)).one()
            assert line.breach_id == 1
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == _head()  # every migration ran, 0004 among them
            if store.engine.dialect.name == "sqlite":
                # enforcement is back on for the store's connections, and nothing dangles
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()


def _per_start_history(store: Store) -> tuple[int, int]:
    """Two starts of the reply clock breached, each with its line and alert (revision 0004)."""
    with store.write() as session:
        ids = []
        for number, start in ((1, "C-1"), (2, "C-2")):
            session.add(
                StoredClock(contract="FAST-1", ticket="T1", commitment="reply", cycle=1,
                            occurrence=number, start_key=start, status="breached",
                            started_at=at(number), deadline=at(10 + number),
                            late_by_seconds=5, updated_at=at(20))
            )  # fmt: skip
            breach = Breach(contract="FAST-1", kind="clock", ticket="T1", commitment="reply",
                            cycle=1, occurrence=number, start_key=start, status="open",
                            deadline=at(10 + number), late_by_seconds=5, detected_at=at(12),
                            revision=1, updated_at=at(20))  # fmt: skip
            session.add(breach)
            session.flush()
            ids.append(breach.id)
            session.add(
                PenaltyLine(contract="FAST-1", line_id=f"P-reply/T1/reply/1#{number}",
                            ticket="T1", section="penalties", source="clock", clause="P-reply",
                            commitment="reply", breach_id=breach.id, amount="300.00",
                            provisional=True, body="{}", computed_at=at(20))
            )  # fmt: skip
            session.add(
                StoredAlert(key=f"breach/{breach.id}/1/breach", contact="duty", kind="breach",
                            contract="FAST-1", ticket="T1", commitment="reply",
                            breach_id=breach.id, level=0, lang="en", payload="{}",
                            created_at=at(12))
            )  # fmt: skip
    return ids[0], ids[1]


def test_0004_downgrades_keeping_the_first_start_and_only_its_money(db_url: str) -> None:
    store = Store.open(db_url, FixedClock(T0))
    try:
        first, second = _per_start_history(store)
        migrate.downgrade(store.engine, "0003")
        assert _counts(store.engine) == {
            "clocks": 1,
            "breaches": 1,
            "alerts": 2,
            "penalty_lines": 1,
        }
        with store.engine.connect() as connection:
            kept = connection.execute(text("SELECT id FROM breaches")).scalar_one()
            lines = connection.execute(text("SELECT line_id, breach_id FROM penalty_lines"))
            assert list(map(tuple, lines)) == [("P-reply/T1/reply/1#1", first)]
            alerts = connection.execute(text("SELECT key, breach_id FROM alerts ORDER BY id"))
            assert list(map(tuple, alerts)) == [
                (f"breach/{first}/1/breach", first),
                (f"breach/{second}/1/breach", None),  # on record, its breach gone
            ]
            if store.engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert kept == first
        migrate.upgrade(store.engine)
        with store.sessions() as session:
            assert [(b.id, b.start_key) for b in session.scalars(select(Breach))] == [(first, "")]
    finally:
        store.close()


def test_0004_leaves_the_postgresql_board_indexes_in_place(pg_url: str) -> None:
    engine = _engine(pg_url)
    query = text(
        "SELECT relname, oid FROM pg_class WHERE relname LIKE 'ix_clocks_%' AND relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY relname"
    )
    try:
        migrate.upgrade(engine, "0003")
        with engine.connect() as connection:
            before = list(map(tuple, connection.execute(query)))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            after = list(map(tuple, connection.execute(query)))
        assert {name for name, _ in before} >= {"ix_clocks_live", "ix_clocks_open_breach"}
        # not dropped and made again (a lock on the whole table); later migrations may add more
        assert set(before) <= set(after)
    finally:
        engine.dispose()


def test_a_round_trip_through_0004_raises_no_alert_and_keeps_the_acknowledgement(
    db_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    live = open_service(db_url, clock, per_start(), tmp_path)
    try:
        live.ingest(
            [
                (0, event("reported", "T1", T0)),
                (1, event("acknowledged", "T1", T0)),
                (2, event("arrived", "T1", T0)),
                (3, event("customer_contact", "T1", at(1), "C-1")),
                (4, event("customer_contact", "T1", at(5), "C-2")),
            ],
            "test",
        )
        clock.set(at(9.5))
        live.run_due()  # C-1 warned
        clock.set(at(11.5))
        live.run_due()
        [(breach_id, *_)] = _reply_breaches(live)
        _acknowledge(live, breach_id)
        migrate.downgrade(live.store.engine, "0003")
        migrate.upgrade(live.store.engine)
        with live.store.write() as session:  # judged again (as after a new contract version)
            session.execute(update(Ticket).values(dirty=True))
        live.run_due()
        assert _reply_breaches(live) == [(breach_id, "C-1", 1, "open", "lead")]
        assert _breach_alerts(live) == [("breach", breach_id, 1)]  # no withdrawal, no repeat
        with live.store.sessions() as session:
            warned = session.scalars(
                select(StoredAlert.key).where(StoredAlert.kind == "warning")
            ).all()
        assert warned == ["clock/FAST-1/T1/reply/1@C-1/warning"]  # once
    finally:
        live.store.close()


def test_the_board_tells_the_starts_of_a_per_start_clock_apart(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    live = open_service(f"sqlite:///{tmp_path / 'board.db'}", clock, per_start(), tmp_path)
    client = TestClient(create_app(live.store, clock, token=TOKEN, service=live))
    try:
        live.ingest(
            [
                (0, event("reported", "T1", T0)),
                (1, event("customer_contact", "T1", at(1), "C-1")),
                (2, event("customer_contact", "T1", at(5), "C-2")),
            ],
            "test",
        )
        clock.set(at(6))
        live.run_due()
        page = client.get("/?commitment=reply", headers=AUTH).text
        rows = re.findall(r'<tr class="clock[^"]*"[^>]*data-commitment="reply"[^>]*>', page)
        numbers = [re.search(r'data-occurrence="(\d+)"', row) for row in rows]
        assert [m.group(1) for m in numbers if m] == ["1", "2"]
        # each row says which start it is: not two identical "reply" rows
        assert page.count('<span class="occurrence">') == 2
    finally:
        live.store.close()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from slaengine.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
