"""The console's money page and the measures route at scale: 25,000 tickets, 100,000 clocks.

A contract whose four commitments per ticket each charge per started unit late, under a yearly
cap that the history goes past; tickets reported over the last 60 days, most closed (some late,
their lines final), ``--money-open`` still open past their deadlines (provisional lines the page
prices again at request time); a monthly on-time rate of the fix with a measure credit. Stored
through the live service's own ingestion (``LiveService.ingest``: judged, lines kept), served
by ``slaengine serve``, and the page asked for over HTTP: the first request after the server
started, then ``--console-repeat`` more; then ``GET /contracts/{id}/measures`` likewise.
The page is timed on its first request after the server started (imports, templates), warm,
and on the first request after an event arrived (what the 30-second report cache used to hide).
The month's totals are compared with ``slaengine statement --db`` at the same moment.

Run from bench/run.py (``--sections console``), which passes ``Server`` and ``timed_get``
(bench/harness.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select

from slaengine.clock import SystemClock
from slaengine.penalties import Window
from slaengine.service import LiveService
from slaengine.service.money import stored_charges
from slaengine.store import Store
from slaengine.store.models import PenaltyLine, StoredClock

TARGET_SECONDS = 0.3
ZONE = "Asia/Shanghai"


def money_contract(accepted: str) -> str:
    return f"""\
id: BENCH-MONEY
currency: CNY
price: "1000000.00"
timezone: {ZONE}
accepted_on: {accepted}
severities:
  general: {{en: General fault}}
calendars:
  always: {{kind: 24x7}}
commitments:
  - {{id: answer, start: reported, stop: [acknowledged, resolved], target: 30m,
      calendar: always, clauses: [P-answer]}}
  - {{id: onsite, start: reported, stop: [arrived, resolved], target: 4h, calendar: always,
      clauses: [P-onsite]}}
  - {{id: fix, start: reported, stop: resolved, target: 8h, calendar: always,
      clauses: [P-fix, C-fix]}}
  - {{id: fix-2d, start: reported, stop: resolved, target: 2d, calendar: always,
      clauses: [P-fix-2d]}}
clauses:
  - {{id: P-answer, kind: fixed, amount: "50.00"}}
  - {{id: P-onsite, kind: per_started, amount: "20.00", unit: 10m}}
  - {{id: P-fix, kind: per_started, amount: "100.00", unit: 1h}}
  - {{id: C-fix, kind: per_started, amount: "10.00", unit: 1h, pays: compensation}}
  - {{id: P-fix-2d, kind: fixed, amount: "500.00"}}
  - {{id: SC-fix-rate, kind: measure_credit, measure: fix-rate, fee: "10000.00",
      tiers: [{{below: "95", percent: "2"}}, {{below: "85", percent: "5"}}]}}
measures:
  - {{id: fix-rate, kind: on_time_rate, period: month, target: "95", commitments: [fix]}}
caps:
  per_contract_year: {{amount: "400000.00"}}
