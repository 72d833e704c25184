"""The ``live`` section: ``slaengine serve`` as a subprocess over ``--live-clocks`` running clocks
(SQLite): ingest over HTTP, deadline-to-alert latency (p50, p99), restart to ready. ``populate``
also stores the clocks behind the console pages (bench/console_pages.py).

Run from bench/run.py (``--sections live``; its PostgreSQL part at scale is bench/scale.py)."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

import synth
from harness import (
    Receiver,
    Server,
    alert_latency,
    live_contract,
    pg_schema,
    rounded,
    rss_bytes,
    say,
    tender_without_contacts,
)
from slaengine.clock import SystemClock
from slaengine.clocks import RUNNING
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store.models import StoredClock


def populate(db: str, contract_file: Path, clocks: int) -> dict[str, Any]:
    """``clocks`` running clocks (four per general ticket), stored through the live service's
    own ingestion (``LiveService.ingest``), so the store holds exactly what serving would."""
    store = Store.open(db, SystemClock())
    try:
        store.load_contract(contract_file.read_text(encoding="utf-8"), contract_file)
        service = LiveService(store, environ={})
        at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        tickets = math.ceil(clocks / 4)
        started = time.perf_counter()
        chunk = 500
        for first in range(0, tickets, chunk):
            batch = [
                (
                    n,
                    {
                        "id": f"fill-{n}",
                        "contract": "BENCH-LIVE",
                        "ticket": f"F-{n}",
                        "type": "reported",
                        "at": at,
                        "severity": "general",
                    },
                )
                for n in range(first, min(tickets, first + chunk))
            ]
            service.ingest(batch, "bench")
        seconds = time.perf_counter() - started
        with store.sessions() as session:
            running = session.scalar(
                select(func.count()).select_from(StoredClock).where(StoredClock.status == RUNNING)
            )
    finally:
        store.close()
    return {
        "tickets": tickets,
        "running_clocks": running,
        "seconds": rounded(seconds),
        "tickets_per_second": round(tickets / seconds) if seconds else None,
    }


def ingest_http(server: Server, events: Sequence[dict[str, Any]], batch: int) -> dict[str, Any]:
    """Post ``events`` over HTTP, ``batch`` per request (1: one ``POST /events`` each)."""
    accepted = 0
    with httpx.Client(base_url=server.url, timeout=120.0) as client:
        started = time.perf_counter()
        if batch <= 1:
            for event in events:
                response = client.post("/events", json=event)
                response.raise_for_status()
                accepted += response.json().get("status") == "accepted"
        else:
            for first in range(0, len(events), batch):
                response = client.post("/events/batch", json=list(events[first : first + batch]))
                response.raise_for_status()
                accepted += response.json()["accepted"]
        seconds = time.perf_counter() - started
    return {
        "events": len(events),
        "accepted": accepted,
        "per_request": max(batch, 1),
        "seconds": rounded(seconds),
        "events_per_second": round(len(events) / seconds) if seconds else None,
    }


def ingest_events(count: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    """A synthetic history ending about now (so the service judges it as the past)."""
    start = datetime.now(synth.ZONE) - timedelta(seconds=count * 12 + 86400)
    return list(synth.stream(count, seed=seed, start=start, prefix=prefix))


def measure_ingest(
    db: str,
    contract_file: Path,
    work: Path,
    name: str,
    events: int,
    single: int,
    env: dict[str, str],
) -> dict[str, Any]:
    server = Server(db, [contract_file], work / f"serve-{name}.log", env)
    try:
        ready = server.wait_ready()
        batched = ingest_http(server, ingest_events(events, seed=21, prefix="B"), batch=100)
        one_by_one = ingest_http(server, ingest_events(single, seed=22, prefix="O"), batch=1)
    finally:
        server.stop()
    return {"start_to_ready_seconds": rounded(ready), "batch_100": batched, "single": one_by_one}


def live(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    receiver = Receiver()
    env = {"SLAENGINE_ALERT_WEBHOOK": receiver.url}
    try:
        bench_contract = work / "bench-live.yaml"
        bench_contract.write_text(live_contract(args.probe_target), encoding="utf-8")
        tender = tender_without_contacts(work)
        db = f"sqlite:///{work / 'live.db'}"
        say(f"storing {args.live_clocks:,} running clocks (SQLite)")
        result["populate_sqlite"] = populate(db, bench_contract, args.live_clocks)
        server = Server(db, [bench_contract, tender], work / "serve-sqlite.log", env)
        try:
            first_ready = server.wait_ready()
            say(f"deadline-to-alert: {args.probes} probes")
            latency = alert_latency(
                server, receiver, args.probes, args.probe_spacing, args.probe_target
            )
            latency["running_clocks"] = result["populate_sqlite"]["running_clocks"]
            latency["server_rss_mb"] = round((rss_bytes(server.process.pid) or 0) / 2**20, 1)
            result["deadline_to_alert"] = latency
            say(f"ingest over HTTP into SQLite: {args.ingest_events:,} events")
            result["ingest_sqlite"] = {
                "start_to_ready_seconds": rounded(first_ready),
                "batch_100": ingest_http(
                    server, ingest_events(args.ingest_events, seed=21, prefix="B"), batch=100
                ),
                "single": ingest_http(
                    server, ingest_events(args.ingest_single, seed=22, prefix="O"), batch=1
                ),
            }
        finally:
            stopped = server.stop()
        say("restart to ready")
        again = Server(db, [bench_contract, tender], work / "serve-sqlite-restart.log", env)
        try:
            ready = again.wait_ready()
            result["restart_to_ready"] = {
                "running_clocks": result["populate_sqlite"]["running_clocks"],
                "stop_seconds": rounded(stopped),
                "ready_seconds": rounded(ready),
                "note": "process start until GET /health answers (scheduler started, first due "
                "pass under way)",
            }
        finally:
            again.stop()
        if args.pg_url.lower() == "none":
            result["ingest_postgres"] = {"skipped": "--pg-url none"}
        else:
            try:
                with pg_schema(args.pg_url) as url:
                    say(f"ingest over HTTP into PostgreSQL: {args.ingest_events:,} events")
                    result["ingest_postgres"] = measure_ingest(
                        url, tender, work, "pg", args.ingest_events, args.ingest_single, env
                    )
            except Exception as exc:  # no server: say so instead of failing the whole run
                if "connect" not in str(exc).lower() and "refused" not in str(exc).lower():
                    raise
                result["ingest_postgres"] = {"skipped": f"PostgreSQL not reachable: {exc}"}
    finally:
        receiver.close()
    return result
