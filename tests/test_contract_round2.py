"""The contract language, round 2 (docs/contracts.md, "Round 2"): each construct on a small
contract, every figure computed by hand in the comments beside it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slaengine.contract import Contract, parse_contract
from slaengine.errors import ContractError
from slaengine.measures.periods import measure_periods
from slaengine.obligations import FINAL_INSPECTION
from slaengine.warranty import WarrantyBook
from tests.tender import Stream, t

BASE = """
id: R2
currency: CNY
timezone: Asia/Shanghai
accepted_on: 2026-01-01
severities: {general: {zh: 一般, en: general}}
event_types: [customer_message, agent_reply]
calendars:
  always: {kind: 24x7}
  office:
    kind: working_hours
    timezone: Asia/Shanghai
    hours: {mon-fri: ["09:00-18:00"]}
commitments:
  - id: update-2h
    start: customer_message
    stop: agent_reply
    target: 2h
    calendar: always
    runs: per_window
    clauses: [P-update]
  - id: answer-30m
    start: reported
    stop: acknowledged
    target: 30m
    calendar: office
    lateness: calendar
    clauses: [P-answer]
clauses:
  - {id: P-update, kind: fixed, amount: "100.00"}
  - {id: P-answer, kind: per_started, amount: "40.00", unit: 10m}
"""


def contract(extra: str = "", base: str = BASE) -> Contract:
    return parse_contract(base + extra, Path("r2.yaml"))


R2 = contract()


def problems(text: str) -> list[str]:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, Path("bad.yaml"))
    return caught.value.problems


# -- runs: per_window (Zammad's update time) ------------------------------------------------


def test_nudges_in_an_unanswered_thread_open_no_clock_of_their_own() -> None:
    stream = Stream(R2)
    stream.add("reported", t("2026-03-02 08:00"), severity="general")
    stream.add("acknowledged", t("2026-03-02 08:01"))
    stream.add("customer_message", t("2026-03-02 10:00"))  # opens the window: due 12:00
    stream.add("customer_message", t("2026-03-02 10:30"))  # nudges: nothing opens
    stream.add("customer_message", t("2026-03-02 11:00"))
    stream.add("customer_message", t("2026-03-02 11:45"))
    stream.add("agent_reply", t("2026-03-02 13:00"))  # 1 h late: one breach
    report = stream.report(t("2026-03-02 13:30"))
    clocks = [
        (c.occurrence, c.started_at, c.status, c.late_by_seconds)
        for c in report.clocks
        if c.commitment == "update-2h"
    ]
    assert clocks == [(1, t("2026-03-02 10:00"), "breached", 3600)]
    lines = [(x.id, str(x.amount)) for x in report.charges.penalties if x.clause == "P-update"]
    assert lines == [("P-update/T-1/update-2h/1#1", "100.00")]
    # on time: 0 of 1
    assert [c.status for c in report.clocks if c.commitment == "update-2h"].count("met") == 0


def test_per_start_counts_each_nudge_where_per_window_counts_one() -> None:
    """The docs' comparison: the same thread under ``runs: per_start`` is four clocks, the
    10:00 and 10:30 ones breached (due 12:00 and 12:30, answered 13:00), two met."""
    per_start = contract(base=BASE.replace("runs: per_window", "runs: per_start"))
    stream = Stream(per_start)
    stream.add("reported", t("2026-03-02 08:00"), severity="general")
    for at in ("10:00", "10:30", "11:00", "11:45"):
        stream.add("customer_message", t(f"2026-03-02 {at}"))
    stream.add("agent_reply", t("2026-03-02 13:00"))
    report = stream.report(t("2026-03-02 13:30"))
    assert [
        (c.occurrence, c.status, c.late_by_seconds)
        for c in report.clocks
        if c.commitment == "update-2h"
    ] == [(1, "breached", 3600), (2, "breached", 1800), (3, "met", 0), (4, "met", 0)]


def test_the_next_message_after_a_reply_opens_a_new_window() -> None:
    stream = Stream(R2)
    stream.add("reported", t("2026-03-02 08:00"), severity="general")
    stream.add("customer_message", t("2026-03-02 10:00"))
    stream.add("agent_reply", t("2026-03-02 10:30"))  # met
    stream.add("customer_message", t("2026-03-02 14:00"))  # window 2: due 16:00
    stream.add("customer_message", t("2026-03-02 15:00"))  # a nudge
    report = stream.report(t("2026-03-02 17:00"))
    clocks = [
        (c.occurrence, c.status, c.late_by_seconds)
        for c in report.clocks
        if c.commitment == "update-2h"
    ]
    assert clocks == [(1, "met", 0), (2, "breached", 3600)]  # open breach, 1 h so far


def test_a_window_unanswered_across_a_reopen_stays_one_window() -> None:
    windowed = contract(
        base=BASE.replace("start: customer_message", "start: [reported, customer_message]")
    )
    stream = Stream(windowed)
    stream.add("reported", t("2026-03-02 08:00"), severity="general")  # window 1: due 10:00
    stream.add("resolved", t("2026-03-02 09:00"))  # fixed, never answered
    stream.add("reopened", t("2026-03-02 09:30"))  # cycle 2: the window is still open
    stream.add("customer_message", t("2026-03-02 09:40"))
    stream.add("agent_reply", t("2026-03-02 13:00"))  # closes it: 3 h late
    stream.add("reopened", t("2026-03-02 14:00"))  # cycle 3, after a reply: a new window
    report = stream.report(t("2026-03-02 17:00"))
    clocks = [
        (c.cycle, c.occurrence, c.started_at, c.status, c.late_by_seconds)
        for c in report.clocks
        if c.commitment == "update-2h"
    ]
    assert clocks == [
        (1, 1, t("2026-03-02 08:00"), "breached", 3 * 3600),
        (3, 1, t("2026-03-02 14:00"), "breached", 3600),  # due 16:00, open at 17:00
    ]


# -- lateness on the commitment's calendar ----------------------------------------------------


def test_a_weekend_inside_the_lateness_does_not_count_on_the_calendar() -> None:
    # Mon-Fri 09:00-18:00: reported Fri 17:20, due 17:50, answered Mon 09:05:
    # late 17:50-18:00 (10 min) + 09:00-09:05 (5 min) = 15 working minutes -> 2 × 40.00
    stream = Stream(R2)
    stream.add("reported", t("2026-03-13 17:20"), severity="general")
    stream.add("acknowledged", t("2026-03-16 09:05"))
    report = stream.report(t("2026-03-16 12:00"))
    [clock] = [c for c in report.clocks if c.commitment == "answer-30m"]
    assert (clock.deadline, clock.status, clock.late_by_seconds) == (
        t("2026-03-13 17:50"),
        "breached",
        900,
    )
    [line] = [x for x in report.charges.penalties if x.clause == "P-answer"]
    assert line.amount == Decimal("80.00")
    assert line.formula_en == (
        "2 × 40.00 per started 10 min (⌈15 min / 10 min⌉ = 2), "
        "15 min late (working time of calendar office)"
    )
    assert line.formula_zh == (
        "2 × 40.00 每超时10分钟（不足按10分钟计；⌈15分钟 / 10分钟⌉ = 2），"
        "超时15分钟（按office日历的工作时间计）"
    )


def test_a_minimum_after_calendar_lateness_reads_as_one_sum() -> None:
    """The worked units sit beside the unit, so what a minimum or a cap appends after the
    formula (``= 0.60, at least 1.00``) follows the amount, never ``⌈…⌉ = 2``."""
    tiny = contract(
        '  - {id: P-tiny, kind: per_started, amount: "0.30", unit: 10m, minimum: "1.00"}\n',
        base=BASE.replace("clauses: [P-answer]", "clauses: [P-tiny]"),
    )
    stream = Stream(tiny)
    stream.add("reported", t("2026-03-13 17:20"), severity="general")
    stream.add("acknowledged", t("2026-03-16 09:05"))  # 15 working minutes: 2 × 0.30 = 0.60
    [line] = stream.report(t("2026-03-16 12:00")).charges.penalties
    assert (line.amount, line.formula_en) == (
        Decimal("1.00"),
        "2 × 0.30 per started 10 min (⌈15 min / 10 min⌉ = 2), 15 min late (working time of "
        "calendar office) = 0.60, at least 1.00",
    )


def test_wall_clock_lateness_stays_the_default() -> None:
    # the same ticket on the wall clock: Fri 17:50 -> Mon 09:05 = 63 h 15 min -> 380 units
    wall = contract(base=BASE.replace("    lateness: calendar\n", ""))
    assert wall.commitment("answer-30m").lateness == "wall_clock"
    stream = Stream(wall)
    stream.add("reported", t("2026-03-13 17:20"), severity="general")
    stream.add("acknowledged", t("2026-03-16 09:05"))
    report = stream.report(t("2026-03-16 12:00"))
    [line] = [x for x in report.charges.penalties if x.clause == "P-answer"]
    assert line.amount == Decimal("15200.00")
    assert line.formula_en == "380 × 40.00 per started 10 min, 2 d 15 h 15 min late"


def test_an_answer_before_the_next_working_moment_is_a_breach_late_by_nothing() -> None:
    # due Fri 18:00 (reported 17:30), answered Saturday: past the deadline, 0 working seconds
    stream = Stream(R2)
    stream.add("reported", t("2026-03-13 17:30"), severity="general")
    stream.add("acknowledged", t("2026-03-14 10:00"))
    report = stream.report(t("2026-03-16 12:00"))
    [clock] = [c for c in report.clocks if c.commitment == "answer-30m"]
    assert (clock.status, clock.late_by_seconds) == ("breached", 0)
    [line] = [x for x in report.charges.penalties if x.clause == "P-answer"]
    assert line.amount == Decimal("40.00")  # one started unit, as for any trigger


# -- minimum credits, compensation per started hour -----------------------------------------

MONEY = """  - {id: P-tiny, kind: per_started, amount: "0.30", unit: 10m, minimum: "1.00"}
  - {id: C-hour, kind: per_started, amount: "50.00", unit: 1h, pays: compensation}
