"""Periodic obligations (inspections every 3 months, N visits a year), judged at ``as_of``.

Theory of operation
-------------------
An obligation recurs over a span (reference.md §6). Its *calendar* is a list of periods, each
[start, end) with boundaries at midnight in the contract's time zone:

* ``schedule`` steps follow each other from acceptance: ``{every: 3mo, for: 1y}`` then
  ``{every: 6mo, until: warranty_end}`` gives, for a unit accepted 2026-01-15, periods starting
  2026-01-15, 04-15, 07-15, 10-15, 2027-01-15, 07-15, 2028-01-15, 07-15, up to the warranty's
  end 2029-01-15 — and on, if a failed final inspection extends the warranty. Period k of a step
  starts at step start + k × every (never by repeated adding, so month ends do not drift). A
  period that the step's end would cut short is not owed (an inspection "every 6 months" is not
  due two months in, when a usage limit ended the warranty): the calendar leaves it out.
* ``per`` + ``count`` ("N visits a year"): periods of ``per`` from acceptance until ``until``
  (default: the warranty's end), each needing ``count`` matching events.
* The tender's final inspection: for every unit with a warranty, a built-in obligation
  ``final-inspection`` in the last month of each of its warranties, met by a
  ``final_inspection`` event on the unit (whether it passed or not; a failure extends the
  warranty, whose new last month gets its own period).

By default an obligation has one contract-wide series of periods (``asset`` None), from the
contract's acceptance until the last unit's warranty end, met by any matching event: the tender's
"inspection every 3 months" is one inspection of the installation per period, and a missed
period is one breach (reference.md §8). With ``for_each: unit`` each unit has its own series,
from its own acceptance to its own warranty end, and an event meets the period of the unit its
asset belongs to (a part's event counts for its unit; an event that names no asset concerns
every unit); an obligation whose every ``met_by`` condition names an asset then concerns those
assets' units only.

Which events meet an obligation is the rule set's answer (``Matcher``: action ``meet``). A period
is met once it holds ``required`` matching events, breached when it ends (at or before
``as_of``) without them, else open (begun) or upcoming. Pure: no clock, no I/O.

The period model below is the interface shared with penalties and the live service.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.contract.models import Obligation
from slaengine.durations import Duration
from slaengine.events import Event
from slaengine.ruleset.matcher import Matcher, matcher_for
from slaengine.warranty import WarrantyBook

#: Period statuses: met (a matching event inside it), breached (it ended without one),
#: open (it has begun and not ended), upcoming (not begun at as_of).
MET, BREACHED, OPEN, UPCOMING = "met", "breached", "open", "upcoming"


@dataclass(frozen=True, slots=True)
class ObligationPeriod:
    """One period of a periodic obligation, for one asset or the whole contract."""

    obligation: str
    asset: str | None  # the unit the period concerns (None when contract-wide)
    index: int  # 0-based number of the period within its obligation (and asset)
    period_start: datetime
    period_end: datetime  # exclusive
    status: str
    required: int = 1  # matching events needed in the period ("N visits a year")
    done: int = 0  # matching events seen in the period
    met_at: datetime | None = None
    met_by: tuple[str, ...] = ()  # ids of the matching events
    #: A repeat-failure remedy (slaengine.remedies): the repair that made it owed, what
    #: identifies it whatever arrives later ('' for an obligation's period).
    start_key: str = ""

    @property
    def open_ended(self) -> bool:
        """A remedy owed without a deadline (no ``target``): it can be met, never missed."""
        return self.period_end == NO_DEADLINE

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation,
            "asset": self.asset,
            "index": self.index,
            "period_start": self.period_start.isoformat(),
            "period_end": None if self.open_ended else self.period_end.isoformat(),
            "status": self.status,
            "required": self.required,
            "done": self.done,
            "met_at": self.met_at.isoformat() if self.met_at else None,
            "met_by": list(self.met_by),
            # a repeat-failure remedy (三包) owed: listed with the duties that have a deadline
            **({"remedy": True} if self.start_key else {}),
        }

    def breach_json(self) -> dict[str, Any]:
        """The period as an entry of the report's ``breaches`` list (reference.md §7)."""
        data = self.to_json()
        del data["status"], data["met_at"]
        data["breached_at"] = data["period_end"]
        return data


