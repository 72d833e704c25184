"""Forms of English after-sales texts (US, UK, Canada, Australia, NZ, India, Ireland, Singapore,
South Africa) probed before a held-out batch (docs/drafting.md): each a general reading, tested
on sentences of its form written for the test, with a negative case where the rule could
over-fire."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.contract import Contract
from tests.drafting_support import drafted, targets


def schedules(contract: Contract) -> list[str]:
    return [str(step.every) for duty in contract.obligations for step in duty.schedule]


@pytest.mark.parametrize(
    ("sentence", "every"),
    [
        ("Fire extinguishers shall be inspected six-monthly.", "6mo"),
        ("Emergency lighting is tested 3-monthly.", "3mo"),
        ("Preventive maintenance shall be performed every other month.", "2mo"),
        ("Generators shall be load tested bi-annually.", "6mo"),
        ("Lightning protection shall be tested biennially.", "2y"),
    ],
)
def test_n_monthly_every_other_and_biannual_are_their_periods(
    sentence: str, every: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert schedules(contract) == [every]


def test_a_status_update_six_monthly_is_still_no_duty(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Status updates are sent six-monthly.\n")
    assert contract.obligations == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The Contractor shall change the engine oil and filters every 500 running hours or "
        "annually, whichever comes first.",
        "Air filters shall be inspected every 1,000 hours of operation or annually, whichever "
        "comes first.",
    ],
)
def test_running_hours_are_no_calendar_period_the_annual_limit_is(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert schedules(contract) == ["1y"]


def test_visits_per_annum_are_a_count_a_year(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Each lift shall receive a minimum of 12 maintenance visits per annum.\n"
    )
    (duty,) = contract.obligations
    assert (str(duty.per), duty.count) == ("1y", 12)


def test_the_longest_gap_between_visits_is_no_response_limit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Quarterly maintenance shall be carried out with no more than ninety (90) days between "
        "visits.\n",
    )
    assert contract.commitments == []
    assert schedules(contract) == ["3mo"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Call response time shall be maximum 24 hours.",
            ("answer-the-call", None, "24h", "always"),
        ),
        (
            "The engineer shall attend site within a maximum of 6 hours.",
            ("be-on-site", None, "6h", "always"),
        ),
    ],
)
def test_a_maximum_before_a_figure_is_a_limit(
    sentence: str, expected: tuple[str, None, str, str], tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert targets(contract) == {expected}


def test_a_figure_right_before_the_acts_noun_is_its_limit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "P1: 1 hr response, 4 hr resolution. P2: 4 hr response, 8 hr resolution.\n"
    )
    assert targets(contract) == {
        ("answer-the-call", "p1", "1h", "always"),
        ("fix-after-arrival", "p1", "4h", "always"),
        ("answer-the-call", "p2", "4h", "always"),
        ("fix-after-arrival", "p2", "8h", "always"),
    }


def test_a_24_hour_service_line_is_still_no_limit(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "A 24 hour service line is provided for all fault calls.\n")
    assert contract.commitments == []


def test_nbd_alone_in_a_cell_is_the_next_business_day(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| Priority | Response | On-site |\n| P2 | 1 hr | 4 hrs |\n| P3 | 4 hrs | NBD |\n",
    )
    assert ("be-on-site", "p3", "1d", "office") in targets(contract)


def test_a_distance_band_s_place_is_no_depot_repair_and_the_next_band_keeps_the_act(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Sites within 50 km of the service depot: engineer on site within 4 hours. "
        "Sites more than 50 km from the depot: within 8 hours.\n",
    )
    (commitment,) = contract.commitments
    assert commitment.use == "be-on-site" and str(commitment.target) == "4h"
    assert [(r.when, str(r.target)) for r in commitment.targets] == [
        ({"zone": ["beyond-50km"]}, "8h")
    ]


def test_a_repair_at_the_depot_is_still_a_factory_repair(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Units sent to the depot shall be repaired and returned within 10 working days.\n"
    )
    assert [c.use for c in contract.commitments] == ["factory-repair"]


def test_zones_in_brackets_after_each_figure(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The engineer shall attend within 4 hours (metropolitan) or 24 hours (regional).\n",
    )
    (commitment,) = contract.commitments
    assert commitment.use == "be-on-site" and str(commitment.target) == "4h"
    assert [(r.when, str(r.target)) for r in commitment.targets] == [
        ({"zone": ["province"]}, "24h")
    ]


def test_a_penalty_for_each_week_or_part_thereof(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The Contractor shall complete repairs within 5 working days. Should the Contractor fail "
        "to complete the repair within the time limit, the Contractor shall pay 2.5% of the "
        "contract price for each week or part thereof, up to a maximum of 15% of the contract "
        "price.\n",
    )
    (clause,) = contract.clauses
    data = clause.model_dump()
    assert (data["kind"], str(data["percent"]), str(data["unit"]), str(data["cap_percent"])) == (
        "percent_of_price_per_started",
        "2.5",
        "168h",
        "15",
    )


def test_a_penalty_naming_a_level_with_one_commitment_is_attached_to_it(tmp_path: Path) -> None:
    contract, draft = drafted(
        tmp_path,
        "Routine requests: technician on site within 2 business days. "
        "Emergency requests: technician on site within 2 hours. "
        "For each failure to respond to an emergency request, the Council may assess "
        "liquidated damages of $500 per instance.\n",
    )
    (clause,) = contract.clauses
    owners = [c.applies_to.severity for c in contract.commitments if clause.id in c.clauses]
    assert owners == [["emergency"]]
    assert any(r.kind == "assumption" and r.item == clause.id for r in draft.reviews)


def test_a_penalty_naming_no_level_is_not_guessed(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Routine requests: technician on site within 2 business days. "
        "Emergency requests: technician on site within 2 hours. "
        "For each complaint upheld, the Council may assess $100 per instance.\n",
    )
    (clause,) = contract.clauses
    assert not [c for c in contract.commitments if clause.id in c.clauses]


def test_a_south_african_rand_sum_is_money(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Liquidated damages of R5,000 per day shall apply for each day the equipment remains out "
        "of service beyond the repair time.\n",
    )
    (clause,) = contract.clauses
    data = clause.model_dump()
    assert (data["kind"], str(data["amount"]), str(data["unit"])) == (
        "per_started",
        "5000.00",
        "24h",
    )


def test_an_r_with_a_small_number_is_no_rand(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "R1 faults: respond within 1 hour.\n")
    assert contract.clauses == []


@pytest.mark.parametrize(
    ("sentence", "scope"),
    [
        (
            "The total liquidated damages shall not exceed 10% of the contract price.",
            "contract_total",
        ),
        (
            "The total liquidated damages shall not exceed 10% of the annual contract value.",
            "per_contract_year",
        ),
    ],
)
def test_a_cap_on_the_total_of_liquidated_damages(
    sentence: str, scope: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    cap = getattr(contract.caps, scope)
    assert cap is not None and str(cap.percent_of_price) == "10"


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("The defects liability period for the main equipment is 12 months after successful "
         "commissioning.", "12mo"),
        ("Defects Liability Period: 24 months from Practical Completion.", "24mo"),
        ("The Defects Notification Period shall be 365 days from the date of taking over.", "365d"),
    ],
)  # fmt: skip
def test_a_defects_liability_period_is_the_warranty(
    sentence: str, term: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert contract.warranty is not None
    assert str(contract.warranty.terms["unit"]) == term


def test_a_floor_said_as_not_less_than_is_a_measure(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Uptime of the equipment shall not be less than 95% per quarter.\n"
    )
    (measure,) = contract.measures
    assert (measure.kind, str(measure.target), measure.period) == ("availability", "95", "quarter")


def test_a_share_less_than_a_figure_is_still_no_floor(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "Availability loss shall be less than 2% per month.\n")
    assert contract.measures == []


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("Service Desk: 0800 555 123 or servicedesk@example.co.nz", "service-desk"),
        (
            "Faults shall be reported to the Contractor's call centre on 1300 555 777.",
            "call-centre",
        ),
    ],
)
def test_a_service_desk_and_a_call_centre_are_contact_roles(
    line: str, role: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, line + "\n")
    (contact,) = contract.contacts
    assert contact.id == role
