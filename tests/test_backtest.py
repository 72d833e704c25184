"""Back-testing: the summary per commitment and month, the what-if, the CLI, the real log."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slaengine.backtest import (
    BacktestError,
    parse_what_if,
    run_backtest,
    summarize,
    with_acceptance,
    with_targets,
)
from slaengine.bundled import helpdesk_csv, helpdesk_missing
from slaengine.contract import load_contract
from slaengine.durations import Duration
from slaengine.evaluate import evaluate
from slaengine.events import Intake
from slaengine.mapping import import_csv, load_mapping
from tests.tender import TENDER, Stream, t

REPO = Path(__file__).parents[1]


def three_late_arrivals() -> Stream:
    """Three repairs on site; arrivals 45, 50 and 95 minutes after the call.

    Under onsite-30min (P-onsite: 200.00 per started 10 min late): 15, 20 and 65 minutes late,
    2 + 2 + 7 started units = 400 + 400 + 1,400 = 2,200.00. With a 1 h target: 45 and 50 min are
    on time, 95 min is 35 minutes late = 4 units = 800.00. Every other clock is met.
    """
    s = Stream()
    s.add("reported", t("2026-03-02 09:00"), "T-1", severity="general", asset="U1")
    s.add("acknowledged", t("2026-03-02 09:01"), "T-1")
    s.add("dispatched", t("2026-03-02 09:10"), "T-1")
    s.add("arrived", t("2026-03-02 09:45"), "T-1")
    s.add("resolved", t("2026-03-02 10:05"), "T-1")
    s.add("report_submitted", t("2026-03-02 10:30"), "T-1")
    s.add("callback_done", t("2026-03-02 16:00"), "T-1")
    s.add("reported", t("2026-03-03 10:00"), "T-2", severity="major", asset="U2")
    s.add("acknowledged", t("2026-03-03 10:02"), "T-2")
    s.add("dispatched", t("2026-03-03 10:05"), "T-2")
    s.add("arrived", t("2026-03-03 10:50"), "T-2")
    s.add("resolved", t("2026-03-03 11:20"), "T-2")
    s.add("report_submitted", t("2026-03-03 12:00"), "T-2")
    s.add("callback_done", t("2026-03-04 09:00"), "T-2")
    s.add("reported", t("2026-04-01 09:00"), "T-3", severity="general", asset="U1")
    s.add("acknowledged", t("2026-04-01 09:01"), "T-3")
    s.add("dispatched", t("2026-04-01 09:05"), "T-3")
    s.add("arrived", t("2026-04-01 10:35"), "T-3")
    s.add("resolved", t("2026-04-01 10:50"), "T-3")
    s.add("report_submitted", t("2026-04-01 11:00"), "T-3")
    s.add("callback_done", t("2026-04-02 09:00"), "T-3")
    return s


def test_what_if_changes_breaches_rates_and_penalties_as_hand_computed() -> None:
    events = three_late_arrivals().events()
    result = run_backtest(TENDER, events, what_if={"onsite-30min": Duration.parse("1h")})
    base, what_if = result.base, result.what_if
    assert what_if is not None
    # as_of defaults to the last event (T-3's call-back): every clock has stopped by then.
    assert base.as_of == t("2026-04-02 09:00")
    onsite = base.row("onsite-30min")
    assert (onsite.clocks, onsite.met, onsite.breached) == (3, 0, 3)
    assert onsite.on_time_rate == 0.0
    assert onsite.penalties_owed == Decimal("2200.00")
    assert onsite.penalties_charged == Decimal("2200.00")
    assert onsite.max_late_seconds == 65 * 60
    looser = what_if.other.row("onsite-30min")
    assert looser.target == "1h"
    assert (looser.met, looser.breached) == (2, 1)
    assert looser.on_time_rate == pytest.approx(2 / 3)
    assert looser.penalties_owed == Decimal("800.00")
    # Nothing else changed, and the totals are the sums of the lines.
    for row in base.rows:
        if row.id != "onsite-30min":
            other = what_if.other.row(row.id)
            assert (row.met, row.breached, row.penalties_owed) == (
                other.met,
                other.breached,
                other.penalties_owed,
            )
    assert base.totals.penalties == Decimal("2200.00")
    assert what_if.other.totals.penalties == Decimal("800.00")
    assert (base.breaches, what_if.other.breaches) == (3, 1)
    side_by_side = what_if.to_json()
    assert side_by_side["changes"] == {"onsite-30min": {"base": "30m", "what_if": "1h"}}
    onsite_json = next(r for r in side_by_side["commitments"] if r["id"] == "onsite-30min")
    assert onsite_json["changed"] is True
    assert onsite_json["base"]["penalties_charged"] == "2200.00"
    assert onsite_json["what_if"]["penalties_charged"] == "800.00"
    assert onsite_json["what_if"]["on_time_rate"] == 0.6667
    assert side_by_side["totals"]["what_if"]["breaches"] == 1


def test_summary_per_month_follows_the_deadlines_and_fills_quiet_months() -> None:
    result = run_backtest(TENDER, three_late_arrivals().events(), as_of=t("2026-05-31 12:00"))
    months = {m.month: m for m in result.base.months}
    assert list(months) == ["2026-03", "2026-04", "2026-05"]  # up to the as_of month
    march, april, may = months["2026-03"], months["2026-04"], months["2026-05"]
    assert (march.breaches, march.by_commitment) == (2, {"onsite-30min": 2})
    assert march.penalties_owed == Decimal("800.00")
    # April also closes the tender's first inspection period (2026-01-15 .. 04-15) with no
    # inspection_done: P-inspection 2,000.00 beside T-3's 1,400.00.
    assert april.by_commitment == {"onsite-30min": 1, "inspection": 1}
    assert (april.breaches, april.penalties_owed) == (2, Decimal("3400.00"))
    assert (may.breaches, may.penalties_owed) == (0, Decimal("0.00"))
    worst = result.base.most_late[0]
    assert (worst.ticket, worst.worst_commitment, worst.max_late_seconds) == (
        "T-3",
        "onsite-30min",
        3900,
    )
    assert result.base.most_penalty[0].ticket == "T-3"
    assert result.base.most_penalty[0].penalties_owed == Decimal("1400.00")


def test_a_month_counts_a_breach_by_its_deadline_in_the_contract_zone() -> None:
    # Reported 23:50 on 31 March in Shanghai: the on-site deadline is 00:20 on 1 April there
    # (16:20 UTC on 31 March); arrival an hour late.
    s = Stream()
    s.add("reported", t("2026-03-31 23:50"), "T-9", severity="general", asset="U1")
    s.add("acknowledged", t("2026-03-31 23:51"), "T-9")
    s.add("dispatched", t("2026-03-31 23:55"), "T-9")
    s.add("arrived", t("2026-04-01 01:20"), "T-9")
    result = summarize(evaluate(TENDER, s.events(), t("2026-04-01 01:30")))
    by_month = {m.month: m.by_commitment for m in result.months}
    assert by_month["2026-04"] == {"onsite-30min": 1}
    assert by_month["2026-03"] == {}


def test_with_targets_builds_a_new_contract_and_leaves_the_base_alone() -> None:
    assert TENDER.commitment("onsite-30min").target == Duration(30, "m")  # warms its lookups
    changed = with_targets(TENDER, {"onsite-30min": Duration.parse("1h")})
    assert changed.commitment("onsite-30min").target == Duration(1, "h")
    assert TENDER.commitment("onsite-30min").target == Duration(30, "m")
    assert changed.commitment("ack-3min") == TENDER.commitment("ack-3min")


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["onsite=1h"], "no commitment 'onsite' (its commitments: ack-3min"),
        (["onsite-30min"], "write COMMITMENT=TARGET"),
        (["onsite-30min=1mo"], "a clock target is written in s, m, h or d"),
        (["onsite-30min=soon"], "is not a duration"),
        (["onsite-30min=1h", "onsite-30min=2h"], "names 'onsite-30min' twice"),
    ],
)
def test_what_if_arguments_are_checked(texts: list[str], message: str) -> None:
    with pytest.raises(BacktestError) as caught:
        parse_what_if(texts, TENDER)
    assert message in str(caught.value)


def test_history_before_acceptance_is_one_contract_year_unless_rebased() -> None:
    s = Stream()
    for ticket, day in (("A", "2024-05-06"), ("B", "2025-05-06")):
        s.add("reported", t(f"{day} 09:00"), ticket, severity="general", asset="U1")
        s.add("acknowledged", t(f"{day} 09:10"), ticket)  # 7 minutes late: P-ack 500.00
        s.add("resolved", t(f"{day} 09:20"), ticket)  # no report (P-report 300.00), no call-back
    events = s.events()
    as_of = t("2025-06-01 00:00")
    as_is = run_backtest(TENDER, events, as_of).base
    assert [(y.year, y.breaches, y.penalties_owed) for y in as_is.years] == [
        (1, 6, Decimal("1600.00"))
    ]
    assert any("before the contract's acceptance" in note for note in as_is.notes())
    rebased = run_backtest(with_acceptance(TENDER, date(2024, 1, 1)), events, as_of).base
    assert not any("before the contract's acceptance" in note for note in rebased.notes())
    # Everything that runs from acceptance moves: the inspections every 3 months of the first
    # year are now owed, and the history has none — 4 periods missed (2,000.00 each), the last
    # one closing at midnight on 2025-01-01, so still in year 1.
    assert rebased.row("inspection").breached == 4
    assert [(y.year, y.first_day, y.breaches, y.penalties_owed) for y in rebased.years] == [
        (1, date(2024, 1, 1), 3 + 4, Decimal("8800.00")),
        (2, date(2025, 1, 1), 3, Decimal("800.00")),
    ]


# -- the command line -------------------------------------------------------------------------

EXPORT = """\
Ticket,Status,Changed,Priority,Device
1042,New,02/03/2026 09:00,P3,U1
1042,Answered,02/03/2026 09:02,P3,U1
1042,Engineer assigned,02/03/2026 09:10,P3,U1
1042,On site,02/03/2026 09:45,P3,U1
1042,Fixed,02/03/2026 10:05,P3,U1
1042,Report,02/03/2026 10:30,P3,U1
1042,Called back,02/03/2026 16:00,P3,U1
1042,Closed,03/03/2026 08:00,P3,U1
1043,New,03/03/2026 10:00,P2,U2
1043,Escalated,03/03/2026 10:01,P2,U2
1043,Answered,03/03/2026 10:02,P2,U2
1043,Engineer assigned,03/03/2026 10:05,P2,U2
1043,On site,03/03/2026 10:50,P2,U2
1043,Fixed,03/03/2026 11:20,P2,U2
1043,Report,03/03/2026 12:00,P2,U2
1043,Called back,04/03/2026 09:00,P2,U2
"""

MAPPING = """\
contract: HT-2026-017
columns: {ticket: Ticket, time: Changed, activity: Status, severity: Priority, asset: Device}
time: {format: "%d/%m/%Y %H:%M", timezone: Asia/Shanghai}
ticket_prefix: "SD-"
activities:
  New: reported
  Answered: acknowledged
  Engineer assigned: dispatched
  On site: arrived
  Fixed: resolved
  Report: report_submitted
  Called back: callback_done
  Closed: null
