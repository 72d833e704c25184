"""``slaengine contract draft``: a contract YAML drafted from tender text, with a review list.

The shell around ``slaengine.drafting``: it parses the options, writes the YAML (to ``-o`` or
standard output) only after the contract validator accepted it, prints the review items to
standard error, and writes them as JSON with ``--report``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slaengine.cli.common import err, friendly
from slaengine.errors import SlaError

if TYPE_CHECKING:
    from slaengine.drafting import DraftOptions
    from slaengine.drafting.items import Review


def _options(
    contract_id: str | None,
    price: str | None,
    currency: str | None,
    accepted_on: str | None,
    timezone: str | None,
    holidays: str | None,
) -> DraftOptions:
    from slaengine.drafting import DraftOptions

    amount = None
    if price is not None:
        try:
            amount = Decimal(price.replace(",", ""))
        except InvalidOperation:
            raise SlaError(
                f"--price {price!r} is not an amount: write it like 1280000.00"
            ) from None
        if not amount.is_finite() or amount < 0:
            raise SlaError(f"--price {price!r} is not an amount: write it like 1280000.00")
    day = None
    if accepted_on is not None:
        try:
            day = date.fromisoformat(accepted_on)
        except ValueError:
            raise SlaError(
                f"--accepted-on {accepted_on!r} is not a date: write it like 2026-01-15"
            ) from None
    if currency is not None and not (
        len(currency) == 3 and currency.isalpha() and currency.isupper()
    ):
        raise SlaError(f"--currency {currency!r} is not an ISO 4217 code such as CNY or EUR")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SlaError(
                f"--timezone {timezone!r} is not an IANA time zone (e.g. Asia/Shanghai)"
            ) from None
    return DraftOptions(contract_id, amount, currency, day, timezone, holidays)


def contract_draft(
    tender: Annotated[Path, typer.Argument(metavar="TENDER", help=".txt, .md, .docx or .pdf")],
    contract_id: Annotated[
        str | None, typer.Option("--id", help="contract id (default: 合同编号 in the text)")
    ] = None,
    price: Annotated[
        str | None, typer.Option("--price", help="contract price, e.g. 1280000.00")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="ISO 4217 code, e.g. CNY")
    ] = None,
    accepted_on: Annotated[
        str | None,
        typer.Option("--accepted-on", help="acceptance date (warranty start), YYYY-MM-DD"),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA time zone (default Asia/Shanghai, flagged)"),
    ] = None,
    holidays: Annotated[
        str | None,
        typer.Option(
            "--holidays",
            help="public holidays of the working-hours calendar (country; default: the time "
            "zone's, flagged)",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write the YAML here")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="write the review report here (JSON)")
    ] = None,
    text: Annotated[
        bool,
        typer.Option("--text", help="print the tender's text with the line numbers sources use"),
    ] = False,
) -> None:
    """Draft a contract from a tender's text.

    Every term cites the sentence it came from, and every doubt is listed for review."""
    # imported here: the drafting libraries (cn2an, OpenCC) would slow every other command's start
    from slaengine.drafting import draft_tender, report_json, to_yaml, validated
    from slaengine.drafting.reading import read_tender

    if text:
        for line in read_tender(tender):
            typer.echo(f"{line.number:5d}  {line.text}")
        return
    options = _options(contract_id, price, currency, accepted_on, timezone, holidays)
    draft = draft_tender(tender, options)
    yaml_text = to_yaml(draft)
    target = output if output is not None else Path.cwd() / f"{draft.facts['id']}.yaml"
    contract = validated(yaml_text, target)
    if output is not None:
        output.write_text(yaml_text, encoding="utf-8")
    else:
        typer.echo(yaml_text, nl=False)
    if report is not None:
        document = report_json(draft, str(output) if output else None)
        report.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    _print_reviews(draft.reviews, err)
    err.print(
        f"drafted {contract.id}: {len(contract.commitments)} commitments, "
        f"{len(contract.clauses)} clauses, {len(contract.obligations)} obligations, "
        f"{len(contract.assets)} units"
        + (f", {len(contract.measures)} measures" if contract.measures else "")
        + (f", {len(contract.contacts)} contacts" if contract.contacts else "")
        + f"; {len(draft.reviews)} item(s) to review"
        + (f"; written to {output}" if output else ""),
        highlight=False,
        soft_wrap=True,
    )


def _print_reviews(reviews: list[Review], console: Console) -> None:
    if not reviews:
        return
    table = Table(title="to review", show_lines=False)
    for column in ("line", "kind", "item", "what"):
        table.add_column(column, overflow="fold")
    for review in reviews:
        what = review.message
        if review.text:
            what += f"\n“{review.text}”"
        table.add_row(str(review.line or "—"), review.kind, review.item or "—", escape(what))
    console.print(table)


def register(contract_app: typer.Typer) -> None:
    contract_app.command("draft")(friendly(contract_draft))
