"""What the benchmark sections share: where the repository and its tender are, progress on
standard error, percentiles, and the live service and a webhook receiver as real processes on
loopback.

``run.py`` and its section modules (``scale.py``, ``idle.py``, ``ingest.py``) import these from
here, so no section imports ``run.py`` back.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]


TENDER = REPO / "contracts" / "example-tender.yaml"


#: The command line of this virtualenv (beside the interpreter running the benchmarks).
SLAENGINE = str(Path(sys.executable).with_name("slaengine"))


DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.5 = median, 0.99 = p99)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)


def rss_bytes(pid: int | None = None) -> int | None:
    """Resident memory of a process (this one by default), from /proc."""
    path = Path(f"/proc/{pid or os.getpid()}/status")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in path.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def profile_json(profiler: cProfile.Profile, top: int = 15) -> dict[str, Any]:
    """A cProfile run as JSON: the functions with the most own time (and the cumulative view on
    standard error)."""
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(30)
    say("profile (cumulative):\n" + buffer.getvalue())
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    rows = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {
        "note": "seconds under cProfile (slower than unprofiled); own time per function",
        "total_own_seconds": rounded(total),
        "top_own_time": [
            {
                "function": f"{Path(file).name}:{line}({name})",
                "calls": entry[1],
                "own_seconds": rounded(entry[2]),
                "share": rounded(entry[2] / total, 3) if total else None,
            }
            for (file, line, name), entry in rows
        ],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Receiver:
    """A webhook receiver: records when each alert arrived (the alert's end of the journey)."""

    def __init__(self) -> None:
        self.alerts: list[tuple[float, dict[str, Any]]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.end_headers()
                with contextlib.suppress(ValueError), receiver.lock:
                    receiver.alerts.append((arrived, json.loads(body)))

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def breaches(self) -> list[tuple[float, dict[str, Any]]]:
        with self.lock:
            return [(t, a) for t, a in self.alerts if a.get("kind") == "breach"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Server:
    """``slaengine serve`` in a subprocess."""

    def __init__(
        self,
        db: str,
        contracts: Sequence[Path],
        log: Path,
        env: dict[str, str] | None = None,
        extra: Sequence[str] = (),
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "slaengine", "serve", "--db", db, "--port"]
        command += [str(self.port), "--log-level", "warning", *extra]
        for contract in contracts:
            command += ["--contract", str(contract)]
        environment = {**os.environ, **(env or {})}
        environment.pop("SLAENGINE_API_TOKEN", None)
        self.started = time.perf_counter()
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=environment
            )

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Seconds from the process start until ``/health`` answers."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slaengine serve exited: {self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return time.perf_counter() - self.started
            time.sleep(0.02)
        raise RuntimeError(f"slaengine serve not ready after {timeout} s: {self.tail()}")

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> float:
        """Stop it as an operator would (SIGTERM); seconds until it exited."""
        started = time.perf_counter()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.perf_counter() - started


def live_contract(probe_target_seconds: int) -> str:
    """The live benchmark's contract: four 30-day clocks per general ticket (they keep running
    while measured) and one short clock for urgent probe tickets."""
    return f"""\
id: BENCH-LIVE
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities:
  general: {{en: General fault}}
  urgent: {{en: Urgent fault}}
calendars:
  always: {{kind: 24x7}}
rules: [after-sales]
commitments:
  - {{id: answer, use: answer-the-call, target: 30d, calendar: always,
      applies_to: {{severity: general}}}}
  - {{id: dispatch, use: dispatch-engineer, target: 30d, calendar: always,
      applies_to: {{severity: general}}}}
  - {{id: onsite, use: be-on-site, target: 30d, calendar: always,
      applies_to: {{severity: general}}}}
  - {{id: plan, use: present-a-plan, target: 30d, calendar: always,
      applies_to: {{severity: general}}}}
  - {{id: urgent-answer, use: answer-the-call, target: {probe_target_seconds}s, calendar: always,
      applies_to: {{severity: urgent}}, clauses: [P-urgent]}}
clauses:
  - {{id: P-urgent, kind: fixed, amount: "100.00"}}
"""


def tender_without_contacts(work: Path) -> Path:
    """The example tender for ingestion, without its contacts (no e-mail to invented hosts)."""
    data = yaml.safe_load(TENDER.read_text(encoding="utf-8"))
    data.pop("contacts", None)
    path = work / "tender-no-contacts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextlib.contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new schema of its own, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def alert_latency(
    server: Server, receiver: Receiver, probes: int, spacing: float, target: int
) -> dict[str, Any]:
    """Urgent probe tickets whose clock runs out ``target`` s after they are posted: how long
    after each deadline its breach alert reaches the webhook."""
    sent: dict[str, float] = {}
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        for n in range(probes):
            now = datetime.now(UTC)
            ticket = f"P-{n}-{int(now.timestamp() * 1000)}"
            response = client.post(
                "/events",
                json={
                    "id": f"{ticket}-reported",
                    "contract": "BENCH-LIVE",
                    "ticket": ticket,
                    "type": "reported",
                    "at": now.isoformat(),
                    "severity": "urgent",
                },
            )
            response.raise_for_status()
            sent[ticket] = now.timestamp() + target
            time.sleep(spacing)
    wait_until = time.time() + target + 15
    while time.time() < wait_until:
        got = {a.get("ticket") for _, a in receiver.breaches()}
        if set(sent) <= got:
            break
        time.sleep(0.05)
    delivered: list[float] = []
    detected: list[float] = []
    for arrived, alert in receiver.breaches():
        if alert.get("ticket") not in sent:
            continue
        deadline = datetime.fromisoformat(alert["deadline"]).timestamp()
        delivered.append(arrived - deadline)
        detected.append(datetime.fromisoformat(alert["at"]).timestamp() - deadline)
    if not delivered:
        raise RuntimeError(f"no breach alert arrived for {probes} probes: {server.tail()}")
    return {
        "probes": probes,
        "alerts": len(delivered),
        "missing": probes - len(delivered),
        "target_seconds": target,
        "delivered_p50_seconds": rounded(percentile(delivered, 0.5)),
        "delivered_p99_seconds": rounded(percentile(delivered, 0.99)),
        "delivered_max_seconds": rounded(max(delivered)),
        "detected_p50_seconds": rounded(percentile(detected, 0.5)),
        "detected_p99_seconds": rounded(percentile(detected, 0.99)),
        "note": "delivered: webhook receipt - deadline; detected: the alert's 'at' - deadline",
    }


def timed_get(client: httpx.Client, path: str, repeat: int) -> dict[str, Any]:
    seconds = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        size = len(answer.content)
    return {
        "requests": repeat,
        "p50_seconds": rounded(percentile(seconds, 0.5)),
        "p95_seconds": rounded(percentile(seconds, 0.95)),
        "max_seconds": rounded(max(seconds)),
        "bytes": size,
    }
