"""A statement as rows, and as CSV and Excel files, in Chinese or English.

The terminal table (slaengine.cli.statement), the CSV and the workbook all draw on the rows
built here, so the three always show the same lines, columns and totals.

Every cell goes through slaengine.cells, so no cell of a file is ever run as a formula.
CSV is UTF-8 with a byte-order mark and CRLF line ends (the csv module's default), which is
what Excel needs to open Chinese text cleanly by double-click. A CSV file is **one table**: one
header row, then rows of the same width, so a spreadsheet, pandas or a database loads it as it
is. The statement has five tables (``CSV_TABLES``: lines, totals, compliance, measures, chargeable
tickets); a CSV file holds the one asked for (the lines by default). The measures table has a
row per period of each measure that overlaps the statement's: figure, target, status, how it
was computed, and the money its ``measure_credit`` clauses charge in this statement — the lines
of the lines table, so every format shows one truth. Every row starts with the
contract, the period and the currency, so the files of several months or contracts can be
concatenated (less their header rows) into one long table.
The workbook has one sheet per block; amounts are numbers formatted to two decimals, times are
local times of the contract's time zone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from slaengine.cells import csv_document, xlsx_append
from slaengine.identity import occurrence_text
from slaengine.measures import figure_text
from slaengine.penalties.kinds.measure_credit import period_money
from slaengine.penalties.lines import ADJUSTMENT, OBLIGATION, Line
from slaengine.penalties.statement import Statement
from slaengine.penalties.words import amount_text, label, span_words
from slaengine.spans import period_bounds, span_text

Cell = str | int | Decimal | datetime | date | None

LINE_COLUMNS = (
    "date", "section", "ticket", "subject", "cycle", "late_by", "clause", "clause_name",
    "formula", "amount", "status", "waiver", "contract_year", "dispute",
)  # fmt: skip
COMPLIANCE_COLUMNS = ("commitment", "judged", "met", "breached", "waived", "on_time_rate",
                      "median", "p90")  # fmt: skip
TICKET_COLUMNS = ("ticket", "asset", "severity", "reported_at", "basis")
MEASURE_COLUMNS = ("measure", "measure_name", "period_from", "period_to", "figure", "target",
                   "measure_status", "measure_basis", "clause", "amount")  # fmt: skip


def _when(line: Line, zone: ZoneInfo) -> datetime | date:
    """A line's local time; a line that closes a period shows the period's last day."""
    if line.billed_at != line.occurred_at:
        return line.billed_at.astimezone(zone).date()
    return line.occurred_at.astimezone(zone).replace(tzinfo=None, microsecond=0)


def _subject(line: Line, lang: str) -> str:
    if line.source == OBLIGATION:
        return f"{line.obligation} {line.asset}" if line.asset else str(line.obligation)
    if line.commitment:  # with which start, for a commitment that runs per start
        return line.commitment + occurrence_text(line.occurrence, lang)
    return line.event_type or ""


def heading_rows(statement: Statement, lang: str) -> list[tuple[str, str]]:
    contract = statement.contract
    zone = ZoneInfo(contract.timezone)
    rows = [
        (label("contract", lang), f"{contract.id} v{contract.version}"),
        (label("name", lang), contract.name.get(lang) if contract.name else ""),
        (label("supplier", lang), contract.supplier.get(lang) if contract.supplier else ""),
        (label("customer", lang), contract.customer.get(lang) if contract.customer else ""),
        (label("currency", lang), contract.currency),
        (
            label("period", lang),
            f"{statement.window.label} "
            f"({span_text(statement.window.start, statement.window.end, zone, lang)}, "
            f"{contract.timezone})",
        ),
        (label("as_of", lang), statement.as_of.astimezone(zone).isoformat()),
    ]
    if not statement.complete:
        rows.append((label("status", lang), label("incomplete", lang)))
    return rows


def line_rows(statement: Statement, lang: str) -> list[list[Cell]]:
    zone = ZoneInfo(statement.contract.timezone)
    names = {c.id: (c.name.get(lang) if c.name else "") for c in statement.contract.clauses}
    rows: list[list[Cell]] = []
    for line in statement.charges.lines():
        status = []
        if line.provisional:
            status.append(label("provisional", lang))
        if line.waived:
            status.append(label("waived", lang))
        waiver = ""
        if line.waived:
            waiver = f"{line.waiver_reason or ''} ({label('by', lang)}: {line.waived_by or ''})"
        # a disputed line: marked in its status, the dispute's words in its own column (the
        # footnote of the terminal table and the PDF, ``dispute_notes``)
        disputed = statement.dispute_of(line)
        if disputed is not None:
            status.append(disputed.mark(lang))
        rows.append(
            [
                _when(line, zone),
                label(line.section, lang),
                line.ticket or "",
                _subject(line, lang) if line.section != ADJUSTMENT else "",
                line.cycle,
                span_words(line.late_by_seconds, lang) if line.late_by_seconds else "",
                line.clause or "",
                names.get(line.clause or "", label("adjustment", lang)),
                line.formula(lang),
                line.amount,
                ", ".join(status),
                waiver,
                line.contract_year,
                disputed.note(lang) if disputed is not None else "",
            ]
        )
    return rows


def dispute_notes(statement: Statement, lang: str) -> list[str]:
    """The footnotes of the disputed lines, by dispute number (empty: none disputed)."""
    return [mark.note(lang) for _, mark in statement.disputed()]


def totals_rows(statement: Statement, lang: str) -> list[tuple[str, Decimal]]:
    totals = statement.totals()
    return [
        (label("penalties_before_caps", lang), totals.penalties_before_caps),
        (label("cap_adjustments", lang), totals.cap_adjustments),
        (label("penalties", lang), totals.penalties),
        (label("compensation_total", lang), totals.compensation),
        (label("chargeable", lang), totals.chargeable),
        (label("waived_total", lang), totals.waived),
        (label("provisional_total", lang), totals.provisional),
    ]


def compliance_rows(statement: Statement, lang: str) -> list[list[Cell]]:
    def span(seconds: int | None) -> str:
        return span_words(seconds, lang) if seconds is not None else "—"

    return [
        [
            figures.subject,
            figures.judged,
            figures.met,
            figures.breached,
            figures.waived,
            figures.rate_text(),
            span(figures.median_seconds) if figures.kind == "commitment" else "—",
            span(figures.p90_seconds) if figures.kind == "commitment" else "—",
        ]
        for figures in statement.compliance
    ]


def ticket_rows(statement: Statement, lang: str) -> list[list[Cell]]:
    zone = ZoneInfo(statement.contract.timezone)
    severities = statement.contract.severities
    rows: list[list[Cell]] = []
    for ticket in statement.chargeable_tickets:
        severity = severities.get(ticket.severity or "")
        rows.append(
            [
                ticket.ticket,
                ticket.asset or "",
                severity.get(lang) if severity else (ticket.severity or ""),
                ticket.reported_at.astimezone(zone).replace(tzinfo=None)
                if ticket.reported_at
                else None,
                ticket.warranty_basis or "",
            ]
        )
    return rows


def measure_rows(statement: Statement, lang: str) -> list[list[Cell]]:
    """Each period of each measure overlapping the statement: figure, target, status, basis,
    and the clauses and amount charged on it in this statement (not waived)."""
    zone = ZoneInfo(statement.contract.timezone)
    names = {m.id: (m.name.get(lang) if m.name else "") for m in statement.contract.measures}
    lines = statement.charges.lines()
    rows: list[list[Cell]] = []
    for period in statement.measures:
        priced, amount = period_money(lines, period)
        charged = [line for line in priced if line.counts]
        status = label(f"status_{period.status}", lang)
        if period.provisional:
            status += f" ({label('status_so_far', lang)})"
        rows.append(
            [
                period.measure,
                names.get(period.measure, ""),
                *period_bounds(period.period_start, period.period_end, zone),
                f"{figure_text(period.figure)}%" if period.figure is not None else "",
                f"{'≤' if period.at_most else '≥'} {period.target}%",
                status,
                period.basis[1] if lang == "zh" else period.basis[0],
                ", ".join(dict.fromkeys(line.clause or "" for line in charged)),
                amount if charged else None,
            ]
        )
    return rows


def headers(columns: Sequence[str], lang: str) -> list[str]:
    return [label(column, lang) for column in columns]


# -- CSV -----------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return amount_text(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    return str(cell)


#: The tables a CSV file can hold, each with its columns (after the leading ``KEY_COLUMNS``).
CSV_TABLES: dict[str, tuple[str, ...]] = {
    "lines": LINE_COLUMNS,
    "totals": ("item", "amount"),
    "compliance": COMPLIANCE_COLUMNS,
    "measures": MEASURE_COLUMNS,
    "tickets": TICKET_COLUMNS,
}
#: The columns every CSV row starts with: which statement it belongs to.
KEY_COLUMNS = ("contract", "period", "currency")


def _table_rows(statement: Statement, table: str, lang: str) -> list[list[Cell]]:
    if table == "lines":
        return line_rows(statement, lang)
    if table == "totals":
        return [[name, amount] for name, amount in totals_rows(statement, lang)]
    if table == "compliance":
        return compliance_rows(statement, lang)
    if table == "measures":
        return measure_rows(statement, lang)
    return ticket_rows(statement, lang)


def to_csv(statement: Statement, lang: str, table: str = "lines") -> bytes:
    """One table of the statement as CSV for Excel: UTF-8 with BOM, CRLF line ends."""
    if table not in CSV_TABLES:
        raise ValueError(f"no table {table!r}; one of {', '.join(CSV_TABLES)}")
    key = [statement.contract.id, statement.window.label, statement.contract.currency]
    rows = _table_rows(statement, table, lang)
    return csv_document(
        [
            headers((*KEY_COLUMNS, *CSV_TABLES[table]), lang),
            *([*key, *(_text(cell) for cell in row)] for row in rows),
        ]
    )


# -- Excel ---------------------------------------------------------------------------------

_AMOUNT_FORMAT = "#,##0.00"
_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_DATE_FORMAT = "yyyy-mm-dd"


def to_xlsx(statement: Statement, lang: str) -> bytes:
    """The statement as an Excel workbook: summary, lines, compliance, measures (when the
    contract has any), chargeable tickets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)

    summary = book.active
    summary.title = label("statement", lang)
    for name, value in heading_rows(statement, lang):
        xlsx_append(summary, [name, value])
    xlsx_append(summary, [])
    xlsx_append(summary, [label("totals", lang), label("amount", lang)])
    summary.cell(summary.max_row, 1).font = bold
    for name, amount in totals_rows(statement, lang):
        xlsx_append(summary, [name, amount])
        summary.cell(summary.max_row, 2).number_format = _AMOUNT_FORMAT
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 60

    def sheet(
        title: str, columns: Sequence[str], rows: list[list[Cell]], widths: dict[str, int]
    ) -> None:
        page = book.create_sheet(title)
        xlsx_append(page, headers(columns, lang))
        for cell in page[1]:
            cell.font = bold
        for row in rows:
            xlsx_append(page, row)
            for cell in page[page.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = _AMOUNT_FORMAT
                elif isinstance(cell.value, datetime):
                    cell.number_format = _TIME_FORMAT
                elif isinstance(cell.value, date):
                    cell.number_format = _DATE_FORMAT
        page.freeze_panes = "A2"
        for column, width in widths.items():
            page.column_dimensions[column].width = width

    sheet(
        label("lines", lang),
        LINE_COLUMNS,
        line_rows(statement, lang),
        {"A": 19, "B": 12, "C": 14, "D": 22, "H": 24, "I": 70, "J": 12, "K": 12, "L": 30,
         "N": 60},
    )  # fmt: skip
    sheet(
        label("compliance", lang),
        COMPLIANCE_COLUMNS,
        compliance_rows(statement, lang),
        {"A": 24, "G": 20, "H": 20},
    )
    if statement.contract.measures:
        sheet(
            label("measures", lang),
            MEASURE_COLUMNS,
            measure_rows(statement, lang),
            {"A": 16, "B": 28, "C": 11, "D": 11, "E": 10, "F": 10, "G": 16, "H": 80, "I": 20},
        )
    sheet(
        label("tickets_sheet", lang),
        TICKET_COLUMNS,
        ticket_rows(statement, lang),
        {"A": 14, "D": 19, "E": 50},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
