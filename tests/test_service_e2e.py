"""The real ``slaengine serve`` in real time: breaches with no event, kill -9, two workers.

Each test runs the service as a subprocess against a real store (SQLite file or PostgreSQL), a
real SMTP server (aiosmtpd) and a real HTTP receiver on 127.0.0.1, with a contract whose clocks
run for seconds. No event ever stops the clocks: the scheduler alone must notice the deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REALTIME
from tests.live_support import event, fast_contract
from tests.receivers import HttpReceiver, ReceivedRequest, free_port, http_receiver, smtp_server

pytestmark = [pytest.mark.slow, REALTIME]

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))
TOKEN = "e2e-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Server:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def post(self, data: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/events", json=data, headers=AUTH, timeout=10)


def start(
    db: str,
    contract: Path,
    tmp: Path,
    env: dict[str, str],
    name: str,
    sweep: str = "1",
    extra: tuple[str, ...] = (),
) -> Server:
    """``slaengine serve`` as a subprocess (not yet answering)."""
    port = free_port()
    log = tmp / f"{name}-{port}.log"
    command = [SLAENGINE, "serve", "--db", db, "--contract", str(contract), "--port", str(port)]
    command += ["--token", TOKEN, "--sweep", sweep, *extra]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
    return Server(process, f"http://127.0.0.1:{port}", log)


def wait_ready(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{server.log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"serve did not answer in {timeout} s:\n{server.log.read_text()}")
        time.sleep(0.05)


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def serve(
    db: str, contract: Path, tmp: Path, env: dict[str, str], name: str = "serve"
) -> Iterator[Server]:
    """``slaengine serve`` as a subprocess, once its /health answers; stopped afterwards."""
    server = start(db, contract, tmp, env, name)
    try:
        wait_ready(server)
        yield server
    finally:
        stop(server)


def wait_until(
    hook: HttpReceiver, matches: Callable[[ReceivedRequest], bool], count: int, timeout: float
) -> list[ReceivedRequest]:
    """The received requests that match, once there are ``count`` of them."""
    end = time.monotonic() + timeout
    while True:
        found = [r for r in hook.requests if matches(r)]
        if len(found) >= count:
            return found
        left = end - time.monotonic()
        if left <= 0:
            seen = [(r.path, r.json().get("kind"), r.json().get("ticket")) for r in hook.requests]
            raise AssertionError(f"expected {count} matching requests in {timeout}s; got {seen}")
        with suppress(AssertionError):
            hook.wait_for(len(hook.requests) + 1, min(left, 0.5))


def alert(kind: str, ticket: str, path: str = "/all") -> Callable[[ReceivedRequest], bool]:
    def matches(request: ReceivedRequest) -> bool:
        body = request.json()
        return request.path == path and body["kind"] == kind and body["ticket"] == ticket

    return matches


def no_duplicates(hook: HttpReceiver) -> Counter[tuple[str, str]]:
    counts = Counter((r.path, r.json()["details"]["alert_key"]) for r in hook.requests)
    repeated = {key: n for key, n in counts.items() if n > 1}
    assert repeated == {}, f"alerts sent more than once: {repeated}"
    return counts


def store_url(kind: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'live.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_deadline_with_no_event_alerts_within_a_second(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = store_url(kind, tmp_path, request)
    with http_receiver() as hook, smtp_server() as smtp:
        contract = tmp_path / "fast.yaml"
        text = fast_contract(hook.url, mail_to="duty@example.test", onsite_target="60s")
        contract.write_text(text, encoding="utf-8")
        env = {
            "SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all",
            "SLAENGINE_SMTP_HOST": smtp.host,
            "SLAENGINE_SMTP_PORT": str(smtp.port),
        }
        with serve(db, contract, tmp_path, env) as server:
            reported_at = datetime.now(UTC)
            answer = server.post(event("reported", "T1", reported_at))
            assert answer.status_code == 201, answer.text
            deadline = reported_at + timedelta(seconds=3)
            # when each alert reached the receiver (its thread notes the time on arrival), not
            # when this test, sharing a loaded machine, got round to looking
            warning = wait_until(hook, alert("warning", "T1"), 1, 10)[0]
            warned_at = warning.at
            breach = wait_until(hook, alert("breach", "T1"), 1, 10)[0]
            latency = breach.at - deadline.timestamp()
            body = breach.json()
            raised = datetime.fromisoformat(body["at"])
            mails = smtp.wait_for(2, 5)  # the warning and the breach, to duty
            mail_latency = time.time() - deadline.timestamp()
            print(
                f"\n[{kind}] warning {deadline.timestamp() - warned_at:.3f}s before the deadline; "
                f"breach raised {(raised - deadline).total_seconds():.3f}s after it, webhook "
                f"received {latency:.3f}s after it; both mails by {mail_latency:.3f}s"
            )
            assert warned_at < deadline.timestamp()
            assert 0 < (raised - deadline).total_seconds() < 1.0
            assert latency < 1.0
            assert body["commitment"] == "ack" and body["late_by_seconds"] >= 0
            assert datetime.fromisoformat(body["deadline"]) == deadline
            assert warning.json()["kind"] == "warning"
            subjects = [str(m.message["Subject"]) for m in mails]
            assert any("SLA违约" in s and "SLA breach" in s for s in subjects), subjects
            assert {tuple(m.rcpt_tos) for m in mails} == {("duty@example.test",)}
            wait_until(hook, alert("breach", "T1", "/manager"), 1, 5)
            status = httpx.get(
                f"{server.url}/breaches", params={"status": "open"}, headers=AUTH
            ).json()
            assert [(b["ticket"], b["commitment"]) for b in status] == [("T1", "ack")]
        no_duplicates(hook)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_loses_nothing_and_repeats_nothing(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = store_url(kind, tmp_path, request)
    with http_receiver() as hook:
        contract = tmp_path / "fast.yaml"
        # The warning at half the 3 s target: the crash must come between it and the deadline,
        # which leaves 1.5 s for the warning's delivery and T2's post on a loaded machine.
        text = fast_contract(hook.url, onsite_target="60s", ack_warn_at=0.5)
        contract.write_text(text, encoding="utf-8")
        env = {"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"}
        with serve(db, contract, tmp_path, env, "first") as first:
            t1 = datetime.now(UTC)
            assert first.post(event("reported", "T1", t1)).status_code == 201
            wait_until(hook, alert("warning", "T1"), 1, 10)  # sent before the crash
            t2 = datetime.now(UTC)
            # Accepted (201) and then the process dies at once: T2 must not be lost.
            assert first.post(event("reported", "T2", t2)).status_code == 201
            first.process.send_signal(signal.SIGKILL)
            first.process.wait()
        # Both deadlines pass while nothing runs.
        time.sleep(max(0.0, (t2 + timedelta(seconds=3.5)).timestamp() - time.time()))
        assert [r for r in hook.requests if r.json()["kind"] == "breach"] == []
        with serve(db, contract, tmp_path, env, "second"):
            wait_until(hook, alert("breach", "T1"), 1, 10)
            wait_until(hook, alert("breach", "T2"), 1, 10)
            time.sleep(1.5)  # room for any repeat to show up
        counts = no_duplicates(hook)
        warnings = [key for (path, key) in counts if path == "/all" and "warning" in key]
        # T1's warning was sent before the crash and not again; T2's deadline passed while the
        # service was down, so it gets the breach, not a warning that is too late to act on.
        assert warnings == ["clock/FAST-1/T1/ack/1/warning"]


@pytest.mark.postgres
def test_two_workers_on_one_database_fire_each_breach_once(tmp_path: Path, pg_url: str) -> None:
    with http_receiver() as hook:
        contract = tmp_path / "fast.yaml"
        contract.write_text(fast_contract(hook.url, onsite_target="60s"), encoding="utf-8")
        env = {"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"}
        # Both start at once on an empty database: one migrates and stores the contract, the
        # other waits for the migration lock and finds the contract already there.
        a = start(pg_url, contract, tmp_path, env, "a")
        b = start(pg_url, contract, tmp_path, env, "b")
        try:
            wait_ready(a)
            wait_ready(b)
            tickets = [f"T{i}" for i in range(12)]
            for i, ticket in enumerate(tickets):
                first, second = (a, b) if i % 2 else (b, a)
                reported = event("reported", ticket, datetime.now(UTC))
                answer = first.post(reported)
                assert answer.status_code == 201, answer.text
                # The same event through the other worker: stored once, answered as such.
                again = second.post(reported)
                assert (again.status_code, again.json()["status"]) == (200, "duplicate")
            for ticket in tickets:
                wait_until(hook, alert("breach", ticket), 1, 15)
                wait_until(hook, alert("breach", ticket, "/duty"), 1, 5)
                wait_until(hook, alert("breach", ticket, "/manager"), 1, 5)
            # Escalations to the manager come 2 s after each breach alert.
            for ticket in tickets:
                wait_until(hook, alert("escalation", ticket, "/manager"), 1, 10)
            time.sleep(1.5)
        finally:
            stop(a)
            stop(b)
        counts = no_duplicates(hook)
        breach_keys = [key for (path, key) in counts if path == "/all" and key.endswith("/breach")]
        assert len(breach_keys) == len(tickets)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_post_is_answered_at_its_commit_and_the_breach_it_makes_alerts_from_the_judge_lane(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The event arrives after its deadline: the POST is answered once the event is durable
    (no alert count: judging is the due pass's), and the due pass, woken by the commit, raises
    the breach within the second — with no sweep to help (--sweep 1 h)."""
    from sqlalchemy import create_engine, text

    db = store_url(kind, tmp_path, request)
    with http_receiver() as hook:
        contract = tmp_path / "fast.yaml"
        contract.write_text(fast_contract(hook.url, onsite_target="600s"), encoding="utf-8")
        env = {"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"}
        server = start(db, contract, tmp_path, env, "judge-lane", sweep="3600")
        try:
            wait_ready(server)
            reported_at = datetime.now(UTC) - timedelta(seconds=10)  # 3 s target: late already
            posted = time.time()  # the breach's arrival at the receiver is timed from here
            answer = server.post(event("reported", "LATE-1", reported_at, event_id="R-LATE-1"))
            assert answer.status_code == 201, answer.text
            assert set(answer.json()) == {"status", "id", "seq"}, answer.json()
            engine = create_engine(db if "://" in db else f"sqlite:///{db}")
            with engine.connect() as connection:  # durable when answered
                stored = connection.execute(
                    text("SELECT count(*) FROM events WHERE event_id = 'R-LATE-1'")
                ).scalar()
            engine.dispose()
            assert stored == 1
            breach = wait_until(hook, alert("breach", "LATE-1"), 1, 10)[0]
            waited = breach.at - posted
            print(f"\n[{kind}] breach alert {waited:.3f}s after the POST")
            assert waited < 1.0
            assert breach.json()["commitment"] == "ack"
            batch = httpx.post(
                f"{server.url}/events/batch",
                json=[event("reported", "LATE-2", reported_at, event_id="R-LATE-2")],
                headers=AUTH,
                timeout=10,
            )
            assert batch.status_code == 200, batch.text
            assert batch.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
            wait_until(hook, alert("breach", "LATE-2"), 1, 5)
        finally:
            stop(server)
        no_duplicates(hook)
