"""``GET /contracts/{id}/measures`` at now from the store's clock rows and the events the
measures read (slaengine.service.measured) equals the whole contract judged at the same moment
(the route with ``as_of``, which evaluates every stored event) and ``slaengine statement --db``.

Real stores (SQLite and PostgreSQL, ``db_url``), travelled time (FixedClock)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from slaengine.cli.common import read_events
from slaengine.clock import FixedClock
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.events import Event
from slaengine.penalties import Window
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.service.measured import stored_measures, ticket_facts
from slaengine.service.money import stored_charges
from slaengine.store import Store
from tests.live_support import open_service
from tests.test_measures_faults import stream, variant_text

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))
REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 5, 2, tzinfo=UTC)


def _both(client: TestClient, contract: str, now: datetime, period: str | None) -> None:
    params = {"period": period} if period else {}
    fast = client.get(f"/contracts/{contract}/measures", params=params)
    slow = client.get(
        f"/contracts/{contract}/measures", params={**params, "as_of": now.isoformat()}
    )
    assert fast.status_code == slow.status_code == 200, (fast.text, slow.text)
    assert fast.json() == slow.json()


ON_TIME = (
    '  - id: onsite-rate\n    kind: on_time_rate\n    target: "95"\n'
    "    commitments: [onsite-30min]\n  - id: satisfaction\n"
)


@pytest.mark.parametrize("rate", [False, True], ids=["events", "with_on_time_rate"])
def test_measures_at_now_equal_the_whole_contract_judged(
    db_url: str, tmp_path: Path, rate: bool
) -> None:
    """Availability, satisfaction, first-time fix and repeat faults with their credit lines,
    and an on-time rate counted over the stored clock rows."""
    text = variant_text()
    if rate:
        text = text.replace("  - id: satisfaction\n", ON_TIME, 1)
    service = open_service(db_url, FixedClock(NOW), text, tmp_path)
    try:
        assert not service.ingest(list(enumerate(stream().raw)), "test").added.rejected
        service.run_due()  # the duties pass: missed obligation periods' lines
        measured = stored_measures(service.store, "HT-2026-017", NOW)
        assert measured is not None and measured.lines  # the store answered, credits priced
        kinds = {p.kind for p in measured.periods}
        assert ("on_time_rate" in kinds) == rate
        if rate:
            assert any(p.figure is not None for p in measured.periods if p.kind == "on_time_rate")
        client = TestClient(create_app(service.store, service.clock, service=service))
        for period in (None, "2026-03", "2026-04"):
            _both(client, "HT-2026-017", NOW, period)
        answer = client.get("/contracts/HT-2026-017/measures", params={"period": "2026-03"})
        found = {m["measure"]: m for m in answer.json()["measures"]}
        assert found["repeats"]["periods"][0]["amount"] == "100.00"
        # the money page's charges, measure credits included, as the whole contract judged
        charges = stored_charges(service.store, "HT-2026-017", NOW)
        assert charges is not None
        whole = evaluate(
            charges.contract, service.store.contract_events("HT-2026-017"), NOW
        ).charges
        for month in ("2026-03", "2026-04"):
            window = Window.month(charges.contract, month)
            fast = charges.within(window.start, window.end).to_json()
            slow = whole.within(window.start, window.end).to_json()
            for name in ("penalties", "compensation", "adjustments", "totals"):
                assert fast[name] == slow[name], (month, name)
        assert any(x.kind == "measure_credit" for x in charges.penalties)
    finally:
        service.store.close()


def test_the_example_tender_demo_month(tmp_path: Path) -> None:
    """The example tender (availability with a credit, satisfaction) over the demo month: the
    route at now and ``slaengine statement --db`` agree on every figure and amount."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    clock = FixedClock(now)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    store = Store.open(db, clock)
    contract = REPO / "contracts" / "example-tender.yaml"
    store.load_contract(contract.read_text("utf-8"), contract, date(2026, 1, 15))
    service = LiveService(store, clock, environ={})
    try:
        lines = (REPO / "examples" / "demo-month.jsonl").read_bytes().splitlines()
        service.ingest(list(enumerate(lines, 1)), "demo", raw=True)
        service.run_due()
        assert stored_measures(store, "HT-2026-017", now) is not None
        client = TestClient(create_app(store, clock, service=service))
        _both(client, "HT-2026-017", now, "2026-10")
        fast = client.get("/contracts/HT-2026-017/measures", params={"period": "2026-10"}).json()
        command = [SLAENGINE, "statement", str(contract), "--db", db, "--period", "2026-10"]
        command += ["--as-of", now.isoformat(), "-f", "json"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        statement = json.loads(done.stdout)
        slow = statement["measures"]
        # the money page's charges: stored lines, the availability credit from the measures
        charges = stored_charges(store, "HT-2026-017", now)
        assert charges is not None
        window = Window.month(charges.contract, "2026-10")
        money = charges.within(window.start, window.end).to_json()
        for name in ("penalties", "compensation", "adjustments", "totals"):
            assert money[name] == statement[name], name
        routed = [p for m in fast["measures"] for p in m["periods"]]
        assert [(p["measure"], p["period_start"], p["figure"], p["status"]) for p in routed] == [
            (p["measure"], p["period_start"], p["figure"], p["status"]) for p in slow
        ]
        assert [p["amount"] for p in routed] == [p["amount"] for p in slow]
    finally:
        store.close()


def test_a_tickets_facts_are_its_walks() -> None:
    """``ticket_facts`` gives each ticket of the demo month the severity and asset replay's
    walk left it with."""
    contract = load_contract(REPO / "contracts" / "example-tender.yaml")
    events = read_events(str(REPO / "examples" / "demo-month.jsonl"), contract).events
    as_of = datetime(2026, 11, 1, tzinfo=UTC)
    report = evaluate(contract, events, as_of)
    for summary in report.tickets:
        mine = sorted(
            (e for e in events if e.ticket == summary.ticket and e.at <= as_of),
            key=Event.sort_key,
        )
        assert ticket_facts(mine) == (summary.severity, summary.asset), summary.ticket
