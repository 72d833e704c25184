"""``slaengine contract validate`` and ``slaengine contract show``: check a contract file."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from slaengine.cli.common import ContractArgument, Format, check_format, err, friendly, out
from slaengine.contract import load_contract


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
    check_format(fmt)
    contract = load_contract(file)
    if fmt == "json":
        print(contract.model_dump_json(by_alias=True, indent=2))
        return
    print_contract(contract, out, lang)
    if sources:
        from slaengine.cli.render import sources_table

        out.print(sources_table(contract))


def register(contract_app: typer.Typer) -> None:
    contract_app.command("validate")(friendly(contract_validate))
    contract_app.command("show")(friendly(contract_show))
