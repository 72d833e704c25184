"""Lines: one amount, for one clause, for one breach (or event, or period), with its formula.

A line is what billing staff check: where the amount comes from (ticket, commitment, cycle,
obligation period or event), which clause, which formula in words and numbers, and what a cap
took off. Lines are immutable; waivers and caps produce changed copies, never edits in place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from slaengine.money import ZERO
from slaengine.penalties.words import amount_text

#: Sections of a report and a statement.
PENALTY, COMPENSATION, REMEDY, ADJUSTMENT = "penalty", "compensation", "remedy", "adjustment"

#: What a line is charged for.
CLOCK, OBLIGATION, EVENT, PERIOD = "clock", "obligation", "event", "period"

_INSTANT = timedelta(microseconds=1)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> str | None:
    return amount_text(value) if value is not None else None


# Trigger, Priced and Line are not frozen (as slaengine.clocks.Clock is not): a frozen dataclass's
# __init__ sets each field through object.__setattr__, two to seven times the cost (measured), and
# pricing builds one of each per breach (a Line again per line a cap cuts). They are never changed
# once built; ``unsafe_hash`` keeps the hash and equality a frozen one has.
@dataclass(slots=True, unsafe_hash=True)
class Trigger:
    """What a clause is charged for: a breached clock, a missed obligation period, an event
    matching the clause's ``on_event``, or a fee period (service credit)."""

    source: str  # CLOCK, OBLIGATION, EVENT or PERIOD
    occurred_at: datetime
    #: ``occurred_at`` is the exclusive end of a period: the line belongs to the instant before
    #: it (a period ending at midnight on 15 January belongs to the contract year it closes).
    ends_period: bool = False
    ticket: str | None = None
    commitment: str | None = None
    cycle: int | None = None
    obligation: str | None = None
    asset: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    event: str | None = None
    event_type: str | None = None
    #: Seconds late, excused and paused time excluded (None: the trigger has no lateness).
    late_by_seconds: int | None = None
    #: The calendar the lateness was counted on (a commitment with ``lateness: calendar``);
    #: None: wall-clock time.
    late_on: str | None = None
    #: An open breach: charged on the lateness so far, final only when the clock stops.
    provisional: bool = False
    #: Which start of a commitment that runs per start (0: the commitment's one clock).
    occurrence: int = 0
    #: The breached clock's ``Clock.start_key`` (its start event's id for a commitment that
    #: runs per start, else ''): with commitment and cycle, what identifies its breach.
    start_key: str = ""

    @property
    def key(self) -> str:
        """A stable name for what was breached, part of every line id."""
        if self.source == CLOCK:
            key = f"{self.ticket}/{self.commitment}/{self.cycle}"
            return f"{key}#{self.occurrence}" if self.occurrence else key
        if self.source == OBLIGATION:
            start = _time(self.period_start)
            return f"{self.obligation}/{self.asset or '-'}/{start}"
        if self.source == EVENT:
            return f"event/{self.event}"
        return f"period/{_time(self.period_start)}"

    @property
    def billed_at(self) -> datetime:
        """The instant that decides the contract year and billing period of its lines."""
        return self.occurred_at - _INSTANT if self.ends_period else self.occurred_at


# Not frozen: see Trigger.
@dataclass(slots=True, unsafe_hash=True)
class Priced:
    """What a clause kind says one trigger costs: an amount (None for a remedy) and why."""

    amount: Decimal | None
    formula_en: str
    formula_zh: str
    #: The event the amount comes from when it is not the trigger (a cost claim).
    event: str | None = None
    #: When the amount became owed, if later than the trigger (a claim made after the breach).
    owed_at: datetime | None = None


