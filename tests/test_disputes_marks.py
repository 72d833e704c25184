"""Dispute marks wherever the API shows a line (docs/disputes.md): ``GET /penalties``,
the ``penalties`` of ``GET /breaches`` and of the ticket's clocks, one shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from slaengine.api.auth import Auth
from slaengine.audit.trail import Actor
from slaengine.clock import FixedClock
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store import disputes as store_disputes

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "example-tender.yaml"
MONTH = REPO / "examples" / "demo-month.jsonl"
CID = "HT-2026-017"
LINE = "P-ack/T-006/ack-3min/1"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
OP = {"Authorization": "Bearer op"}


def test_breaches_and_the_ticket_clocks_mark_disputed_lines(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}", clock)
    try:
        store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
        service = LiveService(store, clock, environ={})
        service.ingest(list(enumerate(MONTH.read_bytes().splitlines(), 1)), "demo", raw=True)
        client = TestClient(create_app(store, clock, service=service, auth=Auth(operator="op",
                                       clock=clock)), follow_redirects=False)  # fmt: skip

        def lines_of_breaches() -> list[dict[str, object]]:
            answer = client.get(f"/breaches?contract={CID}&ticket=T-006", headers=OP)
            assert answer.status_code == 200, answer.text
            return [line for b in answer.json() for line in b["penalties"]]

        def lines_of_ticket() -> list[dict[str, object]]:
            answer = client.get(f"/contracts/{CID}/tickets/T-006", headers=OP)
            assert answer.status_code == 200, answer.text
            return [line for b in answer.json()["breaches"] for line in b["penalties"]]

        def lines_of_penalties() -> list[dict[str, object]]:
            answer = client.get(f"/penalties?contract={CID}&ticket=T-006", headers=OP)
            return list(answer.json())

        for lines in (lines_of_breaches(), lines_of_ticket()):
            assert [x["id"] for x in lines] == [LINE] and lines[0]["dispute"] is None

        clock.advance(timedelta(days=1))
        filed = store_disputes.file_dispute(store, CID, LINE, "the caller hung up",
                                            Actor("Zhang", "cli", "test"))  # fmt: skip
        (penalty,) = lines_of_penalties()
        mark = penalty["dispute"]
        assert isinstance(mark, dict)
        assert (mark["dispute"], mark["state"], mark["filed_by"]) == (filed.id, "open", "Zhang")
        for lines in (lines_of_breaches(), lines_of_ticket()):
            assert [x["dispute"] for x in lines] == [mark]

        clock.advance(timedelta(days=1))
        store_disputes.decide(store, filed.id, False, "late is late",
                              Actor("Li", "cli", "test"))  # fmt: skip
        decided = lines_of_penalties()[0]["dispute"]
        assert isinstance(decided, dict) and decided["state"] == "rejected"
        assert decided["decision_reason"] == "late is late"
        for lines in (lines_of_breaches(), lines_of_ticket()):
            assert [x["dispute"] for x in lines] == [decided]
    finally:
        store.close()


def test_statement_as_of_shows_each_dispute_as_it_stood_then(tmp_path: Path) -> None:
    """Filed on 3 November, accepted on 6 November: the statement ``--as-of`` the 2nd has no
    mark, the 4th an open one (the line counts), the 7th and now the accepted one (waived)."""
    import json
    import os
    import subprocess

    from tests.test_service_e2e import SLAENGINE

    clock = FixedClock(T0)
    db = tmp_path / "a.db"
    store = Store.open(f"sqlite:///{db}", clock)
    try:
        store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
        service = LiveService(store, clock, environ={})
        service.ingest(list(enumerate(MONTH.read_bytes().splitlines(), 1)), "demo", raw=True)
        clock.advance(timedelta(days=2))
        filed = store_disputes.file_dispute(store, CID, LINE, "the caller hung up",
                                            Actor("Zhang", "cli", "test"))  # fmt: skip
        clock.advance(timedelta(days=3))
        store_disputes.decide(store, filed.id, True, "the recording confirms it",
                              Actor("Li", "cli", "test"))  # fmt: skip
    finally:
        store.close()

    def statement(*more: str) -> dict[str, object]:
        done = subprocess.run(
            [SLAENGINE, "statement", str(CONTRACT), "--db", str(db), "--period", "2026-10",
             "-f", "json", *more],
            capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
            env={**os.environ, "COLUMNS": "250"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        document: dict[str, object] = json.loads(done.stdout)
        return document

    def state_of(document: dict[str, object]) -> list[tuple[object, object]]:
        disputes = document.get("disputes") or []
        assert isinstance(disputes, list)
        return [(d["line"], d["state"]) for d in disputes]

    def status_of(document: dict[str, object]) -> object:
        lines = document["penalties"]
        assert isinstance(lines, list)
        (line,) = [x for x in lines if x["id"] == LINE]
        return (line.get("waived"), line["amount"])

    before = statement("--as-of", "2026-11-02T00:00:00+08:00")
    assert state_of(before) == []
    pending = statement("--as-of", "2026-11-04T00:00:00+08:00")
    assert state_of(pending) == [(LINE, "open")]
    (mark,) = pending["disputes"]  # type: ignore[misc]
    assert mark["decided_by"] is None and mark["decision_reason"] is None
    assert status_of(pending) == status_of(before)
    assert pending["totals"] == before["totals"]
    after = statement("--as-of", "2026-11-07T00:00:00+08:00")
    assert state_of(after) == [(LINE, "accepted")] and status_of(after) != status_of(before)
    assert Decimal(after["totals"]["chargeable"]) == Decimal(before["totals"]["chargeable"]) - 500  # type: ignore[index]
    now = statement()
    assert state_of(now) == [(LINE, "accepted")] and now["disputes"] == after["disputes"]