caps:
  per_contract_year: {amount: "10.00"}
"""


def test_a_minimum_raises_a_small_credit_and_compensation_is_never_capped() -> None:
    text = BASE.replace("clauses: [P-answer]", "clauses: [P-tiny, C-hour]")
    paid = contract(MONEY, base=text.replace("    lateness: calendar\n", ""))
    stream = Stream(paid)
    stream.add("reported", t("2026-03-02 10:00"), severity="general")
    stream.add("acknowledged", t("2026-03-02 10:55"))  # due 10:30: 25 min late
    report = stream.report(t("2026-03-02 12:00"))
    # P-tiny: 3 × 0.30 = 0.90, at least 1.00; C-hour: 1 started hour = 50.00
    [tiny] = report.charges.penalties
    assert (tiny.amount, tiny.formula_en) == (
        Decimal("1.00"),
        "3 × 0.30 per started 10 min, 25 min late = 0.90, at least 1.00",
    )
    assert tiny.formula_zh.endswith("= 0.90，最低1.00")
    [hour] = report.charges.compensation
    assert (hour.clause, hour.section, hour.amount) == ("C-hour", "compensation", Decimal("50.00"))
    totals = report.charges.totals()
    # the yearly cap (10.00) leaves the penalty (1.00) and never touches compensation
    assert (totals.penalties, totals.compensation) == (Decimal("1.00"), Decimal("50.00"))


def test_pays_on_a_costs_clause_is_refused() -> None:
    text = BASE + "  - {id: C-costs, kind: costs, pays: penalty}\n"
    [problem] = problems(text)
    assert problem.startswith("bad.yaml:") and "clauses.2.pays" in problem
    assert "always compensation" in problem


def test_a_minimum_above_the_per_breach_cap_is_refused() -> None:
    text = BASE + '  - {id: P-x, kind: fixed, amount: "1.00", minimum: "2.00", cap: "1.50"}\n'
    [problem] = problems(text)
    line = len(text.splitlines())
    assert problem == (
        f"bad.yaml:{line}: clauses.2.minimum: minimum 2.00 is above the clause's per-breach "
        "cap (1.50), which would always win: lower the minimum or raise the cap"
    )


def test_a_minimum_below_the_per_breach_cap_raises_the_line_under_it() -> None:
    text = BASE.replace("clauses: [P-answer]", "clauses: [P-tiny]").replace(
        "    lateness: calendar\n", ""
    )
    capped = contract(
        '  - {id: P-tiny, kind: per_started, amount: "0.30", unit: 10m, minimum: "1.00", '
        'cap: "1.20"}\n',
        base=text,
    )
    stream = Stream(capped)
    stream.add("reported", t("2026-03-02 10:00"), severity="general")
    stream.add("acknowledged", t("2026-03-02 10:55"))  # 25 min late: 0.90, at least 1.00
    stream.add("reported", t("2026-03-02 11:00"), "T-2", severity="general")
    stream.add("acknowledged", t("2026-03-02 13:00"), "T-2")  # 90 min: 9 × 0.30 = 2.70 > 1.20
    lines = stream.report(t("2026-03-02 14:00")).charges.penalties
    assert [(x.ticket, x.amount) for x in lines] == [
        ("T-1", Decimal("1.00")),
        ("T-2", Decimal("1.20")),
    ]


# -- a rolling cap crossing a contract year ---------------------------------------------------

ROLLING = """  - {id: P-site, kind: fixed, amount: "400.00", on_event: site_violation}
caps:
  per_contract_year: {amount: "1000.00"}
  rolling: {months: 12, percent_of_fees: "10", monthly_fee: "1000.00"}
