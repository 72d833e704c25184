"""Period measures of the example tender, hand-computed (docs/contracts.md, "Measures").

The tender's availability: units U1 and U2, month by month, downtime from a major fault's call
(or an emergency's) to its resolution, Sunday 02:00-04:00 maintenance windows left out; target
99%; below 99% → 2% of the 10,000.00 monthly fee, below 98% → 5%. March 2026 has 31 days and
five Sundays, so each unit's service time is 744 h − 10 h = 734 h, 1468 h for both; April 2026
has 30 days and four Sundays: 720 h − 8 h = 712 h a unit, 1424 h for both.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from slaengine.contract import parse_contract
from slaengine.errors import ContractError
from slaengine.measures import MeasurePeriod
from slaengine.report import Report
from tests.tender import TENDER, Stream, t

EXAMPLE_TEXT = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")


def period(report: Report, measure: str, month: str) -> MeasurePeriod:
    found = [
        p
        for p in report.measures
        if p.measure == measure and p.period_start.strftime("%Y-%m") == month
    ]
    assert len(found) == 1
    return found[0]


def credits(report: Report) -> list[tuple[str, str]]:
    return [
        (line.period_start.strftime("%Y-%m") if line.period_start else "", str(line.amount))
        for line in report.charges.penalties
        if line.clause.startswith("SC-")
    ]


def test_downtime_across_a_month_boundary_counts_in_each_month() -> None:
    stream = Stream()
    stream.add("reported", t("2026-03-31 23:00"), severity="major", asset="U1-KP1")
    stream.add("resolved", t("2026-04-01 01:00"))
    report = stream.report(t("2026-05-01 00:00"))
    march, april = (
        period(report, "availability", "2026-03"),
        period(report, "availability", "2026-04"),
    )
    # a part's fault takes its unit down: 1 h in March, 1 h in April
    assert march.figure == (Decimal(1468 - 1) * 100) / 1468
    assert march.to_json()["figure"] == "99.932"
    assert april.to_json()["figure"] == "99.930"  # 1423 / 1424
    assert march.detail["downtime"] == [
        {
            "asset": "U1",
            "ticket": "T-1",
            "from": "2026-03-31T23:00:00+08:00",
            "until": "2026-04-01T00:00:00+08:00",
            "counted_seconds": 3600,
            "in_maintenance_seconds": 0,
        }
    ]
    assert (march.status, april.status) == ("met", "met")
    assert credits(report) == []


def test_a_maintenance_window_inside_downtime_does_not_count() -> None:
    # Sunday 8 March 01:00-05:00: four hours down, two of them in the 02:00-04:00 window
    stream = Stream()
    stream.add("reported", t("2026-03-08 01:00"), severity="major", asset="U2")
    stream.add("resolved", t("2026-03-08 05:00"))
    march = period(stream.report(t("2026-04-01 00:00")), "availability", "2026-03")
    assert march.detail["downtime"][0]["counted_seconds"] == 2 * 3600
    assert march.detail["downtime"][0]["in_maintenance_seconds"] == 2 * 3600
    assert march.to_json()["figure"] == "99.864"  # 1466 / 1468


def test_general_faults_and_cancelled_calls_do_not_take_a_unit_down() -> None:
    stream = Stream()
    stream.add("reported", t("2026-03-10 08:00"), "T-1", severity="general", asset="U1")
    stream.add("resolved", t("2026-03-10 20:00"), "T-1")
    stream.add("reported", t("2026-03-11 08:00"), "T-2", severity="major", asset="U1")
    stream.add("cancelled", t("2026-03-11 08:30"), "T-2")
    march = period(stream.report(t("2026-04-01 00:00")), "availability", "2026-03")
    assert march.detail["assets"][0] == {
        "asset": "U1",
        "service_seconds": 734 * 3600,
        "down_seconds": 1800,
    }


def test_below_target_costs_the_tier_and_force_majeure_is_excused() -> None:
    # 16 h down: (1468 - 16) / 1468 = 98.910% < 99% → 2% of 10,000.00
    stream = Stream()
    stream.add("reported", t("2026-03-10 08:00"), severity="major", asset="U1")
    stream.add("resolved", t("2026-03-11 00:00"))
    report = stream.report(t("2026-04-01 00:00"))
    march = period(report, "availability", "2026-03")
    assert march.to_json()["figure"] == "98.910"
    assert march.status == "below"
    assert credits(report) == [("2026-03", "200.00")]
    line = next(line for line in report.charges.penalties if line.clause == "SC-availability")
    assert "98.910%" in line.formula_en and "2% of fee 10000.00" in line.formula_en
    assert not line.provisional

    # a typhoon excuses 12:00-14:00 for every unit: 14 h counted of 1464 h → 99.044%, met
    stream.add(
        "force_majeure", t("2026-03-10 12:00"), None, until=t("2026-03-10 14:00").isoformat()
    )
    report = stream.report(t("2026-04-01 00:00"))
    march = period(report, "availability", "2026-03")
    assert march.detail["assets"][0]["service_seconds"] == 732 * 3600
    assert march.to_json()["figure"] == "99.044"
    assert credits(report) == []


def test_open_downtime_counts_to_as_of_and_is_charged_provisionally() -> None:
    # down since 1 March 00:00, still at 1 March 20:00: 20 h of 2 × 20 h so far → 50%
    stream = Stream()
    stream.add("reported", t("2026-03-01 00:00"), severity="emergency", asset="U2")
    report = stream.report(t("2026-03-01 20:00"))
    march = period(report, "availability", "2026-03")
    assert march.provisional
    # Sunday 1 March: the 02:00-04:00 window is out of both service time and downtime
    assert march.to_json()["figure"] == "50.000"
    assert credits(report) == [("2026-03", "500.00")]  # below 98% → 5%
    assert report.charges.penalties[-1].provisional


def test_satisfaction_is_the_average_score_and_unscored_callbacks_are_listed() -> None:
    stream = Stream()
    stream.add("callback_done", t("2026-03-02 10:00"), "T-1", score=100)
    stream.add("callback_done", t("2026-03-03 10:00"), "T-2", score="80")
    stream.add("callback_done", t("2026-03-04 10:00"), "T-3")
    stream.add("callback_done", t("2026-03-05 10:00"), "T-4", score="good")
    report = stream.report(t("2026-04-01 00:00"))
    march = period(report, "satisfaction", "2026-03")
    assert march.figure == Decimal(90)
    assert march.status == "met"  # exactly the target is not below it
    assert [u["reason"] for u in march.detail["unscored"]] == [
        "no score recorded",
        "score 'good' is not a number",
    ]
    stream.add("callback_done", t("2026-03-06 10:00"), "T-5", score=85)
    march = period(stream.report(t("2026-04-01 00:00")), "satisfaction", "2026-03")
    assert march.to_json()["figure"] == "88.333"  # (100 + 80 + 85) / 3
    assert march.status == "below"
    assert "average of 3 score(s) 88.333 / 100" in march.basis[0]


def _variant(old: str, new: str) -> str:
    assert old in EXAMPLE_TEXT, old
    return EXAMPLE_TEXT.replace(old, new, 1)


TIERS = EXAMPLE_TEXT[EXAMPLE_TEXT.index("    tiers:") : EXAMPLE_TEXT.index("  - id: W-final")]


@pytest.mark.parametrize(
    ("hours", "amount"),
    [(16, "100.00"), (44, "300.00")],
)
def test_per_started_step_below_target_with_a_cap(hours: int, amount: str) -> None:
    # 1% of the fee per started 0.1 point below 99%, at most 3%:
    # 16 h: 98.910% is 0.090 below → 1 step → 100.00; 44 h: 97.003% → 20 steps, capped at 3%
    text = _variant(TIERS, '    per_started: {step: "0.1", percent: "1"}\n    max_percent: "3"\n')
    contract = parse_contract(text, Path("contracts/variant.yaml"))
    stream = Stream(contract)
    stream.add("reported", t("2026-03-02 00:00"), severity="major", asset="U1")
    stream.add(
        "resolved",
        t("2026-03-02 00:00") + (t("2026-03-03 00:00") - t("2026-03-02 00:00")) * hours / 24,
    )
    report = stream.report(t("2026-04-01 00:00"))
    assert credits(report) == [("2026-03", amount)]


def test_on_time_rate_measure() -> None:
    text = _variant(
        "  - id: satisfaction\n",
        '  - id: onsite-rate\n    kind: on_time_rate\n    target: "95"\n'
        "    commitments: [onsite-30min]\n  - id: satisfaction\n",
    )
    contract = parse_contract(text, Path("contracts/variant.yaml"))
    stream = Stream(contract)
    stream.add("reported", t("2026-03-02 09:00"), "T-1", severity="general", asset="U1")
    stream.add("arrived", t("2026-03-02 09:20"), "T-1")
    stream.add("reported", t("2026-03-03 09:00"), "T-2", severity="general", asset="U1")
    stream.add("arrived", t("2026-03-03 09:40"), "T-2")
    march = period(stream.report(t("2026-04-01 00:00")), "onsite-rate", "2026-03")
    assert (march.to_json()["figure"], march.status) == ("50.000", "below")
    assert march.detail == {"judged": 2, "met": 1, "breached": 1}


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    assets: [U1, U2]",
            "    assets: [U1, U9]",
            "measures.0.assets.1",
            "'U9' is not defined",
        ),
        (
            "    maintenance: maintenance",
            "    maintenance: maint",
            "measures.0.maintenance",
            "'maint'",
        ),
        ("    measure: availability", "    measure: uptime", "clauses.9.measure", "'uptime'"),
        ('    target: "99"', '    target: "199"', "measures.0.target", "up to 100"),
        (
            '    fee: "10000.00"',
            '    fee: "10000.00"\n    per_started: {step: 1, percent: 1}',
            "clauses.9",
            "either 'tiers'",
        ),
        (
            "    scored_by: callback_done",
            "    scored_by: call_back",
            "measures.1.scored_by.0.type",
            "'call_back'",
        ),
    ],
)
def test_measure_errors_name_file_line_and_field(
    old: str, new: str, field: str, message: str
) -> None:
    with pytest.raises(ContractError) as info:
        parse_contract(_variant(old, new), Path("contracts/bad.yaml"))
    problems = info.value.problems
    assert any(
        field in p and message in p and p.startswith("contracts/bad.yaml:") for p in problems
    ), problems


def test_the_tender_declares_its_measures() -> None:
    assert [m.id for m in TENDER.measures] == ["availability", "satisfaction"]


def test_replay_and_statement_show_the_figures(tmp_path: Path) -> None:
    from tests.test_cli import EXAMPLE, run

    stream = Stream()
    stream.add("reported", t("2026-03-10 08:00"), severity="major", asset="U1")
    stream.add("resolved", t("2026-03-11 00:00"))
    stream.add("callback_done", t("2026-03-11 09:00"), score=70)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(item) + "\n" for item in stream.raw), encoding="utf-8")
    as_of = "2026-04-01T00:00:00+08:00"
    table = run("replay", EXAMPLE, str(events), "--as-of", as_of)
    assert table.returncode == 0, table.stderr
    for needle in ("measures (per period", "98.910%", "below", "70.000%", "SC-availability"):
        assert needle in table.stdout, needle
    statement = run("statement", EXAMPLE, str(events), "--period", "2026-03", "--as-of", as_of,
                    "-f", "json")  # fmt: skip
    assert statement.returncode == 0, statement.stderr
    data = json.loads(statement.stdout)
    assert [(m["measure"], m["figure"], m["status"]) for m in data["measures"]] == [
        ("availability", "98.910", "below"),
        ("satisfaction", "70.000", "below"),
    ]
    lines = [(x["clause"], x["amount"]) for x in data["penalties"] if x["kind"] == "measure_credit"]
    assert lines == [("SC-availability", "200.00")]
    zh = run("statement", EXAMPLE, str(events), "--period", "2026-03", "--as-of", as_of,
             "--lang", "zh")  # fmt: skip
    assert "考核指标" in zh.stdout and "停机16 h" in zh.stdout


@pytest.mark.parametrize(
    ("period", "as_of", "expected"),
    [
        ("month", "2026-03-02 00:00", ["2026-01-15", "2026-02-01", "2026-03-01", "2026-04-01"]),
        ("quarter", "2026-07-01 00:01", ["2026-01-15", "2026-04-01", "2026-07-01", "2026-10-01"]),
        ("contract_year", "2027-01-16 00:00", ["2026-01-15", "2027-01-15", "2028-01-15"]),
    ],
)
def test_periods_start_at_acceptance(period: str, as_of: str, expected: list[str]) -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    from slaengine.measures.periods import measure_periods

    spans = measure_periods(period, date(2026, 1, 15), ZoneInfo("Asia/Shanghai"), t(as_of))
    bounds = [spans[0][0]] + [end for _, end in spans]
    assert [b.date().isoformat() for b in bounds] == expected


SERVICE_ONLY = """
id: SVC-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-03-01
severities: {major: 重大}
calendars: {always: {kind: 24x7}}
commitments:
  - {id: fix-4h, start: reported, stop: resolved, target: 4h, calendar: always}
measures:
  - {id: uptime, kind: availability, period: month, target: "99.9"}
"""


def test_a_contract_without_assets_measures_the_service_as_a_whole() -> None:
    contract = parse_contract(SERVICE_ONLY, Path("contracts/service.yaml"))
    stream = Stream(contract)
    stream.add("reported", t("2026-03-02 09:00"), "T-1", severity="major")
    stream.add("resolved", t("2026-03-02 11:00"), "T-1")
    stream.add("reported", t("2026-03-02 10:00"), "T-2", severity="major")  # overlaps T-1
    stream.add("resolved", t("2026-03-02 12:00"), "T-2")
    march = period(stream.report(t("2026-04-01 00:00")), "uptime", "2026-03")
    assert march.detail["assets"] == [
        {"asset": "service", "service_seconds": 744 * 3600, "down_seconds": 3 * 3600}
    ]
    assert (march.to_json()["figure"], march.status) == ("99.597", "below")  # 741 / 744
