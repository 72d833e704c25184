"""Warranty cover (reference section 5), each rule with dates computed by hand.

Small contracts are written inline; the example tender is used for the command line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from slaengine.bundled import example_contract
from slaengine.contract import Contract, load_contract, parse_contract
from slaengine.durations import Duration
from slaengine.errors import ContractError, SlaError
from slaengine.evaluate import evaluate
from slaengine.events import Event, Intake
from slaengine.warranty import Cover, WarrantyBook, warranty_reminders

EXAMPLE = example_contract()
EXAMPLE_CONTRACT = load_contract(EXAMPLE)

CONTRACT = """
id: W-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: {accepted}
severities: {{general: General fault}}
calendars: {{always: {{kind: 24x7}}}}
commitments:
  - id: ack-3min
    start: reported
    stop: acknowledged
    target: 3m
    calendar: always
clauses:
  - id: W-final
    kind: warranty_extension
    extend_by: 1y
    on_event: {{type: final_inspection, attrs: {{passed: false}}}}
warranty:
  terms:
    unit: {unit}
    key_part: {key_part}
    part: unit
  rewarranty: {policy}
assets:
  - id: U1
    parts:
      - {{id: U1-KP1, class: key_part}}
      - {{id: U1-P1, class: part}}
  - id: U2
    parts:
      - {{id: U2-P1, class: part}}
