"""Warranty and obligations: every asset by the day its cover ends, with its basis, and the
inspection calendar (met, missed, open and upcoming periods) from the whole-contract report.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from slaengine.api.access import query, requires
from slaengine.console.page import Console
from slaengine.warranty import WarrantyBook


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    now_of = console.now

    @router.get(
        "/console/warranty", dependencies=[requires("contract.read", query("contract"), page=True)]
    )
    def warranty_page(request: Request, contract: str | None = None) -> HTMLResponse:
        p = page(request)
        context = console.chosen(p, contract)
        now = now_of()
        report = console.reports.report(context, now)
        book = WarrantyBook.build(context.contract, report.events, context.matcher)
        today = book.day_of(now)
        covers = sorted(book.all_assets(today), key=lambda c: (c.expires, c.asset))
        periods = sorted(report.periods, key=lambda x: (x.period_start, x.asset or ""))
        return render(
            p,
            "warranty.html",
            context=context,
            covers=covers,
            today=today,
            periods=periods,
            report=report,
        )
