"""Periodic obligations (reference section 6): calendars and judgements with hand-computed dates."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from slaengine.bundled import example_contract
from slaengine.contract import Contract, load_contract, parse_contract
from slaengine.errors import ContractError
from slaengine.evaluate import evaluate
from slaengine.events import Event, Intake
from slaengine.obligations import (
    BREACHED,
    FINAL_INSPECTION,
    MET,
    OPEN,
    UPCOMING,
    ObligationPeriod,
    judge_obligations,
    next_period_end,
)
from slaengine.warranty import WarrantyBook

EXAMPLE = example_contract()
TENDER = load_contract(EXAMPLE)
#: The tender with an inspection series per unit (``for_each: unit``) instead of one for the
#: whole installation.
PER_UNIT_TEXT = EXAMPLE.read_text(encoding="utf-8").replace(
    "    met_by: inspection_done\n", "    met_by: inspection_done\n    for_each: unit\n"
)
PER_UNIT = parse_contract(PER_UNIT_TEXT, Path("per-unit.yaml"))


def at(text: str) -> datetime:
    """A time in Shanghai: at("2026-04-15") is its midnight, at("2026-04-15 09:30") too."""
    return datetime.fromisoformat((text if " " in text else f"{text} 00:00") + "+08:00")


def events(c: Contract, *raw: dict[str, Any]) -> list[Event]:
    intake = Intake(c)
    for number, data in enumerate(raw, start=1):
        intake.offer({"contract": c.id, **data}, line=number)
    assert intake.rejected == [], intake.rejected
    return intake.events


def inspection(event_id: str, when: str, asset: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": event_id, "type": "inspection_done", "at": at(when).isoformat()}
    if asset is not None:
        data["asset"] = asset
    return data


def final(event_id: str, when: str, asset: str, passed: bool) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "final_inspection",
        "at": at(when).isoformat(),
        "asset": asset,
        "attrs": {"passed": passed},
    }


def judge(c: Contract, as_of: str, *raw: dict[str, Any]) -> list[ObligationPeriod]:
    stream = events(c, *raw)
    return judge_obligations(WarrantyBook.build(c, stream), stream, at(as_of))


def inspections(as_of: str, *raw: dict[str, Any]) -> dict[tuple[str | None, int], Any]:
    """The per-unit tender's inspection periods by (unit, index)."""
    periods = judge(PER_UNIT, as_of, *raw)
    return {(p.asset, p.index): p for p in periods if p.obligation == "inspection"}


def series(periods: list[ObligationPeriod], obligation: str, asset: str | None) -> list[Any]:
    return [p for p in periods if p.obligation == obligation and p.asset == asset]


def starts(periods: list[ObligationPeriod]) -> list[str]:
    return [p.period_start.date().isoformat() for p in periods]


# -- the example tender's calendar -------------------------------------------------------------


def test_tender_inspections_every_3_months_then_every_6_until_the_warranty_ends() -> None:
    periods = judge(TENDER, "2026-01-15")
    assert {p.asset for p in periods if p.obligation == "inspection"} == {None}
    per_unit = judge(PER_UNIT, "2026-01-15")
    for unit, found in ((None, periods), ("U1", per_unit), ("U2", per_unit)):
        mine = series(found, "inspection", unit)
        assert starts(mine) == [
            "2026-01-15", "2026-04-15", "2026-07-15", "2026-10-15",
            "2027-01-15", "2027-07-15", "2028-01-15", "2028-07-15",
        ]  # fmt: skip
        assert mine[-1].period_end == at("2029-01-15")
        assert [p.index for p in mine] == list(range(8))
        assert mine[0].period_start.isoformat() == "2026-01-15T00:00:00+08:00"
        assert all(p.period_end == n.period_start for p, n in itertools.pairwise(mine))
    for unit in ("U1", "U2"):  # the final inspection is of each unit
        finals = series(periods, FINAL_INSPECTION, unit)
        assert [(p.period_start, p.period_end) for p in finals] == [
            (at("2028-12-15"), at("2029-01-15"))
        ]
    assert {p.status for p in periods} == {OPEN, UPCOMING}


def test_met_inside_the_period_breached_when_it_ends_without_one() -> None:
    stream = (
        inspection("I-1", "2026-02-20 10:00", "U1"),
        inspection("I-2", "2026-04-15 00:00", "U2"),  # the next period's first moment
    )
    before_end = inspections("2026-04-14 23:59", *stream)
    assert before_end["U1", 0].status == MET
    assert before_end["U1", 0].met_at == at("2026-02-20 10:00")
    assert before_end["U1", 0].met_by == ("I-1",)
    assert before_end["U2", 0].status == OPEN
    at_end = inspections("2026-04-15", *stream)
    assert at_end["U2", 0].status == BREACHED
    assert (at_end["U2", 0].done, at_end["U2", 0].met_by) == (0, ())
    assert at_end["U2", 1].status == MET and at_end["U2", 1].met_by == ("I-2",)
    assert at_end["U1", 1].status == OPEN
    assert at_end["U1", 2].status == UPCOMING


