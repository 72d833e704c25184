"""A clock per occurrence (docs/contracts.md, "A clock per contact"): 每次客户来电须在2小时内回复 —
every customer contact starts a 2-hour reply clock of its own; a reply answers every contact
still waiting for one."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from slaengine.contract import Contract, parse_contract
from slaengine.measures.compliance import measure
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


# -- everywhere a clock is keyed, each start is its own (slaengine.identity) -------------------


def _scenario() -> Stream:
    """The scenario above: #1 breached (30 min), #2 met, #3 open breach at 17:00."""
    stream = Stream(CONTRACT)
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset="U1")
    stream.add("customer_contact", t("2026-03-02 10:00"))
    stream.add("customer_contact", t("2026-03-02 11:30"))
    stream.add("update_sent", t("2026-03-02 12:30"))
    stream.add("customer_contact", t("2026-03-02 14:00"))
    return stream


def _write_events(stream: Stream, path: Path) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in stream.raw), encoding="utf-8")
    return path


def test_the_live_service_links_each_start_s_line_to_that_start_s_breach(tmp_path: Path) -> None:
    """A stored line names its start (``occurrence`` in its body) and is linked to the breach of
    that start, not to another start of the same cycle."""
    from sqlalchemy import select

    from slaengine.clock import FixedClock
    from slaengine.service import LiveService
    from slaengine.store import Store
    from slaengine.store.models import Breach, PenaltyLine

    db = f"sqlite:///{tmp_path / 'x.db'}"
    clock = FixedClock(t("2026-03-02 17:00"))
    live = LiveService(Store.open(db, clock), clock, environ={})
    try:
        live.store.load_contract(contract_text(), Path("per-contact.yaml"), CONTRACT.acceptance)
        live.ingest(list(enumerate(_scenario().raw)), "test")
        live.run_due()
        with live.store.sessions() as session:
            breaches = {b.id: b.occurrence for b in session.scalars(select(Breach))}
            linked = sorted(
                (json.loads(p.body)["occurrence"], breaches[p.breach_id])
                for p in session.scalars(
                    select(PenaltyLine).where(PenaltyLine.commitment == "reply-2h")
                )
                if p.breach_id is not None
            )
    finally:
        live.store.close()
    assert linked == [(1, 1), (3, 3)]


def test_a_waiver_leaves_the_met_start_of_the_cycle_on_time() -> None:
    """A waiver of the commitment waives both breached starts; the start answered in time (#2)
    still counts as met in the on-time rate (statements, replay, the console, service credits)."""
    stream = _scenario()
    stream.add(
        "breach_waived", t("2026-03-02 17:00"), commitment="reply-2h", reason="storm", by="Li"
    )
    report = stream.report(t("2026-03-02 18:00"))
    rate = measure(report.clocks, ["reply-2h"], waived=report.charges.waived_clocks)
    assert (rate.met, rate.breached, rate.waived) == (1, 0, 2)
    assert rate.rate_text() == "100.0%"


def test_contract_diff_shows_each_start_of_an_open_ticket(tmp_path: Path) -> None:
    """An amendment shortens the reply target from 2h to 1h: both waiting contacts' clocks
    change, each shown with its start (JSON ``occurrence``; the table's ``(start n)``)."""
    from tests.test_cli import run

    old = tmp_path / "per-contact.yaml"
    old.write_text(contract_text(), encoding="utf-8")
    new = tmp_path / "per-contact-2.yaml"
    amended = contract_text().replace("version: 1\n", "version: 2\neffective_from: 2026-03-01\n")
    new.write_text(amended.replace(REPLY, REPLY.replace("target: 2h", "target: 1h")), "utf-8")
    stream = Stream(CONTRACT)
    stream.add("reported", t("2026-03-02 09:00"), severity="general", asset="U1")
    stream.add("customer_contact", t("2026-03-02 10:00"))
    stream.add("customer_contact", t("2026-03-02 11:30"))
    events = _write_events(stream, tmp_path / "events.jsonl")
    as_of = "2026-03-02T12:45:00+08:00"
    diff = run("contract", "diff", str(old), str(new), str(events), "--as-of", as_of, "-f", "json")
    assert diff.returncode == 0, diff.stderr
    (ticket,) = json.loads(diff.stdout)["open_tickets"]
    shown = [
        (c["commitment"], c["cycle"], c.get("occurrence"), c["old"]["status"], c["new"]["status"])
        for c in ticket["clocks"]
        if c["commitment"] == "reply-2h"
    ]
    # old: #1 due 12:00 breached, #2 due 13:30 running; new: due 11:00 and 12:30, both breached
    assert shown == [
        ("reply-2h", 1, 1, "breached", "breached"),
        ("reply-2h", 1, 2, "running", "breached"),
    ]
    # (the ticket was never acknowledged: its other clocks cost the same under both versions)
    assert Decimal(ticket["penalties_new"]) - Decimal(ticket["penalties_old"]) == Decimal("300")
    table = run("contract", "diff", str(old), str(new), str(events), "--as-of", as_of)
    assert table.returncode == 0, table.stderr
    assert "reply-2h (start 1): 2h due" in table.stdout
    assert "reply-2h (start 2): 2h due" in table.stdout


