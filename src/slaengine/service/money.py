"""A contract's charges from the lines the store keeps: the money page without judging the
whole contract.

Theory of operation
-------------------
The live service stores every penalty and compensation line as it judges a ticket (its clocks'
and events' lines, slaengine.service.lines) and as the duties pass judges the contract (missed
obligation periods, events without a ticket). Those lines are final for what is over; what
changes with time alone is the line of a breach still open (priced on the lateness so far: "per
started 10 minutes" grows) and the caps (the store keeps each line before the yearly, rolling
and total caps, which run over all of a contract's penalties in the order they occurred).

So the charges at ``now`` are made here as ``charge`` makes them, from three parts:

* the stored lines, read back as ``Line`` objects (``Line.from_json``), parsed again only when
  their row changed; whether any did is told by the contract's change counter
  (``contract_changes``, raised by triggers on every write to ``penalty_lines``, migration
  0011): unchanged, a request reads that one row instead of every row's change marks;
* the lines of the tickets with an open breach (a stored line marked provisional), judged again
  at ``now`` through the judge's own path (``judging.judge_own`` and ``lines.ticket_charges``,
  with the versions in force) — few tickets, compared with all the lines;
* the caps over all the penalties (``caps.allocate`` and ``caps.adjustments``, the statement's),
  resumed from the last request's running totals (``penalties.cap_runs``).

A measure credit (``measure_credit``) is priced per period of a measure, which the store does
not keep as lines: its lines come from the measures at ``now`` (slaengine.service.measured:
stored clock rows and the few events the measures read). A service credit (``service_credit``)
is judged over every clock of its commitments with the waived breaches left out, which is not
done from the store yet: ``stored_charges`` answers None for such a contract (and for one whose
measures cannot be taken from the store) and the caller judges the whole contract as before.

Transaction boundary: one read session; writes nothing.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Connection, String, Table, cast, func, select
from sqlalchemy.orm import Session

from slaengine.contract.models import Contract
from slaengine.evaluate import Context
from slaengine.penalties import Charges
from slaengine.penalties.cap_runs import CapRun
from slaengine.penalties.caps import adjustments
from slaengine.penalties.kinds import kind_for
from slaengine.penalties.kinds.measure_credit import MeasureCredit
from slaengine.penalties.lines import COMPENSATION, PENALTY, Line
from slaengine.service.judging import judge_own, wide_at
from slaengine.service.lines import money_lines, ticket_charges
from slaengine.service.measured import stored_measures
from slaengine.store import Store
from slaengine.store.models import ContractChange, PenaltyLine


class _Parsed:
    """The stored lines read back as ``Line`` objects, kept per store by row id with what
    tells a changed row (when it was computed, its amount, the length of its body: a line's
    body is rewritten with a new ``computed_at`` whenever it changes, ``lines.sync_lines``), so
    that a request parses only the rows written since the last one."""

    def __init__(self) -> None:
        self._kept: WeakKeyDictionary[Store, dict[int, tuple[tuple[Any, ...], Line]]] = (
            WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def lines(self, store: Store, session: Session, rows: Sequence[Sequence[Any]]) -> list[Line]:
        with self._lock:
            kept = self._kept.setdefault(store, {})
        found: list[Line] = []
        wanted: dict[int, tuple[Any, ...]] = {}
        for row in rows:
            mark = (row[3], row[4], row[5])
            known = kept.get(row[0])
            if known is not None and known[0] == mark:
                found.append(known[1])
            else:
                wanted[row[0]] = mark
        ids = list(wanted)
        for first in range(0, len(ids), _IN_CHUNK):
            chunk = ids[first : first + _IN_CHUNK]
            for ident, body in session.execute(
                select(PenaltyLine.id, PenaltyLine.body).where(store.among(PenaltyLine.id, chunk))
            ):
                line = Line.from_json(orjson.loads(body))
                kept[ident] = (wanted[ident], line)
                found.append(line)
        if len(kept) > len(rows) * 2 + 1000:  # rows deleted (withdrawn) or of other contracts
            present = {row[0] for row in rows}
            for ident in [i for i in kept if i not in present]:
                del kept[ident]
        return found


_PARSED = _Parsed()
_IN_CHUNK = 500


def stored_lines_suffice(contexts: list[Context]) -> bool:
    """Whether the store's lines and its measures make every money line of a contract with
    these versions (no clause of any of them is priced per period of the whole contract, but
    for measure credits, priced from ``stored_measures``)."""
    return all(
        kind_for(clause.kind).ticket_lines or clause.kind == MeasureCredit.name
        for context in contexts
        for clause in context.contract.clauses
    )


def capped(terms: Contract) -> bool:
    """Whether a yearly, rolling or whole-contract cap cuts the contract's penalties (and so
    its measure credits, in occurrence order with every other penalty)."""
    caps = terms.caps
    return any(
        cap is not None for cap in (caps.per_contract_year, caps.contract_total, caps.rolling)
    )


def stored_charges(store: Store, contract: str, now: datetime) -> Charges | None:
    """The contract's penalty, compensation and cap-adjustment lines at ``now``, as the whole
    contract judged at ``now`` prices them (``slaengine statement --db``), from the stored lines
    with the open breaches priced again; None when the store does not keep them all (see the
    module's notes) or the contract is not loaded. No remedies (they carry no amount) and no
    unapplied waivers (the statement lists those)."""
    with store.sessions() as session:
        rows = store.versions(session, contract)
        if not rows:
            return None
        newest = store.context(rows[-1])
        amended = store.versions_in_force(session, contract)
        if not stored_lines_suffice([newest, *amended, *(store.context(r) for r in rows)]):
            return None
        connection = session.connection()
        # The contract's change counter first (raised by every write to its lines, in the
        # writing transaction): unchanged since the last request, the rows are those read then.
        # Read before the rows, a write landing between the two is seen by the next request.
        changes = connection.execute(
            select(CHANGES.c.lines).where(CHANGES.c.contract == contract)
        ).scalar()
        with _LAST_LOCK:
            seen = _SEEN.get(store, {}).get(contract)
        if seen is not None and seen[0] == changes:
            closed, still_open = seen[1], seen[2]
        else:
            closed, still_open = _stored_rows(connection, contract)
            with _LAST_LOCK:
                _SEEN.setdefault(store, {})[contract] = (changes, closed, still_open)
        lines: list[Line] = []
        if still_open:
            own, wide_events = store.batch_events(session, contract, still_open)
            wide = wide_at(wide_events, now)
            for ticket in still_open:
                judged = judge_own(store, session, contract, ticket, own.get(ticket, []), wide, now)
                if judged is None:
                    continue
                charges = ticket_charges(judged, now, amended)
                lines += [line for line in money_lines(charges) if line.ticket == ticket]
    terms = newest.contract
    if any(clause.kind == MeasureCredit.name for clause in terms.clauses):
        measured = stored_measures(store, contract, now)
        if measured is None:
            return None
        lines += measured.lines
    # The caps cut by the amounts of the lines in the order they occurred, nothing else. When
    # the stored rows are those of the last request and the lines priced now (open breaches,
    # measure credits) occur when they did then and cost what they did (an open breach's line
    # grows by steps: its words change by the minute, its amount rarely), every cut is the
    # last request's: its lines are kept, each line priced now takes its predecessor's cuts.
    key = (
        id(terms),
        closed,
        tuple((x.id, x.billed_at, x.amount, x.counts, x.contract_year) for x in lines),
    )
    with _LAST_LOCK:
        last = _LAST.get(store, {}).get(contract)
    if last is not None and last[0] == key:
        return _repriced(last[1], lines)
    with store.sessions() as session:
        lines += _PARSED.lines(store, session, closed)
    penalties = _allocate(
        store,
        contract,
        terms,
        sorted((x for x in lines if x.section == PENALTY), key=Line.order_key),
    )
    charges = Charges(
        terms,
        penalties,
        sorted((x for x in lines if x.section == COMPENSATION), key=Line.order_key),
        adjustments(penalties, penalties, terms),
        [],
    )
    with _LAST_LOCK:
        _LAST.setdefault(store, {})[contract] = (key, charges)
    return charges


def _stored_rows(
    connection: Connection, contract: str
) -> tuple[tuple[tuple[Any, ...], ...], list[str]]:
    """The contract's stored lines but those of tickets with an open breach, as (id, ticket,
    provisional, computed_at, amount, body length): what tells a changed row; and those
    tickets, sorted."""
    # Through the connection, not the ORM: 18,000 plain rows in a few milliseconds.
    table = PenaltyLine.__table__
    stored = connection.execute(
        select(
            table.c.id,
            table.c.ticket,
            table.c.provisional,
            # read as text: what tells a changed row, not a time to compute with
            cast(table.c.computed_at, String),
            table.c.amount,
            func.length(table.c.body),
        )
        .where(table.c.contract == contract)
        .order_by(table.c.id)
    ).all()
    open_set = {row[1] for row in stored if row[2] and row[1]}
    closed = tuple(tuple(row) for row in stored if row[1] not in open_set)
    return closed, sorted(open_set)


#: Per store and contract, its change counter at the last request and the rows read then.
_SEEN: WeakKeyDictionary[
    Store, dict[str, tuple[int | None, tuple[tuple[Any, ...], ...], list[str]]]
] = WeakKeyDictionary()
CHANGES = typing.cast(Table, ContractChange.__table__)


def _allocate(store: Store, contract: str, terms: Contract, penalties: list[Line]) -> list[Line]:
    """``caps.allocate(penalties, terms)``, resumed from the last request's running cap totals
    (``CapRun``): after a change, only the lines from the first changed one on are capped again."""
    with _RUNS_LOCK:
        runs = _RUNS.setdefault(store, {})
        run = runs.get(contract)
        if run is None or run[0].contract is not terms:
            run = runs[contract] = (CapRun(terms), threading.Lock())
    with run[1]:
        return run[0].allocate(penalties)


#: Per store and contract, the caps' running totals of the last allocation.
_RUNS: WeakKeyDictionary[Store, dict[str, tuple[CapRun, threading.Lock]]] = WeakKeyDictionary()
_RUNS_LOCK = threading.Lock()


def _repriced(last: Charges, lines: list[Line]) -> Charges:
    """``last`` with ``lines`` (each an id of its) in place of its own, cut as they were."""
    fresh = {line.id: line for line in lines}

    def swap(kept: list[Line]) -> list[Line]:
        result = []
        for line in kept:
            new = fresh.get(line.id)
            if new is not None:
                line = new.with_cuts(line.year_cut, line.total_cut, line.rolling_cut)
            result.append(line)
        return result

    return Charges(
        last.contract, swap(last.penalties), swap(last.compensation), last.adjustments, []
    )


#: Per store and contract, the last charges made and what they were made from.
_LAST: WeakKeyDictionary[Store, dict[str, tuple[Any, Charges]]] = WeakKeyDictionary()
_LAST_LOCK = threading.Lock()