"""


def test_a_rolling_cap_bites_after_the_contract_year_resets() -> None:
    capped = contract(ROLLING)
    stream = Stream(capped)
    for n, day in enumerate(("2026-11-10", "2026-12-10", "2026-12-20", "2027-01-10", "2027-11-15")):
        stream.add("site_violation", t(f"{day} 09:00"), ticket=None, ref=f"V{n}")
    report = stream.report(t("2027-12-31 00:00"))
    cuts = [
        (x.occurred_at.date(), x.contract_year, x.year_cut, x.rolling_cut)
        for x in report.charges.penalties
    ]
    z = Decimal("0.00")
    assert cuts == [
        # Nov 2026: 11 months of fees since acceptance -> cap 1100.00; nothing given yet
        (date(2026, 11, 10), 1, z, z),
        # Dec: 12 months -> 1200.00; 400.00 given -> room 800.00
        (date(2026, 12, 10), 1, z, z),
        # year 1's cap 1000.00 leaves 200.00 of this line; the rolling room (400.00) takes it
        (date(2026, 12, 20), 1, Decimal("200.00"), z),
        # year 2 starts afresh, but Feb 2026 - Jan 2027 already holds 1000.00: room 200.00
        (date(2027, 1, 10), 2, z, Decimal("200.00")),
        # Dec 2026 - Nov 2027: 400 + 200 + 200 given -> room 400.00: paid in full
        (date(2027, 11, 15), 2, z, z),
    ]
    totals = report.charges.totals()
    assert totals.penalties_before_caps == Decimal("2000.00")
    assert totals.penalties == Decimal("1600.00")
    rolling = [x for x in report.charges.adjustments if x.kind == "rolling"]
    assert [(x.id, x.amount) for x in rolling] == [("cap/rolling/2027-01", Decimal("-200.00"))]
    assert rolling[0].formula_en == (
        "rolling cap 1200.00 (10% of fees 12 × 1000.00 = 12000.00) over any 12 months, "
        "2026-02 – 2027-01: penalties 1400.00 − cap 1200.00 = 200.00 over the cap"
    )
    assert "任意连续12个月封顶1200.00" in rolling[0].formula_zh


def test_what_the_rolling_cap_cut_leaves_the_year_its_room() -> None:
    """A part the rolling cap cut was never charged: it uses none of the year's room. Where
    both caps would cut a line, the one with less room left takes the cut."""
    capped = contract(
        ROLLING.replace('percent_of_fees: "10", monthly_fee: "1000.00"', 'amount: "800.00"')
    )
    stream = Stream(capped)
    days = ("2026-10-01", "2026-11-01", "2027-01-10", "2027-11-15", "2027-12-01", "2027-12-15")
    for n, day in enumerate(days):
        stream.add("site_violation", t(f"{day} 09:00"), ticket=None, ref=f"V{n}")
    charges = stream.report(t("2027-12-31 00:00")).charges
    z, all_of_it = Decimal("0.00"), Decimal("400.00")
    assert [(x.contract_year, x.year_cut, x.rolling_cut) for x in charges.penalties] == [
        (1, z, z),
        (1, z, z),  # Oct + Nov 2026: the window holds 800.00, its cap
        (2, z, all_of_it),  # Feb 2026 - Jan 2027 full: year 2 keeps all its 1000.00
        (2, z, z),  # Dec 2026 - Nov 2027: nothing given yet
        (2, z, z),  # Jan - Dec 2027: 400.00 given, room 400.00; the year's room is 600.00
        (2, z, all_of_it),  # window room 0 < year room 200.00: the rolling cap cuts
    ]
    # year 2 charged 800.00 of its 1000.00: no yearly adjustment at all
    assert [(x.id, x.amount) for x in charges.adjustments] == [
        ("cap/rolling/2027-01", Decimal("-400.00")),
        ("cap/rolling/2027-12", Decimal("-400.00")),
    ]
    assert charges.adjustments[1].formula_en == (
        "rolling cap 800.00 over any 12 months, 2027-01 – 2027-12: penalties 1600.00 − cap "
        "800.00 = 800.00 over the cap; 400.00 of it in this month"
    )
    assert charges.totals().penalties == Decimal("1600.00")


def test_a_yearly_cap_after_a_rolling_cut_counts_what_was_charged() -> None:
    capped = contract(
        ROLLING.replace('percent_of_fees: "10", monthly_fee: "1000.00"', 'amount: "1000.00"')
    )
    stream = Stream(capped)
    days = ("2026-10-01", "2026-11-01", "2027-01-10", "2027-11-15", "2027-12-01", "2027-12-15")
    for n, day in enumerate(days):
        stream.add("site_violation", t(f"{day} 09:00"), ticket=None, ref=f"V{n}")
    charges = stream.report(t("2027-12-31 00:00")).charges
    # Jan 2027: window room 200.00 -> cut 200.00; Nov, Dec 1: charged in full (year: 1000.00);
    # Dec 15: both rooms 0, the year's cap (first of equals) cuts it
    [year] = [x for x in charges.adjustments if x.kind == "per_contract_year"]
    assert year.formula_en == (
        "yearly cap 1000.00, contract year 2 (2027-01-01 – 2027-12-31): penalties after the "
        "rolling cap 1400.00 − cap 1000.00 = 400.00 over the cap"
    )
    assert charges.totals().penalties == Decimal("1800.00")  # 800.00 + 1000.00


@pytest.mark.parametrize("seed", range(20))
def test_the_yearly_and_rolling_caps_charge_what_both_allow_and_say_so(seed: int) -> None:
    """Seeded streams of violations: every line is charged the least of what it owes, the
    year's room and the window's room (each counting what was charged), and every adjustment
    line's words add up (penalties − cap = over)."""
    import random
    import re
    from datetime import timedelta

    from slaengine.penalties.caps import month_index

    pick = random.Random(seed)
    window_cap = Decimal(pick.choice(["800.00", "1000.00", "1500.00"]))
    year_cap = Decimal(pick.choice(["600.00", "1000.00", "2000.00"]))
    capped = contract(
        ROLLING.replace('{amount: "1000.00"}', f'{{amount: "{year_cap}"}}').replace(
            'percent_of_fees: "10", monthly_fee: "1000.00"', f'amount: "{window_cap}"'
        )
    )
    stream = Stream(capped)
    day = t("2026-01-05 09:00")
    for n in range(pick.randint(5, 25)):
        day += timedelta(days=pick.randint(1, 60))
        stream.add("site_violation", day, ticket=None, ref=f"V{n}")
    charges = stream.report(day + timedelta(days=1)).charges
    in_year: dict[int, Decimal] = {}
    in_month: dict[int, Decimal] = {}
    for line in sorted(charges.penalties, key=lambda x: x.order_key()):
        assert line.amount is not None
        month = month_index(line.billed_at, capped)
        window = sum(
            (in_month.get(m, Decimal(0)) for m in range(month - 11, month + 1)), Decimal(0)
        )
        year = in_year.get(line.contract_year, Decimal(0))
        expected = max(Decimal(0), min(line.amount, window_cap - window, year_cap - year))
        charged = line.amount - line.year_cut - line.rolling_cut
        assert charged == expected, line.id
        in_year[line.contract_year] = year + charged
        in_month[month] = in_month.get(month, Decimal(0)) + charged
    for adjustment in charges.adjustments:
        [(owed, cap, over)] = re.findall(
            r"penalties(?: after the rolling cap)? ([\d.]+) − cap ([\d.]+) = ([\d.]+)",
            adjustment.formula_en,
        )
        assert Decimal(owed) - Decimal(cap) == Decimal(over), adjustment.formula_en


def test_rolling_cap_errors_name_file_line_and_field() -> None:
    rolling = '  rolling: {months: 12, percent_of_fees: "10"}'
    text = BASE + f"caps:\n{rolling}\n"
    [problem] = problems(text)
    assert problem.startswith(f"bad.yaml:{text.splitlines().index(rolling) + 1}: caps.rolling:")
    assert "percent_of_fees needs monthly_fee" in problem


# -- measure periods of a week, a day, a fixed length -----------------------------------------


def test_weeks_days_and_fixed_lengths() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    accepted = date(2026, 1, 1)  # a Thursday
    weeks = measure_periods("week", accepted, zone, t("2026-01-13 12:00"))
    assert [(a.date(), b.date()) for a, b in weeks] == [
        (date(2026, 1, 1), date(2026, 1, 5)),  # a part week: Thursday to Sunday
        (date(2026, 1, 5), date(2026, 1, 12)),
        (date(2026, 1, 12), date(2026, 1, 19)),
    ]
    days = measure_periods("day", accepted, zone, t("2026-01-02 00:00"))
    assert [(a, b) for a, b in days] == [(t("2026-01-01 00:00"), t("2026-01-02 00:00"))]
    fives = measure_periods("5m", accepted, zone, t("2026-01-01 00:12"))
    assert [(a, b) for a, b in fives] == [
        (t("2026-01-01 00:00"), t("2026-01-01 00:05")),
        (t("2026-01-01 00:05"), t("2026-01-01 00:10")),
        (t("2026-01-01 00:10"), t("2026-01-01 00:15")),
    ]


