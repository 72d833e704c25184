"""``slaengine contract validate`` and ``slaengine contract show``: check a contract file."""

from __future__ import annotations

from typing import Annotated

import typer

from slaengine.cli.common import ContractArgument, Format, check_format, friendly, out
from slaengine.cli.plain import validate_contract
from slaengine.contract import load_contract


def contract_validate(file: ContractArgument) -> None:
    """Validate a contract file; errors name the file, line and field."""
    validate_contract(file)


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
