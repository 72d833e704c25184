"""Back-testing a contract on ticket history: what would these terms have cost, and when?

Theory of operation
-------------------
A back-test is a replay with a different question. ``evaluate`` (the pure core) judges every
clock of the history at ``as_of`` and prices the breaches (``Report.charges``); this module only
*summarises* that report for a contract manager deciding whether to sign, or what to offer:

* per commitment (and per obligation): clocks, met, breached, cancelled, the on-time rate, and the
  penalties owed, what the caps leave of them (charged) and the compensation;
* per month and per contract year: breaches and money, so seasonality and the caps show;
* the worst tickets: the latest (most seconds past a deadline) and the costliest;
* a *what-if*: the same history under a contract whose targets differ ("on site within 1 h
  instead of 30 min"), side by side with the base, per commitment.

The summary is made of running totals (``Summary``): each ticket's clocks are folded in as they
are judged (``summarize_streaming``, over slaengine.replay.judge_streaming) and then dropped, so
a back-test holds the events, the totals and what pricing needs (the breached clocks), never the
report's whole ``clocks`` list; what only the whole evaluation knows — obligation periods and
the penalty lines, priced across tickets — is added once every ticket is judged
(``Summary.finish``). ``summarize(report)`` feeds a whole report's clocks through the same
totals, so the two give the same summary (tests/test_backtest_stream.py).

Nothing is computed twice. Statuses and lateness come from the report's clocks; money comes from
the report's penalty lines, so the figures here always add up to the report's totals. A line's
month and contract year are those of its ``billed_at`` (the breach's deadline, reference.md §4);
a breach's month is that of its deadline. What the yearly (and total) cap takes off is carried by
the lines it cut (``year_cut``, ``total_cut``), so "charged" can be shown per commitment and per
month without inventing an apportioning rule.

Two choices a back-test has to make, and why (docs/backtest.md):

* **as_of defaults to the last event's time**, not to now. History is judged as it stood when it
  was exported: a clock still open at the end of the export (a report never filed, a ticket still
  being worked) is late by what it was late *then*. Judged at today's date, every such clock would
  be years late and the open breaches' provisional penalties would grow with the calendar.
* **Contract years run from acceptance** (caps are per contract year). History recorded before
  the contract's ``accepted_on`` all falls into year 1 (``penalties.years``), so a yearly cap
  would cap four years of history once. ``with_acceptance`` re-bases a contract on another
  acceptance date for the back-test; a contract written for the history (e.g.
  contracts/helpdesk-backtest.yaml) has the right date to begin with.

Like the rest of the core this reads no clock and does no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.clocks import BREACHED, CANCELLED, MET, PAUSED, RUNNING, Clock
from slaengine.contract.models import Contract
from slaengine.durations import Duration
from slaengine.errors import SlaError
from slaengine.evaluate import Context, Report
from slaengine.events import Event, Rejected
from slaengine.identity import ticket_order
from slaengine.money import ZERO
from slaengine.obligations import BREACHED as PERIOD_BREACHED
from slaengine.obligations import MET as PERIOD_MET
from slaengine.obligations import OPEN as PERIOD_OPEN
from slaengine.obligations import UPCOMING as PERIOD_UPCOMING
from slaengine.penalties import Line, Totals
from slaengine.penalties.words import amount_text
from slaengine.penalties.years import contract_year, year_start
from slaengine.replay import judge_streaming

__all__ = [
    "Backtest",
    "BacktestError",
    "BacktestResult",
    "Month",
    "Row",
    "Summary",
    "TicketFigures",
    "WhatIf",
    "Year",
    "history_end",
    "history_start",
    "parse_what_if",
    "run_backtest",
    "summarize",
    "summarize_streaming",
    "with_acceptance",
    "with_targets",
]

_INSTANT = timedelta(microseconds=1)

#: Row kinds: a commitment's clocks, an obligation's periods, lines tied to neither.
COMMITMENT, OBLIGATION, OTHER = "commitment", "obligation", "other"


class BacktestError(SlaError):
    """A back-test cannot run as asked (an unknown commitment in --what-if, no events, ...)."""


def _rate(met: int, breached: int) -> float | None:
    judged = met + breached
    return met / judged if judged else None


def _money(value: Decimal) -> str:
    return amount_text(value)


def _charged(line: Line) -> Decimal:
    """What a penalty line is charged after the caps cut it (zero when waived)."""
    if not line.counts or line.amount is None:
        return ZERO
    return line.amount - line.year_cut - line.total_cut


def _owed(line: Line) -> Decimal:
    return line.amount if line.counts and line.amount is not None else ZERO


@dataclass(slots=True)
class Row:
    """One commitment (its clocks) or obligation (its periods), with its money."""

    kind: str
    id: str
    target: str | None = None
    clocks: int = 0
    met: int = 0
    breached: int = 0
    #: Breached and still running at as_of (their lateness and penalties are provisional).
    open_breaches: int = 0
    cancelled: int = 0
    #: Cancelled after the deadline had passed: a breach the history withdrew.
    withdrawn: int = 0
    #: Running or paused at as_of (or, for an obligation, periods not ended yet).
    running: int = 0
    late_seconds: int = 0
    max_late_seconds: int = 0
    penalties_owed: Decimal = ZERO
    penalties_charged: Decimal = ZERO
    compensation: Decimal = ZERO

    @property
    def on_time_rate(self) -> float | None:
        """Met among the judged (met or breached); None when nothing was judged."""
        return _rate(self.met, self.breached)

    def to_json(self) -> dict[str, Any]:
        rate = self.on_time_rate
        return {
            "kind": self.kind,
            "id": self.id,
            "target": self.target,
            "clocks": self.clocks,
            "met": self.met,
            "breached": self.breached,
            "open_breaches": self.open_breaches,
            "cancelled": self.cancelled,
            "withdrawn": self.withdrawn,
            "running": self.running,
            "on_time_rate": round(rate, 4) if rate is not None else None,
            "late_seconds": self.late_seconds,
            "max_late_seconds": self.max_late_seconds,
            "penalties_owed": _money(self.penalties_owed),
            "penalties_charged": _money(self.penalties_charged),
            "compensation": _money(self.compensation),
        }


@dataclass(slots=True)
class Tally:
    """Breaches and money over a span (a month, a contract year)."""

    breaches: int = 0
    penalties_owed: Decimal = ZERO
    cap_cut: Decimal = ZERO
    compensation: Decimal = ZERO

    @property
    def penalties_charged(self) -> Decimal:
        return self.penalties_owed - self.cap_cut

    def money_json(self) -> dict[str, Any]:
        return {
            "breaches": self.breaches,
            "penalties_owed": _money(self.penalties_owed),
            "cap_cut": _money(self.cap_cut),
            "penalties_charged": _money(self.penalties_charged),
            "compensation": _money(self.compensation),
        }


@dataclass(slots=True)
class Month(Tally):
    """One calendar month (in the contract's time zone) of breaches and money."""

    month: str = ""  # 2012-10
    by_commitment: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            **self.money_json(),
            "by_commitment": dict(sorted(self.by_commitment.items())),
        }


