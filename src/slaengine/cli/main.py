"""``slaengine``: the command line. Each command is a thin shell over the core."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from slaengine import __version__
from slaengine.bundled import demo_events, example_contract
from slaengine.cli import common
from slaengine.cli.amendments import AmendmentOption, amendments_for
from slaengine.cli.common import (
    ContractArgument,
    EventsArgument,
    StoreOption,
    as_of_option,
    err,
    friendly,
    load_input,
    out,
    write_json,
)
from slaengine.cli.draft import register as register_draft
from slaengine.contract import load_contract
from slaengine.evaluate import Context, Report, amended_contexts, evaluate
from slaengine.replay import cyclic_gc_paused, write_report

app = typer.Typer(
    name="slaengine",
    help="Hold suppliers to the after-sales commitments they signed (SLA compliance engine).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
contract_app = typer.Typer(help="Check contract files; load them in a store.", no_args_is_help=True)
app.add_typer(contract_app, name="contract")
register_draft(contract_app)  # contract draft: slaengine.cli.draft

#: Demo month: October 2026 (the National Day holidays fall in it).
DEMO_AS_OF = "2026-11-01T00:00:00+08:00"
DEMO_PERIOD = "2026-10"
#: Where the demo keeps its store: a SQLite file in the current directory.
DEMO_DB = "sqlite:///slaengine-demo.db"

Format = Annotated[str, typer.Option("--format", "-f", help="table or json")]
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"slaengine {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="show the version")
    ] = False,
) -> None:
    """slaengine: tender commitments as rule sets, evaluated against ticket events."""


@contract_app.command("validate")
@friendly
def contract_validate(file: ContractArgument) -> None:
    """Validate a contract file; errors name the file, line and field."""
    contract = load_contract(file)
    from slaengine.contract.advice import contract_advice
    from slaengine.ruleset import compile_ruleset

    rules = compile_ruleset(contract)
    advice = contract_advice(contract, file)
    out.print(
        f"[green]ok[/]: {file} — contract {contract.id} v{contract.version}, "
        f"{len(contract.commitments)} commitments, {len(contract.clauses)} clauses, "
        f"{len(contract.obligations)} obligations, {len(rules)} rules"
        + (f", {len(advice)} warning(s)" if advice else "")
    )
    for text in advice:
        err.print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)


@contract_app.command("show")
@friendly
def contract_show(
    file: ContractArgument,
    fmt: Format = "table",
    lang: Annotated[str, typer.Option("--lang", help="en, zh or both")] = "both",
    sources: Annotated[
        bool, typer.Option("--sources", help="also list the tender sentence of each term")
    ] = False,
) -> None:
    """Show the whole contract as a person reads it.

    Parties and price, calendars, commitments, clauses in words, caps, warranty, assets,
    obligations, measures, remedies and contacts; --lang en, zh or both."""
    from slaengine.cli.contract_view import LANGS, print_contract

    if lang not in LANGS:
        raise typer.BadParameter(f"--lang must be en, zh or both, not {lang!r}")
    _check_format(fmt)
    contract = load_contract(file)
    if fmt == "json":
        print(contract.model_dump_json(by_alias=True, indent=2))
        return
    print_contract(contract, out, lang)
    if sources:
        from slaengine.cli.render import sources_table

        out.print(sources_table(contract))


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"--format must be one of {', '.join(allowed)}, not {fmt!r}")


@app.command()
@friendly
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
    _check_format(fmt, ("table", "json", "jsonl"))
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


@app.command()
@friendly
def demo(
    fmt: Format = "table",
    db: Annotated[
        str,
        typer.Option(
            "--db", help="the SQLite store the demo fills afresh (explore it with serve/replay)"
        ),
    ] = DEMO_DB,
) -> None:
    """The example tender over a month of events. Stored in a SQLite file and judged from it:
    who breached what and the money first, then every breach."""
    from rich.console import Console

    from slaengine.cli.briefing import WIDTH, print_briefing
    from slaengine.penalties.statement import Window
    from slaengine.store import Store

    _check_format(fmt)
    path = example_contract()
    file = Path(db.removeprefix("sqlite:///")) if db.startswith("sqlite:///") else None
    if file is not None and file.exists():
        file.unlink()  # a demo starts from nothing, every time
    store = Store.open(db, common.CLOCK)
    try:
        contract = load_contract(path)
        store.load_contract(path.read_text(encoding="utf-8"), path, contract.acceptance)
        with demo_events().open("rb") as lines:
            added = store.add_events(enumerate(lines, start=1), demo_events().name, raw=True)
        events = store.contract_events(contract.id)
    finally:
        store.close()
    when = as_of_option(DEMO_AS_OF, contract)
    report = evaluate(contract, events, when, added.rejected, added.duplicates)
    if fmt == "json":
        write_json(report.to_json())
    else:
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        console = Console(width=min(WIDTH, out.width) if out.is_terminal else WIDTH)
        print_briefing(
            report,
            console,
            Window.month(contract, DEMO_PERIOD),
            "They are deliberate: the demo month ends with a conflicting duplicate, a time "
            "without offset, an unknown severity and a cut-off line, to show that bad input is "
            "kept and reported, never dropped.",
            [
                (
                    "every clock, ticket by ticket",
                    f"slaengine replay {shown} \\\n        --db {db} --as-of {DEMO_AS_OF}",
                ),
                (
                    "every line of the bill with its formula",
                    f"slaengine statement {shown} \\\n        --period {DEMO_PERIOD} --db {db} "
                    f"\\\n        --as-of {DEMO_AS_OF}",
                ),
                ("the live service on this store", f"slaengine serve --db {db}"),
            ],
        )
    err.print(
        f"stored in {db}: {len(added.accepted)} events, {len(added.rejected)} rejected, "
        f"{added.duplicates} duplicate(s)",
        highlight=False,
        soft_wrap=True,
    )


common.register_commands(app)
