"""Judging one ticket: its stored events in, its clocks at a moment out (read only).

Theory of operation
-------------------
The answer is the pure core's (``evaluate_ticket``) over the ticket's events and the
contract-wide force majeure, under the contract version in effect at the ticket's first event.
Events dated after the moment do not apply yet; the earliest of them is returned so the caller
can look again when its time comes.

The force majeure is the same for every ticket of a contract at one moment: ``wide_at`` works
out its excused intervals once, and a batch of tickets (slaengine.service.clock_rows) judges
each of them with the same ``Wide``. The events applied to a ticket (its own and the force
majeure, in order) are merged only when something asks for them (pricing its lines, the API's
ticket route).

Transaction boundary: none. It reads through the caller's session and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from slaengine.clocks import Clock
from slaengine.evaluate import Context, Excused, TicketSummary, evaluate_ticket, excused_intervals
from slaengine.events import Event
from slaengine.store import Store


@dataclass(frozen=True, slots=True)
class Wide:
    """The contract-wide events that apply to each of its tickets at a moment."""

    #: The force majeure dated by then, in (at, arrival) order.
    applied: list[Event]
    excused: list[Excused]
    spans: list[tuple[datetime, datetime]]
    #: The earliest force majeure dated after the moment.
    future: datetime | None


NO_WIDE = Wide([], [], [], None)


def wide_at(events: list[Event], now: datetime) -> Wide:
    """The contract-wide ``events`` (force majeure) as they apply at ``now``."""
    if not events:
        return NO_WIDE
    applied = sorted((e for e in events if e.at <= now), key=Event.sort_key)
    excused = excused_intervals(applied)
    future = [e.at for e in events if e.at > now]
    return Wide(
        applied, excused, [(item.start, item.end) for item in excused], min(future, default=None)
    )


@dataclass(frozen=True, slots=True)
class Judged:
    """A ticket judged at a moment: its clocks, the events applied, the next future event."""

    context: Context
    clocks: list[Clock]
    #: The ticket's own events dated by the moment, in order.
    own: list[Event]
    wide: Wide
    #: The earliest event dated after the moment (it applies once its time has come).
    future: datetime | None
    summary: TicketSummary

    @property
    def applied(self) -> list[Event]:
        """Every event applied: the ticket's own and the force majeure, in order."""
        if not self.wide.applied:
            return self.own
        return sorted(self.own + self.wide.applied, key=Event.sort_key)


def context_for(
    store: Store, session: Session, contract: str, first_at: datetime | None
) -> Context:
    """The evaluation context of the contract version in effect at ``first_at`` (None: newest)."""
    row = store.version_in_effect(session, contract, first_at)
    if row is None:
        raise LookupError(f"contract {contract!r} is not loaded in this store")
    return store.context(row)


def judge(
    store: Store,
    session: Session,
    contract: str,
    ticket: str,
    events: list[Event],
    now: datetime,
) -> Judged | None:
    """The ticket's clocks at ``now`` over ``events`` (its own and the contract-wide ones);
    None if the ticket has no events of its own."""
    own = [e for e in events if e.ticket == ticket]
    wide = wide_at([e for e in events if e.ticket is None], now)
    return judge_own(store, session, contract, ticket, own, wide, now)


def judge_own(
    store: Store,
    session: Session,
    contract: str,
    ticket: str,
    own: list[Event],
    wide: Wide,
    now: datetime,
) -> Judged | None:
    """``judge`` with the ticket's own events and the contract's ``Wide`` given apart (a batch
    works the force majeure out once); None if the ticket has no events."""
    if not own:
        return None
    context = context_for(store, session, contract, min(e.at for e in own))
    mine = sorted((e for e in own if e.at <= now), key=Event.sort_key)
    result = evaluate_ticket(context, ticket, mine, now, wide.spans)
    future = [e.at for e in own if e.at > now]
    if wide.future is not None:
        future.append(wide.future)
    return Judged(context, result.clocks, mine, wide, min(future, default=None), result.summary)
