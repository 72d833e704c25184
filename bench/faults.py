"""The ``faults`` section of bench/run.py: the one-second promise under the faults of issue 9.

For each fault, ``slaengine serve`` runs as a subprocess (SQLite; PostgreSQL for the store
outage) and probe tickets are posted whose 2-second clock then runs out with no event. A webhook
receiver on 127.0.0.1 (``SLAENGINE_ALERT_WEBHOOK``) records when each breach alert arrives and
its ``Idempotency-Key``. Per fault: the worst and median deadline -> alert lateness (from the
later of the deadline and the probe's acceptance: under load the probe's own POST queues, and
``probe_post_seconds_max`` says how long), alerts lost
(a probe with no breach alert within 20 s) and repeated (a key received twice).

* ``none``: no fault (the baseline);
* ``hung_smtp``: the contact's e-mail goes to a relay that accepts TCP and never answers;
* ``failing_webhook``: the contact's own webhook answers 503 to its first 6 requests
  (it is parked, then drained once it answers);
* ``poison``: between the probes, requests the store cannot hold (year 1, 2^64, NUL, NaN,
  301-character tickets) one by one and in batches;
* ``load``: four clients post batches of 100 events as fast as they can meanwhile;
* ``store_outage`` (PostgreSQL): the database refuses connections for 3 s while deadlines
  pass; lateness is then counted from when the store was back, for the deadlines it hid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TARGET = 2  # seconds of the probes' clock


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Hook:
    """A webhook receiver; answers 503 to the first ``fail_first`` requests of ``failing``."""

    def __init__(self, fail_first: int = 0) -> None:
        self.arrivals: list[tuple[float, str, str | None, dict[str, Any]]] = []
        self.failures_left = fail_first
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 200
                with hook.lock:
                    if self.path == "/failing" and hook.failures_left > 0:
                        hook.failures_left -= 1
                        status = 503
                    elif status == 200:
                        with contextlib.suppress(ValueError):
                            key = self.headers.get("Idempotency-Key")
                            hook.arrivals.append((arrived, self.path, key, json.loads(body)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def hung_relay() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not done.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        for connection in held:
            connection.close()
        listener.close()


def contract_text(hook: str) -> str:
    return f"""\
id: BENCH-FAULTS
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities:
  urgent: {{en: Urgent fault}}
calendars:
  always: {{kind: 24x7}}
commitments:
  - {{id: answer, name: {{en: Answer}}, start: reported, stop: [acknowledged], target: {TARGET}s,
      calendar: always, warn_at: 0.99}}
contacts:
  - id: duty
    lang: en
    channels: [{{kind: webhook, url: '{hook}/failing'}}, {{kind: email, to: [duty@example.test]}}]
