"""Penalties, compensation, caps and waivers, with amounts computed by hand.

The example tender (reference section 8, price 1280000.00) for the clauses it has; small inline
contracts for the kinds and caps it does not use (service credit, contract-total cap, ...).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from slaengine.contract import Contract, parse_contract
from slaengine.contract.models import Clause
from slaengine.evaluate import Report
from slaengine.events import Intake
from slaengine.obligations import BREACHED, MET, ObligationPeriod
from slaengine.penalties import Line, charge
from slaengine.penalties.kinds import KINDS
from tests.tender import TENDER, Stream, t

D = Decimal


def flow(
    stream: Stream,
    ticket: str,
    reported: str,
    severity: str = "general",
    asset: str = "U1",
    ack: float | None = 1,
    dispatch: float | None = 5,
    arrive: float | None = 20,
    fix: float | None = 20,
    report: float | None = 60,
    callback: float | None = 120,
) -> Stream:
    """A ticket's usual events, at minutes after the report (fix: minutes after arrival;
    report and callback: minutes after the fix). None leaves an event out."""
    start = t(reported)
    stream.add("reported", start, ticket, severity=severity, asset=asset)
    for kind, offset in (("acknowledged", ack), ("dispatched", dispatch), ("arrived", arrive)):
        if offset is not None:
            stream.add(kind, start + timedelta(minutes=offset), ticket)
    if arrive is not None and fix is not None:
        resolved = start + timedelta(minutes=arrive + fix)
        stream.add("resolved", resolved, ticket)
        if report is not None:
            stream.add("report_submitted", resolved + timedelta(minutes=report), ticket)
        if callback is not None:
            stream.add("callback_done", resolved + timedelta(minutes=callback), ticket)
    return stream


def inspected(stream: Stream) -> Stream:
    """Every quarterly inspection of contract year 1 done, for both units (so that tests
    running for months are not charged P-inspection unless they mean to be)."""
    for day in ("2026-02-20", "2026-05-20", "2026-08-20", "2026-11-20"):
        for unit in ("U1", "U2"):
            stream.add("inspection_done", t(f"{day} 10:00"), None, asset=unit)
    return stream


def period(asset: str, start: str, end: str, status: str) -> ObligationPeriod:
    """An inspection period as slaengine.obligations judges it (made by hand here, so the
    test is about what a missed period costs, not about how periods are judged)."""
    return ObligationPeriod("inspection", asset, 0, t(f"{start} 00:00"), t(f"{end} 00:00"), status)


def amounts(lines: list[Line]) -> dict[str, Decimal | None]:
    return {line.id: line.amount for line in lines}


def only(lines: list[Line], clause: str) -> Line:
    found = [line for line in lines if line.clause == clause]
    assert len(found) == 1, [line.id for line in lines]
    return found[0]


# -- the example tender ------------------------------------------------------------------------


def test_onsite_24_minutes_late_is_three_started_ten_minutes() -> None:
    report = flow(Stream(), "T-1", "2026-03-02 10:00", arrive=54).report(t("2026-03-05 00:00"))
    charges = charge(report)
    line = only(charges.penalties, "P-onsite")
    assert line.amount == D("600.00")
    assert line.formula_en == "3 × 200.00 per started 10 min, 24 min late"
    assert line.formula_zh == "3 × 200.00 每超时10分钟（不足按10分钟计），超时24分钟"
    assert (line.ticket, line.commitment, line.cycle) == ("T-1", "onsite-30min", 1)
    assert line.late_by_seconds == 24 * 60
    assert line.occurred_at == t("2026-03-02 10:30")  # the deadline
    assert line.contract_year == 1
    assert not line.provisional
    assert charges.totals().penalties == D("600.00")
    assert charges.compensation == []


def test_onsite_per_breach_cap() -> None:
    # 5 h late: 30 started 10 minutes × 200.00 = 6000.00, capped at 5000.00 per breach.
    report = flow(Stream(), "T-1", "2026-03-02 10:00", arrive=330).report(t("2026-03-05 00:00"))
    line = only(charge(report).penalties, "P-onsite")
    assert line.amount == D("5000.00")
    assert line.uncapped_amount == D("6000.00")
    assert line.formula_en == (
        "30 × 200.00 per started 10 min, 5 h late = 6000.00, capped at 5000.00 per breach"
    )
    assert line.formula_zh.endswith("= 6000.00，每次封顶5000.00")


def test_major_repair_61_minutes_late_is_two_started_hours_of_0_05_percent() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", severity="major", arrive=20, fix=121)
    line = only(charge(stream.report(t("2026-03-05 00:00"))).penalties, "P-repair")
    assert line.commitment == "repair-major-1h"
    assert line.amount == D("1280.00")
    assert line.formula_en == (
        "2 × 640.00 (0.05% of price 1280000.00) per started 1 h, 1 h 1 min late"
    )
    assert line.formula_zh == (
        "2 × 640.00（合同价1280000.00的0.05%） 每超时1小时（不足按1小时计），超时1小时1分钟"
    )


def test_repair_is_capped_at_one_percent_of_the_price_per_breach() -> None:
    # Arrived 10:20, due 11:20, resolved next day 08:00: 20 h 40 min late, 21 started hours,
    # 21 × 640.00 = 13440.00, capped at 1% of 1280000.00 = 12800.00.
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", severity="major", fix=1300)
    line = only(charge(stream.report(t("2026-03-05 00:00"))).penalties, "P-repair")
    assert line.amount == D("12800.00")
    assert line.uncapped_amount == D("13440.00")
    assert "capped at 12800.00 (1% of price) per breach" in line.formula_en
    assert line.to_json()["uncapped_amount"] == "13440.00"


def test_late_answer_pays_the_costs_claimed_apart_from_the_penalty() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5)
    stream.add("cost_claimed", t("2026-03-02 12:00"), "T-1", amount="3500.00", reason="buses")
    charges = charge(stream.report(t("2026-03-05 00:00")))
    assert amounts(charges.penalties) == {"P-ack/T-1/ack-3min/1": D("500.00")}
    claim = only(charges.compensation, "C-costs")
    assert claim.amount == D("3500.00")
    assert claim.section == "compensation"
    assert claim.formula_en.startswith("cost claimed 3500.00 (event ")
    totals = charges.totals()
    assert (totals.penalties, totals.compensation, totals.chargeable) == (
        D("500.00"),
        D("3500.00"),
        D("4000.00"),
    )


def test_costs_are_paid_once_per_ticket_and_only_where_a_listed_commitment_was_breached() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5, arrive=45)  # ack and onsite late
    stream.add("cost_claimed", t("2026-03-02 12:00"), "T-1", amount="1000.00")
    stream.add("cost_claimed", t("2026-03-02 13:00"), "T-1", amount="250.50")
    flow(stream, "T-2", "2026-03-03 10:00", fix=45)  # only the repair is late: no C-costs
    stream.add("cost_claimed", t("2026-03-03 12:00"), "T-2", amount="9999.00")
    charges = charge(stream.report(t("2026-03-06 00:00")))
    assert [(x.ticket, x.amount) for x in charges.compensation] == [
        ("T-1", D("1000.00")),
        ("T-1", D("250.50")),
    ]
    assert charges.totals().compensation == D("1250.50")


def test_compensation_is_not_capped_with_penalties() -> None:
    stream = inspected(Stream())
    for month in range(2, 12):  # ten site violations: 10 × 12800.00 = the yearly cap 128000.00
        stream.add("site_violation", t(f"2026-{month:02d}-01 09:00"), None, asset="U1")
    flow(stream, "T-1", "2026-12-01 10:00", ack=5)
    stream.add("cost_claimed", t("2026-12-01 12:00"), "T-1", amount="3500.00")
    charges = charge(stream.report(t("2026-12-31 00:00")))
    totals = charges.totals()
    assert totals.penalties_before_caps == D("128500.00")
    assert totals.cap_adjustments == D("-500.00")
    assert totals.penalties == D("128000.00")
    assert totals.compensation == D("3500.00")
    assert totals.chargeable == D("131500.00")


def test_factory_repair_lateness_is_wall_clock_time_past_the_deadline() -> None:
    # Sent Monday 2 March 10:00, due Thursday 5 March 10:00 (3 working days), back Monday
    # 9 March 11:00: 97 hours late on the wall clock (the weekend counts), 5 started 24 h.
    stream = flow(Stream(), "T-1", "2026-03-02 09:00")
    stream.add("sent_to_factory", t("2026-03-02 10:00"), "T-1")
    stream.add("returned_from_factory", t("2026-03-09 11:00"), "T-1")
    report = stream.report(t("2026-03-10 00:00"))
    line = only(charge(report).penalties, "P-factory")
    assert line.occurred_at == t("2026-03-05 10:00")
    assert line.late_by_seconds == 97 * 3600
    assert line.amount == D("7500.00")
    assert line.formula_en == "5 × 1500.00 per started 24 h, 4 d 1 h late"


def test_site_violation_costs_one_percent_of_the_price_each() -> None:
    stream = Stream()
    stream.add("site_violation", t("2026-03-02 11:00"), None, asset="U1", reason="smoking")
    stream.add("site_violation", t("2026-03-20 11:00"), None, asset="U2")
    charges = charge(stream.report(t("2026-04-01 00:00")))
    assert [x.amount for x in charges.penalties] == [D("12800.00"), D("12800.00")]
    first = charges.penalties[0]
    assert (first.source, first.ticket, first.asset, first.event_type) == (
        "event",
        None,
        "U1",
        "site_violation",
    )
    assert first.occurred_at == t("2026-03-02 11:00")
    assert first.formula_en.startswith("1% of price 1280000.00 = 12800.00, event site_violation")
    assert charges.totals().penalties == D("25600.00")


def test_yearly_cap_of_ten_percent_keeps_the_lines_and_adds_an_adjustment() -> None:
    stream = inspected(Stream())
    for month in range(2, 13):  # 11 violations in contract year 1: 140800.00 owed
        stream.add("site_violation", t(f"2026-{month:02d}-01 09:00"), None, asset="U1")
    stream.add("site_violation", t("2027-02-01 09:00"), None, asset="U1")  # year 2
    charges = charge(stream.report(t("2027-03-01 00:00")))
    assert len(charges.penalties) == 12
    assert all(line.amount == D("12800.00") for line in charges.penalties)
    [adjustment] = charges.adjustments
    assert adjustment.amount == D("-12800.00")
    assert adjustment.contract_year == 1
    assert adjustment.occurred_at == t("2026-12-01 09:00")  # where the cap bit
    assert adjustment.formula_en == (
        "yearly cap 128000.00 (10% of price), contract year 1 (2026-01-15 – 2027-01-14): "
        "penalties 140800.00 − cap 128000.00 = 12800.00 over the cap"
    )
    assert adjustment.formula_zh.startswith("年度封顶128000.00（合同价的10%），第1合同年")
    totals = charges.totals()
    assert totals.penalties_before_caps == D("153600.00")
    assert totals.penalties == D("140800.00")  # 128000.00 in year 1 + 12800.00 in year 2
    data = charges.to_json()
    assert data["totals"]["penalties"] == "140800.00"
    assert data["adjustments"][0]["amount"] == "-12800.00"


def test_open_breach_is_charged_on_the_lateness_so_far_and_marked_provisional() -> None:
    stream = Stream().add("reported", t("2026-03-02 10:00"), "T-1", severity="general")
    charges = charge(stream.report(t("2026-03-02 10:45")))
    # ack due 10:03 → 42 min late; on site due 10:30 → 15 min late: 2 × 200.00.
    assert amounts(charges.penalties) == {
        "P-ack/T-1/ack-3min/1": D("500.00"),
        "P-onsite/T-1/onsite-30min/1": D("400.00"),
    }
    assert all(line.provisional for line in charges.penalties)
    assert charges.totals().provisional == D("900.00")
    assert charges.to_json()["penalties"][0]["provisional"] is True


def test_a_withdrawn_breach_takes_its_penalty_with_it() -> None:
    stream = Stream().add("reported", t("2026-03-02 10:00"), "T-1", severity="general")
    stream.add("acknowledged", t("2026-03-02 10:01"), "T-1")
    before = charge(stream.report(t("2026-03-02 10:35")))
    assert amounts(before.penalties) == {"P-onsite/T-1/onsite-30min/1": D("200.00")}
    # Fixed by phone at 10:40: the visit was never owed, the on-site breach is withdrawn.
    stream.add("resolved", t("2026-03-02 10:40"), "T-1", remote=True)
    stream.add("report_submitted", t("2026-03-02 11:00"), "T-1")
    stream.add("callback_done", t("2026-03-02 12:00"), "T-1")
    after = charge(stream.report(t("2026-03-03 00:00")))
    assert after.penalties == []
    assert after.totals().penalties == D("0.00")


def test_excused_force_majeure_time_is_never_charged() -> None:
    stream = Stream().add(
        "force_majeure",
        t("2026-03-02 10:10"),
        None,
        until=t("2026-03-02 10:40").isoformat(),
        reason="typhoon",
    )
    # On site due 10:30 + 30 min excused = 11:00; arrived 11:05: 5 min late, 1 × 200.00.
    flow(stream, "T-1", "2026-03-02 10:00", dispatch=44, arrive=65)
    line = only(charge(stream.report(t("2026-03-03 00:00"))).penalties, "P-onsite")
    assert line.late_by_seconds == 300
    assert line.amount == D("200.00")


def test_plan_and_report_are_fixed_amounts() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", severity="emergency", report=200)
    stream.add("plan_provided", t("2026-03-02 10:07"), "T-1")
    charges = charge(stream.report(t("2026-03-04 00:00")))
    assert amounts(charges.penalties) == {
        "P-plan/T-1/emergency-plan-5min/1": D("1000.00"),
        "P-report/T-1/report-3h/1": D("300.00"),
    }
    assert only(charges.penalties, "P-report").formula_en == "300.00 per breach, 20 min late"


def test_failed_final_inspection_is_a_remedy_line_without_an_amount() -> None:
    stream = Stream().add("final_inspection", t("2028-12-20 10:00"), None, asset="U1", passed=False)
    stream.add("final_inspection", t("2028-12-20 15:00"), None, asset="U2", passed=True)
    charges = charge(stream.report(t("2029-01-01 00:00")))
    [remedy] = charges.remedies
    assert (remedy.clause, remedy.asset, remedy.amount) == ("W-final", "U1", None)
    assert remedy.formula_en.startswith("warranty of U1 extended by 1 year")
    assert remedy.to_json()["amount"] is None
    assert all(line.clause != "W-final" for line in charges.penalties)


def test_missed_inspection_period_costs_2000_and_belongs_to_the_year_it_closes() -> None:
    report = Stream().report(t("2027-02-01 00:00"))
    report = replace(
        report,
        periods=[
            period("U1", "2026-07-15", "2026-10-15", MET),
            period("U1", "2026-10-15", "2027-01-15", BREACHED),
        ],
    )
    [line] = charge(report).penalties
    assert (line.clause, line.obligation, line.asset, line.amount) == (
        "P-inspection",
        "inspection",
        "U1",
        D("2000.00"),
    )
    assert line.occurred_at == t("2027-01-15 00:00")
    assert line.contract_year == 1  # the period closes year 1; its end is not in year 2
    assert line.formula_en == "2000.00 per breach, missed period 2026-10-15 – 2027-01-14"


# -- waivers -----------------------------------------------------------------------------------


def test_a_waived_breach_stays_in_the_trail_and_leaves_the_totals() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", arrive=54)
    stream.add(
        "breach_waived",
        t("2026-03-10 09:00"),
        "T-1",
        commitment="onsite-30min",
        reason="road closed by police",
        by="Li Wei (customer)",
    )
    charges = charge(stream.report(t("2026-03-31 00:00")))
    line = only(charges.penalties, "P-onsite")
    assert line.waived and line.amount == D("600.00")
    assert (line.waiver_reason, line.waived_by) == ("road closed by police", "Li Wei (customer)")
    totals = charges.totals()
    assert (totals.penalties, totals.waived) == (D("0.00"), D("600.00"))
    assert line.to_json()["waiver_reason"] == "road closed by police"
    assert charges.unapplied_waivers == []


def test_waiving_one_breach_keeps_the_costs_another_breach_owes() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5, arrive=45)
    stream.add("cost_claimed", t("2026-03-02 12:00"), "T-1", amount="3500.00")
    stream.add(
        "breach_waived", t("2026-03-03 09:00"), "T-1", commitment="ack-3min", reason="r", by="b"
    )
    charges = charge(stream.report(t("2026-03-31 00:00")))
    claim = only(charges.compensation, "C-costs")
    assert not claim.waived and claim.commitment == "onsite-30min"
    assert only(charges.penalties, "P-ack").waived
    assert charges.totals().compensation == D("3500.00")
    assert charges.totals().penalties == D("400.00")  # on site 15 min late: 2 × 200.00


def test_a_waiver_can_name_one_clause_and_one_cycle() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5)
    stream.add("reopened", t("2026-03-03 10:00"), "T-1")
    stream.add("acknowledged", t("2026-03-03 10:05"), "T-1")  # late again in cycle 2
    stream.add("dispatched", t("2026-03-03 10:06"), "T-1")
    stream.add("arrived", t("2026-03-03 10:20"), "T-1")
    stream.add("resolved", t("2026-03-03 10:30"), "T-1")
    stream.add("report_submitted", t("2026-03-03 11:00"), "T-1")
    stream.add("callback_done", t("2026-03-03 12:00"), "T-1")
    stream.add("cost_claimed", t("2026-03-03 13:00"), "T-1", amount="800.00")
    stream.add(
        "breach_waived",
        t("2026-03-04 09:00"),
        "T-1",
        commitment="ack-3min",
        cycle=2,
        clause="P-ack",
        reason="caller gave a wrong number",
        by="duty supervisor",
    )
    charges = charge(stream.report(t("2026-03-31 00:00")))
    waived = {line.id: line.waived for line in charges.penalties}
    assert waived == {"P-ack/T-1/ack-3min/1": False, "P-ack/T-1/ack-3min/2": True}
    assert not only(charges.compensation, "C-costs").waived


def test_obligation_period_and_event_waivers_and_one_that_matches_nothing() -> None:
    stream = Stream()
    stream.add("site_violation", t("2026-03-02 11:00"), None, asset="U1")
    violation = stream.raw[-1]["id"]
    stream.add("breach_waived", t("2026-03-05 09:00"), None, event=violation, reason="r", by="b")
    stream.add(
        "breach_waived",
        t("2026-04-20 09:00"),
        None,
        asset="U1",
        obligation="inspection",
        period_start="2026-01-15T00:00:00+08:00",
        reason="site closed",
        by="customer",
    )
    stream.add(
        "breach_waived", t("2026-04-21 09:00"), "T-9", commitment="ack-3min", reason="r", by="b"
    )
    report = stream.report(t("2026-05-01 00:00"))
    report = replace(
        report,
        periods=[
            period("U1", "2026-01-15", "2026-04-15", BREACHED),
            period("U2", "2026-01-15", "2026-04-15", BREACHED),
        ],
    )
    charges = charge(report)
    assert {(x.clause, x.asset, x.waived) for x in charges.penalties} == {
        ("P-site", "U1", True),
        ("P-inspection", "U1", True),
        ("P-inspection", "U2", False),
    }
    assert charges.totals().penalties == D("2000.00")
    assert [w.ticket for w in charges.unapplied_waivers] == ["T-9"]


@pytest.mark.parametrize(
    ("attrs", "ticket", "error"),
    [
        ({"commitment": "ack-3min", "by": "b"}, "T-1", "attrs.reason"),
        ({"commitment": "ack-3min", "reason": "r"}, "T-1", "attrs.by"),
        ({"commitment": "ack-3min", "reason": "r", "by": "b"}, None, "ticket"),
        ({"obligation": "inspection", "reason": "r", "by": "b"}, None, "attrs.period_start"),
        ({"reason": "r", "by": "b"}, "T-1", "must name what it waives"),
        ({"commitment": "ack-3min", "cycle": "2", "reason": "r", "by": "b"}, "T-1", "attrs.cycle"),
    ],
)
def test_a_waiver_without_what_why_or_who_is_rejected(
    attrs: dict[str, object], ticket: str | None, error: str
) -> None:
    intake = Intake(TENDER)
    data: dict[str, object] = {
        "id": "W1",
        "contract": TENDER.id,
        "type": "breach_waived",
        "at": "2026-03-02T10:00:00+08:00",
        "attrs": attrs,
    }
    if ticket:
        data["ticket"] = ticket
    assert intake.offer(data, line=1) is None
    assert error in intake.rejected[0].error


@pytest.mark.parametrize("amount", [None, "3,500", "-1", True, "abc"])
def test_a_cost_claim_needs_an_amount(amount: object) -> None:
    intake = Intake(TENDER)
    attrs = {} if amount is None else {"amount": amount}
    data = {
        "id": "C1",
        "contract": TENDER.id,
        "type": "cost_claimed",
        "ticket": "T-1",
        "at": "2026-03-02T10:00:00+08:00",
        "attrs": attrs,
    }
    assert intake.offer(data, line=7) is None
    assert "attrs.amount" in intake.rejected[0].error


# -- small contracts for the other kinds and caps ----------------------------------------------

HEAD = """
id: SMALL-1
currency: CNY
price: "{price}"
timezone: Asia/Shanghai
accepted_on: {accepted}
severities: {{general: General}}
calendars: {{always: {{kind: 24x7}}}}
commitments:
  - id: answer
    start: reported
    stop: acknowledged
    target: 3m
    calendar: always
    clauses: [{clauses}]
