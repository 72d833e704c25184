"""The shipped demo month covers what the issue asks a demo to show (and stays that way)."""

from __future__ import annotations

from datetime import datetime

from slaengine.bundled import demo_events, example_contract
from slaengine.cli.main import DEMO_AS_OF
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.events import read_jsonl


def test_demo_month_covers_the_cases() -> None:
    contract = load_contract(example_contract())
    with demo_events().open(encoding="utf-8") as stream:
        intake = read_jsonl(stream, contract)
    report = evaluate(contract, intake.events, datetime.fromisoformat(DEMO_AS_OF), intake.rejected)
    clocks = {(c.ticket, c.commitment, c.cycle): c for c in report.clocks}
    assert len(report.tickets) >= 30
    statuses = {c.status for c in report.clocks}
    assert {"met", "breached", "cancelled", "running"} <= statuses
    assert clocks[("T-REMOTE", "onsite-30min", 1)].status == "cancelled"
    assert clocks[("T-RECLASS", "repair-major-1h", 1)].retroactive
    assert clocks[("T-PAUSE", "onsite-30min", 1)].paused_seconds == 40 * 60
    assert clocks[("T-CANCEL", "onsite-30min", 1)].cancel_reason
    factory = clocks[("T-FACTORY-1", "factory-repair-3d", 1)]
    assert (factory.deadline.isoformat(), factory.status) == ("2026-10-10T10:00:00+08:00", "met")
    assert clocks[("T-FACTORY-2", "factory-repair-3d", 1)].status == "breached"
    assert clocks[("T-REOPEN", "ack-3min", 2)].status == "breached"
    assert clocks[("T-TYPHOON", "onsite-30min", 1)].excused_seconds == 3 * 3600
    # every kind of bad input is kept and reported, never dropped
    assert [r.line for r in report.rejected] == [307, 308, 309, 310]
    assert intake.duplicates == 1
