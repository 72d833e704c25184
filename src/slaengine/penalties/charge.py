"""report → charges: every penalty, compensation and remedy line, the caps, the totals.

Theory of operation
-------------------
For each clause of the contract, its kind (kinds/) says what triggers it — a breached clock, a
missed obligation period, a matching event, a fee period — and what one trigger costs, with the
formula in words. Here every amount is rounded to the cent once, per line; the clause's
per-breach cap is applied; a waiver marks the line waived (it stays, outside the totals); the
contract's yearly and total caps then cut penalties in the order they occurred (caps.py), shown
as adjustment lines. Totals are sums of lines, never computed another way.

Withdrawn breaches and excused time need nothing here: a withdrawn breach is no longer breached
in the report, and a clock's ``late_by_seconds`` already leaves out paused and excused time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from slaengine.contract.models import Clause, Contract
from slaengine.contract.versions import Versions
from slaengine.findings import Findings
from slaengine.measures.compliance import ClockKey, PeriodKey
from slaengine.money import ZERO, money
from slaengine.penalties.caps import (
    BreachCap,
    YearSums,
    adjustments,
    allocate,
    apply_breach_cap,
    breach_cap,
)
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds import kind_for
from slaengine.penalties.lines import (
    COMPENSATION,
    PENALTY,
    PERIOD,
    REMEDY,
    Line,
    Priced,
    Trigger,
)
from slaengine.penalties.waivers import Waiver
from slaengine.penalties.words import amount_text
from slaengine.penalties.years import contract_year


def _sum(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines if line.counts and line.amount is not None), ZERO)


@dataclass(frozen=True, slots=True)
class Totals:
    """What the lines of a period come to, before and after the caps."""

    currency: str
    #: Penalties owed by the lines (waived lines left out), before the yearly and total caps.
    penalties_before_caps: Decimal
    #: The adjustment lines (zero or negative).
    cap_adjustments: Decimal
    compensation: Decimal
    #: Lines waived: what they would have cost (penalties and compensation).
    waived: Decimal
    #: Of the penalties before caps and compensation, what open breaches and open periods owe.
    provisional: Decimal

    @property
    def penalties(self) -> Decimal:
        """Penalties charged: the lines plus the cap adjustments."""
        return self.penalties_before_caps + self.cap_adjustments

    @property
    def chargeable(self) -> Decimal:
        """What the supplier owes for the span: penalties charged plus compensation."""
        return self.penalties + self.compensation

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "penalties": amount_text(self.penalties),
            "compensation": amount_text(self.compensation),
            "chargeable": amount_text(self.chargeable),
            "penalties_before_caps": amount_text(self.penalties_before_caps),
            "cap_adjustments": amount_text(self.cap_adjustments),
            "waived": amount_text(self.waived),
            "provisional": amount_text(self.provisional),
        }


@dataclass(frozen=True, slots=True)
class Charges:
    """The priced lines of a contract: penalties, compensation, adjustments, remedies."""

    contract: Contract
    penalties: list[Line]
    compensation: list[Line]
    adjustments: list[Line]
    remedies: list[Line]
    unapplied_waivers: list[Waiver] = field(default_factory=list)
    #: Breaches and missed periods waived outright: left out of compliance rates.
    waived_clocks: frozenset[ClockKey] = frozenset()
    waived_periods: frozenset[PeriodKey] = frozenset()
    #: ``penalties`` and ``compensation`` are in occurrence order (``Line.order_key``), as
    #: their maker knows: ``within`` cuts a run out of each and its adjustments do not sort
    #: the lines again (its answer is in that order too).
    ordered: bool = field(default=False, compare=False, repr=False)
    #: Figures made once from the lines (which never change): ``year_sums``, ``totals``, the
    #: instants of ordered lines.
    made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def year_sums(self) -> YearSums:
        """What the cap adjustments' words give (``caps.YearSums`` of the penalties), made once
        for every ``within`` of these charges."""
        sums: YearSums | None = self.made.get("year_sums")
        if sums is None:
            sums = self.made["year_sums"] = YearSums(self.penalties)
        return sums

    def lines(self) -> list[Line]:
        """Every line, in the order it occurred (adjustments where their cap bit)."""
        every = self.penalties + self.compensation + self.adjustments + self.remedies
        return sorted(every, key=Line.order_key)

    def totals(self) -> Totals:
        made: Totals | None = self.made.get("totals")
        if made is None:
            made = self.made["totals"] = self._totals()
        return made

    def _totals(self) -> Totals:
        money_lines = self.penalties + self.compensation
        return Totals(
            currency=self.contract.currency,
            penalties_before_caps=_sum(self.penalties),
            cap_adjustments=_sum(self.adjustments),
            compensation=_sum(self.compensation),
            waived=sum((x.amount for x in money_lines if x.waived and x.amount is not None), ZERO),
            provisional=_sum(x for x in money_lines if x.provisional),
        )

    def within(self, start: datetime, end: datetime) -> Charges:
        """The lines that belong to [start, end) (a billing period), with that period's share
        of the cap adjustments."""

        # As instants (exact to the microsecond, and much cheaper than comparing aware times
        # whose zones differ: a stored line's offset is fixed, a period's is the contract's).
        low, high = start.timestamp(), end.timestamp()

        def inside(lines: Sequence[Line]) -> list[Line]:
            return [line for line in lines if low <= line.billed_at.timestamp() < high]

        def ordered_inside(name: str, lines: list[Line]) -> list[Line]:
            # lines in occurrence order: the period's are one run of them, found by bisection
            # over their instants (kept with the charges for the next period asked)
            stamps: list[float] | None = self.made.get(name)
            if stamps is None:
                stamps = self.made[name] = [line.billed_at.timestamp() for line in lines]
            return lines[bisect_left(stamps, low) : bisect_left(stamps, high)]

        if self.ordered:
            penalties = ordered_inside("penalty_stamps", self.penalties)
            compensation = ordered_inside("compensation_stamps", self.compensation)
        else:
            penalties, compensation = inside(self.penalties), inside(self.compensation)
        return Charges(
            self.contract,
            penalties,
            compensation,
            adjustments(penalties, self.penalties, self.contract, self.ordered, self.year_sums),
            inside(self.remedies),
            [w for w in self.unapplied_waivers if start <= w.at < end],
            self.waived_clocks,
            self.waived_periods,
            self.ordered,
        )

    def to_json(self) -> dict[str, Any]:
        """The report's ``penalties``, ``compensation`` and ``totals`` (docs/reference.md §7),
        with the cap adjustments, remedies and waivers that matched nothing."""
        return {
            name: list(value) if isinstance(value, Iterator) else value
            for name, value in self.json_items()
        }

    def json_items(self) -> Iterator[tuple[str, Any]]:
        """``to_json`` field by field, each list as an iterator that makes its items as they
        are read (a streamed report writes them without holding them all)."""
        for name in ("penalties", "compensation", "adjustments", "remedies"):
            lines: list[Line] = getattr(self, name)
            yield name, (line.to_json() for line in lines)
        yield "totals", self.totals().to_json()
        yield "unapplied_waivers", (waiver.to_json() for waiver in self.unapplied_waivers)


def measured_commitments(contract: Contract) -> frozenset[str]:
    """Commitments some clause measures as a whole (an on-time rate), not only by breaches:
    pricing needs all their clocks. Of every other clock it needs the breached ones only."""
    by_clauses = {
        commitment
        for clause in contract.clauses
        for commitment in kind_for(clause.kind).measures(clause)
    }
    by_measures = {c for measure in contract.measures for c in measure.commitments}
    return frozenset(by_clauses | by_measures)


def charge(report: Findings, tickets_only: bool = False) -> Charges:
    """Every line the report's breaches, periods and events cost under its contract (or, for
    an amended contract, each under the version in force when its breach began).

    ``tickets_only``: only the clauses whose lines can name a ticket (``ClauseKind.ticket_lines``)
    — the live service prices one ticket's findings on their own, where a fee period or a
    measure's period would be judged on that ticket alone and take cap room from its lines."""
    contract = report.contract
    sections: dict[str, list[Line]] = defaultdict(list)
    each = _evidence_by_version(report)
    for evidence, start, end in each:
        for clause in evidence.contract.clauses:
            kind = kind_for(clause.kind)
            if tickets_only and not kind.ticket_lines:
                continue
            # The per-breach cap depends only on the clause and on whether a trigger is a period.
            caps: dict[bool, BreachCap | None] = {}
            for trigger in kind.triggers(clause, evidence):
                if (start is not None and trigger.billed_at < start) or (
                    end is not None and trigger.billed_at >= end
                ):
                    continue  # another version was in force when this breach began
                priced = kind.price(clause, trigger, evidence)
                if clause.minimum is not None:
                    priced = [at_least(item, clause.minimum) for item in priced]
                waiver = evidence.waiver_for(trigger, clause.id)
                if waiver is not None:
                    evidence.use(waiver)
                cap = None
                if kind.section != REMEDY:
                    per_period = trigger.source == PERIOD
                    if per_period not in caps:
                        caps[per_period] = breach_cap(clause, evidence.contract.price, trigger)
                    cap = caps[per_period]
                # ``pays: compensation``: a money clause whose lines go to the customer as
                # compensation (never capped with penalties), e.g. per started hour
                named = kind.section if kind.section == REMEDY else clause.pays or kind.section
                section = sections[named]
                for item, uncapped, cap_text in apply_breach_cap(priced, cap):
                    section.append(
                        _line(
                            evidence,
                            clause,
                            named,
                            trigger,
                            item,
                            waiver,
                            uncapped,
                            cap_text,
                        )
                    )
    ordered = {section: sorted(lines, key=Line.order_key) for section, lines in sections.items()}
    penalties = allocate(ordered.get(PENALTY, []), contract)
    # a waiver is unapplied when no version's breaches used it
    unused = each[-1][0].unused_waivers()
    for evidence, _, _ in each[:-1]:
        also = {waiver.event for waiver in evidence.unused_waivers()}
        unused = [waiver for waiver in unused if waiver.event in also]
    return Charges(
        contract,
        penalties,
        ordered.get(COMPENSATION, []),
        adjustments(penalties, penalties, contract),
        ordered.get(REMEDY, []),
        unused,
        frozenset().union(*(evidence.waived_clocks for evidence, _, _ in each)),
        frozenset().union(*(evidence.waived_periods for evidence, _, _ in each)),
    )