"""


def small(
    body: str, clauses: str = "", price: str = "100000.00", accepted: str = "2026-01-15"
) -> Contract:
    text = HEAD.format(price=price, accepted=accepted, clauses=clauses) + body
    return parse_contract(text, Path("inline.yaml"))


def answers(contract: Contract, *calls: tuple[str, float]) -> Stream:
    """One ticket per (reported time, minutes to answer)."""
    stream = Stream(contract)
    for n, (when, minutes) in enumerate(calls, start=1):
        start = t(when)
        stream.add("reported", start, f"T-{n}", severity="general")
        stream.add("acknowledged", start + timedelta(minutes=minutes), f"T-{n}")
    return stream


def test_percent_of_price_per_breach_rounds_half_up_to_the_cent() -> None:
    contract = small(
        "clauses:\n  - {id: P, kind: percent_of_price, percent: '1'}\n", "P", price="1234.50"
    )
    charges = charge(answers(contract, ("2026-03-02 10:00", 4)).report(t("2026-04-01 00:00")))
    [line] = charges.penalties
    assert line.amount == D("12.35")  # 1% of 1234.50 = 12.345 → 12.35 (half up, not 12.34)
    assert line.formula_en == "1% of price 1234.50 = 12.35, 1 min late"


def test_percent_of_price_per_started_unit_with_a_capped_amount() -> None:
    contract = small(
        "clauses:\n  - {id: P, kind: percent_of_price_per_started, percent: '0.1', unit: 5m,"
        " cap: '250.00'}\n",
        "P",
    )
    stream = answers(contract, ("2026-03-02 10:00", 9), ("2026-03-03 10:00", 30))
    charges = charge(stream.report(t("2026-04-01 00:00")))
    # 6 min late: 2 × 100.00 = 200.00; 27 min late: 6 × 100.00 = 600.00 → capped at 250.00.
    assert [(x.amount, x.uncapped_amount) for x in charges.penalties] == [
        (D("200.00"), None),
        (D("250.00"), D("600.00")),
    ]


def test_yearly_cap_bites_across_a_contract_year_boundary() -> None:
    contract = small(
        "clauses:\n  - {id: P, kind: fixed, amount: '400.00'}\n"
        "caps:\n  per_contract_year: {amount: '1000.00'}\n",
        "P",
    )
    stream = answers(
        contract,
        ("2026-12-20 10:00", 5),  # year 1 (accepted 2026-01-15)
        ("2027-01-10 10:00", 5),  # year 1
        ("2027-01-14 23:50", 5),  # due 23:53: year 1, the third 400.00 — 200.00 over
        ("2027-01-14 23:58", 5),  # due 00:01 on 15 January: year 2
        ("2027-02-01 10:00", 5),  # year 2
    )
    charges = charge(stream.report(t("2027-03-01 00:00")))
    assert [x.contract_year for x in charges.penalties] == [1, 1, 1, 2, 2]
    assert [x.year_cut for x in charges.penalties] == [D(0), D(0), D("200.00"), D(0), D(0)]
    [adjustment] = charges.adjustments
    assert (adjustment.amount, adjustment.contract_year) == (D("-200.00"), 1)
    assert adjustment.occurred_at == t("2027-01-14 23:53")
    totals = charges.totals()
    assert (totals.penalties_before_caps, totals.penalties) == (D("2000.00"), D("1800.00"))
    # A billing month carries the cuts of its own lines; the months add up to the whole.
    january = charges.within(t("2027-01-01 00:00"), t("2027-02-01 00:00"))
    assert january.totals().penalties_before_caps == D("1200.00")
    assert [x.amount for x in january.adjustments] == [D("-200.00")]
    assert january.totals().penalties == D("1000.00")
    months = [
        ("2026-12-01", "2027-01-01"),
        ("2027-01-01", "2027-02-01"),
        ("2027-02-01", "2027-03-01"),
    ]
    assert sum(
        (charges.within(t(f"{a} 00:00"), t(f"{b} 00:00")).totals().penalties for a, b in months),
        D(0),
    ) == D("1800.00")


def test_contract_total_cap_applies_after_the_yearly_caps() -> None:
    contract = small(
        "clauses:\n  - {id: P, kind: fixed, amount: '400.00'}\n"
        "caps:\n  per_contract_year: {amount: '700.00'}\n  contract_total: {amount: '1000.00'}\n",
        "P",
    )
    stream = answers(
        contract,
        ("2026-03-02 10:00", 5),
        ("2026-04-02 10:00", 5),  # year 1: 800.00 → 700.00 (cut 100.00)
        ("2027-03-02 10:00", 5),
        ("2027-04-02 10:00", 5),  # year 2: 800.00 → 700.00; contract total 1400.00 → 1000.00
    )
    charges = charge(stream.report(t("2027-05-01 00:00")))
    cuts = [(x.year_cut, x.total_cut) for x in charges.penalties]
    assert cuts == [
        (D(0), D(0)),
        (D("100.00"), D(0)),
        (D(0), D("100.00")),  # 700 + 400 = 1100 > 1000
        (D("100.00"), D("300.00")),  # year 2 room 300 → 300 more is over the contract total
    ]
    kinds = [(x.kind, x.contract_year, x.amount) for x in charges.adjustments]
    assert kinds == [
        ("per_contract_year", 1, D("-100.00")),
        ("per_contract_year", 2, D("-100.00")),
        ("contract_total", 2, D("-400.00")),
    ]
    assert charges.totals().penalties == D("1000.00")


SERVICE_CREDIT = """
clauses:
  - id: SC
    kind: service_credit
    commitments: [answer]
    period: 1mo
    fee: "100000.00"
    tiers: [{below: 95, percent: 5}, {below: 90, percent: 10}]
    cap: "8000.00"
