"""Forms batch X's first run missed (Chinese, Simplified and Traditional; docs/drafting.md):
each sentence is written for this file in our own words, and the draft must read the form in
general — PDF table cells run together behind a bound (≤), calendar days written 日曆天 / 曆日,
a numeral before 工作天, a part sent back to the supplier's own workshop, 調派 as a dispatch,
levels listed before a shared act or failure, a penalty's second condition with no subject, the
act after its figure in a penalty's condition, the quarter written 每季, weekly and monthly
checks (周检 / 月检) as inspections, replaced parts warranted from a start after a modal, and a
zone in an action column's header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract, parse_contract
from slaengine.drafting import draft_tender, to_yaml
from slaengine.drafting.reading import read_tender
from tests.drafting_support import OPTIONS, drafted, targets


def drafted_file(tender: Path) -> tuple[Contract, Any]:
    draft = draft_tender(tender, OPTIONS)
    return parse_contract(to_yaml(draft), tender.with_suffix(".yaml")), draft


def charged(contract: Contract) -> dict[str, set[tuple[str, str | None]]]:
    """Each clause's amount (or percent) and the commitments it is attached to."""
    return {
        str(clause.amount or clause.percent): {
            (c.use or "", (c.applies_to.severity or [None])[0])
            for c in contract.commitments
            if clause.id in c.clauses
        }
        for clause in contract.clauses
    }


LEVELS = "故障分为甲类、乙类、丙类三类。\n"


