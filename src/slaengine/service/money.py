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

* the stored lines, read back as ``Line`` objects (``Line.from_json``) and kept per process
  (``_Kept``) as of the contract's change counter (``contract_changes``, raised by triggers on
  every write to ``penalty_lines``, migration 0011): unchanged, a request reads that one row;
  moved, it reads the rows whose ``change_seq`` (the counter's value as their write raised it,
  set by the same triggers, migration 0012) is above the value it last read, and the deletions
  recorded since — the few rows written since, never all of them. The kept lines of the tickets
  without an open breach stay in occurrence order, so that a request merges the lines priced
  now into them instead of sorting 16,000 lines;
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
from bisect import bisect_left
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Connection, Table, literal, null, select, union_all

from slaengine.contract.models import Contract
from slaengine.evaluate import Context
from slaengine.penalties import Charges
from slaengine.penalties.cap_runs import CapRun
from slaengine.penalties.caps import YearSums, adjustments
from slaengine.penalties.kinds import kind_for
from slaengine.penalties.kinds.measure_credit import MeasureCredit
from slaengine.penalties.lines import COMPENSATION, PENALTY, Line
from slaengine.service.judging import judge_own, wide_at
from slaengine.service.lines import money_lines, ticket_charges
from slaengine.service.measured import stored_measures
from slaengine.store import Store
from slaengine.store.models import ContractChange, PenaltyLine, PenaltyLineDeletion


class _Ordered:
    """Lines in occurrence order (``Line.order_key``, unique: it ends with the line's id), with
    their keys, kept sorted as lines come and go."""

    __slots__ = ("keys", "lines")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = sorted(lines, key=Line.order_key)
        self.keys = [line.order_key() for line in self.lines]

    @classmethod
    def of(cls, lines: list[Line], keys: list[tuple[float, str]]) -> _Ordered:
        """Lines already in order, with their keys."""
        ordered = cls.__new__(cls)
        ordered.lines, ordered.keys = lines, keys
        return ordered

    def add(self, line: Line) -> None:
        key = line.order_key()
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.lines.insert(at, line)

    def remove(self, line: Line) -> None:
        at = bisect_left(self.keys, line.order_key())
        if at < len(self.lines) and self.lines[at] is line:
            del self.keys[at]
            del self.lines[at]

    def merged(self, others: list[Line]) -> list[Line]:
        """These lines and ``others`` (none of them here) in occurrence order: what
        ``sorted(these + others, key=Line.order_key)`` gives, the keys of these not made again."""
        result: list[Line] = []
        done = 0
        for line in sorted(others, key=Line.order_key):
            at = bisect_left(self.keys, line.order_key(), done)
            result += self.lines[done:at]
            result.append(line)
            done = at
        result += self.lines[done:]
        return result


class _Row(typing.NamedTuple):
    ticket: str | None
    provisional: bool
    line: Line


