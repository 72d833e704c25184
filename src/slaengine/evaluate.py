"""(contract, events, as_of) → Report: the pure core's one entry.

Replay, the live service, the scheduler and the tests all call ``evaluate`` (or, for one ticket,
``evaluate_ticket``). It reads no clock and does no I/O: the caller says what time it is.
Events after ``as_of`` are not applied; events are applied in (``at``, arrival) order whatever
order they arrived in, so a late event is simply part of the next evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from slaengine.calendars import Calendar, Interval, build_calendar
from slaengine.clocks import BREACHED, Clock, TicketWalk, judge
from slaengine.contract.models import Contract
from slaengine.events import Event, Rejected, parse_time
from slaengine.obligations import BREACHED as PERIOD_BREACHED
from slaengine.obligations import ObligationPeriod, judge_obligations
from slaengine.ruleset.matcher import Matcher, matcher_for
from slaengine.warranty import WarrantyBook

if TYPE_CHECKING:
    from slaengine.penalties import Charges


@dataclass(frozen=True, slots=True)
class Excused:
    """A force-majeure interval: no clock of the contract runs inside it."""

    event: str
    start: datetime
    end: datetime
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "from": self.start.isoformat(),
            "until": self.end.isoformat(),
            "reason": self.reason,
            "seconds": int((self.end - self.start).total_seconds()),
        }


@dataclass(frozen=True, slots=True)
class TicketSummary:
    ticket: str
    asset: str | None
    severity: str | None
    status: str
    reported_at: datetime | None
    cycles: int
    in_warranty: bool | None = None
    chargeable: bool = False
    warranty_basis: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "asset": self.asset,
            "severity": self.severity,
            "status": self.status,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
            "cycles": self.cycles,
            "in_warranty": self.in_warranty,
            "chargeable": self.chargeable,
            "warranty_basis": self.warranty_basis,
        }


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


def excused_intervals(events: Iterable[Event]) -> list[Excused]:
    return [
        Excused(e.id, e.at, parse_time(e.attrs["until"], "attrs.until"), e.attrs.get("reason"))
        for e in events
        if e.type == "force_majeure"
    ]


@dataclass(slots=True)
class TicketResult:
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
    walk = TicketWalk(contract, context.matcher, ticket, context.asset_classes)
    for event in events:
        walk.apply(event)
    clocks = [
        judge(
            record,
            ticket,
            walk.severity,
            as_of,
            context.calendars,
            walk.pauses_of(record),
            excused,
            contract.warning_share,
        )
        for record in walk.records()
    ]
    return TicketResult(walk, clocks)


@dataclass
class Report:
    """The evaluation report of SPEC.md section 7."""

    contract: Contract
    as_of: datetime
    clocks: list[Clock]
    tickets: list[TicketSummary]
    rejected: list[Rejected]
    excused: list[Excused]
    events: list[Event]
    #: Periods of the contract's obligations (slaengine.obligations), judged at as_of.
    periods: list[ObligationPeriod] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Events received again with the same id and content (no-ops, counted for the record).
    duplicates: int = 0

    @cached_property
    def breaches(self) -> list[Clock]:
        return [clock for clock in self.clocks if clock.status == BREACHED]

    @cached_property
    def charges(self) -> Charges:
        """Penalty, compensation and cap lines of this report (slaengine.penalties)."""
        from slaengine.penalties import charge

        return charge(self)

    def to_json(self) -> dict[str, Any]:
        clocks = [clock.to_json() for clock in self.clocks]
        data: dict[str, Any] = {
            "contract": self.contract.id,
            "version": self.contract.version,
            "as_of": self.as_of.isoformat(),
            "currency": self.contract.currency,
            "clocks": clocks,
            "breaches": [breach_json(clock) for clock in clocks if clock["status"] == BREACHED]
            + [p.breach_json() for p in self.periods if p.status == PERIOD_BREACHED],
            **self.charges.to_json(),
            "tickets": [ticket.to_json() for ticket in self.tickets],
            "excused": [item.to_json() for item in self.excused],
            "obligations": [period.to_json() for period in self.periods],
            "rejected": [item.to_json() for item in self.rejected],
            "summary": self.summary(),
        }
        data.update(self.extra)
        return data

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = defaultdict(int)
        for clock in self.clocks:
            counts[clock.status] += 1
        return {
            "events": len(self.events),
            "rejected": len(self.rejected),
            "duplicates": self.duplicates,
            "tickets": len(self.tickets),
            "clocks": len(self.clocks),
            **{f"clocks_{status}": n for status, n in sorted(counts.items())},
        }


#: The fields of a clock that its entry in the report's ``breaches`` list repeats.
_BREACH_FIELDS = (
    "ticket", "commitment", "cycle", "severity", "started_at", "deadline", "stopped_at",
    "late_by_seconds",
)  # fmt: skip


def breach_json(clock: dict[str, Any]) -> dict[str, Any]:
    """A breached clock (its JSON) as an entry of the report's ``breaches`` list (SPEC.md
    section 7)."""
    view = {name: clock[name] for name in _BREACH_FIELDS}
    view["open"] = clock["stopped_at"] is None
    return view


def evaluate(
    contract: Contract | Context,
    events: Iterable[Event],
    as_of: datetime,
    rejected: Sequence[Rejected] = (),
    duplicates: int = 0,
) -> Report:
    """Evaluate every ticket of the contract at ``as_of``."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    context = contract if isinstance(contract, Context) else Context(contract)
    applied = sorted((e for e in events if e.at <= as_of), key=Event.sort_key)
    excused = excused_intervals(applied)
    spans = [(item.start, item.end) for item in excused]
    by_ticket: dict[str, list[Event]] = defaultdict(list)
    for event in applied:
        if event.ticket is not None:
            by_ticket[event.ticket].append(event)
    book = WarrantyBook.build(context.contract, applied, context.matcher)
    clocks: list[Clock] = []
    tickets: list[TicketSummary] = []
    for ticket in sorted(by_ticket):
        result = evaluate_ticket(context, ticket, by_ticket[ticket], as_of, spans)
        clocks.extend(result.clocks)
        tickets.append(with_warranty(result.summary, book))
    periods = judge_obligations(book, applied, as_of, context.matcher)
    extra: dict[str, Any] = {"warranty_notes": book.notes} if book.notes else {}
    return Report(
        context.contract,
        as_of,
        clocks,
        tickets,
        list(rejected),
        excused,
        applied,
        periods,
        extra,
        duplicates,
    )


def with_warranty(summary: TicketSummary, book: WarrantyBook) -> TicketSummary:
    """A ticket on an asset out of cover on its reported day is still served, but chargeable."""
    cover = book.ticket_cover(summary.asset, summary.reported_at)
    if cover is None:
        return summary
    return replace(
        summary, in_warranty=cover.covered, chargeable=not cover.covered, warranty_basis=cover.basis
    )
