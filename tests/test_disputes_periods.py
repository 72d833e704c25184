"""Disputes of lines the store does not keep (docs/disputes.md "Which line"): a
``measure_credit`` line, priced per period of the whole contract, is contested by its
reference (clause, ``period``, period start), judged from the store's events when filed and
decided, and accepting it waives the period through the ordinary waiver rules."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from slaengine.audit import trail
from slaengine.audit.trail import Actor
from slaengine.clock import FixedClock
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.penalties import Window, build_statement
from slaengine.penalties.statement import Statement
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store import disputes as store_disputes
from slaengine.store.disputes import DisputeError
from tests.tender import Stream, t
from tests.test_service_e2e import SLAENGINE

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "example-tender.yaml"
CID = "HT-2026-017"
#: March: unit U1 down 16 h of 1468 h, 98.910% < 99%: 2% of the 10,000.00 monthly fee.
CREDIT = "SC-availability/period/2026-03-01T00:00:00+08:00"
SUPPLIER = Actor("Zhang (supplier)", "cli", "test")
MANAGER = Actor("Li (contract manager)", "cli", "test")


def _statement(store: Store, as_of: datetime) -> Statement:
    contract = load_contract(CONTRACT)
    report = evaluate(contract, store.contract_events(CID), as_of)
    statement = build_statement(report, Window.month(contract, "2026-03"))
    return replace(statement, disputes=store_disputes.marks_of_store(store, CID))


def _credit(statement: Statement) -> object:
    (line,) = [x for x in statement.charges.lines() if x.id == CREDIT]
    return line


@pytest.mark.postgres
def test_a_measure_credit_line_is_disputed_and_accepting_waives_its_period(db_url: str) -> None:
    clock = FixedClock(datetime(2026, 4, 2, tzinfo=UTC))
    store = Store.open(db_url, clock)
    try:
        store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
        stream = Stream()
        stream.add("reported", t("2026-03-10 08:00"), "T-1", severity="major", asset="U1")
        stream.add("resolved", t("2026-03-11 00:00"), "T-1")
        raw = [(n, json.dumps(x).encode()) for n, x in enumerate(stream.raw, 1)]
        LiveService(store, clock, environ={}).ingest(raw, "test", raw=True)
        with store.sessions() as session:  # the store keeps the ticket's lines, not the period's
            lines = {row.line_id for row in session.scalars(
                store_disputes.select(store_disputes.PenaltyLine))}  # fmt: skip
        assert CREDIT not in lines and any(x.startswith("P-ack/T-1/") for x in lines)

        before = _statement(store, clock.now())
        assert _credit(before).amount == Decimal("200.00")  # type: ignore[attr-defined]
        with pytest.raises(DisputeError) as missing:  # February fell short of nothing
            store_disputes.file_dispute(store, CID, CREDIT.replace("03-01", "02-01"), "x",
                                        SUPPLIER)  # fmt: skip
        assert missing.value.status == 404 and missing.value.field == "line"

        clock.advance(timedelta(days=1))
        filed = store_disputes.file_dispute(
            store, CID, CREDIT, "U1 was down for agreed maintenance", SUPPLIER
        )
        assert (filed.state, filed.amount, filed.reference, filed.source) == (
            "open", "200.00", CREDIT, "period"
        )  # fmt: skip
        with pytest.raises(DisputeError) as again:
            store_disputes.file_dispute(store, CID, CREDIT, "once more", SUPPLIER)
        assert again.value.status == 409

        marked = _statement(store, clock.now())
        assert marked.dispute_of(_credit(marked)).state == "open"  # type: ignore[arg-type, union-attr]
        assert marked.totals().chargeable == before.totals().chargeable  # counts until decided

        clock.advance(timedelta(days=1))
        decision = store_disputes.decide(store, filed.id, True, "the window was agreed", MANAGER)
        assert decision.dispute.state == "accepted" and decision.contract_wide
        after = _statement(store, clock.now())
        line = _credit(after)
        assert line.waived and "dispute 1 accepted" in (line.waiver_reason or "")  # type: ignore[attr-defined]
        assert after.totals().chargeable == before.totals().chargeable - Decimal("200.00")
        assert after.dispute_of(line).state == "accepted"  # type: ignore[arg-type, union-attr]
        assert not after.charges.unapplied_waivers  # the waiver matched exactly the line
        with pytest.raises(DisputeError) as waived:
            store_disputes.file_dispute(store, CID, CREDIT, "again", SUPPLIER)
        assert waived.value.status == 409 and "already waived" in waived.value.error
        with store.sessions() as session:
            kinds = [record.kind for record in trail.records(session, trail.Filters())]
        assert kinds[-3:] == ["dispute_filed", "waiver", "dispute_accepted"]
    finally:
        store.close()


def test_a_cap_adjustment_is_refused_saying_it_follows_its_lines(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 4, 2, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'c.db'}", clock)
    try:
        store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
        with pytest.raises(DisputeError) as refused:
            store_disputes.file_dispute(store, CID, "cap/per_contract_year/1", "too much",
                                        SUPPLIER)  # fmt: skip
        assert (refused.value.status, refused.value.field) == (422, "line")
        assert "follows the lines it cuts" in refused.value.error
    finally:
        store.close()


def test_a_service_credit_line_is_disputed_and_waived_by_its_period(tmp_path: Path) -> None:
    """February: 10 calls, 1 answered late, 90.0% on time < 95%: 5% of the 100,000.00 fee."""
    from slaengine.contract import parse_contract
    from tests.test_penalties import HEAD, SERVICE_CREDIT, answers

    text = HEAD.format(price="100000.00", accepted="2026-01-01", clauses="") + SERVICE_CREDIT
    path = tmp_path / "small.yaml"
    path.write_text(text, encoding="utf-8")
    contract = parse_contract(text, path)
    clock = FixedClock(datetime(2026, 3, 3, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}", clock)
    try:
        store.load_contract(text, path, datetime(2026, 1, 1).date())
        calls = [(f"2026-02-{d:02d} 10:00", 4.0 if d == 1 else 2.0) for d in range(1, 11)]
        raw = [(n, json.dumps(x).encode()) for n, x in enumerate(answers(contract, *calls).raw)]
        LiveService(store, clock, environ={}).ingest(raw, "test", raw=True)

        def credit(at: datetime | None = None) -> object:
            report = evaluate(contract, store.contract_events("SMALL-1"), at or clock.now())
            (line,) = [x for x in report.charges.penalties if x.clause == "SC"]
            return line

        line = credit()
        assert line.amount == Decimal("5000.00") and not line.waived  # type: ignore[attr-defined]
        reference = line.id  # type: ignore[attr-defined]
        assert reference == "SC/period/2026-02-01T00:00:00+08:00"
        filed = store_disputes.file_dispute(store, "SMALL-1", reference, "T-1 was a test call",
                                            SUPPLIER)  # fmt: skip
        assert (filed.amount, filed.source) == ("5000.00", "period")
        # decided from the CLI, as a contract manager runs it (its clock is the real one)
        decided = subprocess.run(
            [SLAENGINE, "dispute", "decide", str(filed.id), "accept", "--reason", "it was",
             "--by", "Li", "--db", f"sqlite:///{tmp_path / 's.db'}"],
            capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert decided.returncode == 0, decided.stderr
        assert f"dispute {filed.id} accepted by Li: line {reference}" in decided.stdout
        assert "show it waived at once" in decided.stderr
        waived = credit(datetime(2100, 1, 1, tzinfo=UTC))
        assert waived.waived and waived.id == reference  # type: ignore[attr-defined]
    finally:
        store.close()


def test_a_made_up_line_of_a_clause_not_priced_per_period_is_refused_without_judging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a measure or service credit clause has period lines that are not stored: a line id
    under any other clause is a 404 at once, not a judgement of the whole contract (which a
    caller could otherwise ask for in a loop)."""
    import slaengine.evaluate

    clock = FixedClock(datetime(2026, 4, 2, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}", clock)
    try:
        store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
        contract = load_contract(CONTRACT)
        other = next(c.id for c in contract.clauses if c.kind not in store_disputes.PERIOD_KINDS)

        def judged(*_: object, **__: object) -> None:
            raise AssertionError("the whole contract was judged for a made-up line")

        monkeypatch.setattr(slaengine.evaluate, "evaluate", judged)
        with pytest.raises(DisputeError) as refused:
            store_disputes.file_dispute(store, CID, f"{other}/made-up", "why", SUPPLIER)
        assert refused.value.status == 404
    finally:
        store.close()
