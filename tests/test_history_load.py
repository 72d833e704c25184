"""Loading history: ``slaengine ingest`` judges what it stored exactly as the due pass would.

The same events are loaded into two stores: one judged by ingestion (``judge_history``, in parts
handed to two workers on PostgreSQL, the judged tables analysed as they grow — the part size is
made small here so a few dozen tickets exercise all of it), the other stored with nothing judged
and then judged by the due pass (``run_due``). Clocks, breaches, penalty lines and alerts are
equal; every ticket is judged once and no alert is queued twice; a second load of the same file
changes nothing. The command itself runs as a subprocess on a real store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from slaengine.clock import FixedClock, SystemClock
from slaengine.events import Event
from slaengine.service import LiveService, intake
from slaengine.store.models import Breach, OutboxRow, PenaltyLine, StoredAlert, StoredClock, Ticket
from tests.live_support import event, fast_contract, open_service

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))
TICKETS = 37


def history() -> list[dict[str, Any]]:
    """Tickets of the fast contract hours ago: answered in time or late, visited or not,
    paused, resolved (the on-site clock cancelled), and one contract-wide force majeure."""
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    events: list[dict[str, Any]] = []
    for n in range(TICKETS):
        ticket = f"H{n}"
        start = base + timedelta(minutes=n)
        severity = "major" if n % 4 == 0 else "general"
        events.append(event("reported", ticket, start, f"{ticket}-r", severity=severity))
        if n % 3 != 0:  # answered: in time (2 s) or late (5 s)
            delay = 2 if n % 2 else 5
            events.append(event("acknowledged", ticket, start + timedelta(seconds=delay)))
        if n % 5 == 1:
            events.append(event("paused", ticket, start + timedelta(seconds=3)))
            events.append(event("resumed", ticket, start + timedelta(seconds=20)))
        if n % 2 == 0:
            events.append(event("arrived", ticket, start + timedelta(seconds=4 + n % 7)))
        elif n % 7 == 3:
            events.append(event("resolved", ticket, start + timedelta(seconds=4)))
    events.append(
        {
            "id": "FM-H",
            "contract": "FAST-1",
            "type": "force_majeure",
            "at": (base + timedelta(minutes=30)).isoformat(),
            "attrs": {"until": (base + timedelta(minutes=31)).isoformat(), "reason": "typhoon"},
        }
    )
    events.sort(key=lambda item: item["at"])
    return events


def state(service: LiveService) -> dict[str, Any]:
    """What judging wrote, without the moments it was written."""
    with service.store.sessions() as session:
        clocks = sorted(
            (
                c.ticket,
                c.commitment,
                c.cycle,
                c.start_key,
                c.status,
                c.deadline,
                c.stopped_at,
                c.cancelled_at,
                c.late_by_seconds,
                c.next_due,
            )
            for c in session.scalars(select(StoredClock))
        )
        breaches = sorted(
            (b.ticket, b.commitment, b.cycle, b.status, b.deadline, b.late_by_seconds)
            for b in session.scalars(select(Breach))
        )
        lines = sorted(
            (line.line_id, line.ticket, line.clause, line.amount)
            for line in session.scalars(select(PenaltyLine))
        )
        alerts = sorted((a.key, a.contact, a.kind) for a in session.scalars(select(StoredAlert)))
        outbox = session.scalar(select(func.count()).select_from(OutboxRow))
        dirty = session.scalar(select(func.count()).where(Ticket.dirty.is_(True)))
    return {
        "clocks": clocks,
        "breaches": breaches,
        "lines": lines,
        "alerts": alerts,
        "outbox": outbox,
        "dirty": dirty,
    }


def test_a_history_judged_by_ingestion_equals_the_due_pass_on_the_same_events(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = history()
    offered = list(enumerate(events, start=1))
    clock = FixedClock(datetime.now(UTC))  # both judged at one moment (open breaches' lateness)
    by_ingest = open_service(db_url, clock, fast_contract(), tmp_path)
    analysed: list[tuple[str, ...]] = []
    refresh = by_ingest.store.refresh_statistics
    monkeypatch.setattr(
        by_ingest.store,
        "refresh_statistics",
        lambda tables=("events",): (analysed.append(tuple(tables)), refresh(tables)),
    )
    monkeypatch.setattr(intake, "HISTORY_PART", 5)  # 8 parts, two at a time on PostgreSQL
    monkeypatch.setattr(intake, "ANALYZE_JUDGED_FROM", 5)
    try:
        added = by_ingest.store.add_events(offered, "history.jsonl")
        assert len(added.accepted) == len(events)
        advanced: list[int] = []
        read: list[str] = []
        batch_events = by_ingest.store.batch_events
        monkeypatch.setattr(
            by_ingest.store,
            "batch_events",
            lambda session, contract, tickets: (
                read.extend(tickets),
                batch_events(session, contract, tickets),
            )[1],
        )
        # As ``slaengine ingest`` judges: from the events it stored, in two forked worker
        # processes on PostgreSQL (threads on SQLite).
        by_ingest.judge_history(added.tickets, advanced.append, known(added.accepted), 2)
        assert read == [] or "postgresql" in db_url  # (the forked workers read in their own)
        assert sum(advanced) == TICKETS and len(advanced) == 8
        # The judged tables analysed as they grew: at 5 and 20 tickets (not after the last).
        assert intake.ANALYZE_GROWTH == 4
        assert analysed == [intake.JUDGED_TABLES] * 2
        loaded = state(by_ingest)
    finally:
        by_ingest.store.close()

    second = tmp_path / "second"
    second.mkdir()
    url = db_url if "postgresql" in db_url else f"sqlite:///{second / 'store.db'}"
    if "postgresql" in db_url:  # a store of its own: the fixture's schema is taken
        url = _other_schema(db_url)
    by_pass = open_service(url, clock, fast_contract(), second)
    try:
        by_pass.store.add_events(offered, "history.jsonl")
        assert state(by_pass)["dirty"] == TICKETS  # nothing judged yet: all left to the pass
        report = by_pass.run_due()
        assert report.tickets == TICKETS
        judged = state(by_pass)
    finally:
        by_pass.store.close()
        if "postgresql" in db_url:
            _drop_schema(url)

    assert loaded == judged
    assert loaded["dirty"] == 0
    assert loaded["breaches"] and loaded["lines"] and loaded["alerts"]  # the history breached
    assert len(set(loaded["alerts"])) == len(loaded["alerts"])  # each alert queued once


def known(accepted: list[Event]) -> dict[tuple[str, str], list[Event]]:
    """The events a load stored, by ticket (what ``slaengine ingest`` keeps for judging)."""
    kept: dict[tuple[str, str], list[Event]] = {}
    for item in accepted:
        if item.ticket is not None:
            kept.setdefault((item.contract, item.ticket), []).append(item)
    return kept


def test_a_ticket_with_events_the_load_did_not_store_is_judged_from_the_store(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that stores the second half of a history whose first half was loaded and judged
    before, and a ticket that gets one more event from elsewhere between the load's storing and
    its judging: those tickets are judged from the store (every event they have), the others
    from the events the load kept — and the result equals the due pass's after the same
    steps."""
    events = history()
    half = len(events) // 2
    first = list(enumerate(events[:half], start=1))
    second = list(enumerate(events[half:], start=half + 1))
    late_ticket = str(events[-1]["ticket"])
    extra = [(0, event("acknowledged", late_ticket, datetime.now(UTC) - timedelta(hours=1)))]
    spanning = {str(item["ticket"]) for item in events[:half] if "ticket" in item} & {
        str(item["ticket"]) for item in events[half:] if "ticket" in item
    }
    assert spanning and late_ticket not in spanning
    clock = FixedClock(datetime.now(UTC))

    def steps(service: LiveService, by_load: bool) -> dict[str, Any]:
        service.store.add_events(first, "first.jsonl")
        service.run_due()
        added = service.store.add_events(second, "second.jsonl")
        kept = known(added.accepted)
        service.store.add_events(extra, "elsewhere")  # after the load stored, before it judges
        if by_load:
            service.judge_history(added.tickets, None, kept)
            # the tickets the force majeure marked and the load did not judge are left to the
            # due pass (as ingest leaves them to a running serve): it judges those alone
            assert 0 < service.run_due().tickets <= added.marked
        else:
            service.run_due()
        return state(service)

    by_load = open_service(db_url, clock, fast_contract(), tmp_path)
    read: list[str] = []
    batch_events = by_load.store.batch_events
    monkeypatch.setattr(
        by_load.store,
        "batch_events",
        lambda session, contract, tickets: (
            read.extend(tickets),
            batch_events(session, contract, tickets),
        )[1],
    )
    try:
        loaded = steps(by_load, True)
    finally:
        by_load.store.close()
    # The due pass of the first half read its tickets; the load read the spanning ones and the
    # one with an event from elsewhere, and no other.
    first_tickets = {str(item["ticket"]) for item in events[:half] if "ticket" in item}
    from_the_load = set(read) - first_tickets
    assert set(read) & first_tickets
    assert late_ticket in read
    assert spanning <= set(read[len(first_tickets) :])
    assert from_the_load == {late_ticket}

    second_dir = tmp_path / "second"
    second_dir.mkdir()
    url = _other_schema(db_url) if "postgresql" in db_url else f"sqlite:///{second_dir / 's.db'}"
    by_pass = open_service(url, clock, fast_contract(), second_dir)
    try:
        judged = steps(by_pass, False)
    finally:
        by_pass.store.close()
        if "postgresql" in db_url:
            _drop_schema(url)
    assert loaded == judged
    assert loaded["dirty"] == 0 and loaded["breaches"]


