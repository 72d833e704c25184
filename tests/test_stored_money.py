"""The money page's charges from the stored lines equal ``slaengine statement --db``'s.

A real store (SQLite file and PostgreSQL, ``db_url``) filled through the live service, time
travelled with FixedClock; the slow path is the real CLI run as a subprocess at the same moment.
Covered: a closed breach, an open breach whose "per started 10 minutes" line has grown since the
ticket was last judged (priced at request time), compensation, and a contract year past its cap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect, select, text

from slaengine.cli.common import read_events
from slaengine.clock import FixedClock
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.penalties import Line, Window
from slaengine.server import create_app
from slaengine.service import LiveService, money
from slaengine.service.money import stored_charges
from slaengine.store import Store, migrate
from slaengine.store.bulk import insert_rows
from slaengine.store.models import PenaltyLine

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))

CONTRACT = """\
id: MONEY-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities:
  general: {zh: 一般故障, en: General fault}
calendars:
  always: {kind: 24x7}
commitments:
  - id: ack
    start: reported
    stop: [acknowledged, resolved]
    target: 30m
    calendar: always
    clauses: [P-ack]
  - id: fix
    start: reported
    stop: resolved
    target: 4h
    calendar: always
    clauses: [P-late, C-hour]
clauses:
  - {id: P-ack, kind: fixed, amount: "%(ack)s"}
  - {id: P-late, kind: per_started, amount: "40.00", unit: 10m}
  - {id: C-hour, kind: per_started, amount: "50.00", unit: 1h, pays: compensation}
%(caps)s
contacts:
  - id: duty
    name: {zh: 值班, en: Duty}
    lang: en
    channels: [{kind: log}]
