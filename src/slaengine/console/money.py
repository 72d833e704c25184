"""Money: the month's and the contract year's penalties and compensation by clause, the yearly
cap used, every line with its formula, and the month's statement as xlsx or csv.

Everything comes from the whole-contract report (reports.py) through the same functions as
``slaengine statement``: ``Charges.within`` for a period, ``build_statement`` and the exports.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from slaengine.console.page import Console, NoContract, money_text, months_of
from slaengine.penalties import Window, build_statement
from slaengine.penalties.caps import cap_amount
from slaengine.penalties.export import to_csv, to_xlsx
from slaengine.penalties.lines import Line
from slaengine.penalties.words import ZERO
from slaengine.penalties.years import contract_year, year_start


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    now_of = console.now

    @router.get("/console/money")
    def money_page(
        request: Request, contract: str | None = None, period: str | None = None
    ) -> HTMLResponse:
        p = page(request)
        context = console.chosen(p, contract)
        now = now_of()
        window = console.period(context, period, now)
        report = console.reports.report(context, now)
        year = contract_year(context.contract, now)
        year_window = Window(
            year_start(context.contract, year), year_start(context.contract, year + 1), str(year)
        )
        cap = cap_amount(context.contract.caps.per_contract_year, context.contract.price)
        year_charges = report.charges.within(year_window.start, year_window.end)
        used = year_charges.totals().penalties
        return render(
            p,
            "money.html",
            context=context,
            window=window,
            year=year,
            report=report,
            month=money_view(report.charges.within(window.start, window.end)),
            this_year=money_view(year_charges),
            cap=cap,
            cap_used=used,
            cap_share=(used * 100 / cap[0]).quantize(Decimal("0.1")) if cap and cap[0] else None,
            months=months_of(context, now),
            money=money_text,
        )

    @router.get("/console/money/statement")
    def statement(
        request: Request,
        contract: str | None = None,
        period: str | None = None,
        format: str = "xlsx",
    ) -> Response:
        p = page(request)
        if format not in ("xlsx", "csv"):
            raise HTTPException(422, detail="format: use xlsx or csv")
        try:
            context = console.chosen(p, contract)
        except NoContract:
            raise HTTPException(404, detail="no contract is loaded") from None
        now = now_of()
        window = console.period(context, period, now)
        result = build_statement(console.reports.report(context, now), window)
        if format == "csv":
            data, media = to_csv(result, p.lang), "text/csv; charset=utf-8"
        else:
            data = to_xlsx(result, p.lang)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"statement-{context.contract.id}-{window.label}.{format}"
        return Response(data, media_type=media, headers={"Content-Disposition": attachment(name)})


def attachment(name: str) -> str:
    """``Content-Disposition`` for a download named ``name`` (RFC 6266): an ASCII fallback with
    every other character as ``_``, and the name itself percent-encoded in ``filename*``."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def money_view(charges: Any) -> dict[str, Any]:
    """Lines grouped by section and clause, with their sums."""
    by_clause: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in charges.penalties + charges.compensation:
        if line.counts and line.amount is not None:
            by_clause[(line.section, line.clause or "—")] += line.amount
    lines: list[Line] = charges.lines()
    return {
        "by_clause": sorted(by_clause.items()),
        "lines": [x for x in lines if x.amount is not None],
        "totals": charges.totals(),
    }
