"""Forms batch Z2's first run missed, each read in general: a new section ends a level's label,
a lateness "per day overdue" (每超期1日), zones side by side in one table cell, a limit
"relaxed to" for a far section, a clause hand-wrapped onto an indented line, a site in a named
county or reached by boat, an English site placed by its distance, a table or a heading that
names the penalty for the sums under it, a report whose act word is bracketed, a cap on the
penalties' total (违约金之总额), a part sent to the works (送厂大修), the hours of each day (每日
8:00-20:00) that are no daily duty, "every emergency repair or fault repair" (every level), a
short PDF line that is no wrapped line, a count of levels (按下列三级划分), terms under a
warranty heading, a warranty extended on a condition, levels served in business hours, "call
the resort back", and a New Zealand landline. Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.reading import Line
from slaengine.drafting.responses import severity_in
from slaengine.drafting.text import normalise, sentences
from slaengine.drafting.vocabulary import PHONE
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import linked, options, targets, zones

EN = options(currency="USD", timezone="America/Chicago")


def drafted_en(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, EN)


def test_a_new_section_ends_the_level_of_a_label_above(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一、故障等级\n"
        "（1）紧急故障：全线停运；\n"
        "（2）一般故障：不影响运行的报警、指示灯及柜门等附属部件异常。\n"
        "二、服务时限\n"
        "1. 接到报修电话后10分钟内响应。\n"
        "2. 紧急故障2小时内到达现场。\n",
    )
    assert ("answer-the-call", None, "10m", "always") in targets(contract)


def test_a_day_overdue_is_a_rate_per_day(tmp_path: Path) -> None:
    contract, _ = _drafted(tmp_path, "一般故障3个工作日内修复，每超期1日扣罚800元。\n")
    (clause,) = contract.clauses
    assert (clause.kind, str(clause.amount), str(clause.unit)) == ("per_started", "800.00", "24h")


def test_zones_side_by_side_in_one_cell(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "| 级别 | 响应 | 到场 |\n|---|---|---|\n"
        "| 一级故障 | ≤20分钟 | 城区站点≤3小时；偏远站点≤10小时 |\n",
    )
    assert zones(contract)[("be-on-site", "level-1")] == {"": "3h", "remote": "10h"}


def test_a_limit_relaxed_for_a_far_section(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一级故障1小时内到达现场，二级故障3小时内到达现场。\n"
        "北部支线距维修基地超过60公里，该支线一级故障到场时限放宽至2小时，二级故障到场时限放宽至"
        "5小时。\n",
    )
    assert zones(contract)[("be-on-site", "level-1")] == {"": "1h", "beyond-60km": "2h"}
    assert zones(contract)[("be-on-site", "level-2")] == {"": "3h", "beyond-60km": "5h"}


def test_a_clause_hand_wrapped_onto_an_indented_line(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "P1 faults: a technician on site within 3 hours.\n"
        "(a) For a kiosk at the airport or any kiosk more than 40 km from the\n"
        "    city depot, the P1 on-site time is five (5) hours.\n"
        "VII. LIQUIDATED DAMAGES\n"
        "a) Late attendance on a P1 fault: USD 90.00 for every hour of delay.\n",
    )
    assert zones(contract)[("be-on-site", "p1")] == {"": "3h", "beyond-40km": "5h"}
    # a list item under a heading is no wrapped line of the heading
    assert [c.kind for c in contract.clauses] == ["per_started"]


def test_a_site_in_a_named_county_or_reached_by_boat(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "紧急故障2小时内到达现场。沙河县分拨中心的紧急故障，到场时限为不超过5小时。\n",
    )
    assert zones(contract)[("be-on-site", "emergency")] == {"": "2h", "county": "5h"}
    contract, _ = _drafted(
        tmp_path,
        "甲類故障應於2小時內到場；東嶼分站因需搭乘交通船，甲類故障到場時限為7小時。\n",
    )
    assert zones(contract)[("be-on-site", "class-a")] == {"": "2h", "remote": "7h"}


def test_an_english_site_placed_by_its_distance(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "The sites are the main plant at Riverbend (about 10 km from our depot) and the well "
        "pumps at Cedar Hollow, which are more than 90 km by road from the depot.\n"
        "Priority 1: an engineer will attend the main plant within 2 hours. At the Cedar Hollow "
        "pumps, attendance for Priority 1 is within 6 hours.\n",
    )
    assert zones(contract)[("be-on-site", "p1")] == {"": "2h", "beyond-90km": "6h"}


def test_a_table_or_a_heading_naming_the_penalty_for_the_sums_under_it(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "Severity 1: technician on site within 3 hours; service restored within 6 hours.\n"
        "| Failure | Liquidated damages |\n|---|---|\n"
        "| Severity 1 technician not on site within 3 hours | $800.00 per occurrence |\n"
        "| Severity 1 service not restored within 6 hours | $300.00 per hour or part thereof |\n",
    )
    kinds = {c.kind: linked(contract, c.id) for c in contract.clauses}
    assert kinds == {
        "fixed": {("be-on-site", "sev1", "3h")},
        "per_started": {("fix-after-arrival", "sev1", "6h")},
    }
    contract, _ = drafted_en(
        tmp_path,
        "P2 incidents shall be restored within 2 business days.\n"
        "SERVICE CREDITS\n"
        "(b) $400 for each P2 incident not restored within the required time.\n",
    )
    (clause,) = contract.clauses
    assert linked(contract, clause.id) == {("fix-after-arrival", "p2", "2d")}


def test_a_report_whose_act_word_is_bracketed_and_every_levels_repair(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path, "每次緊急搶修或故障修復完成後，廠商應於5日內提送搶修（修復）報告書。\n"
    )
    assert targets(contract) == {("hand-in-report", None, "120h", "always")}


def test_a_cap_on_the_total_of_the_penalties(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "一般故障24小时内修复，逾期每日扣款1000元。\n逾期違約金之總額，以契約價金總額之百分之十五為上限。\n",
    )
    assert contract.caps is not None and contract.caps.contract_total is not None
    assert str(contract.caps.contract_total.percent_of_price) == "15"


def test_a_part_sent_to_the_works_and_the_hours_of_each_day(tmp_path: Path) -> None:
    contract, _ = _drafted(
        tmp_path,
        "马达须送厂大修者，应于拆运之日起20日历天内修竣回装。\n"
        "每月巡检1次，巡检须避开用户营业高峰（每日9:00-21:00）。\n",
    )
    assert ("factory-repair", None, "480h", "always") in targets(contract)
    assert [str(o.schedule[0].every) for o in contract.obligations if o.schedule] == ["1mo"]


def test_a_short_pdf_line_is_no_wrapped_line() -> None:
    lines = [
        Line(1, "Section 4. Warranty"),
        Line(2, "Whole system: 24 months from acceptance."),
        Line(3, "三、故障分级"),
        Line(4, "故障按下列三级划分:"),
    ]
    read = [s.text for s in sentences(lines, wrapped=True)]
    assert "Whole system: 24 months from acceptance" in read
    # and a count of levels names none of them
    assert severity_in(normalise("故障按下列三级划分")) is None
    assert severity_in(normalise("故障分为三级")) is None
    assert severity_in(normalise("三级故障")) == "level-3"


def test_terms_under_a_warranty_heading(tmp_path: Path) -> None:
    contract, draft = drafted_en(
        tmp_path,
        "Section 8. Warranty\n"
        "Complete pumping plant supplied by us: 24 months from acceptance.\n"
        "Pump motors and drives: 5 years, parts and labour.\n"
        "Replacement parts fitted during service: 12 months from fitting.\n"
        "If a drive fails more than twice during its warranty, its warranty is extended by 12 "
        "months.\n",
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "unit": "24mo",
        "key_part": "5y",
        "part": "12mo",
    }
    # the extension on repeated failures is listed (no event of the language marks it)
    assert any(
        r.kind == "not_understood" and "extended by 12mo" in r.message for r in draft.reviews
    )


def test_levels_served_in_business_hours_and_a_call_back(tmp_path: Path) -> None:
    contract, _ = drafted_en(
        tmp_path,
        "| Severity | Acknowledge call | Technician on site |\n|---|---|---|\n"
        "| Severity 1 | 15 minutes | 2 hours |\n| Severity 3 | 2 hours | 3 business days |\n"
        "Severity 1 times run around the clock; Severity 3 times are counted in business hours "
        "only.\n"
        "For a Severity 1 call that cannot be cleared by phone, a senior engineer will call the "
        "plant back within one (1) hour.\n",
    )
    assert targets(contract) >= {
        ("answer-the-call", "sev1", "15m", "always"),
        ("answer-the-call", "sev3", "2h", "office"),
        ("call-back", "sev1", "1h", "always"),
    }


@pytest.mark.parametrize("number", ["07 376 9150", "03 455 2081"])
def test_a_new_zealand_landline(number: str) -> None:
    assert PHONE.findall(f"Hamilton depot: {number}") == [number]
