"""Forms met in public Chinese (Simplified and Traditional) after-sales texts before a held-out
batch (docs/drafting.md): each sentence is written for this file in our own words, and the
draft must read the form in general — a label of levels and figures, a time word as a label, a
clock's start after a label's colon, zones outside the city, a warranty with a bracketed aside or
a bracketed part term, bands of lateness, a duty stated with its penalty, every other month, the
next working day, a care-of sign typed for a per cent sign."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.contract import Contract
from tests.drafting_support import drafted, targets


def zones(contract: Contract) -> dict[str, dict[str, str]]:
    return {
        c.use or "": {
            **{"": str(c.target)},
            **{row.when["zone"][0]: str(row.target) for row in c.targets},
        }
        for c in contract.commitments
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "响应时间：一级故障15分钟，二级故障30分钟。\n",
            {
                ("answer-the-call", "level-1", "15m", "always"),
                ("answer-the-call", "level-2", "30m", "always"),
            },
        ),
        (
            "故障修复时限：一级故障4小时，二级故障12小时。\n",
            {
                ("fix-after-arrival", "level-1", "4h", "always"),
                ("fix-after-arrival", "level-2", "12h", "always"),
            },
        ),
        (
            "到场时限\n紧急故障 2小时\n一般故障 8小时\n",
            {
                ("be-on-site", "emergency", "2h", "always"),
                ("be-on-site", "general", "8h", "always"),
            },
        ),
    ],
)
def test_a_label_naming_the_act_then_levels_and_their_figures(
    text: str, expected: set[tuple[str, str, str, str]], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, text)
    assert targets(contract) == expected


def test_a_label_naming_the_act_by_its_words_class_is_inferred_and_listed(tmp_path: Path) -> None:
    contract, draft = drafted(tmp_path, "故障处理时限：一级故障2小时，二级故障8小时。\n")
    assert targets(contract) == {
        ("fix-after-arrival", "level-1", "2h", "always"),
        ("fix-after-arrival", "level-2", "8h", "always"),
    }
    assert any(r.kind == "assumption" and "'处理'" in r.message for r in draft.reviews)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("一级故障处理时限2小时。", ("fix-after-arrival", "level-1", "2h", "always")),
        ("紧急故障處理時限為4小時。", ("fix-after-arrival", "emergency", "4h", "always")),
        ("故障响应：接报后15分钟。", ("answer-the-call", None, "15m", "always")),
        ("提交故障报告时间：故障排除后3个工作日。", ("hand-in-report", None, "3d", "office")),
        ("叫修後次一工作天內到場。", ("be-on-site", None, "1d", "office")),
        ("一般故障下一个工作日内修复。", ("fix-after-arrival", "general", "1d", "office")),
    ],
)
def test_a_time_word_a_clock_start_after_a_colon_and_the_next_working_day(
    sentence: str, expected: tuple[str, str | None, str, str], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {expected}


@pytest.mark.parametrize(
    "sentence",
    [
        "设备检修时长4小时。",  # how long a job lasts, no limit
        "故障处理时限：一级故障2小时后升级为重大故障。",  # a level's figure with more after it
        "质保期：一级代理3年。",  # a label that names no time
        "到场超时1小时以内扣500元，超时1小时以上扣1000元。",  # bands of lateness
    ],
)
def test_no_limit_is_read_from_a_duration_a_trailing_phrase_or_a_band_of_lateness(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.commitments == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "从接到报修起至抵达故障现场的时间：市区不超过2小时，跨县不超过8小时，跨省不超过24小时。",
            {"be-on-site": {"": "2h", "county": "8h", "remote": "24h"}},
        ),
        ("城区内2小时到场，城区外4小时到场。", {"be-on-site": {"": "2h", "county": "4h"}}),
        ("市区2小时内到场，本市以外8小时内到场。", {"be-on-site": {"": "2h", "province": "8h"}}),
    ],
)
def test_outside_the_city_and_across_counties_are_zones(
    sentence: str, expected: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert zones(contract) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("整机质保期为三年（含主要部件）。", {"unit": "3y"}),
        ("设备整机保固三年（不含易损件）。", {"unit": "3y"}),
        ("整机质保2年（主要部件5年）。", {"unit": "2y", "key_part": "5y"}),
        ("主要部件（含压缩机）质保5年，整机质保2年。", {"unit": "2y", "key_part": "5y"}),
    ],
)
def test_a_bracket_after_a_warranty_term_is_an_aside_or_a_part_term_of_its_own(
    sentence: str, expected: dict[str, str], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.warranty is not None
    terms = {k: str(v) for k, v in contract.warranty.terms.items() if k in ("unit", "key_part")}
    assert terms == expected


@pytest.mark.parametrize(
    ("sentence", "every"),
    [
        ("每月巡检一次，漏检一次扣罚2000元。", "1mo"),
        ("每季度保养一次，未按时保养的，每次扣除500元。", "3mo"),
    ],
)
def test_a_duty_stated_with_its_penalty_is_drafted_and_carries_it(
    sentence: str, every: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    (duty,) = contract.obligations
    (clause,) = contract.clauses
    assert [str(s.every) for s in duty.schedule] == [every]
    assert clause.id in duty.clauses


def test_a_late_arrival_penalty_in_the_word_for_being_late_is_the_arrivals(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(tmp_path, "2小时内到场；迟到一次罚款500元。\n")
    (clause,) = contract.clauses
    assert [c.use for c in contract.commitments if clause.id in c.clauses] == ["be-on-site"]


@pytest.mark.parametrize(
    ("sentence", "every"),
    [("隔月巡检一次。", "2mo"), ("每隔两个月进行一次设备保养。", "2mo"), ("每月巡检一次。", "1mo")],
)
def test_every_other_month_is_two_months(sentence: str, every: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    (duty,) = contract.obligations
    assert [str(s.every) for s in duty.schedule] == [every]


def test_a_care_of_sign_after_a_figure_is_a_per_cent_sign(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "保证所辖设备完好率95℅。\n")
    (measure,) = contract.measures
    assert measure.kind == "availability" and str(measure.target) == "95"
