"""The ``memory`` section: bytes per running clock (tracemalloc, and the RSS delta) over
``--memory-tickets`` open tickets.

Run from bench/run.py (``--sections memory``)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timedelta
from typing import Any

import synth
from harness import rss_bytes
from slaengine.clocks import PAUSED, RUNNING
from slaengine.contract import Contract
from slaengine.evaluate import Context, evaluate
from slaengine.events import Intake


def memory_per_clock(contract: Contract, tickets: int) -> dict[str, Any]:
    """Bytes per running clock over ``tickets`` open tickets (each 3 or 4 running clocks).

    ``events`` is what the parsed events take, ``report`` what the evaluation keeps (clocks,
    tickets, the report), ``peak`` the high-water mark of both plus the evaluation's temporaries.
    """
    context = Context(contract)
    data = synth.open_tickets(tickets)
    as_of = datetime.fromisoformat(data[-1]["at"]) + timedelta(seconds=1)
    # Untraced first: the RSS delta (coarse: allocator arenas are not returned at once).
    gc.collect()
    before = rss_bytes() or 0
    intake = Intake(contract)
    for number, item in enumerate(data, start=1):
        intake.offer(item, number)
    report = evaluate(context, intake.events, as_of)
    rss_delta = (rss_bytes() or 0) - before
    del report, intake
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    intake = Intake(contract)
    for number, item in enumerate(data, start=1):
        intake.offer(item, number)
    after_events = tracemalloc.get_traced_memory()[0]
    report = evaluate(context, intake.events, as_of)
    after_report, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    running = sum(1 for clock in report.clocks if clock.status in (RUNNING, PAUSED))
    if running == 0:
        raise RuntimeError("no running clock: the memory benchmark measured nothing")
    events_bytes = after_events - base
    report_bytes = after_report - after_events
    return {
        "tickets": tickets,
        "running_clocks": running,
        "events_bytes_per_running_clock": round(events_bytes / running),
        "report_bytes_per_running_clock": round(report_bytes / running),
        "retained_bytes_per_running_clock": round((after_report - base) / running),
        "peak_bytes_per_running_clock": round((peak - base) / running),
        "rss_delta_bytes_per_running_clock": round(rss_delta / running),
    }
