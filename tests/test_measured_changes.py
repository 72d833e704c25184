"""The money page's charges and ``GET /contracts/{id}/measures`` at now, read from the store
(stored lines, the on-time counts over the ``ix_clocks_measured`` index, the events of the types
the measures read over ``ix_events_type``: migration 0011), stay equal to the whole contract
judged after every kind of change: a late event (dated before others already judged), a breach
that grows with time alone, a waiver, a re-judge, an event that stops a breach, an amendment
(a second version in force: both answers then judge the whole contract), and to
``slaengine statement --db`` at the end.

Real stores (SQLite file and PostgreSQL, ``db_url``), travelled time (FixedClock)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from slaengine.clock import FixedClock
from slaengine.evaluate import evaluate
from slaengine.penalties import Window
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.service.measured import stored_measures
from slaengine.service.money import stored_charges
from slaengine.store import Store

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))

CONTRACT = """\
id: MEASURED-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities:
  general: {zh: 一般故障, en: General fault}
calendars:
  always: {kind: 24x7}
commitments:
  - {id: ack, start: reported, stop: [acknowledged, resolved], target: 30m, calendar: always,
     clauses: [P-ack]}
  - {id: fix, start: reported, stop: resolved, target: %(fix)s, calendar: always,
     clauses: [P-late]}
clauses:
  - {id: P-ack, kind: fixed, amount: "30.00"}
  - {id: P-late, kind: per_started, amount: "40.00", unit: 10m}
  - {id: SC-fix, kind: measure_credit, measure: fix-rate, fee: "5000.00",
     tiers: [{below: "95", percent: "2"}, {below: "75", percent: "5"}]}
measures:
  - {id: fix-rate, kind: on_time_rate, period: month, target: "95", commitments: [fix]}
  - {id: ack-rate, kind: on_time_rate, period: month, target: "90", commitments: [ack, fix]}
caps:
  per_contract_year: {amount: "2000.00"}
contacts:
  - id: duty
    name: {zh: 值班, en: Duty}
    lang: en
    channels: [{kind: log}]
"""

START = datetime(2026, 3, 30, 1, 0, tzinfo=UTC)  # across the end of March (Shanghai)
_SEQ = [0]


def _event(kind: str, ticket: str, at: datetime, **attrs: Any) -> dict[str, Any]:
    _SEQ[0] += 1
    data: dict[str, Any] = {
        "id": f"E{_SEQ[0]}-{kind}-{ticket}",
        "contract": "MEASURED-1",
        "ticket": ticket,
        "type": kind,
        "at": at.isoformat(),
    }
    if kind == "reported":
        data["severity"] = "general"
    if attrs:
        data["attrs"] = attrs
    return data


def _history() -> list[dict[str, Any]]:
    """Tickets over four days around the month's end: met, late, and open."""
    events: list[dict[str, Any]] = []
    for n in range(16):
        at = START + timedelta(hours=6 * n)
        ticket = f"T{n}"
        events.append(_event("reported", ticket, at))
        events.append(_event("acknowledged", ticket, at + timedelta(minutes=50 if n % 3 else 10)))
        if n % 5 != 4:  # every fifth one stays open
            fixed = timedelta(hours=5 if n % 4 == 0 else 2, minutes=n)
            events.append(_event("resolved", ticket, at + fixed))
    return events


def _check(client: TestClient, store: Store, when: datetime, kept: bool) -> None:
    """The stored answers at ``when`` against the whole contract judged at ``when``."""
    measured = stored_measures(store, "MEASURED-1", when)
    assert (measured is not None) is kept
    charges = stored_charges(store, "MEASURED-1", when)
    assert (charges is not None) is kept
    if charges is not None:
        whole = evaluate(charges.contract, store.contract_events("MEASURED-1"), when).charges
        for period in ("2026-03", "2026-04"):
            window = Window.month(charges.contract, period)
            fast = charges.within(window.start, window.end).to_json()
            slow = whole.within(window.start, window.end).to_json()
            for name in ("penalties", "compensation", "adjustments", "totals"):
                assert fast[name] == slow[name], (name, period)
    for params in ({}, {"period": "2026-03"}, {"period": "2026-04"}):
        fast = client.get("/contracts/MEASURED-1/measures", params=params)
        slow = client.get(
            "/contracts/MEASURED-1/measures", params={**params, "as_of": when.isoformat()}
        )
        assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
        assert fast.json() == slow.json(), params


