"""Rich tables for people: what a contract manager checks against the tender, and results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slaengine.clocks import BREACHED, CANCELLED, MET, PAUSED, RUNNING, Clock
from slaengine.contract.describe import commitment_words, conditions_list
from slaengine.contract.models import Condition, Contract, Source, TargetRow, Text
from slaengine.evaluate import Report
from slaengine.identity import occurrence_text
from slaengine.measures import MeasurePeriod, figure_text
from slaengine.measures.compliance import measure
from slaengine.obligations import UPCOMING
from slaengine.spans import span_text

STATUS_STYLE = {
    MET: "green",
    BREACHED: "bold red",
    RUNNING: "yellow",
    PAUSED: "cyan",
    CANCELLED: "dim",
}


def conditions_text(conditions: list[Condition]) -> str:
    """contract.describe.conditions_list, escaped for rich's markup."""
    return escape(conditions_list(conditions))


def human_seconds(seconds: int) -> str:
    if seconds <= 0:
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if secs and not days:
        parts.append(f"{secs}s")
    return " ".join(parts)


def local(when: datetime | None, zone: ZoneInfo) -> str:
    if when is None:
        return "—"
    return when.astimezone(zone).strftime("%m-%d %H:%M:%S")


def contract_table(contract: Contract, lang: str = "both") -> Table:
    """The commitments as a contract manager checks them against the tender, one row each
    (names in ``lang``: en, zh or both)."""
    table = Table(
        title="commitments"
        if lang == "en"
        else "服务承诺"
        if lang == "zh"
        else "commitments · 服务承诺",
        title_justify="left",
        show_lines=True,
    )
    zh = lang == "zh"
    table.add_column("承诺" if zh else "commitment", no_wrap=True)
    table.add_column("名称" if zh else "name", min_width=14, ratio=3, overflow="fold")
    table.add_column("适用范围" if zh else "applies to", ratio=1, overflow="fold")
    table.add_column(
        "计时：开始 → 结束" if zh else "clock: start → stop", min_width=16, ratio=3, overflow="fold"
    )
    table.add_column(
        "取消 · 暂停 / 恢复" if zh else "cancel · pause / resume",
        ratio=2,
        overflow="fold",
    )
    table.add_column("时限" if zh else "target", no_wrap=True)
    table.add_column("条款" if zh else "clauses", ratio=1, overflow="fold")
    for c in contract.commitments:
        applies = []
        if c.applies_to.severity:
            applies.append("severity " + ", ".join(c.applies_to.severity))
        if c.applies_to.asset_class:
            applies.append("asset class " + ", ".join(c.applies_to.asset_class))
        for attr, values in c.applies_to.attrs.items():
            applies.append(f"{attr} " + ", ".join(values))
        other = [
            line
            for one in (("en", "zh") if lang == "both" else (lang,))
            for line in commitment_words(c, one)
        ]
        if c.cancel:
            other.append(f"cancel: {conditions_text(c.cancel)}")
        if c.pause:
            other.append(f"pause: {conditions_text(c.pause)} / {conditions_text(c.resume)}")
        table.add_row(
            c.id,
            _name_lines(c.name, lang),
            "; ".join(applies) or ("全部" if zh else "all"),
            f"{conditions_text(c.start)}\n→ {conditions_text(c.stop)}",
            "\n".join(other) or "—",
            "\n".join([str(c.target), *(_row_text(row) for row in c.targets), c.calendar]),
            ", ".join(c.clauses) or "—",
        )
    return table


def _name_lines(name: Text | None, lang: str) -> str:
    """A name in ``lang``; ``both``: 中文 and English on two lines."""
    if name is None:
        return ""
    if lang == "zh":
        return escape(name.zh or name.en or "")
    if lang == "en":
        return escape(name.en or name.zh or "")
    return escape("\n".join(dict.fromkeys(x for x in (name.zh, name.en) if x)))