AVAILABILITY = """assets:
  - {id: U1}
measures:
  - {id: avail-5m, kind: availability, period: 5m, target: "99"}
  - {id: avail-day, kind: availability, period: day, target: "99"}
"""


def test_availability_over_five_minute_and_daily_periods() -> None:
    measured = contract(AVAILABILITY)
    stream = Stream(measured)
    stream.add("reported", t("2026-03-02 10:02"), severity="general", asset="U1")
    stream.add("resolved", t("2026-03-02 10:04"))
    report = stream.report(t("2026-03-03 00:00"))
    by = {(p.measure, p.period_start): p for p in report.measures}
    five = by[("avail-5m", t("2026-03-02 10:00"))]
    # (300 s − 120 s) / 300 s = 60%
    assert (five.figure, five.status) == (Decimal(60), "below")
    day = by[("avail-day", t("2026-03-02 00:00"))]
    # (86400 − 120) / 86400 = 99.861%
    assert (round(day.figure, 3), day.status) == (Decimal("99.861"), "met")


def test_a_measure_period_that_is_no_period_is_refused() -> None:
    text = BASE + AVAILABILITY.replace("period: day", "period: fortnight")
    [problem] = problems(text)
    assert "measures.1.period" in problem and "'fortnight' is not a measure period" in problem
    assert problem.startswith("bad.yaml:")


# -- warranty extended by the time its repairs took (修理占用时间不计入有效期) ------------------

WARRANTY = """warranty:
  terms: {unit: 1y}
  extend_by_repairs: true
  final_inspection: false
assets:
  - {id: U1}
"""


def test_each_repair_moves_the_cover_end_by_its_days() -> None:
    covered = contract(WARRANTY)
    stream = Stream(covered)
    # 2026-03-02 09:00 -> 03-04 10:00: 49 h, 3 started days -> 2027-01-01 + 3 = 2027-01-04
    stream.add("reported", t("2026-03-02 09:00"), "T-1", severity="general", asset="U1")
    stream.add("resolved", t("2026-03-04 10:00"), "T-1")
    book = WarrantyBook.build(covered, stream.events())
    cover = book.cover("U1", date(2026, 6, 1))
    assert cover.expires == date(2027, 1, 4)
    assert "extended 3d by the repair reported" in cover.basis
    assert book.cover("U1", date(2026, 3, 1)).expires == date(2027, 1, 1)  # before it


def test_a_repair_spanning_the_warranty_end_keeps_the_asset_covered() -> None:
    covered = contract(WARRANTY)
    stream = Stream(covered)
    # begun 2026-12-30 under cover (ends 2027-01-01), done 2027-01-02 09:00: 72 h -> 3 days
    stream.add("reported", t("2026-12-30 09:00"), "T-1", severity="general", asset="U1")
    stream.add("resolved", t("2027-01-02 09:00"), "T-1")
    # begun after the (extended) cover ended: extends nothing
    stream.add("reported", t("2027-02-01 09:00"), "T-2", severity="general", asset="U1")
    stream.add("resolved", t("2027-02-05 09:00"), "T-2")
    book = WarrantyBook.build(covered, stream.events())
    assert book.cover("U1", date(2027, 1, 1)).covered  # during the repair, past the old end
    assert book.cover("U1", date(2027, 1, 3)).covered
    assert book.cover("U1", date(2027, 1, 4)).expires == date(2027, 1, 4)
    assert not book.cover("U1", date(2027, 3, 1)).covered


@pytest.mark.parametrize("replacement_first", [False, True])
def test_a_replacement_at_the_instant_a_repair_ends_comes_after_it(
    replacement_first: bool,
) -> None:
    covered = contract(WARRANTY)
    stream = Stream(covered)
    stream.add("reported", t("2026-03-01 09:00"), "T-1", severity="general", asset="U1")
    resolved = ("resolved", "T-1", None)
    replaced = ("part_replaced", None, "U1")
    for kind, ticket, asset in (replaced, resolved) if replacement_first else (resolved, replaced):
        stream.add(kind, t("2026-03-11 09:00"), ticket, asset=asset)
    cover = WarrantyBook.build(covered, stream.events()).cover("U1", date(2026, 6, 1))
    # the 10-day repair extended the old cover; the unit's fresh 1y term starts after it
    assert cover.expires == date(2027, 3, 11)
    assert "repair" not in cover.basis


def test_the_built_in_final_inspection_can_be_removed() -> None:
    kept = contract(WARRANTY.replace("  final_inspection: false\n", ""))
    removed = contract(WARRANTY)
    as_of = t("2027-02-01 00:00")
    with_it = Stream(kept).report(as_of).periods
    assert [p.obligation for p in with_it] == [FINAL_INSPECTION]  # 2026-12-01 - 2027-01-01
    assert Stream(removed).report(as_of).periods == []


# -- remedies by total repair time, without a deadline, and at one instant ---------------------

BY_TIME = """warranty:
  terms: {unit: 3y}
  final_inspection: false
assets:
  - {id: U1}
remedies:
  - id: replace-after-30-days
    name: {zh: 累计修理时间超过30日的免费更换, en: Replace after more than 30 days of repairs}
    repair_time: 30d
    repairs: resolved
    repair_from: reported
    done_by: part_replaced
"""


def fix(stream: Stream, ticket: str, start: str, end: str) -> None:
    stream.add("reported", t(start), ticket, severity="general", asset="U1")
    stream.add("resolved", t(end), ticket)


def test_a_remedy_is_owed_when_the_total_repair_time_passes_the_limit() -> None:
    owing = contract(BY_TIME)
    stream = Stream(owing)
    fix(stream, "T-1", "2026-03-01 09:00", "2026-03-11 09:00")  # 10 d
    fix(stream, "T-2", "2026-04-01 09:00", "2026-04-16 09:00")  # 15 d: 25 d in all
    fix(stream, "T-3", "2026-05-01 09:00", "2026-05-06 09:00")  # 5 d: exactly 30 d, not over
    assert stream.report(t("2026-06-01 00:00")).periods == []
    fix(stream, "T-4", "2026-06-01 09:00", "2026-06-01 10:00")  # 1 h more: 30 d 1 h > 30 d
    [owed] = stream.report(t("2026-06-02 00:00")).periods
    assert (owed.obligation, owed.asset, owed.period_start, owed.status) == (
        "replace-after-30-days",
        "U1",
        t("2026-06-01 10:00"),
        "open",
    )
    assert owed.open_ended and owed.to_json()["period_end"] is None  # no deadline: never missed
    assert len(owed.met_by) == 4
    stream.add("part_replaced", t("2026-09-01 09:00"), None, asset="U1")
    [done] = stream.report(t("2026-10-01 00:00")).periods
    assert (done.status, done.met_at) == ("met", t("2026-09-01 09:00"))


