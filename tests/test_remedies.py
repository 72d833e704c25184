"""Repeat-failure remedies (三包, docs/contracts.md "Repeat-failure remedies"): the third repair
of one part within its warranty obliges the supplier to replace it within 5 working days."""

from __future__ import annotations

from pathlib import Path

from slaengine.contract import Contract, parse_contract
from slaengine.obligations import ObligationPeriod
from tests.tender import Stream, t

EXAMPLE_TEXT = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")

REMEDY = """remedies:
  - id: replace-after-two-repairs
    name:
      zh: 同一部件质保期内经两次修理仍不能正常使用的免费更换
      en: Replace a part that fails after two repairs
    repairs: resolved
    count: 3
    within_warranty: true
    target: 5d
    calendar: office
    done_by: part_replaced
    clauses: [P-remedy]

contacts:
"""
CLAUSE = """  - id: P-remedy
    kind: fixed
    amount: "5000.00"
  - id: W-final
"""
CONTRACT: Contract = parse_contract(
    EXAMPLE_TEXT.replace("contacts:\n", REMEDY, 1).replace("  - id: W-final\n", CLAUSE, 1),
    Path("contracts/remedy.yaml"),
)


def repair(stream: Stream, ticket: str, day: str, asset: str = "U1-P1") -> None:
    stream.add("reported", t(f"{day} 09:00"), ticket, severity="general", asset=asset)
    stream.add("resolved", t(f"{day} 10:00"), ticket)


def remedies(stream: Stream, as_of: str) -> tuple[list[ObligationPeriod], list[tuple[str, str]]]:
    report = stream.report(t(as_of))
    owed = [p for p in report.periods if p.obligation == "replace-after-two-repairs"]
    lines = [(line.id, str(line.amount)) for line in report.charges.penalties
             if line.clause == "P-remedy"]  # fmt: skip
    return owed, lines


def test_the_third_repair_of_one_part_obliges_a_replacement() -> None:
    stream = Stream(CONTRACT)
    repair(stream, "T-1", "2026-03-02")
    repair(stream, "T-2", "2026-03-09")
    repair(stream, "T-9", "2026-03-10", asset="U2-P1")  # another part: counted apart
    owed, lines = remedies(stream, "2026-03-16 09:30")
    assert owed == [] and lines == []
    repair(stream, "T-3", "2026-03-16")  # the third repair of U1-P1, Monday 10:00
    owed, lines = remedies(stream, "2026-03-20 12:00")
    (remedy,) = owed
    # 5 working days on the office calendar: Monday 23 March 10:00
    assert (remedy.asset, remedy.period_start, remedy.period_end, remedy.status) == (
        "U1-P1",
        t("2026-03-16 10:00"),
        t("2026-03-23 10:00"),
        "open",
    )
    assert lines == []
    stream.add("part_replaced", t("2026-03-24 09:00"), None, asset="U1-P1")  # a day late
    owed, lines = remedies(stream, "2026-03-31 00:00")
    (remedy,) = owed
    assert remedy.status == "breached"
    assert remedy.met_by[-1] == stream.raw[-1]["id"]
    assert lines == [(f"P-remedy/replace-after-two-repairs/U1-P1/{remedy.period_start.isoformat()}",
                      "5000.00")]  # fmt: skip
    # the replaced part starts a fresh count: one repair more owes nothing
    repair(stream, "T-4", "2026-03-25")
    owed, _ = remedies(stream, "2026-03-31 00:00")
    assert len(owed) == 1


def test_a_replacement_in_time_meets_the_remedy() -> None:
    stream = Stream(CONTRACT)
    for n, day in enumerate(("2026-03-02", "2026-03-03", "2026-03-04"), 1):
        repair(stream, f"T-{n}", day)
    stream.add("part_replaced", t("2026-03-06 15:00"), None, asset="U1-P1")
    owed, lines = remedies(stream, "2026-03-31 00:00")
    assert [p.status for p in owed] == ["met"] and lines == []


def test_remedy_errors_name_file_line_and_field() -> None:
    import pytest

    from slaengine.errors import ContractError

    text = EXAMPLE_TEXT.replace(
        "contacts:\n", REMEDY.replace("calendar: office", "calendar: ofice"), 1
    )
    text = text.replace("  - id: W-final\n", CLAUSE, 1)
    with pytest.raises(ContractError) as info:
        parse_contract(text, Path("contracts/bad.yaml"))
    (problem,) = info.value.problems
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "ofice" in x)
    assert problem.startswith(f"contracts/bad.yaml:{line}: remedies.0.calendar")
    assert "'ofice' is not defined" in problem


def test_repairs_after_the_warranty_do_not_count() -> None:
    # U1-P1 follows its unit: covered until 2029-01-15; three repairs after it owe nothing
    stream = Stream(CONTRACT)
    for n, day in enumerate(("2029-02-05", "2029-02-06", "2029-02-07"), 1):
        repair(stream, f"T-{n}", day)
    owed, _ = remedies(stream, "2029-03-01 00:00")
    assert owed == []
