"""``slaengine statement``: the billing statement of one period, as a table, JSON, CSV, Excel
or a PDF document; ``slaengine statement confirm``: a party confirms it (docs/penalties.md).

``confirm`` is the same command with the word ``confirm`` first (``_StatementCommand``): it
judges the statement from the store (``--db``), renders it as the PDF document, and records who
confirmed it, when, from where and the document's SHA-256 (slaengine.audit.confirmations),
with its audit record. A PDF of a period that was confirmed says so, and which lines changed
since.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand

from slaengine.cli.amendments import AmendmentOption, amendments_for
from slaengine.cli.common import (
    DB_ENV,
    ContractArgument,
    EventsArgument,
    StoreOption,
    as_of_option,
    err,
    friendly,
    load_input,
    out,
)
from slaengine.contract import Contract, load_contract
from slaengine.errors import SlaError
from slaengine.evaluate import Context, amended_contexts
from slaengine.penalties import Statement, Window, build_statement
from slaengine.penalties.disputes import dispute_word
from slaengine.penalties.export import (
    COMPLIANCE_COLUMNS,
    CSV_TABLES,
    LINE_COLUMNS,
    MEASURE_COLUMNS,
    TICKET_COLUMNS,
    Cell,
    compliance_rows,
    dispute_notes,
    headers,
    heading_rows,
    line_rows,
    measure_rows,
    ticket_rows,
    to_csv,
    to_xlsx,
    totals_rows,
)
from slaengine.penalties.words import amount_text, label
from slaengine.replay import cyclic_gc_paused, judge_streaming

FORMATS = ("table", "json", "csv", "xlsx", "pdf")
LANGS = ("en", "zh")

#: Columns the terminal table shows. The files carry all of LINE_COLUMNS; here the lateness
#: is read in the formula ("... 24 min late"), which leaves the formula room on one line.
_TABLE_COLUMNS = ("date", "section", "ticket", "subject", "clause", "formula", "amount", "status")


def _window(
    contract: Contract, period: str | None, date_from: str | None, date_to: str | None
) -> Window:
    if period is not None:
        if date_from is not None or date_to is not None:
            raise SlaError("give either --period or --from/--to, not both")
        return Window.month(contract, period)
    if date_from is None or date_to is None:
        raise SlaError("say which period: --period 2026-10, or --from 2026-10-01 --to 2026-10-31")
    return Window.dates(contract, _date(date_from, "--from"), _date(date_to, "--to"))


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SlaError(f"{option}: {text!r} is not a date; write it like 2026-10-01") from None


def _cell(value: Cell) -> str:
    """A cell for the terminal: short local times, amounts as in JSON."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%m-%d")
    if isinstance(value, Decimal):
        return amount_text(value)
    return str(value)