"""

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def _event(n: int, kind: str, ticket: str, at: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"E{n}",
        "contract": "MONEY-1",
        "ticket": ticket,
        "type": kind,
        "at": at.isoformat(),
    }
    if kind == "reported":
        data["severity"] = "general"
    return data


def _history() -> list[dict[str, Any]]:
    """Tickets over two days: met, late and closed, and one still open (breached, growing)."""
    events: list[dict[str, Any]] = []
    n = 0
    for day, hours in ((0, (0, 2)), (1, (0, 3))):
        for h in hours:
            n += 1
            at = START + timedelta(days=day, hours=h)
            ticket = f"T{n}"
            events.append(_event(len(events), "reported", ticket, at))
            events.append(_event(len(events), "acknowledged", ticket, at + timedelta(minutes=45)))
            events.append(
                _event(len(events), "resolved", ticket, at + timedelta(hours=5, minutes=n * 7))
            )
    events.append(_event(len(events), "reported", "OPEN", START + timedelta(days=2)))
    events.append(_event(len(events), "reported", "MET", START + timedelta(days=2)))
    events.append(_event(len(events), "acknowledged", "MET", START + timedelta(days=2, minutes=5)))
    events.append(_event(len(events), "resolved", "MET", START + timedelta(days=2, hours=1)))
    return events


def _statement(contract: Path, db: str, as_of: datetime, period: str) -> dict[str, Any]:
    command = [SLAENGINE, "statement", str(contract), "--db", db, "--period", period]
    command += ["--as-of", as_of.isoformat(), "-f", "json"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _compare(fast: dict[str, Any], slow: dict[str, Any]) -> None:
    for name in ("penalties", "compensation", "adjustments", "totals"):
        assert fast[name] == slow[name], name


def _as_time_goes_on(store: Store, start: datetime) -> None:
    """Asked again and again as the open breach ages (its words change by the minute, its
    amount every 10 minutes): each answer is the whole contract judged at that moment."""
    for minutes in (0, 1, 2, 11, 12, 70):
        when = start + timedelta(minutes=minutes)
        charges = stored_charges(store, "MONEY-1", when)
        assert charges is not None
        whole = evaluate(charges.contract, store.contract_events("MONEY-1"), when).charges
        window = Window.month(charges.contract, "2026-03")
        _compare(
            charges.within(window.start, window.end).to_json(),
            whole.within(window.start, window.end).to_json(),
        )


def _run(
    db_url: str, tmp_path: Path, ack: str, caps: str
) -> tuple[Store, Path, FixedClock, LiveService]:
    contract = tmp_path / "money.yaml"
    contract.write_text(CONTRACT % {"ack": ack, "caps": caps}, encoding="utf-8")
    clock = FixedClock(START + timedelta(days=2, hours=6))
    store = Store.open(db_url, clock)
    store.load_contract(contract.read_text(encoding="utf-8"), contract)
    live = LiveService(store, clock, environ={})
    live.ingest(list(enumerate(_history())), "test")
    live.run_due()
    return store, contract, clock, live


def test_stored_lines_and_an_open_breach_price_as_the_statement(
    db_url: str, tmp_path: Path
) -> None:
    store, contract, clock, live = _run(db_url, tmp_path, "500.00", "")
    try:
        with store.sessions() as session:
            provisional = session.scalars(
                select(PenaltyLine.amount).where(
                    PenaltyLine.ticket == "OPEN", PenaltyLine.clause == "P-late"
                )
            ).all()
        assert provisional == ["480.00"]  # 2 h late when last judged: 12 started 10 minutes
        # Three hours and 5 minutes on, nothing judged in between: the open breach has grown.
        clock.set(clock.now() + timedelta(hours=3, minutes=5))
        charges = stored_charges(store, "MONEY-1", clock.now())
        assert charges is not None
        terms = charges.contract
        window = Window.month(terms, "2026-03")
        fast = charges.within(window.start, window.end).to_json()
        slow = _statement(contract, db_url, clock.now(), "2026-03")
        _compare(fast, slow)
        open_line = [
            x for x in fast["penalties"] if x["ticket"] == "OPEN" and x["clause"] == "P-late"
        ]
        assert [x["amount"] for x in open_line] == ["1240.00"]  # 5 h 5 min late: 31 × 40.00
        assert open_line[0]["provisional"] is True
        assert fast["totals"]["compensation"] != "0.00"
        # The console's money page shows the same, priced at the moment of the request.
        client = TestClient(create_app(store, clock, service=live))
        page = client.get("/console/money?contract=MONEY-1&period=2026-03").text
        assert "1240.00" in page and "480.00" not in page
        assert slow["totals"]["chargeable"] in page
        _as_time_goes_on(store, clock.now())
    finally:
        store.close()


def test_a_capped_year_cuts_as_the_statement(db_url: str, tmp_path: Path) -> None:
    caps = 'caps:\n  per_contract_year: {amount: "2000.00"}'
    store, contract, clock, live = _run(db_url, tmp_path, "900.00", caps)
    try:
        charges = stored_charges(store, "MONEY-1", clock.now())
        assert charges is not None
        window = Window.month(charges.contract, "2026-03")
        fast = charges.within(window.start, window.end).to_json()
        slow = _statement(contract, db_url, clock.now(), "2026-03")
        _compare(fast, slow)
        assert fast["adjustments"], "the year went past its cap"
        assert fast["totals"]["penalties"] == "2000.00"
        client = TestClient(create_app(store, clock, service=live))
        page = client.get("/console/money?contract=MONEY-1&period=2026-03").text
        assert slow["totals"]["cap_adjustments"] in page and "2000.00 / 2000.00" in page
        _as_time_goes_on(store, clock.now())
        # A late ticket early in the month (its lines come before most others in the caps'
        # order), then a new one: the next request resumes the caps from the last one's
        # running totals (penalties.cap_runs) and still prices as the statement does.
        early = START + timedelta(hours=1)
        late = [
            _event(900, "reported", "LATE", early),
            _event(901, "acknowledged", "LATE", early + timedelta(minutes=50)),
            _event(902, "resolved", "LATE", early + timedelta(hours=5)),
        ]
        for batch in (late, [_event(903, "reported", "NEW", clock.now() - timedelta(hours=1))]):
            live.ingest(list(enumerate(batch, 900)), "test")
            live.run_due()
            charges = stored_charges(store, "MONEY-1", clock.now())
            assert charges is not None
            fast = charges.within(window.start, window.end).to_json()
            _compare(fast, _statement(contract, db_url, clock.now(), "2026-03"))
        assert any(x["ticket"] == "LATE" for x in fast["penalties"])
        assert any(x.get("year_cap_cut") for x in fast["penalties"]), "the caps cut lines"
        # a period with nothing in it: both empty
        april = Window.month(charges.contract, "2026-04")
        _compare(
            charges.within(april.start, april.end).to_json(),
            _statement(contract, db_url, clock.now(), "2026-04"),
        )
    finally:
        store.close()


def test_a_contract_priced_per_period_is_left_to_the_whole_contract(
    db_url: str, tmp_path: Path
) -> None:
    """A service credit needs every ticket's clocks, which the store's lines do not hold."""
    credit = (
        '  - {id: SC, kind: service_credit, fee: "1000.00", commitments: [ack],'
        ' tiers: [{below: "99", percent: "5"}]}'
    )
    text = CONTRACT % {"ack": "500.00", "caps": ""}
    text = text.replace("pays: compensation}\n", "pays: compensation}\n" + credit + "\n", 1)
    path = tmp_path / "credit.yaml"
    path.write_text(text, encoding="utf-8")
    store = Store.open(db_url, FixedClock(START))
    try:
        store.load_contract(text, path)
        assert stored_charges(store, "MONEY-1", START) is None
    finally:
        store.close()


def test_a_line_read_back_is_the_line() -> None:
    """Every line of the example tender's demo month (clocks, obligation periods, events,
    costs, waivers, per-breach caps) comes back equal from what the store keeps, and from a
    line stored before ``billed_at`` was kept (worked out from the period it ends)."""
    repo = Path(__file__).resolve().parents[1]
    contract = load_contract(repo / "contracts" / "example-tender.yaml")
    events = read_events(str(repo / "examples" / "demo-month.jsonl"), contract).events
    charges = evaluate(contract, events, datetime(2026, 11, 1, tzinfo=UTC)).charges
    lines = [*charges.penalties, *charges.compensation, *charges.adjustments, *charges.remedies]
    assert {x.source for x in lines} >= {"clock", "event"}
    # a missed obligation period's line belongs to the instant before the period's end
    end = datetime(2026, 11, 1, tzinfo=UTC)
    lines.append(
        replace(
            lines[0],
            id="P-inspection/inspection/-/2026-10-01",
            source="obligation",
            ticket=None,
            commitment=None,
            cycle=None,
            obligation="inspection",
            occurred_at=end,
            billed_at=end - timedelta(microseconds=1),
            period_start=datetime(2026, 10, 1, tzinfo=UTC),
            period_end=end,
            start_key="",
        )
    )
    for line in lines:
        assert Line.from_json(json.loads(json.dumps(line.to_stored()))) == line
        old = line.to_json()  # no billed_at, no start_key
        assert Line.from_json(old) == replace(line, start_key="")


def _fresh_and_kept_agree(store: Store, when: datetime, whole: bool = False) -> dict[str, Any]:
    """The charges from the rows this process kept and brought up to date (the rows written
    since the counter it last read, migration 0012) equal those from every row read afresh.
    ``whole``: the kept rows are to be read again whole (not only those written since)."""
    state = money._KEPT.get(store, {}).get("MONEY-1")
    reads = state.whole_reads if state is not None else 0
    kept = stored_charges(store, "MONEY-1", when)
    assert kept is not None
    if state is not None:
        assert state.whole_reads == reads + whole
    for cache in (money._KEPT, money._LAST, money._RUNS):
        cache.pop(store, None)
    fresh = stored_charges(store, "MONEY-1", when)
    assert fresh is not None
    answer = kept.to_json()
    assert answer == fresh.to_json()
    return answer


def _copied_row(store: Store, ticket: str, new_ticket: str, n: int) -> dict[str, Any]:
    """A stored row of ``ticket`` as a new row of ``new_ticket`` (a bulk load's row)."""
    with store.sessions() as session:
        row = session.scalars(
            select(PenaltyLine)
            .where(PenaltyLine.ticket == ticket, PenaltyLine.section == "penalties")
            .order_by(PenaltyLine.id)
        ).first()
        assert row is not None
        body = json.loads(row.body)
        line_id = row.line_id.replace(ticket, new_ticket) + f"/{n}"
        body.update(id=line_id, ticket=new_ticket)
        return {
            "contract": "MONEY-1",
            "line_id": line_id,
            "ticket": new_ticket,
            "section": row.section,
            "source": row.source,
            "clause": row.clause,
            "commitment": row.commitment,
            "obligation": row.obligation,
            "asset": row.asset,
            "breach_id": None,
            "amount": row.amount,
            "provisional": False,
            "body": json.dumps(body, ensure_ascii=False),
            "computed_at": row.computed_at,
        }


def _lines_now(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text("SELECT id, line_id, ticket, amount, provisional, body FROM penalty_lines")
            )
        ]