class _Kept:
    """A contract's stored lines as of its change counter's value ``seq``, kept between requests
    and brought up to date by reading only the rows written since (``penalty_lines.change_seq``
    above ``seq``) and the deletions recorded since (``penalty_line_deletions``; migration
    0012). The lines of the tickets with an open breach (a provisional row) are set apart: a
    request prices those again; the others are kept in occurrence order, per section."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: How many times every row was read (the first request, or when told to).
        self.whole_reads = 0
        self._reset()

    def _reset(self) -> None:
        #: The counter value the rows are those of (None: nothing read yet).
        self.seq: int | None = None
        self.rows: dict[int, _Row] = {}
        self.by_ticket: dict[str | None, set[int]] = {}
        #: The tickets with a provisional row (an open breach).
        self.open: set[str] = set()
        self.closed = {PENALTY: _Ordered([]), COMPENSATION: _Ordered([])}

    def refresh(self, connection: Connection, contract: str) -> None:
        """Read the counter, then what changed since ``seq`` (all the rows the first time)."""
        changes = connection.execute(
            select(CHANGES.c.lines).where(CHANGES.c.contract == contract)
        ).scalar()
        seq = int(changes or 0)
        if seq == self.seq:
            return
        try:
            if self.seq is None or seq < self.seq or not self._since(connection, contract):
                self._read_all(connection, contract)
            self.seq = seq
        except BaseException:
            self._reset()  # half applied: read every row again next time
            raise

    def _read_all(self, connection: Connection, contract: str) -> None:
        self._reset()
        self.whole_reads += 1
        for ident, ticket, provisional, body in connection.execute(
            select(LINES.c.id, LINES.c.ticket, LINES.c.provisional, LINES.c.body).where(
                LINES.c.contract == contract
            )
        ):
            self._put(ident, _Row(ticket, bool(provisional), _parsed(body)))
        self.open = {t for t, ids in self.by_ticket.items() if t and self._is_open(ids)}
        placed: dict[str, list[Line]] = {PENALTY: [], COMPENSATION: []}
        for row in self.rows.values():
            if row.ticket not in self.open and row.line.section in placed:
                placed[row.line.section].append(row.line)
        self.closed = {section: _Ordered(lines) for section, lines in placed.items()}

    def _since(self, connection: Connection, contract: str) -> bool:
        """Apply the rows written and deleted since ``seq``; False when a deletion says to read
        every row again (nothing applied then)."""
        assert self.seq is not None
        # one statement, so one snapshot on PostgreSQL too: a row there is newer than any
        # deletion of its id there (SQLite may give a deleted row's id to a new row)
        written = select(
            LINES.c.id, LINES.c.ticket, LINES.c.provisional, LINES.c.body, literal(False)
        ).where(LINES.c.contract == contract, LINES.c.change_seq > self.seq)
        deleted = select(
            DELETIONS.c.line,
            null().label("ticket"),
            null().label("provisional"),
            null().label("body"),
            literal(True),
        ).where(DELETIONS.c.contract == contract, DELETIONS.c.change_seq > self.seq)
        found = connection.execute(union_all(written, deleted)).all()
        gone = {row[0] for row in found if row[4]}
        if any(ident < 0 for ident in gone):
            return False
        fresh = {row[0]: _Row(row[1], bool(row[2]), _parsed(row[3])) for row in found if not row[4]}
        touched = gone | set(fresh)
        tickets = {self.rows[i].ticket for i in touched if i in self.rows}
        tickets |= {row.ticket for row in fresh.values()}
        self._place(touched, tickets, remove=True)
        for ident in touched:
            old = self.rows.pop(ident, None)
            if old is not None:
                self.by_ticket[old.ticket].discard(ident)
                if not self.by_ticket[old.ticket]:
                    del self.by_ticket[old.ticket]
        for ident, row in fresh.items():
            self._put(ident, row)
        for ticket in tickets:
            if ticket and self._is_open(self.by_ticket.get(ticket, ())):
                self.open.add(ticket)
            elif ticket:
                self.open.discard(ticket)
        self._place(touched, tickets, remove=False)
        return True

    def _place(self, touched: set[int], tickets: set[str | None], remove: bool) -> None:
        """Take out of (``remove``) or put into the ordered closed lines the touched rows of no
        ticket and every row of the touched tickets without an open breach."""
        idents: set[int] = {i for i in touched if i in self.rows and not self.rows[i].ticket}
        for ticket in tickets:
            if ticket and ticket not in self.open:
                idents |= self.by_ticket.get(ticket, set())
        for ident in idents:
            row = self.rows.get(ident)
            if row is None or (row.ticket and row.ticket in self.open):
                continue
            ordered = self.closed.get(row.line.section)
            if ordered is None:  # not a money line (the store keeps none other)
                continue
            if remove:
                ordered.remove(row.line)
            else:
                ordered.add(row.line)

    def _put(self, ident: int, row: _Row) -> None:
        self.rows[ident] = row
        self.by_ticket.setdefault(row.ticket, set()).add(ident)

    def _is_open(self, idents: typing.Iterable[int]) -> bool:
        return any(self.rows[i].provisional for i in idents)


def _parsed(body: str) -> Line:
    return Line.from_json(orjson.loads(body))


def _kept_for(store: Store, contract: str) -> _Kept:
    with _LAST_LOCK:
        by_contract = _KEPT.setdefault(store, {})
        kept = by_contract.get(contract)
        if kept is None:
            kept = by_contract[contract] = _Kept()
        return kept


#: Per store and contract, its stored lines as of the change counter last read.
_KEPT: WeakKeyDictionary[Store, dict[str, _Kept]] = WeakKeyDictionary()


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
        # The rows as of the contract's change counter (raised by every write to its lines, in
        # the writing transaction): unchanged since the last request, the rows are those read
        # then; moved, only the rows written since are read (``_Kept``).
        kept = _kept_for(store, contract)
        with kept.lock:
            kept.refresh(session.connection(), contract)
            seq = kept.seq
            still_open = sorted(kept.open)
            closed = {
                section: (list(ordered.lines), list(ordered.keys))
                for section, ordered in kept.closed.items()
            }
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
        seq,
        tuple((x.id, x.billed_at, x.amount, x.counts, x.contract_year) for x in lines),
    )
    with _LAST_LOCK:
        last = _LAST.get(store, {}).get(contract)
    if last is not None and last[0] == key:
        return _repriced(last[1], lines)
    ordered = {section: _Ordered.of(*kept_lines) for section, kept_lines in closed.items()}
    penalties = _allocate(
        store,
        contract,
        terms,
        ordered[PENALTY].merged([x for x in lines if x.section == PENALTY]),
    )
    made: dict[str, Any] = {}

    def sums_of() -> YearSums:
        if "year_sums" not in made:
            made["year_sums"] = YearSums(penalties)
        return typing.cast(YearSums, made["year_sums"])

    charges = Charges(
        terms,
        penalties,
        ordered[COMPENSATION].merged([x for x in lines if x.section == COMPENSATION]),
        adjustments(penalties, penalties, terms, True, sums_of),
        [],
        ordered=True,
        made=made,
    )
    with _LAST_LOCK:
        _LAST.setdefault(store, {})[contract] = (key, charges)
    return charges


CHANGES = typing.cast(Table, ContractChange.__table__)
LINES = typing.cast(Table, PenaltyLine.__table__)
DELETIONS = typing.cast(Table, PenaltyLineDeletion.__table__)


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

    # the same amounts, cuts, years and instants: the cap adjustments' sums and the lines'
    # instants are the last charges'
    kept = ("year_sums", "penalty_stamps", "compensation_stamps")
    sums = {name: last.made[name] for name in kept if name in last.made}
    return Charges(
        last.contract,
        swap(last.penalties),
        swap(last.compensation),
        last.adjustments,
        [],
        ordered=last.ordered,
        made=sums,
    )


#: Per store and contract, the last charges made and what they were made from.
_LAST: WeakKeyDictionary[Store, dict[str, tuple[Any, Charges]]] = WeakKeyDictionary()
_LAST_LOCK = threading.Lock()
