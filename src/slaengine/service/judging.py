"""Judging one ticket: its stored events in, its clocks at a moment out (read only).

Theory of operation
-------------------
The answer is the pure core's (``evaluate_ticket``) over the ticket's events and the
contract-wide force majeure, under the contract version in effect at the ticket's first event.
Events dated after the moment do not apply yet; the earliest of them is returned so the caller
can look again when its time comes.

Transaction boundary: none. It reads through the caller's session and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from slaengine.clocks import Clock
from slaengine.evaluate import Context, evaluate_ticket, excused_intervals
from slaengine.events import Event
from slaengine.store import Store


@dataclass(frozen=True, slots=True)
class Judged:
    """A ticket judged at a moment: its clocks, the events applied, the next future event."""

    context: Context
    clocks: list[Clock]
    applied: list[Event]
    #: The earliest event dated after the moment (it applies once its time has come).
    future: datetime | None


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
    if not own:
        return None
    context = context_for(store, session, contract, min(e.at for e in own))
    applied = sorted((e for e in events if e.at <= now), key=Event.sort_key)
    spans = [(item.start, item.end) for item in excused_intervals(applied)]
    mine = [e for e in applied if e.ticket == ticket]
    result = evaluate_ticket(context, ticket, mine, now, spans)
    future = [e.at for e in events if e.at > now]
    return Judged(context, result.clocks, applied, min(future) if future else None)