def test_an_event_without_asset_counts_for_every_unit_and_a_parts_for_its_unit() -> None:
    periods = judge(
        PER_UNIT,
        "2026-08-01",
        inspection("I-1", "2026-03-01 10:00"),
        inspection("I-2", "2026-05-01 10:00", "U1-KP1"),
    )
    status = {(p.asset, p.index): p.status for p in periods if p.obligation == "inspection"}
    assert status["U1", 0] == status["U2", 0] == MET
    assert (status["U1", 1], status["U2", 1]) == (MET, BREACHED)


def test_a_failed_final_inspection_extends_the_inspections_and_adds_a_final_month() -> None:
    finals_stream = (
        final("FI-1", "2028-12-20 10:00", "U1", passed=False),
        final("FI-2", "2028-12-21 10:00", "U2", passed=True),
    )
    whole = series(judge(TENDER, "2030-02-01", *finals_stream), "inspection", None)
    assert whole[-1].period_end == at("2030-01-15")  # until the last unit's warranty ends
    periods = judge(PER_UNIT, "2030-02-01", *finals_stream)
    u1, u2 = series(periods, "inspection", "U1"), series(periods, "inspection", "U2")
    assert starts(u1)[-3:] == ["2028-07-15", "2029-01-15", "2029-07-15"]
    assert u1[-1].period_end == at("2030-01-15")
    assert u2[-1].period_end == at("2029-01-15")
    finals = series(periods, FINAL_INSPECTION, "U1")
    assert [(p.period_start, p.period_end, p.status, p.met_by) for p in finals] == [
        (at("2028-12-15"), at("2029-01-15"), MET, ("FI-1",)),
        (at("2029-12-15"), at("2030-01-15"), BREACHED, ()),
    ]
    assert [p.status for p in series(periods, FINAL_INSPECTION, "U2")] == [MET]


def test_periods_stop_when_a_usage_limit_ends_the_warranty() -> None:
    tender = PER_UNIT_TEXT
    text = tender.replace("    unit: 3y ", '    unit: "3y or 100000 km" ')
    assert text != tender
    c = parse_contract(text, Path("inline.yaml"))
    reading = {
        "id": "M-1",
        "type": "inspection_done",
        "at": at("2027-09-10 10:00").isoformat(),
        "asset": "U1",
        "attrs": {"usage": 100500},
    }
    periods = judge(c, "2027-09-11", reading)
    u1 = series(periods, "inspection", "U1")
    # The warranty ended on 2027-09-10, inside the period from 2027-07-15: cut short, not owed.
    assert starts(u1)[-2:] == ["2026-10-15", "2027-01-15"]
    assert u1[-1].period_end == at("2027-07-15")
    assert series(periods, FINAL_INSPECTION, "U1") == []  # no final month after a usage end
    assert len(series(periods, "inspection", "U2")) == 8


# -- other shapes --------------------------------------------------------------------------------

SMALL = """
id: O-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: {accepted}
severities: {{general: General fault}}
calendars: {{always: {{kind: 24x7}}}}
commitments:
  - id: ack-3min
    start: reported
    stop: acknowledged
    target: 3m
    calendar: always
obligations:
{obligations}
"""


def small(obligations: str, accepted: str = "2026-01-31") -> Contract:
    text = SMALL.format(accepted=accepted, obligations=obligations)
    return parse_contract(text, Path("inline.yaml"))


def test_month_steps_count_from_the_step_start_so_month_ends_do_not_drift() -> None:
    c = small(
        "  - id: visit\n    met_by: inspection_done\n"
        "    schedule: [{every: 1mo, for: 3mo}, {every: 2mo, until: 2026-09-15}]\n"
    )
    periods = judge(c, "2026-01-31")
    assert [(p.asset, p.period_start, p.period_end) for p in periods] == [
        (None, at("2026-01-31"), at("2026-02-28")),
        (None, at("2026-02-28"), at("2026-03-31")),
        (None, at("2026-03-31"), at("2026-04-30")),
        (None, at("2026-04-30"), at("2026-06-30")),
        (None, at("2026-06-30"), at("2026-08-30")),
    ]  # 2026-08-30 + 2mo is after the step's end 2026-09-15: a period cut short is not owed


def test_n_visits_a_year_needs_n_matching_events_in_each_year() -> None:
    c = small(
        "  - id: visits\n    met_by: inspection_done\n    per: 1y\n    count: 2\n"
        "    until: 2028-01-31\n"
    )
    periods = judge(
        c,
        "2028-02-01",
        inspection("V-1", "2026-03-01 10:00"),
        inspection("V-2", "2026-11-30 10:00"),
        inspection("V-3", "2027-12-01 10:00"),
    )
    assert [(p.period_start, p.required, p.done, p.status, p.met_at) for p in periods] == [
        (at("2026-01-31"), 2, 2, MET, at("2026-11-30 10:00")),
        (at("2027-01-31"), 2, 1, BREACHED, None),
    ]


