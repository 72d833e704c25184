"""General readings for the forms batch Y's first run missed (helper ga): phone numbers written
in groups (Australian mobiles, Philippine area codes in brackets, Chinese mobiles and landlines
in groups), a level's definition that is no heading, 重大 before a part, a set-up milestone
with no start of its own, the unit a lateness is counted in, the next day in running text."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.contract import Contract
from tests.drafting_support import drafted, targets


def contacts(contract: Contract) -> str:
    return str([ct.model_dump() for ct in contract.contacts])


# --- phone numbers in groups ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("After-hours mobile: 0428 615 207 (field supervisor).", "0428 615 207"),
        ("Service desk (Davao office): (082) 305 7719", "(082) 305 7719"),
        ("Cebu depot tel. (032) 416 2280; faults@x.example", "(032) 416 2280"),
        ("技术主管：刘工  手机：186 2041 7735", "186 2041 7735"),
        ("现场负责人 手机 158-3390-2147", "158-3390-2147"),
        ("维修值班：0512-6683 4410（工作日）", "0512-6683 4410"),
        ("服务站电话：021-5137 2260", "021-5137 2260"),
    ],
)
def test_phone_numbers_in_groups_are_contacts(line: str, number: str, tmp_path: Path) -> None:
    contract, draft = drafted(tmp_path, line + "\n")
    assert number in contacts(contract)
    assert not any(r.kind == "not_understood" and number in r.message for r in draft.reviews)


def test_a_mobile_run_into_the_next_label_is_read_whole(tmp_path: Path) -> None:
    # a PDF joins the lines: the mobile runs into the next label's Chinese
    contract, _ = drafted(tmp_path, "联系人：王工 手机：137 2208 5561电子邮箱：wang@x.example\n")
    assert "137 2208 5561" in contacts(contract)


@pytest.mark.parametrize(
    "line",
    [
        "本期共采购 150 2000 3000 套耗材，联系人见附件。",
        "年度维修工单约 139 5733 2846 元，联系电话另行通知。",
    ],
)
def test_grouped_quantities_are_no_mobile(line: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, line + "\n")
    assert contract.contacts == []


# --- a level's definition is no heading of the lines below ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1. 紧急故障：指整条生产线停机的故障。\n2. 一般故障：指单台辅机异常的故障。\n"
        "接到报修后20分钟内电话响应。\n",
        "甲类：整库区无法运行或安全装置失效的故障；\n乙类：单台设备不能自动运行的故障。\n"
        "三、时限\n接到报修后20分钟内电话响应。\n",
    ],
)
def test_a_level_defined_by_its_label_sets_no_level_below(text: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, text)
    assert ("answer-the-call", None, "20m", "always") in targets(contract)


def test_a_level_label_as_a_heading_still_holds_below(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "紧急故障：\n维修人员3小时内到达现场。\n")
    assert targets(contract) == {("be-on-site", "emergency", "3h", "always")}


# --- 重大 before a part or a work is no level -------------------------------------------------


def test_major_before_a_part_names_no_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "紧急故障：4小时内到达现场。\n"
        "压缩机等重大部件损坏需返厂的，乙方36小时内提交书面维修方案。\n",
    )
    assert ("present-a-plan", None, "36h", "always") in targets(contract)
    assert "major" not in contract.severities


def test_a_major_fault_is_still_a_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "重大故障：维修人员6小时内到达现场。\n")
    assert targets(contract) == {("be-on-site", "major", "6h", "always")}


# --- a set-up milestone with no start of its own ----------------------------------------------


def test_installation_after_a_delivery_milestone_is_no_commitment(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path, "合同签订后45个日历日内全部到货，90个日历日内完成安装调试并投入试运行。\n"
    )
    assert contract.commitments == []
    listed = " ".join(r.message for r in draft.reviews if r.kind == "not_understood")
    assert "45个日历日内全部到货" in listed and "90个日历日内完成安装调试" in listed


def test_a_repair_is_still_a_commitment(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "一般故障：到场后12小时内完成修复并恢复运行。\n")
    assert targets(contract) == {("fix-after-arrival", "general", "12h", "always")}


# --- the unit a lateness is counted in --------------------------------------------------------


def test_the_unit_of_lateness_does_not_widen_a_penalty_to_every_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "一级故障：3小时内到达现场。\n二级故障：12小时内到达现场。\n"
        "一级故障维修人员未能按时到场的，每迟到1小时扣款600元。\n",
    )
    attached = {(c.applies_to.severity or [None])[0] for c in contract.commitments if c.clauses}
    assert attached == {"level-1"}


def test_a_lateness_penalty_with_no_level_still_reads_its_act(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "维修人员3小时内到达现场。\n每迟到1小时扣款600元。\n")
    assert [c.use for c in contract.commitments if c.clauses] == ["be-on-site"]


# --- the next day in running text -------------------------------------------------------------


def test_the_next_day_in_running_text_is_one_day_and_listed(tmp_path: Path) -> None:
    contract, draft = drafted(tmp_path, "二级故障：翌日派员上门，36小时内修复。\n")
    assert targets(contract) == {
        ("be-on-site", "level-2", "24h", "always"),
        ("fix-after-arrival", "level-2", "36h", "always"),
    }
    # within 24 hours, or by the end of the next day? the reviewer is asked
    assert any(r.kind == "assumption" and "翌日派员上门" in r.message for r in draft.reviews)
    contract, draft = drafted(tmp_path, "一般故障：次日到場處理，3個工作日內修復完畢。\n")
    assert ("be-on-site", "general", "24h", "always") in targets(contract)
    assert any(r.kind == "assumption" and "次日到场" in r.message for r in draft.reviews)


def test_the_next_day_as_a_date_word_is_not_listed(tmp_path: Path) -> None:
    _contract, draft = drafted(tmp_path, "巡检记录于次日归档，4小时内到达现场。\n")
    assert not any("next day" in r.message for r in draft.reviews)
