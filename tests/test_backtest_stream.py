"""The streamed back-test is the whole-report one: the same summary, figure for figure.

``run_backtest`` folds each ticket's clocks into running totals as they are judged
(slaengine.backtest.Summary) instead of summarising a whole report. These tests hold it to
``summarize(evaluate(...))`` — the summary of the report built whole — on the demo month and on
a synthetic stream re-based so that its history crosses a contract year and the yearly cap
cuts, with a what-if, and with every worst ticket listed (so the per-ticket figures are compared
too, not only the first ten). The bench's ``backtest`` section (peak RSS streamed against
whole, docs/backtest.md) runs at its quick sizes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from bench import synth

from slaengine.backtest import (
    Summary,
    history_end,
    run_backtest,
    summarize,
    summarize_streaming,
    with_acceptance,
    with_targets,
)
from slaengine.bundled import demo_events, example_contract
from slaengine.contract import Contract, load_contract
from slaengine.durations import Duration
from slaengine.evaluate import Context, evaluate
from slaengine.events import Intake
from slaengine.replay import judge_streaming

REPO = Path(__file__).parents[1]
NEVER = datetime(2100, 1, 1, tzinfo=UTC)
#: Enough to list every ticket among the worst: the rankings are compared whole.
ALL = 100_000


def whole(contract: Contract, intake: Intake, as_of: datetime) -> dict[str, Any]:
    """The back-test as it was before streaming: the whole report, then its summary."""
    return summarize(evaluate(contract, intake.events, as_of, intake.rejected), ALL).to_json()


def assert_same(contract: Contract, intake: Intake, what_if: dict[str, Duration]) -> None:
    as_of = history_end(intake.events)
    assert as_of is not None
    result = run_backtest(contract, intake.events, None, what_if, intake.rejected, ALL)
    base = whole(contract, intake, as_of)
    assert result.base.to_json() == base
    assert result.what_if is not None
    other = whole(with_targets(contract, what_if), intake, as_of)
    assert result.what_if.other.to_json() == other
    # The comparison has teeth: breaches, money and a ranking of worst tickets.
    assert base["breaches"] > 0 and base["worst_tickets"]["most_penalty"]
    assert base["totals"] != other["totals"]


def test_the_demo_month_streamed_is_the_whole_report_summary() -> None:
    contract = load_contract(example_contract())
    intake = Intake(contract)
    with demo_events().open("rb") as lines:
        intake.read(lines)
    assert intake.rejected  # the demo's bad lines are counted the same way
    assert_same(contract, intake, {"onsite-30min": Duration.parse("1h")})


def test_a_synthetic_stream_across_a_capped_year_streamed_is_the_same() -> None:
    # A ticket every 40 minutes, 2026-03-02 to 2026-04-20; acceptance re-based to 2025-04-01,
    # so the history falls in two contract years (the second from 2026-04-01) and the yearly
    # cap cuts into both.
    contract = with_acceptance(load_contract(example_contract()), date(2025, 4, 1))
    intake = Intake(contract)
    for number, data in enumerate(synth.stream(12_000, seed=3, gap_seconds=2_400), start=1):
        intake.offer(data, number)
    assert not intake.rejected
    capped = summarize(evaluate(contract, intake.events, history_end(intake.events) or NEVER))
    assert [year.cap_cut > 0 for year in capped.years] == [True, True]
    assert_same(contract, intake, {"onsite-30min": Duration.parse("20m")})


def test_the_running_totals_hold_numbers_for_breached_tickets_only() -> None:
    """What the streamed summary holds per ticket is a few numbers, and only for tickets that
    breached; the clocks go once folded in."""
    contract = load_contract(example_contract())
    intake = Intake(contract)
    for number, data in enumerate(synth.stream(3_000, seed=5), start=1):
        intake.offer(data, number)
    as_of = history_end(intake.events)
    assert as_of is not None
    summary = Summary(contract)
    folded: list[int] = []

    def add(clocks: Any) -> None:
        folded.append(len(clocks))
        summary.add(clocks)

    report = judge_streaming(Context(contract), intake.events, as_of, each_ticket=add)
    result = summary.finish(report)
    breached_tickets = {c.ticket for c in report.breaches}
    assert set(summary.worst) == breached_tickets
    assert sum(folded) == report.summary()["clocks"] > len(breached_tickets)
    assert (
        result.to_json() == summarize_streaming(Context(contract), intake.events, as_of).to_json()
    )
    with pytest.raises(RuntimeError, match="finished once"):
        summary.finish(report)  # a second finish would count the money twice


def test_bench_backtest_section_prints_its_memory_figures() -> None:
    """``bench/run.py --sections backtest`` (quick sizes): the streamed command and the whole
    report both ran at each size, and the growth per event between the sizes is reported."""
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--sections", "backtest"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)["backtest"]
    assert [run["events"] for run in figures["runs"]] == [1_000, 3_000]
    for run in figures["runs"]:
        for kind in ("events_only", "whole_report", "streamed", "cli"):
            assert run[kind]["peak_rss_bytes"] > 10_000_000, run  # the child's own, in bytes
            assert run[kind]["peak_rss_bytes_per_event"] > 0
        for kind in ("whole_report", "streamed"):
            assert "beyond_events_bytes_per_event" in run[kind]
    for kind in ("events_only", "whole_report", "streamed", "cli"):
        assert f"{kind}_growth_bytes_per_event" in figures
