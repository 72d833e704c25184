"""(contract, events, as_of) → Report: the core's one entry.

Replay, the live service, the scheduler and the tests all call ``evaluate`` (or, for one ticket,
``evaluate_ticket``; or, to judge ticket by ticket while writing, ``Evaluation``). It reads no
clock and does no I/O: the caller says what time it is. Events after ``as_of`` are not applied;
events are applied in (``at``, arrival) order whatever order they arrived in, so a late event is
simply part of the next evaluation.

The judging is the core's (clocks, calendars, obligations, warranty → ``slaengine.findings``);
``evaluate`` hands its findings over as a ``Report`` (slaengine.report), which prices them with
slaengine.penalties on first use. Pricing reads findings and never imports this module, so the
imports run one way: core → pricing → report → this entry → shells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from slaengine.calendars import Calendar, Interval, build_calendar
from slaengine.clocks import Clock, TicketWalk, judge
from slaengine.contract.models import Contract
from slaengine.contract.versions import Versions
from slaengine.events import Event, Rejected, parse_time
from slaengine.findings import Excused, Findings, TicketSummary, breach_json
from slaengine.identity import ticket_order
from slaengine.obligations import ObligationPeriod, judge_obligations
from slaengine.remedies import judge_remedies
from slaengine.report import Report
from slaengine.ruleset.matcher import Matcher, matcher_for
from slaengine.warranty import WarrantyBook

#: Names other modules import from here (the report types moved to modules of their own).
__all__ = [
    "Context",
    "Evaluation",
    "Excused",
    "Findings",
    "Report",
    "TicketResult",
    "TicketSummary",
    "amended_contexts",
    "breach_json",
    "evaluate",
    "evaluate_ticket",
    "excused_intervals",
    "with_warranty",
]


class Context:
    """What evaluating a contract needs besides the events: compiled rules and calendars.

    Built once per contract version and reused across evaluations (the live service keeps one).
    """

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.matcher: Matcher = matcher_for(contract)
        self.calendars: dict[str, Calendar] = {
            name: build_calendar(name, spec) for name, spec in contract.calendars.items()
        }
        self.asset_classes = contract.asset_classes()
        #: The ticket walk's resolved matcher answers (slaengine.clocks.TicketWalk.plans).
        self.plans: dict[Any, Any] = {}
        #: Its target tables' answers (slaengine.clocks.TicketWalk.targets).
        self.targets: dict[Any, Any] = {}


def excused_intervals(events: Iterable[Event]) -> list[Excused]:
    return [
        Excused(e.id, e.at, parse_time(e.attrs["until"], "attrs.until"), e.attrs.get("reason"))
        for e in events
        if e.type == "force_majeure"
    ]


@dataclass(slots=True)
class TicketResult:
    """One ticket judged: its walk and its clocks."""

    walk: TicketWalk
    clocks: list[Clock]

    @property
    def summary(self) -> TicketSummary:
        walk = self.walk
        return TicketSummary(
            ticket=walk.ticket,
            asset=walk.asset,
            severity=walk.severity,
            status=walk.status,
            reported_at=walk.reported_at,
            cycles=len(walk.cycles),
        )


def evaluate_ticket(
    context: Context,
    ticket: str,
    events: Sequence[Event],
    as_of: datetime,
    excused: Sequence[Interval] = (),
) -> TicketResult:
    """One ticket's clocks at ``as_of``. ``events`` must be sorted by (at, seq) and <= as_of."""
    contract = context.contract
    walk = TicketWalk(
        contract,
        context.matcher,
        ticket,
        context.asset_classes,
        plans=context.plans,
        targets=context.targets,
    )
    apply = walk.apply
    for event in events:
        apply(event)
    severity, calendars, share = walk.severity, context.calendars, contract.warning_share
    pauses_of = walk.pauses_of
    # ``walk.records()`` cycle by cycle: a cycle that paused nothing (most) asks no clock's
    # pauses
    clocks = [
        judge(
            record,
            ticket,
            severity,
            as_of,
            calendars,
            pauses_of(record) if cycle.pauses else _NO_PAUSES,
            excused,
            share,
        )
        for cycle in walk.cycles
        for record in cycle.clocks.values()
    ]
    return TicketResult(walk, clocks)


#: The pauses of a clock of a cycle that paused nothing (``judge`` never changes them).
_NO_PAUSES: list[list[datetime | None]] = []