"""


def test_service_credit_by_tier_of_the_monthly_on_time_rate_with_a_cap() -> None:
    contract = small(SERVICE_CREDIT, accepted="2026-01-01")
    calls: list[tuple[str, float]] = []
    # January: 20 calls, 1 late → 95.0%: not below 95, no credit.
    calls += [(f"2026-01-{d:02d} 10:00", 4 if d == 1 else 2) for d in range(1, 21)]
    # February: 10 calls, 1 late → 90.0%: below 95, not below 90 → 5% of 100000.00 = 5000.00.
    calls += [(f"2026-02-{d:02d} 10:00", 4 if d == 1 else 2) for d in range(1, 11)]
    # March: 10 calls, 3 late → 70.0% → 10% = 10000.00, capped at 8000.00 per period.
    calls += [(f"2026-03-{d:02d} 10:00", 4 if d <= 3 else 2) for d in range(1, 11)]
    # April (open at as_of): 2 calls, 1 late so far → provisional 10%, capped.
    calls += [("2026-04-01 10:00", 4), ("2026-04-02 10:00", 2)]
    charges = charge(answers(contract, *calls).report(t("2026-04-10 00:00")))
    lines = [
        (x.period_start, x.amount, x.uncapped_amount, x.provisional) for x in charges.penalties
    ]
    assert lines == [
        (t("2026-02-01 00:00"), D("5000.00"), None, False),
        (t("2026-03-01 00:00"), D("8000.00"), D("10000.00"), False),
        (t("2026-04-01 00:00"), D("8000.00"), D("10000.00"), True),
    ]
    february = charges.penalties[0]
    assert february.formula_en == (
        "5% of fee 100000.00 = 5000.00: on-time rate 90.0% (9/10) below 95%, answer, "
        "2026-02-01 – 2026-02-28"
    )
    assert february.occurred_at == t("2026-03-01 00:00")  # the period's end
    assert "capped at 8000.00 per period" in charges.penalties[1].formula_en


def test_a_service_credit_cap_can_be_a_percentage_of_the_fee() -> None:
    by_fee = small(SERVICE_CREDIT.replace('cap: "8000.00"', 'cap_percent_of_fee: "8"'),
                   accepted="2026-01-01")  # fmt: skip
    calls = [(f"2026-03-{d:02d} 10:00", 4 if d <= 3 else 2) for d in range(1, 11)]
    (march,) = charge(answers(by_fee, *calls).report(t("2026-04-10 00:00"))).penalties
    assert (march.amount, march.uncapped_amount) == (D("8000.00"), D("10000.00"))
    assert "capped at 8000.00 (8% of fee) per period" in march.formula_en
    assert "（服务费的8%）" in march.formula_zh


def test_service_credit_leaves_waived_breaches_out_of_the_rate_and_can_be_waived() -> None:
    contract = small(SERVICE_CREDIT, accepted="2026-01-01")
    stream = answers(
        contract, *[(f"2026-02-{d:02d} 10:00", 4 if d <= 2 else 2) for d in range(1, 21)]
    )
    # 18/20 = 90.0% → 5%; waiving one of the two breaches makes it 18/19 = 94.7% → still 5%;
    # waiving both makes it 18/18 → no credit.
    base = charge(stream.report(t("2026-03-02 00:00")))
    assert [x.amount for x in base.penalties] == [D("5000.00")]
    stream.add(
        "breach_waived", t("2026-03-01 09:00"), "T-1", commitment="answer", reason="r", by="b"
    )
    one = charge(stream.report(t("2026-03-02 00:00")))
    assert "94.7% (18/19)" in one.penalties[0].formula_en
    stream.add(
        "breach_waived", t("2026-03-01 09:00"), "T-2", commitment="answer", reason="r", by="b"
    )
    assert charge(stream.report(t("2026-03-02 00:00"))).penalties == []
    period = Stream(contract)
    period.raw = list(stream.raw[:-2])
    period.add(
        "breach_waived",
        t("2026-03-01 09:00"),
        None,
        clause="SC",
        period_start="2026-02-01T00:00:00+08:00",
        reason="goodwill",
        by="account manager",
    )
    [line] = charge(period.report(t("2026-03-02 00:00"))).penalties
    assert line.waived and line.waived_by == "account manager"


def test_a_lateness_unit_must_have_a_fixed_length() -> None:
    with pytest.raises(Exception, match="unit of lateness"):
        small("clauses:\n  - {id: P, kind: per_started, amount: '1.00', unit: 1mo}\n", "P")


def test_the_report_json_carries_penalties_compensation_and_totals_as_strings() -> None:
    stream = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5, arrive=54)
    stream.add("cost_claimed", t("2026-03-02 12:00"), "T-1", amount="3500")
    data = stream.report(t("2026-03-05 00:00")).to_json()
    assert [
        (x["clause"], x["ticket"], x["commitment"], x["amount"]) for x in data["penalties"]
    ] == [
        ("P-ack", "T-1", "ack-3min", "500.00"),
        ("P-onsite", "T-1", "onsite-30min", "600.00"),
    ]
    assert [(x["clause"], x["ticket"], x["amount"]) for x in data["compensation"]] == [
        ("C-costs", "T-1", "3500.00")
    ]
    assert data["totals"]["penalties"] == "1100.00"
    assert data["totals"]["compensation"] == "3500.00"
    assert data["totals"]["chargeable"] == "4600.00"


def test_the_report_computes_charges_once() -> None:
    report: Report = flow(Stream(), "T-1", "2026-03-02 10:00", ack=5).report(t("2026-03-05 00:00"))
    assert report.charges is report.charges


def test_lines_are_in_the_contract_time_zone_years() -> None:
    # 2027-01-14T16:30Z is 2027-01-15 00:30 in Shanghai: contract year 2.
    stream = Stream().add("site_violation", datetime(2027, 1, 14, 16, 30, tzinfo=UTC), None)
    line = only(charge(stream.report(t("2027-02-01 00:00"))).penalties, "P-site")
    assert line.contract_year == 2


def test_every_clause_kind_a_contract_can_name_is_implemented() -> None:
    union = get_args(get_args(Clause)[0])
    names = {get_args(model.model_fields["kind"].annotation)[0] for model in union}
    assert names == set(KINDS)
