"""Forms batches Z3 and Z4 taught the drafter, each read in general: columns of levels under a
header of requirements (服务要求, 时限要求), 非紧急 as non-emergency, levels counted in office
hours (只计算办公时间, "count business hours", 以上班时间计算), a series "on site: Critical
within …; High within …", a lead place placed by a clause "which are more than N km", the whole
system hardware or these installations before a part, the remaining term (余下期间, 不另重新计算,
the unexpired portion), a part taken to the workshop (拆回工场), the contractor's works or the
vendor's depot, 每逾时, a zone table under "within the times below", a penalty lead-in ending in
a colon, a subject before "are warranted" or 质保期为, project milestones from a letter of
acceptance, "rectified at the first attendance", a listed level after a clause number, costs
borne below a sum, a plan "在此时限内", a ceiling after an act of a word class, 运转率, a modal
before a limit and its verb, the buyer's own duties, visits by frequency after a duty on the same
line, 放宽至 after the act of its line, 质保期延长 on a condition, Dublin and (852) numbers, a
lead-in "within the following times:", shares of attendances on time, 消缺 with its clock start
in a bracket, 县域, payments by milestone, the penalties' total (合计), Taiwanese years (115年),
reporting at site, remote townships, a window faults are counted in, "2.3 Monthly", 合约开始,
and a performance bank guarantee. Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.contract.clauses import FixedClause, PerStartedClause
from slaengine.drafting.vocabulary import PHONE
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import linked, options, targets, zones

EN = options(currency="USD", timezone="America/Chicago")


def drafted_en(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, EN)


@pytest.mark.parametrize("head", ["服务要求", "时限要求"])
def test_columns_of_the_tenders_kinds_under_a_header_of_requirements(
    tmp_path: Path, head: str
) -> None:
    contract, _ = _drafted(
        tmp_path,
        f"| {head} | 困人故障 | 停运故障 |\n|---|---|---|\n"
        "| 响应时间 | 10分钟 | 30分钟 |\n| 到场时间 | 1小时 | 4小时 |\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "困人", "10m", "always"),
        ("answer-the-call", "停运", "30m", "always"),
        ("be-on-site", "困人", "1h", "always"),
        ("be-on-site", "停运", "4h", "always"),
    }


def test_non_emergency_in_chinese_is_the_level_below_emergency(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "| 时限要求 | 紧急故障 | 非紧急故障 |\n|---|---|---|\n| 到场时间 | 2小时 | 8小时 |\n",
    )
    assert targets(contract) == {
        ("be-on-site", "emergency", "2h", "always"),
        ("be-on-site", "non-emergency", "8h", "always"),
    }


@pytest.mark.parametrize(
    ("text", "level", "target"),
    [
        (
            "紧急故障4小时内修复，非紧急故障24小时内修复。非紧急故障的时限只计算办公时间。\n",
            "non-emergency",
            "24h",
        ),
        (
            "A级故障2小时内修复，C级故障8小时内修复。C级故障时限只按上班时间计算。\n",
            "class-c",
            "8h",
        ),
    ],
)
def test_a_level_counted_in_office_hours(
    tmp_path: Path, text: str, level: str, target: str
) -> None:
    contract, _ = _drafted(tmp_path, text)
    assert ("fix-after-arrival", level, target, "office") in targets(contract)
    assert all(c == "always" for _, lvl, _, c in targets(contract) if lvl != level)


def test_a_level_whose_targets_count_business_hours(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 calls are answered within 15 minutes and Priority 3 calls within 4 hours.\n"
        "Priority 3 targets count business hours only.\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "p1", "15m", "always"),
        ("answer-the-call", "p3", "4h", "office"),
    }


def test_a_series_of_limits_per_level_after_an_act_and_a_colon(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The Supplier will have an engineer on site: Critical within 3 hours; High within 6 "
        "hours; Medium within 2 business days.\n",
    )
    assert targets(contract) == {
        ("be-on-site", "critical", "3h", "always"),
        ("be-on-site", "high", "6h", "always"),
        ("be-on-site", "medium", "2d", "office"),
    }


def test_a_lead_place_with_the_clause_that_places_it(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Critical faults: an engineer on site within 2 hours. High faults: an engineer on site "
        "within 4 hours.\n"
        "For the rural water works at Ash Vale and Kestrel Hill, which are more than 60 km from "
        "the Contractor's depot, the on-site times are 5 hours for Critical faults and 9 hours "
        "for High faults.\n",
    )
    assert zones(contract)[("be-on-site", "critical")] == {"": "2h", "beyond-60km": "5h"}
    assert zones(contract)[("be-on-site", "high")] == {"": "4h", "beyond-60km": "9h"}


@pytest.mark.parametrize(
    ("text", "terms", "rewarranty"),
    [
        (
            "The CCTV system hardware, including cameras, recorders and switches, is warranted "
            "for 30 months from Final Acceptance. Camera housings, including their heaters, are "
            "warranted for 8 years from installation.\n",
            {"unit": "30mo", "key_part": "8y", "part": "follows its unit"},
            "fresh_term",
        ),
        (
            "These installations are warranted for 18 months from handover; the winch gearboxes "
            "are warranted for 48 months. A part replaced under warranty is warranted only for "
            "the unexpired portion of the original warranty period.\n",
            {"unit": "18mo", "key_part": "48mo", "part": "follows its unit"},
            "remaining",
        ),
    ],
)
def test_the_whole_unit_then_a_part_named_after(
    tmp_path: Path, text: str, terms: dict[str, str], rewarranty: str
) -> None:
    contract, draft = drafted_en(tmp_path, text)
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == terms
    assert contract.warranty.rewarranty == rewarranty
    assert not any(r.kind == "conflict" for r in draft.reviews)


def test_a_subject_before_its_warranty_term(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path,
        "新建监测系统整体质保期为3年，自验收合格之日起计算。\n"
        "在线分析仪的质保期为5年；分析仪内的采样泵属易耗件，质保期为1年。\n",
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "unit": "3y",
        "key_part": "5y",
        "part": "1y",
    }
    assert not any(r.kind == "conflict" for r in draft.reviews)


def test_the_rest_of_the_term_and_not_a_new_one(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "整套系统保用期为2年。更换的零部件，其保用期以原保用期的余下期间为准，不另重新计算。\n",
    )
    assert contract.warranty is not None
    assert contract.warranty.rewarranty == "remaining"


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("如设备须拆回工场维修，承办商应于15个工作日内修妥并装回。\n", ("15d", "office")),
        (
            "Any gearbox returned to the Contractor's works shall be repaired and refitted "
            "within 21 days.\n",
            ("504h", "always"),
        ),
    ],
)
def test_a_part_taken_back_to_the_workshop_or_works(
    tmp_path: Path, text: str, target: tuple[str, str]
) -> None:
    contract, _ = drafted_en(tmp_path, text) if text.isascii() else _drafted(tmp_path, text)
    assert targets(contract) == {("factory-repair", None, *target)}


def test_the_vendors_depot_and_not_the_buyers(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 faults: an engineer on site within 2 hours. A failed controller shall be "
        "sent to the Vendor's depot and reinstalled within 10 business days.\n",
    )
    assert ("factory-repair", "p1", "10d", "office") in targets(contract)
    contract, _ = drafted_en(
        tmp_path, "Priority 1 at the Depot: an engineer will attend the Depot within 2 hours.\n"
    )
    assert targets(contract) == {("be-on-site", "p1", "2h", "always")}


def test_every_half_hour_overdue_is_a_rate_per_started_unit(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "紧急故障2小时内到场，每逾时30分钟扣罚300元。\n")
    (clause,) = contract.clauses
    assert isinstance(clause, PerStartedClause)
    assert (str(clause.amount), str(clause.unit)) == ("300.00", "30m")
    assert linked(contract, clause.id) == {("be-on-site", "emergency", "2h")}


def test_a_zone_table_under_a_sentence_naming_its_act(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The engineer shall arrive on site within the times below.\n"
        "| Site | Severity 1 | Severity 2 |\n|---|---|---|\n"
        "| Within 25 miles | 3 hours | 6 hours |\n| Beyond 25 miles | 5 hours | 10 hours |\n",
    )
    assert zones(contract) == {
        ("be-on-site", "sev1"): {"": "3h", "beyond-25mi": "5h"},
        ("be-on-site", "sev2"): {"": "6h", "beyond-25mi": "10h"},
    }


def test_a_penalty_lead_in_ending_in_a_colon(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Severity 1 faults shall be restored within 4 hours.\n"
        "The Contractor shall pay, as liquidated damages and not as a penalty:\n"
        "(a) $250 for each Severity 1 fault not restored within 4 hours.\n",
    )
    (clause,) = contract.clauses
    assert isinstance(clause, FixedClause)
    assert str(clause.amount) == "250.00"
    assert linked(contract, clause.id) == {("fix-after-arrival", "sev1", "4h")}


def test_a_milestone_from_the_letter_of_acceptance_is_no_commitment(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 faults: an engineer on site within 4 hours.\n"
        "The Contractor shall complete the installation within 36 weeks of the Letter of "
        "Acceptance.\n",
    )
    assert targets(contract) == {("be-on-site", "p1", "4h", "always")}


def test_rectified_at_the_first_attendance_is_a_first_time_fix(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "At least 92% of faults shall be rectified at the first attendance, measured quarterly.\n",
    )
    assert [(m.kind, str(m.target), m.period) for m in contract.measures] == [
        ("first_time_fix", "92", "quarter")
    ]
    assert contract.obligations == []


def test_a_listed_level_after_a_clause_number(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "5.4 一级、二级故障，维修人员应在2小时内到达现场。\n")
    assert targets(contract) == {
        ("be-on-site", "level-1", "2h", "always"),
        ("be-on-site", "level-2", "2h", "always"),
    }


def test_costs_borne_below_a_sum_are_no_penalty(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path, "一般故障24小时内修复。单次金额低于500元的配件由乙方承担。\n"
    )
    assert contract.clauses == []
    assert any(
        r.kind == "not_understood" and "the costs the supplier bears up to a sum" in r.message
        for r in draft.reviews
    )


def test_a_plan_within_this_time_limit(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一级故障应在4小时内排除；4小时内仍无法排除的，须在此时限内提交书面处置方案。\n",
    )
    assert targets(contract) == {
        ("fix-after-arrival", "level-1", "4h", "always"),
        ("present-a-plan", "level-1", "4h", "always"),
    }


def test_a_ceiling_after_an_act_of_a_word_class(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path, "一级故障2小时内修复。三级故障可结合月度保养处理，但最迟不超过5个工作日。\n"
    )
    assert ("fix-after-arrival", "level-3", "5d", "office") in targets(contract)


def test_the_running_rate_is_availability(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "设备年运转率不低于97%。\n")
    assert [(m.kind, str(m.target)) for m in contract.measures] == [("availability", "97")]


def test_a_limit_between_a_modal_and_its_verb(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 faults: an engineer on site within 4 hours. Where a fault cannot be cleared "
        "on the first visit, the Contractor shall, within 24 hours of arriving on site, give the "
        "Engineer a written repair plan.\n",
    )
    assert targets(contract) == {
        ("be-on-site", "p1", "4h", "always"),
        ("present-a-plan", "p1", "24h", "always"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Monthly servicing of the boilers by the Contractor. Weekly boiler flame tests are carried "
        "out by the Council's caretakers and do not form part of this contract.\n",
        "每月对锅炉保养一次。馆方每年委托第三方检测机构对锅炉排放检测一次。\n",
    ],
)
def test_the_buyers_own_duty_is_no_obligation(tmp_path: Path, text: str) -> None:
    contract, _ = drafted_en(tmp_path, text) if text.isascii() else _drafted(tmp_path, text)
    assert [str(o.schedule[0].every) for o in contract.obligations if o.schedule] == ["1mo"]


def test_visits_by_frequency_after_a_duty_on_the_same_line(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "每月上门巡检保养一次；第二年起每两个月上门一次。\n")
    assert [str(o.schedule[0].every) for o in contract.obligations if o.schedule] == [
        "1mo",
        "2mo",
    ]


def test_a_places_limit_relaxed_after_the_act_of_its_line(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "一般故障12小时内到场；偏远的北山泵站放宽至36小时。\n")
    assert zones(contract)[("be-on-site", "general")] == {"": "12h", "remote": "36h"}


def test_a_warranty_extended_on_a_listed_condition(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path, "整机质保期为2年。累计返修3次以上的，该部件质保期延长6个月。\n"
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "unit": "2y",
        "part": "follows its unit",
    }
    assert any(r.kind == "not_understood" and "extended by 6mo" in r.message for r in draft.reviews)


@pytest.mark.parametrize("number", ["01 482 6613", "(852) 2811 4470", "(852) 2811-4470"])
def test_a_dublin_landline_and_a_hong_kong_number(number: str) -> None:
    assert PHONE.findall(f"Service desk: {number}") == [number]


def test_a_list_of_zoned_limits_under_a_lead_in_naming_the_act(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The Contractor shall have a technician on site within the following times:\n"
        "(a) Priority 1: Metropolitan 2 hours; Regional 5 hours\n"
        "(b) Priority 2: Metropolitan 6 hours; Regional 12 hours\n",
    )
    assert zones(contract) == {
        ("be-on-site", "p1"): {"": "2h", "province": "5h"},
        ("be-on-site", "p2"): {"": "6h", "province": "12h"},
    }


def test_a_share_of_attendances_on_time(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 faults: an engineer on site within 4 hours. 95% of attendances shall be "
        "within the required on-site time, measured monthly.\n",
    )
    assert [(m.kind, str(m.target), m.period) for m in contract.measures] == [
        ("on_time_rate", "95", "month")
    ]
    assert contract.obligations == []


def test_a_clearing_column_with_its_clock_start_in_a_bracket(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "| 故障等级 | 响应时间 | 消缺时限(自到达现场起) |\n|---|---|---|\n"
        "| 一类缺陷 | 15分钟 | 4小时 |\n| 二类缺陷 | 30分钟 | 12小时 |\n",
    )
    assert targets(contract) >= {
        ("fix-after-arrival", "level-1", "4h", "always"),
        ("fix-after-arrival", "level-2", "12h", "always"),
    }
    assert not any(use == "be-on-site" for use, *_ in targets(contract))


@pytest.mark.parametrize(("place", "zone"), [("县域", "county"), ("偏远乡镇", "remote")])
def test_a_county_wide_or_remote_township_zone(tmp_path: Path, place: str, zone: str) -> None:
    contract, _ = _drafted(tmp_path, f"一级故障城区2小时内到场，{place}5小时内到场。\n")
    assert zones(contract)[("be-on-site", "level-1")] == {"": "2h", zone: "5h"}


def test_payments_by_milestone_are_no_penalty(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一级故障2小时内到场。\n合同价的60%在验收合格后支付。\n合同总价的30%作为预付款。\n"
        "安装调试费用为人民币12万元，另行一次性支付。\n运维费每年人民币35万元，按年度支付。\n",
    )
    assert contract.clauses == []
    assert targets(contract) == {("be-on-site", "level-1", "2h", "always")}


def test_a_cap_on_the_penalties_together(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一般故障24小时内修复，逾期每日扣款1000元。罚款及违约金合计以合同总价的10%为上限。\n",
    )
    assert [c.kind for c in contract.clauses] == ["per_started"]
    assert contract.caps is not None and contract.caps.contract_total is not None
    assert str(contract.caps.contract_total.percent_of_price) == "10"


def test_a_taiwanese_year_is_a_date_and_no_term(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "本案保固期至115年6月30日止。\n")
    assert contract.warranty is None


def test_reporting_at_site_is_arriving(tmp_path: Path) -> None:
    contract, draft = drafted_en(
        tmp_path, "Priority 1 faults: the engineer reporting at site within 3 hours of the call.\n"
    )
    assert targets(contract) == {("be-on-site", "p1", "3h", "always")}
    assert not any("no action word" in r.message for r in draft.reviews)


def test_a_window_faults_are_counted_in_is_no_limit(tmp_path: Path) -> None:
    contract, draft = _drafted(
        tmp_path, "一般故障24小时内修复。同一设备30日内重复故障3次的，乙方须更换新设备。\n"
    )
    assert targets(contract) == {("fix-after-arrival", "general", "24h", "always")}
    assert not any(r.kind == "conflict" for r in draft.reviews)


def test_a_clause_number_before_monthly(tmp_path: Path) -> None:
    contract, _ = drafted_en(tmp_path, "2.3 Monthly preventive maintenance of all pumps.\n")
    assert [str(o.schedule[0].every) for o in contract.obligations if o.schedule] == ["1mo"]


def test_a_performance_bank_guarantee_is_no_warranty(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Priority 1 faults: an engineer on site within 4 hours.\n"
        "The Contractor shall furnish a Performance Bank Guarantee of 5% of the contract value, "
        "valid for 18 months.\n",
    )
    assert contract.warranty is None


def test_a_limit_from_the_contracts_start_is_a_milestone(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "一般故障24小时内到场。合约开始后30天内完成设备点检。\n")
    assert targets(contract) == {("be-on-site", "general", "24h", "always")}
