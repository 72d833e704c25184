"""Compliance: each commitment's on-time rate month by month (an SVG chart) and its median and
p90 time to stop, from ``penalties.compliance.measure`` — the one on-time rate of the project.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.console.charts import Bar, rate_chart
from slaengine.console.page import Console, NoContract, months_of
from slaengine.penalties import Window
from slaengine.penalties.compliance import measure


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    now_of = console.now

    @router.get("/console/compliance")
    def compliance_page(request: Request, contract: str | None = None) -> HTMLResponse:
        p = page(request)
        try:
            context = console.chosen(p, contract)
        except NoContract:
            return render(p, "message.html", text=p.t("no_contract"))
        now = now_of()
        report = console.reports.report(context, now)
        waived = report.charges.waived_clocks
        months = list(reversed(months_of(context, now)))[-12:]
        rows = []
        for commitment in context.contract.commitments:
            bars = []
            for label in months:
                window = Window.month(context.contract, label)
                figures = measure(report.clocks, [commitment.id], window.start, window.end, waived)
                rate = (
                    (Decimal(figures.met * 100) / figures.judged).quantize(Decimal("0.1"))
                    if figures.judged
                    else None
                )
                bars.append(Bar(label[2:], rate, figures.judged))
            total = measure(report.clocks, [commitment.id], None, None, waived)
            this = measure(
                report.clocks,
                [commitment.id],
                Window.month(context.contract, months[-1]).start,
                Window.month(context.contract, months[-1]).end,
                waived,
            )
            rows.append(
                {
                    "commitment": commitment,
                    "chart": rate_chart(bars, p.name(context.contract.id, commitment.id)),
                    "total": total,
                    "this": this,
                }
            )
        return render(p, "compliance.html", context=context, rows=rows, report=report)
