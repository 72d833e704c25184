"""``slaengine backtest``: replay a contract over ticket history and summarise what it would cost.

A thin shell over ``slaengine.backtest``: read the contract and the history (a JSON Lines file,
or a CSV export imported with a mapping in the same run), optionally re-base the contract on
another acceptance date, run the back-test (and the what-if) ticket by ticket into running
totals, and print the summary as tables or JSON. docs/backtest.md explains the figures.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from slaengine.backtest import Backtest, BacktestResult, Row, WhatIf, parse_what_if, run_backtest
from slaengine.backtest import with_acceptance as rebased
from slaengine.cli.common import (
    ContractArgument,
    NothingDone,
    err,
    friendly,
    out,
    read_events,
    write_json,
)
from slaengine.cli.importing import import_export, report_import
from slaengine.cli.render import human_seconds
from slaengine.contract import Contract, load_contract
from slaengine.errors import EventError, SlaError
from slaengine.events import Intake, parse_time
from slaengine.mapping import load_mapping
from slaengine.replay import cyclic_gc_paused

#: Rejected events listed on stderr (all are counted; ``--format json`` has the count).
_SHOW_REJECTED = 20


def _events(
    contract: Contract,
    events_file: str | None,
    csv_file: Path | None,
    mapping_file: Path | None,
) -> Intake:
    if csv_file is None and mapping_file is not None:
        raise SlaError("--mapping goes with --csv EXPORT (the export to import)")
    if csv_file is not None:
        if events_file is not None:
            raise SlaError(
                f"give the history once: EVENTS ({events_file}) or --csv EXPORT, not both"
            )
        if mapping_file is None:
            raise SlaError("--csv needs --mapping MAPPING.yaml (how to read the export)")
        mapping = load_mapping(mapping_file)
        # The events are for the contract being back-tested, whatever the mapping's default.
        result = import_export(csv_file, mapping, contract.id)
        report_import(csv_file, result, max_problems=20)
        intake = Intake(contract)
        for number, data in enumerate(result.events, start=1):
            intake.offer(data, number)
        return intake
    if events_file is None:
        raise SlaError("give the history: EVENTS (JSON Lines) or --csv EXPORT --mapping M")
    return read_events(events_file, contract)


def _report_rejected(intake: Intake, contract: Contract) -> None:
    if not intake.rejected:
        return
    for item in intake.rejected[:_SHOW_REJECTED]:
        err.print(
            f"rejected event (line {item.line}): {item.error}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if len(intake.rejected) > _SHOW_REJECTED:
        err.print(f"... {len(intake.rejected) - _SHOW_REJECTED} more rejected", highlight=False)
    wrong_contract = sum(1 for item in intake.rejected if item.error.startswith("contract:"))
    if wrong_contract:
        err.print(
            f"{wrong_contract} event(s) name another contract than {contract.id}: import the "
            f"export with --contract {contract.id}, or back-test it with --csv (which does)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _rate(row: Row) -> str:
    rate = row.on_time_rate
    return "—" if rate is None else f"{rate:.1%}"


def _when(value: datetime | None, zone: ZoneInfo) -> str:
    return "—" if value is None else value.astimezone(zone).isoformat()


def _header(result: Backtest, as_of_given: bool, console: Console) -> None:
    contract = result.contract
    zone = ZoneInfo(contract.timezone)
    name = contract.name.both() if contract.name else ""
    as_of_why = "" if as_of_given else " (the last event: history is judged as it stood then)"
    console.print(
        f"[bold]{contract.id}[/] v{contract.version} {name}\n"
        f"back-test over {result.events:,} events, {result.tickets:,} tickets "
        f"({result.rejected:,} rejected); accepted on {contract.accepted_on}; "
        f"times in {contract.timezone}\n"
        f"history {_when(result.first_event, zone)} … {_when(result.last_event, zone)}\n"
        f"as of {_when(result.as_of, zone)}{as_of_why}",
        highlight=False,
    )


def _totals_line(result: Backtest, console: Console) -> None:
    totals = result.totals
    currency = result.contract.currency
    console.print(
        f"[bold]{result.breaches:,} breaches[/]; penalties owed "
        f"{_money(totals.penalties_before_caps)} {currency}, "
        f"charged after caps {_money(totals.penalties)} {currency}"
        f" (cap adjustments {_money(totals.cap_adjustments)}); compensation "
        f"{_money(totals.compensation)} {currency}",
        highlight=False,
    )


def _commitments_table(result: Backtest) -> Table:
    rows = [r for r in result.rows if r.clocks or r.penalties_owed or r.compensation]
    compensation = any(r.compensation for r in rows)
    table = Table(title="per commitment", title_justify="left")
    columns = ["commitment", "target", "clocks", "met", "breached", "open", "cancelled"]
    columns += ["running", "on time", "worst late", "penalties owed", "charged"]
    if compensation:
        columns.append("compensation")
    for column in columns:
        if column == "commitment":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    for row in rows:
        label = row.id if row.kind == "commitment" else f"{row.id} ({row.kind})"
        cells = [
            label,
            row.target or "—",
            f"{row.clocks:,}",
            f"{row.met:,}",
            f"[bold red]{row.breached:,}[/]" if row.breached else "0",
            f"{row.open_breaches:,}",
            f"{row.cancelled:,}",
            f"{row.running:,}",
            _rate(row),
            human_seconds(row.max_late_seconds),
            _money(row.penalties_owed),
            _money(row.penalties_charged),
        ]
        if compensation:
            cells.append(_money(row.compensation))
        table.add_row(*cells)
    table.caption = (
        "open: breached and still running at as_of; on time: met / (met + breached); "
        "charged: owed less what the caps cut"
    )
    return table


def _months_table(result: Backtest) -> Table:
    compensation = any(month.compensation for month in result.months)
    table = Table(title="per month (breaches by deadline)", title_justify="left")
    columns = ["month", "breaches", "most breached", "penalties owed", "cap cut", "charged"]
    if compensation:
        columns.append("compensation")
    for column in columns:
        left = column in ("month", "most breached")
        table.add_column(column, justify="left" if left else "right")
    for month in result.months:
        most = sorted(month.by_commitment.items(), key=lambda item: (-item[1], item[0]))[:2]
        cells = [
            month.month,
            f"{month.breaches:,}",
            ", ".join(f"{commitment} {n:,}" for commitment, n in most) or "—",
            _money(month.penalties_owed),
            _money(month.cap_cut),
            _money(month.penalties_charged),
        ]
        if compensation:
            cells.append(_money(month.compensation))
        table.add_row(*cells)
    return table


def _years_table(result: Backtest) -> Table:
    table = Table(title="per contract year (from acceptance)", title_justify="left")
    for column in ("year", "from", "to", "breaches", "penalties owed", "cap cut", "charged"):
        table.add_column(column, justify="right")
    for year in result.years:
        table.add_row(
            str(year.year),
            str(year.first_day),
            str(year.last_day),
            f"{year.breaches:,}",
            _money(year.penalties_owed),
            _money(year.cap_cut),
            _money(year.penalties_charged),
        )
    return table


def _worst_tables(result: Backtest) -> list[Table]:
    late = Table(title="the latest tickets", title_justify="left")
    for column in ("ticket", "severity", "breaches", "latest breach", "late by", "still open"):
        late.add_column(column, justify="right" if column in ("breaches", "late by") else "left")
    for t in result.most_late:
        late.add_row(
            t.ticket,
            t.severity or "—",
            str(t.breaches),
            t.worst_commitment or "—",
            human_seconds(t.max_late_seconds),
            "yes" if t.worst_open else "no",
        )
    costly = Table(title="the costliest tickets", title_justify="left")
    for column in ("ticket", "severity", "breaches", "penalties owed", "compensation"):
        costly.add_column(column, justify="left" if column in ("ticket", "severity") else "right")
    for t in result.most_penalty:
        costly.add_row(
            t.ticket,
            t.severity or "—",
            str(t.breaches),
            _money(t.penalties_owed),
            _money(t.compensation),
        )
    return [late, costly]


def _signed(value: int | Decimal) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"
    return text if value < 0 else f"+{text}"


def _what_if_table(what_if: WhatIf) -> Table:
    changes = ", ".join(f"{c} {old} → {new}" for c, (old, new) in what_if.changes.items())
    table = Table(title=f"what if: {changes}", title_justify="left")
    for column in (
        "commitment",
        "target",
        "breaches",
        "what-if",
        "Δ",
        "on time",
        "what-if",
        "charged",
        "what-if",
        "Δ",
    ):
        if column == "commitment":
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, justify="right")
    for base in what_if.base.rows:
        other = what_if.other.counterpart(base)
        if base.clocks == 0 and other.clocks == 0 and base.penalties_owed == 0:
            continue
        target = base.target or "—"
        if other.target != base.target:
            target = f"[bold]{base.target} → {other.target}[/]"
        table.add_row(
            base.id,
            target,
            f"{base.breached:,}",
            f"{other.breached:,}",
            _signed(other.breached - base.breached),
            _rate(base),
            _rate(other),
            _money(base.penalties_charged),
            _money(other.penalties_charged),
            _signed(other.penalties_charged - base.penalties_charged),
        )
    b, o = what_if.base, what_if.other
    table.add_section()
    table.add_row(
        "[bold]total[/]",
        "",
        f"{b.breaches:,}",
        f"{o.breaches:,}",
        _signed(o.breaches - b.breaches),
        "",
        "",
        _money(b.totals.penalties),
        _money(o.totals.penalties),
        _signed(o.totals.penalties - b.totals.penalties),
    )
    table.caption = (
        f"penalties owed before caps: {_money(b.totals.penalties_before_caps)} → "
        f"{_money(o.totals.penalties_before_caps)} {b.contract.currency}; compensation "
        f"{_money(b.totals.compensation)} → {_money(o.totals.compensation)}"
    )
    return table


def print_backtest(result: BacktestResult, as_of_given: bool, console: Console) -> None:
    base = result.base
    _header(base, as_of_given, console)
    console.print(_commitments_table(base))
    console.print(_months_table(base))
    console.print(_years_table(base))
    for table in _worst_tables(base):
        console.print(table)
    _totals_line(base, console)
    if result.what_if is not None:
        console.print(_what_if_table(result.what_if))
    for note in base.notes():
        console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)


def _parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value, "--as-of")
    except EventError as exc:
        raise SlaError(str(exc)) from None


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SlaError(f"--accepted-on {value!r}: write a date like 2010-01-01") from None


def backtest(
    contract_file: ContractArgument,
    events_file: Annotated[
        str | None,
        typer.Argument(
            metavar="EVENTS",
            help="JSON Lines of the history; - reads standard input",
            show_default=False,
        ),
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="a ticketing export to import and replay in one go"),
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="the export's mapping (with --csv)")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="evaluation time, RFC 3339 with offset (default: the last event's time)",
        ),
    ] = None,
    accepted_on: Annotated[
        str | None,
        typer.Option(
            "--accepted-on",
            help="re-base the contract on this acceptance date (contract years, caps, "
            "warranty and obligations run from it), e.g. 2010-01-01",
        ),
    ] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="COMMITMENT=TARGET, e.g. onsite-30min=1h (repeatable; all apply together)",
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="how many worst tickets to list")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Replay a contract over ticket history. Breaches and penalties per commitment and month,
    the worst tickets, and what the totals would be under other targets (--what-if)."""
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"--format must be table or json, not {fmt!r}")
    if top < 0:
        raise typer.BadParameter("--top must be 0 or more")
    contract = load_contract(contract_file)
    day = _parse_day(accepted_on)
    if day is not None:
        contract = rebased(contract, day)
    changes = parse_what_if(what_if or [], contract)
    when = _parse_as_of(as_of)
    # One-shot and acyclic, like replay: the cyclic collector would only walk the events again.
    with cyclic_gc_paused():
        intake = _events(contract, events_file, csv_file, mapping_file)
        _report_rejected(intake, contract)
        if not intake.events:
            raise NothingDone(
                "no events to back-test: "
                + (
                    "every event was rejected (listed above)"
                    if intake.rejected
                    else "the history is empty"
                )
            )
        # Judged ticket by ticket into running totals (slaengine.backtest.summarize_streaming).
        result = run_backtest(contract, intake.events, when, changes, intake.rejected, top)
    if fmt == "json":
        write_json(result.to_json())
        return
    print_backtest(result, when is not None, out)


def register(app: typer.Typer) -> None:
    app.command("backtest")(friendly(backtest))
