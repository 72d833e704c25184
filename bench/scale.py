"""Benchmarks of the live service at scale on PostgreSQL (``bench/run.py`` sections ``ingest``,
``consume`` and the ``postgres_scale`` part of ``live``); docs/benchmarks.md has the figures.

* ``ingest``: batched intake as ``slaengine ingest`` does it (store, then evaluate the touched
  tickets), and single-event POSTs from 16 concurrent clients through ``slaengine serve``
  (answered at their commit; then how long its judge lane takes to judge what they touched);
  then the same POSTs to ``serve --no-judge`` with ``slaengine judge`` beside it
  (``single_concurrent_split``: the judge lane in a process of its own, woken by NOTIFY).
* ``consume``: events published to a NATS JetStream stream of the benchmark's own, taken by
  ``slaengine consume --drain`` (a subprocess): start to the last event committed, and start to
  exit (its judge lane done); with ``--no-judge`` (``intake_only``); and with ``--no-judge``
  beside a ``slaengine judge`` (``split``: also the seconds until the judge had judged all).
* ``live`` at scale: one due ticket's evaluation over 20k and then 200k events of history, the
  duties pass over that history, alert latency with a contract-wide event posted among running
  probe tickets; then a store of N running clocks (10 events per ticket) built with COPY, the
  restart to "ready" (the first due pass done) and deadline-to-alert latency on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import yaml
from sqlalchemy import func, select, update

import synth
from slaengine.clock import SystemClock
from slaengine.service import LiveService
from slaengine.service.intake import evaluate_chunk
from slaengine.store import Store
from slaengine.store.models import StoredEvent, Ticket

NATS_URL = "nats://127.0.0.1:4222"


def _rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)


def _p(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, -(-int(share * 1000) * len(ordered) // 1000)) - 1]


def scale_tender(work: Path, probe_target: int) -> Path:
    """The example tender without contacts, plus an ``urgent`` severity whose answer clock runs
    ``probe_target`` seconds (the probes), so probes and history share one contract."""
    from harness import TENDER

    data = yaml.safe_load(TENDER.read_text(encoding="utf-8"))
    data.pop("contacts", None)
    data["severities"]["urgent"] = {"zh": "紧急探测", "en": "Urgent probe"}
    data.setdefault("rules", ["after-sales"])
    data["commitments"].append(
        {
            "id": "urgent-answer",
            "use": "answer-the-call",
            "target": f"{probe_target}s",
            "calendar": "always",
            "applies_to": {"severity": "urgent"},
        }
    )
    path = work / "tender-scale.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def history(count: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    """A synthetic history of ``count`` events ending about a day ago."""
    start = datetime.now(synth.ZONE) - timedelta(seconds=count * 12 + 86400)
    return list(synth.stream(count, seed=seed, start=start, prefix=prefix))


def store_events(store: Store, events: Sequence[dict[str, Any]], chunk: int = 1000) -> float:
    """Store ``events`` as ``slaengine ingest`` does (one transaction per chunk); seconds."""
    started = time.perf_counter()
    for first in range(0, len(events), chunk):
        store.add_events(list(enumerate(events[first : first + chunk], start=first)), "bench")
    return time.perf_counter() - started


# -- ingest -----------------------------------------------------------------------------------


def ingest_section(args: Any, work: Path, pg_schema: Callable[[str], Any]) -> dict[str, Any]:
    from harness import Server, say

    result: dict[str, Any] = {}
    with pg_schema(args.pg_url) as url:
        tender = scale_tender(work, args.probe_target)
        store = Store.open(url, SystemClock())
        store.load_contract(tender.read_text(encoding="utf-8"), tender)
        service = LiveService(store, environ={})
        events = history(args.ingest_batched, seed=31, prefix="I")
        say(f"batched ingest into PostgreSQL: {len(events):,} events")
        started = time.perf_counter()
        cpu_started = time.process_time()
        tickets: set[tuple[str, str]] = set()
        for first in range(0, len(events), 1000):
            added = store.add_events(
                list(enumerate(events[first : first + 1000], start=first)), "bench"
            )
            tickets |= added.tickets
        stored = time.perf_counter() - started
        stored_cpu = time.process_time() - cpu_started
        service.evaluate_tickets_now(tickets)
        total = time.perf_counter() - started
        store.close()
        result["batched"] = {
            "events": len(events),
            "tickets": len(tickets),
            "store_seconds": _rounded(stored),
            "stored_per_second": round(len(events) / stored),
            "store_cpu_seconds": _rounded(stored_cpu),
            "stored_per_cpu_second": round(len(events) / stored_cpu) if stored_cpu else None,
            "with_evaluation_seconds": _rounded(total),
            "end_to_end_per_second": round(len(events) / total),
            "note": "as `slaengine ingest` does it: 1,000 events per transaction, then every "
            "touched ticket evaluated (200 per transaction)",
        }
        say(f"single-event POSTs, {args.ingest_clients} clients: {args.ingest_posts:,} events")
        server = Server(url, [tender], work / "serve-ingest.log", {})
        try:
            server.wait_ready()
            single = _post_concurrently(
                server.url, history(args.ingest_posts, seed=32, prefix="H"), args.ingest_clients
            )
            single["judged_seconds_after_last_answer"] = _rounded(_judged(server.url))
            result["single_concurrent"] = single
        finally:
            server.stop()
    with pg_schema(args.pg_url) as url:
        result["single_concurrent_split"] = _single_split(args, work, url)
    with pg_schema(args.pg_url) as url:
        result["single_concurrent_no_judge_alone"] = _single_split(args, work, url, judging=False)
    return result


def _single_split(args: Any, work: Path, url: str, judging: bool = True) -> dict[str, Any]:
    """Single POSTs to ``serve --no-judge`` with ``slaengine judge`` beside it (subprocesses on
    one fresh store): the rate, and how long after the last answer the judge had judged all.
    Without ``judging``: no judge runs (intake's ceiling on this machine; tickets left waiting)."""
    from harness import Server, say

    tender = scale_tender(work, args.probe_target)
    store = Store.open(url, SystemClock())
    store.load_contract(tender.read_text(encoding="utf-8"), tender)
    store.close()
    beside = "+ judge" if judging else "alone (no judge)"
    say(
        f"single-event POSTs to serve --no-judge {beside}, {args.ingest_clients} clients: "
        f"{args.ingest_posts:,} events"
    )
    judge = JudgeWorker(url, work / "judge-ingest.log") if judging else None
    server = Server(url, [tender], work / "serve-split.log", {}, extra=("--no-judge",))
    try:
        server.wait_ready()
        if judge is not None:
            judge.wait_started()
            judge_cpu = cpu_seconds(judge.process.pid)
        serve_cpu = cpu_seconds(server.process.pid)
        single = _post_concurrently(
            server.url, history(args.ingest_posts, seed=33, prefix="S"), args.ingest_clients
        )
        if judge is not None:
            judge_after = cpu_seconds(judge.process.pid)
        single["serve_cpu_seconds"] = _rounded(cpu_seconds(server.process.pid) - serve_cpu)
        if judge is not None:
            single["judged_seconds_after_last_answer"] = _rounded(_judged(server.url))
            judge_done = cpu_seconds(judge.process.pid)
            single["judge_cpu_seconds_during_posts"] = _rounded(judge_after - judge_cpu)
            single["judge_cpu_seconds_until_judged"] = _rounded(judge_done - judge_cpu)
            single["judge_summary"] = judge.stop()
        single["note"] = (
            "serve --no-judge (HTTP intake, group commit, no due pass) and slaengine judge "
            "(due pass woken by NOTIFY slaengine_due) as two processes; each answer after its "
            "commit; judged: /health tickets_waiting back to 0"
            if judge is not None
            else "serve --no-judge with no judge running: intake alone (the tickets are left "
            "waiting); each answer after its commit"
        )
    finally:
        server.stop()
        if judge is not None:
            judge.stop()
    return single


def cpu_seconds(pid: int) -> float:
    """A running process's user+sys CPU seconds (from /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class JudgeWorker:
    """``slaengine judge`` in a subprocess (the judge lane of ``serve``/``consume --no-judge``)."""

    def __init__(self, db: str, log: Path) -> None:
        import os

        self.log = log
        command = [sys.executable, "-m", "slaengine", "judge", "--db", db]
        command += ["--log-level", "warning"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ}
            )

    def wait_started(self, timeout: float = 120.0) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slaengine judge exited: {self.log.read_text()[-2000:]}")
            if "slaengine judging store" in self.log.read_text(errors="replace"):
                return
            time.sleep(0.02)
        raise RuntimeError(f"slaengine judge not started after {timeout} s")

    def stop(self) -> str:
        """SIGTERM, as an operator stops it; its summary line."""
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""


def _judged(base: str, timeout: float = 600.0) -> float:
    """Seconds until /health shows no ticket waiting for the judge lane."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            if httpx.get(f"{base}/health", timeout=5.0).json().get("tickets_waiting") == 0:
                return time.perf_counter() - started
        time.sleep(0.02)
    return float("nan")


def _post_concurrently(base: str, events: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    shares = [events[n::clients] for n in range(clients)]
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def run(share: list[dict[str, Any]]) -> None:
        seen: list[int] = []
        with httpx.Client(base_url=base, timeout=60.0) as client:
            barrier.wait()
            for event in share:
                seen.append(client.post("/events", json=event).status_code)
        with lock:
            statuses.extend(seen)

    threads = [threading.Thread(target=run, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    client_cpu = time.process_time()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    return {
        "events": len(events),
        "clients": clients,
        "seconds": _rounded(seconds),
        "events_per_second": round(len(events) / seconds),
        "client_cpu_seconds": _rounded(client_cpu),
        "answers": {str(code): statuses.count(code) for code in sorted(set(statuses))},
        "note": "each answer comes after its event is committed (group commit)",
    }


# -- consume ----------------------------------------------------------------------------------


async def _publish(stream: str, subject: str, bodies: list[bytes]) -> None:
    import nats

    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        context = connection.jetstream()
        await context.add_stream(name=stream, subjects=[f"{subject}.>"])
        for first in range(0, len(bodies), 2000):
            pending = [
                await context.publish_async(f"{subject}.e", body)
                for body in bodies[first : first + 2000]
            ]
            await asyncio.gather(*pending)
    finally:
        await connection.close()


async def _delete(stream: str) -> None:
    import nats

    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


def consume_section(args: Any, work: Path, pg_schema: Callable[[str], Any]) -> dict[str, Any]:
    """``consume`` with its judge lane (the figures at the top level), then with ``--no-judge``
    (``intake_only``: what the store takes when the judging is done elsewhere)."""
    result = _consume_run(args, work, pg_schema, judge=True)
    if "skipped" not in result:
        result["intake_only"] = _consume_run(args, work, pg_schema, judge=False)
        result["split"] = _consume_run(args, work, pg_schema, judge=False, worker=True)
    return result


def _consume_run(
    args: Any, work: Path, pg_schema: Callable[[str], Any], judge: bool, worker: bool = False
) -> dict[str, Any]:
    """One ``consume --drain`` run; ``worker``: with ``slaengine judge`` running beside it (the
    split deployment), and the seconds until it judged everything."""
    from harness import say

    stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    subject = stream.lower()
    events = history(args.consume_events, seed=41, prefix="C")
    try:
        asyncio.run(_publish(stream, subject, [orjson.dumps(e) for e in events]))
    except Exception as exc:
        return {"skipped": f"NATS JetStream not reachable at {NATS_URL}: {exc!r}"}
    try:
        with pg_schema(args.pg_url) as url:
            tender = scale_tender(work, args.probe_target)
            store = Store.open(url, SystemClock())
            store.load_contract(tender.read_text(encoding="utf-8"), tender)
            lane = "with its judge lane" if judge else "--no-judge"
            lane += " + slaengine judge" if worker else ""
            say(f"consume from JetStream into PostgreSQL, {lane}: {len(events):,} events")
            command = [sys.executable, "-m", "slaengine", "consume", NATS_URL, "--db", url]
            command += ["--stream", stream, "--subject", f"{subject}.>", "--durable", "bench"]
            command += ["--drain", "--log-level", "warning", "--judge" if judge else "--no-judge"]
            judge_worker = JudgeWorker(url, work / "judge-consume.log") if worker else None
            split: dict[str, Any] = {}
            if judge_worker is not None:
                judge_worker.wait_started()
                judge_cpu = cpu_seconds(judge_worker.process.pid)
            watch = _CountWatch(store)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            watch.start(started)
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
            seconds = time.perf_counter() - started
            watch.stop()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if judge_worker is not None:
                ended = time.perf_counter()
                while time.perf_counter() - ended < 600:
                    with store.sessions() as session:
                        if store.waiting(session) == 0:
                            break
                    time.sleep(0.02)
                split = {
                    "judged_seconds_after_consume_exit": _rounded(time.perf_counter() - ended),
                    "judged_seconds_from_start": _rounded(time.perf_counter() - started),
                    "judge_cpu_seconds": _rounded(
                        cpu_seconds(judge_worker.process.pid) - judge_cpu
                    ),
                }
                split["judge_summary"] = judge_worker.stop()
            if done.returncode != 0:
                raise RuntimeError(f"consume failed: {done.stderr[-2000:]}")
            with store.sessions() as session:
                stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
            store.close()
    finally:
        asyncio.run(_delete(stream))
    first, last = watch.first_and_last(stored)
    return split | {
        "messages": len(events),
        "events_stored": stored,
        "seconds": _rounded(seconds),
        "messages_per_second": round(len(events) / seconds),
        "stored_seconds": _rounded(last),
        "stored_per_second": round(len(events) / last) if last else None,
        "stored_from_first_commit_per_second": round(len(events) / (last - first))
        if last > first
        else None,
        "cpu_seconds": _rounded(cpu),
        "messages_per_cpu_second": round(len(events) / cpu) if cpu else None,
        "summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
        "note": "cpu_seconds: the consume process's user+sys, start-up included; "
        "seconds: process start to exit with --drain (store 1,000 per transaction, ack; "
        "the judge lane judges meanwhile and, at the end, what is left); stored_seconds: process "
        "start to the last event committed (the events table counted every 20 ms); the stream "
        "holds 1 % duplicates (synthetic feed)",
    }


class _CountWatch:
    """Counts the stored events every 20 ms in a thread (when the last one was committed)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def start(self, started: float) -> None:
        self._started = started
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.store.sessions() as session:
                count = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
            self.samples.append((time.perf_counter() - self._started, count))
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def first_and_last(self, final: int) -> tuple[float, float]:
        """Seconds from the start to the first commit seen and to the final count."""
        first = next((t for t, count in self.samples if count > 0), 0.0)
        last = next((t for t, count in self.samples if count >= final), 0.0)
        return first, last


# -- the live service at scale ----------------------------------------------------------------


def _one_ticket_ms(store: Store, service: LiveService, pairs: list[tuple[str, str]]) -> float:
    """Median milliseconds to claim and evaluate one due ticket (its own transaction)."""
    times: list[float] = []
    for contract, ticket in pairs:
        with store.write() as session:
            session.execute(
                update(Ticket)
                .where(Ticket.contract == contract, Ticket.ticket == ticket)
                .values(dirty=True)
            )
        started = time.perf_counter()
        evaluate_chunk(store, service.raiser, service.clock.now(), [(contract, ticket)])
        times.append((time.perf_counter() - started) * 1000)
    return _rounded(statistics.median(times), 2)


def _due_pass_per_ticket(
    store: Store, service: LiveService, profile: bool = False
) -> dict[str, Any]:
    """Every ticket of the store made due at once, then one due pass (``run_due``): the
    milliseconds per ticket, wall clock and this process's CPU (the database's own work is in
    the wall clock only); with ``profile`` a second such pass under cProfile."""
    result = _due_pass_once(store, service)
    if profile:
        from harness import profile_json

        profiler = cProfile.Profile()
        profiler.enable()
        _due_pass_once(store, service)
        profiler.disable()
        result["profile"] = profile_json(profiler)
    return result


def _due_pass_once(store: Store, service: LiveService) -> dict[str, Any]:
    with store.write() as session:
        marked = session.execute(update(Ticket).values(dirty=True, next_due=service.clock.now()))
    tickets = int(getattr(marked, "rowcount", 0) or 0)
    cpu = time.process_time()
    started = time.perf_counter()
    report = service.run_due()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {
        "tickets": tickets,
        "judged": report.tickets,
        "wall_ms_per_ticket": _rounded(wall * 1000 / max(report.tickets, 1), 3),
        "cpu_ms_per_ticket": _rounded(cpu * 1000 / max(report.tickets, 1), 3),
        "note": "every ticket of the history due at once, one due pass: claimed 50 a "
        "transaction, events read, judged, changed rows written (PostgreSQL)",
    }


def _duties_ms(service: LiveService) -> dict[str, float]:
    """The duties pass: the first (reads the duty events in full) and a later one."""
    from slaengine.service import duties

    now = service.clock.now()
    started = time.perf_counter()
    duties.contract_duties(service.store, service.raiser, now, service.duty_events, True)
    first = time.perf_counter() - started
    started = time.perf_counter()
    duties.contract_duties(service.store, service.raiser, now, service.duty_events, False)
    later = time.perf_counter() - started
    started = time.perf_counter()
    duties.contract_duties(service.store, service.raiser, now, service.duty_events, True)
    judged = time.perf_counter() - started
    return {
        "first_pass_ms": _rounded(first * 1000, 1),
        "nothing_new_ms": _rounded(later * 1000, 1),
        "judged_again_ms": _rounded(judged * 1000, 1),
    }


def history_part(args: Any, work: Path, url: str) -> dict[str, Any]:
    from harness import Receiver, Server, say

    small, large = args.history_small, args.history_large
    tender = scale_tender(work, args.probe_target)
    store = Store.open(url, SystemClock())
    store.load_contract(tender.read_text(encoding="utf-8"), tender)
    service = LiveService(store, environ={})
    events = history(large, seed=51, prefix="Y")
    say(f"history: {small:,} events")
    store_events(store, events[:small])
    # A store with years of history has its statistics up to date (autovacuum analyses after a
    # bulk load when it chooses; `slaengine ingest` does at once): the steady state's figure.
    store.refresh_statistics()
    sample = sorted({("HT-2026-017", e["ticket"]) for e in events[: small // 2] if "ticket" in e})
    sample = sample[:: max(1, len(sample) // 30)][:30]
    at_small = _one_ticket_ms(store, service, sample)
    say(f"history {small:,} events: evaluating every ticket, then probes and a force majeure")
    service.run_due()  # the history judged (its alerts queued), as a running service has it
    due_pass = _due_pass_per_ticket(store, service, args.profile)
    receiver = Receiver()
    env = {"SLAENGINE_ALERT_WEBHOOK": receiver.url}
    server = Server(url, [tender], work / "serve-history.log", env)
    wide = _wide_probes(server, receiver, args.probe_target, small)
    say(f"history: {large:,} events")
    store_events(store, events[small:])
    store.refresh_statistics()
    at_large = _one_ticket_ms(store, service, sample)
    duty = _duties_ms(service)
    say(f"history {large:,} events: evaluating every ticket, then probes and a force majeure")
    service.run_due()  # as a running service would have judged them on arrival
    store.close()
    receiver = Receiver()
    env = {"SLAENGINE_ALERT_WEBHOOK": receiver.url}
    server = Server(url, [tender], work / "serve-history-large.log", env)
    wide_large = _wide_probes(server, receiver, args.probe_target, large)
    return {
        "one_due_ticket_ms": {
            f"{small}_events": at_small,
            f"{large}_events": at_large,
            "ratio": _rounded(at_large / at_small, 2),
            "note": "median over 30 tickets: claim the dirty row, read its events (and the "
            "contract's force majeure), evaluate, write (one transaction)",
        },
        f"due_pass_{small}_events": due_pass,
        f"duties_pass_{large}_events": duty,
        "force_majeure_among_probes": wide,
        "force_majeure_among_probes_large": wide_large,
    }


def _wide_probes(server: Any, receiver: Any, target: int, history_events: int) -> dict[str, Any]:
    """30 probes with an inspection and a force majeure posted among them, on a served store
    of ``history_events`` events of history (the server and receiver are stopped after)."""
    try:
        server.wait_ready()
        wide = _probes_with_wide_event(server, receiver, 30, target)
        wide["history_events"] = history_events
        return wide
    finally:
        server.stop()
        receiver.close()


def _probes_with_wide_event(server: Any, receiver: Any, probes: int, target: int) -> dict[str, Any]:
    sent: dict[str, float] = {}
    post_seconds: list[float] = []
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        for n in range(probes):
            now = datetime.now(UTC)
            ticket = f"FP-{n}-{int(now.timestamp() * 1000)}"
            client.post(
                "/events",
                json={
                    "id": f"{ticket}-r",
                    "contract": "HT-2026-017",
                    "ticket": ticket,
                    "type": "reported",
                    "at": now.isoformat(),
                    "severity": "urgent",
                },
            ).raise_for_status()
            sent[ticket] = now.timestamp()
            if n == probes // 2:
                for kind, attrs in (
                    ("inspection_done", {}),
                    ("force_majeure", {"until": (now - timedelta(seconds=30)).isoformat()}),
                ):
                    started = time.perf_counter()
                    client.post(
                        "/events",
                        json={
                            "id": f"W-{kind}-{ticket}",
                            "contract": "HT-2026-017",
                            "type": kind,
                            "at": (now - timedelta(seconds=60)).isoformat(),
                            "attrs": attrs,
                        },
                    ).raise_for_status()
                    post_seconds.append(time.perf_counter() - started)
            time.sleep(0.05)
    until = time.time() + target + 30
    while time.time() < until:
        if set(sent) <= {a.get("ticket") for _, a in receiver.breaches()}:
            break
        time.sleep(0.05)
    delivered = [
        arrived - datetime.fromisoformat(alert["deadline"]).timestamp()
        for arrived, alert in receiver.breaches()
        if alert.get("ticket") in sent
    ]
    return {
        "probes": probes,
        "alerts": len(delivered),
        "missing": probes - len(delivered),
        "delivered_p99_seconds": _rounded(_p(delivered, 0.99)) if delivered else None,
        "wide_event_post_seconds": [_rounded(s) for s in post_seconds],
        "note": "an inspection and a force majeure (a past interval) posted among the probes",
    }


def build_running(url: str, tickets: int, per_ticket: int) -> dict[str, Any]:
    """``tickets`` urgent-free general tickets with 4 running 30-day clocks each and
    ``per_ticket`` events each, written with COPY (what intake and evaluation would store)."""
    from slaengine.clocks import RUNNING

    store = Store.open(url, SystemClock())
    started = time.perf_counter()
    opened = datetime.now(UTC) - timedelta(minutes=5)
    deadline = opened + timedelta(days=30)
    commitments = ("answer", "dispatch", "onsite", "plan")
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(
            "COPY events (contract, event_id, ticket, type, at, body, fingerprint, source, "
            "received_at) FROM STDIN"
        ) as copy:
            for n in range(tickets):
                for k in range(per_ticket):
                    at = opened + timedelta(milliseconds=k)
                    body: dict[str, Any] = {
                        "id": f"F-{n}-{k}",
                        "contract": "BENCH-LIVE",
                        "ticket": f"F-{n}",
                        "type": "reported" if k == 0 else "note",
                        "at": at.isoformat(),
                    }
                    if k == 0:
                        body["severity"] = "general"
                    text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()
                    copy.write_row(
                        (
                            "BENCH-LIVE",
                            body["id"],
                            body["ticket"],
                            body["type"],
                            at,
                            text,
                            body["id"],
                            "bench-copy",
                            opened,
                        )
                    )
        with cursor.copy(
            "COPY tickets (contract, ticket, dirty, next_due, evaluated_at) FROM STDIN"
        ) as copy:
            for n in range(tickets):
                copy.write_row(("BENCH-LIVE", f"F-{n}", False, deadline, opened))
        with cursor.copy(
            "COPY clocks (contract, ticket, commitment, cycle, status, severity, started_at, "
            "deadline, late_by_seconds, next_due, updated_at) FROM STDIN"
        ) as copy:
            for n in range(tickets):
                for commitment in commitments:
                    copy.write_row(
                        (
                            "BENCH-LIVE",
                            f"F-{n}",
                            commitment,
                            0,
                            RUNNING,
                            "general",
                            opened,
                            deadline,
                            0,
                            deadline,
                            opened,
                        )
                    )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        store.close()
    return {
        "tickets": tickets,
        "running_clocks": tickets * len(commitments),
        "events": tickets * per_ticket,
        "copy_seconds": _rounded(time.perf_counter() - started, 1),
    }


def running_part(args: Any, work: Path, url: str) -> dict[str, Any]:
    from harness import Receiver, Server, alert_latency, live_contract, say

    contract = work / "bench-live-scale.yaml"
    contract.write_text(live_contract(args.probe_target), encoding="utf-8")
    store = Store.open(url, SystemClock())
    store.load_contract(contract.read_text(encoding="utf-8"), contract)
    store.close()
    tickets = -(-args.scale_clocks // 4)
    say(f"COPY {tickets * 4:,} running clocks, {args.scale_events_per_ticket} events per ticket")
    built = build_running(url, tickets, args.scale_events_per_ticket)
    receiver = Receiver()
    env = {"SLAENGINE_ALERT_WEBHOOK": receiver.url}
    result: dict[str, Any] = {"store": built}
    try:
        server = Server(url, [contract], work / "serve-scale.log", env)
        try:
            result["start_to_ready_seconds"] = _rounded(_wait_ready(server))
            say(f"deadline-to-alert at {built['running_clocks']:,} running clocks")
            latency = alert_latency(
                server, receiver, args.probes, args.probe_spacing, args.probe_target
            )
            latency["running_clocks"] = built["running_clocks"]
            result["deadline_to_alert"] = latency
        finally:
            server.stop()
        again = Server(url, [contract], work / "serve-scale-restart.log", env)
        try:
            result["restart_to_ready_seconds"] = _rounded(_wait_ready(again))
            say("deadline-to-alert while a new contract version is re-judged")
            result["during_rejudge"] = _during_rejudge(again, receiver, url, work, args)
        finally:
            again.stop()
        result["note"] = "ready: GET /health says ready (the first due pass is done)"
        say("duties pass over the large store")
        store = Store.open(url, SystemClock())
        result["duties_pass"] = _duties_ms(LiveService(store, environ={}))
        store.close()
    finally:
        receiver.close()
    return result


def _waiting(server: Any) -> int:
    return int(httpx.get(f"{server.url}/health", timeout=10.0).json()["tickets_waiting"])


def _during_rejudge(server: Any, receiver: Any, url: str, work: Path, args: Any) -> dict[str, Any]:
    """A new version of the contract (another name for a commitment: what a new duty roster
    is) marks every open ticket for the background re-judge; probes run meanwhile. The re-judge
    rate is read from /health's ``tickets_waiting``."""
    from harness import alert_latency, live_contract

    amended = work / "bench-live-scale-v2.yaml"
    text = live_contract(args.probe_target).replace(
        "id: answer, use: answer-the-call", "id: answer, use: answer-the-call, name: {en: Answer}"
    )
    amended.write_text(text, encoding="utf-8")
    store = Store.open(url, SystemClock())
    started = time.perf_counter()
    store.load_contract(text, amended)
    marked = time.perf_counter() - started
    store.close()
    time.sleep(0.5)  # the service's look (0.25 s) sees the marked tickets
    before, when = _waiting(server), time.perf_counter()
    latency = alert_latency(server, receiver, args.probes, args.probe_spacing, args.probe_target)
    after, then = _waiting(server), time.perf_counter()
    latency.update(
        {
            "tickets_marked_load_seconds": _rounded(marked),
            "tickets_waiting_before": before,
            "tickets_waiting_after": after,
            "rejudged_per_second": round((before - after) / (then - when)),
            "note": "deadline-to-alert probes while the service re-judges every open ticket "
            "under a new contract version in the background",
        }
    )
    return latency


def _wait_ready(server: Any, timeout: float = 600.0) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"slaengine serve exited: {server.tail()}")
        with contextlib.suppress(httpx.HTTPError, ValueError):
            answer = httpx.get(f"{server.url}/health", timeout=2.0)
            if answer.status_code == 200 and answer.json().get("ready"):
                return float(time.perf_counter() - server.started)
        time.sleep(0.05)
    raise RuntimeError(f"not ready after {timeout} s: {server.tail()}")


def live_scale(args: Any, work: Path, pg_schema: Callable[[str], Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with pg_schema(args.pg_url) as url:
        result["history"] = history_part(args, work, url)
    with pg_schema(args.pg_url) as url:
        result["running"] = running_part(args, work, url)
    return result
