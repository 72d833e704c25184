"""Forms batches Z5 and Z6 taught the drafter, each read in general: a site named with its place
in brackets (桂山醫院（離島…）) then its own limit, 非緊急 after 就, sending an engineer to arrive
(arrival), 正常运作时间 and 首次到场即完成修复, N times a year after the equipment, agreeing the
dates (no duty), office hours before a limit (于办公时间内两小时内), the past month's report (no
fault's report), classes of sites by zone (A类/B类/C类点位), the remaining warranty of the whole
unit, working-time levels listed with no limit, 中标人 a party (no milestone), a roll-out (部署) a
milestone, a payment after signing, the penalties' share of the price (违约金以契约价金总额), "the
X system replaced" as the unit; a call returned as the first answer, a state restored named by a
longer label, a PDF colon before words that go on, 上班日 a working day, a period's heading
(履約期限) no kind, 決標 a milestone, a relaxed limit with its clock's start (放寬為接獲叫修後),
N times a school year (每學年), 纪录 paperwork, named counties standing alone or before a centre,
targets counted in business hours as a whole, an act and its zone cut at a comma in a header, the
unit returned from its depot, times met for a share of tickets; returned to work, routine services,
PPM visits and operating checks as duties, a trunk 0 in brackets (+353 (0)21 …), N visits to each
room per academic year, a three-year warranty in one word, available to X for not less than N %,
and liability insurance (no penalty). Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.reading import Line
from slaengine.drafting.text import sentences
from slaengine.drafting.vocabulary import PHONE
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import linked, options, targets, zones

EN = options(currency="USD", timezone="America/Chicago")


def drafted_en(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, EN)


def per_year(contract: Contract) -> list[tuple[str, int | None]]:
    return [(str(o.per), o.count) for o in contract.obligations if o.per is not None]


# --- batch Z5 ----------------------------------------------------------------------------------


def test_a_site_with_its_place_in_brackets_then_its_own_limit(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "1.1 桂山醫院（離島桂山碼頭旁）：配電櫃兩台。\n"
        "緊急故障須於兩小時內到達現場；惟桂山醫院的到達時限為五小時。\n",
    )
    assert zones(contract) == {("be-on-site", "emergency"): {"": "2h", "remote": "5h"}}


def test_non_emergency_after_jiu_is_the_level_below_emergency(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "3.1 就緊急故障，承辦商須於一小時內到達現場。\n"
        "3.2 就非緊急故障，承辦商須於六小時內到達現場。\n",
    )
    assert targets(contract) == {
        ("be-on-site", "emergency", "1h", "always"),
        ("be-on-site", "non-emergency", "6h", "always"),
    }


def test_sending_an_engineer_to_arrive_is_the_arrival(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "接报后2小时内派遣合格技术人员到达现场。\n")
    assert targets(contract) == {("be-on-site", None, "2h", "always")}


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("设备正常运作时间每月不少于99%。\n", ("availability", "99", "month")),
        ("首次到场即完成修复的比例每季度不低于85%。\n", ("first_time_fix", "85", "quarter")),
    ],
)
def test_working_time_and_a_fix_at_the_first_visit_are_measures(
    tmp_path: Path, text: str, measure: tuple[str, str, str]
) -> None:
    contract, _ = _drafted(tmp_path, text)
    assert [(m.kind, str(m.target), m.period) for m in contract.measures] == [measure]


def test_times_a_year_after_the_equipment(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "承包商须每年为每套系统进行四次预防性保养。\n")
    assert per_year(contract) == [("1y", 4)]


def test_agreeing_the_dates_is_no_yearly_duty(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "每季度保养一次。保养日期须于每年3月前与馆方议定。\n")
    assert [str(o.schedule[0].every) for o in contract.obligations if o.schedule] == ["3mo"]
    assert per_year(contract) == []


def test_office_hours_before_a_limit(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "维修热线须于办公时间内两小时内回复。\n")
    assert targets(contract) == {("answer-the-call", None, "2h", "office")}


def test_the_past_months_report_is_no_faults_report(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path, "一级故障4小时内修复。每月首5个工作日内提交上月服务报告。\n"
    )
    assert targets(contract) == {("fix-after-arrival", "level-1", "4h", "always")}
    assert any(
        r.kind == "not_understood" and "a report of the past period" in r.message
        for r in draft.reviews
    )


def test_classes_of_sites_are_zones(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path,
        "服务网点按所在位置分为三类：\n"
        "A类：市本级机关大楼及城区4个办事大厅；\n"
        "B类：位于云溪县、杉木县的2个县级办事处；\n"
        "C类：偏远山区乡镇的6处便民服务站。\n"
        "重大故障：A类点位应在1小时内到达现场，B类点位4小时内到达，C类点位8小时内到达。\n",
    )
    assert zones(contract) == {("be-on-site", "major"): {"": "1h", "county": "4h", "remote": "8h"}}
    assert sum("sites of class" in r.message for r in draft.reviews) == 3


def test_the_remaining_warranty_of_the_whole_unit(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "整套系统质保期为3年。质保期内更换的部件，其质保期按该系统剩余的整机质保期计算。\n",
    )
    assert contract.warranty is not None
    assert contract.warranty.rewarranty == "remaining"


def test_a_level_in_working_time_with_no_limit_is_listed(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path,
        "一级故障2小时内到场，三级故障3个工作日内修复。三级故障的各项时限按工作时间计算。\n",
    )
    assert ("fix-after-arrival", "level-3", "3d", "office") in targets(contract)
    assert any(
        r.kind == "assumption"
        and "the targets of level-3 are measured in working time" in r.message
        for r in draft.reviews
    )


def test_the_winning_bidder_is_a_party_and_no_milestone(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "中标人应在接到报修后30分钟内响应。\n")
    assert targets(contract) == {("answer-the-call", None, "30m", "always")}


def test_a_roll_out_is_a_milestone(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path,
        "一级故障2小时内到场。合同签订后60日历天内完成市中心站点的安装调试，"
        "150日历天内完成全部社区站点的部署。\n",
    )
    assert targets(contract) == {("be-on-site", "level-1", "2h", "always")}
    assert any("150日历天内完成全部社区站点的部署" in r.message for r in draft.reviews)


def test_a_payment_after_signing_is_no_penalty(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "一级故障4小时内修复。合同签订后支付合同金额的30%。\n")
    assert contract.clauses == []
    assert contract.caps is None or contract.caps.contract_total is None


def test_the_penalties_as_a_share_of_the_whole_price(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一级故障4小时内修复，逾期每小时扣款500元。违约金以契约价金总额20%为上限。\n",
    )
    assert [c.kind for c in contract.clauses] == ["per_started"]
    assert contract.caps is not None and contract.caps.contract_total is not None
    assert str(contract.caps.contract_total.percent_of_price) == "20"


def test_the_system_replaced_is_the_unit(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The paging system replaced under Lot 2 shall be warranted for three (3) years from "
        "acceptance. The paging amplifiers shall be warranted for six (6) years from acceptance.\n",
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "unit": "3y",
        "key_part": "6y",
        "part": "follows its unit",
    }


# --- batch Z6 ----------------------------------------------------------------------------------


def test_a_call_returned_is_the_first_answer(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "| Priority | Call returned by a certified mechanic | Mechanic on site |\n|---|---|---|\n"
        "| Priority 1 | 20 minutes | 2 hours |\n| Priority 2 | 1 hour | 8 hours |\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "p1", "20m", "always"),
        ("answer-the-call", "p2", "1h", "always"),
        ("be-on-site", "p1", "2h", "always"),
        ("be-on-site", "p2", "8h", "always"),
    }


def test_a_state_restored_named_by_a_longer_label(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "| Priority | Engineer on site | Plant restored to normal operation |\n|---|---|---|\n"
        "| Priority 1 | 3 hours | 10 hours |\n| Priority 2 | 8 hours | 36 hours |\n",
    )
    assert targets(contract) == {
        ("be-on-site", "p1", "3h", "always"),
        ("be-on-site", "p2", "8h", "always"),
        ("fix-after-arrival", "p1", "10h", "always"),
        ("fix-after-arrival", "p2", "36h", "always"),
    }


def test_a_pdf_colon_before_words_that_go_on() -> None:
    lines = [
        Line(1, "4.2 Pump stations more than 40 km from the depot (for now, the Brookvale "),
        Line(2, "reservoir only):"),
        Line(3, "the technician shall be on site within 5 hours for Priority 1."),
    ]
    assert [s.text for s in sentences(lines, wrapped=True)] == [
        "4.2 Pump stations more than 40 km from the depot (for now, the Brookvale reservoir "
        "only): the technician shall be on site within 5 hours for Priority 1"
    ]
    # a list item after a colon is a sentence of its own
    listed = [
        Line(1, "The technician shall be on site within the times below:"),
        Line(2, "a) priority 1 within 3 hours;"),
        Line(3, "b) priority 2 within 8 hours."),
    ]
    assert [s.text for s in sentences(listed, wrapped=True)] == [
        "The technician shall be on site within the times below:",
        "a) priority 1 within 3 hours",
        "b) priority 2 within 8 hours",
    ]


@pytest.mark.parametrize("next_day", ["次一上班日", "次上班日"])
def test_shangbanri_is_a_working_day(tmp_path: Path, next_day: str) -> None:
    contract, _ = _drafted(
        tmp_path,
        f"一級故障須於{next_day}內到場，二級故障須於兩個上班日內修復，"
        "三級故障須於5個上班日內修復。\n",
    )
    assert targets(contract) == {
        ("be-on-site", "level-1", "1d", "office"),
        ("fix-after-arrival", "level-2", "2d", "office"),
        ("fix-after-arrival", "level-3", "5d", "office"),
    }


def test_a_periods_heading_is_no_kind_of_fault(tmp_path: Path) -> None:
    contract, draft = _drafted(tmp_path, "履約期限：廠商應於接獲叫修通知後3日內到校。\n")
    assert targets(contract) == {("be-on-site", None, "72h", "always")}
    assert not any("履约期限" in r.message for r in draft.reviews)


def test_the_award_of_the_tender_starts_a_milestone(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path, "一級故障4小時內修復。廠商應於決標次日起30日曆天內完成教師操作訓練。\n"
    )
    assert targets(contract) == {("fix-after-arrival", "level-1", "4h", "always")}
    assert not any(r.kind == "conflict" for r in draft.reviews)
    assert any("决标次日起30日历天内完成教师操作训练" in r.message for r in draft.reviews)


def test_a_relaxed_limit_with_its_clocks_start(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一級故障須於接獲叫修後1個上班日內修復；位於山區的偏遠分校放寬為接獲叫修後3個上班日。\n",
    )
    assert zones(contract) == {("fix-after-arrival", "level-1"): {"": "1d", "remote": "3d"}}


def test_times_a_school_year(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "保固期內，廠商應每學年到校保養觸控螢幕二次。\n")
    assert per_year(contract) == [("1y", 2)]


def test_a_maintenance_record_form_is_paperwork(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "每季巡檢一次。保養完成後，每月將保養紀錄表交館方簽認一次。\n")
    assert [str(o.schedule[0].every) for o in contract.obligations] == ["3mo"]


def test_named_counties_standing_alone_in_a_header(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "| 故障等级 | 到达现场（主城区） | 到达现场（柳河县、白沙县） |\n|---|---|---|\n"
        "| 一级故障 | 1小时 | 3小时 |\n| 二级故障 | 3小时 | 6小时 |\n",
    )
    assert zones(contract) == {
        ("be-on-site", "level-1"): {"": "1h", "county": "3h"},
        ("be-on-site", "level-2"): {"": "3h", "county": "6h"},
    }


@pytest.mark.parametrize("site", ["位于柳河县的物流调度中心", "柳河县水质监测中心"])
def test_a_centre_in_a_named_county(tmp_path: Path, site: str) -> None:
    contract, _ = _drafted(
        tmp_path, f"一级故障1小时内到达现场。{site}发生一级故障的，到场时限为3小时。\n"
    )
    assert zones(contract) == {("be-on-site", "level-1"): {"": "1h", "county": "3h"}}


def test_targets_counted_in_business_hours_as_a_whole(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Severity 1 calls are answered within 30 minutes. Severity 2 calls are answered within "
        "2 hours. Targets are measured from the time the call is logged, count business hours "
        "only, and are shown below.\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "sev1", "30m", "office"),
        ("answer-the-call", "sev2", "2h", "office"),
    }


def test_an_act_and_its_zone_cut_at_a_comma_in_a_header(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "| Severity | Acknowledge | Technician on site | Technician on site, offices beyond 30 "
        "miles |\n|---|---|---|---|\n"
        "| Severity 1 | 30 minutes | 4 hours | 8 hours |\n"
        "| Severity 2 | 1 hour | 8 hours | 16 hours |\n",
    )
    assert zones(contract) == {
        ("answer-the-call", "sev1"): {"": "30m"},
        ("answer-the-call", "sev2"): {"": "1h"},
        ("be-on-site", "sev1"): {"": "4h", "beyond-30mi": "8h"},
        ("be-on-site", "sev2"): {"": "8h", "beyond-30mi": "16h"},
    }


def test_the_unit_returned_from_its_depot(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Severity 1 faults: a technician on site within 4 hours. Where a scanner cannot be "
        "repaired on site, the Contractor shall lend a spare and return the repaired unit from "
        "its depot within 12 business days.\n",
    )
    assert targets(contract) == {
        ("be-on-site", "sev1", "4h", "always"),
        ("factory-repair", "sev1", "12d", "office"),
    }


def test_times_met_for_a_share_of_tickets(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Severity 1 faults: a technician on site within 4 hours. The Contractor shall meet the "
        "on-site times above for at least 92% of tickets in each calendar month.\n",
    )
    assert [(m.kind, str(m.target), m.period) for m in contract.measures] == [
        ("on_time_rate", "92", "month")
    ]


def test_returned_to_work_is_the_fix(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "For a Priority 1 fault the Contractor shall return the forklift to work within 6 hours.\n",
    )
    assert targets(contract) == {("fix-after-arrival", "p1", "6h", "always")}


@pytest.mark.parametrize(
    ("text", "every", "amount"),
    [
        (
            "The Contractor shall service each chiller every three months. Each routine service "
            "that is missed attracts a credit of USD 1,500.\n",
            "3mo",
            "1500.00",
        ),
        (
            "The Contractor shall carry out a PPM visit to each plant room every month. Any "
            "missed visit: $400 per plant room.\n",
            "1mo",
            "400.00",
        ),
        (
            "The Contractor shall check the hoists every seven days. An operating check not "
            "performed: $300 per missed check.\n",
            "7d",
            "300.00",
        ),
    ],
)
def test_a_missed_routine_service_ppm_visit_or_operating_check(
    tmp_path: Path, text: str, every: str, amount: str
) -> None:
    contract, _ = drafted_en(tmp_path, text)
    (clause,) = contract.clauses
    assert str(clause.amount) == amount
    (duty,) = contract.obligations
    assert str(duty.schedule[0].every) == every
    assert duty.clauses == [clause.id]
    assert linked(contract, clause.id) == set()


@pytest.mark.parametrize("number", ["+353 (0)21 000 7735", "+44 (0)20 7946 0321"])
def test_a_trunk_zero_in_brackets(number: str) -> None:
    assert PHONE.findall(f"Plant manager: {number}") == [number]


def test_visits_to_each_room_per_academic_year(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The Contractor shall carry out two PPM visits to each recital hall per academic year.\n",
    )
    assert per_year(contract) == [("1y", 2)]


def test_a_warranty_term_written_as_one_word(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "All projectors supplied under Schedule B shall carry a three-year on-site warranty.\n",
    )
    assert contract.warranty is not None
    assert str(contract.warranty.terms["unit"]) == "3y"


def test_available_to_a_place_for_a_share_of_the_time(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The Contractor shall keep the chilled water system available to the laboratories for "
        "not less than 99.2% of scheduled hours in each month.\n",
    )
    assert [(m.kind, str(m.target), m.period) for m in contract.measures] == [
        ("availability", "99.2", "month")
    ]


def test_liability_insurance_is_no_penalty(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 calls: a mechanic on site within 3 hours.\n"
        "LIQUIDATED DAMAGES\n"
        "Late arrival on a Priority 1 call: $250 per hour of delay.\n"
        "The Contractor shall hold public liability insurance of not less than $2,000,000 per "
        "occurrence.\n",
    )
    (clause,) = contract.clauses
    assert (clause.kind, str(clause.amount)) == ("per_started", "250.00")
    assert linked(contract, clause.id) == {("be-on-site", "p1", "3h")}