def _row_text(row: TargetRow) -> str:
    """A row of a target table: ``2h if zone suburb``."""
    when = ", ".join(f"{name} {'/'.join(values)}" for name, values in row.when.items())
    return f"{row.target} if {when}"


def clauses_table(contract: Contract) -> Table:
    table = Table(title="clauses", show_lines=False)
    for column in ("clause", "name", "kind", "terms", "on event"):
        table.add_column(column, overflow="fold")
    for clause in contract.clauses:
        terms = clause.model_dump(
            exclude={"id", "name", "kind", "on_event"}, exclude_none=True, exclude_defaults=True
        )
        table.add_row(
            clause.id,
            clause.name.both() if clause.name else "",
            clause.kind,
            escape(", ".join(f"{k}={v}" for k, v in terms.items())),
            conditions_text(clause.on_event),
        )
    return table


def sources_table(contract: Contract) -> Table:
    """Each term with the tender sentence(s) it was drafted from (``source: {line, text}``)."""
    table = Table(title="sources in the tender", show_lines=True)
    for column in ("term", "line", "sentence"):
        table.add_column(column, overflow="fold")
    terms: list[tuple[str, list[Source]]] = [
        *((f"commitment {c.id}", c.source) for c in contract.commitments),
        *((f"clause {c.id}", c.source) for c in contract.clauses),
        *((f"obligation {o.id}", o.source) for o in contract.obligations),
    ]
    if contract.warranty is not None:
        terms.append(("warranty", contract.warranty.source))
    for scope in ("per_contract_year", "contract_total", "rolling"):
        cap = getattr(contract.caps, scope)
        if cap is not None:
            terms.append((f"cap {scope}", cap.source))
    for asset in contract.assets:
        terms.append((f"asset {asset.id}", asset.source))
        terms.extend((f"asset {part.id}", part.source) for part in asset.parts)
    terms.extend((f"measure {m.id}", m.source) for m in contract.measures)
    terms.extend((f"contact {c.id}", c.source) for c in contract.contacts)
    for term, sources in terms:
        if not sources:
            table.add_row(term, "—", "(no source given)")
        for source in sources:
            table.add_row(term, str(source.line), source.text)
    return table


def print_report(
    report: Report, console: Console, contract_wide_events: bool | None = None
) -> None:
    """Every clock, ticket by ticket, then the per-commitment summary and what was rejected.

    ``contract_wide_events``: whether the input held any event of no ticket (False: a note says
    that the contract-wide lines are judged without them — one ticket's events, say)."""
    zone = ZoneInfo(report.contract.timezone)
    contract = report.contract
    console.print(
        f"[bold]{contract.id}[/] {contract.name.both() if contract.name else ''}\n"
        f"as of {report.as_of.astimezone(zone).isoformat()} · times in {contract.timezone}"
    )
    order = {c.id: i for i, c in enumerate(contract.commitments)}
    by_ticket: dict[str, list[Clock]] = {}
    for clock in report.clocks:
        by_ticket.setdefault(clock.ticket, []).append(clock)
    table = Table(title="clocks", title_justify="left", show_edge=False, pad_edge=False)
    for column in (
        "ticket",
        "commitment",
        "cyc",
        "status",
        "started",
        "deadline",
        "stopped",
        "late by",
        "note",
    ):
        table.add_column(
            column,
            no_wrap=column != "note",
            overflow="fold",
            min_width=24 if column == "note" else None,
        )
    for summary in report.tickets:
        label = f"{summary.ticket}\n[dim]{summary.severity or '?'} · {summary.asset or '—'}[/]"
        if summary.in_warranty is False:
            label += "\n[magenta]chargeable[/]"
        clocks = sorted(
            by_ticket.get(summary.ticket, []), key=lambda c: (c.cycle, order[c.commitment])
        )
        for i, clock in enumerate(clocks):
            style = STATUS_STYLE.get(clock.status, "")
            table.add_row(
                label if i == 0 else "",
                clock.commitment + occurrence_text(clock.occurrence),
                str(clock.cycle),
                f"[{style}]{clock.status}[/]",
                local(clock.started_at, zone),
                local(clock.deadline, zone),
                local(clock.stopped_at or clock.cancelled_at, zone),
                human_seconds(clock.late_by_seconds),
                clock_note(clock),
            )
        table.add_section()
    console.print(table)
    if report.excused:
        excused = Table(title="excused time (force majeure)", title_justify="left")
        for column in ("event", "from", "until", "reason"):
            excused.add_column(column)
        for item in report.excused:
            excused.add_row(
                item.event, local(item.start, zone), local(item.end, zone), item.reason or ""
            )
        console.print(excused)
    periods = obligations_table(report, zone)
    if periods is not None:
        console.print(periods)
    if report.measures:
        console.print(measures_table(report.measures, zone, "en"))
    print_summary(report, console)
    print_money(report, console, contract_wide_events)


