"""The events a contract's duties read, kept in memory and brought up to date from what arrived.

Theory of operation
-------------------
Obligation periods, repeat-failure remedies, warranty cover and the penalty lines of no ticket
depend on few events out of a contract's history: those without a ticket (inspections, site
violations, force majeure), replaced parts, the types a clause, an obligation or a remedy names,
events carrying ``attrs.usage`` when a warranty term has a usage limit, and events naming an
asset when the contract has remedies (a repair counts for its ticket's asset). ``DutyEvents``
keeps, per contract, exactly those, read once in full (the first pass of a process, a new
contract version, and once a day as a safety net) and afterwards only from what arrived since:
events with a ``seq`` above the last one seen, a range of the primary key, so a pass costs what
changed, never the history.

A sequence number is taken when a row is inserted, not when it commits, so a slow transaction can
make a lower ``seq`` visible after a higher one. Each incremental read therefore starts
``WINDOW`` numbers below the highest seen and drops what it already holds; an event that stayed
invisible longer than that is picked up by the daily full read.

Transaction boundary: none; it reads through the caller's session.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from slaengine.contract.models import Contract
from slaengine.events import Event
from slaengine.store import event_of
from slaengine.store.models import StoredEvent

#: How far below the highest seq seen an incremental read starts (see the module doc).
WINDOW = 10_000
#: How often the events are read in full all the same.
FULL_READ_EVERY = timedelta(days=1)


@dataclass
class _Held:
    version: int
    cursor: int
    read_in_full_at: datetime
    events: list[Event] = field(default_factory=list)
    seqs: set[int] = field(default_factory=set)


class DutyEvents:
    """Per contract, the events its duties read (see the module doc); thread-safe."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def read(
        self, session: Session, contract: Contract, version: int, now: datetime
    ) -> tuple[list[Event], bool]:
        """The contract's duty events (arrival order) and whether any arrived since the last
        read (True on a full read)."""
        with self._lock:
            held = self._held.get(contract.id)
            if (
                held is None
                or held.version != version
                or now - held.read_in_full_at >= FULL_READ_EVERY
            ):
                cursor = session.scalar(select(func.max(StoredEvent.seq))) or 0
                held = _Held(version, cursor, now)
                self._add(held, session, contract, None)
                self._held[contract.id] = held
                return held.events, True
            highest = session.scalar(select(func.max(StoredEvent.seq))) or 0
            grew = self._add(held, session, contract, max(held.cursor - WINDOW, 0))
            held.cursor = max(held.cursor, highest)
            return held.events, grew

    def forget(self) -> None:
        with self._lock:
            self._held.clear()

    @staticmethod
    def _add(held: _Held, session: Session, contract: Contract, after: int | None) -> bool:
        query = select(StoredEvent).where(StoredEvent.contract == contract.id, relevant(contract))
        if after is not None:
            query = query.where(StoredEvent.seq > after)
        grew = False
        for row in session.scalars(query.order_by(StoredEvent.seq)):
            held.cursor = max(held.cursor, row.seq)
            if row.seq in held.seqs:
                continue
            held.seqs.add(row.seq)
            held.events.append(event_of(row))
            grew = True
        if grew:
            held.events.sort(key=lambda event: event.seq)
        return grew


def duty_types(contract: Contract) -> set[str]:
    """The event types with a ticket that a contract's duties can depend on."""
    types = {"part_replaced", "final_inspection", "force_majeure"}
    types |= {c.type for clause in contract.clauses for c in clause.on_event}
    types |= {c.type for obligation in contract.obligations for c in obligation.met_by}
    for remedy in contract.remedies:
        types |= {c.type for c in [*remedy.repairs, *remedy.done_by]}
        if remedy.repair_time is not None:  # where a repair's time begins
            types |= {c.type for c in remedy.repair_from}
    repairs = contract.warranty.extend_by_repairs if contract.warranty is not None else None
    if repairs is not None:  # a repair's time moves the cover's end
        types |= {c.type for c in [*repairs.from_, *repairs.until]}
    return types


def relevant(contract: Contract) -> ColumnElement[bool]:
    """The SQL condition for the events the duties read (see the module doc)."""
    condition: ColumnElement[bool] = StoredEvent.ticket.is_(None) | StoredEvent.type.in_(
        sorted(duty_types(contract))
    )
    warranty = contract.warranty
    if warranty is not None and any(t.usage_limit is not None for t in warranty.terms.values()):
        condition = condition | StoredEvent.body.contains('"usage"')
    if contract.remedies or (warranty is not None and warranty.extend_by_repairs is not None):
        # a repair counts for its ticket's asset: the first event of the ticket that names one
        condition = condition | StoredEvent.body.contains('"asset"')
    return condition