"""


class Serve:
    def __init__(self, db: str, contract: Path, log: Path, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{_port()}"
        command = [sys.executable, "-m", "slaengine", "serve", "--db", db, "--contract"]
        command += [str(contract), "--port", self.url.rsplit(":", 1)[1], "--log-level", "warning"]
        environment = {**os.environ, **env}
        environment.pop("SLAENGINE_API_TOKEN", None)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=environment
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        raise RuntimeError("serve did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _event(ticket: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{ticket}-r",
        "contract": "BENCH-FAULTS",
        "ticket": ticket,
        "type": "reported",
        "at": at.isoformat(),
        "severity": "urgent",
        **extra,
    }


POISON: list[dict[str, Any]] = [
    {"at": "0001-01-01T00:00:00+08:00"},
    {"attrs": {"n": 2**64}},
    {"ticket": "T\x00"},
    {"attrs": {"x": float("nan")}},
    {"ticket": "T" * 301},
]


def run_fault(
    name: str,
    db: str,
    work: Path,
    probes: int,
    env: dict[str, str],
    hook: Hook,
    during: Callable[[Serve, int], None] | None = None,
    background: Callable[[Serve, threading.Event], None] | None = None,
    outage: Callable[[], float] | None = None,
) -> dict[str, Any]:
    contract = work / f"{name}.yaml"
    contract.write_text(contract_text(hook.url), encoding="utf-8")
    env = {"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all", **env}
    server = Serve(db, contract, work / f"{name}.log", env)
    stop = threading.Event()
    workers = []
    if background is not None:
        workers = [
            threading.Thread(target=background, args=(server, stop), daemon=True) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
    deadlines: dict[str, float] = {}
    #: Seconds each probe's POST took to be answered (stored): under load it queues.
    answered: dict[str, float] = {}
    back_at = 0.0
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for number in range(probes):
                now = datetime.now(UTC)
                ticket = f"{name}-{number}-{uuid.uuid4().hex[:6]}"
                client.post("/events", json=_event(ticket, now)).raise_for_status()
                answered[ticket] = time.time() - now.timestamp()
                deadlines[ticket] = now.timestamp() + TARGET
                if during is not None:
                    during(server, number)
                time.sleep(0.15)
            if outage is not None:
                back_at = outage()
        end = time.time() + TARGET + 40
        while time.time() < end:
            seen = {(path, a["ticket"]) for _, path, _, a in hook.arrivals if a["kind"] == "breach"}
            if all(("/all", t) in seen and ("/failing", t) in seen for t in deadlines):
                break
            time.sleep(0.1)
        time.sleep(0.5)  # a repeat, if any, would arrive now
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
        server.stop()
    late: list[float] = []
    keys: Counter[tuple[str, str | None]] = Counter()
    for arrived, path, key, alert in hook.arrivals:
        if alert.get("kind") != "breach" or alert.get("ticket") not in deadlines:
            continue
        keys[(path, key)] += 1
        if path == "/all":
            # An alert cannot precede the event's storing: count from the later of the
            # deadline, the event's acceptance and the store's return.
            deadline = deadlines[alert["ticket"]]
            accepted = deadline - TARGET + answered[alert["ticket"]]
            late.append(arrived - max(deadline, accepted, back_at))
    got = {a["ticket"] for _, p, _, a in hook.arrivals if p == "/all" and a["kind"] == "breach"}
    late.sort()
    return {
        "probes": probes,
        "worst_lateness_seconds": round(max(late), 3) if late else None,
        "median_lateness_seconds": round(late[len(late) // 2], 3) if late else None,
        "probe_post_seconds_max": round(max(answered.values()), 3),
        "lost": len(set(deadlines) - got),
        "repeated": sum(n - 1 for n in keys.values() if n > 1),
        # The contact's own webhook (the one that fails first in ``failing_webhook``): its
        # breach alerts delivered in the end, of ``probes``.
        "contact_webhook_breach_alerts": sum(1 for (p, _) in keys if p == "/failing"),
    }


def _poison(server: Serve, number: int) -> None:
    now = datetime.now(UTC)
    for index, change in enumerate(POISON):
        body = json.dumps({**_event(f"poison-{number}-{index}", now), **change})
        httpx.post(f"{server.url}/events", content=body, timeout=30)
    batch = [{**_event(f"pb-{number}-{i}", now), **c} for i, c in enumerate(POISON)]
    httpx.post(f"{server.url}/events/batch", content=json.dumps(batch), timeout=30)


def _load(server: Serve, stop: threading.Event) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        while not stop.is_set():
            now = datetime.now(UTC)
            tag = uuid.uuid4().hex[:8]
            batch = []
            for i in range(100):
                event = _event(f"load-{tag}-{i}", now)
                event["type"] = "acknowledged" if i % 2 else "reported"
                event["id"] = f"load-{tag}-{i}"
                event["ticket"] = f"load-{tag}-{i // 2}"
                batch.append(event)
            with contextlib.suppress(httpx.HTTPError):
                client.post("/events/batch", json=batch)


def faults(probes: int, pg_url: str | None, work: Path) -> dict[str, Any]:
    """Every fault in turn (the store outage only with ``pg_url``)."""
    result: dict[str, Any] = {}
    sqlite = lambda name: f"sqlite:///{work / (name + '.db')}"  # noqa: E731

    def plain(name: str, **kw: Any) -> None:
        _say(f"faults: {name}")
        hook = Hook(fail_first=kw.pop("fail_first", 0))
        try:
            result[name] = run_fault(name, sqlite(name), work, probes, hook=hook, **kw)
        finally:
            hook.close()

    plain("none", env={})
    with hung_relay() as port:
        smtp = {"SLAENGINE_SMTP_HOST": "127.0.0.1", "SLAENGINE_SMTP_PORT": str(port)}
        plain("hung_smtp", env={**smtp, "SLAENGINE_SMTP_TIMEOUT": "10"})
    plain("failing_webhook", env={}, fail_first=6)
    plain("poison", env={}, during=_poison)
    plain("load", env={}, background=_load)
    if pg_url:
        result["store_outage"] = _store_outage(pg_url, probes, work)
    return result


def _store_outage(pg_url: str, probes: int, work: Path) -> dict[str, Any]:
    _say("faults: store_outage (PostgreSQL)")
    base = make_url(pg_url)
    name = f"slaengine_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def allow(on: bool) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(on).lower()}'))
            if not on:
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=:n"),
                    {"n": name},
                )

    def outage() -> float:
        allow(False)
        time.sleep(3)
        allow(True)
        return time.time()

    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    hook = Hook()
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        return run_fault("store_outage", url, work, probes, {}, hook, outage=outage)
    finally:
        hook.close()
        allow(True)
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=:n"),
                {"n": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
