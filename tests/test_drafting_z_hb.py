"""Forms batch Z's first run missed (helper hb): an on-time rate with its act (准时到场率), a
routine request for repair as a level, an emergency hotline that names no level, a level's
definition closed by 者, a plan for the repair (修复计画), the price paid by instalments or by
period, a device named "emergency", "Major" works, a clause number before a frequency word, a
part removed for a named overhaul, parts supplied by the contractor, a plan named by its title,
and a limit after which the buyer acts. Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.figures import durations
from slaengine.drafting.vocabulary import SHAPE_BY_NAME
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import options, targets

OPTIONS = options(currency="HKD", timezone="Asia/Hong_Kong")


def drafted(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, OPTIONS)


def levels(contract: Contract) -> set[str]:
    return set(contract.severities)


# --- measures and acts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    ["維修人員準時到達率每季不得低於90%。", "工程师准时到场率按季考核，不低于90%。"],
)
def test_an_on_time_rate_naming_its_act_is_the_on_time_measure(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, "工程師須於4小時內到場。\n" + sentence + "\n")
    (measure,) = contract.measures
    assert (measure.kind, measure.period, str(measure.target)) == ("on_time_rate", "quarter", "90")


def test_a_plan_for_the_repair_is_a_plan_to_present(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "甲類故障：整機停用，無法開機者。\n"
        "甲類故障未能於時限內修好者，廠商應於報修後12小時內提交書面搶修計畫。\n",
    )
    assert targets(contract) == {("present-a-plan", "class-a", "12h", "always")}


def test_a_plan_named_by_its_title_as_a_rule_is_no_plan_to_present() -> None:
    words = SHAPE_BY_NAME["present-a-plan"].words
    assert not words.search("staff then leave the hall in accordance with the Lockout Plan")
    assert words.search("The Contractor shall submit a Recovery Plan within 8 hours")
    assert words.search("a plan of the repair within 8 hours")


def test_a_limit_after_which_the_buyer_acts_is_no_commitment(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "Priority 1: on site within 30 minutes.\n"
        "Where a Priority 1 stoppage has not been cleared within 45 minutes of the stop, the "
        "Owner's duty manager will start moving the riders off the line.\n",
    )
    assert targets(contract) == {("be-on-site", "p1", "30m", "always")}
    assert any("after which the buyer acts" in r.message for r in draft.reviews)


def test_a_limit_after_which_the_contractor_acts_is_still_read(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1: on site within 30 minutes.\n"
        "Where a Priority 1 stoppage has not been cleared within 45 minutes of the stop, the "
        "Contractor will send a second technician.\n",
    )
    assert ("fix-after-arrival", "p1", "45m", "always") in targets(contract)


# --- levels --------------------------------------------------------------------------------------


ROUTINE = (
    "緊急故障：整套系統停止運作。\n"
    "例行維修請求：外殼刮花、標示脫落等可於日常時段處理的事項。\n"
    "緊急故障須於2小時內到場。\n"
    "例行維修請求須於收到工作單後7個工作天內到場。\n"
)


def test_a_routine_request_for_repair_is_a_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, ROUTINE)
    assert levels(contract) == {"emergency", "routine"}
    assert ("be-on-site", "routine", "7d", "office") in targets(contract)


def test_routine_upkeep_alone_names_no_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "例行維修每月進行一次，包括清潔濾網。\n")
    assert contract.commitments == [] or all(
        c.applies_to.severity in (None, []) for c in contract.commitments
    )
    assert [str(step.every) for duty in contract.obligations for step in duty.schedule] == ["1mo"]


@pytest.mark.parametrize(
    "sentence",
    [
        "承辦商設24小時緊急熱線，所有報修均須於20分鐘內回覆。",
        "The emergency hotline is answered within 20 minutes for every call.",
    ],
)
def test_an_emergency_hotline_names_no_level(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {("answer-the-call", None, "20m", "always")}


def test_an_emergency_fault_still_names_the_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "緊急故障須於20分鐘內回覆，並撥打熱線通知。\n")
    assert targets(contract) == {("answer-the-call", "emergency", "20m", "always")}


def test_a_level_defined_by_a_clause_closed_by_zhe_is_no_heading(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "甲類故障：系統全面停擺，無法使用者。\n"
        "乙類故障：部分功能異常，仍可使用者。\n"
        "貳、通報\n"
        "廠商接獲通知後20分鐘內回覆。\n",
    )
    assert targets(contract) == {("answer-the-call", None, "20m", "always")}


def test_a_short_level_label_still_heads_the_lines_below(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "乙類故障：\n廠商接獲通知後20分鐘內回覆。\n")
    assert targets(contract) == {("answer-the-call", "class-b", "20m", "always")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Monthly test of the emergency stops and emergency lighting on each conveyor.",
        "Major off-season works (belt replacement) are priced separately.",
    ],
)
def test_a_device_named_emergency_and_major_works_name_no_level(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 means a stopped conveyor. Priority 2 means a slow conveyor.\n"
        "Priority 1: on site within 2 hours. Priority 2: on site within 8 hours.\n"
        f"{sentence}\n",
    )
    assert levels(contract) == {"p1", "p2"}


def test_an_emergency_call_out_still_names_the_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Emergency call-outs: on site within 2 hours.\n")
    assert targets(contract) == {("be-on-site", "emergency", "2h", "always")}


# --- figures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2.1 Weekly check of each valve", "5.3 Monthly report", "7 Hourly"]
)
def test_a_number_before_a_frequency_word_is_no_length_of_time(text: str) -> None:
    assert durations(text) == []


def test_a_number_before_a_unit_word_is_still_a_length_of_time() -> None:
    (span,) = durations("on site within 3 weeks")
    assert (span.value, span.unit) == (3, "w")


def test_a_clause_number_before_a_frequency_word_drafts_only_the_duty(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "2.1 Weekly check of every valve and gauge.\n")
    assert contract.commitments == []
    assert [str(step.every) for duty in contract.obligations for step in duty.schedule] == ["7d"]


# --- payment terms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "合約價款含保養及零件，分四期於每季末驗收後撥付。",
        "Monthly fee HK$20,000, invoiced on the 1st and payable by the 15th.",
    ],
)
def test_the_price_paid_by_instalments_is_no_duty_and_no_penalty(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.clauses == [] and contract.obligations == []


def test_a_duty_invoiced_by_period_naming_no_fee_is_still_a_duty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Each chiller is serviced every two months and invoiced monthly.\n"
    )
    assert [str(step.every) for duty in contract.obligations for step in duty.schedule] == ["2mo"]


def test_a_deduction_beside_a_monthly_payment_is_still_a_penalty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "每月保養一次。\n服務費按月支付，未按時保養者每次於服務費中扣款港幣500元。\n",
    )
    (clause,) = contract.clauses
    assert (clause.kind, str(clause.amount)) == ("fixed", "500.00")


# --- factory repair and warranty -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Motors removed for factory overhaul shall be refitted within 12 working days.",
        "Valves taken away for workshop overhaul are refitted within 12 working days.",
    ],
)
def test_a_part_removed_for_a_named_overhaul_is_a_factory_repair(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {("factory-repair", None, "12d", "office")}


def test_parts_supplied_by_the_contractor_are_the_parts_warranty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Parts supplied by the Contractor are warranted for 9 months from fitting.\n"
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {"part": "9mo"}


def test_equipment_supplied_by_the_contractor_is_the_unit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Equipment supplied by the Contractor is warranted for 24 months.\n"
    )
    assert contract.warranty is not None
    assert str(contract.warranty.terms["unit"]) == "24mo"
    assert str(contract.warranty.terms.get("part")) != "24mo"
