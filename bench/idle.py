"""Idle CPU of ``slaengine serve`` and ``slaengine judge`` between deadlines (issue 23).

Part of ``bench/run.py --sections ingest``: a burst of single-event POSTs (the example tender's
synthetic history, ``--idle-burst`` events from 16 clients), then, once every ticket is judged
and nothing falls due for a while, the CPU each process spends over ``--idle-seconds`` of
wall-clock time, as a share of one core (from /proc). Measured for ``serve`` on SQLite (the
judge lane in the process) and for ``serve --no-judge`` with ``slaengine judge`` beside it on
PostgreSQL (the judge woken by NOTIFY). The target: about nothing — at most 0.5 % of a core
(issue 23, round 2; 2 % before it). What an idle process still does: the store's watch asks
whether anything was committed four times a second (``PRAGMA data_version`` on SQLite, the
transaction snapshot on PostgreSQL: microseconds, no store read — slaengine.store.watch),
uvicorn's main loop ticks once a second (``serve``), ``judge``'s main thread looks for a
signal once a second, and the sweep asks for a pass every 30 s. No look at the store, no outbox
look, no thread of durable_rules' own (docs/service.md, "What an idle process does").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: At most this share of one core while idle (0.02 until issue 23's round 2).
IDLE_CORE_SHARE = 0.005


def _idle_share(pids: dict[str, int], seconds: float) -> dict[str, float]:
    from scale import cpu_seconds

    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    time.sleep(seconds)
    return {
        name: round((cpu_seconds(pid) - before[name]) / seconds, 4) for name, pid in pids.items()
    }


def idle_cpu(
    pg_url: str | None,
    pg_schema: Callable[[str], Any],
    work: Path,
    burst: int,
    seconds: float,
) -> dict[str, Any]:
    from harness import Server, say, tender_without_contacts
    from scale import JudgeWorker, _judged, _post_concurrently, history

    tender = tender_without_contacts(work)
    result: dict[str, Any] = {}
    say(f"idle CPU: serve on SQLite after a burst of {burst:,} single POSTs, then {seconds} s")
    server = Server(f"sqlite:///{work / 'idle.db'}", [tender], work / "serve-idle.log", {})
    try:
        server.wait_ready()
        posted = _post_concurrently(server.url, history(burst, seed=71, prefix="Q"), 16)
        judged = _judged(server.url)
        time.sleep(1.0)  # the pass after the last one, if any
        result["sqlite_serve"] = {
            "burst_events": burst,
            "burst_per_second": posted.get("events_per_second"),
            "judged_seconds_after_last_answer": round(judged, 3),
            "idle_core_share": _idle_share({"serve": server.process.pid}, seconds)["serve"],
        }
    finally:
        server.stop()
    if pg_url is None:
        return _with_targets(result)
    with pg_schema(pg_url) as url:
        say(f"idle CPU: serve --no-judge + judge on PostgreSQL after {burst:,} POSTs")
        server = Server(url, [tender], work / "serve-idle-pg.log", {}, extra=("--no-judge",))
        judge = JudgeWorker(url, work / "judge-idle.log")
        try:
            server.wait_ready()
            judge.wait_started()
            posted = _post_concurrently(server.url, history(burst, seed=72, prefix="P"), 16)
            judged = _judged(server.url)
            time.sleep(1.0)
            shares = _idle_share({"serve": server.process.pid, "judge": judge.process.pid}, seconds)
            result["postgresql_split"] = {
                "burst_events": burst,
                "burst_per_second": posted.get("events_per_second"),
                "judged_seconds_after_last_answer": round(judged, 3),
                "idle_core_share_serve": shares["serve"],
                "idle_core_share_judge": shares["judge"],
            }
        finally:
            server.stop()
            judge.stop()
    return _with_targets(result)


def _with_targets(result: dict[str, Any]) -> dict[str, Any]:
    shares = [
        value
        for figures in result.values()
        for name, value in figures.items()
        if name.startswith("idle_core_share")
    ]
    worst = max(shares) if shares else None
    result["target"] = {
        "target": IDLE_CORE_SHARE,
        "measured": worst,
        "met": None if worst is None else worst <= IDLE_CORE_SHARE,
        "context": "the busiest idle process, share of one core, after the burst was judged",
    }
    return result
