"""What a report shows, indexed for the clause kinds: breaches, missed periods, events, waivers.

The clause kinds ask questions of one ``Evidence`` (which breaches does this clause answer for,
which cost claims are on this ticket, is this breach waived); they never look at the report
themselves, so a kind is a few lines of arithmetic and words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from slaengine.clocks import BREACHED, Clock
from slaengine.contract.models import Clause, Contract
from slaengine.events import Event
from slaengine.findings import Findings, TicketSummary
from slaengine.measures.compliance import ClockKey, PeriodKey, clock_key
from slaengine.obligations import BREACHED as PERIOD_BREACHED
from slaengine.obligations import ObligationPeriod
from slaengine.penalties.lines import CLOCK, EVENT, OBLIGATION, Trigger
from slaengine.penalties.waivers import Waiver, waivers_of
from slaengine.ruleset.matcher import matcher_for


def clock_trigger(clock: Clock, late_on: str | None = None) -> Trigger:
    """A breached clock; its lines belong to the time of its deadline. ``late_on``: the
    calendar its lateness was counted on (``lateness: calendar``)."""
    return Trigger(
        late_on=late_on,
        source=CLOCK,
        occurred_at=clock.deadline,
        ticket=clock.ticket,
        commitment=clock.commitment,
        cycle=clock.cycle,
        late_by_seconds=clock.late_by_seconds,
        provisional=clock.stopped_at is None,
        occurrence=clock.occurrence,
        start_key=clock.start_key,
    )


def period_trigger(period: ObligationPeriod) -> Trigger:
    """A missed obligation period; its lines belong to the period's end."""
    return Trigger(
        source=OBLIGATION,
        occurred_at=period.period_end,
        ends_period=True,
        obligation=period.obligation,
        asset=period.asset,
        period_start=period.period_start,
        period_end=period.period_end,
    )


def event_trigger(event: Event, asset: str | None) -> Trigger:
    """An event a clause names in ``on_event``; its lines belong to the event's time."""
    return Trigger(
        source=EVENT,
        occurred_at=event.at,
        ticket=event.ticket,
        asset=asset,
        event=event.id,
        event_type=event.type,
    )


