"""``slaengine``: the command line. Each command is a thin shell over the core."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from slaengine import __version__
from slaengine.bundled import demo_events, example_contract
from slaengine.cli import common
from slaengine.cli.amendments import AmendmentOption, load_amendments
from slaengine.cli.common import (
    StoreOption,
    as_of_option,
    err,
    friendly,
    load_input,
    out,
    write_json,
)
from slaengine.contract import load_contract
from slaengine.evaluate import Context, Report, amended_contexts, evaluate
from slaengine.replay import cyclic_gc_paused, write_report

app = typer.Typer(
    name="slaengine",
    help="Hold suppliers to the after-sales commitments they signed (SLA compliance engine).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
contract_app = typer.Typer(help="Check contract files; load them in a store.", no_args_is_help=True)
app.add_typer(contract_app, name="contract")

#: Demo month: October 2026 (the National Day holidays fall in it).
DEMO_AS_OF = "2026-11-01T00:00:00+08:00"
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
def contract_validate(file: Path) -> None:
    """Validate a contract file; errors name the file, line and field."""
    contract = load_contract(file)
    from slaengine.ruleset import compile_ruleset

    rules = compile_ruleset(contract)
    out.print(
        f"[green]ok[/]: {file} — contract {contract.id} v{contract.version}, "
        f"{len(contract.commitments)} commitments, {len(contract.clauses)} clauses, "
        f"{len(contract.obligations)} obligations, {len(rules)} rules"
    )


@contract_app.command("show")
@friendly
def contract_show(
    file: Path,
    fmt: Format = "table",
) -> None:
    """Show a contract's commitments as a table to check against the tender."""
    from slaengine.cli.render import clauses_table, contract_table

    contract = load_contract(file)
    if fmt == "json":
        print(contract.model_dump_json(by_alias=True, indent=2))
        return
    out.print(contract_table(contract))
    out.print(clauses_table(contract))


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"--format must be one of {', '.join(allowed)}, not {fmt!r}")


@app.command()
@friendly
def replay(
    contract_file: Annotated[Path, typer.Argument(metavar="CONTRACT")],
    events_file: Annotated[
        str | None, typer.Argument(metavar="[EVENTS]", help="JSON Lines; - for stdin")
    ] = None,
    as_of: AsOf = None,
    fmt: ReplayFormat = "table",
    db: StoreOption = None,
    amendment: AmendmentOption = None,
) -> None:
    """Replay a stream of ticket events against a contract and report every clock."""
    _check_format(fmt, ("table", "json", "jsonl"))
    contract = load_contract(contract_file)
    amendments = load_amendments(contract, amendment)
    when = as_of_option(as_of, contract)
    with cyclic_gc_paused():
        given = load_input(contract, events_file, db)
        if fmt == "table" or (fmt == "json" and sys.stdout.isatty()):
            # For a person: a table, or an indented document (a terminal never holds millions).
            report = evaluate(
                contract, given.events, when, given.rejected, given.duplicates, amendments
            )
            show(report, fmt)
            return
        sys.stdout.flush()
        report = write_report(
            sys.stdout.buffer,
            Context(contract),
            given.events,
            when,
            given.rejected,
            given.duplicates,
            fmt,
            amended_contexts(Context(contract), amendments),
        )
    if report.rejected:
        err.print(f"{len(report.rejected)} event(s) rejected (listed in the report)")


def show(report: Report, fmt: str) -> None:
    # Rich tables are imported when a table is shown: a JSON replay starts without them.
    from slaengine.cli.render import print_report

    if fmt == "json":
        write_json(report.to_json())
    else:
        print_report(report, out)
    if report.rejected:
        err.print(f"{len(report.rejected)} event(s) rejected (listed in the report)")


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
    """A month of events for the example tender (HT-2026-017): stored in a SQLite file, then
    replayed from the store and shown ticket by ticket."""
    from slaengine.store import Store

    _check_format(fmt)
    path = example_contract()
    file = Path(db.removeprefix("sqlite:///")) if db.startswith("sqlite:///") else None
    if file is not None and file.exists():
        file.unlink()  # a demo starts from nothing, every time
    store = Store.open(db, common.CLOCK)
    try:
        contract = load_contract(path)
        store.load_contract(path.read_text(encoding="utf-8"), path, contract.accepted_on)
        with demo_events().open("rb") as lines:
            added = store.add_events(enumerate(lines, start=1), demo_events().name, raw=True)
        events = store.contract_events(contract.id)
    finally:
        store.close()
    when = as_of_option(DEMO_AS_OF, contract)
    show(evaluate(contract, events, when, added.rejected, added.duplicates), fmt)
    err.print(
        f"stored in {db}: {len(added.accepted)} events, {len(added.rejected)} rejected, "
        f"{added.duplicates} duplicate(s). Next: slaengine replay {path} --db {db} --as-of "
        f"{DEMO_AS_OF} · slaengine statement {path} --db {db} --period 2026-10 · "
        f"slaengine serve --db {db}",
        highlight=False,
        soft_wrap=True,
    )


common.register_commands(app)
