"""A second floor, written apart from ``floor.py``: the example tender's clocks AND their penalty
lines, by hand, for ``bench/run.py``'s replay section.

``floor.py`` walks each ticket through a table of (stop, cancel, pause, resume, start) names.
This one keeps each ticket as a small state object whose clocks are dicts, handles each event
type in its own branch, and then prices what it found the way the tender's clauses read
(docs/reference.md §8): per breached clock, ``P-ack`` 500.00, ``P-plan`` 1,000.00, ``P-report``
300.00, ``P-onsite`` 200.00 per started 10 minutes late (at most 5,000.00 a breach), ``P-repair``
640.00 per started hour (0.05 % of the price; at most 12,800.00 a breach), ``P-factory``
1,500.00 per started day; money in ``Decimal``; then the contract-year cap (10 % of the price,
128,000.00 a year) cuts the lines in the order they fell due. Each clock and each line is
written with orjson.

What it leaves out, and the engine does not: the inspection obligation's lines, ``C-costs``
compensation, the availability and satisfaction measures and their service credit, waivers and
warranty. Its lines are the clock lines only, so ``bench/run.py`` compares them with the
replay's clock lines (count and amount per clause, before the yearly cap) — a check that both
priced the same breaches alike — while the replay's time includes everything else.
The ``office`` calendar's one commitment asks the engine's calendar for its deadline, as in
``floor.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import orjson

from slaengine.calendars import Calendar

SEVERITY_ONLY = {
    "repair-general-30min": "general",
    "repair-major-1h": "major",
    "emergency-plan-5min": "emergency",
}
SECONDS = {
    "ack-3min": 180, "dispatch-15min": 900, "onsite-30min": 1800, "emergency-plan-5min": 300,
    "repair-general-30min": 1800, "repair-major-1h": 3600, "report-3h": 10800,
    "callback-24h": 86400,
}  # fmt: skip
PAUSABLE = frozenset({"onsite-30min", "repair-general-30min", "repair-major-1h"})
ON_REPORT = ("ack-3min", "dispatch-15min", "onsite-30min", "emergency-plan-5min")
REPAIRS = ("repair-general-30min", "repair-major-1h")
#: clause, amount per unit (or fixed), unit seconds (0: fixed), per-breach cap
PRICES: dict[str, tuple[str, Decimal, int, Decimal | None]] = {
    "ack-3min": ("P-ack", Decimal("500.00"), 0, None),
    "emergency-plan-5min": ("P-plan", Decimal("1000.00"), 0, None),
    "report-3h": ("P-report", Decimal("300.00"), 0, None),
    "onsite-30min": ("P-onsite", Decimal("200.00"), 600, Decimal("5000.00")),
    "repair-general-30min": ("P-repair", Decimal("640.00"), 3600, Decimal("12800.00")),
    "repair-major-1h": ("P-repair", Decimal("640.00"), 3600, Decimal("12800.00")),
    "factory-repair-3d": ("P-factory", Decimal("1500.00"), 86400, None),
}
YEAR_CAP = Decimal("128000.00")


class Ticket:
    """One ticket's state while its events are read in time order."""

    def __init__(self) -> None:
        self.severity: str | None = None
        self.cycle = 1
        self.cancelled = False
        self.clocks: list[dict[str, Any]] = []
        self.new_cycle()

    def new_cycle(self) -> None:
        self.mine: dict[str, dict[str, Any]] = {}  # this cycle's clock per commitment
        self.began: dict[str, tuple[float, dict[str, Any]]] = {}  # first start this cycle
        self.done: set[str] = set()  # stopped or cancelled after its first start
        self.paused: dict[str, list[list[Any]]] = {}

    def open_clocks(self, name: str) -> list[dict[str, Any]]:
        return [c for c in self.clocks if c["name"] == name and c["end"] is None]

    def start(self, name: str, ts: float, event: dict[str, Any]) -> None:
        self.began.setdefault(name, (ts, event))
        only = SEVERITY_ONLY.get(name)
        if self.cancelled or name in self.mine or (only is not None and only != self.severity):
            return
        self.begin(name, ts, event)

    def begin(self, name: str, ts: float, event: dict[str, Any]) -> dict[str, Any]:
        spans = self.paused.setdefault(name, []) if name in PAUSABLE else []
        clock = {"name": name, "cycle": self.cycle, "ts": ts, "event": event, "end": None,
                 "how": None, "stop": None, "keeps": False, "spans": spans,
                 "out": False}  # fmt: skip
        self.clocks.append(clock)
        self.mine[name] = clock
        return clock

    def close(self, name: str, ts: float, event: dict[str, Any] | None, stop: bool) -> None:
        if name in self.began:
            self.done.add(name)
        for clock in self.open_clocks(name):
            clock["end"], clock["how"], clock["stop"] = ts, "stop" if stop else "cancel", event

    def severity_now(self, severity: str, ts: float) -> None:
        self.severity = severity
        for name, clock in self.mine.items():
            only = SEVERITY_ONLY.get(name)
            if only is not None and only != severity and clock["end"] is None:
                clock["end"], clock["how"], clock["out"] = ts, "cancel", True
        for name, only in SEVERITY_ONLY.items():
            had = self.mine.get(name)
            if (only == severity and name in self.began and name not in self.done
                    and not self.cancelled and (had is None or had["out"])):  # fmt: skip
                self.begin(name, *self.began[name])

    def take(self, ts: float, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "reported":
            severity = event["severity"]
            if self.severity is None:
                self.severity = severity
            elif severity != self.severity:
                self.severity_now(severity, ts)
            for name in ON_REPORT:
                self.start(name, ts, event)
        elif kind == "reclassified":
            if event["severity"] != self.severity:
                self.severity_now(event["severity"], ts)
        elif kind == "reopened":
            self.cycle += 1
            self.cancelled = False
            self.new_cycle()
            for name in ON_REPORT:
                self.start(name, ts, event)
        elif kind == "cancelled":
            self.cancelled = True
            for clock in self.clocks:
                if clock["end"] is None:
                    clock["end"], clock["how"], clock["keeps"] = ts, "cancel", True
        elif kind == "acknowledged":
            self.close("ack-3min", ts, event, True)
        elif kind == "dispatched":
            for name in ("ack-3min", "dispatch-15min"):
                self.close(name, ts, event, True)
        elif kind == "arrived":
            for name in ("ack-3min", "dispatch-15min", "onsite-30min"):
                self.close(name, ts, event, True)
            for name in REPAIRS:
                self.start(name, ts, event)
        elif kind == "plan_provided":
            for name in ("ack-3min", "emergency-plan-5min"):
                self.close(name, ts, event, True)
        elif kind == "resolved":
            for name in ("ack-3min", *REPAIRS):
                self.close(name, ts, event, True)
            for name in ("dispatch-15min", "onsite-30min"):
                self.close(name, ts, None, False)
            for name in ("report-3h", "callback-24h"):
                self.start(name, ts, event)
        elif kind == "report_submitted":
            self.close("report-3h", ts, event, True)
        elif kind == "callback_done":
            self.close("callback-24h", ts, event, True)
        elif kind == "paused":
            for name in PAUSABLE:
                spans = self.paused.setdefault(name, [])
                if not spans or spans[-1][1] is not None:
                    spans.append([ts, None])
        elif kind == "resumed":
            for name in PAUSABLE:
                spans = self.paused.get(name, [])
                if spans and spans[-1][1] is None:
                    spans[-1][1] = ts
        elif kind == "sent_to_factory":
            self.start("factory-repair-3d", ts, event)
        elif kind == "returned_from_factory":
            self.close("factory-repair-3d", ts, event, True)


def judge(clock: dict[str, Any], limit: float, office: Calendar) -> tuple[str, datetime, int]:
    """Status, deadline and whole seconds late of one clock at ``limit``."""
    start, spans, end = clock["ts"], clock["spans"], clock["end"]
    seen_to = limit if end is None else min(end, limit)
    gaps = sorted(
        (max(a, start), max(seen_to, start) if b is None else b)
        for a, b in spans
        if a < seen_to and (b is None or b > start)
    )
    name = clock["name"]
    if name in SECONDS:
        due, left = start, float(SECONDS[name])
        for a, b in gaps:
            if b <= due:
                continue
            if a - due >= left:
                break
            left -= max(0.0, a - due)
            due = b
        due += left
        deadline = clock["event"]["_at"] + timedelta(seconds=due - start)
    else:
        deadline = office.deadline(clock["event"]["_at"], THREE_DAYS)
        due = deadline.timestamp()
    how = clock["how"]
    if how == "cancel" and clock["keeps"] and end > due:
        how = "stop"  # a ticket cancelled after a breach: the breach stands
    if how == "cancel":
        return "cancelled", deadline, 0
    until = end if how == "stop" else limit
    late = until - due - sum(min(b, until) - max(a, due) for a, b in gaps if b > due and a < until)
    if late > 0:
        return "breached", deadline, math.ceil(late)
    if how == "stop":
        return "met", deadline, 0
    return ("paused" if spans and spans[-1][1] is None else "running"), deadline, 0


def evaluate(
    path: Path, as_of: datetime, office: Calendar, out: IO[bytes]
) -> tuple[dict[str, int], dict[str, list[Any]]]:
    """Clocks and clock penalty lines at ``as_of``, written as JSON Lines; the clocks by status
    and, per clause, [lines, amount before the yearly cap]."""
    seen: set[str] = set()
    rows: list[tuple[float, int, dict[str, Any]]] = []
    limit = as_of.timestamp()
    with path.open("rb") as stream:
        for seq, text in enumerate(stream):
            event = orjson.loads(text)
            if event["id"] in seen:
                continue
            seen.add(event["id"])
            event["_at"] = at = datetime.fromisoformat(event["at"])
            ts = at.timestamp()
            if ts <= limit and "ticket" in event:
                rows.append((ts, seq, event))
    rows.sort(key=lambda row: (row[0], row[1]))
    tickets: dict[str, Ticket] = {}
    for ts, _, event in rows:
        ticket = tickets.get(event["ticket"])
        if ticket is None:
            ticket = tickets[event["ticket"]] = Ticket()
        ticket.take(ts, event)
    counts: dict[str, int] = defaultdict(int)
    lines: list[tuple[float, str, Decimal, dict[str, Any]]] = []
    dumps = orjson.dumps
    for name in sorted(tickets):
        written = []
        for clock in tickets[name].clocks:
            status, deadline, late = judge(clock, limit, office)
            counts[status] += 1
            stop = clock["stop"]
            written.append(
                dumps({"ticket": name, "commitment": clock["name"], "cycle": clock["cycle"],
                       "status": status, "started_at": clock["event"]["at"],
                       "deadline": deadline, "stopped_at": stop["at"] if stop else None,
                       "late_by_seconds": late})
            )  # fmt: skip
            price = PRICES.get(clock["name"]) if status == "breached" else None
            if price is not None:
                clause, each, unit, cap = price
                amount = each * math.ceil(late / unit) if unit else each
                if cap is not None and amount > cap:
                    amount = cap
                line_id = f"{clause}/{name}/{clock['name']}/{clock['cycle']}"
                lines.append((deadline.timestamp(), line_id, amount, {"year": _year(deadline)}))
        out.write(b"\n".join(written))
    by_clause: dict[str, list[Any]] = {}
    used: dict[int, Decimal] = defaultdict(Decimal)
    lines.sort(key=lambda line: (line[0], line[1]))
    for _, line_id, amount, facts in lines:  # the yearly cap, in the order lines fell due
        year = facts["year"]
        cut = max(Decimal(0), amount - max(Decimal(0), YEAR_CAP - used[year]))
        used[year] += amount - cut
        clause = line_id.split("/", 1)[0]
        entry = by_clause.setdefault(clause, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += amount
        out.write(dumps({"id": line_id, "amount": str(amount), "year_cut": str(cut)}) + b"\n")
    return dict(counts), {k: [n, str(total)] for k, (n, total) in sorted(by_clause.items())}


#: Contract years start on the acceptance date's anniversary (2026-01-15, Asia/Shanghai).
_FIRST_YEAR = datetime.fromisoformat("2026-01-15T00:00:00+08:00")


def _year(when: datetime) -> int:
    year = 1
    while when >= _FIRST_YEAR.replace(year=_FIRST_YEAR.year + year):
        year += 1
    return year


def _days(text: str) -> Any:
    from slaengine.durations import Duration

    return Duration.parse(text)


THREE_DAYS = _days("3d")
