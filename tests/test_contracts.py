"""Contract files: validation errors name file, line and field; new commitments need only YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaengine.bundled import example_contract
from slaengine.clocks import BREACHED, MET
from slaengine.contract import load_contract, parse_contract
from slaengine.errors import ContractError
from slaengine.evaluate import evaluate
from slaengine.events import Intake
from slaengine.ruleset import compile_ruleset
from tests.tender import TENDER, t

EXAMPLE_TEXT = example_contract().read_text(encoding="utf-8")


def test_example_tender_has_the_spec_ids() -> None:
    assert TENDER.id == "HT-2026-017"
    assert str(TENDER.price) == "1280000.00"
    assert [c.id for c in TENDER.commitments] == [
        "ack-3min",
        "dispatch-15min",
        "onsite-30min",
        "repair-general-30min",
        "repair-major-1h",
        "emergency-plan-5min",
        "report-3h",
        "callback-24h",
        "factory-repair-3d",
    ]
    assert {c.id for c in TENDER.clauses} >= {
        "P-ack",
        "P-onsite",
        "P-repair",
        "P-plan",
        "P-report",
        "P-factory",
        "P-site",
        "P-inspection",
        "C-costs",
    }
    onsite = TENDER.commitment("onsite-30min")
    assert [c.type for c in onsite.cancel] == ["resolved"]
    assert onsite.pausable
    assert TENDER.commitment("ack-3min").name is not None
    assert TENDER.commitment("ack-3min").name.zh == "3分钟内予以答复"


def _error(text: str) -> list[str]:
    with pytest.raises(ContractError) as info:
        parse_contract(text, Path("contracts/bad.yaml"))
    return info.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    target: 3m\n",
            "    target: 3 minutes\n",
            "commitments.0.target",
            "is not a duration",
        ),
        (
            "    calendar: always\n    clauses: [P-ack",
            "    calendar: allways\n    clauses: [P-ack",
            "commitments.0.calendar",
            "calendar 'allways'",
        ),
        ('    amount: "500.00"', '    amount: "five hundred"', "clauses.0", "is not an amount"),
        ("timezone: Asia/Shanghai", "timezone: Asia/Beijing", "timezone", "not an IANA time zone"),
        ("    unit: 10m\n", "    unit: 10m\n    units: 2\n", "clauses.1", "unknown field"),
        (
            "    clauses: [P-report]",
            "    clauses: [P-reprot]",
            "commitments.6.clauses.0",
            "'P-reprot' is not defined",
        ),
        ("currency: CNY", "currency: yuan", "currency", "String should match pattern"),
    ],
)
def test_errors_name_file_line_and_field(old: str, new: str, field: str, message: str) -> None:
    assert old in EXAMPLE_TEXT
    text = EXAMPLE_TEXT.replace(old, new, 1)
    problems = _error(text)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.startswith("contracts/bad.yaml:")
    assert field in problem
    assert message in problem
    line = int(problem.split(":")[1])
    changed = next(x for x in new.splitlines() if x not in old.splitlines()).strip()
    assert line == _line_of(text, changed)


def test_missing_field_is_named() -> None:
    text = EXAMPLE_TEXT.replace("timezone: Asia/Shanghai\n", "", 1)
    assert any("timezone: this field is required" in p for p in _error(text))


def test_price_and_acceptance_are_needed_only_by_the_terms_that_use_them() -> None:
    # The example tender has money, assets and an inspection obligation: each need is named.
    no_acceptance = EXAMPLE_TEXT.replace("accepted_on: 2026-01-15", "")
    (problem,) = [p for p in _error(no_acceptance) if "accepted_on" in p]
    for need in ("contract years", "assets", "obligation periods"):
        assert need in problem
    no_price = EXAMPLE_TEXT.replace('price: "1280000.00"', "")
    problems = _error(no_price)
    assert any("clauses." in p and ".percent: is a percentage of the contract price" in p
               for p in problems)  # fmt: skip
    assert any("caps.per_contract_year.percent_of_price" in p for p in problems)
    # A contract of response times only, no money, no warranty: neither is needed.
    plain = parse_contract(
        "id: C-PLAIN\ncurrency: CNY\ntimezone: Asia/Shanghai\n"
        "severities: {general: {en: General}}\ncalendars: {always: {kind: 24x7}}\n"
        "commitments:\n  - {id: visit, start: reported, stop: arrived, target: 30m, "
        "calendar: always}\n",
        Path("plain.yaml"),
    )
    assert plain.price is None and plain.accepted_on is None
    intake = Intake(plain)
    intake.offer({"id": "1", "contract": "C-PLAIN", "ticket": "T", "type": "reported",
                  "severity": "general", "at": "2026-03-02T09:00:00+08:00"})  # fmt: skip
    (clock,) = evaluate(plain, intake.events, t("2026-03-02 10:00")).clocks
    assert clock.status == BREACHED


def test_bad_yaml_names_the_line() -> None:
    problems = _error("id: X\ncommitments: [\n  - a\n")
    assert "not valid YAML" in problems[0]


def test_unknown_shape_lists_the_known_ones() -> None:
    text = EXAMPLE_TEXT.replace("use: answer-the-call", "use: answer-teh-call")
    problems = _error(text)
    assert "no shape 'answer-teh-call'" in problems[0]
    assert "answer-the-call" in problems[0]
    assert f"bad.yaml:{_line_of(text, 'answer-teh-call')}:" in problems[0]


COMPLAINTS = """
id: SVC-9
currency: EUR
price: "100000.00"
timezone: Europe/Berlin
accepted_on: 2026-01-01
severities: {normal: {en: Normal}}
event_types: [complaint_received, complaint_answered]
calendars:
  office:
    kind: working_hours
    timezone: Europe/Berlin
    hours: {mon-fri: ["08:00-12:00", "13:00-17:00"]}
    holidays: {country: DE}
