"""``slaengine replay``: judge a file (or a store) of ticket events against a contract."""

from __future__ import annotations

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
)
from slaengine.cli.plain import judge_and_write
from slaengine.contract.cache import load_contract_cached
from slaengine.replay import cyclic_gc_paused

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
    contract = load_contract_cached(contract_file)
    when = as_of_option(as_of, contract)
    with cyclic_gc_paused():
        given = load_input(contract, events_file, db)
        given.check_useful(contract)
        # with --db, the store's later versions amend the file, as the live service judges
        amendments = amendments_for(contract, contract_file, amendment, given)
        judge_and_write(contract, given, when, fmt, amendments)
    err.print(given.summary(), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("replay")(friendly(replay))
