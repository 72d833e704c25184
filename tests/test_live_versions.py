"""Which version of a contract prices a stored line, when versions are loaded out of date order.

An amendment loaded with an effective date in the past re-prices the lines of tickets it
reaches, closed ones included; and the store's two answers to "which version is in force" (for
a ticket's terms, and for each line's price) are one rule, as replay's. Real SQLite and
PostgreSQL stores (``db_url``), travelled time (FixedClock), compared with replay (``evaluate``).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from slaengine.clock import FixedClock
from slaengine.contract import parse_contract
from slaengine.evaluate import evaluate
from slaengine.events import parse_event
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store.models import PenaltyLine, Ticket
from tests.live_support import event, fast_contract

SLAENGINE = str(Path(sys.executable).with_name("slaengine"))
SHANGHAI_MIDNIGHT_3_MARCH = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def amendment(effective: str) -> str:
    """Version 2 of the fast contract, from ``effective``: P-ack 800.00 instead of 500.00."""
    return (
        fast_contract()
        .replace(
            "accepted_on: 2026-01-01",
            f"accepted_on: 2026-01-01\nversion: 2\neffective_from: {effective}",
            1,
        )
        .replace('amount: "500.00"', 'amount: "800.00"', 1)
    )


def _load(store: Store, text: str, tmp: Path, name: str, effective: date | None = None) -> None:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    store.load_contract(text, path, effective)


def _ack_lines(live: LiveService) -> dict[str, str | None]:
    with live.store.sessions() as session:
        return {
            p.ticket or "": p.amount
            for p in session.scalars(select(PenaltyLine).where(PenaltyLine.clause == "P-ack"))
        }


def _replay(events: list[dict[str, Any]], as_of: datetime) -> dict[str, str]:
    """What replay charges for P-ack with version 1 (no effective date) and the amendment."""
    first = parse_contract(fast_contract(), Path("v1.yaml"))
    second = parse_contract(amendment("2026-03-03"), Path("v2.yaml"))
    parsed = [parse_event(e, first, i) for i, e in enumerate(events)]
    charges = evaluate(first, parsed, as_of, amendments=[second]).charges
    return {x.ticket or "": str(x.amount) for x in charges.penalties if x.clause == "P-ack"}


def test_an_amendment_dated_in_the_past_reprices_a_closed_ticket(
    db_url: str, tmp_path: Path
) -> None:
    five_march = datetime(2026, 3, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    clock = FixedClock(five_march)
    store = Store.open(db_url, clock)
    _load(store, fast_contract(), tmp_path, "v1.yaml", date(2026, 3, 1))
    live = LiveService(store, clock, environ={})
    try:
        events = [
            event("reported", "TA", five_march),
            event("acknowledged", "TA", five_march + timedelta(seconds=4)),  # 1 s late
            event("resolved", "TA", five_march + timedelta(seconds=5)),
        ]
        live.ingest(list(enumerate(events)), "test")
        clock.set(five_march + timedelta(seconds=30))
        live.run_due()
        assert _ack_lines(live) == {"TA": "500.00"}
        with store.sessions() as session:
            assert session.scalars(select(Ticket.next_due)).one() is None  # closed: not due
        # On 10 March the amendment is loaded, in force since 3 March: TA's breach (5 March)
        # began under it, as replay prices it.
        clock.set(datetime(2026, 3, 10, 1, 0, tzinfo=UTC))
        _load(store, amendment("2026-03-03"), tmp_path, "v2.yaml")
        live.run_due()
        assert _ack_lines(live) == {"TA": "800.00"}
        assert _replay(events, clock.now()) == {"TA": "800.00"}
    finally:
        store.close()


def test_an_amendment_effective_before_the_first_version_prices_as_replay(
    db_url: str, tmp_path: Path
) -> None:
    ten_march = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    clock = FixedClock(ten_march)
    store = Store.open(db_url, clock)
    # Version 1 says no date: in force from the day it is loaded (10 March) — and before any
    # version's date, as the first. Version 2 is effective from 3 March.
    _load(store, fast_contract(), tmp_path, "v1.yaml")
    _load(store, amendment("2026-03-03"), tmp_path, "v2.yaml")
    live = LiveService(store, clock, environ={})
    try:
        with store.sessions() as session:
            on = {
                day: store.version_in_effect(session, "FAST-1", at).version  # type: ignore[union-attr]
                for day, at in (
                    ("2 March", SHANGHAI_MIDNIGHT_3_MARCH - timedelta(hours=1)),
                    ("3 March", SHANGHAI_MIDNIGHT_3_MARCH + timedelta(hours=1)),
                    ("10 March", ten_march),
                )
            }
            chain = [
                (c.contract.version, c.contract.effective_from)
                for c in store.versions_in_force(session, "FAST-1")
            ]
        assert on == {"2 March": 1, "3 March": 2, "10 March": 2}
        assert [version for version, _ in chain] == [1, 2]  # the same rule
        assert chain[1][1] == date(2026, 3, 3)
        events = [
            # reported 2 March, 1 s late the same day: version 1's breach
            event("reported", "TA", SHANGHAI_MIDNIGHT_3_MARCH - timedelta(hours=1)),
            event("acknowledged", "TA", SHANGHAI_MIDNIGHT_3_MARCH - timedelta(seconds=3596)),
            # reported 2 seconds before midnight, due 00:00:01 on 3 March: version 2's breach
            event("reported", "TB", SHANGHAI_MIDNIGHT_3_MARCH - timedelta(seconds=2)),
            event("acknowledged", "TB", SHANGHAI_MIDNIGHT_3_MARCH + timedelta(seconds=5)),
        ]
        live.ingest(list(enumerate(events)), "test")
        live.run_due()
        assert _ack_lines(live) == {"TA": "500.00", "TB": "800.00"}
        assert _replay(events, ten_march) == {"TA": "500.00", "TB": "800.00"}
    finally:
        store.close()


def test_contract_load_says_a_backdated_amendment_reprices_stored_lines(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'load.db'}"
    first, second = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    first.write_text(fast_contract(), encoding="utf-8")
    second.write_text(amendment("2026-03-03"), encoding="utf-8")
    said = []
    for path, effective in ((first, ["--effective", "2026-03-01"]), (second, [])):
        done = subprocess.run(
            [SLAENGINE, "contract", "load", str(path), "--db", db, *effective],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        said.append(done.stdout)
    assert "note" not in said[0]  # a first version re-prices nothing
    # (the real clock is after 3 March 2026, as the amendment's date is in the past)
    assert "version 2 took effect on 2026-03-03, before today" in said[1]
    assert "重新计算违约金" in said[1]
