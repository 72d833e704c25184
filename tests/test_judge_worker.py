"""The judge lane in a process of its own: ``slaengine serve --no-judge`` beside ``slaengine
judge``, as a user deploys them — real subprocesses, a real store (SQLite file or PostgreSQL) and
a real HTTP receiver on 127.0.0.1.

The POST is taken in by the serve process, which judges nothing; the judge worker, woken across
processes (PostgreSQL: the intake transaction's NOTIFY; SQLite: the scheduler's look at the store)
raises the breach and delivers it, within the second, with no sweep to help (--sweep 1 h). Before
a judge worker runs, /health shows the ticket waiting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REALTIME
from tests.live_support import event, fast_contract
from tests.receivers import http_receiver
from tests.test_service_e2e import (
    AUTH,
    SLAENGINE,
    alert,
    no_duplicates,
    start,
    stop,
    store_url,
    wait_ready,
    wait_until,
)

pytestmark = [pytest.mark.slow, REALTIME]


@contextmanager
def judge_worker(db: str, tmp: Path, env: dict[str, str], name: str) -> Iterator[Path]:
    """``slaengine judge`` as a subprocess, once it says it is judging; stopped (SIGTERM)
    afterwards, when it must exit 0."""
    log = tmp / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [SLAENGINE, "judge", "--db", db, "--sweep", "3600"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    try:
        deadline = time.monotonic() + 30
        while "slaengine judging store" not in log.read_text():
            if process.poll() is not None:
                raise AssertionError(f"judge exited early:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"judge did not start in 30 s:\n{log.read_text()}")
            time.sleep(0.05)
        yield log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert process.returncode == 0, log.read_text()


def health(url: str) -> dict[str, Any]:
    answer = httpx.get(f"{url}/health", headers=AUTH, timeout=5)  # details: signed in only
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def wait_waiting(url: str, count: int, timeout: float = 10) -> None:
    """Wait until /health shows ``count`` tickets waiting to be judged."""
    end = time.monotonic() + timeout
    while (state := health(url))["tickets_waiting"] != count:
        assert time.monotonic() < end, f"tickets still waiting after {timeout} s: {state}"
        time.sleep(0.05)


def breaches(db: str, ticket: str) -> int:
    """Breach rows of ``ticket`` in the store."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM breaches WHERE ticket = :ticket"), {"ticket": ticket}
            ).scalar()
    finally:
        engine.dispose()
    return int(found or 0)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_serve_no_judge_takes_the_post_and_the_judge_worker_alerts_its_breach_within_a_second(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = store_url(kind, tmp_path, request)
    with http_receiver() as hook:
        contract = tmp_path / "fast.yaml"
        contract.write_text(fast_contract(hook.url, onsite_target="600s"), encoding="utf-8")
        env = {"SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"}
        server = start(db, contract, tmp_path, env, "front", sweep="3600", extra=("--no-judge",))
        try:
            wait_ready(server)
            reported_at = datetime.now(UTC) - timedelta(seconds=10)  # 3 s target: late already
            # No judge worker yet: the serve process stores the event and judges nothing.
            first = server.post(event("reported", "WAIT-1", reported_at, event_id="R-WAIT-1"))
            assert first.status_code == 201, first.text
            state = health(server.url)
            assert state["judge"] == "elsewhere" and state["ready"] is True, state
            assert state["tickets_waiting"] == 1, state
            time.sleep(0.5)  # nothing in this process may judge it meanwhile
            assert health(server.url)["tickets_waiting"] == 1
            assert hook.requests == []

            with judge_worker(db, tmp_path, env, "judge") as log:
                # The ticket that waited is judged by the worker's first pass: its breach is
                # recorded (not alerted: it ended before any process judged this fresh store,
                # which is history — see quiet_history and --alert-history).
                wait_waiting(server.url, 0)
                assert breaches(db, "WAIT-1") == 1
                posted = time.time()  # the breach's arrival at the receiver is timed from here
                answer = server.post(event("reported", "LATE-1", reported_at, event_id="R-LATE-1"))
                assert answer.status_code == 201, answer.text
                breach = wait_until(hook, alert("breach", "LATE-1"), 1, 10)[0]
                waited = breach.at - posted
                print(f"\n[{kind}] breach alert {waited:.3f}s after the POST to serve --no-judge")
                assert waited < 1.0, log.read_text()
                assert breach.json()["commitment"] == "ack"
                assert breaches(db, "LATE-1") == 1
                wait_waiting(server.url, 0)
            assert "2 ticket evaluation(s)," in " ".join(log.read_text().split())
        finally:
            stop(server)
        no_duplicates(hook)
        # The serve process judged nothing: every evaluation was the worker's.
        assert "no judge lane here (--no-judge)" in server.log.read_text()


def test_judge_refuses_a_sqlite_store_that_does_not_exist(tmp_path: Path) -> None:
    """A judge works beside the serve that made its store: a mistyped path is an error, not a
    judge silently watching a new, empty store."""
    import sys

    missing = tmp_path / "typo.db"
    done = subprocess.run(
        [sys.executable, "-m", "slaengine", "judge", "--db", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "no such store" in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()
