"""Loading history: ``slaengine ingest FILE --db ...`` end to end (stored and judged).

Part of ``bench/run.py --sections ingest`` (issue 23): a synthetic history of the example tender
(bench/synth.py, the events of ~1,000 tickets per 10,000 events) written as a JSON Lines file,
then ``slaengine ingest`` run as a subprocess into a fresh store — a PostgreSQL schema of its own
and a SQLite file — at each size of ``--history-load`` (default 20k and 200k events). For each
run: wall seconds, the subprocess's CPU seconds, events per second end to end, the tickets
judged (every stored ticket must be judged, none left dirty), and the machine's load average
(the machine is shared: a figure taken under load says so). The targets: at least 10,000
events/s end to end on PostgreSQL at 200k events, seconds growing linearly with the events
(seconds per event at the largest size within 1.5x of the smallest), SQLite within 2x of
PostgreSQL's rate.

Run alone: ``python bench/ingest.py --sizes 20000,200000`` prints the same JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, func, select

import synth
from slaengine.store.models import StoredClock, Ticket

#: Issue 23's targets for loading history.
TARGETS = {
    "ingest_events_per_second_pg": 10_000.0,  # 200k events, stored and judged, PostgreSQL
    "ingest_linearity": 1.5,  # seconds per event, largest size over smallest, at most
    "ingest_sqlite_vs_pg": 2.0,  # SQLite's seconds over PostgreSQL's, at most
}


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def write_history(count: int, path: Path, seed: int = 61) -> int:
    """A synthetic history of ``count`` events (ending about a day ago) as JSON Lines; the
    number of tickets in it."""
    from datetime import datetime, timedelta

    start = datetime.now(synth.ZONE) - timedelta(seconds=count * 12 + 86400)
    tickets: set[str] = set()
    with path.open("wb") as out:
        for event in synth.stream(count, seed=seed, start=start, prefix="L"):
            if "ticket" in event:
                tickets.add(event["ticket"])
            out.write(orjson.dumps(event))
            out.write(b"\n")
    return len(tickets)


def _slaengine() -> str:
    return str(Path(sys.executable).with_name("slaengine"))


def run_ingest(db: str, contract: Path, events: Path, extra: Sequence[str] = ()) -> dict[str, Any]:
    """``slaengine contract load`` then ``slaengine ingest`` (timed: wall and CPU)."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(
        [_slaengine(), "contract", "load", str(contract), "--db", db],
        check=True,
        capture_output=True,
        env=env,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = _load()
    started = time.perf_counter()
    done = subprocess.run(
        [_slaengine(), "ingest", str(events), "--db", db, *extra],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"slaengine ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "said": " ".join(done.stdout.split()),
        "load_before": load_before,
        "load_after": _load(),
    }


def _judged(db: str) -> dict[str, int]:
    engine = create_engine(db)
    try:
        with engine.connect() as connection:
            tickets = connection.scalar(select(func.count()).select_from(Ticket))
            dirty = connection.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.dirty.is_(True))
            )
            clocks = connection.scalar(select(func.count()).select_from(StoredClock))
    finally:
        engine.dispose()
    return {"tickets": int(tickets or 0), "left_dirty": int(dirty or 0), "clocks": int(clocks or 0)}


def one(db: str, contract: Path, events: Path, count: int) -> dict[str, Any]:
    result = run_ingest(db, contract, events)
    result.update(_judged(db))
    result["events"] = count
    result["events_per_second"] = round(count / result["seconds"])
    result["events_per_cpu_second"] = (
        round(count / result["cpu_seconds"]) if result["cpu_seconds"] else None
    )
    return result


def split(db: str, contract: Path, events: Path, count: int) -> dict[str, Any]:
    """The same load in two steps: ``slaengine ingest --no-judge`` (storing alone), then one due
    pass in this process (``LiveService.run_due``: the judge lane of ``serve`` and ``judge``)
    judging every stored ticket — what storing costs, and what judging costs by the due pass."""
    from slaengine.clock import SystemClock
    from slaengine.service import LiveService
    from slaengine.store import Store

    stored = run_ingest(db, contract, events, ("--no-judge",))
    store = Store.open(db, SystemClock())
    try:
        store.refresh_statistics()
        service = LiveService(store, environ={})
        cpu = time.process_time()
        started = time.perf_counter()
        report = service.run_due()
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        store.close()
    return {
        "store_only_seconds": stored["seconds"],
        "store_only_events_per_second": round(count / stored["seconds"]),
        "store_only_cpu_seconds": stored["cpu_seconds"],
        "due_pass_tickets": report.tickets,
        "due_pass_seconds": round(wall, 2),
        "due_pass_cpu_seconds": round(cpu, 2),
        "due_pass_ms_per_ticket": round(wall * 1000 / max(report.tickets, 1), 3),
        "due_pass_cpu_ms_per_ticket": round(cpu * 1000 / max(report.tickets, 1), 3),
        "load_after": _load(),
    }


