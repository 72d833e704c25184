"""Synthetic ticket streams for the benchmarks, for the example tender (HT-2026-017).

A stream is built ticket by ticket, each ticket a plausible life under the tender's commitments
(reference section 8), then merged into one arrival order the way a real feed delivers it:

* severities: general 70 %, major 25 %, emergency 5 % (emergencies get a repair plan);
* 30 % of faults are fixed remotely (resolved without a visit: the on-site clock is cancelled),
  the others are dispatched, visited and repaired; 15 % wait for the customer (paused/resumed)
  on the way; 5 % are reclassified after arrival; 3 % are reopened and repaired again; 1 % go
  back to the factory; 2 % claim costs; 10 % never get their report, 15 % never get a call-back;
* answer, dispatch, arrival and repair times are drawn so that most clocks are met and some are
  breached (a few by hours);
* 2 % of events arrive *late* — after events that happened later (minutes to hours), so the
  engine must apply them in ``at`` order — and 1 % arrive twice (an identical duplicate, which
  the intake must treat as a no-op).

Everything is drawn from ``random.Random(seed)``: the same seed gives the same stream. Tickets
open every ``gap_seconds`` on average (exponential inter-arrival times); the merge keeps only the
tickets still alive in memory, so a stream of millions of events is generated in constant space.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CONTRACT = "HT-2026-017"
ZONE = ZoneInfo("Asia/Shanghai")
#: Monday 2 March 2026, 08:00 in Shanghai: after the example tender's acceptance (2026-01-15).
START = datetime(2026, 3, 2, 8, 0, tzinfo=ZONE)
UNITS = ("U1", "U2")

Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Mix:
    """Shares of the stream's features (see the module doc)."""

    general: float = 0.70
    major: float = 0.25
    remote_fix: float = 0.30
    pause: float = 0.15
    reclassify: float = 0.05
    reopen: float = 0.03
    factory: float = 0.01
    cost_claim: float = 0.02
    no_report: float = 0.10
    no_callback: float = 0.15
    late: float = 0.02
    duplicate: float = 0.01


class _Ticket:
    """Builds one ticket's events in time order."""

    def __init__(self, name: str, contract: str) -> None:
        self.name = name
        self.contract = contract
        self.events: list[Event] = []
        self._last: datetime | None = None

    def add(self, kind: str, at: datetime, **fields: Any) -> datetime:
        if self._last is not None and at <= self._last:
            at = self._last + timedelta(seconds=1)  # strictly after the ticket's previous event
        self._last = at
        event: Event = {
            "id": f"{self.name}-{len(self.events) + 1}",
            "contract": self.contract,
            "ticket": self.name,
            "type": kind,
            "at": at.isoformat(),
        }
        event.update(fields)
        self.events.append(event)
        return at


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low * 60, high * 60))


def ticket_events(
    rng: random.Random, name: str, start: datetime, mix: Mix = Mix(), contract: str = CONTRACT
) -> list[Event]:
    """One ticket's life, in time order (see the module doc for the shares)."""
    t = _Ticket(name, contract)
    roll = rng.random()
    severity = (
        "general"
        if roll < mix.general
        else "major"
        if roll < mix.general + mix.major
        else "emergency"
    )
    asset = rng.choice(UNITS)
    at = t.add("reported", start, severity=severity, asset=asset)
    # Answered in about a minute; now and then well past the 3 minutes.
    answer = at + timedelta(seconds=rng.expovariate(1 / 60))
    t.add("acknowledged", answer)
    if severity == "emergency":
        t.add("plan_provided", at + _minutes(rng, 1, 8))
    cycles = 2 if rng.random() < mix.reopen else 1
    resolved = at
    for cycle in range(cycles):
        begin = at if cycle == 0 else t.add("reopened", resolved + _minutes(rng, 60, 48 * 60))
        if rng.random() < mix.remote_fix and cycle == 0:
            if rng.random() < 0.5:
                t.add("dispatched", begin + _minutes(rng, 3, 20))
            resolved = t.add("resolved", begin + _minutes(rng, 10, 180), attrs={"remote": True})
        else:
            dispatched = t.add("dispatched", begin + _minutes(rng, 3, 16))
            waited = timedelta(0)
            if rng.random() < mix.pause:
                paused = t.add("paused", dispatched + _minutes(rng, 1, 10))
                resumed = t.add("resumed", paused + _minutes(rng, 5, 90))
                waited = resumed - paused
            arrived = t.add("arrived", begin + waited + _minutes(rng, 10, 34))
            if rng.random() < mix.reclassify:
                new = "major" if severity == "general" else "general"
                t.add("reclassified", arrived + _minutes(rng, 2, 10), severity=new)
                severity = new
            resolved = t.add("resolved", arrived + _minutes(rng, 8, 45))
    if rng.random() < mix.factory:
        sent = t.add("sent_to_factory", resolved + _minutes(rng, 60, 600), asset=f"{asset}-P1")
        t.add("returned_from_factory", sent + _minutes(rng, 24 * 60, 6 * 24 * 60))
    if rng.random() < mix.cost_claim:
        amount = f"{rng.randrange(200, 20000)}.00"
        t.add("cost_claimed", resolved + _minutes(rng, 30, 600), attrs={"amount": amount})
    if rng.random() >= mix.no_report:
        t.add("report_submitted", resolved + _minutes(rng, 20, 200))
    if rng.random() >= mix.no_callback:
        t.add("callback_done", resolved + _minutes(rng, 120, 26 * 60))
    return t.events