def obligations_table(report: Report, zone: ZoneInfo) -> Table | None:
    """Obligation periods that have begun by as_of (upcoming ones are the calendar, not news)."""
    begun = [p for p in report.periods if p.status != UPCOMING]
    if not begun:
        return None
    table = Table(title="obligations (periods begun by as_of; contract-wide)", title_justify="left")
    for column in ("obligation", "asset", "period", "status", "done", "met by"):
        table.add_column(column)
    for period in begun:
        style = STATUS_STYLE.get(period.status, "yellow")
        table.add_row(
            period.obligation,
            period.asset or "—",
            (
                f"{period.period_start.astimezone(zone).date()} – (no deadline)"
                if period.open_ended
                else span_text(period.period_start, period.period_end, zone)
            ),
            f"[{style}]{period.status}[/]",
            f"{period.done}/{period.required}",
            ", ".join(period.met_by) or "—",
        )
    return table


_MEASURE_HEADERS = {
    "en": ("measure", "period", "figure", "target", "status", "how it was computed"),
    "zh": ("指标", "期间", "实际", "目标", "结果", "计算依据"),
}


def measures_table(periods: Sequence[MeasurePeriod], zone: ZoneInfo, lang: str) -> Table:
    """Each period of each measure: its figure against the target, and how it was computed."""
    title = "考核指标（按期间，全合同）" if lang == "zh" else "measures (per period; contract-wide)"
    table = Table(title=title, title_justify="left")
    for column in _MEASURE_HEADERS["zh" if lang == "zh" else "en"]:
        table.add_column(column, overflow="fold")
    for period in periods:
        style = {"met": "green", "below": "red", "above": "red"}.get(period.status, "yellow")
        status = period.status + (" (so far)" if period.provisional else "")
        table.add_row(
            period.measure,
            span_text(period.period_start, period.period_end, zone),
            f"{figure_text(period.figure)}%" if period.figure is not None else "—",
            f"{'≤' if period.at_most else '≥'} {period.target}%",
            f"[{style}]{status}[/]",
            period.basis[1] if lang == "zh" else period.basis[0],
        )
    return table


def clock_note(clock: Clock) -> str:
    note = []
    if clock.retroactive:
        note.append("retroactive start")
    if clock.cancel_reason:
        note.append(f"cancelled: {clock.cancel_reason}")
    if clock.withdrawn:
        note.append("breach withdrawn")
    if clock.paused_seconds:
        note.append(f"paused {human_seconds(clock.paused_seconds)}")
    if clock.excused_seconds:
        note.append(f"excused {human_seconds(clock.excused_seconds)}")
    if clock.status == BREACHED and clock.stopped_at is None:
        note.append("open breach")
    return "; ".join(note)