def _other_schema(url: str) -> str:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = make_url(url)
    query = dict(base.query)
    query.pop("options", None)
    plain = base.set(query=query)
    engine = create_engine(plain, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return plain.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _drop_schema(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    schema = str(parsed.query["options"]).split("=", 1)[1]
    query = dict(parsed.query)
    query.pop("options", None)
    engine = create_engine(parsed.set(query=query), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_slaengine_ingest_stores_and_judges_a_history_once_and_a_second_load_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    contract = tmp_path / "fast.yaml"
    contract.write_text(fast_contract(), encoding="utf-8")
    events = tmp_path / "history.jsonl"
    events.write_text("".join(json.dumps(item) + "\n" for item in history()), encoding="utf-8")
    load = subprocess.run(
        [SLAENGINE, "contract", "load", str(contract), "--db", db_url],
        capture_output=True,
        text=True,
    )
    assert load.returncode == 0, load.stderr

    def ingest() -> str:
        done = subprocess.run(
            [SLAENGINE, "ingest", str(events), "--db", db_url],
            capture_output=True,
            text=True,
            env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        return " ".join(done.stdout.split())

    first = ingest()
    assert f"{len(history())} event(s) stored" in first
    assert f"{TICKETS} ticket(s) evaluated" in first
    service = open_service(db_url, SystemClock(), fast_contract(), tmp_path)
    try:
        after_first = state(service)
        assert after_first["dirty"] == 0 and after_first["breaches"]
        again = ingest()
        assert "0 event(s) stored" in again and "0 ticket(s) evaluated" in again
        assert state(service) == after_first  # no alert twice, nothing judged again
    finally:
        service.store.close()