def test_midnight_in_the_contract_time_zone() -> None:
    text = SMALL.format(
        accepted="2026-03-01",
        obligations="  - id: visit\n    met_by: inspection_done\n"
        "    schedule: [{every: 1mo, until: 2026-05-01}]\n",
    ).replace("Asia/Shanghai", "Europe/Berlin")
    c = parse_contract(text, Path("inline.yaml"))
    periods = judge(c, "2026-03-01")
    assert [p.period_start.isoformat() for p in periods] == [
        "2026-03-01T00:00:00+01:00",
        "2026-04-01T00:00:00+02:00",  # summer time began on 29 March
    ]
    assert periods[-1].period_end.isoformat() == "2026-05-01T00:00:00+02:00"


def test_an_obligation_naming_an_asset_concerns_that_unit_only() -> None:
    text = PER_UNIT_TEXT.replace(
        "    met_by: inspection_done\n", "    met_by: {type: inspection_done, asset: U2}\n"
    )
    c = parse_contract(text, Path("inline.yaml"))
    periods = judge(c, "2026-01-15")
    assert {p.asset for p in periods if p.obligation == "inspection"} == {"U2"}


def test_until_warranty_end_needs_a_warranty() -> None:
    c = (
        "  - id: visit\n    met_by: inspection_done\n"
        "    schedule: [{every: 6mo, until: warranty_end}]\n"
    )
    with pytest.raises(ContractError, match="runs until the warranty ends"):
        small(c)


def test_next_period_end_is_when_a_breach_may_occur() -> None:
    periods = judge(TENDER, "2026-03-01", inspection("I-1", "2026-02-20 10:00", "U1"))
    assert next_period_end(periods, at("2026-03-01")) == at("2026-07-15")  # the next period
    periods = judge(PER_UNIT, "2026-03-01", inspection("I-1", "2026-02-20 10:00", "U1"))
    assert next_period_end(periods, at("2026-03-01")) == at("2026-04-15")  # U2 still open
    periods = judge(
        PER_UNIT,
        "2026-03-01",
        inspection("I-1", "2026-02-20 10:00", "U1"),
        inspection("I-2", "2026-02-21 10:00", "U2"),
    )
    assert next_period_end(periods, at("2026-03-01")) == at("2026-07-15")


# -- the replay report ---------------------------------------------------------------------------


def tender_stream() -> list[dict[str, Any]]:
    """Every inspection of 2026 done but in the period from 15 Jul (missed)."""
    done = [
        ("2026-02-20", "U1"), ("2026-02-20", "U2"), ("2026-05-20", "U1"), ("2026-05-20", "U2"),
        ("2026-10-27", "U1"), ("2026-10-27", "U2"),
    ]  # fmt: skip
    return [
        {"contract": "HT-2026-017", **inspection(f"I-{n}", f"{day} 10:00", unit)}
        for n, (day, unit) in enumerate(done, start=1)
    ]


def test_a_missed_inspection_is_one_breach_in_the_report() -> None:
    stream = events(TENDER, *tender_stream())
    report = evaluate(TENDER, stream, at("2026-11-01"))
    data = report.to_json()
    missed = [b for b in data["breaches"] if "obligation" in b]
    assert missed == [
        {
            "obligation": "inspection",
            "asset": None,
            "index": 2,
            "period_start": "2026-07-15T00:00:00+08:00",
            "period_end": "2026-10-15T00:00:00+08:00",
            "breached_at": "2026-10-15T00:00:00+08:00",
            "required": 1,
            "done": 0,
            "met_by": [],
        }
    ]
    assert len(data["obligations"]) == len(report.periods) == 8 + 2
    # The penalties engineer's lines: the missed period costs P-inspection 2,000.00, once.
    lines = [line for line in data["penalties"] if line["clause"] == "P-inspection"]
    assert [(line["asset"], line["period_start"], line["amount"]) for line in lines] == [
        (None, "2026-07-15T00:00:00+08:00", "2000.00")
    ]


def test_replay_command_reports_the_missed_inspection(tmp_path: Path) -> None:
    path = tmp_path / "inspections.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in tender_stream()) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "slaengine", "replay", str(EXAMPLE), str(path),
         "--as-of", "2026-11-01T00:00:00+08:00", "-f", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    missed = [(b["obligation"], b["asset"], b["period_end"]) for b in report["breaches"]]
    assert missed == [("inspection", None, "2026-10-15T00:00:00+08:00")]
    assert [(line["clause"], line["amount"]) for line in report["penalties"]] == [
        ("P-inspection", "2000.00")
    ]
    table = subprocess.run(
        [sys.executable, "-m", "slaengine", "replay", str(EXAMPLE), str(path),
         "--as-of", "2026-11-01T00:00:00+08:00"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if line.startswith("│ inspection")]
    assert [
        [cell.strip() for cell in row.split("│")[1:5]] for row in rows if "breached" in row
    ] == [["inspection", "—", "2026-07-15 – 2026-10-14", "breached"]]
    assert len(rows) == 4  # the periods begun by as_of
