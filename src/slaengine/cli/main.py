"""``slaengine``: the command line. Each command is a thin shell over the core."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slaengine import __version__
from slaengine.bundled import demo_events, example_contract
from slaengine.cli import common
from slaengine.cli.common import as_of_option, err, friendly, out, read_events, write_json
from slaengine.cli.render import clauses_table, contract_table, print_report
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate

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

Format = Annotated[str, typer.Option("--format", "-f", help="table or json")]
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
    events_file: Annotated[str, typer.Argument(metavar="EVENTS", help="JSON Lines; - for stdin")],
    as_of: AsOf = None,
    fmt: Format = "table",
) -> None:
    """Replay a stream of ticket events against a contract and report every clock."""
    _check_format(fmt)
    contract = load_contract(contract_file)
    when = as_of_option(as_of, contract)
    intake = read_events(events_file, contract)
    report = evaluate(contract, intake.events, when, intake.rejected, intake.duplicates)
    if fmt == "json":
        write_json(report.to_json())
    else:
        print_report(report, out)
    if intake.rejected:
        err.print(f"{len(intake.rejected)} event(s) rejected (listed in the report)")


@app.command()
@friendly
def demo(fmt: Format = "table") -> None:
    """Replay a month of events for the example tender (HT-2026-017) and show the result."""
    _check_format(fmt)
    replay(example_contract(), str(demo_events()), DEMO_AS_OF, fmt)


common.register_commands(app)