def test_a_repair_after_a_reopen_counts_towards_the_total() -> None:
    owing = contract(BY_TIME.replace("    repair_from: reported\n", ""))  # the default
    stream = Stream(owing)
    fix(stream, "T-1", "2026-03-01 09:00", "2026-03-21 09:00")  # 20 d
    stream.add("reopened", t("2026-03-22 09:00"), "T-1")  # the fault is back on T-1
    stream.add("resolved", t("2026-04-05 09:00"), "T-1")  # 14 d more: 34 d > 30 d
    [owed] = stream.report(t("2026-05-01 00:00")).periods
    assert (owed.period_start, owed.status, len(owed.met_by)) == (
        t("2026-04-05 09:00"),
        "open",
        2,
    )


def test_a_reopened_ticket_moves_the_cover_end_by_its_second_repair_too() -> None:
    covered = contract(WARRANTY)
    stream = Stream(covered)
    fix(stream, "T-1", "2026-03-01 09:00", "2026-03-03 09:00")  # 2 days
    stream.add("reopened", t("2026-03-04 09:00"), "T-1")
    stream.add("resolved", t("2026-03-06 09:00"), "T-1")  # 2 days more
    book = WarrantyBook.build(covered, stream.events())
    assert book.cover("U1", date(2026, 6, 1)).expires == date(2027, 1, 5)  # 2027-01-01 + 4


def test_a_remedy_with_clauses_needs_a_target() -> None:
    text = BASE + BY_TIME.replace("    done_by: part_replaced\n", "    clauses: [P-update]\n")
    [problem] = problems(text)
    assert "remedies.0" in problem and "without a 'target' has no deadline" in problem


COUNTED = """warranty:
  terms: {unit: 3y}
  final_inspection: false
assets:
  - {id: U1}
remedies:
  - id: replace-third
    repairs: resolved
    count: 3
    target: 5d
    calendar: office
"""


@pytest.mark.parametrize(
    ("written", "field", "says"),
    [
        ("    count: 4\n", "count", "give 'count' (the n-th repair owes the remedy) or"),
        ("    calendar: office\n", "calendar", "a remedy's 'calendar' counts its 'target'"),
        ("    target: 5d\n", "target", "a remedy with a 'target' names the 'calendar'"),
    ],
)
def test_a_remedy_by_repair_time_names_the_field_it_cannot_take(
    written: str, field: str, says: str
) -> None:
    text = BASE + BY_TIME + written
    [problem] = problems(text)
    line = len(text.splitlines())  # the line written last
    assert problem.startswith(f"bad.yaml:{line}: remedies.0.{field}: {says}")


def test_repair_from_without_repair_time_is_refused_with_the_other_problems() -> None:
    text = BASE.replace("calendar: office", "calendar: offfice") + COUNTED.replace(
        "    count: 3\n", "    count: 3\n    repair_from: arrived\n"
    )
    found = problems(text)
    assert [p.split(": ")[1] for p in found] == ["commitments.1.calendar", "remedies.0.repair_from"]
    assert "only 'repair_time' counts" in found[1]


@pytest.mark.parametrize(
    ("written", "expected"), [("true", True), ("false", False), ("{until: closed}", True)]
)
def test_extend_by_repairs_is_switched_on_and_off(written: str, expected: bool) -> None:
    base = BASE.replace(
        "[customer_message, agent_reply]", "[customer_message, agent_reply, closed]"
    )
    parsed = contract(WARRANTY.replace("true", written), base=base)
    assert parsed.warranty is not None
    assert (parsed.warranty.extend_by_repairs is not None) is expected


def test_extend_by_repairs_that_is_no_repair_is_refused_in_words() -> None:
    text = BASE + WARRANTY.replace("extend_by_repairs: true", "extend_by_repairs: yes please")
    [problem] = problems(text)
    assert problem.endswith(
        "warranty.extend_by_repairs: 'yes please' is not a repair: write true, false, or the "
        "repair's events {from: reported, until: resolved}"
    )
    rolling = problems(BASE + "caps:\n  rolling: twelve\n")
    assert rolling[0].endswith(
        "caps.rolling: 'twelve' is not a mapping: write its fields here as key: value "
        "(see docs/contracts.md)"
    )


@pytest.mark.parametrize("replacement_first", [False, True])
def test_a_replacement_at_the_instant_of_the_repair_meets_it_in_either_order(
    replacement_first: bool,
) -> None:
    owing = contract(COUNTED)
    stream = Stream(owing)
    fix(stream, "T-1", "2026-03-02 09:00", "2026-03-02 10:00")
    fix(stream, "T-2", "2026-03-09 09:00", "2026-03-09 10:00")
    stream.add("reported", t("2026-03-16 09:00"), "T-3", severity="general", asset="U1")
    third = ("resolved", t("2026-03-16 10:00"), "T-3")
    replaced = ("part_replaced", t("2026-03-16 10:00"), None)
    for kind, at, ticket in (replaced, third) if replacement_first else (third, replaced):
        stream.add(kind, at, ticket, asset="U1" if ticket is None else None)
    [owed] = stream.report(t("2026-04-01 00:00")).periods
    assert (owed.status, owed.met_at) == ("met", t("2026-03-16 10:00"))


# -- rough edges -------------------------------------------------------------------------------

SITES = """
id: SITES
currency: CNY
timezone: Asia/Shanghai
severities: {general: general}
calendars: {always: {kind: 24x7}}
commitments: []
assets:
  - {id: S1, attrs: {site: north}}
  - {id: S2, attrs: {site: south}}
"""


def test_sites_need_no_acceptance_without_a_warranty() -> None:
    sites = parse_contract(SITES, Path("sites.yaml"))
    assert sites.accepted_on is None and [a.id for a in sites.assets] == ["S1", "S2"]
    stream = Stream(sites)
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset="S1")
    report = stream.report(t("2026-03-02 10:00"))
    assert report.clocks == [] and report.tickets[0].in_warranty is None


def test_type_errors_and_reference_errors_are_reported_together() -> None:
    text = BASE.replace("target: 2h", "target: 2 hours").replace(
        "calendar: office", "calendar: offfice"
    )
    found = problems(text)
    lines = text.splitlines()
    assert found == [
        f"bad.yaml:{lines.index('    target: 2 hours') + 1}: commitments.0.target: '2 hours' is "
        "not a duration: write a whole number and one of the units s, m (minutes), h, d, "
        "mo (months), y, e.g. '3m' or '1h'",
        f"bad.yaml:{lines.index('    calendar: offfice') + 1}: commitments.1.calendar: calendar "
        "'offfice' is not defined (defined: always, office)",
    ]


def test_the_raw_reference_checks_say_what_the_model_says() -> None:
    """The references are checked twice: by the model when the types are right, on the raw
    data when a type error stopped it. Both must find the same problems in the same words."""
    import yaml

    from slaengine.contract.loader import raw_reference_problems

    text = (
        BASE.replace("calendar: office", "calendar: offfice")
        .replace("clauses: [P-update]", "clauses: [P-updat]")
        .replace("stop: agent_reply", "stop: agent_replied")
        .replace("start: reported", "start: reported\n    applies_to: {severity: [majr]}")
        + '  - {id: P-x, kind: fixed, amount: "1.00", on_event: site_violaton}\n'
        + "warranty: {terms: {unit: 3y}, extend_by_repairs: {from: reportd}}\n"
        + "assets: [{id: U1}]\nmeasures:\n"
        + '  - {id: m, kind: on_time_rate, commitments: [nope], target: "90"}\n'
        + "remedies:\n  - {id: r, repair_time: 30d, repairs: fixd, repair_from: reopend}\n"
    )
    by_model = sorted(problem.split(": ", 1)[1] for problem in problems(text))
    by_raw = sorted(
        f"{field}: {message}" for field, message in raw_reference_problems(yaml.safe_load(text))
    )
    assert len(by_model) == 9 and by_model == by_raw
    # and with a type error beside them, every one is still reported at once
    typed = problems(text.replace("target: 2h", "target: 2 hours"))
    assert len(typed) == 10 and any("remedies.0.repair_from.0.type" in p for p in typed)