#: The "deadline" of a remedy owed without one (``target`` left out): never reached.
NO_DEADLINE = datetime(9999, 1, 1, tzinfo=UTC)

#: The built-in obligation of the tender's final inspection (last month of each warranty).
FINAL_INSPECTION = "final-inspection"
FINAL_INSPECTION_EVENT = "final_inspection"


@dataclass(frozen=True, slots=True)
class _Slot:
    """One period of the calendar, before it is judged."""

    obligation: str
    asset: str | None
    index: int
    start: datetime
    end: datetime
    required: int


def obligation_calendar(book: WarrantyBook) -> list[_Slot]:
    """Every period of every obligation, by obligation (contract order), asset and index."""
    contract = book.contract
    zone = ZoneInfo(contract.timezone)
    slots: list[_Slot] = []
    for obligation in contract.obligations:
        for asset in _concerned(obligation, book):
            origin = book.assets[asset].accepted_on if asset else contract.acceptance
            slots.extend(_periods(obligation, asset, origin, _warranty_end(book, asset), zone))
    if _final_inspection_is_builtin(book):
        for unit in book.units():
            for index, (begins, ends) in enumerate(book.final_months(unit)):
                start, end = _midnight(begins, zone), _midnight(ends, zone)
                slots.append(_Slot(FINAL_INSPECTION, unit, index, start, end, 1))
    return slots


def judge_obligations(
    book: WarrantyBook,
    events: Iterable[Event],
    as_of: datetime,
    matcher: Matcher | None = None,
    ordered: bool = False,
) -> list[ObligationPeriod]:
    """Every period of the contract's obligations, judged at ``as_of`` (events after it are
    not applied). ``book`` is the warranty book of the same events (it gives the spans).
    ``ordered``: the events are in (at, arrival) order already (an evaluation's are)."""
    contract = book.contract
    matcher = matcher or matcher_for(contract)
    # A cheap filter before asking the rule set, which still decides what meets what.
    met_types = {c.type for obligation in contract.obligations for c in obligation.met_by}
    meeting: dict[str, list[Event]] = defaultdict(list)
    # by timestamp: comparing aware datetimes works out both offsets every time
    limit = as_of.timestamp() if as_of.tzinfo is not None else None
    for event in events if ordered else sorted(events, key=Event.sort_key):
        if event.ts > limit if limit is not None else event.at > as_of:
            break
        if event.type in met_types:
            actions = matcher.match(
                event.type, event.severity, event.asset, event.ticket, event.attrs
            )
            for action in actions:
                if action.kind == "meet":
                    meeting[action.target].append(event)
        if event.type == FINAL_INSPECTION_EVENT:
            meeting[FINAL_INSPECTION].append(event)
    return [
        _judge(slot, meeting[slot.obligation], book, as_of) for slot in obligation_calendar(book)
    ]


def next_period_end(periods: Sequence[ObligationPeriod], after: datetime) -> datetime | None:
    """The earliest end, later than ``after``, of a period not yet met: when a breach may occur
    (the live service re-evaluates then)."""
    ends = [
        p.period_end
        for p in periods
        if p.status in (OPEN, UPCOMING) and p.period_end > after and not p.open_ended
    ]
    return min(ends, default=None)


def breached_periods(periods: Iterable[ObligationPeriod]) -> list[ObligationPeriod]:
    return [period for period in periods if period.status == BREACHED]


# -- the calendar ------------------------------------------------------------------------------


def _concerned(obligation: Obligation, book: WarrantyBook) -> list[str | None]:
    """The units whose periods the obligation has (None: one contract-wide series)."""
    units = book.units()
    if not units or obligation.for_each == "contract":
        return [None]
    named = [condition.asset for condition in obligation.met_by]
    if all(asset is not None for asset in named):
        wanted = {book.unit_of(asset) for asset in named if asset is not None}
        return [unit for unit in units if unit in wanted]
    return list(units)


