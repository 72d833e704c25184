"""General readings for the forms batch Z's first run missed (helper ha): a zone's condition
over each level of the series after it, a place inside a named county, a table column whose
act is counted from the arrival (到场后修复), a budget that is no penalty, a warranty term counted
from the replacement, and a visit's frequency for the work named in the phrase after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.contract import Contract
from tests.drafting_support import drafted, targets, zoned


def everies(contract: Contract) -> list[str]:
    return sorted(str(step.every) for duty in contract.obligations for step in duty.schedule)


LEVELS = "一级故障：全线停运。\n二级故障：单台设备停运。\n"


# --- a zone's condition over the levels after it --------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "对远离服务站200公里以上的泵站，一级故障到场时限为5小时，二级故障到场时限为9小时。",
        "设在郊区的分站，一级故障到达现场不超过3小时，二级故障到达现场不超过7小时。",
    ],
)
def test_a_zone_condition_holds_for_each_level_after_it(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        LEVELS + "一级故障2小时内到达现场；二级故障4小时内到达现场。\n" + sentence + "\n",
    )
    rows = {(level, target) for _use, level, _zone, target in zoned(contract)}
    zones = {zone for _use, _level, zone, _target in zoned(contract)}
    assert len(zones) == 1
    assert {level for level, _ in rows} == {"level-1", "level-2"}
    assert len(rows) == 2


def test_a_zone_condition_ends_at_the_semicolon(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        LEVELS + "一级故障2小时内到达现场。\n"
        "郊区站点一级故障3小时内到达现场；二级故障6小时内到达现场。\n",
    )
    assert zoned(contract) == {("be-on-site", "level-1", "county", "3h")}
    assert ("be-on-site", "level-2", "6h", "always") in targets(contract)


def test_the_other_places_take_no_zone_of_the_series(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        LEVELS + "一级故障2小时内到达现场。\n"
        "郊区站点一级故障3小时内到达现场，其他站点二级故障6小时内到达现场。\n",
    )
    assert zoned(contract) == {("be-on-site", "level-1", "county", "3h")}
    assert ("be-on-site", "level-2", "6h", "always") in targets(contract)


# --- a place inside a named county ------------------------------------------------------------


def test_a_place_inside_a_named_county_is_the_county_zone(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        LEVELS + "一级故障2小时内到达现场。\n"
        "位于桐溪县境内的三号码头，一级故障到达现场时限为5小时。\n",
    )
    assert zoned(contract) == {("be-on-site", "level-1", "county", "5h")}


def test_the_whole_county_is_no_zone(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "全县境内的站点，故障发生后4小时内到达现场。\n")
    assert zoned(contract) == set()
    assert ("be-on-site", None, "4h", "always") in targets(contract)


# --- a column whose act is counted from the arrival -----------------------------------------


@pytest.mark.parametrize(
    "header",
    ["| 级别 | 到达现场 | 到场后修复 |", "| Level | Attendance | Repair after arrival |"],
)
def test_a_column_counted_from_the_arrival_is_the_repair(header: str, tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        f"{header}\n|---|---|---|\n| 一级故障 | 3小时 | 10小时 |\n| 二级故障 | 5小时 | 20小时 |\n",
    )
    assert {
        ("be-on-site", "level-1", "3h", "always"),
        ("fix-after-arrival", "level-1", "10h", "always"),
        ("be-on-site", "level-2", "5h", "always"),
        ("fix-after-arrival", "level-2", "20h", "always"),
    } <= targets(contract)


def test_an_arrival_column_alone_is_still_the_arrival(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 级别 | 到场时间 | 修复时间 |\n|---|---|---|\n| 一级故障 | 3小时 | 10小时 |\n",
    )
    assert targets(contract) == {
        ("be-on-site", "level-1", "3h", "always"),
        ("fix-after-arrival", "level-1", "10h", "always"),
    }


# --- a budget is no penalty -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "项目预算：人民币95万元（三年），服务费按月支付。",
        "The annual budget for this service is CNY 240,000, payable quarterly.",
    ],
)
def test_a_budget_is_no_penalty(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert not contract.clauses


def test_a_deduction_beside_a_budget_is_still_a_penalty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "故障4小时内到达现场。\n到场超时的，每超时1小时扣减服务费800元，从预算中扣除。\n"
    )
    assert [(c.kind, str(c.amount)) for c in contract.clauses] == [("per_started", "800.00")]


# --- a warranty term counted from the replacement -------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "服务期内换上的水泵、阀门及仪表，自更换之日起保修18个月。",
        "Pumps, valves and gauges fitted during the service are warranted for 18 months from "
        "the date of replacement.",
    ],
)
def test_a_term_from_the_replacement_is_the_parts(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {"part": "18mo"}


def test_a_unit_term_from_acceptance_stays_the_units(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "整套系统自验收合格之日起保修18个月。\n")
    assert contract.warranty is not None
    assert str(contract.warranty.terms["unit"]) == "18mo"
    assert str(contract.warranty.terms.get("part")) != "18mo"


# --- a visit's frequency for the work named after it ----------------------------------------


@pytest.mark.parametrize(
    ("sentence", "every"),
    [
        ("保修期内，我方每10天派工程师到站，对计量泵进行标定调校。", "10d"),
        ("每年入冬以前，对室外管线、阀门井及保温层开展一次专项检查。", "1y"),
    ],
)
def test_a_visit_s_frequency_is_the_work_s(sentence: str, every: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert everies(contract) == [every]


@pytest.mark.parametrize(
    "sentence",
    [
        "每季度提交一次服务报告，并对设备进行润滑。",
        "每月支付一次服务费，其间设备由采购人自行检查。",
    ],
)
def test_paperwork_or_money_lends_no_frequency_to_work(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert everies(contract) == []