def test_new_terms_leave_old_fingerprints_alone() -> None:
    """A contract that uses none of the new terms dumps as before (its stored fingerprint,
    its meaning, does not change with this version)."""
    dumped = json.loads(R2.model_dump_json(by_alias=True))
    wall = contract(base=BASE.replace("    lateness: calendar\n", ""))
    plain = json.loads(wall.model_dump_json(by_alias=True))
    assert "lateness" in dumped["commitments"][1] and "lateness" not in plain["commitments"][1]
    assert "minimum" not in plain["clauses"][0] and "pays" not in plain["clauses"][0]
    assert "rolling" not in plain["caps"]


def test_an_empty_month_is_stated_with_nothing_owed(tmp_path: Path) -> None:
    from tests.test_cli import run

    path = tmp_path / "r2.yaml"
    path.write_text(BASE, encoding="utf-8")
    empty = tmp_path / "march.jsonl"
    empty.write_text("", encoding="utf-8")
    statement = run(
        "statement", str(path), str(empty), "--period", "2026-03",
        "--as-of", "2026-04-01T00:00:00+08:00", "-f", "json",
    )  # fmt: skip
    assert statement.returncode == 0, statement.stderr
    totals = json.loads(statement.stdout)["totals"]
    assert (totals["penalties"], totals["compensation"]) == ("0.00", "0.00")
    assert "judged as a time where nothing happened" in statement.stderr
    replay = run("replay", str(path), str(empty), "--as-of", "2026-04-01T00:00:00+08:00")
    assert replay.returncode == 0, replay.stderr


