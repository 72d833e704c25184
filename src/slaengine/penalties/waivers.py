"""Waivers: the customer lets a breach go (``breach_waived``), and its lines leave the totals.

A waiver names what it waives — ``attrs.commitment`` on the event's ticket (every cycle, or
``attrs.cycle``; of a commitment that runs per start, every start, or ``attrs.occurrence``);
``attrs.obligation`` with ``attrs.period_start`` (and the event's ``asset`` to pick one unit's
period); ``attrs.event`` for a clause triggered by an event (a site violation); or
``attrs.clause`` with ``attrs.period_start`` for a service-credit period — and may narrow itself
to one clause with ``attrs.clause``. ``attrs.reason`` and ``attrs.by`` say why and who;
the intake (slaengine.events) refuses a waiver without them.

The waived lines stay in the audit trail, marked waived with the reason and who granted it.
A waiver that matches nothing is reported, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaengine.errors import EventError
from slaengine.events import Event, parse_time
from slaengine.penalties.lines import CLOCK, EVENT, OBLIGATION, PERIOD, Trigger


@dataclass(frozen=True, slots=True)
class Waiver:
    """A breach waived by a ``breach_waived`` event."""

    event: str
    at: datetime
    reason: str | None
    by: str | None
    ticket: str | None = None
    commitment: str | None = None
    cycle: int | None = None
    #: Which start of a commitment that runs per start (None: every start).
    occurrence: int | None = None
    #: The same start by its ``start_key`` (its start event's id): it stays with that start when
    #: a late event renumbers the starts (a decided dispute's waiver names both; this wins).
    start: str | None = None
    obligation: str | None = None
    asset: str | None = None
    period_start: datetime | None = None
    waived_event: str | None = None
    clause: str | None = None
    problem: str | None = None

    @classmethod
    def from_event(cls, event: Event) -> Waiver:
        attrs = event.attrs
        problem = None
        period_start = None
        if attrs.get("period_start") is not None:
            try:
                period_start = parse_time(attrs["period_start"], "attrs.period_start")
            except EventError as exc:
                problem = str(exc)
        cycle, occurrence = attrs.get("cycle"), attrs.get("occurrence")
        return cls(
            event=event.id,
            at=event.at,
            reason=_text(attrs.get("reason")),
            by=_text(attrs.get("by")),
            ticket=event.ticket,
            commitment=_text(attrs.get("commitment")),
            cycle=cycle if isinstance(cycle, int) and not isinstance(cycle, bool) else None,
            occurrence=(
                occurrence
                if isinstance(occurrence, int) and not isinstance(occurrence, bool)
                else None
            ),
            start=_text(attrs.get("start")),
            obligation=_text(attrs.get("obligation")),
            asset=event.asset,
            period_start=period_start,
            waived_event=_text(attrs.get("event")),
            clause=_text(attrs.get("clause")),
            problem=problem,
        )

    def covers(self, trigger: Trigger, clause: str) -> bool:
        """Whether this waiver lets ``clause`` go for ``trigger``."""
        if self.problem is not None:
            return False
        if trigger.source == CLOCK:
            return (
                self.commitment == trigger.commitment
                and self.ticket == trigger.ticket
                and (self.cycle is None or self.cycle == trigger.cycle)
                and (
                    self.start == trigger.start_key
                    if self.start is not None
                    else self.occurrence is None or self.occurrence == trigger.occurrence
                )
                and self.clause in (None, clause)
            )
        if trigger.source == OBLIGATION:
            return (
                self.obligation == trigger.obligation
                and self.period_start == trigger.period_start
                and (self.asset is None or self.asset == trigger.asset)
                and self.clause in (None, clause)
            )
        if trigger.source == EVENT:
            return self.waived_event == trigger.event and self.clause in (None, clause)
        if trigger.source == PERIOD:
            return (
                self.clause == clause
                and self.commitment is None
                and self.obligation is None
                and self.period_start == trigger.period_start
            )
        return False

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "at": self.at.isoformat(),
            "ticket": self.ticket,
            "commitment": self.commitment,
            "cycle": self.cycle,
            **({"occurrence": self.occurrence} if self.occurrence is not None else {}),
            **({"start": self.start} if self.start is not None else {}),
            "obligation": self.obligation,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "waived_event": self.waived_event,
            "clause": self.clause,
            "reason": self.reason,
            "by": self.by,
            "problem": self.problem or "it matches no breach charged under this contract",
        }


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def waivers_of(events: list[Event]) -> list[Waiver]:
    return [Waiver.from_event(event) for event in events if event.type == "breach_waived"]
