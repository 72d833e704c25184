"""``slaengine replay``: judge a file (or a store) of ticket events against a contract."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from slaengine.cli.amendments import AmendmentOption, amendments_for
from slaengine.cli.common import (
    ContractArgument,
    EventsArgument,
    StoreOption,
    as_of_option,
    check_format,
    err,
    friendly,
    load_input,
    out,
    write_json,
)
from slaengine.contract import load_contract
from slaengine.evaluate import Context, Report, amended_contexts, evaluate
from slaengine.replay import cyclic_gc_paused, write_report

ReplayFormat = Annotated[
    str,
    typer.Option(
        "--format", "-f", help="table, json (one document) or jsonl (JSON Lines: one record a line)"
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="evaluation time, RFC 3339 with offset (default: now)"),
]


def replay(
    contract_file: ContractArgument,
    events_file: EventsArgument = None,
    as_of: AsOf = None,
    fmt: ReplayFormat = "table",
    db: StoreOption = None,
    amendment: AmendmentOption = None,
) -> None:
    """Judge ticket events against a contract. Every clock, breach and penalty, ticket by
    ticket (--format json for the full report, jsonl for one record a line)."""
    check_format(fmt, ("table", "json", "jsonl"))
    contract = load_contract(contract_file)
    when = as_of_option(as_of, contract)
    with cyclic_gc_paused():
        given = load_input(contract, events_file, db)
        given.check_useful(contract)
        # with --db, the store's later versions amend the file, as the live service judges
        amendments = amendments_for(contract, contract_file, amendment, given)
        if fmt == "table" or (fmt == "json" and sys.stdout.isatty()):
            # For a person: a table, or an indented document (a terminal never holds millions).
            report = evaluate(
                contract, given.events, when, given.rejected, given.duplicates, amendments
            )
            show(report, fmt, any(event.ticket is None for event in given.events))
        else:
            sys.stdout.flush()
            write_report(
                sys.stdout.buffer,
                Context(contract),
                given.events,
                when,
                given.rejected,
                given.duplicates,
                fmt,
                amended_contexts(Context(contract), amendments),
            )
    err.print(given.summary(), highlight=False, soft_wrap=True)


def show(report: Report, fmt: str, contract_wide_events: bool | None = None) -> None:
    # Rich tables are imported when a table is shown: a JSON replay starts without them.
    from slaengine.cli.render import print_report

    if fmt == "json":
        write_json(report.to_json())
    else:
        print_report(report, out, contract_wide_events)


def register(app: typer.Typer) -> None:
    app.command("replay")(friendly(replay))