class Evidence:
    def __init__(self, report: Findings) -> None:
        self.report = report
        self.contract: Contract = report.contract
        self.as_of: datetime = report.as_of
        self.zone = ZoneInfo(self.contract.timezone)
        self.tickets: dict[str, TicketSummary] = {t.ticket: t for t in report.tickets}
        self.breaches: list[Clock] = sorted(
            (clock for clock in report.clocks if clock.status == BREACHED),
            key=lambda c: (c.deadline.timestamp(), c.ticket, c.commitment, c.cycle),
        )
        self.missed: list[ObligationPeriod] = sorted(
            (period for period in report.periods if period.status == PERIOD_BREACHED),
            key=lambda p: (
                p.period_end.timestamp(),
                p.obligation,
                p.asset or "",
                p.period_start.timestamp(),
            ),
        )
        self.waivers: list[Waiver] = waivers_of(report.events)
        # A waiver of a breach whose commitment carries no clause still matched a breach.
        self.used_waivers: set[str] = {
            waiver.event
            for waiver in self.waivers
            if any(waiver.covers(clock_trigger(c), waiver.clause or "") for c in self.breaches)
            or any(waiver.covers(period_trigger(p), waiver.clause or "") for p in self.missed)
        }
        self._actions: dict[tuple[str, str], list[Event]] = defaultdict(list)
        matcher = matcher_for(self.contract)
        # Only events of a type some charge, extend or claim names can trigger one (a filter
        # before asking the rule set, which still decides).
        priced = matcher.types_for(("charge", "extend", "claim"))
        for event in report.events:
            if event.type not in priced:
                continue
            summary = self.tickets.get(event.ticket) if event.ticket else None
            actions = matcher.match(
                event.type,
                event.severity or (summary.severity if summary else None),
                self.asset_of(event),
                event.ticket,
                event.attrs,
            )
            for action in actions:
                if action.kind in ("charge", "extend", "claim"):
                    self._actions[(action.kind, action.target)].append(event)

    @cached_property
    def _breach_places(self) -> dict[str, list[int]]:
        """Per commitment, the positions of its clocks in ``breaches``."""
        places: dict[str, list[int]] = defaultdict(list)
        for i, clock in enumerate(self.breaches):
            places[clock.commitment].append(i)
        return places

    @cached_property
    def _by_deadline(self) -> dict[str, tuple[list[Clock], list[datetime]]]:
        """Clocks per commitment in deadline order (only service credits ask: built lazily)."""
        by_deadline: dict[str, tuple[list[Clock], list[datetime]]] = {}
        for clock in sorted(self.report.clocks, key=lambda c: c.deadline.timestamp()):
            clocks, deadlines = by_deadline.setdefault(clock.commitment, ([], []))
            clocks.append(clock)
            deadlines.append(clock.deadline)
        return by_deadline

    def asset_of(self, event: Event) -> str | None:
        """The event's asset, or else its ticket's."""
        if event.asset is not None or event.ticket is None:
            return event.asset
        summary = self.tickets.get(event.ticket)
        return summary.asset if summary else None

    # -- what a clause answers for -----------------------------------------------------------

    def triggers(self, clause: Clause) -> list[Trigger]:
        """Each breach of a commitment or obligation that lists the clause, and each event that
        matches its ``on_event``: the usual triggers of a clause."""
        listed_by = [c.id for c in self.contract.commitments if clause.id in c.clauses]
        # the breaches of the listed commitments, in ``breaches`` order: read from their
        # positions per commitment rather than every breach tested for every clause
        places = self._breach_places
        at = sorted(i for name in listed_by for i in places.get(name, ()))
        breaches = self.breaches
        found = [clock_trigger(c, self._late_on(c)) for c in (breaches[i] for i in at)]
        obligations = {o.id for o in self.contract.obligations if clause.id in o.clauses}
        obligations |= {r.id for r in self.contract.remedies if clause.id in r.clauses}
        found += [period_trigger(p) for p in self.missed if p.obligation in obligations]
        for kind in ("charge", "extend"):
            found += [
                event_trigger(event, self.asset_of(event))
                for event in self._actions.get((kind, clause.id), ())
            ]
        return found

    def _late_on(self, clock: Clock) -> str | None:
        """The calendar a clock's lateness was counted on, or None for wall-clock time."""
        # only asked of breaches of this contract's commitments (``triggers``)
        calendar_lateness = self.contract.commitment(clock.commitment).lateness == "calendar"
        return clock.calendar if calendar_lateness else None

    def event(self, event_id: str | None) -> Event | None:
        return self._events.get(event_id) if event_id is not None else None

    @cached_property
    def _events(self) -> dict[str, Event]:
        """Events by id, built when a clause first asks (most never do: a million events would
        hold a large index for nothing)."""
        return {event.id: event for event in self.report.events}

    def clocks_due(self, commitments: Sequence[str], start: datetime, end: datetime) -> list[Clock]:
        """Clocks of ``commitments`` whose deadline falls in [start, end)."""
        found: list[Clock] = []
        for commitment in commitments:
            clocks, deadlines = self._by_deadline.get(commitment, ([], []))
            found += clocks[bisect_left(deadlines, start) : bisect_left(deadlines, end)]
        return found

    def claims(self, clause: str, ticket: str | None) -> list[Event]:
        """The cost claims (events matching the clause's ``claim``) on a ticket."""
        if ticket is None:
            return []
        return self._claims_by_ticket.get((clause, ticket), [])

    @cached_property
    def _claims_by_ticket(self) -> dict[tuple[str, str | None], list[Event]]:
        """Claims indexed once by (clause, ticket): asking per breached ticket stays linear."""
        index: dict[tuple[str, str | None], list[Event]] = defaultdict(list)
        for (kind, clause), events in self._actions.items():
            if kind == "claim":
                for event in events:
                    index[(clause, event.ticket)].append(event)
        return index

    # -- waivers ---------------------------------------------------------------------------

    def waiver_for(self, trigger: Trigger, clause: str) -> Waiver | None:
        for waiver in self.waivers:
            if waiver.covers(trigger, clause):
                return waiver
        return None

    def use(self, waiver: Waiver) -> None:
        self.used_waivers.add(waiver.event)

    def unused_waivers(self) -> list[Waiver]:
        return [w for w in self.waivers if w.event not in self.used_waivers]

    @cached_property
    def waived_clocks(self) -> frozenset[ClockKey]:
        """Breaches waived outright (for every clause): left out of compliance rates."""
        return frozenset(
            clock_key(clock)
            for clock in self.breaches
            if any(w.clause is None and w.covers(clock_trigger(clock), "") for w in self.waivers)
        )

    @cached_property
    def waived_periods(self) -> frozenset[PeriodKey]:
        return frozenset(
            (p.obligation, p.asset, p.period_start)
            for p in self.missed
            if any(w.clause is None and w.covers(period_trigger(p), "") for w in self.waivers)
        )
