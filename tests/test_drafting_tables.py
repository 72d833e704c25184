"""The general table reader (docs/drafting.md, "Tables"): each header cell and row label is
classified by word class (level or kind, action, zone, unit), each cell read as row role ×
column role with the unit of its header, and a cell no role makes a term of is listed, never
passed over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from slaengine.contract import Contract, parse_contract
from slaengine.drafting import DraftOptions, draft_tender, to_yaml

OPTIONS = DraftOptions(
    id="T-1", price=Decimal("1000000"), currency="CNY", accepted_on=date(2026, 1, 15),
    timezone="Asia/Shanghai",
)  # fmt: skip


def drafted(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    tender = tmp_path / "tender.md"
    tender.write_text(text, encoding="utf-8")
    draft = draft_tender(tender, OPTIONS)
    return parse_contract(to_yaml(draft), tmp_path / "draft.yaml"), draft


def targets(contract: Contract) -> set[tuple[str, str | None, str]]:
    return {
        (c.use or "", (c.applies_to.severity or [None])[0], str(c.target))
        for c in contract.commitments
    }


def test_a_unit_in_the_header_is_the_unit_of_the_bare_numbers_below(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 故障等级 | 响应时间（分钟） | 到场时间（小时） |\n"
        "| 一级故障 | 15 | 2 |\n"
        "| 二级故障 | 30 | 4 |\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "level-1", "15m"),
        ("be-on-site", "level-1", "2h"),
        ("answer-the-call", "level-2", "30m"),
        ("be-on-site", "level-2", "4h"),
    }


def test_a_unit_in_the_row_label_when_levels_are_columns(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 项目 | 一级故障 | 二级故障 |\n"
        "| 响应时间(分钟) | 10 | 30 |\n"
        "| 修复时间(小时) | 4 | 12 |\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "level-1", "10m"),
        ("answer-the-call", "level-2", "30m"),
        ("fix-after-arrival", "level-1", "4h"),
        ("fix-after-arrival", "level-2", "12h"),
    }


def test_a_header_naming_its_action_by_word_class_is_read_and_listed(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "| Priority | Response | Rectification |\n| Priority 1 | 30 minutes | 8 hours |\n",
    )
    assert ("fix-after-arrival", "p1", "8h") in targets(contract)
    (listed,) = [r for r in draft.reviews if "Rectification" in r.message]
    assert listed.kind == "assumption"


def test_a_row_label_naming_kind_and_action(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| 服务内容 | 时限要求 |\n| 困人救援到场 | 15分钟 |\n| 停梯故障到场 | 30分钟 |\n"
        "| 停梯故障修复 | 4小时 |\n| 工程师回访 | 24小时 |\n",
    )
    assert targets(contract) == {
        ("be-on-site", "困人救援", "15m"),
        ("be-on-site", "停梯", "30m"),
        ("fix-after-arrival", "停梯", "4h"),
        ("call-back", None, "24h"),
    }


def test_a_merged_label_cell_holds_for_the_row_below(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| Severity | Response | On site |\n| Severity 1 | 15 minutes | 2 hours |\n"
        "| | 30 minutes | |\n",
    )
    # the merged row restates severity 1 with a second response: a conflict, stricter kept
    assert ("answer-the-call", "sev1", "15m") in targets(contract)


def test_a_bare_number_with_no_unit_anywhere_is_listed(tmp_path: Path) -> None:
    _, draft = drafted(tmp_path, "| 故障等级 | 响应时间 | 到场时间 |\n| 一级故障 | 15 | 2 |\n")
    (listed,) = [r for r in draft.reviews if "bare number" in r.message]
    assert listed.kind == "not_understood" and "15" in listed.message


def test_phone_forms_and_a_remaining_term_re_warranty(tmp_path: Path) -> None:
    _, draft = drafted(
        tmp_path,
        "叫修電話：(03)5712-345\n叫修專線：04-2225-6789\nService hub: 01223 555 019\n"
        "本案設備保固3年，保固期內更換之零件，保固期依原保固期剩餘期間計算。\n",
    )
    text = to_yaml(draft)
    for phone in ("(03)5712-345", "04-2225-6789", "01223 555 019"):
        assert phone in text
    assert "remaining" in text