def test_contract_show_says_when_no_price_is_given(tmp_path: Path) -> None:
    from tests.test_cli import run

    path = tmp_path / "sites.yaml"
    path.write_text(SITES, encoding="utf-8")
    shown = run("contract", "show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "None" not in shown.stdout
    assert "not given (no term is a percentage of it); amounts in CNY" in shown.stdout


# -- the live service prices the new terms as replay does -------------------------------------

LIVE = (
    BASE.replace("clauses: [P-update]", "clauses: [P-update, P-tiny, C-hour]")
    + """  - {id: P-tiny, kind: per_started, amount: "0.30", unit: 30m, minimum: "1.00"}
  - {id: C-hour, kind: per_started, amount: "50.00", unit: 1h, pays: compensation}
"""
)


def test_the_live_service_stores_the_lines_replay_computes(tmp_path: Path) -> None:
    from sqlalchemy import select

    from slaengine.clock import FixedClock
    from slaengine.service import LiveService
    from slaengine.store import Store
    from slaengine.store.models import PenaltyLine
    from tests.test_cli import run

    path = tmp_path / "r2.yaml"
    path.write_text(LIVE, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'live.db'}"
    loaded = run("contract", "load", str(path), "--db", db, "--effective", "2026-01-01")
    assert loaded.returncode == 0, loaded.stderr
    live_contract = parse_contract(LIVE, path)
    stream = Stream(live_contract)
    stream.add("reported", t("2026-03-13 17:20"), severity="general")  # answer: 15 working min
    stream.add("customer_message", t("2026-03-13 10:00"))  # one window, due 12:00
    stream.add("customer_message", t("2026-03-13 10:30"))
    stream.add("customer_message", t("2026-03-13 11:00"))
    stream.add("agent_reply", t("2026-03-13 13:00"))  # 1 h late
    stream.add("acknowledged", t("2026-03-16 09:05"))
    now = t("2026-03-16 12:00")
    clock = FixedClock(now)
    live = LiveService(Store.open(db, clock), clock, environ={})
    try:
        live.ingest(list(enumerate(stream.raw)), "test")
        live.run_due()
        with live.store.sessions() as session:
            stored = sorted(
                (row.line_id, row.section, row.amount, json.loads(row.body)["formula_en"])
                for row in session.scalars(select(PenaltyLine))
            )
    finally:
        live.store.close()
    charges = stream.report(now).charges
    replayed = sorted(
        (line.id, "compensation" if line.section == "compensation" else "penalties",
         str(line.amount), line.formula_en)
        for line in [*charges.penalties, *charges.compensation]
    )  # fmt: skip
    assert stored == replayed
    # and by hand: one window's breach (1 h late), the answer 15 working minutes late
    assert [(x[0], x[2]) for x in stored] == [
        ("C-hour/T-1/update-2h/1#1", "50.00"),
        ("P-answer/T-1/answer-30m/1", "80.00"),
        ("P-tiny/T-1/update-2h/1#1", "1.00"),
        ("P-update/T-1/update-2h/1#1", "100.00"),
    ]


def test_the_console_ticks_on_only_the_lateness_of_the_wall_clock(tmp_path: Path) -> None:
    """An open breach's lateness on the page grows between refreshes (data-late-since) only
    where it is wall-clock time: over a weekend a calendar's lateness stands still."""
    import re

    from fastapi.testclient import TestClient

    from slaengine.api.auth import Auth
    from slaengine.clock import FixedClock
    from slaengine.server import create_app
    from tests.live_support import open_service

    now = t("2026-03-14 12:00")  # a Saturday
    clock = FixedClock(now)
    live = open_service(f"sqlite:///{tmp_path / 'console.db'}", clock, LIVE, tmp_path)
    stream = Stream(contract(base=LIVE))
    stream.add("reported", t("2026-03-13 17:20"), severity="general")  # due Fri 17:50
    stream.add("customer_message", t("2026-03-14 09:00"))  # due 11:00, on the wall clock
    try:
        live.ingest(list(enumerate(stream.raw)), "test")
        live.run_due()
        auth = Auth(operator="op", viewer="view", clock=clock)
        client = TestClient(create_app(live.store, clock, service=live, auth=auth))
        page = client.get("/", headers={"Authorization": "Bearer view"}).text
    finally:
        live.store.close()
    late_cell = r'<td class="num late"([^>]*)>\+([^<]+)<'
    rows = re.findall(
        r'data-commitment="([\w-]+)" data-status="breached".*?' + late_cell, page, re.S
    )
    ticking = {commitment: "data-late-since" in attrs for commitment, attrs, _ in rows}
    assert ticking == {"answer-30m": False, "update-2h": True}
    assert dict((c, late) for c, _, late in rows)["answer-30m"] == "10 min"  # Fri 17:50-18:00


def test_an_escalation_tells_the_lateness_on_the_calendar(tmp_path: Path) -> None:
    """An escalation counts an open breach's lateness up to now as the core does: on the
    commitment's calendar for ``lateness: calendar``, not on the wall clock."""
    from sqlalchemy import select

    from slaengine.clock import FixedClock
    from slaengine.store.models import StoredAlert
    from tests.live_support import open_service

    text = (
        LIVE
        + """contacts:
  - {id: duty, channels: [{kind: log}], escalate_after: 1h, next: manager}
  - {id: manager, kinds: [breach, escalation], channels: [{kind: log}]}
"""
    )
    clock = FixedClock(t("2026-03-13 17:20"))
    live = open_service(f"sqlite:///{tmp_path / 'live.db'}", clock, text, tmp_path)
    stream = Stream(contract(base=text))
    stream.add("reported", t("2026-03-13 17:20"), severity="general")  # due Fri 17:50
    try:
        live.ingest(list(enumerate(stream.raw)), "test")
        clock.set(t("2026-03-13 17:51"))
        live.run_due()  # the breach alert; its escalation is due at 18:51
        clock.set(t("2026-03-13 18:52"))
        live.run_due()
        with live.store.sessions() as session:
            [payload] = session.scalars(
                select(StoredAlert.payload).where(StoredAlert.kind == "escalation")
            )
    finally:
        live.store.close()
    # 17:50-18:00 is working time, 18:00-18:52 is not: 10 minutes late, not 62
    assert json.loads(payload)["late_by_seconds"] == 600


def test_the_live_duties_pass_judges_a_remedy_by_total_repair_time_as_replay(
    tmp_path: Path,
) -> None:
    from sqlalchemy import select

    from slaengine.clock import FixedClock
    from slaengine.service import LiveService
    from slaengine.store import Store
    from slaengine.store.models import Breach, PenaltyLine

    text = BASE + BY_TIME.replace(
        "    done_by: part_replaced\n",
        "    done_by: part_replaced\n"
        "    target: 1d\n    calendar: always\n    clauses: [P-update]\n",
    )
    path = tmp_path / "by-time.yaml"
    path.write_text(text, encoding="utf-8")
    owing = parse_contract(text, path)
    stream = Stream(owing)
    fix(stream, "T-1", "2026-03-01 09:00", "2026-03-11 09:00")  # 10 d
    fix(stream, "T-2", "2026-04-01 09:00", "2026-04-16 09:00")  # 15 d
    fix(stream, "T-3", "2026-05-01 09:00", "2026-05-06 10:00")  # 5 d 1 h: 30 d 1 h in all
    deadline = t("2026-05-07 10:00")  # 1 day (24x7) from the repair that passed 30 days
    clock = FixedClock(deadline)
    store = Store.open(f"sqlite:///{tmp_path / 'live.db'}", clock)
    store.load_contract(text, path)
    live = LiveService(store, clock, environ={})
    try:
        live.ingest(list(enumerate(stream.raw)), "test")
        live.run_due()
        with live.store.sessions() as session:
            breaches = [
                (b.commitment, b.ticket, b.deadline)
                for b in session.scalars(select(Breach).where(Breach.kind == "obligation"))
            ]
            lines = [
                (p.line_id, p.amount)
                for p in session.scalars(
                    select(PenaltyLine).where(PenaltyLine.clause == "P-update")
                )
            ]
    finally:
        live.store.close()
    assert breaches == [("replace-after-30-days", "U1", deadline)]
    replayed = [
        (x.id, str(x.amount))
        for x in stream.report(deadline).charges.penalties
        if x.clause == "P-update"
    ]
    assert (
        lines
        == replayed
        == [(f"P-update/replace-after-30-days/U1/{t('2026-05-06 10:00').isoformat()}", "100.00")]
    )


def test_the_documented_example_owes_the_remedy_at_the_third_failure() -> None:
    """docs/contracts.md's 三包 example counts failures (``repairs: reported``): 经两次修理仍不能
    正常使用 is owed when the part fails the third time, not once that failure is repaired."""
    owing = contract(COUNTED.replace("repairs: resolved", "repairs: reported"))
    stream = Stream(owing)
    fix(stream, "T-1", "2026-03-02 09:00", "2026-03-02 10:00")
    fix(stream, "T-2", "2026-03-09 09:00", "2026-03-09 10:00")
    stream.add("reported", t("2026-03-16 09:00"), "T-3", severity="general", asset="U1")
    [owed] = stream.report(t("2026-03-16 09:30")).periods  # the third failure, not yet repaired
    # owed from Monday 09:00; 5 working days (Mon-Fri 09:00-18:00) -> Monday 23 March 09:00
    assert (owed.period_start, owed.period_end, owed.status) == (
        t("2026-03-16 09:00"),
        t("2026-03-23 09:00"),
        "open",
    )
    assert owed.to_json()["remedy"] is True


# -- the examples of docs/contracts.md can be copied as they are -------------------------------

ROUND2_SECTIONS = (
    "## A clock per window",
    "## Lateness on the commitment's calendar",
    "## Money terms",
    "## Repeat-failure remedies",
    "## Warranty terms of round 2",
)


def _doc_blocks() -> list[tuple[str, str]]:
    text = Path("docs/contracts.md").read_text(encoding="utf-8")
    found: list[tuple[str, str]] = []
    for heading in ROUND2_SECTIONS:
        section = text[text.index(heading) :]
        section = section[: section.find("\n## ", 3)]
        parts = section.split("```yaml\n")[1:]
        found += [(heading, part.split("```")[0]) for part in parts]
    return found


def _doc_contract(block: str) -> str:
    """An example pasted into BASE: clauses it names but does not write are added as plain
    fixed clauses, a warranty gets a unit to cover."""
    import yaml

    data = yaml.safe_load(BASE)
    fragment = yaml.safe_load(block)
    for key, value in fragment.items():
        if isinstance(value, list) and key != "event_types":
            ids = {item["id"] for item in value}
            data[key] = [x for x in data.get(key, []) if x["id"] not in ids] + value
        elif isinstance(value, list):
            data[key] = sorted({*data.get(key, []), *value})
        elif isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
    named = {ref for item in [*data["commitments"], *data.get("remedies", [])]
             for ref in item.get("clauses", [])}  # fmt: skip
    written = {clause["id"] for clause in data["clauses"]}
    data["clauses"] += [
        {"id": ref, "kind": "fixed", "amount": "100.00"} for ref in sorted(named - written)
    ]
    if "warranty" in data or "remedies" in data:
        data.setdefault("assets", [{"id": "U1"}])
        data.setdefault("warranty", {"terms": {"unit": "1y"}})
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(("heading", "block"), _doc_blocks())
def test_each_round2_example_of_the_docs_validates(heading: str, block: str) -> None:
    """Each example pasted into a contract: its terms validate."""
    parsed = parse_contract(_doc_contract(block), Path("docs-example.yaml"))
    assert parsed.id == "R2", heading


def test_a_period_shorter_than_a_day_is_shown_with_its_times() -> None:
    from slaengine.spans import period_bounds, span_text

    zone = ZoneInfo("Asia/Shanghai")
    start, end = t("2026-03-02 10:00"), t("2026-03-02 10:05")
    assert span_text(start, end, zone) == "2026-03-02 10:00 – 10:05"
    assert span_text(start, end, zone, "zh") == "2026-03-02 10:00至10:05"
    assert period_bounds(start, end, zone) == ("2026-03-02 10:00", "2026-03-02 10:05")
    # whole days keep their dates, both included
    assert span_text(t("2026-03-02 00:00"), t("2026-03-09 00:00"), zone) == (
        "2026-03-02 – 2026-03-08"
    )
    assert period_bounds(t("2026-03-02 00:00"), t("2026-03-03 00:00"), zone) == (
        date(2026, 3, 2),
        date(2026, 3, 2),
    )


def test_a_monthly_statement_carries_its_own_rolling_cut() -> None:
    capped = contract(ROLLING)
    stream = Stream(capped)
    for n, day in enumerate(("2026-11-10", "2026-12-10", "2026-12-20", "2027-01-10")):
        stream.add("site_violation", t(f"{day} 09:00"), ticket=None, ref=f"V{n}")
    charges = stream.report(t("2027-02-01 00:00")).charges
    january = charges.within(t("2027-01-01 00:00"), t("2027-02-01 00:00"))
    assert [(x.id, x.amount) for x in january.adjustments] == [
        ("cap/rolling/2027-01", Decimal("-200.00"))
    ]
    assert january.totals().penalties == Decimal("200.00")  # 400.00 owed, 200.00 cut
    december = charges.within(t("2026-12-01 00:00"), t("2027-01-01 00:00"))
    assert [(x.id, x.amount) for x in december.adjustments] == [
        ("cap/per_contract_year/1", Decimal("-200.00"))
    ]


# -- contract show says each round-2 term, in English and in Chinese --------------------------

#: What ``contract show`` must say for each round-2 example of the docs, by language.
SHOWN: dict[str, dict[str, list[str]]] = {
    "## A clock per window": {
        "en": ["a clock per window (a start while one is open opens none)"],
        "zh": ["每个未答复窗口计时一次（计时未停止时，新的开始事件不另行计时）"],
    },
    "## Lateness on the commitment's calendar": {
        "en": ["lateness in working time of calendar office"],
        "zh": ["超时按office日历的工作时间计"],
    },
    "## Money terms": {
        "en": [
            "0.30 CNY per started 10 min late, at least 1.00 CNY a line",
            "50.00 CNY per started 1 h late; paid to the customer as compensation, not under "
            "the penalty caps",
            "penalties per contract year at most 1000.00 CNY",
            "penalties over any 12 consecutive months at most 10% of those months' fees "
            "(1000.00 CNY a month the contract ran: 1200.00 CNY over a full 12 months), less "
            "what was already charged in the window",
        ],
        "zh": [
            "每迟延10分钟（不足按10分钟计）0.30 CNY，每次最低 1.00 CNY",
            "每迟延1小时（不足按1小时计）50.00 CNY；作为赔偿付给采购人，不计入违约金上限",
            "违约金任意连续12个月内不超过该期间服务费的10%（每月服务费 1000.00 CNY，"
            "满12个月为 1200.00 CNY；合同未履行的月份不计服务费），扣除窗口内已扣金额",
        ],
    },
    "## Repeat-failure remedies": {
        "en": [
            "the 3rd repair (reported) of a part under warranty owes its replacement "
            "(part_replaced) within 5 d on the office calendar",
            "once a part's total repair time (reported or reopened → resolved) under warranty "
            "exceeds 30 d, it owes its replacement (part_replaced), no deadline",
        ],
        "zh": [
            "同一部件第3次维修（reported）（质保期内）后，"
            "5天内以 part_replaced 完成更换（日历 office）",
            "同一部件（质保期内）累计修理时间（每次自 reported 或 reopened 至 resolved）"
            "超过30天后，以 part_replaced 完成更换（无期限）",
        ],
    },
    "## Warranty terms of round 2": {
        "en": [
            "repair time does not count against the cover: each repair (reported or reopened → "
            "resolved) moves the cover's end by its length in days, a started day counting whole",
            "no final inspection: the built-in final-inspection obligation is removed",
        ],
        "zh": [
            "修理占用时间不计入有效期：每次修理（reported 或 reopened 至 resolved）按其时长顺延"
            "质保期，不足一日按一日计",
            "无终检：不设内置的 final-inspection 义务",
        ],
    },
}


def show(path: Path, lang: str) -> str:
    """``slaengine contract show --lang`` exits 0 and shows no Python value; its words, printed
    by the same code on a console wide enough that no term is folded in its table cell."""
    import io

    from rich.console import Console

    from slaengine.cli.contract_view import print_contract
    from slaengine.contract import load_contract
    from tests.test_cli import run

    shown = run("contract", "show", str(path), "--lang", lang)
    assert shown.returncode == 0, shown.stderr
    wide = Console(file=io.StringIO(), width=1000)
    print_contract(load_contract(path), wide, lang)
    said = wide.file.getvalue()  # type: ignore[attr-defined]
    for text in (shown.stdout, said):
        for python in ("None", "Decimal(", "Duration(", "Condition(", "RollingCap(", "from_"):
            assert python not in text, python
        assert "type=" not in text and "RepairTime(" not in text
    return str(said)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("heading", "block"), _doc_blocks())