@pytest.mark.parametrize("width", [44, 48])
def test_pdf_table_cells_run_together_behind_a_bound_are_cells_of_their_own(
    width: int, tmp_path: Path
) -> None:
    pytest.importorskip("reportlab")
    from reportlab.lib import colors
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "grid.pdf"
    rows = [
        ["处理要求", "特急故障", "紧急故障", "普通故障"],
        ["接听并答复报修(电话)", "≤3分钟", "≤10分钟", "≤2小时"],
        ["维修人员赶到现场", "≤20分钟", "≤40分钟", "≤6小时"],
    ]
    # narrow columns: the layout leaves one blank (48) or none (44) between their figures
    table = Table(rows, colWidths=[120, width, width, width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    SimpleDocTemplate(str(path)).build([table])
    read = [line.text for line in read_tender(path) if "≤" in line.text]
    assert [row.count("|") for row in read] == [5, 5]
    contract, _ = drafted_file(path)
    assert ("be-on-site", "emergency", "40m", "always") in targets(contract)
    assert ("answer-the-call", "general", "2h", "always") in targets(contract)


def test_a_bound_in_running_text_opens_no_cell(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "一般故障响应时间≤2小时，到场≤6小时。\n")
    assert targets(contract) == {
        ("answer-the-call", "general", "2h", "always"),
        ("be-on-site", "general", "6h", "always"),
    }


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("廠商應於20日曆天內修復。", ("fix-after-arrival", None, "480h", "always")),
        ("承辦商須於十個曆日內修妥。", ("fix-after-arrival", None, "240h", "always")),
        ("技術員須於兩個工作天內到場。", ("be-on-site", None, "2d", "office")),
    ],
)
def test_calendar_days_written_as_taiwan_and_hong_kong_write_them(
    sentence: str, expected: tuple[str, None, str, str], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {expected}


@pytest.mark.parametrize(
    ("sentence", "use"),
    [
        ("須運返供應商工廠修理的主板，應於21日內修妥送回。", "factory-repair"),
        ("送返承包商維修中心之部件，須於10日內交回。", "factory-repair"),
        # sending a part back to a place that is no workshop is no factory repair
        ("部件送回調度中心後，須於10日內修妥。", "fix-after-arrival"),
    ],
)
def test_a_part_sent_back_to_the_suppliers_own_workshop_is_a_factory_repair(
    sentence: str, use: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert [c.use for c in contract.commitments] == [use]


@pytest.mark.parametrize(
    ("sentence", "use"),
    [
        ("現場無法處理時，廠商應於12小時內調派資深技師支援。", "dispatch-engineer"),
        ("必要时，乙方应于6小时内增派工程师。", "dispatch-engineer"),
        ("工程师应于6小时内到场。", "be-on-site"),
    ],
)
def test_sending_staff_in_other_words_is_a_dispatch(
    sentence: str, use: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert [c.use for c in contract.commitments] == [use]


@pytest.mark.parametrize(
    ("sentence", "levels"),
    [
        ("甲类、乙类故障排除后，乙方须于5日内提交分析报告。", {"class-a", "class-b"}),
        ("甲類及丙類故障須於4小時內到場。", {"class-a", "class-c"}),
        ("Severity 1 and Severity 2 incidents: a root cause report within 3 days.", None),
        # one level, then a second act joined by 和: no list of levels
        ("甲类故障排除和提交报告均须于5日内完成。", {"class-a"}),
    ],
)
def test_levels_listed_before_one_act_each_have_the_commitment(
    sentence: str, levels: set[str] | None, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, LEVELS + sentence + "\n")
    found = {c.applies_to.severity[0] for c in contract.commitments if c.applies_to.severity}
    assert found == (levels or {"sev1", "sev2"})


def test_levels_listed_in_a_penalty_condition_each_carry_the_penalty(tmp_path: Path) -> None:
    text = (
        LEVELS + "甲类故障8小时内修复，乙类故障2日内修复，丙类故障5日内修复。\n"
        "乙类、丙类故障超过修复时限的，每超过1日扣款800元。\n"
    )
    contract, _ = drafted(tmp_path, text)
    assert charged(contract) == {
        "800.00": {("fix-after-arrival", "class-b"), ("fix-after-arrival", "class-c")}
    }


def test_a_second_condition_with_no_subject_goes_on_about_the_level_before(
    tmp_path: Path,
) -> None:
    text = (
        LEVELS + "甲类故障2小时内到场，6小时内修复。乙类故障4小时内到场，2日内修复。\n"
        "甲类故障超过到场时限的，每超过1小时罚款2,000元；超过修复时限的，每超过1小时罚款900元。\n"
        "未按时提交月报的，每次罚款300元。\n"
    )
    contract, _ = drafted(tmp_path, text)
    found = charged(contract)
    assert found["2000.00"] == {("be-on-site", "class-a")}
    assert found["900.00"] == {("fix-after-arrival", "class-a")}


def test_a_condition_naming_its_own_subject_in_another_paragraph_keeps_its_scope(
    tmp_path: Path,
) -> None:
    text = (
        LEVELS + "甲类故障2小时内到场，6小时内修复。乙类故障4小时内到场，2日内修复。\n"
        "甲类故障超过到场时限的，每超过1小时罚款2,000元。\n"
        "超过修复时限的，每超过1小时罚款900元。\n"
    )
    contract, _ = drafted(tmp_path, text)
    assert charged(contract)["900.00"] == {
        ("fix-after-arrival", "class-a"),
        ("fix-after-arrival", "class-b"),
    }


@pytest.mark.parametrize(
    ("condition", "use"),
    [
        ("甲类故障未能于到达后6小时内修复的，每次罚款8,000元。", "fix-after-arrival"),
        ("甲类故障未能在2小时内到场的，每次罚款8,000元。", "be-on-site"),
    ],
)
def test_in_a_chinese_penalty_the_act_failed_follows_its_figure(
    condition: str, use: str, tmp_path: Path
) -> None:
    text = LEVELS + "甲类故障2小时内到场，到场后6小时内修复。\n" + condition + "\n"
    contract, _ = drafted(tmp_path, text)
    assert charged(contract) == {"8000.00": {(use, "class-a")}}


@pytest.mark.parametrize(
    ("sentence", "period"),
    [
        ("整套系统的可用率每季不得低于96%。", "quarter"),
        ("设备完好率按季考核，不低于96%。", "quarter"),
        ("设备完好率每月不低于96%。", "month"),
    ],
)
def test_the_quarter_without_its_last_character(sentence: str, period: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    (measure,) = contract.measures
    assert (measure.kind, str(measure.period)) == ("availability", period)


@pytest.mark.parametrize("word", ["周检", "月检", "季检"])
def test_a_missed_weekly_or_monthly_check_is_the_inspections_penalty(
    word: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, f"每月进行一次全面保养。\n每少做一次{word}，扣款600元。\n")
    (duty,) = contract.obligations
    (clause,) = contract.clauses
    assert clause.id in duty.clauses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("保养期间换下并更换之电源及配件，应自更换之日起保固9个月。", {"part": "9mo"}),
        ("整机质保2年。维修中更换的零件，均自更换之日起保修6个月。", {"unit": "2y", "part": "6mo"}),
        # the phrase names its own subject: the whole machine, not the parts before it
        ("维修中更换的零件随机附送，整机应自验收之日起保修2年。", {"unit": "2y"}),
    ],
)
def test_replaced_parts_warranted_from_a_start_after_a_modal_are_parts(
    text: str, expected: dict[str, str], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, text + "\n")
    assert contract.warranty is not None
    terms = {k: str(v) for k, v in contract.warranty.terms.items() if "unit" not in str(v)}
    assert terms == expected


def test_an_action_columns_header_naming_a_zone_gives_its_cells_that_zone(
    tmp_path: Path,
) -> None:
    text = (
        "| 级别 | 答复 | 到场（市区） | 到场（偏远地区） |\n"
        "| 一级 | 10分钟内 | 2小时内 | 6小时内 |\n"
        "| 二级 | 30分钟内 | 4小时内 | 1个工作日内 |\n"
    )
    contract, _ = drafted(tmp_path, text)
    by_level = {
        c.applies_to.severity[0]: {
            "": str(c.target),
            **{row.when["zone"][0]: str(row.target) for row in c.targets},
        }
        for c in contract.commitments
        if c.use == "be-on-site"
    }
    assert by_level["level-1"][""] == "2h" and by_level["level-1"]["remote"] == "6h"
    assert by_level["level-2"]["remote"] == "1d"
    answers = [c for c in contract.commitments if c.use == "answer-the-call"]
    assert all(not c.targets for c in answers)  # a column with no zone has no zone rows
