"""Forms batch Z's first run missed (helper hc): British and other local phone numbers, two
numbers of one line kept apart, "normal operation" that names no level, a part that comes
"back on site" and a copy "left on site", a yearly charge invoiced in arrears, a zone named by
the reason after a limit and by a place that leads the sentence, sums in other ISO codes, a
penalty heading run into its first clause, a sum alone on the line after a colon, PPM visits,
a test "each year", an equipment list's header, and named parts before "all other parts".
Sentences in our own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.clauses import find_clause
from slaengine.drafting.figures import amounts
from slaengine.drafting.reading import Line
from slaengine.drafting.text import Sentence, sentences
from slaengine.drafting.vocabulary import PHONE
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import options, targets

OPTIONS = options(currency="GBP", timezone="Europe/London")


def drafted(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, OPTIONS)


def zoned(contract: Contract) -> set[tuple[str, str | None, str, str]]:
    return {
        (c.use or "", (c.applies_to.severity or [None])[0], zone, str(row.target))
        for c in contract.commitments
        for row in c.targets
        for zone in row.when.get("zone", [])
    }


def _bare(text: str) -> Sentence:
    return Sentence(1, text, text)


# --- contacts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["01632 960184", "07700 900731", "020 7946 0321", "029 2018 0044"]
)
def test_british_numbers_are_phones(number: str) -> None:
    assert PHONE.findall(f"Night line: {number}") == [number]


def test_five_and_five_digits_are_no_british_phone() -> None:
    assert PHONE.findall("Asset ref 01632 96018 is listed in Annex B") == []


def test_two_numbers_on_one_line_stay_two_contacts(tmp_path: Path) -> None:
    _, draft = drafted(
        tmp_path,
        "Help desk (all hours): +254 733 410 286 Mombasa depot: 041 231 5570\n",
    )
    (contact,) = draft.sections["contacts"]
    name = " ".join(contact.data["name"].values())
    assert PHONE.findall(name) == ["+254 733 410 286", "041 231 5570"]


# --- levels and acts -----------------------------------------------------------------------------


def test_normal_operation_names_no_level(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 calls are attended within 3 hours.\n"
        "For a Priority 1 call, normal operation is to be restored within 6 hours of arrival.\n",
    )
    assert ("fix-after-arrival", "p1", "6h", "always") in targets(contract)
    assert "general" not in contract.severities


def test_normal_calls_still_name_the_general_level(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Normal calls shall be answered within 4 hours.\n")
    assert {sev for _use, sev, _t, _c in targets(contract)} == {"general"}


def test_a_part_back_on_site_after_the_vendor_is_a_factory_repair(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Meters that must be sent back to the vendor shall be back on site within twenty (20) "
        "working days.\n",
    )
    assert {(u, t) for u, _s, t, _c in targets(contract)} == {("factory-repair", "20d")}


def test_a_copy_left_on_site_is_no_arrival(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "A job sheet shall be left on site after each call-out, and a copy sent to the client "
        "within 3 working days.\n",
    )
    assert {(u, t) for u, _s, t, _c in targets(contract)} == {("hand-in-report", "3d")}


def test_an_engineer_on_site_is_still_the_arrival(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "The engineer shall be on site within 5 hours.\n")
    assert {(u, t) for u, _s, t, _c in targets(contract)} == {("be-on-site", "5h")}


# --- zones ---------------------------------------------------------------------------------------


def test_a_ferry_given_as_the_reason_makes_the_limit_remote(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1: attend within 3 hours.\n"
        "For Priority 1 calls at the Skerry Voe station, attendance shall be within 20 hours, "
        "allowing for ferry sailings.\n",
    )
    assert zoned(contract) == {("be-on-site", "p1", "remote", "20h")}


def test_a_reason_that_names_no_place_gives_no_zone(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 2 calls shall be attended within 10 hours, reflecting staff rotas.\n",
    )
    assert zoned(contract) == set()
    assert ("be-on-site", "p2", "10h", "always") in targets(contract)


def test_a_place_leading_the_sentence_holds_for_each_limit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Critical faults: on site within 4 hours. Major faults: on site within 12 hours.\n"
        "For sites more than 60 km from the depot, the engineer shall be on site within 8 hours "
        "for Critical faults and within 30 hours for Major faults.\n",
    )
    assert zoned(contract) == {
        ("be-on-site", "critical", "beyond-60km", "8h"),
        ("be-on-site", "major", "beyond-60km", "30h"),
    }


def test_a_level_leading_the_sentence_is_no_place(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "For Critical faults, the engineer shall answer within 1 hour, be on site within 5 "
        "hours and restore service within 12 hours.\n",
    )
    assert zoned(contract) == set()


# --- money and penalties -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("KES 7,500 per hour", "7500"), ("a deduction of NGN 40,000", "40000"), ("KSh 900", "900")],
)
def test_other_iso_codes_are_sums(text: str, value: str) -> None:
    assert [str(a.value) for a in amounts(text)] == [value]


def test_a_word_in_small_letters_is_no_currency_code() -> None:
    assert amounts("try 3 times before escalating") == []


def test_a_yearly_charge_invoiced_in_arrears_is_no_penalty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 calls are attended within 3 hours.\n"
        "Yearly fee: £18,400 plus VAT, billed monthly in advance and payable within 28 days.\n",
    )
    assert contract.clauses == []


def test_a_service_credit_on_invoices_in_arrears_is_still_a_penalty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 calls are attended within 3 hours.\n"
        "If a Priority 1 call is attended late, a credit of £300 is deducted from the charges "
        "invoiced in arrears.\n",
    )
    assert [c.kind for c in contract.clauses] == ["fixed"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Penalties Late arrival on a Priority 1 call: £300 for each hour or part of an hour.",
        "C.5 Liquidated Damages C.5.1 Priority 1 arrival later than the time in C.2: £300 for "
        "each hour or part of an hour.",
    ],
)
def test_a_penalty_heading_run_into_its_clause(sentence: str, tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Priority 1 calls are attended within 3 hours.\n" + sentence)
    (clause,) = contract.clauses
    assert clause.kind == "per_started"
    assert [c.use for c in contract.commitments if clause.id in c.clauses] == ["be-on-site"]


def test_a_penalty_sentence_is_no_heading() -> None:
    found = find_clause(_bare("Penalties shall not exceed 10% of the contract price"))
    assert getattr(found, "condition", "") == ""


def test_a_sum_alone_after_a_colon_line_joins_its_clause() -> None:
    lines = [
        Line(1, "Each planned visit not carried out in its month:"),
        Line(2, "£420.00."),
        Line(3, "Contacts:"),
        Line(4, "Service desk 01632 960184"),
    ]
    plains = [s.plain for s in sentences(lines, wrapped=True)]
    assert plains[0] == "Each planned visit not carried out in its month: £420.00"
    assert any(p.startswith("Service desk") for p in plains)


def test_a_missed_ppm_visit_is_charged_to_the_inspections(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 calls are attended within 3 hours.\n"
        "Boilers: quarterly PPM visits.\n"
        "A PPM visit not made within 10 days of its due date: £650 per visit.\n",
    )
    (clause,) = contract.clauses
    assert [o for o in contract.obligations if clause.id in o.clauses]
    assert not [c for c in contract.commitments if clause.id in c.clauses]


# --- upkeep, levels in tables and warranty -------------------------------------------------------


def test_a_test_each_year_is_a_yearly_duty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Every chiller: one refrigerant leak and pressure test each year.\n"
    )
    everies = [str(step.every) for duty in contract.obligations for step in duty.schedule]
    assert everies == ["1y"]


def test_for_each_year_of_the_term_is_no_duty(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Priority 1 calls are attended within 3 hours.\n"
        "The rates are fixed for each year of the term, with a test of the prices in year 3.\n",
    )
    assert contract.obligations == []


def test_an_equipment_list_header_names_no_levels(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| Item | Description | Location | Qty |\n"
        "|---|---|---|---|\n"
        "| 1 | Ultrasound scanner | Ward 4 | 2 |\n"
        "\n"
        "Faults are classified as Critical, Major or Minor.\n"
        "Critical faults: on site within 4 hours. Major faults: on site within 24 hours. "
        "Minor faults: on site within 5 working days.\n",
    )
    assert set(contract.severities) == {"critical", "major", "minor"}


def test_named_parts_before_all_other_parts_are_key_parts(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Warranted items - compressors and fan motors installed under this contract: 18 months "
        "from installation. All other replacement parts: 6 months.\n",
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "key_part": "18mo",
        "part": "6mo",
    }


def test_the_equipment_before_all_other_parts_stays_the_unit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The equipment is warranted for 2 years. All other replacement parts: 6 months.\n",
    )
    assert contract.warranty is not None
    assert str(contract.warranty.terms["unit"]) == "2y"