def test_contract_show_says_each_round2_example_of_the_docs(
    tmp_path: Path, heading: str, block: str, lang: str
) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(_doc_contract(block), encoding="utf-8")
    said = show(path, lang)
    expected = SHOWN[heading][lang]
    if heading == "## Repeat-failure remedies":  # two examples: by count, by total repair time
        expected = [p for p in expected if ("30" in p) == ("repair_time" in block)]
    assert expected
    for phrase in expected:
        assert phrase in said, phrase
    if lang == "zh":
        english = ("per breach", "at least", "a clock per", "lateness in", "no final", "owes")
        english += ("applies to", "clock: start")
        assert not [word for word in english if word in said]


LATER_TERMS = """
  - {id: P-credit, kind: fixed, amount: "10.00", minimum: "12.00", pays: compensation}
caps:
  rolling: {months: 1, amount: "300.00"}
warranty:
  terms: {unit: 1y}
  extend_by_repairs: {from: reported, until: acknowledged}
assets: [{id: U1}]
measures:
  - {id: weekly, kind: on_time_rate, period: week, target: "95", commitments: [update-2h]}
  - {id: daily, kind: availability, period: day, target: "99"}
  - {id: five, kind: availability, period: 5m, target: "98"}
remedies:
  - {id: R-plain, repairs: reported, count: 2, done_by: part_replaced}
"""


def test_contract_show_says_the_other_forms_of_the_round2_terms(tmp_path: Path) -> None:
    """The forms the docs' examples do not use: a rolling cap as an amount over one month, a
    repair ended by another event, the built-in final inspection kept, measures by week, day
    and fixed length, a counted remedy without a deadline."""
    path = tmp_path / "later.yaml"
    path.write_text(BASE + LATER_TERMS, encoding="utf-8")
    en, zh = show(path, "en"), show(path, "zh")
    for phrase in (
        "10.00 CNY per breach, at least 12.00 CNY a line; paid to the customer as compensation",
        "penalties over any calendar month at most 300.00 CNY, less what was already charged",
        "each repair (reported → acknowledged) moves the cover's end",
        "a final inspection in the last month of each cover",
        "on_time_rate: at least 95% per week (update-2h)",
        "availability: at least 99% per day",
        "availability: at least 98% per 5 min",
        "the 2nd repair (reported) of a part under warranty owes its replacement "
        "(part_replaced), no deadline",
        "not given (no term is a percentage of it); amounts in CNY",
    ):
        assert phrase in en, phrase
    for phrase in (
        "每次违约 10.00 CNY，每次最低 12.00 CNY；作为赔偿付给采购人",
        "违约金任意连续1个月内最多 300.00 CNY，扣除窗口内已扣金额",
        "每次修理（reported 至 acknowledged）按其时长顺延质保期",
        "每个质保期的最后一个月做终检",
        "on_time_rate：每周不低于95%（update-2h）",
        "availability：每日不低于99%",
        "availability：每5分钟不低于98%",
        "同一部件第2次维修（reported）（质保期内）后，以 part_replaced 完成更换（无期限）",
        "未给出（无按合同价比例计算的条款）；金额以 CNY 计",
    ):
        assert phrase in zh, phrase
