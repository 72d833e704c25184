"""Storing a history file with its lines parsed in worker processes (slaengine.service.history)
stores what ``Store.add_events`` stores for the same chunks, in the file's order.

A file with every kind of line — good events, a repeat of an earlier line (a duplicate) and a
different event under a used id (a conflict) in later chunks, a line that is not JSON, an
event of a type the contract does not know, a blank line, a force majeure — is stored twice
into fresh stores: through ``store_history`` (two forked workers on PostgreSQL; one process on
SQLite) and through ``add_events`` chunk by chunk. The events (in ``seq`` order, with their
bodies and fingerprints), the rejected lines, the ticket rows and what each chunk reported are
the same; a second ``store_history`` of the file stores no event and reports every event as a
duplicate.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from slaengine.clock import FixedClock
from slaengine.service.history import store_history
from slaengine.store import AddResult, Store
from slaengine.store.models import RejectedInput, StoredEvent, Ticket
from tests.live_support import CONTRACT_ID, event, fast_contract, open_service
from tests.test_history_load import _drop_schema, _other_schema

CHUNK = 7


def lines() -> list[bytes]:
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    items: list[Any] = []
    for n in range(12):
        at = base + timedelta(minutes=n)
        items.append(event("reported", f"S{n}", at, f"S{n}-r"))
        items.append(event("acknowledged", f"S{n}", at + timedelta(seconds=3), f"S{n}-a"))
    items.insert(9, "{not json")
    items.insert(12, event("teleported", "S1", base, "S1-t"))
    items.insert(15, "")
    items.append(items[0])  # a duplicate, chunks after its first
    conflict = dict(items[1])
    conflict["at"] = (base + timedelta(seconds=59)).isoformat()
    items.append(conflict)  # the same id, other content
    items.append(
        {
            "id": "FM-S",
            "contract": CONTRACT_ID,
            "type": "force_majeure",
            "at": (base + timedelta(minutes=2)).isoformat(),
            "attrs": {"until": (base + timedelta(minutes=4)).isoformat(), "reason": "flood"},
        }
    )
    return [(item if isinstance(item, str) else json.dumps(item)).encode() for item in items]


def stored(store: Store) -> dict[str, Any]:
    with store.sessions() as session:
        events = [
            (e.event_id, e.ticket, e.type, e.at, e.body, e.fingerprint, e.source)
            for e in session.scalars(select(StoredEvent).order_by(StoredEvent.seq))
        ]
        rejected = sorted(
            (r.line, r.error, r.raw, r.event_id) for r in session.scalars(select(RejectedInput))
        )
        tickets = sorted((t.ticket, t.dirty) for t in session.scalars(select(Ticket)))
    return {"events": events, "rejected": rejected, "tickets": tickets}


def reported(results: list[AddResult]) -> list[tuple[Any, ...]]:
    return [
        (
            [(e.id, e.ticket, e.line) for e in result.accepted],
            result.duplicates,
            [(r.line, r.error) for r in result.rejected],
            sorted(result.tickets),
            result.marked,
        )
        for result in results
    ]


def test_storing_a_file_with_workers_equals_add_events_chunk_by_chunk(
    db_url: str, tmp_path: Path
) -> None:
    offered = list(enumerate(lines(), start=1))
    clock = FixedClock(datetime.now(UTC))
    by_workers = open_service(db_url, clock, fast_contract(), tmp_path)
    heard: list[tuple[AddResult, int]] = []
    try:
        store_history(
            by_workers.store,
            iter(offered),
            "history.jsonl",
            CHUNK,
            lambda added, size: heard.append((added, size)),
            processes=2,
        )
        mine = stored(by_workers.store)
        again: list[AddResult] = []
        store_history(
            by_workers.store,
            iter(offered),
            "history.jsonl",
            CHUNK,
            lambda added, _: again.append(added),
            processes=2,
        )
        after = stored(by_workers.store)
        # a second load stores no event (its rejected lines are on record again, as ever)
        assert (after["events"], after["tickets"]) == (mine["events"], mine["tickets"])
    finally:
        by_workers.store.close()
    accepted = sum(len(added.accepted) for added, _ in heard)
    assert sum(len(added.accepted) for added in again) == 0
    assert sum(added.duplicates for added in again) == accepted + 1  # the duplicate line too
    assert [size for _, size in heard] == [
        sum(len(text) for _, text in offered[first : first + CHUNK])
        for first in range(0, len(offered), CHUNK)
    ]

    other = tmp_path / "other"
    other.mkdir()
    url = _other_schema(db_url) if "postgresql" in db_url else f"sqlite:///{other / 's.db'}"
    by_chunks = open_service(url, clock, fast_contract(), other)
    try:
        results = [
            by_chunks.store.add_events(offered[first : first + CHUNK], "history.jsonl", raw=True)
            for first in range(0, len(offered), CHUNK)
        ]
        theirs = stored(by_chunks.store)
    finally:
        by_chunks.store.close()
        if "postgresql" in db_url:
            _drop_schema(url)

    assert mine == theirs
    assert reported([added for added, _ in heard]) == reported(results)
    assert len(mine["rejected"]) == 3  # not JSON, an unknown type, the conflict
    assert [e[0] for e in mine["events"]][:3] == ["S0-r", "S0-a", "S1-r"]  # the file's order