def print_statement(statement: Statement, console: Console, lang: str) -> None:
    """The statement for a terminal: heading, lines, totals, compliance, chargeable tickets."""
    heading = Table.grid(padding=(0, 2))
    heading.add_column(style="bold")
    heading.add_column()
    for name, value in heading_rows(statement, lang):
        heading.add_row(name, value)
    console.print(heading)

    lines = Table(title=label("lines", lang), title_justify="left", show_lines=False)
    keep = [LINE_COLUMNS.index(column) for column in _TABLE_COLUMNS]
    for column in _TABLE_COLUMNS:
        lines.add_column(
            label(column, lang),
            justify="right" if column == "amount" else "left",
            overflow="fold",
            no_wrap=column in ("date", "amount"),
            min_width=48 if column == "formula" else None,
        )
    waivers: list[str] = []
    for row in line_rows(statement, lang):
        cells = [_cell(row[i]) for i in keep]
        why = row[LINE_COLUMNS.index("waiver")]
        if why:
            # The reason and who granted it go under the table, numbered, to keep rows short.
            waivers.append(f"[{len(waivers) + 1}] {cells[2]} {cells[3]} {cells[4]}: {why}")
            cells[-1] = f"{cells[-1]} [{len(waivers)}]"
        lines.add_row(*cells, style="dim" if why else None)
    if not lines.row_count:
        lines.add_row("", "", "", "", "", label("none", lang), "", "")
    console.print(lines)
    if waivers:
        console.print(f"{label('waiver', lang)}:", highlight=False)
        for text in waivers:
            console.print(f"  {text}", highlight=False, markup=False)
    notes = dispute_notes(statement, lang)
    if notes:
        console.print(f"{dispute_word('footnote_title', lang)}:", highlight=False)
        console.print(f"  {dispute_word('footnote_intro', lang)}", highlight=False, markup=False)
        for text in notes:
            console.print(f"  {text}", highlight=False, markup=False)

    totals = Table(title=label("totals", lang), title_justify="left")
    totals.add_column(label("item", lang))
    totals.add_column(f"{label('amount', lang)} ({statement.contract.currency})", justify="right")
    for name, amount in totals_rows(statement, lang):
        bold = name in (label("chargeable", lang), label("penalties", lang))
        totals.add_row(name, amount_text(amount), style="bold" if bold else None)
    console.print(totals)

    figures = Table(title=label("compliance", lang), title_justify="left")
    for column in headers(COMPLIANCE_COLUMNS, lang):
        figures.add_column(column, justify="left" if not figures.columns else "right")
    for row in compliance_rows(statement, lang):
        figures.add_row(*(_cell(value) for value in row))
    console.print(figures)
    if statement.measures:
        # the rows of the CSV and workbook measures table: figure, basis and the money
        measures = Table(title=headers(("measures",), lang)[0], title_justify="left")
        for column in headers(MEASURE_COLUMNS, lang):
            measures.add_column(column, overflow="fold")
        for row in measure_rows(statement, lang):
            measures.add_row(*(_cell(value) for value in row))
        console.print(measures)

    tickets = Table(title=label("chargeable_tickets", lang), title_justify="left")
    for column in headers(TICKET_COLUMNS, lang):
        tickets.add_column(column, overflow="fold")
    for row in ticket_rows(statement, lang):
        tickets.add_row(*(_cell(value) for value in row))
    if tickets.row_count:
        console.print(tickets)
    else:
        console.print(f"{label('chargeable_tickets', lang)}: {label('none', lang)}")
    if statement.warranty_unknown:
        console.print(
            f"{label('unknown_warranty', lang)}: {len(statement.warranty_unknown)} "
            f"({', '.join(statement.warranty_unknown)})"
        )
    if statement.charges.unapplied_waivers:
        console.print(f"[yellow]{label('unapplied_waivers', lang)}:[/]")
        for waiver in statement.charges.unapplied_waivers:
            console.print(f"  {waiver.event}: {waiver.to_json()['problem']}", highlight=False)