"""


def contract(
    accepted: str = "2026-01-15",
    unit: str = "3y",
    key_part: str = "5y",
    policy: str = "fresh_term",
) -> Contract:
    text = CONTRACT.format(accepted=accepted, unit=unit, key_part=key_part, policy=policy)
    return parse_contract(text, Path("inline.yaml"))


def events(c: Contract, *raw: dict[str, Any]) -> list[Event]:
    intake = Intake(c)
    for number, data in enumerate(raw, start=1):
        intake.offer({"contract": c.id, **data}, line=number)
    assert intake.rejected == [], intake.rejected
    return intake.events


def replaced(event_id: str, asset: str, at: str, **attrs: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": event_id, "type": "part_replaced", "at": at, "asset": asset}
    if attrs:
        data["attrs"] = attrs
    return data


def inspected(event_id: str, asset: str, at: str, passed: bool) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "final_inspection",
        "at": at,
        "asset": asset,
        "attrs": {"passed": passed},
    }


def reading(event_id: str, asset: str, at: str, usage: int | str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "inspection_done",
        "at": at,
        "asset": asset,
        "attrs": {"usage": usage},
    }


def book(c: Contract, *raw: dict[str, Any]) -> WarrantyBook:
    return WarrantyBook.build(c, events(c, *raw))


def d(text: str) -> date:
    return date.fromisoformat(text)


def answer(b: WarrantyBook, asset: str, on: str) -> tuple[bool, str]:
    cover = b.cover(asset, d(on))
    return cover.covered, cover.expires.isoformat()


# -- terms from acceptance -----------------------------------------------------------------------


def test_each_class_is_covered_from_acceptance_up_to_not_including_the_same_date() -> None:
    b = book(contract())
    assert answer(b, "U1", "2026-01-15") == (True, "2029-01-15")
    assert answer(b, "U1", "2029-01-14") == (True, "2029-01-15")
    assert answer(b, "U1", "2029-01-15") == (False, "2029-01-15")
    assert answer(b, "U1-KP1", "2030-06-01") == (True, "2031-01-15")
    assert answer(b, "U1-KP1", "2031-01-15") == (False, "2031-01-15")
    assert answer(b, "U1-P1", "2029-01-14") == (True, "2029-01-15")  # a part follows its unit
    assert b.cover("U1", d("2027-01-01")).basis == "unit 3y from acceptance 2026-01-15"
    assert b.cover("U1-KP1", d("2027-01-01")).basis == "key_part 5y from acceptance 2026-01-15"
    assert b.cover("U1-P1", d("2027-01-01")).basis == (
        "part 3y (its unit's term) from acceptance 2026-01-15"
    )


def test_before_acceptance_nothing_is_covered_yet() -> None:
    cover = book(contract()).cover("U1", d("2026-01-14"))
    assert (cover.covered, cover.starts, cover.expires) == (False, d("2026-01-15"), d("2029-01-15"))
    assert cover.basis.endswith("(cover begins 2026-01-15)")


def test_leap_day_acceptance_clamps_to_the_month_end() -> None:
    b = book(contract(accepted="2024-02-29", key_part="4y"))
    assert answer(b, "U1", "2027-02-27") == (True, "2027-02-28")
    assert answer(b, "U1", "2027-02-28") == (False, "2027-02-28")
    assert answer(b, "U1-KP1", "2028-02-28") == (True, "2028-02-29")  # leap year to leap year


def test_a_unit_accepted_later_covers_from_its_own_acceptance() -> None:
    text = CONTRACT.format(accepted="2026-01-15", unit="3y", key_part="5y", policy="fresh_term")
    text = text.replace("  - id: U2\n", "  - id: U2\n    accepted_on: 2026-03-31\n")
    b = WarrantyBook.build(parse_contract(text, Path("inline.yaml")), [])
    assert answer(b, "U2", "2026-03-30") == (False, "2029-03-31")
    assert answer(b, "U2-P1", "2029-03-30") == (True, "2029-03-31")
    assert answer(b, "U1", "2029-03-30") == (False, "2029-01-15")


# -- re-warranty -----------------------------------------------------------------------------


def test_fresh_term_restarts_the_full_term_of_the_class_on_the_replacement_date() -> None:
    # 2026-10-20T23:30Z is 2026-10-21 07:30 in Shanghai: the contract's date counts.
    b = book(contract(), replaced("T-REOPEN-12", "U1-KP1", "2026-10-20T23:30:00Z"))
    assert answer(b, "U1-KP1", "2026-10-20") == (True, "2031-01-15")
    assert b.cover("U1-KP1", d("2026-10-20")).basis == "key_part 5y from acceptance 2026-01-15"
    assert answer(b, "U1-KP1", "2026-10-21") == (True, "2031-10-21")
    assert answer(b, "U1-KP1", "2031-06-01") == (True, "2031-10-21")
    assert answer(b, "U1-KP1", "2031-10-21") == (False, "2031-10-21")
    assert b.cover("U1-KP1", d("2030-06-01")).basis == (
        "fresh key_part 5y from part_replaced T-REOPEN-12 on 2026-10-21"
    )
    assert answer(b, "U1", "2026-10-21") == (True, "2029-01-15")  # the unit is unchanged


def test_a_replaced_part_gets_the_units_term() -> None:
    b = book(contract(), replaced("R-1", "U1-P1", "2027-06-30T10:00:00+08:00"))
    assert answer(b, "U1-P1", "2030-06-29") == (True, "2030-06-30")
    assert b.cover("U1-P1", d("2028-01-01")).basis == (
        "fresh part 3y (its unit's term) from part_replaced R-1 on 2027-06-30"
    )


def test_a_part_replaced_twice_takes_its_cover_from_the_latest_replacement() -> None:
    b = book(
        contract(),
        replaced("R-1", "U1-KP1", "2026-10-21T14:10:00+08:00"),
        replaced("R-2", "U1-KP1", "2028-02-29T09:00:00+08:00"),
    )
    assert answer(b, "U1-KP1", "2026-10-20") == (True, "2031-01-15")
    assert answer(b, "U1-KP1", "2028-02-28") == (True, "2031-10-21")
    assert answer(b, "U1-KP1", "2028-02-29") == (True, "2033-02-28")  # leap day + 5y
    assert "R-2 on 2028-02-29" in b.cover("U1-KP1", d("2030-01-01")).basis


def test_remaining_keeps_only_what_the_predecessor_had_left() -> None:
    b = book(
        contract(policy="remaining"),
        replaced("R-1", "U1-KP1", "2027-05-05T10:00:00+08:00"),
        replaced("R-2", "U1-KP1", "2029-05-05T10:00:00+08:00"),
    )
    cover = b.cover("U1-KP1", d("2030-01-01"))
    assert (cover.covered, cover.starts, cover.expires) == (True, d("2029-05-05"), d("2031-01-15"))
    assert cover.basis == (
        "key_part 5y from acceptance 2026-01-15; remaining cover kept by part_replaced R-1 on "
        "2027-05-05; remaining cover kept by part_replaced R-2 on 2029-05-05"
    )


def test_max_remaining_n_gives_the_longer_of_the_two() -> None:
    b = book(
        contract(policy='"max(remaining, 2y)"'),
        replaced("R-1", "U1-KP1", "2027-03-01T10:00:00+08:00"),  # 2031-01-15 left > 2029-03-01
        replaced("R-2", "U1-P1", "2028-06-01T10:00:00+08:00"),  # 2029-01-15 left < 2030-06-01
    )
    assert answer(b, "U1-KP1", "2030-01-01") == (True, "2031-01-15")
    assert answer(b, "U1-P1", "2029-06-01") == (True, "2030-06-01")
    assert b.cover("U1-P1", d("2029-06-01")).basis.startswith(
        "part 2y from part_replaced R-2 on 2028-06-01"
    )


def test_a_part_replaced_after_its_cover_ended_gets_no_new_cover() -> None:
    b = book(contract(), replaced("R-1", "U1-P1", "2029-05-01T10:00:00+08:00"))
    cover = b.cover("U1-P1", d("2029-06-01"))
    assert (cover.covered, cover.expires) == (False, d("2029-01-15"))
    assert "out of warranty by part_replaced R-1 on 2029-05-01" in cover.basis


def test_part_replaced_on_an_unknown_asset_with_unit_and_class_adds_it() -> None:
    b = book(
        contract(),
        replaced("R-1", "U1-KP2", "2027-02-01T10:00:00+08:00", unit="U1", **{"class": "key_part"}),
        replaced("R-2", "U9-X", "2027-02-01T11:00:00+08:00"),
    )
    assert answer(b, "U1-KP2", "2027-01-31") == (False, "2032-02-01")
    assert answer(b, "U1-KP2", "2027-02-01") == (True, "2032-02-01")
    assert b.unit_of("U1-KP2") == "U1"
    assert len(b.notes) == 1 and "U9-X" in b.notes[0] and "attrs.unit" in b.notes[0]
    with pytest.raises(SlaError, match="U9-X"):
        b.cover("U9-X", d("2027-03-01"))


# -- extension by a failed final inspection --------------------------------------------------


def test_a_failed_final_inspection_extends_the_unit_and_the_parts_ending_with_it() -> None:
    b = book(
        contract(),
        inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False),
        inspected("FI-2", "U2", "2028-12-21T10:00:00+08:00", passed=True),
    )
    assert answer(b, "U1", "2028-12-19") == (True, "2029-01-15")
    assert answer(b, "U1", "2028-12-20") == (True, "2030-01-15")
    assert answer(b, "U1", "2029-06-01") == (True, "2030-01-15")
    assert answer(b, "U1-P1", "2029-06-01") == (True, "2030-01-15")
    assert answer(b, "U1-KP1", "2029-06-01") == (True, "2031-01-15")  # did not end with U1
    assert answer(b, "U2", "2029-06-01") == (False, "2029-01-15")  # passed: no extension
    assert b.cover("U1", d("2029-06-01")).basis == (
        "unit 3y from acceptance 2026-01-15, extended 1y by W-final "
        "(final_inspection FI-1 on 2028-12-20 failed)"
    )


def test_extension_then_replacement_fresh_and_remaining() -> None:
    history = (
        inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False),
        replaced("R-1", "U1-P1", "2029-06-01T10:00:00+08:00"),
    )
    fresh = book(contract(), *history)
    assert answer(fresh, "U1-P1", "2029-05-31") == (True, "2030-01-15")
    assert answer(fresh, "U1-P1", "2029-06-01") == (True, "2032-06-01")
    kept = book(contract(policy="remaining"), *history)
    assert answer(kept, "U1-P1", "2029-06-01") == (True, "2030-01-15")


def test_a_part_replaced_earlier_does_not_end_with_the_unit_and_is_not_extended() -> None:
    b = book(
        contract(),
        replaced("R-1", "U1-P1", "2026-06-01T10:00:00+08:00"),
        inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False),
    )
    assert answer(b, "U1", "2029-03-01") == (True, "2030-01-15")
    assert answer(b, "U1-P1", "2029-03-01") == (True, "2029-06-01")


# -- usage limits ----------------------------------------------------------------------------


def test_usage_limit_reached_before_the_date_ends_cover_on_that_events_date() -> None:
    c = contract(unit='"3y or 100000 km"', key_part='"5y or 200000 km"')
    b = book(
        c,
        reading("M-1", "U1", "2027-03-01T10:00:00+08:00", 60000),
        reading("M-2", "U1", "2027-09-10T10:00:00+08:00", "100500"),
    )
    assert answer(b, "U1", "2027-09-09") == (True, "2029-01-15")
    assert answer(b, "U1", "2027-09-10") == (False, "2027-09-10")
    assert answer(b, "U1", "2028-06-01") == (False, "2027-09-10")
    assert b.cover("U1", d("2028-06-01")).basis == (
        "unit 3y or 100000 km from acceptance 2026-01-15; usage limit reached at 100000 km: "
        "100500 km read by inspection_done M-2 on 2027-09-10"
    )
    assert answer(b, "U1-P1", "2028-06-01") == (False, "2027-09-10")  # follows the unit
    assert answer(b, "U1-KP1", "2028-06-01") == (True, "2031-01-15")  # 200000 km not reached
    assert answer(b, "U2", "2028-06-01") == (True, "2029-01-15")


def test_a_fresh_part_counts_its_usage_from_the_reading_at_replacement() -> None:
    c = contract(unit='"3y or 100000 km"', key_part='"5y or 200000 km"')
    b = book(
        c,
        reading("M-1", "U1", "2026-12-01T10:00:00+08:00", 150000),
        replaced("R-1", "U1-KP1", "2027-01-10T10:00:00+08:00"),  # baseline: 150000 (last)
        reading("M-2", "U1", "2028-01-01T10:00:00+08:00", 340000),
        reading("M-3", "U1", "2028-05-01T10:00:00+08:00", 350000),
    )
    assert answer(b, "U1", "2026-11-30") == (True, "2029-01-15")
    assert answer(b, "U1", "2026-12-01") == (False, "2026-12-01")
    assert answer(b, "U1-KP1", "2028-04-30") == (True, "2032-01-10")
    assert answer(b, "U1-KP1", "2028-05-01") == (False, "2028-05-01")


def test_a_cover_ended_by_usage_is_not_extended() -> None:
    c = contract(unit='"3y or 100000 km"')
    b = book(
        c,
        reading("M-1", "U1", "2028-11-01T10:00:00+08:00", 100000),
        inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False),
    )
    assert answer(b, "U1", "2029-06-01") == (False, "2028-11-01")
    assert any("usage limit" in note for note in b.notes)


def test_a_usage_reading_that_is_not_a_number_is_rejected_at_intake() -> None:
    c = contract()
    intake = Intake(c)
    intake.offer(
        {"id": "M-1", "contract": c.id, "type": "inspection_done", "asset": "U1",
         "at": "2027-03-01T10:00:00+08:00", "attrs": {"usage": "a lot"}},
        line=1,
    )  # fmt: skip
    intake.offer(
        {"id": "F-1", "contract": c.id, "type": "final_inspection", "asset": "U1",
         "at": "2028-12-20T10:00:00+08:00"},
        line=2,
    )  # fmt: skip
    assert intake.events == []
    assert [(r.line, r.error.split(":")[0]) for r in intake.rejected] == [
        (1, "attrs.usage"),
        (2, "attrs.passed"),
    ]


# -- answers, tickets, reminders ---------------------------------------------------------------


def test_all_assets_soonest_expiry_first_with_days_left() -> None:
    b = book(contract(), replaced("R-1", "U1-KP1", "2026-10-21T14:10:00+08:00"))
    covers = b.all_assets(d("2028-12-01"))
    assert [(c.asset, c.expires.isoformat(), c.days_left) for c in covers] == [
        ("U1", "2029-01-15", 45),
        ("U1-P1", "2029-01-15", 45),
        ("U2", "2029-01-15", 45),
        ("U2-P1", "2029-01-15", 45),
        ("U1-KP1", "2031-10-21", 1054),
    ]


def test_cover_json_is_the_spec_answer() -> None:
    cover = book(contract()).cover("U1-KP1", d("2030-06-01"))
    assert isinstance(cover, Cover)
    assert cover.to_json() == {
        "asset": "U1-KP1",
        "on": "2030-06-01",
        "covered": True,
        "expires": "2031-01-15",
        "basis": "key_part 5y from acceptance 2026-01-15",
        "class": "key_part",
        "unit": "U1",
        "from": "2026-01-15",
        "days_left": 228,
    }


def ticket(name: str, asset: str, at: str) -> list[dict[str, Any]]:
    return [
        {"id": f"{name}-1", "ticket": name, "type": "reported", "at": at,
         "severity": "general", "asset": asset},
    ]  # fmt: skip


def test_tickets_on_assets_out_of_cover_are_chargeable_in_the_report() -> None:
    c = contract()
    stream = events(
        c,
        inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False),
        *ticket("T-U1", "U1", "2029-02-01T10:00:00+08:00"),
        # 2029-01-14T16:30Z is 2029-01-15 00:30 in Shanghai: U2's first day without cover.
        *ticket("T-U2", "U2", "2029-01-14T16:30:00Z"),
        *ticket("T-U2-early", "U2", "2029-01-14T15:30:00Z"),
        *ticket("T-X", "U7", "2029-02-01T10:00:00+08:00"),
    )
    report = evaluate(c, stream, datetime.fromisoformat("2029-03-01T00:00:00+08:00"))
    marks = {t.ticket: (t.in_warranty, t.chargeable) for t in report.tickets}
    assert marks == {
        "T-U1": (True, False),
        "T-U2": (False, True),
        "T-U2-early": (True, False),
        "T-X": (None, False),  # an asset the contract does not list: cannot be told
    }
    u2 = next(t for t in report.to_json()["tickets"] if t["ticket"] == "T-U2")
    assert u2["in_warranty"] is False and u2["chargeable"] is True
    assert u2["warranty_basis"] == "unit 3y from acceptance 2026-01-15"


def test_reminders_list_covers_ending_within_the_notice() -> None:
    b = book(contract(), inspected("FI-1", "U1", "2028-12-20T10:00:00+08:00", passed=False))
    soon = warranty_reminders(b, datetime.fromisoformat("2028-12-21T09:00:00+08:00"))
    assert [(c.asset, c.expires.isoformat()) for c in soon] == [
        ("U2", "2029-01-15"),
        ("U2-P1", "2029-01-15"),
    ]
    assert warranty_reminders(b, d("2028-12-10")) == []  # 2029-01-09 is the 30-day horizon
    later = warranty_reminders(b, d("2029-12-20"), Duration(30, "d"))
    assert [c.asset for c in later] == ["U1", "U1-P1"]


def test_a_warranty_must_give_the_unit_a_term() -> None:
    text = CONTRACT.format(accepted="2026-01-15", unit="unit", key_part="5y", policy="fresh_term")
    with pytest.raises(ContractError, match="unit: 3y"):
        parse_contract(text, Path("inline.yaml"))
    with pytest.raises(ContractError, match="days, months or years"):
        contract(key_part="36h")


PARTS_ONLY = """
id: W-P
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-01-15
severities: {{general: General fault}}
calendars: {{always: {{kind: 24x7}}}}
commitments:
  - id: ack-3min
    start: reported
    stop: acknowledged
    target: 3m
    calendar: always