def ingest_history(
    sizes: Sequence[int],
    work: Path,
    pg_url: str | None,
    pg_schema: Callable[[str], Any] | None,
    contract: Path,
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    sqlite: bool = True,
) -> dict[str, Any]:
    """``slaengine ingest`` of each size into PostgreSQL (when given) and SQLite (``sqlite``)."""
    runs: dict[str, dict[str, Any]] = {"postgresql": {}, "sqlite": {}}
    for count in sizes:
        events = work / f"history-{count}.jsonl"
        tickets = write_history(count, events)
        if pg_url is not None and pg_schema is not None:
            with pg_schema(pg_url) as url:
                say(f"slaengine ingest: {count:,} events ({tickets:,} tickets) into PostgreSQL")
                runs["postgresql"][str(count)] = one(url, contract, events, count)
            if count == min(sizes):
                with pg_schema(pg_url) as url:
                    say(f"the same {count:,} events: ingest --no-judge, then one due pass")
                    done = runs["postgresql"][str(count)]
                    parts = split(url, contract, events, count)
                    judging = done["seconds"] - parts["store_only_seconds"]
                    parts["ingest_judging_ms_per_ticket"] = round(
                        judging * 1000 / max(done["tickets"], 1), 3
                    )
                    parts["note"] = (
                        "ingest_judging_ms_per_ticket: the full ingest's wall clock less "
                        "storing alone, per ticket; due_pass_ms_per_ticket: one run_due "
                        "judging the same fresh tickets"
                    )
                    done["split"] = parts
        if sqlite:
            say(f"slaengine ingest: {count:,} events ({tickets:,} tickets) into SQLite")
            runs["sqlite"][str(count)] = one(
                f"sqlite:///{work / f'history-{count}.db'}", contract, events, count
            )
        events.unlink()
    return {"runs": runs, "targets": targets(runs, sizes)}


def targets(runs: dict[str, dict[str, Any]], sizes: Sequence[int]) -> dict[str, Any]:
    """Each figure beside its target (None: not measured in this run)."""
    found: dict[str, Any] = {}
    pg = runs.get("postgresql", {})
    lite = runs.get("sqlite", {})
    at_200k = pg.get("200000")
    found["ingest_events_per_second_pg"] = _judge(
        "ingest_events_per_second_pg",
        at_200k["events_per_second"] if at_200k else None,
        higher=True,
        context="slaengine ingest of 200,000 events, PostgreSQL, wall clock"
        if at_200k
        else "measured with a size of 200000 and PostgreSQL",
    )
    for name, figures in (("pg", pg), ("sqlite", lite)):
        if len(figures) >= 2:
            small, large = min(sizes), max(sizes)
            ratio = (figures[str(large)]["seconds"] / large) / (
                figures[str(small)]["seconds"] / small
            )
            found[f"ingest_linearity_{name}"] = _judge(
                "ingest_linearity",
                round(ratio, 2),
                higher=False,
                context=f"seconds per event at {large:,} over at {small:,}",
            )
    common = sorted(set(pg) & set(lite), key=int)
    if common:
        largest = common[-1]
        found["ingest_sqlite_vs_pg"] = _judge(
            "ingest_sqlite_vs_pg",
            round(lite[largest]["seconds"] / pg[largest]["seconds"], 2),
            higher=False,
            context=f"seconds, {int(largest):,} events",
        )
    return found


def _judge(name: str, measured: float | None, higher: bool, context: str) -> dict[str, Any]:
    limit = TARGETS[name]
    met = None
    if measured is not None:
        met = measured >= limit if higher else measured <= limit
    return {"target": limit, "measured": measured, "met": met, "context": context}


def main(argv: Sequence[str] | None = None) -> int:
    from harness import DEFAULT_PG, pg_schema, tender_without_contacts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="comma-separated event counts")
    parser.add_argument("--pg-url", default=os.environ.get("SLAENGINE_TEST_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    with tempfile.TemporaryDirectory(prefix="slaengine-ingest-") as tmp:
        work = Path(tmp)
        pg = None if args.pg_url.lower() == "none" else args.pg_url
        result = ingest_history(
            sizes, work, pg, pg_schema, tender_without_contacts(work), sqlite=not args.no_sqlite
        )
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
