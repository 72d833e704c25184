"""Forms batch X's first run missed (helper fa), each read in general (docs/drafting.md, the
catalogue): a plain-text table aligned by runs of blanks, a schedule table whose column says how
often, a list of levels (二级、三级故障), a distance band beyond N km in Chinese, a zones' series
naming its act after the last zone, the buyer's sites placed in a county, a compound whose head is
a document (解决方案), the next day alone in a cell, a warranty counted from final acceptance,
replaced parts listed before their class, a sentence about every fault under a level's label,
payment terms, a penalty for an outcome, a fixed extension on a condition no event marks. Every
sentence here is written for this file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drafting_support import drafted, linked, targets, zones

# --- a plain-text table aligned by runs of blanks ------------------------------------------

SPACED_TABLE = """故障响应标准如下：

  等级    说明                              电话响应    工程师到场    修复
  ----    ------------------------------    --------    ----------    --------
  一级    整条生产线停机或控制系统瘫痪      ≤20分钟     ≤3小时        ≤10小时
          导致无法排产的故障
  二级    单台设备故障，生产可降级运行      ≤1小时      ≤6小时        ≤2个工作日
"""


def test_a_plain_text_table_aligned_by_blanks_is_read_row_by_row(tmp_path: Path) -> None:
    contract, draft = drafted(tmp_path, SPACED_TABLE)
    assert targets(contract) == {
        ("answer-the-call", "level-1", "20m", "always"),
        ("be-on-site", "level-1", "3h", "always"),
        ("fix-after-arrival", "level-1", "10h", "always"),
        ("answer-the-call", "level-2", "1h", "always"),
        ("be-on-site", "level-2", "6h", "always"),
        ("fix-after-arrival", "level-2", "2d", "office"),
    }
    # the indented line carries the first row's description on: no sentence of its own
    assert not [r for r in draft.reviews if r.kind == "not_understood"]


def test_one_line_with_wide_gaps_is_no_table(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "备注：  紧急故障  2小时内到达现场。\n")
    assert targets(contract) == {("be-on-site", "emergency", "2h", "always")}


def test_the_next_day_alone_in_a_cell_is_one_day(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "| 级别 | 电话响应 | 到达现场 |\n|---|---|---|\n| 三级 | 2小时 | 次日 |\n"
    )
    assert ("be-on-site", "level-3", "24h", "always") in targets(contract)


def test_the_next_day_in_running_text_is_a_day_as_in_a_cell(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "一般故障：2小时内电话答复，次日内到场。\n")
    assert targets(contract) == {
        ("answer-the-call", "general", "2h", "always"),
        ("be-on-site", "general", "24h", "always"),
    }


# --- a schedule table -------------------------------------------------------------------------


def test_a_table_whose_column_says_how_often_lists_duties_not_kinds(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 工作项目 | 频次 | 说明 |\n|---|---|---|\n"
        "| 冷却塔填料 | 每月一次 | 冲洗 |\n| 水泵机组 | 每季度一次 | 轴承加油 |\n",
    )
    assert list(contract.severities) == ["general", "major", "emergency"]  # no kinds of fault
    assert sorted(str(o.schedule[0].every) for o in contract.obligations) == ["1mo", "3mo"]


# --- a list of levels -----------------------------------------------------------------------


def test_a_penalty_naming_a_list_of_levels_is_attached_to_each(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 等级 | 修复时间 |\n|---|---|\n| 一级故障 | 4小时 | \n| 二级故障 | 8小时 |\n"
        "| 三级故障 | 24小时 |\n"
        "二级、三级故障修复超时的，每次扣罚300元。\n",
    )
    (clause,) = contract.clauses
    assert linked(contract, clause.id) == {
        ("fix-after-arrival", "level-2", "8h"),
        ("fix-after-arrival", "level-3", "24h"),
    }


def test_a_limit_for_a_list_of_levels_at_outlying_sites_is_each_levels_zone_row(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "一级故障2小时内到场，二级故障6小时内到场，三级故障24小时内到场。\n"
        "偏远站点发生一、二级故障的，到场时间不超过10小时。\n",
    )
    found = zones(contract)
    assert found[("be-on-site", "level-1")] == {"": "2h", "remote": "10h"}
    assert found[("be-on-site", "level-2")] == {"": "6h", "remote": "10h"}
    assert found[("be-on-site", "level-3")] == {"": "24h"}


@pytest.mark.parametrize(
    "sentence",
    ["二、A类故障接报后30分钟内响应。", "风机、水泵等故障2小时内修复。"],
)
def test_a_clause_number_or_a_list_of_parts_is_no_list_of_levels(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert len(contract.commitments) == 1


# --- zones ------------------------------------------------------------------------------------


def test_a_distance_beyond_in_chinese_and_a_level_only_series(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "一级故障1小时内到场，二级故障3小时内到场。\n"
        "距服务站超过50公里的网点，一级故障到场时间不超过3小时，二级故障不超过5小时。\n",
    )
    found = zones(contract)
    assert found[("be-on-site", "level-1")] == {"": "1h", "beyond-50km": "3h"}
    assert found[("be-on-site", "level-2")] == {"": "3h", "beyond-50km": "5h"}


def test_a_zones_series_names_its_act_after_the_last_zone(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "紧急故障：市区3小时内、郊县6小时内到场。\n")
    assert zones(contract) == {("be-on-site", "emergency"): {"": "3h", "county": "6h"}}


def test_a_site_placed_in_a_county_is_the_county_zone(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "南院区位于清河县白塔镇，距总院约30公里。\n"
        "紧急故障：总院20分钟内到达现场，南院区50分钟内到达。\n",
    )
    assert zones(contract) == {("be-on-site", "emergency"): {"": "20m", "county": "50m"}}


def test_a_site_nobody_placed_gives_no_zone(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "紧急故障：总院20分钟内到达现场，南院区50分钟内到达。\n")
    assert all(not c.targets for c in contract.commitments)


# --- acts -------------------------------------------------------------------------------------


def test_a_document_after_an_act_word_is_the_act(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "超过修复时限的，3小时内向用户提交书面解决方案。\n")
    assert targets(contract) == {("present-a-plan", None, "3h", "always")}


def test_two_acts_one_after_the_other_keep_the_first(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "接报后20分钟内到场处置。\n")
    assert targets(contract) == {("be-on-site", None, "20m", "always")}


def test_a_record_of_the_repair_is_a_report(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "维修结束后2个工作日内提交检修记录及原因分析。\n")
    assert targets(contract) == {("hand-in-report", None, "2d", "office")}


def test_a_sentence_about_every_fault_takes_no_level_from_a_label_above(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "重大故障：造成整栋楼停电的故障。\n"
        "（一）重大故障：1小时内到场。\n"
        "（二）每次故障排除后，5个工作日内提交维修报告。\n",
    )
    assert ("hand-in-report", None, "5d", "office") in targets(contract)


def test_a_line_under_a_levels_heading_still_takes_its_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "重大故障\n到场时间：1小时\n")
    assert targets(contract) == {("be-on-site", "major", "1h", "always")}


def test_a_bare_number_under_a_scheme_header_is_its_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "| Priority | Response | On site |\n|---|---|---|\n| 1 | 15 minutes | 2 hours |\n"
    )
    assert targets(contract) == {
        ("answer-the-call", "p1", "15m", "always"),
        ("be-on-site", "p1", "2h", "always"),
    }


# --- warranty ---------------------------------------------------------------------------------


def test_a_term_counted_from_final_acceptance_is_the_units(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "整套设备质保期为最终验收合格之日起24个月；核心部件质保期为4年。\n"
    )
    assert contract.warranty is not None
    terms = {k: str(v) for k, v in contract.warranty.terms.items() if k in ("unit", "key_part")}
    assert terms == {"unit": "24mo", "key_part": "4y"}


def test_a_failed_final_inspection_still_extends_the_warranty(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "整机质保2年。\n终验不合格的，质保期延长一年。\n")
    assert [c.kind for c in contract.clauses] == ["warranty_extension"]


def test_replaced_parts_listed_before_their_class_are_a_part_term(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "服务期内更换的风机、阀门、PLC模块等配件，保修不少于6个月。\n")
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {"part": "6mo"}


def test_a_fixed_extension_on_a_repair_count_is_listed_not_drafted(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path, "整机质保2年。\n同一部件在质保期内维修满2次仍不能正常使用的，质保期顺延6个月。\n"
    )
    assert not contract.clauses
    (listed,) = [r for r in draft.reviews if "extended by 6mo" in r.message]
    assert listed.kind == "not_understood"


# --- payment terms and penalties for outcomes -----------------------------------------------


def test_payment_terms_are_no_penalty(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path, "付款方式：安装完成后支付合同价的50%，终验合格后支付45%。\n"
    )
    assert not contract.clauses
    assert [r.kind for r in draft.reviews if r.line == 1] == ["ignored"]


def test_a_penalty_beside_payment_terms_is_still_a_clause(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "2小时内到场。\n支付方式中约定：到场超时的，每次扣除违约金800元。\n"
    )
    assert [c.kind for c in contract.clauses] == ["fixed"]


def test_a_penalty_for_what_a_fault_led_to_is_listed_not_drafted(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path, "4小时内修复。\n因设备故障造成检查预约取消的，每例另扣2000元。\n"
    )
    assert not contract.clauses
    assert any(
        r.kind == "not_understood" and "outcome" in r.message for r in draft.reviews if r.line == 2
    )


def test_a_penalty_for_a_target_missed_is_still_drafted(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "4小时内修复。\n修复超过4小时的，每次扣罚1000元。\n")
    (clause,) = contract.clauses
    assert linked(contract, clause.id) == {("fix-after-arrival", None, "4h")}