def test_the_briefing_shows_each_start_s_breach_with_its_own_money() -> None:
    from rich.console import Console

    from slaengine.cli.briefing import WIDTH, print_briefing
    from slaengine.penalties.statement import Window

    report = _scenario().report(t("2026-03-02 17:00"))
    console = Console(width=WIDTH, record=True)
    print_briefing(report, console, Window.month(report.contract, "2026-03"), "", [])
    text = console.export_text()
    rows = [line.split("│")[2:6] for line in text.splitlines() if "reply-2h (start" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["reply-2h (start 1)", "03-02 12:00", "30m", "300.00"],
        ["reply-2h (start 3)", "03-02 16:00", "1h", "300.00"],
    ], text


def test_replay_and_the_statement_show_which_start(tmp_path: Path) -> None:
    from tests.test_cli import run

    contract = tmp_path / "per-contact.yaml"
    contract.write_text(contract_text(), encoding="utf-8")
    events = _write_events(_scenario(), tmp_path / "events.jsonl")
    as_of = "2026-03-02T17:00:00+08:00"
    replay = run("replay", str(contract), str(events), "--as-of", as_of, "-f", "json")
    assert replay.returncode == 0, replay.stderr
    report = json.loads(replay.stdout)
    breaches = [b for b in report["breaches"] if b["commitment"] == "reply-2h"]
    assert [(b["occurrence"], b["late_by_seconds"]) for b in breaches] == [(1, 1800), (3, 3600)]
    lines = [p for p in report["penalties"] if p["commitment"] == "reply-2h"]
    assert [(p["id"], p["occurrence"]) for p in lines] == [
        ("P-report/T-1/reply-2h/1#1", 1),
        ("P-report/T-1/reply-2h/1#3", 3),
    ]
    table = run("replay", str(contract), str(events), "--as-of", as_of)
    assert table.returncode == 0, table.stderr
    for n in (1, 2, 3):
        assert f"reply-2h (start {n})" in table.stdout
    for lang, words in (("en", "reply-2h (start {})"), ("zh", "reply-2h（第{}次）")):
        csv = run("statement", str(contract), str(events), "--period", "2026-03",
                  "--as-of", as_of, "-f", "csv", "--lang", lang)  # fmt: skip
        assert csv.returncode == 0, csv.stderr
        subjects = [row[6] for row in _csv_rows(csv.stdout) if row[6].startswith("reply-2h")]
        assert subjects == [words.format(1), words.format(3)]


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


def test_a_waiver_of_one_start_waives_that_start_s_breach_only() -> None:
    stream = _scenario()
    stream.add(
        "breach_waived",
        t("2026-03-02 17:00"),
        commitment="reply-2h",
        occurrence=3,
        reason="the caller hung up",
        by="Li",
    )
    report = stream.report(t("2026-03-02 18:00"))
    lines = {
        line.occurrence: (line.waived, line.counts)
        for line in report.charges.penalties
        if line.commitment == "reply-2h"
    }
    assert lines == {1: (False, True), 3: (True, False)}
    assert not report.charges.unapplied_waivers
    rate = measure(report.clocks, ["reply-2h"], waived=report.charges.waived_clocks)
    assert (rate.met, rate.breached, rate.waived) == (1, 1, 1)


def test_a_waiver_s_occurrence_must_be_a_start_s_number() -> None:
    from slaengine.events import Intake

    intake = Intake(CONTRACT)
    intake.offer(
        {
            "id": "W-1",
            "contract": CONTRACT.id,
            "type": "breach_waived",
            "ticket": "T-1",
            "at": "2026-03-02T17:00:00+08:00",
            "attrs": {"commitment": "reply-2h", "occurrence": 0, "reason": "r", "by": "b"},
        }
    )
    (rejected,) = intake.rejected
    assert "attrs.occurrence: expected a start's number (1, 2, ...), got 0" in rejected.error
    assert rejected.id == "W-1"
