"""What issue 14's terms cost the live service (``bench/run.py --sections terms``).

One due pass that breaches ``tickets`` tickets at once, in-process over a SQLite file (a
``FixedClock`` travels to the deadlines; nothing sleeps), measured in CPU seconds of this
process (``time.process_time``: the figure to judge by on a shared machine), in three stores:

* ``plain``: one version, one answer clock per ticket with a fixed penalty — the baseline;
* ``amended``: the same with an amendment in force from the tickets' day (each line is then
  priced under each version in force: ``Store.versions_in_force``);
* ``per_start``: a reply clock that every customer contact re-arms, three contacts per ticket
  (three clocks, three breaches and three lines per ticket).

Each figure is the pass's CPU seconds and per ticket; the ratios to ``plain`` say what the
amendment and the occurrences add.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from slaengine.clock import FixedClock
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store.models import PenaltyLine

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 09:00 in Shanghai

CONTRACT = """\
id: BENCH-TERMS
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
event_types: [customer_contact, update_sent]
severities:
  general: {zh: 一般故障, en: General fault}
calendars:
  always: {kind: 24x7}
commitments:
  - id: ack
    start: reported
    stop: acknowledged
    target: 60s
    calendar: always
    clauses: [P-ack]
  - id: reply
    start: customer_contact
    stop: update_sent
    target: 60s
    calendar: always
    runs: per_start
    clauses: [P-reply]
clauses:
  - {id: P-ack, kind: fixed, amount: "500.00"}
  - {id: P-reply, kind: fixed, amount: "300.00"}
contacts:
  - id: duty
    channels: [{kind: log}]
"""


def _store(work: Path, name: str, clock: FixedClock, amended: bool) -> LiveService:
    store = Store.open(f"sqlite:///{work / f'terms-{name}.db'}", clock)
    path = work / f"terms-{name}.yaml"
    path.write_text(CONTRACT, encoding="utf-8")
    store.load_contract(CONTRACT, path, date(2026, 2, 1))
    if amended:
        text = CONTRACT.replace('amount: "500.00"', 'amount: "800.00"')
        path.write_text(text, encoding="utf-8")
        store.load_contract(text, path, date(2026, 3, 1))
    return LiveService(store, clock, environ={})


def _events(tickets: int, contacts: int) -> list[tuple[int, dict[str, Any]]]:
    found: list[dict[str, Any]] = []
    for n in range(tickets):
        ticket = f"T{n}"
        at = T0 + timedelta(milliseconds=n)
        found.append(
            {
                "id": f"{ticket}-r",
                "contract": "BENCH-TERMS",
                "ticket": ticket,
                "type": "reported",
                "at": at.isoformat(),
                "severity": "general",
            }
        )
        for c in range(contacts):
            found.append(
                {
                    "id": f"{ticket}-c{c}",
                    "contract": "BENCH-TERMS",
                    "ticket": ticket,
                    "type": "customer_contact",
                    "at": (at + timedelta(seconds=c)).isoformat(),
                }
            )
    return list(enumerate(found))


def _one(work: Path, name: str, tickets: int, amended: bool, contacts: int) -> dict[str, Any]:
    clock = FixedClock(T0)
    live = _store(work, name, clock, amended)
    try:
        live.ingest(_events(tickets, contacts), "bench")
        clock.set(T0 + timedelta(minutes=10))  # every deadline has passed
        cpu, wall = time.process_time(), time.perf_counter()
        report = live.run_due()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        with live.store.sessions() as session:
            amounts = list(session.scalars(select(PenaltyLine.amount)))
        return {
            "tickets": tickets,
            "clocks_per_ticket": 1 + contacts,
            "alerts": report.alerts,
            # what the pass stored: the check that it did the work it is timed for
            "penalty_lines": len(amounts),
            "penalties": str(sum((Decimal(a) for a in amounts if a is not None), Decimal(0))),
            "cpu_seconds": round(cpu, 3),
            "wall_seconds": round(wall, 3),
            "cpu_ms_per_ticket": round(1000 * cpu / tickets, 3),
        }
    finally:
        live.store.close()


def terms_section(tickets: int, work: Path) -> dict[str, Any]:
    """The due pass's cost in the three stores (see the module doc)."""
    plain = _one(work, "plain", tickets, amended=False, contacts=0)
    amended = _one(work, "amended", tickets, amended=True, contacts=0)
    per_start = _one(work, "per-start", tickets, amended=False, contacts=3)
    base = plain["cpu_seconds"] or 1e-9
    return {
        "plain": plain,
        "amended": {**amended, "cpu_vs_plain": round(amended["cpu_seconds"] / base, 2)},
        "per_start": {**per_start, "cpu_vs_plain": round(per_start["cpu_seconds"] / base, 2)},
    }