def stream(
    events: int,
    seed: int = 7,
    gap_seconds: float = 120.0,
    mix: Mix = Mix(),
    start: datetime = START,
    contract: str = CONTRACT,
    prefix: str = "S",
) -> Iterator[Event]:
    """``events`` events in arrival order (late ones after later ones, duplicates repeated);
    tickets are named ``{prefix}-1``, ``{prefix}-2``, ..."""
    rng = random.Random(seed)
    pending: list[tuple[datetime, int, Event]] = []
    order = itertools.count()
    sent = 0
    opened = start
    for number in itertools.count(1):
        opened += timedelta(seconds=rng.expovariate(1 / gap_seconds))
        # Everything released before this ticket opens goes out first.
        while pending and pending[0][0] <= opened:
            yield heapq.heappop(pending)[2]
            sent += 1
            if sent >= events:
                return
        for event in ticket_events(rng, f"{prefix}-{number}", opened, mix, contract):
            at = datetime.fromisoformat(event["at"])
            release = at
            if rng.random() < mix.late:
                release = at + _minutes(rng, 10, 360)
            heapq.heappush(pending, (release, next(order), event))
            if rng.random() < mix.duplicate:
                again = at + timedelta(seconds=rng.uniform(1, 600))
                heapq.heappush(pending, (again, next(order), dict(event)))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns


def open_tickets(tickets: int, start: datetime = START, contract: str = CONTRACT) -> list[Event]:
    """``tickets`` tickets reported within a minute and not answered yet: every clock a report
    starts is running a minute later (3 per ticket, 4 for an emergency)."""
    step = timedelta(seconds=60) / max(tickets, 1)
    severities = ("general", "general", "major", "general", "emergency") * 4
    return [
        {
            "id": f"O-{n}-1",
            "contract": contract,
            "ticket": f"O-{n}",
            "type": "reported",
            "at": (start + step * n).isoformat(),
            "severity": severities[n % len(severities)],
            "asset": UNITS[n % 2],
        }
        for n in range(tickets)
    ]


def long_ticket(events: int = 100, seed: int = 11, contract: str = CONTRACT) -> list[Event]:
    """One ticket with ``events`` events: waits, reclassifications, repeated reopen cycles —
    the worst case a late event makes the engine re-evaluate."""
    rng = random.Random(seed)
    t = _Ticket("LONG-1", contract)
    at = t.add("reported", START, severity="general", asset="U1")
    t.add("acknowledged", at + _minutes(rng, 1, 2))
    severity = "general"
    cycle = ("dispatched", "paused", "resumed", "arrived", "reclassified", "resolved", "reopened")
    for kind in itertools.cycle(cycle):
        if len(t.events) >= events:
            break
        fields: dict[str, Any] = {}
        if kind == "reclassified":
            severity = "major" if severity == "general" else "general"
            fields["severity"] = severity
        at = t.add(kind, at + _minutes(rng, 2, 40), **fields)
    return t.events


def write_jsonl(events: Iterable[Event], path: Path) -> int:
    """Write events as JSON Lines; the number written."""
    count = 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(encode(event))
            out.write("\n")
            count += 1
    return count