class _StatementCommand(TyperCommand):
    """``statement confirm ...`` is ``statement ...`` with the confirmation asked for: the word
    is taken off before the arguments are parsed (a subcommand would eat the contract file)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] == "confirm":
            ctx.meta["statement_confirm"] = True
            args = args[1:]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    @app.command("statement", cls=_StatementCommand)
    @friendly
    def statement(
        ctx: typer.Context,
        contract_file: ContractArgument,
        events_file: EventsArgument = None,
        period: Annotated[
            str | None, typer.Option("--period", help="calendar month, e.g. 2026-10")
        ] = None,
        date_from: Annotated[
            str | None, typer.Option("--from", help="first day, e.g. 2026-10-01")
        ] = None,
        date_to: Annotated[
            str | None, typer.Option("--to", help="last day (included), e.g. 2026-10-31")
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="evaluation time, RFC 3339 with offset (default: now)"),
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="table, json, csv, xlsx or pdf")
        ] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="write to this file")
        ] = None,
        lang: Annotated[
            str, typer.Option("--lang", help="zh or en: column headers and formulas")
        ] = "en",
        db: StoreOption = None,
        table: Annotated[
            str,
            typer.Option(
                "--table",
                help="with --format csv: which table the file holds, one of lines, totals, "
                "compliance, measures, tickets",
            ),
        ] = "lines",
        amendment: AmendmentOption = None,
        by: Annotated[
            str | None,
            typer.Option("--by", help="with `statement confirm`: who confirms (a name)"),
        ] = None,
        party: Annotated[
            str,
            typer.Option(
                "--party",
                help="with `statement confirm`: supplier or customer (whose name --by is)",
            ),
        ] = "supplier",
    ) -> None:
        """The billing statement of a period. Every penalty and compensation line with its
        formula, caps, waivers, totals, compliance figures and chargeable tickets (-f pdf: the
        对账单 as an A4 document).

        `slaengine statement confirm CONTRACT --db URL --period 2026-10 --by NAME [--party
        customer] [-o file.pdf]` records a party's confirmation of the PDF document: who, when
        and its SHA-256 (in the audit trail too)."""
        confirming = bool(ctx.meta.get("statement_confirm"))
        if confirming:
            fmt = "pdf"
            if events_file is not None:
                raise SlaError(
                    "statement confirm judges the statement from the store: give --db URL (or "
                    f"set {DB_ENV}), not an events file"
                )
            db = db or os.environ.get(DB_ENV) or None
            if db is None:
                raise SlaError(f"statement confirm: give the store with --db URL (or set {DB_ENV})")
            if not (by or "").strip():
                raise SlaError("statement confirm: say who confirms with --by NAME")
        elif by is not None:
            raise SlaError("--by names who confirms: use it with `slaengine statement confirm`")
        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if table not in CSV_TABLES:
            raise typer.BadParameter(
                f"--table must be one of {', '.join(CSV_TABLES)}, not {table!r}"
            )
        if table != "lines" and fmt != "csv":
            raise SlaError("--table chooses the table of a CSV file: add --format csv")
        if lang not in LANGS:
            raise typer.BadParameter(f"--lang must be zh or en, not {lang!r}")
        if fmt == "xlsx" and output is None:
            raise SlaError("--format xlsx writes a workbook: give the file with --output f.xlsx")
        if fmt == "pdf" and output is None and not confirming and sys.stdout.isatty():
            raise SlaError("--format pdf writes a document: give the file with --output f.pdf")
        if fmt == "pdf":
            from slaengine.penalties.pdf import font_file

            font_file()  # no font: say so before judging anything
        contract = load_contract(contract_file)
        window = _window(contract, period, date_from, date_to)
        when = as_of_option(as_of, contract)
        with cyclic_gc_paused():
            intake = load_input(contract, events_file, db)
            intake.check_useful(contract)
            # Judged ticket by ticket: of the clocks, only those the statement reads are kept
            # (its period's, for the compliance figures, and what pricing needs).
            # with --db, the store's later versions amend the file, as the live service prices
            amendments = amendments_for(contract, contract_file, amendment, intake)
            amended = amended_contexts(Context(contract), amendments)
            report = judge_streaming(
                Context(contract),
                intake.events,
                when,
                intake.rejected,
                intake.duplicates,
                keep=lambda clock: window.start <= clock.deadline < window.end,
                amended=amended,
            )
            result = build_statement(report, window)
        store_url = db or (os.environ.get(DB_ENV) if events_file is None else None)
        if store_url:  # from a store: its disputed lines are marked (docs/disputes.md)
            # as they stood at --as-of when given, else as they stand now
            result = _with_disputes(result, store_url, when if as_of is not None else None)
        if fmt == "table":
            if output is None:
                print_statement(result, out, lang)
            else:
                with output.open("w", encoding="utf-8") as file:
                    print_statement(result, Console(file=file, width=160), lang)
        else:
            if fmt == "json":
                document = result.to_json()
                if store_url:  # from a store: its confirmations, and what changed since each
                    document["confirmations"] = _confirmations_json(result, lang, store_url)
                text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
                data = text.encode("utf-8")
            elif fmt == "pdf":
                data = _document(result, lang, db, events_file, confirming, by, party)
            elif fmt == "csv":
                data = to_csv(result, lang, table)
            else:
                data = to_xlsx(result, lang)
            if output is not None:
                output.write_bytes(data)
            elif not confirming:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
        err.print(intake.summary(), highlight=False, soft_wrap=True)
        if output is not None:
            err.print(f"statement {window.label} written to {output}", highlight=False)
        if intake.rejected:
            err.print(
                f"{len(intake.rejected)} event(s) rejected (see slaengine replay for the list)"
            )


def _document(
    statement: Statement,
    lang: str,
    db: str | None,
    events_file: str | None,
    confirming: bool,
    by: str | None,
    party: str,
) -> bytes:
    """The PDF document; from a store, with its confirmations (and, ``confirming``, this one
    recorded)."""
    from zoneinfo import ZoneInfo

    from slaengine.penalties.pdf import render_pdf

    if events_file is not None or not (db or os.environ.get(DB_ENV)):
        return render_pdf(statement, lang)
    from slaengine.audit import confirmations
    from slaengine.audit.trail import cli_actor
    from slaengine.cli import common
    from slaengine.store import Store

    store = Store.open(db or os.environ[DB_ENV], common.CLOCK)
    try:
        zone = ZoneInfo(statement.contract.timezone)
        before = confirmations.standing(store, statement, lang)
        document = render_pdf(statement, lang, confirmations.recorded(before, zone))
        if confirming:
            assert by is not None
            row = confirmations.confirm(
                store, statement, document, lang, cli_actor(by.strip()), party
            )
            out.print(
                f"confirmed: statement {statement.contract.id} {statement.window.label} by "
                f"{row.who} ({row.party}) at {row.confirmed_at.astimezone(zone).isoformat()}\n"
                f"document SHA-256 {row.document_sha256} (as of {statement.as_of.isoformat()}, "
                f"--lang {lang}: rendering the statement again with them gives the same document "
                "while nothing changed)",
                highlight=False,
                markup=False,
            )
            if not statement.complete:
                err.print(
                    f"note: the period {statement.window.label} was not over at "
                    f"{statement.as_of.isoformat()}: its amounts may still change",
                    highlight=False,
                )
        for each in before:
            when = each.row.confirmed_at.astimezone(zone).isoformat()
            if each.changed:
                err.print(
                    f"note: confirmed by {each.row.who} ({each.row.party}) at {when}; changed "
                    f"since: {len(each.differences)} line(s) differ (listed in the document):",
                    highlight=False,
                    markup=False,
                )
                for line, then, now in each.differences:
                    err.print(f"  {line}: {then} -> {now}", highlight=False, markup=False)
            elif not confirming:
                err.print(
                    f"confirmed by {each.row.who} ({each.row.party}) at {when}; unchanged since",
                    highlight=False,
                    markup=False,
                )
        return document
    finally:
        store.close()


def _with_disputes(statement: Statement, db: str, as_of: datetime | None = None) -> Statement:
    """``statement`` with the disputes of its lines from the store at ``db``: as they stand now,
    or as each stood at ``as_of`` (filed before it or not, decided before it or not)."""
    from dataclasses import replace

    from slaengine.cli import common
    from slaengine.store import Store
    from slaengine.store.disputes import marks_of_store

    store = Store.open(db, common.CLOCK)
    try:
        found = marks_of_store(store, statement.contract.id, as_of)
    finally:
        store.close()
    return replace(statement, disputes=found) if found else statement


def _confirmations_json(statement: Statement, lang: str, db: str) -> list[dict[str, object]]:
    from slaengine.audit import confirmations
    from slaengine.cli import common
    from slaengine.store import Store

    store = Store.open(db, common.CLOCK)
    try:
        return [each.to_json() for each in confirmations.standing(store, statement, lang)]
    finally:
        store.close()
