"""The demo's briefing: what a contract manager asks first, in 80 columns.

``slaengine replay`` shows every clock, ticket by ticket: the evidence. A manager opening the
demo wants the verdict first — who owes what, for which breaches — then the breaches one by
one, then what was excused and what input was refused, and where the evidence is. This module
renders that order from a Report; it computes nothing of its own (the money comes from the
report's charges, the on-time rates from ``penalties.compliance``), so the briefing and the
statement never disagree.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slaengine.cli.render import clock_note, human_seconds, local
from slaengine.clocks import BREACHED, Clock
from slaengine.contract.models import Text
from slaengine.evaluate import Report
from slaengine.events import Rejected
from slaengine.identity import ClockIdentity, clock_identity, occurrence_text, ticket_order
from slaengine.measures.compliance import measure
from slaengine.penalties.lines import Line
from slaengine.penalties.statement import Window
from slaengine.penalties.words import amount_text

#: The briefing is written for an 80-column terminal (and fits wider ones unchanged).
WIDTH = 80


def _words(text: Text | None, fallback: str) -> str:
    """A bilingual name as ``English (中文)``, or whichever is given."""
    if text is None:
        return fallback
    if text.en and text.zh and text.en != text.zh:
        return f"{text.en} ({text.zh})"
    return text.en or text.zh or fallback


def print_briefing(
    report: Report,
    console: Console,
    month: Window,
    deliberate: str,
    next_steps: list[tuple[str, str]],
) -> None:
    """The verdict, the breaches, the excused time and refused input, and what to run next.

    ``month`` is the period the on-time rates count (as ``slaengine statement --period``
    does); ``deliberate`` says why the input has rejected lines (the demo's are there on
    purpose); ``next_steps`` are (why, command) pairs, a command broken with `` \\`` to fit."""
    contract = report.contract
    zone = ZoneInfo(contract.timezone)
    charges = report.charges
    totals = charges.totals()
    currency = contract.currency
    supplier = _words(contract.supplier, "the supplier")

    console.print(f"[bold]{contract.id}[/] · {escape(_words(contract.name, ''))}")
    console.print(f"Supplier: [bold]{escape(supplier)}[/]")
    if contract.customer is not None:
        console.print(f"Customer: {escape(_words(contract.customer, ''))}")
    console.print(
        f"{month.start:%B %Y}, judged as of {report.as_of.astimezone(zone):%Y-%m-%d %H:%M} "
        f"({contract.timezone})\n"
    )

    breaches = [clock for clock in report.clocks if clock.status == BREACHED]
    tickets = {clock.ticket for clock in breaches}
    console.print(
        f"[bold]{escape(supplier)} owes {currency} {amount_text(totals.chargeable)}[/]: "
        f"penalties {amount_text(totals.penalties)} + compensation "
        f"{amount_text(totals.compensation)}, for {len(breaches)} breaches on {len(tickets)} "
        f"of {len(report.tickets)} tickets.",
        highlight=False,
    )
    if totals.cap_adjustments:
        console.print(f"Caps took {amount_text(-totals.cap_adjustments)} off the penalties.")
    console.print()
    console.print(_money_table(report, charges.lines()))
    console.print(_commitments_table(report, month))
    console.print(_breaches_table(report, breaches, zone))

    if report.excused:
        console.print("[bold]Excused time[/] (force majeure: no clock ran)")
        for item in report.excused:
            console.print(
                f"  {local(item.start, zone)} – {local(item.end, zone)}  "
                f"{escape(item.reason or item.event)}",
                highlight=False,
            )
        console.print()
    if report.rejected:
        console.print(
            f"[bold]Refused input[/]: {len(report.rejected)} line(s). {escape(deliberate)}",
            highlight=False,
        )
        for refused in report.rejected:
            console.print(f"  line {refused.line}: {escape(_short(refused))}", highlight=False)
        console.print()
    console.print("[bold]Next[/]")
    for why, command in next_steps:
        console.print(f"  {escape(why)}:", highlight=False)
        console.print(f"    {escape(command)}", highlight=False, soft_wrap=True)


def _short(item: Rejected) -> str:
    """A rejection's reason, without the advice that follows a semicolon (kept in the report)."""
    reason = item.error.split("; ")[0]
    return reason if len(reason) <= WIDTH - 16 else reason[: WIDTH - 19] + "..."


