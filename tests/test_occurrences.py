"""A clock per occurrence (docs/contracts.md, "A clock per contact"): 每次客户来电须在2小时内回复 —
every customer contact starts a 2-hour reply clock of its own; a reply answers every contact
still waiting for one."""

from __future__ import annotations

from pathlib import Path

from slaengine.contract import Contract, parse_contract
from tests.tender import Stream, t

EXAMPLE_TEXT = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")

REPLY = """
  - id: reply-2h
    name: {zh: 每次客户来电须在2小时内回复, en: Reply to every customer contact within 2 hours}
    start: customer_contact
    stop: update_sent
    target: 2h
    calendar: always
    runs: per_start
    clauses: [P-report]
"""


def contract_text() -> str:
    text = EXAMPLE_TEXT.replace(
        "rules: [after-sales]", "event_types: [customer_contact, update_sent]\nrules: [after-sales]"
    )
    return text.replace("\nclauses:\n", REPLY + "\nclauses:\n", 1)


CONTRACT: Contract = parse_contract(contract_text(), Path("contracts/per-contact.yaml"))


def test_two_contacts_rearm_the_clock_and_one_reply_answers_both() -> None:
    stream = Stream(CONTRACT)
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset="U1")
    stream.add("customer_contact", t("2026-03-02 10:00"))
    stream.add("customer_contact", t("2026-03-02 11:30"))
    stream.add("update_sent", t("2026-03-02 12:30"))  # #1 30 min late, #2 in time
    stream.add("customer_contact", t("2026-03-02 14:00"))  # #3 unanswered at 17:00
    report = stream.report(t("2026-03-02 17:00"))
    clocks = sorted(
        (c.occurrence, c.deadline, c.status, c.late_by_seconds)
        for c in report.clocks
        if c.commitment == "reply-2h"
    )
    assert clocks == [
        (1, t("2026-03-02 12:00"), "breached", 1800),
        (2, t("2026-03-02 13:30"), "met", 0),
        (3, t("2026-03-02 16:00"), "breached", 3600),
    ]
    lines = [
        (line.id, str(line.amount), line.provisional)
        for line in report.charges.penalties
        if line.commitment == "reply-2h"
    ]
    assert lines == [
        ("P-report/T-1/reply-2h/1#1", "300.00", False),
        ("P-report/T-1/reply-2h/1#3", "300.00", True),
    ]
    assert report.to_json()["clocks"][-1].get("occurrence") in (1, 2, 3)


def test_the_live_service_stores_each_occurrence_as_replay_judges_it(tmp_path: Path) -> None:
    """``contract load`` takes the contract, and the store's clocks, breaches and lines of the
    scenario above are the report's, occurrence by occurrence."""
    from sqlalchemy import select

    from slaengine.clock import FixedClock
    from slaengine.service import LiveService
    from slaengine.store import Store
    from slaengine.store.models import Breach, PenaltyLine, StoredClock
    from tests.test_cli import run

    contract = tmp_path / "per-contact.yaml"
    contract.write_text(contract_text(), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    loaded = run("contract", "load", str(contract), "--db", db, "--effective", "2026-01-15")
    assert loaded.returncode == 0, loaded.stderr
    stream = Stream(CONTRACT)
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset="U1")
    stream.add("customer_contact", t("2026-03-02 10:00"))
    stream.add("customer_contact", t("2026-03-02 11:30"))
    stream.add("update_sent", t("2026-03-02 12:30"))
    stream.add("customer_contact", t("2026-03-02 14:00"))
    clock = FixedClock(t("2026-03-02 17:00"))
    live = LiveService(Store.open(db, clock), clock, environ={})
    try:
        live.ingest(list(enumerate(stream.raw)), "test")
        live.run_due()
        with live.store.sessions() as session:
            clocks = sorted(
                (c.occurrence, c.deadline, c.status, c.late_by_seconds)
                for c in session.scalars(
                    select(StoredClock).where(StoredClock.commitment == "reply-2h")
                )
            )
            breaches = sorted(
                (b.occurrence, b.status)
                for b in session.scalars(select(Breach).where(Breach.commitment == "reply-2h"))
            )
            lines = sorted(
                (p.line_id, p.amount, p.provisional, p.breach_id is not None)
                for p in session.scalars(
                    select(PenaltyLine).where(PenaltyLine.commitment == "reply-2h")
                )
            )
    finally:
        live.store.close()
    assert clocks == [
        (1, t("2026-03-02 12:00"), "breached", 1800),
        (2, t("2026-03-02 13:30"), "met", 0),
        (3, t("2026-03-02 16:00"), "breached", 3600),
    ]
    assert breaches == [(1, "closed"), (3, "open")]
    assert lines == [
        ("P-report/T-1/reply-2h/1#1", "300.00", False, True),
        ("P-report/T-1/reply-2h/1#3", "300.00", True, True),
    ]
