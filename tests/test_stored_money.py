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
from sqlalchemy import select

from slaengine.cli.common import read_events
from slaengine.clock import FixedClock
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.penalties import Line, Window
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.service.money import stored_charges
from slaengine.store import Store
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