def test_measures_and_money_stay_equal_through_every_kind_of_change(
    db_url: str, tmp_path: Path
) -> None:
    contract = tmp_path / "measured.yaml"
    contract.write_text(CONTRACT % {"fix": "4h"}, encoding="utf-8")
    clock = FixedClock(START + timedelta(days=4, hours=6))
    store = Store.open(db_url, clock)
    try:
        store.load_contract(contract.read_text(encoding="utf-8"), contract)
        live = LiveService(store, clock, environ={})
        client = TestClient(create_app(store, clock))

        def step(events: list[dict[str, Any]], later: timedelta = timedelta(0)) -> None:
            clock.set(clock.now() + later)
            if events:
                live.ingest(list(enumerate(events)), "test")
            live.run_due()

        changes: list[Callable[[], None]] = [
            lambda: step(_history()),
            # time alone: the open breaches grow, running clocks pass their deadlines
            lambda: step([], timedelta(hours=3)),
            # a late event: a resolution dated two days ago for an open ticket
            lambda: step([_event("resolved", "T4", START + timedelta(days=1, hours=7))]),
            # a new ticket reported in March, arriving now
            lambda: step([_event("reported", "LATE", START + timedelta(hours=2))]),
            # a waiver of a breached fix
            lambda: step(
                [
                    _event(
                        "breach_waived",
                        "T0",
                        clock.now(),
                        commitment="fix",
                        reason="storm",
                        by="Li",
                    )
                ]
            ),
            # a re-judge of every ticket, closed ones too
            lambda: (live.rejudge("MEASURED-1", closed=True), step([])),
            # the open ones resolved, then time goes on past the month's end
            lambda: step(
                [_event("resolved", t, clock.now()) for t in ("T9", "T14", "LATE")],
                timedelta(minutes=7),
            ),
            lambda: step([], timedelta(days=2)),
        ]
        for change in changes:
            change()
            _check(client, store, clock.now(), kept=True)

        # the whole month against the real CLI (the slow path a user runs)
        now = clock.now()
        charges = stored_charges(store, "MEASURED-1", now)
        assert charges is not None
        window = Window.month(charges.contract, "2026-03")
        fast = charges.within(window.start, window.end).to_json()
        command = [SLAENGINE, "statement", str(contract), "--db", db_url, "--period", "2026-03"]
        command += ["--as-of", now.isoformat(), "-f", "json"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        slow = json.loads(done.stdout)
        for name in ("penalties", "compensation", "adjustments", "totals"):
            assert fast[name] == slow[name], name
        assert any(line["kind"] == "measure_credit" for line in fast["penalties"])

        # every write to the lines raises the contract's counter, whoever writes (triggers)
        def changes() -> int:
            with store.engine.begin() as connection:
                found = connection.execute(
                    text("SELECT lines FROM contract_changes WHERE contract = 'MEASURED-1'")
                ).scalar()
            return int(found or 0)

        before = changes()
        assert before > 0
        with store.engine.begin() as connection:
            connection.execute(
                text("UPDATE penalty_lines SET amount = amount WHERE contract = 'MEASURED-1'")
            )
        assert changes() > before
        _check(client, store, clock.now(), kept=True)
        before = changes()
        # a closed ticket's line deleted behind the judge's back: the next page reads it gone
        with store.engine.begin() as connection:
            gone = connection.execute(
                text(
                    "SELECT line_id FROM penalty_lines WHERE contract = 'MEASURED-1' "
                    "AND NOT provisional ORDER BY id DESC"
                )
            ).scalar()
            connection.execute(text("DELETE FROM penalty_lines WHERE line_id = :x"), {"x": gone})
        assert changes() > before
        charges = stored_charges(store, "MEASURED-1", clock.now())
        assert charges is not None
        assert gone not in {line.id for line in charges.lines()}

        # an amendment in force from April: two versions in force, both answers judge the whole
        amended = tmp_path / "measured-2.yaml"
        amended.write_text(CONTRACT % {"fix": "3h"}, encoding="utf-8")
        store.load_contract(amended.read_text(encoding="utf-8"), amended, date(2026, 4, 1))
        step([], timedelta(minutes=1))
        _check(client, store, clock.now(), kept=False)
    finally:
        store.close()