commitments:
  - id: answer-complaint-24wh
    name: {en: Answer a complaint within 24 working hours, zh: 24个工作小时内答复投诉}
    start: complaint_received
    stop: {type: complaint_answered, attrs: {final: true}}
    target: 24h
    calendar: office
"""


def test_a_new_kind_of_commitment_needs_only_yaml() -> None:
    contract = parse_contract(COMPLAINTS, Path("complaints.yaml"))
    rules = compile_ruleset(contract)
    assert len(rules) == 2
    intake = Intake(contract)
    for n, (kind, at, attrs) in enumerate(
        [
            ("complaint_received", "2026-03-05T16:00:00+01:00", {}),  # Thu, 1 h left that day
            (
                "complaint_answered",
                "2026-03-09T16:00:00+01:00",
                {"final": False},
            ),  # an interim reply
            ("complaint_answered", "2026-03-10T09:30:00+01:00", {"final": True}),
        ]
    ):
        intake.offer(
            {
                "id": f"c{n}",
                "contract": "SVC-9",
                "ticket": "K-1",
                "type": kind,
                "at": at,
                "attrs": attrs,
            }
        )
    assert intake.rejected == []
    report = evaluate(contract, intake.events, t("2026-03-20 00:00"))
    (found,) = report.clocks
    # 1 h Thu + 8 h Fri + 8 h Mon + 7 h Tue = 24 working hours: Tue 10 Mar 16:00
    assert found.deadline.isoformat() == "2026-03-10T16:00:00+01:00"
    assert found.status == MET
    late = Intake(contract)
    late.offer(
        {
            "id": "a",
            "contract": "SVC-9",
            "ticket": "K-2",
            "type": "complaint_received",
            "at": "2026-03-05T16:00:00+01:00",
        }
    )
    report = evaluate(contract, late.events, t("2026-03-11 00:00"))
    assert report.clocks[0].status == BREACHED
    # open since Tue 16:00 Berlin; as_of is Tue 17:00 Berlin
    assert report.clocks[0].late_by_seconds == 3600


def test_conditions_never_test_the_reserved_id_field() -> None:
    text = COMPLAINTS.replace("attrs: {final: true}", "attrs: {id: 1}")
    assert "cannot be matched" in _error(text)[0]


def test_contract_file_not_found() -> None:
    with pytest.raises(ContractError, match="no such file"):
        load_contract("contracts/nope.yaml")


def test_impossible_date_is_a_located_error_not_a_crash() -> None:
    text = EXAMPLE_TEXT.replace("accepted_on: 2026-01-15", "accepted_on: 2026-02-30")
    (problem,) = _error(text)
    assert problem.startswith(f"contracts/bad.yaml:{_line_of(text, 'accepted_on: 2026-02-30')}:")
    assert "accepted_on" in problem


def test_missing_rule_library_is_reported_once(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("rules: [after-sales]", "rules: [after-sale]")
    (problem,) = _error(text)
    assert "rule library 'after-sale' not found" in problem
    looked = problem.split("looked in: ")[1].split(", ")
    assert len(looked) == len(set(looked))


def test_a_directory_is_not_a_contract(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="is a directory"):
        load_contract(tmp_path)


def test_same_event_resent_in_utc_is_a_duplicate() -> None:
    intake = Intake(TENDER)
    base = {"id": "x", "contract": TENDER.id, "ticket": "T", "type": "reported",
            "severity": "general"}  # fmt: skip
    intake.offer({**base, "at": "2026-03-02T09:05:00+08:00"})
    intake.offer({**base, "at": "2026-03-02T01:05:00Z"})
    assert (len(intake.events), intake.duplicates, intake.rejected) == (1, 1, [])


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("on_event: site_violation", "on_event: site_violaton", "clauses.6.on_event.0.type",
         "event type 'site_violaton' is neither built in nor declared"),
        ("applies_to: {severity: general}",
         "applies_to: {severity: general, asset_class: key-part}",
         "commitments.3.applies_to.asset_class", "asset class 'key-part' is not one of"),
        ("met_by: inspection_done", "met_by: {type: inspection_done, asset: U3}",
         "obligations.0.met_by.0.asset", "asset 'U3' is not one of the contract's"),
    ],
)  # fmt: skip
def test_typos_in_conditions_are_errors(old: str, new: str, field: str, message: str) -> None:
    assert old in EXAMPLE_TEXT
    text = EXAMPLE_TEXT.replace(old, new, 1)
    (problem,) = _error(text)
    assert f"bad.yaml:{_line_of(text, new)}: {field}: {message}" in problem


def test_a_rule_library_by_path_is_read_from_the_contract_folder(tmp_path: Path) -> None:
    """docs/rules.md: ``rules: [file.yaml]`` is relative to the contract file, not the current
    directory; when two libraries define one shape, the one listed later wins."""
    folder = tmp_path / "contracts"
    (folder / "libs").mkdir(parents=True)
    (folder / "libs" / "ours.yaml").write_text(
        "library: ours\nevent_types: [status_changed]\nshapes:\n"
        "  wait-for-customer:\n    start: reported\n    stop: resolved\n"
        "    pause: {type: status_changed, attrs: {status: waiting}}\n"
        "    resume: {type: status_changed, attrs: {status: working}}\n"
        "  visit:\n    start: reported\n    stop: arrived\n"
    )
    (tmp_path / "later.yaml").write_text(
        "library: later\nshapes:\n  visit:\n    start: reported\n    stop: dispatched\n"
    )
    contract = folder / "c.yaml"
    contract.write_text(
        "id: C-LIB\ncurrency: CNY\ntimezone: Asia/Shanghai\n"
        "severities: {general: {en: General}}\ncalendars: {always: {kind: 24x7}}\n"
        "rules: [libs/ours.yaml, ../later.yaml]\ncommitments:\n"
        "  - {id: fix, use: wait-for-customer, target: 1d, calendar: always}\n"
        "  - {id: go, use: visit, target: 30m, calendar: always}\n"
    )
    loaded = load_contract(contract)  # the test's cwd is not the contract's folder
    fix, go = loaded.commitments
    assert [c.attrs for c in fix.pause] == [{"status": "waiting"}]
    assert "status_changed" in loaded.event_type_set
    assert [c.type for c in go.stop] == ["dispatched"]
    missing = contract.read_text().replace("libs/ours.yaml", "libs/nope.yaml")
    with pytest.raises(ContractError, match=r"rule library 'libs/nope\.yaml' not found"):
        parse_contract(missing, contract)


def test_a_cancel_that_lists_cancelled_is_the_ticket_cancellation() -> None:
    """docs/clocks.md: the built-in ``cancelled`` in a commitment's own ``cancel`` keeps a breach
    whose deadline had passed (a commitment cancel would withdraw it)."""
    contract = parse_contract(
        "id: C-CAN\ncurrency: CNY\ntimezone: Asia/Shanghai\n"
        "severities: {general: {en: General}}\ncalendars: {always: {kind: 24x7}}\n"
        "commitments:\n  - {id: visit, start: reported, stop: arrived, "
        "cancel: [resolved, cancelled], target: 30m, calendar: always}\n",
        Path("c.yaml"),
    )

    def clock_after(kind: str, minutes: int) -> tuple[str, int]:
        intake = Intake(contract)
        for n, (kind_, at) in enumerate(
            [
                ("reported", "2026-03-02T09:00:00+08:00"),
                (kind, f"2026-03-02T09:{minutes:02d}:00+08:00"),
            ]
        ):
            intake.offer({"id": str(n), "contract": "C-CAN", "ticket": "T", "type": kind_,
                          "severity": "general", "at": at})  # fmt: skip
        (clock,) = evaluate(contract, intake.events, t("2026-03-03 00:00")).clocks
        return clock.status, clock.late_by_seconds

    assert clock_after("cancelled", 50) == (BREACHED, 20 * 60)  # kept, closed at the cancel
    assert clock_after("resolved", 50)[0] == "cancelled"  # the commitment's own cancel withdraws
    assert clock_after("cancelled", 10)[0] == "cancelled"  # before the deadline: nothing owed