def test_the_rows_written_since_are_read_by_their_sequence(db_url: str, tmp_path: Path) -> None:
    """A process keeps the stored rows and reads only those written since the contract's
    counter last moved (``penalty_lines.change_seq``) and the deletions recorded since: after
    the judge's inserts and updates, writes behind its back (an update, a delete, a bulk load,
    a row turned provisional and back, a deleted id given again), a writer in another process,
    a writer whose transaction is still open, and a downgrade to 0011 and up again, its answer
    is that of every row read afresh — and, where the judge wrote, the statement's."""
    caps = 'caps:\n  per_contract_year: {amount: "2000.00"}'
    store, contract, clock, live = _run(db_url, tmp_path, "900.00", caps)
    try:
        now = clock.now()
        window = Window.month(load_contract(contract), "2026-03")

        def counter() -> int:
            with store.engine.connect() as connection:
                found = connection.execute(
                    text("SELECT lines FROM contract_changes WHERE contract = 'MONEY-1'")
                ).scalar()
            return int(found or 0)

        # every row carries the counter as its write raised it, never above the counter
        with store.engine.connect() as connection:
            seqs = connection.execute(text("SELECT change_seq FROM penalty_lines")).scalars().all()
        assert seqs and 0 < max(seqs) <= counter()
        _fresh_and_kept_agree(store, now)

        # the judge inserts (a new late ticket) and updates (the open one stopped)
        early = START + timedelta(hours=1)
        batch = [
            _event(900, "reported", "LATE", early),
            _event(901, "acknowledged", "LATE", early + timedelta(minutes=50)),
            _event(902, "resolved", "LATE", early + timedelta(hours=5)),
            _event(903, "resolved", "OPEN", now - timedelta(minutes=30)),
        ]
        live.ingest(list(enumerate(batch, 900)), "test")
        live.run_due()
        answer = _fresh_and_kept_agree(store, now)
        slow = _statement(contract, db_url, now, "2026-03")
        fast = stored_charges(store, "MONEY-1", now)
        assert fast is not None
        _compare(fast.within(window.start, window.end).to_json(), slow)
        assert any(x["ticket"] == "LATE" for x in answer["penalties"])

        # an update behind the judge's back: a closed line's amount (in its body) changed
        with store.engine.begin() as connection:
            ident, body = connection.execute(
                text(
                    "SELECT id, body FROM penalty_lines WHERE ticket = 'T1' "
                    "AND section = 'penalties' ORDER BY id"
                )
            ).first()  # type: ignore[misc]
            changed = {**json.loads(body), "amount": "777.00"}
            connection.execute(
                text("UPDATE penalty_lines SET amount = '777.00', body = :b WHERE id = :i"),
                {"b": json.dumps(changed, ensure_ascii=False), "i": ident},
            )
        answer = _fresh_and_kept_agree(store, now)
        assert "777.00" in {x["amount"] for x in answer["penalties"]}

        # a delete behind its back, of the newest row (SQLite may give its id to the next row),
        # then a new row in the same transaction
        with store.engine.begin() as connection:
            newest = connection.execute(text("SELECT max(id) FROM penalty_lines")).scalar()
            connection.execute(text("DELETE FROM penalty_lines WHERE id = :i"), {"i": newest})
        answer = _fresh_and_kept_agree(store, now)
        assert newest not in {x.get("row") for x in answer["penalties"]}
        with store.sessions() as session:
            insert_rows(session, money.LINES, [_copied_row(store, "T2", "REUSED", 0)])
            session.commit()
        answer = _fresh_and_kept_agree(store, now)
        assert any(x["ticket"] == "REUSED" for x in answer["penalties"])

        # a bulk load: many rows in one statement (COPY on PostgreSQL), one counter value there
        before = counter()
        rows = [_copied_row(store, "T3", f"BULK{n}", n) for n in range(40)]
        with store.sessions() as session:
            insert_rows(session, money.LINES, rows)
            session.commit()
        assert counter() > before
        answer = _fresh_and_kept_agree(store, now)
        assert sum(x["ticket"].startswith("BULK") for x in answer["penalties"]) == 40
        if store.engine.dialect.name == "postgresql":
            assert counter() == before + 1  # once per transaction
            with store.engine.connect() as connection:
                bulk = connection.execute(
                    text("SELECT DISTINCT change_seq FROM penalty_lines WHERE ticket LIKE 'BULK%'")
                ).scalars()
                assert list(bulk) == [counter()]

        # a closed ticket's row turned provisional (its ticket is priced again), then back
        for flag in (True, False):
            with store.engine.begin() as connection:
                connection.execute(
                    text("UPDATE penalty_lines SET provisional = :p WHERE ticket = 'T4'"),
                    {"p": flag},
                )
            _fresh_and_kept_agree(store, now)

        # a writer in another process: deletes the bulk load's rows, updates a line
        script = (
            "import sys\n"
            "from sqlalchemy import create_engine, text\n"
            "engine = create_engine(sys.argv[1])\n"
            "with engine.begin() as c:\n"
            "    c.execute(text(\"DELETE FROM penalty_lines WHERE ticket LIKE 'BULK%'\"))\n"
            '    c.execute(text("UPDATE penalty_lines SET computed_at = computed_at '
            "WHERE ticket = 'T2'\"))\n"
        )
        subprocess.run([sys.executable, "-c", script, db_url], check=True)
        answer = _fresh_and_kept_agree(store, now)
        assert not any(x["ticket"].startswith("BULK") for x in answer["penalties"])

        # a writer whose transaction is still open: its rows come with its commit, not before
        # (on SQLite every transaction, a read too, begins IMMEDIATE: one at a time)
        pending = _copied_row(store, "T2", "PENDING", 1)
        with store.engine.connect() as writer:
            transaction = writer.begin()
            writer.execute(insert(money.LINES), [pending])
            if store.engine.dialect.name == "postgresql":
                charges = stored_charges(store, "MONEY-1", now)
                assert charges is not None
                assert not any(x.ticket == "PENDING" for x in charges.penalties)
            transaction.commit()
        answer = _fresh_and_kept_agree(store, now)
        assert any(x["ticket"] == "PENDING" for x in answer["penalties"])

        # down to 0011 and up again: every row kept; what was written meanwhile (no sequence,
        # no deletion recorded) is read, since the upgrade tells a reader to read every row
        kept = stored_charges(store, "MONEY-1", now)  # this process keeps the rows now
        assert kept is not None
        rows_before = _lines_now(store)
        migrate.downgrade(store.engine, "0011")
        with store.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("penalty_lines")}
            assert "change_seq" not in columns
        assert _lines_now(store) == rows_before
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM penalty_lines WHERE ticket = 'PENDING'"))
            connection.execute(
                text("UPDATE penalty_lines SET ticket = 'RENAMED' WHERE ticket = 'REUSED'")
            )
        migrate.upgrade(store.engine)
        rows_after = _lines_now(store)
        assert len(rows_after) == len(rows_before) - 1
        answer = _fresh_and_kept_agree(store, now, whole=True)
        tickets = {x["ticket"] for x in answer["penalties"]}
        assert "PENDING" not in tickets
        # (the body still names REUSED: the row's ticket column decides only whether it is open)
        live.ingest([(950, _event(950, "reported", "AFTER", now - timedelta(hours=2)))], "test")
        live.run_due()
        _fresh_and_kept_agree(store, now)
    finally:
        store.close()
