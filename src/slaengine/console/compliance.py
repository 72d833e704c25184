"""Compliance: each commitment's on-time rate month by month (an SVG chart) and its median and
p90 time to stop, from ``penalties.compliance.measure`` — the one on-time rate of the project —
and this month's period measures (availability, first-time fix, ...): the rows of the
statement's measures table (``penalties.export.measure_rows``), so the page, the CSV and the
workbook show the same figures and money.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.api.access import query, requires
from slaengine.clocks import Clock
from slaengine.console.charts import Bar, rate_chart
from slaengine.console.page import Console, months_of
from slaengine.evaluate import Report
from slaengine.measures.compliance import Compliance, measure
from slaengine.penalties import build_statement
from slaengine.penalties.export import MEASURE_COLUMNS, Cell, headers, measure_rows
from slaengine.penalties.words import amount_text


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    now_of = console.now

    @router.get(
        "/console/compliance",
        dependencies=[requires("contract.read", query("contract"), page=True)],
    )
    def compliance_page(request: Request, contract: str | None = None) -> HTMLResponse:
        p = page(request)
        context = console.chosen(p, contract)
        now = now_of()
        report = console.reports.report(context, now)
        months = list(reversed(months_of(context, now)))[-12:]
        figures = console.reports.derived(
            report, f"compliance {months[-1]}", partial(_figures, months=months)
        )
        rows = [
            {
                "commitment": commitment,
                "chart": rate_chart(bars, p.name(context.contract.id, commitment.id)),
                "total": total,
                "this": this,
            }
            for commitment, (bars, total, this) in zip(
                context.contract.commitments, figures, strict=True
            )
        ]
        measures: list[list[str]] = []
        if context.contract.measures:
            window = console.period(context, None, now)
            statement = console.reports.derived(
                report, f"statement {window.label}", lambda r: build_statement(r, window)
            )
            measures = [[_text(cell) for cell in row] for row in measure_rows(statement, p.lang)]
        return render(
            p,
            "compliance.html",
            context=context,
            rows=rows,
            report=report,
            measures=measures,
            measure_headers=headers(MEASURE_COLUMNS, p.lang),
        )


def _text(cell: Cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, Decimal):
        return amount_text(cell)
    return str(cell)


def _figures(report: Report, months: list[str]) -> list[tuple[list[Bar], Compliance, Compliance]]:
    """Per commitment: a bar per month, the overall figures, and the last month's."""
    waived = report.charges.waived_clocks
    zone = ZoneInfo(report.contract.timezone)
    # One pass sorts the clocks by commitment and by the month of their deadline (in the
    # contract's zone, as Window.month counts it); measure() then judges each group whole.
    groups: dict[tuple[str, str], list[Clock]] = defaultdict(list)
    every: dict[str, list[Clock]] = defaultdict(list)
    for clock in report.clocks:
        every[clock.commitment].append(clock)
        groups[(clock.commitment, clock.deadline.astimezone(zone).strftime("%Y-%m"))].append(clock)
    result = []
    for commitment in report.contract.commitments:
        ident = [commitment.id]
        bars = []
        for label in months:
            month = measure(groups.get((commitment.id, label), []), ident, waived=waived)
            rate = (
                (Decimal(month.met * 100) / month.judged).quantize(Decimal("0.1"))
                if month.judged
                else None
            )
            bars.append(Bar(label[2:], rate, month.judged))
        total = measure(every.get(commitment.id, []), ident, waived=waived)
        last = measure(groups.get((commitment.id, months[-1]), []), ident, waived=waived)
        result.append((bars, total, last))
    return result