"""


def history(tickets: int, still_open: int, now: datetime) -> list[dict[str, Any]]:
    """Four clocks per ticket; one ticket in seven answered late, one in five fixed late."""
    events: list[dict[str, Any]] = []
    span = timedelta(days=60).total_seconds()
    for n in range(tickets):
        at = now - timedelta(days=61) + timedelta(seconds=span * n / tickets)
        ticket = f"M-{n}"

        def add(kind: str, when: datetime, ticket: str = ticket, n: int = n) -> None:
            event: dict[str, Any] = {
                "id": f"{ticket}-{kind}",
                "contract": "BENCH-MONEY",
                "ticket": ticket,
                "type": kind,
                "at": when.isoformat(),
            }
            if kind == "reported":
                event["severity"] = "general"
            events.append(event)

        add("reported", at)
        if n < still_open:  # reported a day ago and never answered: open breaches
            events[-1]["at"] = (now - timedelta(days=1, minutes=n)).isoformat()
            continue
        add("acknowledged", at + timedelta(minutes=45 if n % 7 == 0 else 10))
        add("arrived", at + timedelta(hours=5 if n % 6 == 0 else 2))
        add("resolved", at + timedelta(hours=11 if n % 5 == 0 else 6))
    return events


def populate(db: str, contract: Path, tickets: int, still_open: int) -> dict[str, Any]:
    store = Store.open(db, SystemClock())
    try:
        store.load_contract(contract.read_text(encoding="utf-8"), contract)
        service = LiveService(store, environ={})
        events = history(tickets, still_open, datetime.now(UTC))
        started = time.perf_counter()
        chunk = 2_000
        for first in range(0, len(events), chunk):
            service.ingest(list(enumerate(events[first : first + chunk], first)), "bench")
        seconds = time.perf_counter() - started
        with store.sessions() as session:
            clocks = session.scalar(select(func.count()).select_from(StoredClock))
            lines = session.scalar(select(func.count()).select_from(PenaltyLine))
            provisional = session.scalar(
                select(func.count()).select_from(PenaltyLine).where(PenaltyLine.provisional)
            )
    finally:
        store.close()
    return {
        "tickets": tickets,
        "events": len(events),
        "clocks": clocks,
        "penalty_lines": lines,
        "provisional_lines": provisional,
        "open_tickets": still_open,
        "seconds": round(seconds, 1),
    }


def statement_check(db: str, contract: Path) -> dict[str, Any]:
    """This month's totals from the store's lines (what the page shows) and from
    ``slaengine statement --db`` at the same moment (the whole contract judged)."""
    now = datetime.now(UTC).replace(microsecond=0)
    period = now.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m")
    store = Store.open(db, SystemClock())
    try:
        started = time.perf_counter()
        charges = stored_charges(store, "BENCH-MONEY", now)
        fast_seconds = time.perf_counter() - started
    finally:
        store.close()
    assert charges is not None
    window = Window.month(charges.contract, period)
    fast = charges.within(window.start, window.end).to_json()
    command = [sys.executable, "-m", "slaengine", "statement", str(contract), "--db", db]
    command += ["--period", period, "--as-of", now.isoformat(), "-f", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    slow_seconds = time.perf_counter() - started
    slow = json.loads(done.stdout)
    names = ("penalties", "compensation", "adjustments", "totals")
    return {
        "period": period,
        "equal": all(fast[name] == slow[name] for name in names),
        "totals": fast["totals"],
        "lines": len(fast["penalties"]) + len(fast["compensation"]),
        "stored_charges_seconds": round(fast_seconds, 3),
        "statement_db_seconds": round(slow_seconds, 2),
    }


def cpu_seconds(pid: int) -> float:
    """The CPU (user + system) a process has used so far (Linux /proc): a figure that a
    loaded machine does not inflate, beside the wall-clock ones."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def change(n: int) -> dict[str, Any]:
    """An event that changes what the page shows: a new ticket, reported a day ago."""
    return {
        "id": f"change-{n}",
        "contract": "BENCH-MONEY",
        "ticket": f"CHANGE-{n}",
        "type": "reported",
        "severity": "general",
        "at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    }


def money_figures(
    args: argparse.Namespace,
    work: Path,
    server_class: Callable[..., Any],
    timed_get: Callable[[httpx.Client, str, int], dict[str, Any]],
) -> dict[str, Any]:
    """The money page first and warm, beside its target, with the statement comparison."""
    accepted = (datetime.now(UTC) - timedelta(days=200)).date().isoformat()
    contract = work / "bench-money.yaml"
    contract.write_text(money_contract(accepted), encoding="utf-8")
    db = f"sqlite:///{work / 'money.db'}"
    tickets = math.ceil(args.console_clocks / 4)
    print(f"storing {tickets:,} judged tickets for the money page (SQLite)", file=sys.stderr)
    result: dict[str, Any] = {"populate": populate(db, contract, tickets, args.money_open)}
    server = server_class(db, [contract], work / "serve-money.log")
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=120) as client:
            path = "/console/money?contract=BENCH-MONEY"
            cold = timed_get(client, path, 1)
            spent = cpu_seconds(server.process.pid)
            warm = timed_get(client, path, args.console_repeat)
            warm["cpu_seconds_per_request"] = round(
                (cpu_seconds(server.process.pid) - spent) / args.console_repeat, 3
            )
            # the first request after a change: a new ticket, then the page again
            changed = []
            changed_cpu = []
            for n in range(3):
                answer = client.post("/events", json=change(n))
                answer.raise_for_status()
                time.sleep(0.5)  # its judging done, so that the CPU below is the page's
                spent = cpu_seconds(server.process.pid)
                changed.append(timed_get(client, path, 1)["max_seconds"])
                changed_cpu.append(round(cpu_seconds(server.process.pid) - spent, 3))
            # GET /contracts/{id}/measures: this month's periods and every period
            measures: dict[str, Any] = {}
            month = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m")
            for name, query in (("this_month", f"?period={month}"), ("every_period", "")):
                route = f"/contracts/BENCH-MONEY/measures{query}"
                answer = client.post("/events", json=change(10 + len(measures)))
                answer.raise_for_status()
                time.sleep(0.5)
                spent = cpu_seconds(server.process.pid)
                first = timed_get(client, route, 1)["max_seconds"]
                first_cpu = round(cpu_seconds(server.process.pid) - spent, 3)
                spent = cpu_seconds(server.process.pid)
                warm_route = timed_get(client, route, args.console_repeat)
                warm_route["cpu_seconds_per_request"] = round(
                    (cpu_seconds(server.process.pid) - spent) / args.console_repeat, 3
                )
                measures[name] = {
                    "path": route,
                    "first_after_a_change_seconds": first,
                    "first_after_a_change_cpu_seconds": first_cpu,
                    "warm": warm_route,
                }
    finally:
        server.stop()
    result["measures_route"] = {
        **measures,
        "target_seconds": TARGET_SECONDS,
        "met": all(
            max(m["first_after_a_change_seconds"], m["warm"]["p95_seconds"]) <= TARGET_SECONDS
            for m in measures.values()
        ),
    }
    slowest = max(max(changed), warm["p95_seconds"])
    result["money_page"] = {
        "path": path,
        "first_after_start_seconds": cold["max_seconds"],
        "first_after_a_change_seconds": changed,
        "first_after_a_change_cpu_seconds": changed_cpu,
        "warm": warm,
        "target_seconds": TARGET_SECONDS,
        "measured_seconds": slowest,
        "met": slowest <= TARGET_SECONDS,
    }
    result["versus_statement"] = statement_check(db, contract)
    return result


def main() -> int:
    """``python bench/console.py``: the money page alone (``--sections console`` of run.py runs
    it after the other console pages)."""
    import tempfile

    from harness import Server, timed_get

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--console-clocks", type=int, default=100_000)
    parser.add_argument("--console-repeat", type=int, default=20)
    parser.add_argument("--money-open", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slaengine-bench-") as tmp:
        figures = money_figures(args, Path(tmp), Server, timed_get)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
