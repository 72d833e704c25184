"""Forms batch Y's first run missed (helper gb), each read in general (docs/drafting.md, the
catalogue): "restore normal service" naming no level, a sum in Philippine pesos, a failure label
followed by a share of the contract price, a total of penalties that ends the contract, training
and the "Service Provider" as no periodic work, compound spelled numbers ("twenty-one (21)"), a
limit stated as "the <act> time for <level> shall be N" or "到场时限为接报后N小时", parts named
零組件, a daily window of work (每日…后至翌日…前) as no daily frequency, a level's definition line
whose context ends at the next level's line, targets paired "respectively" (分别) with the levels
listed, and a distance band "逾N公里". Every sentence here is written for this file."""

from __future__ import annotations

from pathlib import Path

from slaengine.contract import Contract
from tests.drafting_support import drafted, linked, targets, zones


def everies(contract: Contract) -> list[str]:
    return sorted(str(o.schedule[0].every) for o in contract.obligations if o.schedule)


# --- "normal" as the state a repair returns to ---------------------------------------------


def test_restoring_normal_service_names_no_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 2: the technician shall attend within 6 hours and shall return the lift to "
        "normal service within 10 hours after arrival.\n",
    )
    assert targets(contract) == {
        ("be-on-site", "p2", "6h", "always"),
        ("fix-after-arrival", "p2", "10h", "always"),
    }


def test_normal_as_a_label_still_names_the_general_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Normal faults: on site within 2 business days.\n")
    assert targets(contract) == {("be-on-site", "general", "2d", "office")}


# --- a sum in pesos; a failure label followed by a share of the price ----------------------

PESO_PENALTIES = (
    "Severity 1: engineer on site within 3 hours; fault fixed within 8 hours after arrival.\n"
    "Penalties\n"
    "1. Late arrival on a Severity 1 call: PHP 2,500.00 for each hour or part of an hour.\n"
    "2. Severity 1 fault not fixed in time: two-tenths of one percent (0.2%) of the contract "
    "price for each day of delay.\n"
)


def test_a_sum_in_pesos_after_a_failure_label_is_a_clause(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, PESO_PENALTIES)
    by_kind = {c.kind: c for c in contract.clauses}
    late = by_kind["per_started"]
    assert str(late.amount) == "2500.00" and str(late.unit) == "1h"
    assert linked(contract, late.id) == {("be-on-site", "sev1", "3h")}


def test_a_share_of_the_price_after_a_failure_label_is_a_clause(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, PESO_PENALTIES)
    by_kind = {c.kind: c for c in contract.clauses}
    share = by_kind["percent_of_price_per_started"]
    assert str(share.percent) == "0.2" and str(share.unit) == "24h"
    assert linked(contract, share.id) == {("fix-after-arrival", "sev1", "8h")}


def test_a_share_not_of_the_price_after_a_failure_label_is_no_clause(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "Severity 1: on site within 3 hours.\n"
        "Late arrival on a Severity 1 call: 5% of the monthly fee.\n",
    )
    assert not contract.clauses
    assert any(r.line == 2 for r in draft.reviews)


# --- a total of penalties that ends the contract -------------------------------------------


def test_a_total_of_penalties_that_ends_the_contract_is_no_clause(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "Emergency: on site within 2 hours.\n"
        "When the total liquidated damages exceed 15% of the contract price, the Owner may "
        "terminate the agreement.\n",
    )
    assert not contract.clauses
    assert any(r.line == 2 and "end the contract" in r.message for r in draft.reviews)


def test_the_same_in_chinese_is_no_clause(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "紧急故障2小时内到场。\n违约金累计超过合同价10%的，甲方可解除合同。\n"
    )
    assert not contract.clauses


def test_a_cap_on_the_total_of_penalties_is_still_a_cap(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Emergency: on site within 2 hours; late arrival: USD 100 per hour.\n"
        "The total amount of liquidated damages shall not exceed 10% of the contract price.\n",
    )
    assert [c.kind for c in contract.clauses] == ["per_started"]
    assert contract.caps  # the total cap is read as before


# --- training and the "Service Provider" are no periodic work ------------------------------


def test_training_every_few_months_is_no_inspection(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "The Service Provider shall hold a half-day operator course every three months.\n"
        "The Service Provider shall give refresher training every four months.\n",
    )
    assert everies(contract) == []
    assert {r.line for r in draft.reviews if r.kind == "not_understood"} >= {1, 2}