clauses:
  - id: W-final
    kind: warranty_extension
    extend_by: 1y
    on_event: {{type: final_inspection, attrs: {{passed: false}}}}
warranty:
  terms: {terms}
  rewarranty: {policy}
assets:
  - id: U1
    parts:
      - {{id: U1-KP1, class: key_part}}
      - {{id: U1-P1, class: part}}
  - id: U2
"""


def parts_only(terms: str = "{key_part: 2y, part: 6mo}", policy: str = "fresh_term") -> Contract:
    """A maintenance contract warranting only the parts the supplier replaces (维保期内更换的
    配件保修): no unit term."""
    return parse_contract(PARTS_ONLY.format(terms=terms, policy=policy), Path("inline.yaml"))


def test_a_warranty_of_replaced_parts_only_needs_no_unit_term() -> None:
    warranty = parts_only("{part: 6mo}").warranty
    assert warranty is not None and "unit" not in warranty.terms
    assert str(warranty.terms["part"]) == "6mo"
    both = parts_only("{key_part: 2y, part: 6mo}").warranty
    assert both is not None and set(both.terms) == {"key_part", "part"}
    assert both.replaced_parts_only
    assert not contract().warranty.replaced_parts_only  # type: ignore[union-attr]


def test_without_a_unit_term_no_class_may_follow_the_unit() -> None:
    with pytest.raises(ContractError, match="key_part: 'unit' makes the key_part follow"):
        parts_only("{key_part: unit, part: 6mo}")
    with pytest.raises(ContractError, match="but the unit has none"):
        parts_only("{part: 6mo, key_part: unit}")


def test_a_warranty_with_no_duration_at_all_is_still_rejected() -> None:
    for terms in ("{part: unit}", "{key_part: unit, part: unit}", "{}", "{unit: unit, part: 6mo}"):
        with pytest.raises(ContractError, match=r"give the unit a term such as 'unit: 3y'"):
            parts_only(terms)
    with pytest.raises(ContractError, match="days, months or years"):
        parts_only("{part: 36h}")


# -- a warranty of replaced parts only (no unit term) ------------------------------------------


def test_replaced_parts_only_nothing_is_covered_from_acceptance() -> None:
    b = book(parts_only())
    for on in ("2026-01-14", "2026-01-15", "2026-06-01", "2030-01-01"):
        for asset in ("U1", "U1-KP1", "U1-P1", "U2"):
            cover = b.cover(asset, d(on))
            assert (cover.covered, cover.warranted, cover.days_left) == (False, False, 0), asset
    assert b.cover("U1", d("2026-01-14")).basis == (
        "no warranty term for unit: only replaced parts are warranted"
    )  # no "(cover begins …)": it never begins
    assert b.cover("U1-P1", d("2026-06-01")).basis == (
        "no cover from acceptance: only replaced parts are warranted "
        "(part 6mo from its replacement)"
    )
    assert b.expiry("U1") == d("2026-01-15")  # an empty cover: starts = expires = acceptance


def test_a_replaced_part_is_covered_for_its_class_term_from_the_replacement_day() -> None:
    b = book(
        parts_only(),
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        # 2026-04-30T16:30Z is 2026-05-01 in Shanghai
        replaced("R-2", "U1-KP1", "2026-04-30T16:30:00Z"),
    )
    assert answer(b, "U1-P1", "2026-02-28") == (False, "2026-01-15")
    assert answer(b, "U1-P1", "2026-03-01") == (True, "2026-09-01")
    assert answer(b, "U1-P1", "2026-08-31") == (True, "2026-09-01")
    assert answer(b, "U1-P1", "2026-09-01") == (False, "2026-09-01")  # expired
    assert b.cover("U1-P1", d("2026-06-01")).basis == (
        "fresh part 6mo from part_replaced R-1 on 2026-03-01"
    )
    assert b.cover("U1-P1", d("2026-06-01")).warranted
    assert answer(b, "U1-KP1", "2026-04-30") == (False, "2026-01-15")
    assert answer(b, "U1-KP1", "2028-04-30") == (True, "2028-05-01")
    assert answer(b, "U1", "2026-06-01") == (False, "2026-01-15")  # the unit stays uncovered


@pytest.mark.parametrize(
    ("policy", "second"),
    [
        ("fresh_term", (True, "2027-01-01")),  # a fresh 6 months from 2026-07-01
        ("remaining", (True, "2026-09-01")),  # what the first replacement had left
        ("max(remaining, 3mo)", (True, "2026-10-01")),  # 3 months beat the 2 left
    ],
)
def test_a_part_replaced_again_while_covered_follows_the_rewarranty_policy(
    policy: str, second: tuple[bool, str]
) -> None:
    b = book(
        parts_only(policy=policy),
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        replaced("R-2", "U1-P1", "2026-07-01T10:00:00+08:00"),
    )
    # the first replacement, of a part with no cover: its class's fresh term whatever the policy
    assert answer(b, "U1-P1", "2026-06-30") == (True, "2026-09-01")
    assert answer(b, "U1-P1", "2026-07-01") == second


def test_a_part_replaced_after_its_replacement_cover_ended_gets_a_fresh_term() -> None:
    # Unlike a warranty from acceptance (no revival after it ends): every part replaced under
    # a maintenance contract carries its term (更换的配件保修6个月).
    b = book(
        parts_only(policy="remaining"),
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        replaced("R-2", "U1-P1", "2026-10-10T10:00:00+08:00"),
    )
    assert answer(b, "U1-P1", "2026-10-09") == (False, "2026-09-01")
    assert answer(b, "U1-P1", "2026-10-10") == (True, "2027-04-10")
    assert b.cover("U1-P1", d("2026-12-01")).basis == (
        "fresh part 6mo from part_replaced R-2 on 2026-10-10"
    )


def test_a_class_without_a_term_gets_no_cover_when_replaced() -> None:
    b = book(
        parts_only("{key_part: 2y}"),
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        replaced("R-U", "U2", "2026-03-02T10:00:00+08:00"),  # a whole unit exchanged
        replaced("R-K", "U1-KP1", "2026-03-03T10:00:00+08:00"),
    )
    cover = b.cover("U1-P1", d("2026-04-01"))
    assert (cover.covered, cover.warranted) == (False, False)
    assert cover.basis == (
        "no warranty term for part: only replaced parts are warranted; "
        "replaced by part_replaced R-1 on 2026-03-01"
    )
    assert b.cover("U2", d("2026-04-01")).basis.startswith("no warranty term for unit")
    assert answer(b, "U1-KP1", "2026-04-01") == (True, "2028-03-03")


def test_a_part_the_contract_does_not_list_is_added_with_its_fresh_term() -> None:
    b = book(
        parts_only(policy="remaining"),
        replaced("R-9", "U2-P7", "2026-05-05T10:00:00+08:00", unit="U2", **{"class": "part"}),
    )
    assert answer(b, "U2-P7", "2026-05-05") == (True, "2026-11-05")
    assert b.cover("U2-P7", d("2026-06-01")).unit == "U2"


def test_a_replaced_part_with_a_usage_limit_counts_from_its_replacement() -> None:
    b = book(
        parts_only("{part: 6mo or 1000 h}"),
        reading("M-1", "U1", "2026-02-01T10:00:00+08:00", 5000),
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        reading("M-2", "U1", "2026-04-01T10:00:00+08:00", 5900),
        reading("M-3", "U1", "2026-05-01T10:00:00+08:00", 6000),
    )
    assert answer(b, "U1-P1", "2026-04-30") == (True, "2026-09-01")
    assert answer(b, "U1-P1", "2026-05-01") == (False, "2026-05-01")
    assert "usage limit reached at 6000 h" in b.cover("U1-P1", d("2026-05-01")).basis
    assert answer(b, "U1", "2026-05-01") == (False, "2026-01-15")  # nothing to end


def test_replaced_parts_only_no_extension_and_no_final_inspection() -> None:
    from slaengine.obligations import FINAL_INSPECTION, judge_obligations

    c = parts_only()
    stream = events(
        c,
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        inspected("FI-1", "U1", "2026-06-01T10:00:00+08:00", passed=False),
    )
    b = WarrantyBook.build(c, stream)
    assert answer(b, "U1", "2026-07-01") == (False, "2026-01-15")  # the failure gives no cover
    assert answer(b, "U1-P1", "2026-07-01") == (True, "2026-09-01")
    assert b.notes == [
        "FI-1: U1 has no warranty cover (no warranty term for unit: only replaced parts are "
        "warranted); W-final does not give it one"
    ]
    assert b.final_months("U1") == [] and b.final_months("U2") == []
    periods = judge_obligations(b, stream, datetime.fromisoformat("2027-06-01T00:00:00+08:00"))
    assert [p for p in periods if p.obligation == FINAL_INSPECTION] == []
    # the same events under a unit term: a final inspection for each unit
    covered = contract()
    tender = WarrantyBook.build(covered, events(covered))
    tender_periods = judge_obligations(tender, [], datetime.fromisoformat("2030-01-01T00:00+08:00"))
    assert {p.asset for p in tender_periods if p.obligation == FINAL_INSPECTION} == {"U1", "U2"}


def test_replaced_parts_only_reminders_and_tickets() -> None:
    c = parts_only()
    stream = events(
        c,
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        *ticket("T-U2", "U2", "2026-04-01T10:00:00+08:00"),
        *ticket("T-P1", "U1-P1", "2026-04-02T10:00:00+08:00"),
    )
    b = WarrantyBook.build(c, stream)
    assert warranty_reminders(b, d("2026-07-01")) == []
    [soon] = warranty_reminders(b, d("2026-08-10"))
    assert (soon.asset, soon.expires) == ("U1-P1", d("2026-09-01"))
    assert warranty_reminders(b, d("2026-09-01")) == []  # expired: nothing to remind
    report = evaluate(c, stream, datetime.fromisoformat("2026-05-01T00:00:00+08:00"))
    marks = {t.ticket: (t.in_warranty, t.warranty_basis) for t in report.tickets}
    assert marks == {
        "T-U2": (False, "no warranty term for unit: only replaced parts are warranted"),
        "T-P1": (True, "fresh part 6mo from part_replaced R-1 on 2026-03-01"),
    }


def test_replaced_parts_only_obligations_cannot_run_until_the_warranty_ends() -> None:
    text = PARTS_ONLY.format(terms="{part: 6mo}", policy="fresh_term") + (
        "obligations:\n"
        "  - id: inspection\n"
        "    met_by: inspection_done\n"
        "    schedule: [{every: 3mo, until: warranty_end}]\n"
    )
    with pytest.raises(ContractError, match=r"only replaced parts are warranted.*give 'until' a"):
        parse_contract(text, Path("inline.yaml"))
    dated = text.replace("until: warranty_end", "until: 2027-01-15")
    assert parse_contract(dated, Path("inline.yaml")).obligations[0].id == "inspection"


def test_replaced_parts_only_in_words_in_both_languages() -> None:
    from slaengine.contract import describe

    c = parts_only(policy="remaining")
    assert describe.warranty_words(c, "en")[:3] == [
        "only the parts replaced under the contract are warranted: the equipment as accepted "
        "(the units and their original parts) has no cover",
        "key part: 2 y from the day it is replaced",
        "part: 6 mo from the day it is replaced",
    ]
    en = describe.warranty_words(c, "en")
    assert "a part replaced again while covered: only what its predecessor had left" in en
    assert en[-1].startswith("no final inspection: the units have no warranty")
    zh = describe.warranty_words(c, "zh")
    assert zh[:3] == [
        "仅保修更换的部件：设备本身（成套设备及其原有部件）自验收起不在质保范围内",
        "关键部件：更换后自更换之日起2年",
        "一般部件：更换后自更换之日起6个月",
    ]
    assert "在保期内再次更换的部件：仅剩余质保期" in zh
    assert zh[-1] == "无终检：成套设备不在质保范围内（内置义务 final-inspection 不适用）"
    # a warranty from acceptance reads as before
    assert describe.warranty_words(contract(), "en")[0] == "unit: 3 y from acceptance"
    assert describe.warranty_words(contract(), "zh")[0] == "成套设备：自验收起3年"


def test_existing_contracts_are_unchanged_by_replaced_parts_only() -> None:
    """The example tender: every asset warranted from acceptance, as before."""
    b = WarrantyBook.build(EXAMPLE_CONTRACT, [])
    covers = b.all_assets(d("2027-01-01"))
    assert all(c.covered and c.warranted for c in covers)
    assert {c.asset: c.expires.isoformat() for c in covers} == {
        "U1": "2029-01-15", "U1-P1": "2029-01-15", "U2": "2029-01-15", "U2-P1": "2029-01-15",
        "U1-KP1": "2031-01-15", "U2-KP1": "2031-01-15",
    }  # fmt: skip
    assert b.final_months("U1") == [(d("2028-12-15"), d("2029-01-15"))]


def test_what_the_book_could_not_apply_is_listed_in_the_report() -> None:
    c = contract()
    stream = events(c, replaced("R-9", "U9-X", "2027-02-01T10:00:00+08:00"))
    report = evaluate(c, stream, datetime.fromisoformat("2027-03-01T00:00:00+08:00"))
    [note] = report.to_json()["warranty_notes"]
    assert note.startswith("R-9: part_replaced names asset 'U9-X'")


# -- the command line, on the example tender -------------------------------------------------

TENDER_EVENTS = [
    {"id": "T-REOPEN-12", "ticket": "T-REOPEN", "type": "part_replaced",
     "at": "2026-10-21T14:10:00+08:00", "asset": "U1-KP1"},
    {"id": "FI-1", "type": "final_inspection", "at": "2028-12-20T10:00:00+08:00",
     "asset": "U1", "attrs": {"passed": False}},
    {"id": "FI-2", "type": "final_inspection", "at": "2028-12-21T10:00:00+08:00",
     "asset": "U2", "attrs": {"passed": True}},
    {"id": "R-P1", "type": "part_replaced", "at": "2029-03-01T10:00:00+08:00", "asset": "U1-P1"},
]  # fmt: skip

#: (date, asset) -> (covered, expires, basis starts with): before and after each change.
TENDER_ANSWERS: dict[tuple[str, str], tuple[bool, str, str]] = {
    ("2026-10-20", "U1-KP1"): (True, "2031-01-15", "key_part 5y from acceptance 2026-01-15"),
    ("2026-10-21", "U1-KP1"): (True, "2031-10-21", "fresh key_part 5y from part_replaced "
                                                  "T-REOPEN-12 on 2026-10-21"),
    ("2026-10-21", "U2-KP1"): (True, "2031-01-15", "key_part 5y from acceptance"),
    ("2028-12-19", "U1"): (True, "2029-01-15", "unit 3y from acceptance 2026-01-15"),
    ("2028-12-19", "U1-P1"): (True, "2029-01-15", "part 3y (its unit's term)"),
    ("2028-12-20", "U1"): (True, "2030-01-15", "unit 3y from acceptance 2026-01-15, extended 1y "
                                               "by W-final (final_inspection FI-1 on 2028-12-20 "
                                               "failed)"),
    ("2028-12-20", "U1-P1"): (True, "2030-01-15", "part 3y (its unit's term) from acceptance "
                                                  "2026-01-15, extended 1y by W-final"),
    ("2029-01-15", "U2"): (False, "2029-01-15", "unit 3y from acceptance 2026-01-15"),
    ("2029-01-15", "U2-P1"): (False, "2029-01-15", "part 3y (its unit's term)"),
    ("2029-02-28", "U1-P1"): (True, "2030-01-15", "part 3y (its unit's term) from acceptance"),
    ("2029-03-01", "U1-P1"): (True, "2032-03-01", "fresh part 3y (its unit's term) from "
                                                  "part_replaced R-P1 on 2029-03-01"),
    ("2030-01-15", "U1"): (False, "2030-01-15", "unit 3y from acceptance"),
    ("2030-06-01", "U1-KP1"): (True, "2031-10-21", "fresh key_part 5y"),
    ("2031-01-15", "U2-KP1"): (False, "2031-01-15", "key_part 5y from acceptance"),
}  # fmt: skip


def slaengine(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tender_events(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("warranty") / "events.jsonl"
    lines = [json.dumps({"contract": "HT-2026-017", **e}) for e in TENDER_EVENTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_cli_answers_for_one_asset(tender_events: str) -> None:
    result = slaengine(
        "warranty", str(EXAMPLE), tender_events, "--asset", "U1-KP1", "--on", "2030-06-01",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {k: answer[k] for k in ("asset", "on", "covered", "expires", "basis")} == {
        "asset": "U1-KP1",
        "on": "2030-06-01",
        "covered": True,
        "expires": "2031-10-21",
        "basis": "fresh key_part 5y from part_replaced T-REOPEN-12 on 2026-10-21",
    }


def test_cli_answers_every_asset_before_and_after_each_change(tender_events: str) -> None:
    for day in sorted({day for day, _ in TENDER_ANSWERS}):
        result = slaengine("warranty", str(EXAMPLE), tender_events, "--on", day, "-f", "json")
        assert result.returncode == 0, result.stderr
        answers = {a["asset"]: a for a in json.loads(result.stdout)}
        assert set(answers) == {"U1", "U1-KP1", "U1-P1", "U2", "U2-KP1", "U2-P1"}
        expiries = [a["expires"] for a in json.loads(result.stdout)]
        assert expiries == sorted(expiries)  # soonest first
        for (when, asset), (covered, expires, basis) in TENDER_ANSWERS.items():
            if when != day:
                continue
            got = answers[asset]
            assert (got["on"], got["covered"], got["expires"]) == (day, covered, expires), asset
            assert got["basis"].startswith(basis), (asset, got["basis"])


def test_cli_table_and_errors(tender_events: str) -> None:
    table = slaengine("warranty", str(EXAMPLE), tender_events, "--on", "2029-06-01")
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if line.startswith("│ U")]
    assert [row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()] == [
        "U2", "U2-P1", "U1", "U2-KP1", "U1-KP1", "U1-P1",
    ]  # fmt: skip
    unknown = slaengine("warranty", str(EXAMPLE), "--asset", "U9", "--on", "2030-06-01")
    assert unknown.returncode == 2 and "U9" in unknown.stderr and "Traceback" not in unknown.stderr
    bad_day = slaengine("warranty", str(EXAMPLE), "--asset", "U1", "--on", "next week")
    assert bad_day.returncode == 2 and "2030-06-01" in bad_day.stderr


def test_cli_on_a_contract_of_replaced_parts_only(tmp_path: Path) -> None:
    text = PARTS_ONLY.format(terms="{key_part: 2y, part: 6mo}", policy="fresh_term")
    contract_file = tmp_path / "maintenance.yaml"
    contract_file.write_text(text, encoding="utf-8")
    stream = tmp_path / "events.jsonl"
    lines = [
        replaced("R-1", "U1-P1", "2026-03-01T10:00:00+08:00"),
        *ticket("T-U2", "U2", "2026-04-01T10:00:00+08:00"),
    ]
    stream.write_text(
        "".join(json.dumps({"contract": "W-P", **line}) + "\n" for line in lines), "utf-8"
    )
    validated = slaengine("contract", "validate", str(contract_file))
    assert validated.returncode == 0, validated.stderr
    one = slaengine(
        "warranty", str(contract_file), str(stream), "--asset", "U1", "--on", "2026-06-01",
        "-f", "json",
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert {k: json.loads(one.stdout)[k] for k in ("covered", "days_left", "basis")} == {
        "covered": False,
        "days_left": 0,
        "basis": "no warranty term for unit: only replaced parts are warranted",
    }
    every = slaengine(
        "warranty", str(contract_file), str(stream), "--on", "2026-06-01", "-f", "json"
    )
    answers = {a["asset"]: a for a in json.loads(every.stdout)}
    assert {a: (x["covered"], x["expires"]) for a, x in answers.items()} == {
        "U1": (False, "2026-01-15"),
        "U1-KP1": (False, "2026-01-15"),
        "U1-P1": (True, "2026-09-01"),
        "U2": (False, "2026-01-15"),
    }
    table = slaengine("warranty", str(contract_file), str(stream), "--on", "2026-06-01")
    assert table.returncode == 0, table.stderr
    rows = {
        cells[0]: cells
        for line in table.stdout.splitlines()
        if line.startswith("│ U")
        for cells in [[c.strip() for c in line.strip("│").split("│")]]
    }
    assert rows["U1"][3:7] == ["no", "—", "—", "0"]  # no cover: no dates to show
    assert rows["U1-P1"][3:7] == ["yes", "2026-03-01", "2026-09-01", "92"]
    for lang, phrase in (("en", "from the day it is replaced"), ("zh", "更换后自更换之日起6个月")):
        shown = slaengine("contract", "show", str(contract_file), "--lang", lang)
        assert shown.returncode == 0 and phrase in shown.stdout, shown.stderr
    statement = slaengine(
        "statement", str(contract_file), str(stream), "--period", "2026-04",
        "--as-of", "2026-05-01T00:00:00+08:00", "-f", "json",
    )  # fmt: skip
    assert statement.returncode == 0, statement.stderr
    [chargeable] = json.loads(statement.stdout)["chargeable_tickets"]
    assert chargeable["ticket"] == "T-U2" and chargeable["in_warranty"] is False


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("warranty.md", "### Only the parts the supplier replaces"),
        ("contracts.md", "## A warranty of replaced parts only"),
    ],
)
def test_the_docs_examples_of_replaced_parts_only_load(page: str, heading: str) -> None:
    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / page).read_text("utf-8")
    section = text[text.index(heading) :]
    section = section[: re.search(r"\n#{2,3} ", section[3:]).end()]  # type: ignore[union-attr]
    blocks = [part.split("```")[0] for part in section.split("```yaml\n")[1:]]
    assert blocks
    for block in blocks:
        terms = yaml.safe_load(block)["warranty"]["terms"]
        flow = "{" + ", ".join(f"{k}: {v}" for k, v in terms.items()) + "}"
        warranty = parts_only(flow).warranty
        assert warranty is not None and warranty.replaced_parts_only, block