severity: {P1: emergency, P2: major, P3: general}
"""


def slaengine(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, Path]:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(EXPORT, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return csv_file, mapping


def test_import_command_writes_events_and_reports_every_row(
    export: tuple[Path, Path], tmp_path: Path
) -> None:
    csv_file, mapping = export
    result = slaengine("import", str(csv_file), "--mapping", str(mapping))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["type"] for e in events if e["ticket"] == "SD-1042"] == [
        "reported",
        "acknowledged",
        "dispatched",
        "arrived",
        "resolved",
        "report_submitted",
        "callback_done",
    ]
    assert {e["contract"] for e in events} == {"HT-2026-017"}
    # The unknown status is reported with its line (the header is line 1), never dropped.
    assert f"{csv_file}:11 (SD-1043): unknown activity 'Escalated'" in result.stderr
    assert "16 rows → 14 events" in result.stderr
    assert "skipped by activity: 1 (Closed 1)" in result.stderr
    assert "problems: 1" in result.stderr
    out = tmp_path / "events.jsonl"
    again = slaengine(
        "import", str(csv_file), "-m", str(mapping), "--contract", "OTHER-1", "-o", str(out)
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 14 and {e["contract"] for e in written} == {"OTHER-1"}
    assert f"wrote 14 events to {out}" in again.stderr


def test_import_command_names_a_bad_mapping_without_a_traceback(
    export: tuple[Path, Path], tmp_path: Path
) -> None:
    csv_file, _ = export
    bad = tmp_path / "bad.yaml"
    bad.write_text(MAPPING.replace("time: Changed", "time: When"), encoding="utf-8")
    result = slaengine("import", str(csv_file), "--mapping", str(bad))
    assert result.returncode == 2
    assert "no column 'When'" in result.stderr
    assert "Traceback" not in result.stderr


def test_backtest_command_on_events_and_on_the_export_in_one_go(
    export: tuple[Path, Path], tmp_path: Path
) -> None:
    csv_file, mapping = export
    events = tmp_path / "events.jsonl"
    assert slaengine("import", str(csv_file), "-m", str(mapping), "-o", str(events)).returncode == 0
    contract = str(REPO / "contracts" / "example-tender.yaml")
    from_file = slaengine(
        "backtest", contract, str(events), "--what-if", "onsite-30min=1h", "--format", "json"
    )
    assert from_file.returncode == 0, from_file.stderr
    data = json.loads(from_file.stdout)
    # Arrivals 45 and 50 minutes after the call: 15 and 20 min late under 30m (2 + 2 started
    # 10 minutes of 200.00), on time under 1 h.
    assert data["as_of"] == "2026-03-04T09:00:00+08:00"
    onsite = next(r for r in data["commitments"] if r["id"] == "onsite-30min")
    assert (onsite["breached"], onsite["penalties_owed"]) == (2, "800.00")
    what_if = next(r for r in data["what_if"]["commitments"] if r["id"] == "onsite-30min")
    assert what_if["what_if"] == {
        "target": "1h",
        "breaches": 0,
        "on_time_rate": 1.0,
        "penalties_owed": "0.00",
        "penalties_charged": "0.00",
        "compensation": "0.00",
    }
    one_go = slaengine(
        "backtest",
        contract,
        "--csv",
        str(csv_file),
        "--mapping",
        str(mapping),
        "--what-if",
        "onsite-30min=1h",
        "--format",
        "json",
    )
    assert one_go.returncode == 0, one_go.stderr
    assert json.loads(one_go.stdout) == data
    assert "unknown activity 'Escalated'" in one_go.stderr  # the import's problems still show
    table = slaengine("backtest", contract, str(events), "--what-if", "onsite-30min=1h")
    assert table.returncode == 0, table.stderr
    for needle in ("per commitment", "per month", "what if: onsite-30min 30m → 1h", "SD-1043"):
        assert needle in table.stdout, needle
    wrong = slaengine("backtest", contract, str(events), "--what-if", "onsite=1h")
    assert wrong.returncode == 2
    assert "no commitment 'onsite'" in wrong.stderr


# -- the real help-desk log -------------------------------------------------------------------


def test_backtest_of_the_help_desk_log_adds_up() -> None:
    csv_file = helpdesk_csv()
    reason = helpdesk_missing(csv_file)
    if reason is not None or csv_file is None:
        pytest.skip(reason or "")
    started = time.process_time()  # CPU time: a machine busy with other work does not fail it
    contract = load_contract(REPO / "contracts" / "helpdesk-backtest.yaml")
    imported = import_csv(csv_file, load_mapping(REPO / "mappings" / "helpdesk.yaml"), contract.id)
    intake = Intake(contract)
    for number, data in enumerate(imported.events, start=1):
        intake.offer(data, number)
    assert not intake.rejected
    result = run_backtest(
        contract, intake.events, what_if={"resolve-major-5d": Duration.parse("10d")}
    )
    base, what_if = result.base, result.what_if
    assert what_if is not None
    assert (base.events, base.tickets) == (22_653, 4_580)
    assert base.first_event is not None and base.first_event.date() == date(2010, 1, 13)
    assert base.as_of == max(e.at for e in intake.events)
    # Contract years are the log's calendar years (accepted 2010-01-01), and every figure adds up.
    assert [y.first_day for y in base.years] == [date(y, 1, 1) for y in range(2010, 2014)]
    cap = Decimal("15000.00")
    assert all(y.penalties_charged <= cap for y in base.years)
    assert (
        sum((r.penalties_owed for r in base.rows), Decimal(0)) == base.totals.penalties_before_caps
    )
    assert sum((r.penalties_charged for r in base.rows), Decimal(0)) == base.totals.penalties
    assert sum((m.penalties_charged for m in base.months), Decimal(0)) == base.totals.penalties
    assert (
        sum(r.breached for r in base.rows) == base.breaches == sum(m.breaches for m in base.months)
    )
    assert base.months[0].month == "2010-01" and base.months[-1].month == "2013-12"
    # A looser target for one commitment breaches it less, and changes nothing else's clocks.
    before, after = base.row("resolve-major-5d"), what_if.other.row("resolve-major-5d")
    assert after.breached < before.breached
    assert after.met + after.breached == before.met + before.breached
    for row in base.rows:
        if row.id != "resolve-major-5d":
            assert what_if.other.row(row.id).breached == row.breached
    summary: dict[str, Any] = result.to_json()
    assert summary["what_if"]["changes"] == {"resolve-major-5d": {"base": "5d", "what_if": "10d"}}
    assert time.process_time() - started < 30  # about 5 s on the project's 2-core machine


@pytest.mark.slow
def test_bench_quick_prints_the_figures_as_json() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,  # the wall clock of a loaded machine; the budget below is CPU time
        check=False,
        cwd=REPO,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures) >= {
        "command",
        "machine",
        "sizes",
        "replay",
        "memory",
        "reevaluate",
        "live",
        "targets",
        "seconds",
    }
    assert figures["machine"]["nproc"] >= 1
    synthetic = figures["replay"]["synthetic"]
    assert synthetic["replay"]["events_per_second"] > 0
    assert synthetic["raw_durable_rules"]["events_per_second"] > 0
    assert synthetic["ratio_replay_to_raw"] > 0
    # The floor judged the very clocks the replay did (bench/floor.py), so the ratio compares
    # like with like.
    assert synthetic["same_clocks_as_floor"] is True
    # ... and so did bench/floor_priced.py, which also priced the breaches line for line alike
    assert synthetic["same_clocks_as_priced_floor"] is True
    assert synthetic["same_clock_lines_as_priced_floor"] is True
    assert synthetic["ratio_replay_to_floor_cpu"] > 0
    assert synthetic["cli"]["peak_rss_bytes"] > 0
    assert figures["replay"]["startup"]["median_seconds"] > 0
    helpdesk = figures["replay"]["helpdesk"]
    assert "skipped" in helpdesk or helpdesk["replay"]["events"] > 0
    assert figures["memory"]["running_clocks"] > 0
    assert figures["memory"]["retained_bytes_per_running_clock"] > 0
    assert figures["reevaluate"]["events"] == 100
    live = figures["live"]
    for section in ("deadline_to_alert", "restart_to_ready", "ingest_sqlite", "ingest_postgres"):
        assert section in live, section
    assert live["deadline_to_alert"]["missing"] == 0
    assert live["restart_to_ready"]["ready_seconds"] > 0
    assert set(figures["targets"]) == {
        "replay_vs_raw_ratio",
        "million_events_seconds",
        "alert_p99_seconds",
        "ready_seconds",
        "bytes_per_running_clock",
        "replay_vs_floor_cpu",
        "replay_vs_priced_floor_cpu",
        "replay_events_per_second",
        "replay_peak_rss_bytes_per_event",
        "replay_startup_seconds",
        "console_page_seconds",
        "money_page_seconds",
    }
    # A guard against --quick growing into a real run (11 s on an idle 2-core machine), not a
    # speed figure: those are the benchmark's own. CPU time (its own and its processes'), not
    # the wall clock, so a machine busy with other work does not fail it.
    assert cpu < 45, f"bench/run.py --quick used {cpu:.1f} s of CPU (the smoke test's budget: 45 s)"
