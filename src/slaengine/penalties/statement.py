"""Statements for billing: the lines of one billing period, its totals and its figures.

A billing period is a calendar month (``2026-10``) or a span of dates, both inclusive, in the
contract's time zone. A line belongs to the period in which its breach occurred (a clock's
deadline, an obligation period's end, an event's time), so a statement never moves when it is
printed again later — except for what later events legitimately change: a breach withdrawn,
a waiver granted, an open breach that stopped. A statement printed before its period is over
says so, and its open breaches are marked provisional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from slaengine.contract.models import Contract
from slaengine.durations import add_months
from slaengine.errors import SlaError
from slaengine.findings import Findings, TicketSummary
from slaengine.measures import MeasurePeriod
from slaengine.measures.compliance import Compliance, measure, measure_obligation
from slaengine.penalties.charge import Charges, Totals, charge
from slaengine.penalties.disputes import DisputeMark, line_reference
from slaengine.penalties.kinds.measure_credit import period_money
from slaengine.penalties.lines import Line
from slaengine.penalties.words import amount_text
from slaengine.penalties.years import local_midnight
from slaengine.spans import days_text

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Window:
    """A billing period: [start, end) in the contract's time zone."""

    start: datetime
    end: datetime
    label: str

    @classmethod
    def month(cls, contract: Contract, text: str) -> Window:
        """``2026-10``: the calendar month."""
        match = _MONTH.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise SlaError(f"--period: {text!r} is not a month; write it like 2026-10")
        first = date(int(match.group(1)), int(match.group(2)), 1)
        start = local_midnight(contract, first)
        end = local_midnight(contract, add_months(first, 1))
        return cls(start, end, first.strftime("%Y-%m"))

    @classmethod
    def dates(cls, contract: Contract, first: date, last: date) -> Window:
        """From ``first`` to ``last``, both days included."""
        if last < first:
            raise SlaError(f"--to {last} is before --from {first}")
        start = local_midnight(contract, first)
        end = local_midnight(contract, last + timedelta(days=1))
        return cls(start, end, days_text(first, last))

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "from": self.start.isoformat(),
            "until": self.end.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Statement:
    """The statement of a contract for a window: its charges, compliance and tickets."""

    contract: Contract
    as_of: datetime
    window: Window
    charges: Charges
    compliance: list[Compliance]
    #: Tickets reported in the period on an asset out of warranty: billable to the customer.
    chargeable_tickets: list[TicketSummary]
    #: Tickets reported in the period whose warranty status is not known.
    warranty_unknown: list[str]
    rejected_events: int
    #: The periods of the contract's measures that overlap the statement's period.
    measures: list[MeasurePeriod] = field(default_factory=list)
    #: The disputes of its lines, by line reference (``disputes.line_reference``): filled in
    #: by the shell from the store (slaengine.store.disputes), empty for a file of events.
    disputes: dict[str, DisputeMark] = field(default_factory=dict)

    def dispute_of(self, line: Line) -> DisputeMark | None:
        """The dispute of ``line`` (its open one, else its latest decided), if any."""
        if not self.disputes or line.clause is None:
            return None
        return self.disputes.get(line_reference(line))

    def disputed(self) -> list[tuple[Line, DisputeMark]]:
        """The statement's disputed lines with their disputes, by dispute number."""
        found = [(line, self.dispute_of(line)) for line in self.charges.lines()]
        marked = [(line, mark) for line, mark in found if mark is not None]
        return sorted(marked, key=lambda pair: pair[1].number)

    @property
    def complete(self) -> bool:
        """Whether the period was over at ``as_of`` (otherwise amounts may still change)."""
        return self.as_of >= self.window.end

    def totals(self) -> Totals:
        return self.charges.totals()

    def _measure_json(self, period: MeasurePeriod) -> dict[str, Any]:
        """A measure period with the clauses and amount its credit lines charge here (the
        ``measures`` table of the CSV and workbook shows the same)."""
        priced, amount = period_money(self.charges.lines(), period)
        return {
            **period.to_json(),
            "clauses": list(dict.fromkeys(x.clause for x in priced if x.counts and x.clause)),
            "amount": amount_text(amount),
        }

    def to_json(self) -> dict[str, Any]:
        contract = self.contract
        return {
            "contract": contract.id,
            "version": contract.version,
            "name": contract.name.model_dump() if contract.name else None,
            "currency": contract.currency,
            "period": self.window.to_json(),
            "as_of": self.as_of.isoformat(),
            "complete": self.complete,
            **self.charges.to_json(),
            "compliance": [figures.to_json() for figures in self.compliance],
            "measures": [self._measure_json(period) for period in self.measures],
            "chargeable_tickets": [ticket.to_json() for ticket in self.chargeable_tickets],
            "warranty_unknown": self.warranty_unknown,
            "rejected_events": self.rejected_events,
            **(
                {
                    "disputes": [
                        {"line": line.id, **mark.to_json()} for line, mark in self.disputed()
                    ]
                }
                if self.disputes
                else {}
            ),
        }


def build_statement(
    report: Findings, window: Window, charges_of_report: Charges | None = None
) -> Statement:
    """The statement of ``window`` from a report evaluated at (or after) the window's end.

    ``charges_of_report``: the report's charges when the caller has them already (a
    ``slaengine.report.Report`` keeps its own); otherwise they are priced here."""
    if charges_of_report is None:
        known = getattr(report, "charges", None)
        charges_of_report = known if isinstance(known, Charges) else charge(report)
    charges = charges_of_report.within(window.start, window.end)
    compliance = [
        measure(report.clocks, [c.id], window.start, window.end, charges.waived_clocks)
        for c in report.contract.commitments
    ]
    compliance += [
        measure_obligation(report.periods, o.id, window.start, window.end, charges.waived_periods)
        for o in report.contract.obligations
    ]
    reported = [
        ticket
        for ticket in report.tickets
        if ticket.reported_at is not None and window.start <= ticket.reported_at < window.end
    ]
    return Statement(
        contract=report.contract,
        as_of=report.as_of,
        window=window,
        charges=charges,
        compliance=compliance,
        chargeable_tickets=[t for t in reported if t.in_warranty is False or t.chargeable],
        warranty_unknown=[t.ticket for t in reported if t.in_warranty is None],
        rejected_events=len(report.rejected),
        measures=[
            period
            for period in report.measures
            if period.period_start < window.end and period.period_end > window.start
        ],
    )