# Not frozen: see Trigger.
@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One priced line of a statement: a penalty, compensation, remedy or cap adjustment."""

    id: str
    section: str  # PENALTY, COMPENSATION, REMEDY or ADJUSTMENT
    clause: str | None
    kind: str  # the clause kind, or for an adjustment the cap (per_contract_year, contract_total)
    source: str
    occurred_at: datetime
    billed_at: datetime
    contract_year: int
    amount: Decimal | None
    formula_en: str
    formula_zh: str
    ticket: str | None = None
    commitment: str | None = None
    cycle: int | None = None
    obligation: str | None = None
    asset: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    event: str | None = None
    event_type: str | None = None
    late_by_seconds: int | None = None
    provisional: bool = False
    waived: bool = False
    waiver_reason: str | None = None
    waived_by: str | None = None
    waiver_event: str | None = None
    #: For a clock's line, the clock's ``Clock.start_key`` (its start event's id for a
    #: commitment that runs per start, else ''): what links the line to its stored breach
    #: whatever arrives later (slaengine.service.row_keys; the id's ``#n`` is ``occurrence``,
    #: the start's place in time order).
    start_key: str = ""
    #: The amount before the per-breach cap, when the cap took something off.
    uncapped_amount: Decimal | None = None
    #: The per-breach cap that applied ("5000.00 per breach"), in words.
    cap_applied: str | None = None
    #: Which start of a commitment that runs per start its clock is (1, 2, ...; 0 for a
    #: commitment's one clock of a cycle, and for a line of no clock): slaengine.identity.
    occurrence: int = 0
    #: What the yearly cap and the contract-total cap took off this line (shown as
    #: adjustment lines; the line itself keeps what was owed).
    year_cut: Decimal = ZERO
    total_cut: Decimal = ZERO
    #: What the rolling-window cap (``caps.rolling``) took off this line.
    rolling_cut: Decimal = ZERO

    def formula(self, lang: str) -> str:
        return self.formula_zh if lang == "zh" else self.formula_en

    def with_cuts(self, year_cut: Decimal, total_cut: Decimal, rolling_cut: Decimal = ZERO) -> Line:
        """This line with what the yearly, total and rolling caps took off (a copy: lines never
        change). Built positionally: ``dataclasses.replace`` costs twice as much, and a year
        past its cap cuts every later line."""
        # one attrgetter reads every kept field in C (a getattr per field was most of the cost)
        values: list[Any] = [*_read_kept(self), year_cut, total_cut, rolling_cut]
        return Line(*values)

    def order_key(self) -> tuple[float, str]:
        """Lines in the order they occurred (a timestamp: cheaper than comparing aware times)."""
        return (self.billed_at.timestamp(), self.id)

    @property
    def counts(self) -> bool:
        """Whether the line's amount enters the totals (a waived line stays for the record)."""
        return not self.waived and self.amount is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "clause": self.clause,
            "kind": self.kind,
            "source": self.source,
            "ticket": self.ticket,
            "commitment": self.commitment,
            "cycle": self.cycle,
            **({"occurrence": self.occurrence} if self.occurrence else {}),
            "obligation": self.obligation,
            "asset": self.asset,
            "period_start": _time(self.period_start),
            "period_end": _time(self.period_end),
            "event": self.event,
            "event_type": self.event_type,
            "occurred_at": self.occurred_at.isoformat(),
            "contract_year": self.contract_year,
            "late_by_seconds": self.late_by_seconds,
            "amount": _money(self.amount),
            "formula_en": self.formula_en,
            "formula_zh": self.formula_zh,
            "provisional": self.provisional,
            "waived": self.waived,
        }
        if self.waived:
            data["waiver_reason"] = self.waiver_reason
            data["waived_by"] = self.waived_by
            data["waiver_event"] = self.waiver_event
        if self.cap_applied is not None:
            data["uncapped_amount"] = _money(self.uncapped_amount)
            data["cap_applied"] = self.cap_applied
        if self.year_cut:
            data["year_cap_cut"] = _money(self.year_cut)
        if self.total_cut:
            data["total_cap_cut"] = _money(self.total_cut)
        if self.rolling_cut:
            data["rolling_cap_cut"] = _money(self.rolling_cut)
        return data

    def to_stored(self) -> dict[str, Any]:
        """``to_json`` with what ``from_json`` needs to make the line again exactly: the
        instant that bills it and its clock's start key (the store keeps lines this way)."""
        return {
            **self.to_json(),
            "billed_at": self.billed_at.isoformat(),
            "start_key": self.start_key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        """The line ``to_stored`` (or ``to_json``) wrote. Without ``billed_at`` (a line stored
        before it was kept) it is worked out as ``Trigger.billed_at`` does: the instant before
        the end of the period a period's line occurred at, else when the line occurred."""
        occurred_at = datetime.fromisoformat(data["occurred_at"])
        period_end = _datetime(data.get("period_end"))
        billed = data.get("billed_at")
        if billed:
            billed_at = datetime.fromisoformat(billed)
        elif data["source"] in (OBLIGATION, PERIOD) and period_end == occurred_at:
            billed_at = occurred_at - _INSTANT
        else:
            billed_at = occurred_at
        return cls(
            id=data["id"],
            section=data["section"],
            clause=data.get("clause"),
            kind=data["kind"],
            source=data["source"],
            occurred_at=occurred_at,
            billed_at=billed_at,
            contract_year=int(data["contract_year"]),
            amount=_decimal(data.get("amount")),
            formula_en=data["formula_en"],
            formula_zh=data["formula_zh"],
            ticket=data.get("ticket"),
            commitment=data.get("commitment"),
            cycle=data.get("cycle"),
            obligation=data.get("obligation"),
            asset=data.get("asset"),
            period_start=_datetime(data.get("period_start")),
            period_end=period_end,
            event=data.get("event"),
            event_type=data.get("event_type"),
            late_by_seconds=data.get("late_by_seconds"),
            provisional=bool(data.get("provisional")),
            waived=bool(data.get("waived")),
            waiver_reason=data.get("waiver_reason"),
            waived_by=data.get("waived_by"),
            waiver_event=data.get("waiver_event"),
            start_key=data.get("start_key") or "",
            uncapped_amount=_decimal(data.get("uncapped_amount")),
            cap_applied=data.get("cap_applied"),
            occurrence=int(data.get("occurrence") or 0),
            year_cut=_decimal(data.get("year_cap_cut")) or ZERO,
            total_cut=_decimal(data.get("total_cap_cut")) or ZERO,
            rolling_cut=_decimal(data.get("rolling_cap_cut")) or ZERO,
        )


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


#: Every field of a line but the three cuts (the last three), in order.
_KEPT_BY_CUTS = tuple(f.name for f in fields(Line))[:-3]
_read_kept = attrgetter(*_KEPT_BY_CUTS)
assert tuple(f.name for f in fields(Line))[-3:] == ("year_cut", "total_cut", "rolling_cut")
