"""Forms batch Y's first run missed (helper gc): a fix rate on the first visit, a message left
and returned, a crew at a truck, a part removed for overhaul, spelled compound numbers, a
"Major components" subject, a transposed table's row labels (an act by whom, make safe and
restore), a named island site, levels listed after the act, a "fixed sum" that is no repair, a
failure that "attracts" a charge, a yearly adjective cut from its work at "and", and parts
supplied under the contract. Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.text import normalise
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import options, targets, zoned

OPTIONS = options(currency="EUR", timezone="Europe/Dublin")


def drafted(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, OPTIONS)


# --- words of acts and measures ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "At least 90% of service calls shall have a first-visit fix, counted every quarter.",
        "The share of faults fixed on the first visit shall be 90% or more each quarter.",
    ],
)
def test_a_fix_on_the_first_visit_is_the_first_time_fix_rate(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    (measure,) = contract.measures
    assert (measure.kind, measure.period, str(measure.target)) == (
        "first_time_fix",
        "quarter",
        "90",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Messages left on the night answerphone shall be returned within 20 minutes.",
        "The duty engineer returns voicemails within 20 minutes.",
    ],
)
def test_a_message_left_and_returned_is_a_call_back(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {("call-back", None, "20m", "always")}


def test_returning_the_fault_call_is_still_the_answer(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "The engineer shall return the call within 20 minutes.\n")
    assert targets(contract) == {("answer-the-call", None, "20m", "always")}


@pytest.mark.parametrize("where", ["truck", "crane", "locomotive"])
def test_a_crew_at_the_machine_is_on_site(where: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, f"Fitters at the {where} within 3 hours of the call.\n")
    assert targets(contract) == {("be-on-site", None, "3h", "always")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Gearboxes removed for overhaul shall be returned within 14 days.",
        "Pumps come back from our overhaul workshop within 14 days of collection.",
    ],
)
def test_a_part_removed_for_overhaul_is_a_factory_repair(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {("factory-repair", None, "336h", "always")}


# --- numbers and levels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("within thirty-five (35) days", "within 35 days"),
        ("within twenty-two days", "within 22 days"),
        ("sixty-one (61) hours", "61 hours"),
    ],
)
def test_a_compound_number_in_words_is_read_whole(text: str, plain: str) -> None:
    assert normalise(text) == plain


def test_major_components_at_the_start_name_no_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Major assemblies removed for overhaul are returned within 10 days.\n"
    )
    assert targets(contract) == {("factory-repair", None, "240h", "always")}


def test_a_major_fault_at_the_start_still_names_the_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Major faults: on site within 4 hours.\n")
    assert targets(contract) == {("be-on-site", "major", "4h", "always")}


def test_levels_listed_after_the_act_each_get_the_limit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 means a stopped line. Priority 2 means a degraded line.\n"
        "The engineer shall be on site within 5 hours for any Priority 1 or Priority 2 fault.\n",
    )
    assert targets(contract) == {
        ("be-on-site", "p1", "5h", "always"),
        ("be-on-site", "p2", "5h", "always"),
    }


def test_a_level_then_a_figure_for_another_level_is_no_list(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "On site within 2 hours for Priority 1 and 6 hours for Priority 2.\n"
    )
    assert targets(contract) == {
        ("be-on-site", "p1", "2h", "always"),
        ("be-on-site", "p2", "6h", "always"),
    }


# --- a table whose rows are acts and whose columns are levels ------------------------------------


TRANSPOSED = (
    "| | Level 1 | Level 2 |\n"
    "|---|---|---|\n"
    "| Call answered by a duty technician | 10 minutes | 30 minutes |\n"
    "| Engineer on site | 2 hours | 6 hours |\n"
    "| Make safe and restore use | 5 hours after arrival | 20 hours after arrival |\n"
)


def test_row_labels_naming_who_acts_and_make_safe_and_restore(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, TRANSPOSED)
    assert targets(contract) == {
        ("answer-the-call", "level-1", "10m", "always"),
        ("answer-the-call", "level-2", "30m", "always"),
        ("be-on-site", "level-1", "2h", "always"),
        ("be-on-site", "level-2", "6h", "always"),
        ("fix-after-arrival", "level-1", "5h", "always"),
        ("fix-after-arrival", "level-2", "20h", "always"),
    }


def test_attend_and_make_safe_alone_is_still_the_arrival(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| | Level 1 | Level 2 |\n| Attend and make safe | 2 hours | 6 hours |\n",
    )
    assert {use for use, *_ in targets(contract)} == {"be-on-site"}


# --- zones ---------------------------------------------------------------------------------------


def test_a_site_introduced_as_an_island_pier_is_remote(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The Contractor maintains the ramps at the mainland port and at the island pier on "
        "Inis Glas.\n"
        "The engineer shall be on site within 2 hours.\n"
        "For call-outs to the Inis Glas pier, the engineer shall be on site within 8 hours.\n",
    )
    assert zoned(contract) == {("be-on-site", None, "remote", "8h")}


def test_a_name_not_introduced_as_an_island_has_no_zone(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The engineer shall be on site within 2 hours.\n"
        "For call-outs to the Ballyglen depot, the engineer shall be on site within 8 hours.\n",
    )
    assert zoned(contract) == set()


# --- penalties -----------------------------------------------------------------------------------


def test_a_fixed_sum_is_no_repair_word(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 faults are repaired within 4 hours. Priority 2 faults are repaired within "
        "1 day.\n"
        "Where a Priority 2 fault is not repaired in time, a fixed sum of EUR 900 is deducted.\n",
    )
    (clause,) = contract.clauses
    assert clause.kind == "fixed"
    assert [c.applies_to.severity for c in contract.commitments if clause.id in c.clauses] == [
        ["p2"]
    ]


def test_a_missed_visit_that_attracts_a_charge_is_charged_to_the_inspections(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Every pump is inspected monthly.\n"
        "An inspection not carried out in its month attracts a fixed charge of EUR 400.\n",
    )
    (clause,) = contract.clauses
    assert clause.kind == "fixed" and str(clause.amount) == "400.00"
    assert [o for o in contract.obligations if clause.id in o.clauses]


# --- upkeep and warranty -------------------------------------------------------------------------


def test_a_yearly_adjective_cut_from_its_work_at_and_is_the_duty_frequency(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Annual electrical and mechanical survey of each hoist, with a written report.\n",
    )
    (duty,) = contract.obligations
    assert [str(step.every) for step in duty.schedule] == ["1y"]


def test_a_frequency_inside_a_longer_clause_is_not_joined_to_the_next_work(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Servicing follows the maker's plan, with a full service on each press every 4 months "
        "and calibration of the gauges once a year.\n",
    )
    everies = sorted(str(step.every) for duty in contract.obligations for step in duty.schedule)
    assert everies == ["1y", "4mo"]


@pytest.mark.parametrize(
    "sentence",
    [
        "All parts supplied and labour performed under this contract are guaranteed for 9 months.",
        "Materials furnished under this agreement carry a warranty of 9 months.",
    ],
)
def test_parts_supplied_under_the_contract_are_the_parts_warranty(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {"part": "9mo"}