def at_least(item: Priced, minimum: Decimal) -> Priced:
    """A clause's ``minimum`` ("at least 1.00"): an amount owed below it is raised to it (an
    amount of nothing, such as an unreadable claim, stays nothing)."""
    least = money(minimum)
    if item.amount is None or not ZERO < item.amount < least:
        return item
    text = amount_text(least)
    return Priced(
        least,
        f"{item.formula_en} = {amount_text(item.amount)}, at least {text}",
        f"{item.formula_zh} = {amount_text(item.amount)}，最低{text}",
        item.event,
        item.owed_at,
    )


def _evidence_by_version(
    report: Findings,
) -> list[tuple[Evidence, datetime | None, datetime | None]]:
    """The evidence to price under each version, with when that version was in force."""
    if len(report.versions) < 2:
        return [(Evidence(report), None, None)]
    versions = Versions(report.versions)
    found: list[tuple[Evidence, datetime | None, datetime | None]] = []
    for index, version in enumerate(versions.all):
        findings = report if version is report.contract else _as_version(report, version)
        found.append((Evidence(findings), *versions.span(index)))
    return found


def _as_version(report: Findings, version: Contract) -> Findings:
    """The same findings, read under another version's terms (its clauses, its measures)."""
    return Findings(
        version,
        report.as_of,
        report.clocks,
        report.tickets,
        report.rejected,
        report.excused,
        report.events,
        report.periods,
        report.extra,
        report.duplicates,
        report.clock_counts,
    )