def test_servicing_by_the_service_provider_is_still_an_inspection(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "The Service Provider shall service the chillers every three months.\n"
    )
    assert everies(contract) == ["3mo"]


# --- compound spelled numbers --------------------------------------------------------------


def test_a_compound_spelled_number_before_its_digits_is_read(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Any pump sent to the workshop for bench repair shall be refitted within thirty-five "
        "(35) calendar days.\n",
    )
    # 35 days of 24 hours
    assert targets(contract) == {("factory-repair", None, "840h", "always")}


def test_a_compound_spelled_number_alone_is_read(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Emergency: on site within twenty-two hours.\n")
    assert targets(contract) == {("be-on-site", "emergency", "22h", "always")}


# --- "the on-site time for X shall be N"; "到场时限为接报后N小时" ------------------------------


def test_the_time_for_a_level_shall_be_a_figure_at_distant_sites(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1: on site within 3 hours.\n"
        "For clinics that lie more than 150 km from the depot, the attendance time for a "
        "Priority 1 call shall be 7 hours.\n",
    )
    assert zones(contract)[("be-on-site", "p1")] == {"": "3h", "beyond-150km": "7h"}


def test_a_chinese_time_limit_counted_from_the_call_at_outlying_islands(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "紧急故障须于接报后3小时内到场。\n离岛的泵房，紧急故障的到场时限为接报后5小时。\n"
    )
    assert zones(contract)[("be-on-site", "emergency")] == {"": "3h", "remote": "5h"}


def test_a_time_that_is_no_limit_is_not_labelled(tmp_path: Path) -> None:
    # "the travel time is 2 hours": a time named, but no act the draft knows
    contract, _ = drafted(tmp_path, "The travel time for our team is 2 hours by road.\n")
    assert targets(contract) == set()


# --- 零組件: the parts replaced ----------------------------------------------------------------


def test_parts_named_ling_zu_jian_are_the_parts_replaced(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "維修期間更換之零組件，自更換日起保固六個月。\n")
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {"part": "6mo"}


# --- a daily window of work is no daily frequency ------------------------------------------


def test_work_done_in_a_daily_window_is_no_daily_duty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "每季度对闸机保养一次。\n保养工作应于每日闭馆后至次日开馆前进行。\n",
    )
    assert everies(contract) == ["3mo"]


def test_a_daily_round_is_still_daily(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "每日对机房巡检一次。\n")
    assert everies(contract) == ["1d"]


# --- a level's definition line, then lines of other levels -----------------------------------


def test_a_definition_lines_level_ends_at_the_next_levels_line(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "乙类故障：不影响使用之小故障。\n"
        "甲类故障：2小时内到场。\n"
        "乙类故障：8小时内到场。\n"
        "须寄回原厂修理之电路板，应于20日内修复寄回。\n",
    )
    assert ("factory-repair", None, "480h", "always") in targets(contract)


def test_a_level_heading_still_holds_for_the_lines_below(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "一级故障：\n30分钟内电话响应。\n4小时内到场。\n")
    assert targets(contract) == {
        ("answer-the-call", "level-1", "30m", "always"),
        ("be-on-site", "level-1", "4h", "always"),
    }


# --- targets paired "respectively" with the levels listed ----------------------------------


def test_figures_paired_respectively_with_the_levels_in_chinese(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "一级故障2小时内到场，二级故障4小时内到场。\n"
        "一级、二级故障之到场时限，对逾80公里之站点分别为5小时及9小时。\n",
    )
    assert zones(contract)[("be-on-site", "level-1")] == {"": "2h", "beyond-80km": "5h"}
    assert zones(contract)[("be-on-site", "level-2")] == {"": "4h", "beyond-80km": "9h"}


def test_figures_paired_respectively_with_the_levels_in_english(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1: on site within 2 hours. Priority 2: on site within 4 hours.\n"
        "At stores more than 90 km from our base, the attendance times for Priority 1 and "
        "Priority 2 calls are 5 hours and 9 hours respectively.\n",
    )
    assert zones(contract)[("be-on-site", "p1")] == {"": "2h", "beyond-90km": "5h"}
    assert zones(contract)[("be-on-site", "p2")] == {"": "4h", "beyond-90km": "9h"}


def test_respectively_with_figures_that_do_not_pair_is_not_paired(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "一级、二级、三级故障分别于2小时及4小时内到场。\n")
    # three levels, two figures: no pairing is guessed
    assert ("be-on-site", "level-3", "2h", "always") not in targets(contract)
    assert ("be-on-site", "level-2", "2h", "always") not in targets(contract)