@dataclass(slots=True)
class Year(Tally):
    """One contract year (from acceptance): where the yearly cap bites."""

    year: int = 0
    first_day: date = date.min
    last_day: date = date.min

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            **self.money_json(),
        }


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """A ticket among the worst: its latest breach and what its breaches cost."""

    ticket: str
    severity: str | None
    breaches: int
    #: The commitment of the ticket's latest breach, and by how much it was late.
    worst_commitment: str | None
    max_late_seconds: int
    #: Whether that breach was still open at as_of (so the lateness was still growing).
    worst_open: bool
    penalties_owed: Decimal
    compensation: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "severity": self.severity,
            "breaches": self.breaches,
            "worst_commitment": self.worst_commitment,
            "max_late_seconds": self.max_late_seconds,
            "worst_open": self.worst_open,
            "penalties_owed": _money(self.penalties_owed),
            "compensation": _money(self.compensation),
        }


@dataclass
class Backtest:
    """The summary of one contract over one history at one ``as_of``."""

    contract: Contract
    as_of: datetime
    first_event: datetime | None
    last_event: datetime | None
    events: int
    tickets: int
    rejected: int
    rows: list[Row]
    months: list[Month]
    years: list[Year]
    most_late: list[TicketFigures]
    most_penalty: list[TicketFigures]
    totals: Totals
    breaches: int

    def notes(self) -> list[str]:
        """What a reader must know to read the figures right (shown under the tables)."""
        notes: list[str] = []
        contract = self.contract
        zone = ZoneInfo(contract.timezone)
        accepted = year_start(contract, 1)
        if self.first_event is not None and self.first_event < accepted:
            first = self.first_event.astimezone(zone).date()
            until = min(self.as_of, accepted).astimezone(zone).date()
            before = "all of the history" if self.as_of < accepted else "part of the history"
            notes.append(
                f"{before} ({first} to {until}) lies before the contract's acceptance on "
                f"{contract.accepted_on}: contract years run from acceptance, so it counts as "
                f"contract year 1 and the yearly cap applies to it once; re-base the contract "
                f"(--accepted-on {first}) to count the history's own years"
            )
        open_breaches = sum(row.open_breaches for row in self.rows)
        if open_breaches:
            notes.append(
                f"{open_breaches} breach(es) were still open at as_of: their lateness and "
                f"penalties are as of then (provisional: "
                f"{_money(self.totals.provisional)} {contract.currency})"
            )
        if self.rejected:
            notes.append(f"{self.rejected} event(s) were rejected and are not in these figures")
        return notes

    def row(self, row_id: str) -> Row:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def counterpart(self, other: Row) -> Row:
        """This back-test's row for the same commitment or obligation as ``other`` (an empty
        one when nothing of it happened here)."""
        for row in self.rows:
            if row.kind == other.kind and row.id == other.id:
                return row
        return Row(other.kind, other.id)

    def to_json(self) -> dict[str, Any]:
        zone = ZoneInfo(self.contract.timezone)

        def local(when: datetime | None) -> str | None:
            return when.astimezone(zone).isoformat() if when is not None else None

        return {
            "contract": self.contract.id,
            "version": self.contract.version,
            "accepted_on": self.contract.acceptance.isoformat(),
            "currency": self.contract.currency,
            "as_of": local(self.as_of),
            "history": {
                "first_event": local(self.first_event),
                "last_event": local(self.last_event),
            },
            "events": self.events,
            "tickets": self.tickets,
            "rejected": self.rejected,
            "breaches": self.breaches,
            "totals": self.totals.to_json(),
            "notes": self.notes(),
            "commitments": [row.to_json() for row in self.rows],
            "months": [month.to_json() for month in self.months],
            "contract_years": [year.to_json() for year in self.years],
            "worst_tickets": {
                "most_late": [t.to_json() for t in self.most_late],
                "most_penalty": [t.to_json() for t in self.most_penalty],
            },
        }


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The same history under changed targets, beside the base."""

    #: commitment -> (base target, what-if target)
    changes: dict[str, tuple[str, str]]
    base: Backtest
    other: Backtest

    def to_json(self) -> dict[str, Any]:
        rows = []
        for base_row in self.base.rows:
            other = self.other.counterpart(base_row)
            rows.append(
                {
                    "kind": base_row.kind,
                    "id": base_row.id,
                    "changed": base_row.id in self.changes,
                    "base": _side(base_row),
                    "what_if": _side(other),
                }
            )
        base_totals, other_totals = self.base.totals, self.other.totals
        return {
            "changes": {
                commitment: {"base": before, "what_if": after}
                for commitment, (before, after) in self.changes.items()
            },
            "commitments": rows,
            "totals": {
                "base": _totals_side(base_totals, self.base.breaches),
                "what_if": _totals_side(other_totals, self.other.breaches),
            },
            "what_if_report": self.other.to_json(),
        }


def _side(row: Row) -> dict[str, Any]:
    rate = row.on_time_rate
    return {
        "target": row.target,
        "breaches": row.breached,
        "on_time_rate": round(rate, 4) if rate is not None else None,
        "penalties_owed": _money(row.penalties_owed),
        "penalties_charged": _money(row.penalties_charged),
        "compensation": _money(row.compensation),
    }


def _totals_side(totals: Totals, breaches: int) -> dict[str, Any]:
    return {
        "breaches": breaches,
        "penalties_owed": _money(totals.penalties_before_caps),
        "penalties_charged": _money(totals.penalties),
        "compensation": _money(totals.compensation),
    }


@dataclass(frozen=True, slots=True)
class BacktestResult:
    base: Backtest
    what_if: WhatIf | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.base.to_json()
        if self.what_if is not None:
            data["what_if"] = self.what_if.to_json()
        return data


# -- the summary ------------------------------------------------------------------------------


def history_end(events: Iterable[Event]) -> datetime | None:
    """The time of the last event: a back-test's default ``as_of`` (see the module doc)."""
    return max((event.at for event in events), default=None)


