"""The shipped demo month covers what the issue asks a demo to show (and stays that way)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from slaengine.bundled import demo_events, example_contract
from slaengine.cli.main import DEMO_AS_OF, DEMO_PERIOD
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.events import read_jsonl


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


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


def test_the_demo_s_on_time_rates_are_the_statement_s(tmp_path: Path) -> None:
    """The demo's table and ``statement --period 2026-10`` count the same clocks (a clock
    counts in the month its deadline falls in, once met or breached): the same figures."""
    demo = _run("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    rows = {}
    for line in demo.stdout.split("On time by commitment")[1].split("Every breach")[0].splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) == 4 and cells[0] != "commitment":
            rows[cells[0]] = cells[1:]
    assert "deadline in October 2026" in " ".join(demo.stdout.split())
    statement = _run(
        "statement", str(example_contract()), str(demo_events()), "--period", DEMO_PERIOD,
        "--as-of", DEMO_AS_OF, "-f", "json",
    )  # fmt: skip
    assert statement.returncode == 0, statement.stderr
    figures = {
        item["subject"]: [str(item["judged"]), str(item["breached"]), item["on_time_rate"]]
        for item in json.loads(statement.stdout)["compliance"]
        if item["kind"] == "commitment" and item["judged"]
    }
    assert rows == figures
    # T-FACTORY-1 was answered on 30 September: not in October's figures
    assert rows["ack-3min"] == ["42", "8", "81.0%"]
