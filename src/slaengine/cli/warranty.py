"""``slaengine warranty``: is an asset covered on a date, until when, and why.

A thin shell over ``slaengine.warranty``: read the contract and the events, build the warranty
book, answer for one asset (``--asset``) or list every asset, soonest expiry first.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from slaengine.cli import common
from slaengine.cli.common import ContractArgument, err, friendly, out, read_events, write_json
from slaengine.contract import load_contract
from slaengine.errors import SlaError
from slaengine.warranty import Cover, WarrantyBook

#: Rejected events named on stderr (the rest are counted; ``replay`` reports them all).
_SHOWN = 5


def _day(value: str | None, zone: ZoneInfo) -> date:
    """``--on``: a calendar date (2030-06-01); default today in the contract's time zone."""
    if value is None:
        return common.CLOCK.now().astimezone(zone).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SlaError(f"--on: {value!r} is not a date; write it like 2030-06-01") from None


def _table(covers: list[Cover], day: date) -> Table:
    table = Table(title=f"warranty cover on {day}", title_justify="left")
    for column in ("asset", "class", "unit", "covered", "from", "expires", "days left", "basis"):
        table.add_column(
            column, overflow="fold", justify="right" if column == "days left" else "left"
        )
    for cover in covers:
        table.add_row(
            cover.asset,
            cover.kind,
            cover.unit,
            "[green]yes[/]" if cover.covered else "[bold red]no[/]",
            str(cover.starts) if cover.warranted else "—",
            str(cover.expires) if cover.warranted else "—",
            str(cover.days_left),
            cover.basis,
        )
    return table


def warranty(
    contract_file: ContractArgument,
    events_file: Annotated[
        str | None,
        typer.Argument(
            metavar="EVENTS",
            help="JSON Lines file of ticket events (replacements, inspections); - reads "
            "standard input",
            show_default=False,
        ),
    ] = None,
    asset: Annotated[
        str | None, typer.Option("--asset", help="one asset (default: every asset)")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="the date asked about, e.g. 2030-06-01 (default: today)"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Is an asset covered on a date, until when, and why. "expires" is the first day without
    cover."""
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"--format must be table or json, not {fmt!r}")
    contract = load_contract(contract_file)
    if contract.warranty is None:
        raise SlaError(f"{contract_file}: contract {contract.id} has no warranty section")
    day = _day(on, ZoneInfo(contract.timezone))
    events = []
    if events_file is not None:
        intake = read_events(events_file, contract)
        events = intake.events
        for item in intake.rejected[:_SHOWN]:
            err.print(f"rejected event (line {item.line}): {item.error}", highlight=False)
        if len(intake.rejected) > _SHOWN:
            more = len(intake.rejected) - _SHOWN
            err.print(f"... and {more} more rejected (slaengine replay lists them all)")
    book = WarrantyBook.build(contract, events)
    for note in book.notes:
        err.print(f"note: {note}", highlight=False)
    covers = [book.cover(asset, day)] if asset is not None else book.all_assets(day)
    if fmt == "json":
        write_json(covers[0].to_json() if asset is not None else [c.to_json() for c in covers])
        return
    out.print(_table(covers, day))


def register(app: typer.Typer) -> None:
    app.command("warranty")(friendly(warranty))