def print_money(report: Report, console: Console, contract_wide_events: bool | None = None) -> None:
    """Penalties and compensation by clause, and the totals (lines: `slaengine statement`).
    Lines of no ticket (missed periods, measures, event clauses) are marked contract-wide."""
    charges = report.charges
    lines = [line for line in charges.lines() if line.amount is not None]
    if not lines:
        return
    by_clause: dict[tuple[str, str, str], list[Any]] = {}
    for line in lines:
        scope = "tickets" if line.ticket is not None else "contract-wide"
        by_clause.setdefault((line.section, line.clause or line.kind, scope), []).append(line)
    table = Table(title=f"money ({report.contract.currency})", title_justify="left")
    for column in (
        "section", "clause", "for", "lines", "amount", "of which provisional", "waived"
    ):  # fmt: skip
        table.add_column(
            column, justify="right" if column not in ("section", "clause", "for") else "left"
        )
    for (section, clause, scope), group in by_clause.items():
        counted = [line for line in group if line.counts]
        amount = sum((line.amount for line in counted), Decimal(0))
        provisional = sum((line.amount for line in counted if line.provisional), Decimal(0))
        waived = sum((line.amount for line in group if line.waived), Decimal(0))
        table.add_row(
            section, clause, scope, str(len(group)), f"{amount:.2f}",
            f"{provisional:.2f}" if provisional else "—", f"{waived:.2f}" if waived else "—",
        )  # fmt: skip
    totals = charges.totals()
    table.add_section()
    table.add_row("penalties", "", "", "", f"[bold]{totals.penalties:.2f}[/]", "", "")
    table.add_row("compensation", "", "", "", f"[bold]{totals.compensation:.2f}[/]", "", "")
    console.print(table)
    wide = [line for line in lines if line.ticket is None and line.counts]
    if wide and contract_wide_events is False:
        amount = sum((line.amount or Decimal(0) for line in wide), Decimal(0))
        console.print(
            f"note: {len(wide)} contract-wide line(s) above ({amount:.2f} "
            f"{report.contract.currency}: periodic obligations, measures, event clauses) are "
            "judged from every event of the contract, and this input has none that belongs to "
            "no ticket (inspection_done, site_violation, force_majeure, ...): as with one "
            "ticket's events (grep), they only say that what would meet them is not in it. "
            "Replay the whole stream, or --db, for the contract's bill.",
            highlight=False,
            markup=False,
        )
    console.print("[dim]every line with its formula: slaengine statement CONTRACT EVENTS[/]")


def print_summary(report: Report, console: Console) -> None:
    table = Table(title="per commitment", title_justify="left")
    for column in (
        "commitment",
        "clocks",
        "met",
        "breached",
        "open breaches",
        "running",
        "cancelled",
        "on time",
    ):
        table.add_column(column, justify="right" if column != "commitment" else "left")
    for commitment in report.contract.commitments:
        clocks = [c for c in report.clocks if c.commitment == commitment.id]
        met = sum(1 for c in clocks if c.status == MET)
        breached = sum(1 for c in clocks if c.status == BREACHED)
        open_breaches = sum(1 for c in clocks if c.status == BREACHED and c.stopped_at is None)
        running = sum(1 for c in clocks if c.status in (RUNNING, PAUSED))
        cancelled = sum(1 for c in clocks if c.status == CANCELLED)
        rate = measure(clocks, [commitment.id], waived=report.charges.waived_clocks).rate_text()
        table.add_row(
            commitment.id,
            str(len(clocks)),
            str(met),
            str(breached),
            str(open_breaches),
            str(running),
            str(cancelled),
            rate,
        )
    console.print(table)
    if report.rejected:
        rejected = Table(title=f"rejected events ({len(report.rejected)})", title_justify="left")
        rejected.add_column("line", justify="right")
        rejected.add_column("id")
        rejected.add_column("reason", overflow="fold")
        for item in report.rejected:
            rejected.add_row(str(item.line or ""), item.id or "", item.error)
        console.print(rejected)