class Evaluation:
    """One evaluation of a contract's events at ``as_of``, judged ticket by ticket on demand.

    The events are filtered (``at`` <= ``as_of``) and sorted once; ``tickets()`` then judges one
    ticket at a time, in ticket order, so a caller that writes each ticket's clocks as they come
    (slaengine.replay) never holds more than one ticket's clocks."""

    def __init__(
        self,
        context: Context,
        events: Iterable[Event],
        as_of: datetime,
        amended: Sequence[Context] = (),
    ) -> None:
        """``amended``: the contexts of every version of an amended contract, oldest first
        (``context`` is then the latest); each ticket is judged under the version in force on
        the day of its first event (slaengine.contract.versions)."""
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        self.context = context
        self.amended = list(amended)
        self._versions = Versions([c.contract for c in amended]) if len(amended) > 1 else None
        self.as_of = as_of
        limit = as_of.timestamp()
        # Timestamps, not datetimes: comparing aware datetimes works out both offsets each time.
        self.applied: list[Event] = sorted(
            (e for e in events if e.ts <= limit), key=attrgetter("ts", "seq")
        )
        self.excused = excused_intervals(self.applied)
        self._spans = [(item.start, item.end) for item in self.excused]
        self.book = WarrantyBook.build(
            context.contract, self.applied, context.matcher, ordered=True
        )

    def tickets(self) -> Iterator[tuple[TicketSummary, list[Clock]]]:
        """Each ticket's summary (with its warranty cover) and clocks, in ticket order."""
        by_ticket: dict[str, list[Event]] = defaultdict(list)
        for event in self.applied:
            if event.ticket is not None:
                by_ticket[event.ticket].append(event)
        for ticket in sorted(by_ticket, key=ticket_order):
            events = by_ticket.pop(ticket)
            context = self.context
            if self._versions is not None:
                context = self.amended[self._versions.index_at(events[0].at)]
            result = evaluate_ticket(context, ticket, events, self.as_of, self._spans)
            yield with_warranty(result.summary, self.book), result.clocks

    def periods(self) -> list[ObligationPeriod]:
        """Obligation periods, and the repeat-failure remedies owed (slaengine.remedies)."""
        context = self.context
        periods = judge_obligations(
            self.book, self.applied, self.as_of, context.matcher, ordered=True
        )
        if context.contract.remedies:
            periods += judge_remedies(
                context.contract,
                self.applied,
                self.book,
                context.calendars,
                context.matcher,
                self.as_of,
                self._spans,
            )
        return periods

    def extra(self) -> dict[str, Any]:
        return {"warranty_notes": self.book.notes} if self.book.notes else {}

    def report(
        self,
        clocks: list[Clock],
        tickets: list[TicketSummary],
        rejected: Sequence[Rejected],
        duplicates: int,
        clock_counts: dict[str, int] | None = None,
    ) -> Report:
        """The report of this evaluation: ``clocks`` (all the tickets' clocks, or with
        ``clock_counts`` those kept of them) and ``tickets`` as ``tickets()`` gave them."""
        return Report(
            self.context.contract,
            self.as_of,
            clocks,
            tickets,
            list(rejected),
            self.excused,
            self.applied,
            self.periods(),
            self.extra(),
            duplicates,
            clock_counts=clock_counts,
            versions=[c.contract for c in self.amended],
        )


def evaluate(
    contract: Contract | Context,
    events: Iterable[Event],
    as_of: datetime,
    rejected: Sequence[Rejected] = (),
    duplicates: int = 0,
    amendments: Sequence[Contract] = (),
    amended: Sequence[Context] = (),
) -> Report:
    """Evaluate every ticket of the contract at ``as_of``; ``amendments``: later versions of
    the contract (slaengine.contract.versions), each in force from its ``effective_from``;
    or ``amended``: the contexts of all its versions, oldest first, already built (the live
    service keeps them)."""
    context = contract if isinstance(contract, Context) else Context(contract)
    amended = list(amended) or amended_contexts(context, amendments)
    if amended:
        context = amended[-1]
    evaluation = Evaluation(context, events, as_of, amended)
    clocks: list[Clock] = []
    tickets: list[TicketSummary] = []
    for summary, ticket_clocks in evaluation.tickets():
        clocks.extend(ticket_clocks)
        tickets.append(summary)
    return evaluation.report(clocks, tickets, rejected, duplicates)


def amended_contexts(context: Context, amendments: Sequence[Contract]) -> list[Context]:
    """The contexts of a contract and its amendments, oldest first by effective date (empty
    when there are no amendments)."""
    if not amendments:
        return []
    versions = Versions([context.contract, *amendments])
    return [context if c is context.contract else Context(c) for c in versions.all]


def with_warranty(summary: TicketSummary, book: WarrantyBook) -> TicketSummary:
    """A ticket on an asset out of cover on its reported day is still served, but chargeable."""
    cover = book.ticket_cover(summary.asset, summary.reported_at)
    if cover is None:
        return summary
    # Built directly: dataclasses.replace costs several times more, once per ticket.
    return TicketSummary(
        summary.ticket,
        summary.asset,
        summary.severity,
        summary.status,
        summary.reported_at,
        summary.cycles,
        cover.covered,
        not cover.covered,
        cover.basis,
    )
