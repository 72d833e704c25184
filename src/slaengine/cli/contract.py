"""``slaengine contract validate`` and ``slaengine contract show``: check a contract file."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from slaengine.cli.common import ContractArgument, Format, err, friendly, out
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
    sources: Annotated[
        bool, typer.Option("--sources", help="also list the tender sentence of each term")
    ] = False,
) -> None:
    """Show a contract's commitments and clauses. As tables, to check against the tender."""
    from slaengine.cli.render import clauses_table, contract_table

    contract = load_contract(file)
    if fmt == "json":
        print(contract.model_dump_json(by_alias=True, indent=2))
        return
    out.print(contract_table(contract))
    if contract.clauses:
        out.print(clauses_table(contract))
    else:
        out.print("no penalty or compensation clauses")
    if sources:
        from slaengine.cli.render import sources_table

        out.print(sources_table(contract))


def register(contract_app: typer.Typer) -> None:
    contract_app.command("validate")(friendly(contract_validate))
    contract_app.command("show")(friendly(contract_show))
