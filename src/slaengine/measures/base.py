"""A period's figure (``MeasurePeriod``), the kind interface and the one entry,
``judge_measures``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.calendars import Calendar, Interval, build_calendar
from slaengine.clocks import Clock
from slaengine.contract.models import Contract, Measure
from slaengine.events import Event
from slaengine.measures.periods import measure_periods
from slaengine.ruleset.matcher import Matcher, matcher_for

MET, BELOW, ABOVE, NO_DATA = "met", "below", "above", "no_data"
#: The statuses of a period that falls short of its target: below a floor, above a ceiling.
SHORT = (BELOW, ABOVE)


def figure_text(value: Decimal) -> str:
    """A percentage as the report shows it: three decimals, half up (``99.862``)."""
    return str(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class MeasurePeriod:
    """One period's figure of one measure, and the evidence it was computed from."""

    measure: str
    kind: str
    period_start: datetime
    period_end: datetime
    #: The figure in percent, exact (comparisons use it); None when nothing could be measured.
    figure: Decimal | None
    target: Decimal
    status: str  # MET, BELOW (under a floor), ABOVE (over a ceiling) or NO_DATA
    #: The figure may still change: the period was not over at ``as_of``, or (first-time fix)
    #: a fix of the period is still inside its repeat window.
    provisional: bool
    #: How the figure was computed, in words (English, Chinese).
    basis: tuple[str, str]
    #: The inputs: downtime intervals, scores, clocks (JSON-ready).
    detail: dict[str, Any] = field(default_factory=dict)
    #: The target is a ceiling (repeat faults), not a floor.
    at_most: bool = False

    @property
    def shortfall(self) -> Decimal:
        """Percentage points on the wrong side of the target (0 when met or not measured)."""
        if self.figure is None or self.status not in SHORT:
            return Decimal(0)
        return self.figure - self.target if self.at_most else self.target - self.figure

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "kind": self.kind,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "figure": figure_text(self.figure) if self.figure is not None else None,
            "target": str(self.target),
            "direction": "at_most" if self.at_most else "at_least",
            "status": self.status,
            "provisional": self.provisional,
            "basis": self.basis[0],
            "basis_zh": self.basis[1],
            **self.detail,
        }


#: (commitments, start, end) -> (met, breached): on-time counts from somewhere other than clocks.
OnTimeCounts = Callable[[Sequence[str], datetime, datetime], tuple[int, int]]


@dataclass
class MeasureInput:
    """What every kind may read: the contract, its events (sorted, <= as_of), the judged
    clocks, excused intervals, calendars and the rule set's matcher."""

    contract: Contract
    events: Sequence[Event]
    clocks: Sequence[Clock]
    excused: Sequence[Interval]
    as_of: datetime
    matcher: Matcher
    calendars: dict[str, Calendar]
    #: Each ticket's (severity, asset), as its walk left them.
    tickets: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: What a kind works out once per measure and reuses for every period (by measure id).
    cache: dict[str | tuple[str, str], Any] = field(default_factory=dict)
    #: The (met, breached) clocks of some commitments with a deadline in [start, end), when
    #: counted elsewhere than over ``clocks`` (the store's clock rows: slaengine.service.measured).
    on_time: OnTimeCounts | None = None

    def matching(self, measure: Measure, kinds: tuple[str, ...]) -> list[tuple[Event, str]]:
        """The events that trigger one of the measure's ``kinds`` of action (``down``, ...),
        each with the kind, in event order. Only events of a type some such condition names
        are asked about (a filter before the rule set, which still decides)."""
        types = self.matcher.types_for(kinds)
        found: list[tuple[Event, str]] = []
        tickets = self.tickets
        # the matcher's answers for types it decides by the type alone, as the walk reads them:
        # the same answers as ``match`` without its call (a measure reads every event)
        by_type = self.matcher.by_type
        for event in self.events:
            if event.type not in types:
                continue
            actions = by_type.get(event.type)
            if actions is None:
                ticket = event.ticket
                # a ticket event that names no severity or asset has its ticket's
                known = tickets.get(ticket) if ticket is not None else None
                severity, asset = event.severity, event.asset
                if known is not None:
                    severity = severity or known[0]
                    asset = known[1] or asset
                actions = self.matcher.match(event.type, severity, asset, ticket, event.attrs)
            for action in actions:
                if action.kind in kinds and action.target == measure.id:
                    found.append((event, action.kind))
        return found


@dataclass(frozen=True, slots=True)
class Figure:
    """What a kind finds for one period: the figure (None: nothing measured), basis, detail."""

    value: Decimal | None
    basis: tuple[str, str]
    detail: dict[str, Any]
    #: The figure may change after the period is over (a repeat window still open at as_of).
    unsettled: bool = False


#: A measure kind: (measure, its input, period start, horizon) -> the period's figure.
#: The horizon is the period's end, or ``as_of`` if that comes first.
KindFunction = Callable[[Measure, MeasureInput, datetime, datetime], Figure]
KINDS: dict[str, KindFunction] = {}


def register(name: str) -> Callable[[KindFunction], KindFunction]:
    def add(function: KindFunction) -> KindFunction:
        KINDS[name] = function
        return function

    return add


def units_of(contract: Contract) -> dict[str, str]:
    """Each asset id of the contract -> its unit (a unit is its own): a part's fault counts
    for its unit."""
    units = {unit.id: unit.id for unit in contract.assets}
    for unit in contract.assets:
        for part in unit.parts:
            units[part.id] = unit.id
    return units


def judge_measures(
    contract: Contract,
    events: Sequence[Event],
    clocks: Sequence[Clock],
    excused: Sequence[Interval],
    as_of: datetime,
    tickets: dict[str, tuple[str | None, str | None]] | None = None,
    on_time: OnTimeCounts | None = None,
    within: tuple[datetime, datetime] | None = None,
) -> list[MeasurePeriod]:
    """Every period of every measure of the contract up to ``as_of``; ``tickets``: each
    ticket's (severity, asset). ``on_time``: on-time counts instead of counting ``clocks``;
    ``within``: only the periods that overlap [start, end)."""
    if not contract.measures:
        return []
    limit = as_of.timestamp()
    source = MeasureInput(
        contract,
        # by timestamp, as the evaluation filters them: comparing aware datetimes works out
        # both offsets each time (a tenth of the measures' time at 300k events)
        [event for event in events if event.ts <= limit],
        clocks,
        excused,
        as_of,
        matcher_for(contract),
        {name: build_calendar(name, spec) for name, spec in contract.calendars.items()},
        tickets or {},
        on_time=on_time,
    )
    zone = ZoneInfo(contract.timezone)
    found: list[MeasurePeriod] = []
    for measure in contract.measures:
        kind = KINDS[measure.kind]
        for start, end in measure_periods(measure.period, contract.acceptance, zone, as_of):
            if within is not None and not (start < within[1] and end > within[0]):
                continue
            horizon = min(end, as_of)
            figure = kind(measure, source, start, horizon)
            if figure.value is None:
                status = NO_DATA
            elif measure.at_most:
                status = ABOVE if figure.value > measure.target else MET
            else:
                status = BELOW if figure.value < measure.target else MET
            found.append(
                MeasurePeriod(
                    measure.id,
                    measure.kind,
                    start,
                    end,
                    figure.value,
                    measure.target,
                    status,
                    end > as_of or figure.unsettled,
                    figure.basis,
                    figure.detail,
                    measure.at_most,
                )
            )
    return found