def _warranty_end(book: WarrantyBook, unit: str | None) -> date | None:
    """A unit's warranty end as the events now stand (extensions included); contract-wide: the
    last unit's."""
    if not book.has_warranty:
        return None
    if unit is not None:
        return book.expiry(unit)
    ends = [end for end in (book.expiry(u) for u in book.units()) if end is not None]
    return max(ends, default=None)


def _until(until: str | date | None, warranty_end: date | None, zone: ZoneInfo) -> datetime:
    if isinstance(until, date):
        return _midnight(until, zone)
    if warranty_end is None:
        # The contract model refuses "until: warranty_end" without a warranty and units.
        raise ValueError("an obligation runs until warranty_end, but there is no warranty end")
    return _midnight(warranty_end, zone)


def _periods(
    obligation: Obligation,
    asset: str | None,
    origin_day: date,
    warranty_end: date | None,
    zone: ZoneInfo,
) -> list[_Slot]:
    origin = _midnight(origin_day, zone)
    if obligation.per is not None:
        assert obligation.count is not None
        until = obligation.until or "warranty_end"
        steps = [(obligation.per, _until(until, warranty_end, zone), obligation.count)]
    else:
        steps = []
        cursor = origin
        for step in obligation.schedule:
            ends = []
            if step.for_ is not None:
                ends.append(_add(step.for_, cursor, 1, zone))
            if step.until is not None:
                ends.append(_until(step.until, warranty_end, zone))
            cursor_end = max(min(ends), cursor)
            steps.append((step.every, cursor_end, 1))
            cursor = cursor_end
    slots: list[_Slot] = []
    start = origin
    for every, end, required in steps:
        k = 0
        while True:
            period_start = _add(every, start, k, zone)
            period_end = _add(every, start, k + 1, zone)
            if period_end > end:
                break  # a period the span's end would cut short is not owed
            slots.append(
                _Slot(obligation.id, asset, len(slots), period_start, period_end, required)
            )
            k += 1
        start = max(start, end)
    return slots


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _add(every: Duration, start: datetime, times: int, zone: ZoneInfo) -> datetime:
    """``start`` + ``times`` × ``every`` on the wall clock of the contract's zone."""
    local = start.astimezone(zone).replace(tzinfo=None)
    return Duration(every.amount * times, every.unit).add_to(local).replace(tzinfo=zone)


# -- judging -----------------------------------------------------------------------------------


def _judge(
    slot: _Slot, events: list[Event], book: WarrantyBook, as_of: datetime
) -> ObligationPeriod:
    inside = [
        event
        for event in events
        if slot.start <= event.at < slot.end and _concerns(event, slot.asset, book)
    ]
    done = len(inside)
    met_at = inside[slot.required - 1].at if done >= slot.required else None
    if met_at is not None:
        status = MET
    elif slot.end <= as_of:
        status = BREACHED
    elif slot.start <= as_of:
        status = OPEN
    else:
        status = UPCOMING
    return ObligationPeriod(
        obligation=slot.obligation,
        asset=slot.asset,
        index=slot.index,
        period_start=slot.start,
        period_end=slot.end,
        status=status,
        required=slot.required,
        done=done,
        met_at=met_at,
        met_by=tuple(event.id for event in inside),
    )


def _concerns(event: Event, unit: str | None, book: WarrantyBook) -> bool:
    """Does the event count for this unit's period? (Contract-wide periods: every event.)"""
    if unit is None or event.asset is None:
        return True
    return book.unit_of(event.asset) == unit


def _final_inspection_is_builtin(book: WarrantyBook) -> bool:
    """The built-in final inspection, unless the contract writes its own obligation for it."""
    contract = book.contract
    if contract.warranty is None or not contract.warranty.final_inspection:
        return False  # no warranty, or the contract removes it (warranty.final_inspection: false)
    return not any(
        obligation.id == FINAL_INSPECTION
        or any(c.type == FINAL_INSPECTION_EVENT for c in obligation.met_by)
        for obligation in contract.obligations
    )
