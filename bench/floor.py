"""The floor: what plain Python can do with the same file, written by hand for the example tender.

Two floors, both timed by ``bench/run.py`` in the same process on the same file as the replay:

* ``parse_sort``: read the lines, decode them (orjson), drop repeated ids, parse ``at``
  (``datetime.fromisoformat``) and sort by time — what any evaluator must do before judging.
* ``evaluate``: that, plus a hand-written evaluator of the example tender's clocks (SPEC.md
  section 8: the nine commitments, pauses, reclassification, reopening, cancellation) on the
  ``always`` calendar, writing each clock with orjson (reusing the events' own ``at`` text).
  The one ``office``-calendar commitment (``factory-repair-3d``, one ticket in a hundred) asks
  the engine's calendar for its deadline: working-hours arithmetic is not the point here.

It validates nothing beyond what JSON decoding and ``fromisoformat`` check, reads no contract
file, prices nothing and builds no totals: it is the lower bound an engine is measured against,
not an engine. Its clock counts by status are returned so the benchmark can show that it judged
the same clocks as the replay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from slaengine.calendars import Calendar

#: Per event type: (stop, cancel, pause, resume, start) commitments — the tender's rule table.
_ALL = ("ack-3min", "dispatch-15min", "onsite-30min", "emergency-plan-5min")
_REPAIR = ("repair-general-30min", "repair-major-1h")
_TABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "reported": ((), (), (), (), _ALL),
    "acknowledged": (("ack-3min",), (), (), (), ()),
    "dispatched": (("ack-3min", "dispatch-15min"), (), (), (), ()),
    "arrived": (("ack-3min", "dispatch-15min", "onsite-30min"), (), (), (), _REPAIR),
    "plan_provided": (("ack-3min", "emergency-plan-5min"), (), (), (), ()),
    "resolved": (
        ("ack-3min", *_REPAIR),
        ("dispatch-15min", "onsite-30min"),
        (),
        (),
        ("report-3h", "callback-24h"),
    ),
    "report_submitted": (("report-3h",), (), (), (), ()),
    "callback_done": (("callback-24h",), (), (), (), ()),
    "paused": ((), (), ("onsite-30min", *_REPAIR), (), ()),
    "resumed": ((), (), (), ("onsite-30min", *_REPAIR), ()),
    "sent_to_factory": ((), (), (), (), ("factory-repair-3d",)),
    "returned_from_factory": (("factory-repair-3d",), (), (), (), ()),
}
_TARGET = {
    "ack-3min": 180, "dispatch-15min": 900, "onsite-30min": 1800, "emergency-plan-5min": 300,
    "repair-general-30min": 1800, "repair-major-1h": 3600, "report-3h": 10800,
    "callback-24h": 86400,
}  # fmt: skip
_ONLY = {"repair-general-30min": "general", "repair-major-1h": "major",
         "emergency-plan-5min": "emergency"}  # fmt: skip
_PAUSABLE = {"onsite-30min", *_REPAIR}


def parse_sort(path: Path) -> list[tuple[float, int, dict[str, Any]]]:
    """Decode, drop repeated ids, parse ``at``, sort by (time, arrival)."""
    seen: set[str] = set()
    rows: list[tuple[float, int, dict[str, Any]]] = []
    loads, parse = orjson.loads, datetime.fromisoformat
    with path.open("rb") as stream:
        for seq, line in enumerate(stream):
            event = loads(line)
            if event["id"] in seen:
                continue
            seen.add(event["id"])
            event["_at"] = at = parse(event["at"])
            rows.append((at.timestamp(), seq, event))
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def evaluate(path: Path, as_of: datetime, office: Calendar, out: IO[bytes]) -> dict[str, int]:
    """Every clock of every ticket at ``as_of``, written as JSON Lines; counts by status."""
    limit = as_of.timestamp()
    tickets: dict[str, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
    for ts, _, event in parse_sort(path):
        if ts <= limit and "ticket" in event:
            tickets[event["ticket"]].append((ts, event))
    counts: dict[str, int] = defaultdict(int)
    dumps = orjson.dumps
    for ticket in sorted(tickets):
        records: list[bytes] = []
        for clock in _walk(tickets[ticket]):
            status, deadline, late = _judge(clock, limit, office)
            counts[status] += 1
            stop = clock[4]
            records.append(
                dumps({"ticket": ticket, "commitment": clock[0], "cycle": clock[1],
                       "status": status, "started_at": clock[3]["at"], "deadline": deadline,
                       "stopped_at": stop["at"] if stop else None, "late_by_seconds": late})
            )  # fmt: skip
        out.write(b"\n".join(records))
    return dict(counts)


def _walk(events: list[tuple[float, dict[str, Any]]]) -> list[list[Any]]:
    """One ticket's clocks: [commitment, cycle, start ts, start event, stop event or None,
    stop ts, cancelled ts or None, keeps breach, pauses, retroactive, reclassified out]."""
    severity = None
    cycle = 1
    clocks: list[list[Any]] = []
    running: dict[str, list[list[Any]]] = defaultdict(list)  # commitment -> open clocks
    current: dict[str, list[Any]] = {}  # commitment -> this cycle's clock
    first: dict[str, tuple[float, dict[str, Any]]] = {}  # this cycle's first start
    closed: set[str] = set()
    pauses: dict[str, list[list[Any]]] = {}
    halted = False
    for ts, event in events:
        kind = event["type"]
        if kind in ("reported", "reclassified") and event.get("severity") != severity:
            if severity is not None or kind == "reclassified":
                severity = event["severity"]
                for name, clock in current.items():
                    if name in _ONLY and _ONLY[name] != severity and clock in running[name]:
                        clock[6], clock[10] = ts, True
                        running[name].remove(clock)
                for name, only in _ONLY.items():
                    was = current.get(name)
                    owed = only == severity and name in first and name not in closed
                    if owed and not halted and (was is None or was[10]):
                        start_ts, start = first[name]
                        _open(name, cycle, start_ts, start, clocks, running, current, pauses)
                        current[name][9] = True
            else:
                severity = event["severity"]
        elif kind == "reopened":
            cycle += 1
            halted = False
            current, first, closed, pauses = {}, {}, set(), {}
            kind = "reported"
        elif kind == "cancelled":
            halted = True
            for open_clocks in running.values():
                for clock in open_clocks:
                    clock[6], clock[7] = ts, True
            running.clear()
        rule = _TABLE.get(kind)
        if rule is None:
            continue
        stops, cancels, pause, resume, starts = rule
        if event["type"] == "reopened":
            stops = cancels = pause = resume = ()
        for name in stops + cancels:
            if name in first:
                closed.add(name)
            for clock in running.pop(name, ()):
                if name in stops:
                    clock[4], clock[5] = event, ts
                else:
                    clock[6] = ts
        for name in pause:
            spans = pauses.setdefault(name, [])
            if not spans or spans[-1][1] is not None:
                spans.append([ts, None])
        for name in resume:
            spans = pauses.get(name, [])
            if spans and spans[-1][1] is None:
                spans[-1][1] = ts
        for name in starts:
            first.setdefault(name, (ts, event))
            needs = _ONLY.get(name)
            if not halted and name not in current and (needs is None or needs == severity):
                _open(name, cycle, ts, event, clocks, running, current, pauses)
    return clocks


def _open(
    name: str,
    cycle: int,
    ts: float,
    event: dict[str, Any],
    clocks: list[list[Any]],
    running: dict[str, list[list[Any]]],
    current: dict[str, list[Any]],
    pauses: dict[str, list[list[Any]]],
) -> None:
    spans = pauses.setdefault(name, []) if name in _PAUSABLE else []
    clock = [name, cycle, ts, event, None, None, None, False, spans, False, False]
    clocks.append(clock)
    running[name].append(clock)
    current[name] = clock


def _judge(clock: list[Any], as_of: float, office: Calendar) -> tuple[str, datetime, int]:
    name, _, start, event, _, stop, cancel, keeps, spans, _ = clock[:10]
    horizon = min(stop or cancel or as_of, as_of)
    gaps = sorted(
        (max(a, start), max(horizon, start) if b is None else b)
        for a, b in spans
        if a < horizon and (b is None or b > start)
    )
    if name in _TARGET:
        deadline, left = start, float(_TARGET[name])
        for a, b in gaps:  # 24x7: the target runs outside the paused spans
            if b <= deadline:
                continue
            if a - deadline >= left:
                break
            left -= max(0.0, a - deadline)
            deadline = b
        deadline += left
        when = event["_at"] + timedelta(seconds=deadline - start)
    else:
        when = office.deadline(event["_at"], _DAYS_3)
        deadline = when.timestamp()
    if cancel is not None and keeps and cancel > deadline:
        stop, cancel = cancel, None
    if cancel is not None:
        return "cancelled", when, 0
    end = stop if stop is not None else as_of
    late = end - deadline
    late -= sum(min(b, end) - max(a, deadline) for a, b in gaps if b > deadline and a < end)
    if late > 0:
        return "breached", when, math.ceil(late)
    if stop is not None:
        return "met", when, 0
    paused = bool(spans) and spans[-1][1] is None
    return ("paused" if paused else "running"), when, 0


def _days(text: str) -> Any:
    from slaengine.durations import Duration

    return Duration.parse(text)


_DAYS_3 = _days("3d")
