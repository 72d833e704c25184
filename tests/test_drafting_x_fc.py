"""Forms batch X's first run missed (fc: English tenders from CA, ZA, UK and NZ), each read in
general and tested with sentences of its own: plain-text tables (a rule under a pipe header, a
table aligned by blanks), a row labelled by a bare number under the scheme's word, sums written
with blanks between thousands, penalty labels that state a failure, a level named after its
figure, a distance band referred back to, warranties of parts fitted in the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import Contract
from slaengine.drafting.figures import amounts
from slaengine.drafting.reading import read_tender
from tests.drafting_support import drafted as _drafted
from tests.drafting_support import options, targets, zoned

OPTIONS = options(currency="GBP", timezone="Europe/London")


def drafted(tmp_path: Path, text: str) -> tuple[Contract, Any]:
    return _drafted(tmp_path, text, OPTIONS)


# --- plain-text tables -------------------------------------------------------------------------


def test_a_rule_under_a_borderless_pipe_header_keeps_the_header_with_its_rows(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "  Level | Answer the call | Be on site\n"
        "  ------+-----------------+-----------\n"
        "  L1    | 20 minutes      | 2 hours\n"
        "  L2    | 1 hour          | 6 hours\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "l1", "20m", "always"),
        ("be-on-site", "l1", "2h", "always"),
        ("answer-the-call", "l2", "1h", "always"),
        ("be-on-site", "l2", "6h", "always"),
    }


def test_a_table_aligned_by_blanks_under_a_rule_of_dashes_is_read_as_a_table(
    tmp_path: Path,
) -> None:
    tender = tmp_path / "tender.txt"
    tender.write_text(
        "Grade      Phone response     Engineer on site\n"
        "-----      --------------     ----------------\n"
        "1          15 minutes         3 hours\n"
        "2          1 hour             next business day\n"
        "Afterwards  some  prose  with  wide  gaps.\n",
        encoding="utf-8",
    )
    lines = read_tender(tender)
    assert [line.table_row for line in lines] == [True, True, True, True, False]
    assert lines[2].text == "| 1 | 15 minutes | 3 hours |"
    contract, _ = drafted(tmp_path, tender.read_text(encoding="utf-8"))
    assert targets(contract) == {
        ("answer-the-call", "level-1", "15m", "always"),
        ("be-on-site", "level-1", "3h", "always"),
        ("answer-the-call", "level-2", "1h", "always"),
        ("be-on-site", "level-2", "1d", "office"),
    }


def test_lines_aligned_by_blanks_without_a_rule_are_no_table(tmp_path: Path) -> None:
    tender = tmp_path / "tender.txt"
    tender.write_text(
        "Site      Address\nDepot     12 Mill Lane\n---\nNotes follow.\n", encoding="utf-8"
    )
    assert not any(line.table_row for line in read_tender(tender))


def test_a_bare_number_row_label_names_a_level_only_under_the_schemes_word(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "| Category | Response |\n|---|---|\n| 1 | 30 minutes |\n| 2 | 4 hours |\n",
    )
    assert targets(contract) == {
        ("answer-the-call", "level-1", "30m", "always"),
        ("answer-the-call", "level-2", "4h", "always"),
    }
    contract, _ = drafted(tmp_path, "| Item | Response |\n|---|---|\n| 1 | 30 minutes |\n")
    assert {sev for _use, sev, _t, _c in targets(contract)} == {None}


def test_zones_one_after_another_in_a_cell_split_at_the_slash(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "| Level | Engineer on site |\n|---|---|\n| Critical | Urban 3 hrs / Remote 12 hrs |\n",
    )
    assert ("be-on-site", "critical", "remote", "12h") in zoned(contract)


# --- the acts' words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "use"),
    [
        ("Engineer rings you back", "call-back"),
        ("Technician on vessel", "be-on-site"),
        ("Line printing again", "fix-after-arrival"),
    ],
)
def test_a_column_named_in_other_words_is_read(head: str, use: str, tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        f"| Priority | Answer | {head} |\n|---|---|---|\n| P1 | 10 minutes | 5 hours |\n",
    )
    assert (use, "p1", "5h", "always") in targets(contract)


@pytest.mark.parametrize(
    "sentence",
    [
        "An engineer on call shall be reachable within 30 minutes.",
        "If the same fault is occurring again within 10 days, it is logged as a repeat.",
    ],
)
def test_on_call_and_a_recurring_fault_are_no_visit_and_no_repair(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert not {t for t in targets(contract) if t[0] in ("be-on-site", "fix-after-arrival")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Controller cards that must go back to the OEM are returned within 15 days.",
        "A gearbox sent to our Leeds workshop for bench repair is returned within 10 days.",
    ],
)
def test_a_part_taken_away_to_be_repaired_is_a_factory_repair(
    sentence: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    assert [c.use for c in contract.commitments] == ["factory-repair"]


def test_a_workshop_named_as_a_distance_origin_is_no_factory_repair(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Sites within 40 km of our workshop: technician on site within 4 hours.\n"
    )
    assert [c.use for c in contract.commitments] == ["be-on-site"]


# --- levels after their figures, distance bands -------------------------------------------------


def test_a_level_named_after_each_figure_of_a_zones_series(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Severity A: engineer on site within 2 hours. Severity B: engineer on site within 6 "
        "hours.\nWhere a site lies further than 80 km from the depot, the on-site times are 4 "
        "hours (Severity A) and 10 hours (Severity B).\n",
    )
    assert zoned(contract) == {
        ("be-on-site", "class-a", "beyond-80km", "4h"),
        ("be-on-site", "class-b", "beyond-80km", "10h"),
    }


def test_a_level_after_for_in_a_series_with_a_label(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "P1: attend within 2 hours. P2: attend within 4 hours.\n"
        "Stations more than 30 miles from the base have longer attendance times: 3 hours for "
        "P1 and 7 hours for P2.\n",
    )
    assert zoned(contract) == {
        ("be-on-site", "p1", "beyond-30mi", "3h"),
        ("be-on-site", "p2", "beyond-30mi", "7h"),
    }


def test_a_figure_after_a_figure_with_no_level_after_it_is_no_limit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Engineer on site within 2 hours, and 3 hours of travel are paid.\n"
    )
    assert targets(contract) == {("be-on-site", None, "2h", "always")}


def test_a_clause_refers_back_to_the_sites_a_distance_band_named(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Urgent calls: engineer on site within 3 hours. The two hill stations are more than "
        "50 km from the depot; for those stations the on-site time is 5 hours.\n",
    )
    assert zoned(contract) == {("be-on-site", "urgent", "beyond-50km", "5h")}


def test_a_back_reference_with_no_band_before_it_names_no_zone(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Urgent calls are logged centrally; for those calls engineer on site within 3 "
        "hours.\n",
    )  # fmt: skip
    assert zoned(contract) == set()


# --- penalties -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("R3 250.00 a day", "3250.00"), ("R480.00 per visit", "480.00"), ("€ 12 500", "12500")],
)
def test_sums_with_blanks_between_thousands_or_rand_with_cents(text: str, value: str) -> None:
    assert [str(a.value) for a in amounts(text)] == [value]


def test_a_small_r_label_with_a_figure_after_is_still_no_rand() -> None:
    assert amounts("R2 faults: respond within 2 hours") == []


@pytest.mark.parametrize(
    ("lines", "charged", "kind"),
    [
        (
            "B4.1 Critical: engineer on site within 2 hours.\n"
            "B9.2 Late arrival on a Critical job: $90.00 for each hour or part hour over.\n",
            "be-on-site",
            "per_started",
        ),
        (
            "Routine faults: repaired within 5 working days.\n"
            "Routine faults still open after 5 working days: GBP 60 per fault.\n",
            "fix-after-arrival",
            "fixed",
        ),
    ],
)
def test_a_penalty_label_stating_a_failure_with_a_sum_after_the_colon(
    lines: str, charged: str, kind: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, lines)
    (clause,) = contract.clauses
    assert clause.kind == kind
    assert [c.use for c in contract.commitments if clause.id in c.clauses] == [charged]


@pytest.mark.parametrize(
    "penalty",
    [
        "Skipped quarterly PM visit: R1 200.00 per visit skipped.",
        "Scheduled service not done in its month: GBP 300 per visit.",
        "If we miss a booked monthly service, we credit NZ$200 for that visit.",
    ],
)
def test_a_missed_planned_visit_is_charged_to_the_inspections(penalty: str, tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "Preventive maintenance of every unit is carried out quarterly.\n" + penalty + "\n",
    )
    (clause,) = contract.clauses
    assert [o for o in contract.obligations if clause.id in o.clauses]


def test_a_monthly_service_fee_or_a_service_review_is_no_visit(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path, "Quarterly service reviews are held with the client's manager.\n"
    )
    assert contract.obligations == []


# --- measures and warranty -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "period"),
    [
        ("The chillers shall be available for not less than 98.5% of opening hours each "
         "contract year.", "contract_year"),
        ("Each press is to be available for printing at least 96% of its shifts every month.",
         "month"),
    ],
)  # fmt: skip
def test_available_for_a_use_then_the_share_is_availability(
    sentence: str, period: str, tmp_path: Path
) -> None:
    contract, _ = drafted(tmp_path, sentence + "\n")
    (measure,) = contract.measures
    assert (measure.kind, measure.period) == ("availability", period)


def test_available_for_hours_is_no_measure(tmp_path: Path) -> None:
    contract, _ = drafted(tmp_path, "The help desk is available for 12 hours a day.\n")
    assert contract.measures == []


def test_parts_replaced_and_key_parts_without_a_unit_term_are_the_warranty(
    tmp_path: Path,
) -> None:
    contract, _ = drafted(
        tmp_path,
        "Replacement parts we supply are warranted for 6 months. New main components "
        "(gearboxes, drives) supplied by us are warranted for 18 months.\n",
    )
    assert contract.warranty is not None
    assert {k: str(v) for k, v in contract.warranty.terms.items()} == {
        "part": "6mo",
        "key_part": "18mo",
    }


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("Items supplied and fitted by the Supplier are warranted for 9 months from fitting.",
         "9mo"),
        ("Components we supply on call-outs outside warranty carry a 4-month warranty.", "4mo"),
    ],
)  # fmt: skip
def test_parts_fitted_in_the_service_are_parts_not_the_unit(
    sentence: str, term: str, tmp_path: Path
) -> None:
    contract, draft = drafted(
        tmp_path, "Each lift carries a 2-year whole-unit warranty.\n" + sentence
    )
    assert contract.warranty is not None
    terms = contract.warranty.terms
    assert str(terms["unit"].duration) == "2y" and str(terms["part"].duration) == term
    assert not [r for r in draft.reviews if r.kind == "conflict"]


def test_the_rest_of_the_original_warranty_is_the_remaining_term(tmp_path: Path) -> None:
    contract, _ = drafted(
        tmp_path,
        "The whole unit is warranted for 2 years. A module exchanged under warranty is covered "
        "for the rest of the original warranty period only.\n",
    )
    assert contract.warranty is not None and contract.warranty.rewarranty == "remaining"