def history_start(events: Iterable[Event]) -> datetime | None:
    """The time of the first event (where the history begins)."""
    return min((event.at for event in events), default=None)


def _month(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m")


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _clock_row(row: Row, clock: Clock) -> None:
    row.clocks += 1
    if clock.status == MET:
        row.met += 1
    elif clock.status == BREACHED:
        row.breached += 1
        row.late_seconds += clock.late_by_seconds
        row.max_late_seconds = max(row.max_late_seconds, clock.late_by_seconds)
        if clock.stopped_at is None:
            row.open_breaches += 1
    elif clock.status == CANCELLED:
        row.cancelled += 1
        if clock.withdrawn:
            row.withdrawn += 1
    elif clock.status in (RUNNING, PAUSED):
        row.running += 1


class Summary:
    """A back-test's running totals, fed ticket by ticket (``add``) and closed by ``finish``.

    ``add`` takes one ticket's judged clocks and folds them into the per-commitment counts, the
    months' and contract years' breaches, and the figures of the ticket if it breached; nothing
    of a clock is kept after it. ``finish`` adds what only the whole evaluation knows (the
    obligation periods and the penalty lines, priced across tickets) and ranks the worst
    tickets. So a streamed back-test holds the totals and, per breached ticket, a handful of
    numbers, never the clocks met, cancelled or still running.
    """

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.zone = ZoneInfo(contract.timezone)
        self.rows: dict[tuple[str, str], Row] = {
            (COMMITMENT, c.id): Row(COMMITMENT, c.id, str(c.target)) for c in contract.commitments
        }
        for obligation in contract.obligations:
            self.rows.setdefault((OBLIGATION, obligation.id), Row(OBLIGATION, obligation.id))
        self.months: dict[str, Month] = {}
        self.years: dict[int, Year] = {}
        self.breaches = 0
        #: ticket -> its breaches and its latest breach (the first of the latest, in clock order)
        self.worst: dict[str, _TicketBreaches] = {}
        self.finished = False

    def row_for(self, kind: str, row_id: str) -> Row:
        found = self.rows.get((kind, row_id))
        if found is None:
            found = self.rows[(kind, row_id)] = Row(kind, row_id)
        return found

    def month_for(self, when: datetime) -> Month:
        key = _month(when, self.zone)
        found = self.months.get(key)
        if found is None:
            found = self.months[key] = Month(month=key)
        return found

    def year_for(self, number: int) -> Year:
        found = self.years.get(number)
        if found is None:
            first = year_start(self.contract, number).date()
            last = year_start(self.contract, number + 1).date()
            found = self.years[number] = Year(
                year=number, first_day=first, last_day=date.fromordinal(last.toordinal() - 1)
            )
        return found

    def add(self, clocks: Iterable[Clock]) -> None:
        """Fold judged clocks (one ticket's, or any, in report order) into the totals."""
        for clock in clocks:
            _clock_row(self.row_for(COMMITMENT, clock.commitment), clock)
            if clock.status != BREACHED:
                continue
            self.breaches += 1
            month = self.month_for(clock.deadline)
            month.breaches += 1
            month.by_commitment[clock.commitment] = month.by_commitment.get(clock.commitment, 0) + 1
            self.year_for(contract_year(self.contract, clock.deadline)).breaches += 1
            late = clock.late_by_seconds
            seen = self.worst.get(clock.ticket)
            if seen is None:
                self.worst[clock.ticket] = _TicketBreaches(
                    1, late, clock.commitment, clock.stopped_at is None
                )
                continue
            seen.breaches += 1
            # Strictly greater: of equally late breaches the first stays, as ``max`` keeps it.
            if (late, clock.commitment) > (seen.late, seen.commitment):
                seen.late, seen.commitment = late, clock.commitment
                seen.open = clock.stopped_at is None

    def finish(self, report: Report, top: int = 10) -> Backtest:
        """The back-test of ``report``, whose clocks have all gone through ``add`` (the report
        may keep only some of them: its periods, lines, tickets and events are read here).
        Once: it adds the periods and the money to the totals."""
        if self.finished:
            raise RuntimeError("a back-test's totals are finished once")
        self.finished = True
        contract, zone = self.contract, self.zone
        charges = report.charges
        for period in report.periods:
            row = self.row_for(OBLIGATION, period.obligation)
            row.clocks += 1
            if period.status == PERIOD_MET:
                row.met += 1
            elif period.status == PERIOD_BREACHED:
                row.breached += 1
                self.breaches += 1
                # A missed period is breached as it ends, and belongs to the period it closes
                # (the instant before its exclusive end), as its penalty lines do
                # (penalties.lines).
                last_instant = period.period_end - _INSTANT
                month = self.month_for(last_instant)
                month.breaches += 1
                month.by_commitment[period.obligation] = (
                    month.by_commitment.get(period.obligation, 0) + 1
                )
                self.year_for(contract_year(contract, last_instant)).breaches += 1
            elif period.status in (PERIOD_OPEN, PERIOD_UPCOMING):
                row.running += 1

        owed_by_ticket: dict[str, Decimal] = defaultdict(lambda: ZERO)
        compensation_by_ticket: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in charges.penalties:
            row = _line_row(line, self.row_for)
            owed, charged = _owed(line), _charged(line)
            row.penalties_owed += owed
            row.penalties_charged += charged
            month = self.month_for(line.billed_at)
            month.penalties_owed += owed
            month.cap_cut += owed - charged
            year = self.year_for(line.contract_year)
            year.penalties_owed += owed
            year.cap_cut += owed - charged
            if line.ticket is not None:
                owed_by_ticket[line.ticket] += owed
        for line in charges.compensation:
            amount = _owed(line)
            _line_row(line, self.row_for).compensation += amount
            self.month_for(line.billed_at).compensation += amount
            self.year_for(line.contract_year).compensation += amount
            if line.ticket is not None:
                compensation_by_ticket[line.ticket] += amount

        first_event = history_start(report.events)
        last_event = history_end(report.events)
        if first_event is not None:
            span = _months_between(_month(first_event, zone), _month(report.as_of, zone))
            for key in span:
                self.months.setdefault(key, Month(month=key))
            first_year = contract_year(contract, first_event)
            for number in range(first_year, contract_year(contract, report.as_of) + 1):
                self.year_for(number)

        named = set(self.worst) | set(owed_by_ticket) | set(compensation_by_ticket)
        severity = {t.ticket: t.severity for t in report.tickets if t.ticket in named}
        figures = [
            _ticket_figures(
                ticket,
                severity.get(ticket),
                self.worst.get(ticket),
                owed_by_ticket,
                compensation_by_ticket,
            )
            for ticket in named
        ]
        most_late = sorted(
            (f for f in figures if f.max_late_seconds > 0),
            key=lambda f: (-f.max_late_seconds, ticket_order(f.ticket)),
        )[:top]
        most_penalty = sorted(
            (f for f in figures if f.penalties_owed + f.compensation > 0),
            key=lambda f: (
                -(f.penalties_owed + f.compensation),
                -f.max_late_seconds,
                ticket_order(f.ticket),
            ),
        )[:top]
        return Backtest(
            contract=contract,
            as_of=report.as_of,
            first_event=first_event,
            last_event=last_event,
            events=len(report.events),
            tickets=len(report.tickets),
            rejected=len(report.rejected),
            rows=list(self.rows.values()),
            months=[self.months[key] for key in sorted(self.months)],
            years=[self.years[number] for number in sorted(self.years)],
            most_late=most_late,
            most_penalty=most_penalty,
            totals=charges.totals(),
            breaches=self.breaches,
        )


@dataclass(slots=True)
class _TicketBreaches:
    """A ticket's breaches so far and its latest one (for the worst tickets)."""

    breaches: int
    late: int
    commitment: str
    open: bool


def summarize(report: Report, top: int = 10) -> Backtest:
    """The back-test summary of a whole evaluation report (see the module doc)."""
    summary = Summary(report.contract)
    summary.add(report.clocks)
    return summary.finish(report, top)


def summarize_streaming(
    context: Context,
    events: Iterable[Event],
    as_of: datetime,
    rejected: Sequence[Rejected] = (),
    top: int = 10,
) -> Backtest:
    """The back-test summary of ``events`` judged ticket by ticket: each ticket's clocks go
    into the running totals as they are judged and are dropped, so memory holds the events,
    the totals and what pricing needs (slaengine.replay.judge_streaming), not the report."""
    summary = Summary(context.contract)
    report = judge_streaming(context, events, as_of, rejected, each_ticket=summary.add)
    return summary.finish(report, top)


def _line_row(line: Line, row_for: Callable[[str, str], Row]) -> Row:
    """The row a line's money goes to: its commitment, its obligation, or its clause."""
    if line.commitment is not None:
        found = row_for(COMMITMENT, line.commitment)
    elif line.obligation is not None:
        found = row_for(OBLIGATION, line.obligation)
    else:
        found = row_for(OTHER, line.clause or "other")
    return found


def _ticket_figures(
    ticket: str,
    severity: str | None,
    worst: _TicketBreaches | None,
    owed: Mapping[str, Decimal],
    compensation: Mapping[str, Decimal],
) -> TicketFigures:
    return TicketFigures(
        ticket=ticket,
        severity=severity,
        breaches=worst.breaches if worst is not None else 0,
        worst_commitment=worst.commitment if worst is not None else None,
        max_late_seconds=worst.late if worst is not None else 0,
        worst_open=worst is not None and worst.open,
        penalties_owed=owed.get(ticket, ZERO),
        compensation=compensation.get(ticket, ZERO),
    )


# -- changed contracts ------------------------------------------------------------------------


def _rebuilt(contract: Contract, changes: Mapping[str, Any]) -> Contract:
    """The contract with some fields replaced, validated again.

    ``Contract.model_copy(update=...)`` alone is not enough: it copies the instance dictionary,
    and with it the original's cached lookups (``commitment(id)``, the event types), so the copy
    would still hand out the old commitments. Rebuilding from the fields validates the change
    (cross-references included) and starts with empty caches.
    """
    values = {name: getattr(contract, name) for name in type(contract).model_fields}
    values.update(changes)
    return type(contract).model_validate(values)


def parse_what_if(texts: Sequence[str], contract: Contract) -> dict[str, Duration]:
    """``--what-if onsite-30min=1h`` (repeatable): commitment id -> the target to try instead."""
    known = [c.id for c in contract.commitments]
    changes: dict[str, Duration] = {}
    for text in texts:
        commitment, sep, target = text.partition("=")
        commitment, target = commitment.strip(), target.strip()
        if not sep or not commitment or not target:
            raise BacktestError(
                f"--what-if {text!r}: write COMMITMENT=TARGET, e.g. onsite-30min=1h"
            )
        if commitment not in known:
            raise BacktestError(
                f"--what-if {text!r}: contract {contract.id} has no commitment {commitment!r} "
                f"(its commitments: {', '.join(known)})"
            )
        try:
            duration = Duration.parse(target)
        except ValueError as exc:
            raise BacktestError(f"--what-if {text!r}: {exc}") from None
        if duration.is_calendar:
            raise BacktestError(
                f"--what-if {text!r}: a clock target is written in s, m, h or d, not {duration}"
            )
        if commitment in changes and changes[commitment] != duration:
            raise BacktestError(
                f"--what-if names {commitment!r} twice ({changes[commitment]} and {duration}); "
                "give each commitment one target"
            )
        changes[commitment] = duration
    return changes


def with_targets(contract: Contract, targets: Mapping[str, Duration]) -> Contract:
    """The contract with other targets for some commitments (the what-if contract).

    Only targets change: conditions, calendars and clauses stay, so the what-if differs from the
    base in exactly what was asked. A per-started clause still counts lateness past the new
    deadline.
    """
    unknown = sorted(set(targets) - {c.id for c in contract.commitments})
    if unknown:
        raise BacktestError(f"contract {contract.id} has no commitment {', '.join(unknown)}")
    commitments = [
        c.model_copy(update={"target": targets[c.id]}) if c.id in targets else c
        for c in contract.commitments
    ]
    return _rebuilt(contract, {"commitments": commitments})


def with_acceptance(contract: Contract, accepted_on: date) -> Contract:
    """The contract re-based on another acceptance date (``--accepted-on``).

    Everything that runs from acceptance moves with it: contract years (and so the yearly cap),
    warranty terms, and periodic obligations. An ``effective_from`` the contract sets itself is
    kept; without one, the version is effective from the new acceptance date.
    """
    return _rebuilt(contract, {"accepted_on": accepted_on})


# -- the whole back-test ----------------------------------------------------------------------


def run_backtest(
    contract: Contract,
    events: Sequence[Event],
    as_of: datetime | None = None,
    what_if: Mapping[str, Duration] | None = None,
    rejected: Sequence[Rejected] = (),
    top: int = 10,
) -> BacktestResult:
    """Replay ``events`` under ``contract`` (and under the what-if targets, if any) and
    summarise, ticket by ticket (``summarize_streaming``; the what-if after the base, so only
    one evaluation is in memory at a time); ``as_of`` defaults to the last event's time."""
    when = as_of if as_of is not None else history_end(events)
    if when is None:
        raise BacktestError(
            "no events to back-test (every event was rejected, or the history is empty)"
        )
    base = summarize_streaming(Context(contract), events, when, rejected, top)
    if not what_if:
        return BacktestResult(base)
    other_contract = with_targets(contract, what_if)
    other = summarize_streaming(Context(other_contract), events, when, rejected, top)
    changes = {
        commitment: (str(contract.commitment(commitment).target), str(target))
        for commitment, target in what_if.items()
    }
    return BacktestResult(base, WhatIf(changes, base, other))