def _money_table(report: Report, lines: list[Line]) -> Table:
    """Money by clause: what the supplier pays for, largest first."""
    names = {clause.id: clause.name for clause in report.contract.clauses}
    groups: dict[str, list[Line]] = {}
    for line in lines:
        if line.amount is not None and line.counts:
            groups.setdefault(line.clause or line.kind, []).append(line)
    table = Table(title="Money by clause", title_justify="left", width=WIDTH)
    table.add_column("clause", no_wrap=True)
    table.add_column("for", overflow="fold")
    table.add_column("lines", justify="right")
    table.add_column(f"amount ({report.contract.currency})", justify="right", no_wrap=True)
    ranked = sorted(groups.items(), key=lambda item: -sum(x.amount or Decimal(0) for x in item[1]))
    for clause, group in ranked:
        name = names.get(clause)
        amount = sum((line.amount or Decimal(0) for line in group), Decimal(0))
        table.add_row(
            clause,
            escape(name.en or name.zh or "" if name else "cap adjustment"),
            str(len(group)),
            amount_text(amount),
        )
    return table


def _commitments_table(report: Report, month: Window) -> Table:
    """Each commitment's judged clocks, breaches and on-time rate in ``month``, counted as the
    statement's compliance section counts them (``penalties.compliance.measure``): a clock
    counts in the month its deadline falls in, once it is met or breached."""
    table = Table(
        title="On time by commitment",
        title_justify="left",
        caption=(
            f"judged: the clocks with a deadline in {month.start:%B %Y} that were met or "
            "breached (running and cancelled clocks are not judged) — the figures of "
            "`slaengine statement --period`'s compliance section"
        ),
        caption_justify="left",
        width=WIDTH,
    )
    for column in ("commitment", "judged", "breached", "on time"):
        table.add_column(column, justify="left" if column == "commitment" else "right")
    waived = report.charges.waived_clocks
    for commitment in report.contract.commitments:
        figures = measure(report.clocks, [commitment.id], month.start, month.end, waived)
        if not figures.judged:
            continue
        table.add_row(
            commitment.id,
            str(figures.judged),
            f"[bold red]{figures.breached}[/]" if figures.breached else "0",
            figures.rate_text(),
        )
    return table


def _breaches_table(report: Report, breaches: list[Clock], zone: ZoneInfo) -> Table:
    """Every breach, one row: ticket, commitment, deadline, how late, the money it costs."""
    # Keyed by the clock's identity in its ticket: each start of a commitment that runs per
    # start has its own breach and its own money.
    owed: dict[tuple[str, ClockIdentity], Decimal] = {}
    for line in report.charges.lines():
        if line.ticket and line.commitment and line.cycle and line.amount and line.counts:
            key = (line.ticket, (line.commitment, line.cycle, line.occurrence))
            owed[key] = owed.get(key, Decimal(0)) + line.amount
    table = Table(title="Every breach", title_justify="left", width=WIDTH)
    table.add_column("ticket", no_wrap=True)
    table.add_column("commitment", no_wrap=True)
    table.add_column("deadline", no_wrap=True)
    table.add_column("late by", no_wrap=True)
    table.add_column("money", justify="right", no_wrap=True)
    for clock in sorted(breaches, key=lambda c: (c.deadline, ticket_order(c.ticket))):
        note = clock_note(clock)
        money = owed.get((clock.ticket, clock_identity(clock)))
        table.add_row(
            clock.ticket,
            clock.commitment
            + occurrence_text(clock.occurrence)
            + (f"\n[dim]{escape(note)}[/]" if note else ""),
            local(clock.deadline, zone)[:-3],
            human_seconds(clock.late_by_seconds),
            amount_text(money) if money else "—",
        )
    return table