def _line(
    evidence: Evidence,
    clause: Clause,
    section: str,
    trigger: Trigger,
    item: Priced,
    waiver: Waiver | None,
    uncapped: Decimal | None,
    cap_text: str | None,
) -> Line:
    ticket = evidence.tickets.get(trigger.ticket) if trigger.ticket else None
    occurred_at, billed_at = trigger.occurred_at, trigger.billed_at
    if item.owed_at is not None and item.owed_at > billed_at:
        occurred_at = billed_at = item.owed_at
    line_id = f"{clause.id}/{trigger.key}"
    if item.event is not None and item.event != trigger.event:
        line_id += f"/{item.event}"
    return Line(
        id=line_id,
        section=section,
        clause=clause.id,
        kind=clause.kind,
        source=trigger.source,
        occurred_at=occurred_at,
        billed_at=billed_at,
        contract_year=contract_year(evidence.contract, billed_at),
        amount=money(item.amount) if item.amount is not None else None,
        formula_en=item.formula_en,
        formula_zh=item.formula_zh,
        ticket=trigger.ticket,
        commitment=trigger.commitment,
        cycle=trigger.cycle,
        obligation=trigger.obligation,
        asset=trigger.asset or (ticket.asset if ticket else None),
        period_start=trigger.period_start,
        period_end=trigger.period_end,
        event=item.event or trigger.event,
        event_type=trigger.event_type if item.event in (None, trigger.event) else None,
        late_by_seconds=trigger.late_by_seconds,
        provisional=trigger.provisional,
        waived=waiver is not None,
        waiver_reason=waiver.reason if waiver else None,
        waived_by=waiver.by if waiver else None,
        waiver_event=waiver.event if waiver else None,
        start_key=trigger.start_key,
        uncapped_amount=uncapped,
        cap_applied=cap_text,
        occurrence=trigger.occurrence,
    )
