"""The events: intake (append-only, idempotent), the rejected input, and reading them back.

``add_events`` stores events append-only under their idempotency key (unique (contract, id)):
the same content again is a duplicate (a no-op), different content under a known id is a
conflict and is rejected. Rejected input is stored with its line or index and the reason. The
touched tickets are marked ``dirty`` (and due now) in the same transaction (store/tickets.py),
so an accepted event is always evaluated, even if the process dies the moment after it
answered. A contract-wide event marks only the tickets it can change: a force majeure those with
a clock its interval overlaps; an inspection or a site violation none (they are contract
duties). Every stored ``breach_waived`` event appends its record to the audit trail
(slaengine.audit.trail) in the same transaction. On PostgreSQL the same transaction sends
``NOTIFY slaengine_due`` (slaengine.store.wakeups), so a judge worker in another process starts
its due pass at the commit.

Reading: a contract's events (replay and statement ``--db``), a batch of tickets' events with
the contract's force majeure (the due pass), the contract-wide events of some types.

Tables: ``events`` (appended, read), ``rejected`` (appended, read), ``tickets`` and
``ticket_marks`` (through store/tickets.py), ``audit_trail`` (waivers). Transactions:
``add_events`` and ``reject_item`` one write each; ``rejected_raw`` and ``contract_events`` one
read each; the others run in the caller's session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from slaengine.audit import trail
from slaengine.contract import Contract
from slaengine.errors import EventError
from slaengine.events import BLANK, Event, Rejected, decode_line, parse_event, parse_time
from slaengine.store import limits, wakeups
from slaengine.store.base import _IN_CHUNK, _pg_execute
from slaengine.store.models import RejectedInput, StoredEvent
from slaengine.store.tickets import TicketsMixin
from slaengine.store.versions import ContractVersionsMixin


@dataclass
class Prepared:
    """Offered items parsed for ``add_events`` (``prepare_events``), not yet stored."""

    #: (position, the rejection or the parsed event, the contract a rejection names).
    items: list[tuple[int, Rejected | Event, str | None]]
    #: The text of each raw item, kept with a rejection for a conflicting duplicate too.
    texts: dict[int, str]
    #: Each parsed event's fingerprint, by its position.
    prints: dict[int, str]


@dataclass
class AddResult:
    """What ``add_events`` did with each offered event."""

    accepted: list[Event] = field(default_factory=list)
    duplicates: int = 0
    #: (line or index, the rejection).
    rejected: list[Rejected] = field(default_factory=list)
    #: (contract, ticket) pairs whose evaluation is due now.
    tickets: set[tuple[str, str]] = field(default_factory=set)
    #: Tickets a contract-wide event may change, marked due for the due pass (not evaluated
    #: by the caller: a force majeure can touch every running clock of the contract).
    marked: int = 0


#: The columns of a stored event that ``decoded`` takes, in its order (one statement's select
#: list: no ORM object per event).
EVENT_COLUMNS = (
    StoredEvent.seq,
    StoredEvent.event_id,
    StoredEvent.contract,
    StoredEvent.ticket,
    StoredEvent.type,
    StoredEvent.body,
)


class EventsMixin(TicketsMixin, ContractVersionsMixin):
    """The store's events (see the module doc); it marks tickets (TicketsMixin) and reads the
    contract each event belongs to (ContractVersionsMixin)."""

    def add_events(
        self,
        offered: Iterable[tuple[int, Any]],
        source: str,
        raw: bool = False,
        blank: str | None = None,
        keep_lines: bool = True,
        also: Callable[[Session, AddResult], None] | None = None,
    ) -> AddResult:
        """Store events, each with its line (file), index (API batch) or stream sequence (a
        message bus); see the module doc. ``also``: more work of the same transaction, called
        last with what was stored (a decided dispute's waiver and its record,
        slaengine.store.disputes); what it raises rolls the whole transaction back.

        With ``raw`` the items are JSON text lines, otherwise decoded JSON values. A blank line
        is skipped, unless ``blank`` gives the reason to reject it with (a blank message on a
        bus is not "nothing": it was sent as an event). Without ``keep_lines`` the rejected rows
        are stored with no line (requests grouped by the group commit each had one event).

        The valid events are inserted with multi-row ``INSERT ... ON CONFLICT DO NOTHING``
        statements (one statement, compiled once, sent as an executemany), ``_IN_CHUNK`` rows
        each, in arrival order, so ``seq`` follows it; each that was not inserted is then a
        duplicate or a conflict exactly as if the events had been stored one by one: compared
        with what the store holds under its id (an earlier event of the same batch included).
        """
        now = self.clock.now()
        with self.write() as session:
            prepared = self.prepare_events(session, offered, raw, blank)
            return self._store_prepared(session, prepared, source, now, keep_lines, also)

    def add_prepared(self, prepared: Prepared, source: str) -> AddResult:
        """``add_events`` of items ``prepare_events`` parsed (in another process, say)."""
        now = self.clock.now()
        with self.write() as session:
            return self._store_prepared(session, prepared, source, now, True)

    def prepare_events(
        self,
        session: Session,
        offered: Iterable[tuple[int, Any]],
        raw: bool = False,
        blank: str | None = None,
    ) -> Prepared:
        """The first half of ``add_events``: each offered item decoded, checked and parsed (a
        rejection or an event), with its fingerprint; nothing is written (``session`` reads
        the contract versions)."""
        contexts: dict[str, Contract | None] = {}
        #: (position, the rejection, its contract) or (position, the parsed event, None).
        items: list[tuple[int, Rejected | Event, str | None]] = []
        #: The text of each raw item, kept with a rejection for a conflicting duplicate too.
        texts: dict[int, str] = {}
        for position, item in offered:
            data, text = item, None
            if raw:
                data = decode_line(item, position)
                if data is BLANK and blank is not None:
                    data = Rejected(blank, position, raw="")
                if data is BLANK:
                    continue
                if isinstance(data, Rejected):
                    items.append((position, data, None))
                    continue
                text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
                text = text.strip()
                texts[position] = text
            outcome = self._parse_one(session, contexts, data, position)
            if isinstance(outcome, Rejected):
                if text is not None and outcome.raw is None:
                    outcome = Rejected(
                        outcome.error, outcome.line, outcome.id, outcome.ticket, text
                    )
                contract_id = data.get("contract") if isinstance(data, dict) else None
                items.append(
                    (position, outcome, contract_id if isinstance(contract_id, str) else None)
                )
            else:
                items.append((position, outcome, None))
        #: Each parsed event's fingerprint, by its position (worked out once).
        prints = {
            position: outcome.fingerprint()
            for position, outcome, _ in items
            if isinstance(outcome, Event)
        }
        return Prepared(items, texts, prints)

    def _store_prepared(
        self,
        session: Session,
        prepared: Prepared,
        source: str,
        now: datetime,
        keep_lines: bool,
        also: Callable[[Session, AddResult], None] | None = None,
    ) -> AddResult:
        """The second half of ``add_events``: the prepared items stored, in ``session``."""
        result = AddResult()
        items, texts, prints = prepared.items, prepared.texts, prepared.prints
        parsed = [
            (outcome, prints[position])
            for position, outcome, _ in items
            if isinstance(outcome, Event)
        ]
        seqs, held = self._insert_events(session, parsed, source, now)
        for position, outcome, contract_id in items:
            if isinstance(outcome, Rejected):
                self._reject(session, result, outcome, contract_id, source, now, keep_lines)
                continue
            key = (outcome.contract, outcome.id)
            fingerprint = prints[position]
            seq = seqs.pop(key, None)
            if seq is not None:  # stored now (the first of the batch under its id)
                held[key] = fingerprint
                accepted = Event(
                    outcome.id,
                    outcome.contract,
                    outcome.type,
                    outcome.at,
                    outcome.ticket,
                    outcome.severity,
                    outcome.asset,
                    outcome.attrs,
                    seq,
                    position,
                )
                result.accepted.append(accepted)
                if accepted.ticket is not None:
                    result.tickets.add((accepted.contract, accepted.ticket))
            elif held.get(key) == fingerprint:
                result.duplicates += 1
            else:
                self._reject(
                    session,
                    result,
                    Rejected(
                        f"id: {outcome.id!r} was already accepted with different content "
                        "(conflicting duplicate; send a new id for a new event)",
                        position,
                        outcome.id,
                        outcome.ticket,
                        texts.get(position),
                    ),
                    None,
                    source,
                    now,
                    keep_lines,
                )
        # A ticket row is locked by marking it dirty; always in the same order, so two
        # batches never wait for each other in a circle.
        self._mark_dirty(session, sorted(result.tickets), now)
        for accepted in result.accepted:
            if accepted.ticket is None and accepted.type == "force_majeure":
                result.marked += self._mark_overlapping(session, accepted, now)
        trail.record_waivers(session, result.accepted, source, now)
        if also is not None:
            also(session, result)
        if result.accepted and self.is_postgres:
            # A judge worker in another process starts its due pass at the commit
            # (slaengine.store.wakeups); one notification per transaction.
            wide = any(event.ticket is None for event in result.accepted)
            wakeups.notify(session, self.wake_channel(session), wakeups.DUTIES if wide else "")
        return result

    def _insert_events(
        self, session: Session, events: list[tuple[Event, str]], source: str, now: datetime
    ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], str]]:
        """Insert the events (each with its fingerprint) not yet stored under their (contract,
        id), first occurrence in the batch only, in order. Returns the ``seq`` of each inserted,
        and the fingerprint the store already held under each id that was not."""
        first: dict[tuple[str, str], tuple[Event, str]] = {}
        for each in events:
            first.setdefault((each[0].contract, each[0].id), each)
        rows = list(first.values())
        if self.is_postgres:
            seqs = self._insert_events_postgres(session, rows, source, now)
        else:
            seqs = self._insert_events_sqlite(session, rows, source, now)
        missing = sorted(key for key in first if key not in seqs)
        return seqs, self._held_fingerprints(session, missing)

    def _insert_events_postgres(
        self, session: Session, rows: list[tuple[Event, str]], source: str, now: datetime
    ) -> dict[tuple[str, str], int]:
        """One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING`` for
        the whole batch: seven array parameters, one round trip, a statement text that does not
        grow with the batch (a multi-row VALUES list of thousands of parameters costs the
        driver more to convert than the database to insert). ``ORDER BY`` the batch position,
        so ``seq`` follows the arrival order."""
        if not rows:
            return {}
        columns: list[list[Any]] = [[], [], [], [], [], [], []]
        for row, fingerprint in rows:
            columns[0].append(row.contract)
            columns[1].append(row.id)
            columns[2].append(row.ticket)
            columns[3].append(row.type)
            columns[4].append(row.at)
            columns[5].append(_body(row))
            columns[6].append(fingerprint)
        found = _pg_execute(session, _PG_INSERT_EVENTS, [source, now, *columns])
        return {(contract, event_id): seq for contract, event_id, seq in found}

    def _insert_events_sqlite(
        self, session: Session, rows: list[tuple[Event, str]], source: str, now: datetime
    ) -> dict[tuple[str, str], int]:
        """Multi-row ``INSERT ... ON CONFLICT DO NOTHING`` statements (one statement, compiled
        once, sent as an executemany), ``_IN_CHUNK`` rows each, in arrival order."""
        seqs: dict[tuple[str, str], int] = {}
        statement = (
            sqlite.insert(StoredEvent)
            .on_conflict_do_nothing(index_elements=["contract", "event_id"])
            .returning(StoredEvent.contract, StoredEvent.event_id, StoredEvent.seq)
        )
        connection = session.connection()
        for start in range(0, len(rows), _IN_CHUNK):
            values = [
                {
                    "contract": row.contract,
                    "event_id": row.id,
                    "ticket": row.ticket,
                    "type": row.type,
                    "at": row.at,
                    "body": _body(row),
                    "fingerprint": fingerprint,
                    "source": source,
                    "received_at": now,
                }
                for row, fingerprint in rows[start : start + _IN_CHUNK]
            ]
            for contract, event_id, seq in connection.execute(statement, values):
                seqs[(contract, event_id)] = seq
        return seqs

    def _held_fingerprints(
        self, session: Session, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The fingerprint the store holds under each (contract, id) of ``keys`` (sorted):
        one ``= ANY(array)`` lookup per contract on PostgreSQL, ``IN`` lists on SQLite."""
        held: dict[tuple[str, str], str] = {}
        for contract, group in groupby(keys, key=lambda key: key[0]):
            ids = [event_id for _, event_id in group]
            if self.is_postgres:
                found = _pg_execute(session, _PG_HELD, [contract, ids])
                for event_id, fingerprint in found:
                    held[(contract, event_id)] = fingerprint
                continue
            for start in range(0, len(ids), _IN_CHUNK):
                for event_id, fingerprint in session.execute(
                    select(StoredEvent.event_id, StoredEvent.fingerprint).where(
                        StoredEvent.contract == contract,
                        StoredEvent.event_id.in_(ids[start : start + _IN_CHUNK]),
                    )
                ):
                    held[(contract, event_id)] = fingerprint
        return held

    def _parse_one(
        self,
        session: Session,
        contexts: dict[str, Contract | None],
        data: Any,
        position: int,
    ) -> Event | Rejected:
        """The offered item as an event of its contract, or why it is not one (the store's
        edge checks first, slaengine.store.limits)."""
        event_id = data.get("id") if isinstance(data, dict) else None
        ticket = data.get("ticket") if isinstance(data, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        ticket = ticket if isinstance(ticket, str) else None
        contract_id = data.get("contract") if isinstance(data, dict) else None
        problem = limits.value_problem(data)
        if problem is not None:
            return Rejected(problem, position, event_id, ticket)
        if isinstance(contract_id, str) and contract_id not in contexts:
            row = self.version_in_effect(session, contract_id, None)
            contexts[contract_id] = self.context(row).contract if row is not None else None
        contract = contexts.get(contract_id) if isinstance(contract_id, str) else None
        if isinstance(data, dict) and isinstance(contract_id, str) and contract is None:
            return Rejected(
                f"contract: {contract_id!r} is not loaded in this store "
                "(load it first: slaengine contract load FILE --db URL)",
                position,
                event_id,
                ticket,
            )
        try:
            if contract is None:  # not an object, or no contract field: let the parser say
                raise EventError(
                    "contract: missing (required)"
                    if isinstance(data, dict)
                    else f"an event is a JSON object, got {type(data).__name__}"
                )
            parsed = parse_event(data, contract, line=position)
        except EventError as exc:
            return Rejected(str(exc), position, event_id, ticket)
        problem = limits.time_problem(parsed.at, "at")
        if problem is not None:
            return Rejected(problem, position, event_id, ticket)
        return parsed

    def _reject(
        self,
        session: Session,
        result: AddResult,
        rejected: Rejected,
        contract: str | None,
        source: str,
        now: datetime,
        keep_line: bool = True,
    ) -> None:
        result.rejected.append(rejected)
        if source.startswith("hook:") and self._refused_before(session, source, rejected):
            return
        # The record of a refusal must not fail on what was refused (limits.storable).
        session.add(
            RejectedInput(
                contract=limits.storable(contract, limits.LENGTHS["contract"]),
                source=limits.storable(source, 500) or "",
                # 64-bit since migration 0002 (a bus's stream sequence); an API index or a file
                # line beyond that is not a line.
                line=rejected.line
                if keep_line and rejected.line is not None and abs(rejected.line) < 2**63
                else None,
                event_id=limits.storable(rejected.id, limits.LENGTHS["id"]),
                ticket=limits.storable(rejected.ticket, limits.LENGTHS["ticket"]),
                error=limits.storable(rejected.error) or "",
                raw=limits.storable(rejected.raw),
                received_at=now,
            )
        )

    @staticmethod
    def _refused_before(session: Session, source: str, rejected: Rejected) -> bool:
        """Whether this refusal of a webhook's event is on record already: a helpdesk retries a
        delivery it was answered 4xx for, and the retry is the same refusal, recorded once."""
        known = session.scalar(
            select(RejectedInput.id)
            .where(
                RejectedInput.source == source,
                RejectedInput.event_id == limits.storable(rejected.id, limits.LENGTHS["id"]),
                RejectedInput.error == (limits.storable(rejected.error) or ""),
            )
            .limit(1)
        )
        return known is not None

    def reject_item(self, line: int, raw: bytes | str, reason: str, source: str) -> AddResult:
        """Keep an item that could not be stored as an event in the rejected list."""
        text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
        result = AddResult()
        with self.write() as session:
            self._reject(
                session, result, Rejected(reason, line, raw=text), None, source, self.clock.now()
            )
        return result

    def rejected_raw(self, source: str, lines: Sequence[int]) -> dict[int, str | None]:
        """The rejected items on record of ``source`` at ``lines``, with their raw text (a
        message bus delivers again what it was not told was done: its rejection must not count
        twice)."""
        found: dict[int, str | None] = {}
        with self.sessions() as session:
            for first in range(0, len(lines), _IN_CHUNK):
                for line, raw in session.execute(
                    select(RejectedInput.line, RejectedInput.raw).where(
                        RejectedInput.source == source,
                        RejectedInput.line.in_(list(lines[first : first + _IN_CHUNK])),
                    )
                ):
                    if line is not None:
                        found[line] = raw
        return found

    def contract_events(self, contract: str) -> list[Event]:
        """Every accepted event of the contract, in arrival order (what replay reads from a
        file, read from the store instead: `slaengine replay|statement --db`)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(StoredEvent)
                .where(StoredEvent.contract == contract)
                .order_by(StoredEvent.seq)
            )
            return [event_of(row) for row in rows]

    def ticket_events(self, session: Session, contract: str, ticket: str) -> list[Event]:
        """The ticket's events plus the contract-wide force-majeure events, in arrival order."""
        found = self.tickets_events(session, contract, [ticket])
        return sorted(found.get(ticket, []) + found.get(None, []), key=_by_seq)

    def tickets_events(
        self, session: Session, contract: str, tickets: Sequence[str]
    ) -> dict[str | None, list[Event]]:
        """``ticket_events`` of several tickets at once, by ticket; the contract-wide
        force-majeure events (which apply to each of them) under None."""
        own, wide = self.batch_events(session, contract, tickets)
        found: dict[str | None, list[Event]] = {name: events for name, events in own.items()}
        if wide:
            found[None] = wide
        return found

    def batch_events(
        self, session: Session, contract: str, tickets: Sequence[str]
    ) -> tuple[dict[str, list[Event]], list[Event]]:
        """The events of ``tickets`` by ticket, and the contract's force majeure (which applies
        to each of them), each in arrival order: one statement, two indexed reads, neither of
        which grows with the contract's history — the tickets' own events (``ix_events_ticket``:
        contract, ticket, seq; on PostgreSQL one array parameter, ``ticket = ANY(:tickets)``)
        and the force majeure (``ix_events_wide``, the partial index of events without a
        ticket), put together with ``UNION ALL``. One query with ``ticket IN (...) OR ticket IS
        NULL`` would make the database read every event of the contract instead. Force-majeure
        bodies are decoded once per process (events are append-only: a seq never changes)."""
        own: dict[str, list[Event]] = {}
        wide: list[Event] = []
        columns = EVENT_COLUMNS
        # PostgreSQL: one statement whatever the count; SQLite: IN lists of ``_IN_CHUNK``.
        chunk = max(len(tickets), 1) if self.is_postgres else _IN_CHUNK
        for first in range(0, max(len(tickets), 1), chunk):
            statement = select(*columns).where(
                StoredEvent.contract == contract,
                self.among(StoredEvent.ticket, tickets[first : first + chunk]),
            )
            if first == 0:
                statement = statement.union_all(  # type: ignore[assignment]
                    select(*columns).where(
                        StoredEvent.contract == contract,
                        StoredEvent.ticket.is_(None),
                        StoredEvent.type == "force_majeure",
                    )
                )
            for seq, event_id, of, ticket, kind, body in session.execute(statement):
                if ticket is None:
                    wide.append(self._wide_event(seq, event_id, of, kind, body))
                else:
                    own.setdefault(ticket, []).append(
                        decoded(seq, event_id, of, ticket, kind, body)
                    )
        for events in own.values():
            events.sort(key=_by_seq)
        wide.sort(key=_by_seq)
        return own, wide

    def _wide_event(self, seq: int, event_id: str, contract: str, kind: str, body: str) -> Event:
        found = self._wide_cache.get(seq)
        if found is None:
            found = self._wide_cache[seq] = decoded(seq, event_id, contract, None, kind, body)
        return found

    def wide_events(self, session: Session, contract: str, types: Sequence[str]) -> list[Event]:
        """The contract's events without a ticket of the given types, in arrival order (an
        index lookup: ``ix_events_wide`` holds only events without a ticket)."""
        rows = session.scalars(
            select(StoredEvent)
            .where(
                StoredEvent.contract == contract,
                StoredEvent.ticket.is_(None),
                StoredEvent.type.in_(list(types)),
            )
            .order_by(StoredEvent.seq)
        )
        return [event_of(row) for row in rows]


#: PostgreSQL's bulk intake (``Store._insert_events_postgres``): a batch as arrays, each a
#: binary parameter (``%b``: psycopg sends it without quoting each element, ten times cheaper
#: than the text form of the same array).
_PG_INSERT_EVENTS = (
    "INSERT INTO events (contract, event_id, ticket, type, at, body, fingerprint, source, "
    "received_at) "
    "SELECT contract, event_id, ticket, type, at, body, fingerprint, %b, %b "
    "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::timestamptz[], "
    "%b::text[], %b::text[]) "
    "WITH ORDINALITY AS incoming(contract, event_id, ticket, type, at, body, fingerprint, "
    "position) "
    "ORDER BY position "
    "ON CONFLICT (contract, event_id) DO NOTHING "
    "RETURNING contract, event_id, seq"
)


#: The fingerprints held under some ids of one contract (PostgreSQL: one array parameter).
_PG_HELD = (
    "SELECT event_id, fingerprint FROM events WHERE contract = %b AND event_id = ANY(%b::text[])"
)


def _body(event: Event) -> str:
    """The stored body: the event's canonical JSON (keys sorted, offsets as written)."""
    return orjson.dumps(
        event.to_json(), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    ).decode()


def event_of(row: StoredEvent) -> Event:
    """The stored event as the core reads it (offsets exactly as they were written)."""
    return decoded(row.seq, row.event_id, row.contract, row.ticket, row.type, row.body)


def decoded(
    seq: int, event_id: str, contract: str, ticket: str | None, kind: str, text: str
) -> Event:
    """A stored event's columns as the core reads the event (offsets as they were written)."""
    body = orjson.loads(text)
    return Event(
        id=event_id,
        contract=contract,
        type=kind,
        at=parse_time(body["at"]),
        ticket=ticket,
        severity=body.get("severity"),
        asset=body.get("asset"),
        attrs=body.get("attrs") or {},
        seq=seq,
    )


def _by_seq(event: Event) -> int:
    return event.seq


def ordered(events: Sequence[Event]) -> list[Event]:
    return sorted(events, key=Event.sort_key)
