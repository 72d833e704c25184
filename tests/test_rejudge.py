"""Re-judging on demand: `slaengine rejudge` asks for open and closed tickets to be judged again.

`slaengine rejudge` (the real command, as a subprocess) and `POST /contracts/{id}/rejudge` mark
tickets; the due pass's background lane judges them under the version in effect for each, with
the progress in `/health` (`tickets_waiting`). On a real SQLite file and (marked ``postgres``)
on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from slaengine.api.auth import Auth
from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store.models import Breach, StoredAlert, Ticket
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service

T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 09:00 in Shanghai, 2 March
OPERATOR, VIEWER = "operator-token-1", "viewer-token-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[LiveService]:
    live = open_service(db_url, clock, fast_contract(), tmp_path)
    # T-closed: answered after 2 s (the 3 s target met), on site and resolved: closed.
    # T-open: answered, the on-site clock still running.
    live.ingest(
        [
            (0, event("reported", "T-closed", at(0))),
            (1, event("acknowledged", "T-closed", at(2))),
            (2, event("arrived", "T-closed", at(2.5))),
            (3, event("resolved", "T-closed", at(3))),
            (4, event("reported", "T-open", at(0))),
            (5, event("acknowledged", "T-open", at(0.5))),
        ],
        "test",
    )
    clock.set(at(4))
    live.run_due()
    yield live
    live.store.close()


def rejudge(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", "rejudge", "--db", db_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ack_breaches(service: LiveService) -> dict[str, str]:
    with service.store.sessions() as session:
        rows = session.scalars(select(Breach).where(Breach.commitment == "ack"))
        return {b.ticket: b.status for b in rows}


def dirty(service: LiveService) -> set[str]:
    with service.store.sessions() as session:
        return set(session.scalars(select(Ticket.ticket).where(Ticket.dirty)))


def alert_kinds(service: LiveService, ticket: str) -> list[str]:
    with service.store.sessions() as session:
        rows = session.scalars(
            select(StoredAlert)
            .where(StoredAlert.ticket == ticket, StoredAlert.contact == "duty")
            .order_by(StoredAlert.id)
        )
        return [a.kind for a in rows]


def load(service: LiveService, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert service.store.load_contract(text, path).changed


def test_a_new_version_judges_the_closed_tickets_it_reaches_and_rejudge_asks_again(
    service: LiveService, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    assert ack_breaches(service) == {}
    # Version 2 (in effect from today): the answer within 1 s. It reaches both tickets (their
    # deadlines fall on or after its first day), so the load marks the closed one too.
    load(service, tmp_path, "v2.yaml", fast_contract(ack_target="1s"))
    assert dirty(service) == {"T-open", "T-closed"}
    service.run_due()
    # Answered after 2 s against the new 1 s: a breach, closed (the clock stopped), alerted;
    # T-open answered in 0.5 s.
    assert ack_breaches(service) == {"T-closed": "closed"}
    assert alert_kinds(service, "T-closed") == ["breach"]

    # Asked for: the open tickets, then the closed ones too.
    done = rejudge(db_url, "--contract", CONTRACT_ID)
    assert done.returncode == 0, done.stderr
    assert "1 open ticket(s) of contract FAST-1 marked" in done.stdout
    assert dirty(service) == {"T-open"}
    service.run_due()

    done = rejudge(db_url, "--contract", CONTRACT_ID, "--closed")
    assert done.returncode == 0, done.stderr
    assert "2 open and closed ticket(s)" in done.stdout
    assert service.progress()["tickets_waiting"] == 2
    clock.set(at(5))
    service.run_due()
    assert service.progress()["tickets_waiting"] == 0
    # Judged again with nothing changed: the same breach, no second alert.
    assert ack_breaches(service) == {"T-closed": "closed"}
    assert alert_kinds(service, "T-closed") == ["breach"]

    # Version 3 gives 5 s: asked again, the breach is withdrawn (the row stays).
    load(service, tmp_path, "v3.yaml", fast_contract(ack_target="5s"))
    done = rejudge(db_url, "--contract", CONTRACT_ID, "--closed")
    assert done.returncode == 0, done.stderr
    clock.set(at(6))
    service.run_due()
    assert ack_breaches(service) == {"T-closed": "withdrawn"}
    assert alert_kinds(service, "T-closed") == ["breach", "withdrawn"]


def test_since_picks_the_tickets_whose_clocks_started_on_or_after_the_day(
    service: LiveService, db_url: str
) -> None:
    later = rejudge(db_url, "--contract", CONTRACT_ID, "--closed", "--since", "2026-03-03")
    assert later.returncode == 0, later.stderr
    assert later.stdout.startswith("0 open and closed ticket(s)")
    assert dirty(service) == set()
    # 09:00 on 2 March in Shanghai is on the day, whatever the date in UTC.
    same = rejudge(db_url, "--contract", CONTRACT_ID, "--closed", "--since", "2026-03-02")
    assert same.returncode == 0, same.stderr
    assert dirty(service) == {"T-closed", "T-open"}


def test_rejudge_says_what_is_wrong_without_a_traceback(
    service: LiveService, db_url: str, tmp_path: Path
) -> None:
    unknown = rejudge(db_url, "--contract", "NOPE-9")
    assert unknown.returncode == 2
    assert "--contract 'NOPE-9': not loaded in this store" in unknown.stderr
    bad = rejudge(db_url, "--contract", CONTRACT_ID, "--since", "3 March")
    assert bad.returncode == 2
    assert "--since '3 March': write a date like 2026-03-01" in bad.stderr
    missing = rejudge(str(tmp_path / "no-such.db"), "--contract", CONTRACT_ID)
    assert missing.returncode == 2
    assert "no such store" in missing.stderr
    assert not (tmp_path / "no-such.db").exists()
    for result in (unknown, bad, missing):
        assert "Traceback" not in result.stderr
    assert dirty(service) == set()


def test_the_api_route_marks_for_operators_only_and_health_shows_the_progress(
    service: LiveService, clock: FixedClock, tmp_path: Path
) -> None:
    load(service, tmp_path, "v2.yaml", fast_contract(ack_target="1s"))
    service.run_due()
    client = TestClient(
        create_app(
            service.store,
            service=service,
            auth=Auth(operator=OPERATOR, viewer=VIEWER, clock=clock),
        )
    )
    route = f"/contracts/{CONTRACT_ID}/rejudge"
    as_operator = {"Authorization": f"Bearer {OPERATOR}"}
    viewer = client.post(
        route, json={"closed": True}, headers={"Authorization": f"Bearer {VIEWER}"}
    )
    assert viewer.status_code == 403
    assert dirty(service) == set()
    unknown = client.post("/contracts/NOPE-9/rejudge", headers=as_operator)
    assert unknown.status_code == 404
    assert "NOPE-9" in unknown.json()["error"]
    bad = client.post(route, json={"since": "3 March"}, headers=as_operator)
    assert bad.status_code == 422
    assert bad.json()["status"] == "rejected" and "since" in bad.json()["error"]
    answer = client.post(route, json={"closed": True}, headers=as_operator)
    assert answer.status_code == 202
    assert answer.json() == {"status": "accepted", "contract": CONTRACT_ID, "marked": 2}
    # The details of /health are for signed-in callers.
    assert client.get("/health", headers=as_operator).json()["tickets_waiting"] == 2
    clock.set(at(5))
    service.run_due()
    assert client.get("/health", headers=as_operator).json()["tickets_waiting"] == 0
    assert ack_breaches(service) == {"T-closed": "closed"}
    # Without a body: the open tickets only (T-open, whose on-site clock still runs).
    opened = client.post(route, headers=as_operator)
    assert opened.status_code == 202
    assert opened.json()["marked"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_running_serve_judges_what_another_process_marked_without_waiting_for_its_sweep(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import os
    import signal
    import time

    import httpx

    from slaengine.clock import SystemClock
    from slaengine.store import Store
    from tests.receivers import free_port, http_receiver

    db = (
        f"sqlite:///{tmp_path / 'live.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    contract = tmp_path / "fast.yaml"
    contract.write_text(fast_contract(), encoding="utf-8")
    with http_receiver() as hook:
        port = free_port()
        command = [sys.executable, "-m", "slaengine", "serve", "--db", db, "--contract"]
        command += [str(contract), "--port", str(port), "--sweep", "3600"]  # no sweep to help
        log = tmp_path / "serve.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "SLAENGINE_ALERT_WEBHOOK": f"{hook.url}/all"},
            )
        try:

            def health() -> dict[str, object]:
                end = time.monotonic() + 30
                while True:
                    assert server.poll() is None, log.read_text()
                    try:
                        answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                        if answer.status_code == 200:
                            return dict(answer.json())
                    except httpx.HTTPError:
                        pass
                    assert time.monotonic() < end, log.read_text()
                    time.sleep(0.05)

            def kinds() -> list[str]:
                return [r.json()["kind"] for r in hook.requests if r.json().get("ticket") == "T9"]

            def arrives(kind: str) -> None:
                end = time.monotonic() + 10  # the look is every 0.25 s; the sweep an hour
                while kind not in kinds():
                    assert time.monotonic() < end, (kinds(), log.read_text()[-3000:])
                    time.sleep(0.05)

            while not health().get("ready"):
                time.sleep(0.05)
            # This process stores an event (it judges nothing): the ticket is marked due now.
            store = Store.open(db, SystemClock())
            now = datetime.now(UTC)
            store.add_events([(0, event("reported", "T9", now - timedelta(seconds=60)))], "test")
            store.add_events([(1, event("acknowledged", "T9", now - timedelta(seconds=50)))], "t")
            arrives("breach")  # answered after 10 s against 3 s
            # A new version gives the answer a minute; asked for, the closed ticket is judged
            # again by the server: the breach is withdrawn.
            amended = fast_contract(ack_target="60s")
            store.load_contract(amended, tmp_path / "v2.yaml", now.date() - timedelta(days=1))
            store.close()
            done = rejudge(db, "--contract", CONTRACT_ID, "--closed")
            assert done.returncode == 0, done.stderr
            arrives("withdrawn")
            # The load marked the ticket as well (the version reaches its day): whichever mark
            # was judged first withdrew the breach; the other is judged at once.
            deadline = time.monotonic() + 5
            while health()["tickets_waiting"] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert health()["tickets_waiting"] == 0
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_tickets_another_process_marked_are_judged_under_the_version_it_loaded_at_once(
    service: LiveService, db_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    from slaengine.store import Store

    with service.store.sessions() as session:  # this worker has just read the versions
        assert service.store.version_in_effect(session, CONTRACT_ID, None) is not None
    other = Store.open(db_url, clock)  # another process: a new version, then a re-judge
    path = tmp_path / "v2.yaml"
    path.write_text(fast_contract(ack_target="1s"), encoding="utf-8")
    assert other.load_contract(path.read_text(encoding="utf-8"), path).changed
    assert other.mark_for_rejudge(CONTRACT_ID, closed=True) == 2
    other.close()
    clock.set(at(5))
    service.run_due()  # within a second of the versions read above
    assert ack_breaches(service) == {"T-closed": "closed"}
