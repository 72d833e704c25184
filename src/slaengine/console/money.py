"""Money: the month's and the contract year's penalties and compensation by clause, the yearly
cap used, every line with its formula, and the month's statement as xlsx, csv or the PDF
document (对账单); an operator confirms the document for a party (slaengine.audit.
confirmations), and the page says who confirmed it and which lines changed since.

The page's charges are the store's lines with the open breaches priced again at now and the caps
applied over them (slaengine.service.money: one indexed read, no whole-contract judging), cut to
a period with ``Charges.within`` as ``slaengine statement`` cuts them; a contract with a clause
priced per period of the whole contract (a service credit) is judged whole (reports.py). The
downloads are the full statement (compliance figures, chargeable tickets), from the whole-contract
report.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from slaengine.api.access import Refused, query, requires
from slaengine.api.access import actor as access_actor
from slaengine.api.problems import form_body
from slaengine.audit import confirmations
from slaengine.console.page import Console, NoContract, money_text, months_of
from slaengine.console.words import WORDS
from slaengine.evaluate import Context
from slaengine.money import ZERO
from slaengine.penalties import Charges, Window, build_statement
from slaengine.penalties.caps import cap_amount
from slaengine.penalties.disputes import OPEN, line_reference
from slaengine.penalties.export import to_csv, to_xlsx
from slaengine.penalties.lines import Line
from slaengine.penalties.pdf import render_pdf
from slaengine.penalties.years import contract_year, year_start
from slaengine.service.money import stored_charges
from slaengine.store.disputes import marks_of_store

log = logging.getLogger(__name__)

WORDS.update(
    {
        "statement_confirmation": ("Confirmation of the statement", "对账单确认"),
        "confirmed_by": ("confirmed by", "确认人"),
        "changed_since": ("changed since, lines that differ", "此后已变化，不同的明细"),
        "unchanged_since": ("unchanged since", "此后未变化"),
        "not_confirmed": ("Not confirmed yet.", "尚未确认。"),
        "party": ("Party", "确认方"),
        "party_supplier": ("Supplier", "乙方（供应商）"),
        "party_customer": ("Customer", "甲方（采购人）"),
        "confirm_statement": ("Confirm the statement (PDF)", "确认对账单（PDF）"),
        "confirm_needs": (
            "Say who confirms, and for which party (supplier or customer).",
            "请填写确认人及确认方（供应商或采购人）。",
        ),
        "line": ("Line", "明细"),
        "as_confirmed": ("As confirmed", "确认时"),
        "now": ("Now", "现在"),
        "diff_added": ("added", "新增"),
        "diff_removed": ("removed", "已删除"),
    }
)


def add_routes(router: APIRouter, console: Console) -> None:
    page = console.page
    render = console.render
    now_of = console.now

    @router.get(
        "/console/money", dependencies=[requires("contract.read", query("contract"), page=True)]
    )
    def money_page(
        request: Request,
        contract: str | None = None,
        period: str | None = None,
        page_no: int = 1,
    ) -> HTMLResponse:
        p = page(request)
        context = console.chosen(p, contract)
        now = now_of()
        window = console.period(context, period, now)
        charges, as_of = money_charges(console, context, now)
        year = contract_year(context.contract, now)
        year_window = Window(
            year_start(context.contract, year), year_start(context.contract, year + 1), str(year)
        )
        cap = cap_amount(context.contract.caps.per_contract_year, context.contract.price)
        year_charges = charges.within(year_window.start, year_window.end)
        used = year_charges.totals().penalties
        # A confirmed month is compared line by line with the full statement (the whole
        # contract judged); a month nobody confirmed costs no more than the stored lines.
        standings = (
            confirmations.standing(
                console.store,
                build_statement(console.reports.report(context, now), window),
                p.lang,
            )
            if confirmations.any_confirmed(console.store, context.contract.id, window.label)
            else []
        )
        marks = marks_of_store(console.store, context.contract.id)  # the lines' disputes
        return render(
            p,
            "money.html",
            dispute_of=lambda line: marks.get(line_reference(line)) if line.clause else None,
            open_disputes=sum(1 for mark in marks.values() if mark.state == OPEN),
            context=context,
            window=window,
            year=year,
            as_of=as_of,
            month=money_view(charges.within(window.start, window.end), page_no),
            this_year=money_view(year_charges, listed=False),
            cap=cap,
            cap_used=used,
            cap_share=(used * 100 / cap[0]).quantize(Decimal("0.1")) if cap and cap[0] else None,
            months=months_of(context, now),
            money=money_text,
            standings=standings,
        )

    @router.get(
        "/console/money/statement",
        dependencies=[requires("statement.read", query("contract"), page=True)],
    )
    def statement(
        request: Request,
        contract: str | None = None,
        period: str | None = None,
        format: str = "xlsx",
    ) -> Response:
        p = page(request)
        if format not in ("xlsx", "csv", "pdf"):
            raise HTTPException(422, detail="format: use xlsx, csv or pdf")
        try:
            context = console.chosen(p, contract)
        except NoContract:
            raise HTTPException(404, detail="no contract is loaded") from None
        if not p.may("statement.read", context.contract.id):
            raise Refused("statement.read")
        now = now_of()
        window = console.period(context, period, now)
        result = build_statement(console.reports.report(context, now), window)
        marks = marks_of_store(console.store, context.contract.id)
        result = replace(result, disputes=marks) if marks else result  # disputed lines marked
        if format == "csv":
            data, media = to_csv(result, p.lang), "text/csv; charset=utf-8"
        elif format == "pdf":
            zone = ZoneInfo(context.contract.timezone)
            standings = confirmations.standing(console.store, result, p.lang)
            data = render_pdf(result, p.lang, confirmations.recorded(standings, zone))
            media = "application/pdf"
        else:
            data = to_xlsx(result, p.lang)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"statement-{context.contract.id}-{window.label}.{format}"
        return Response(data, media_type=media, headers={"Content-Disposition": attachment(name)})

    @router.post("/console/money/confirm", dependencies=[requires("statement.confirm", page=True)])
    async def confirm(request: Request) -> Response:
        """Record a party's confirmation of the month's statement as the PDF document in the
        page's language, as of now (``statement.confirm``: billing or the supplier of the
        contract, an administrator, the operator token; a user confirms under their name)."""
        p = page(request)
        form = await form_body(request, "confirmation form")

        def field(name: str) -> str:
            return (form.get(name) or [""])[0].strip()

        who, party = field("by"), field("party") or "supplier"
        if p.principal.is_user:
            who = p.principal.name
        if not who or party not in confirmations.PARTIES:
            return render(p, "message.html", status_code=422, text=p.t("confirm_needs"))
        context = console.chosen(p, field("contract") or None)
        if not p.may("statement.confirm", context.contract.id):
            raise Refused("statement.confirm")
        # a person confirms for their own side: a supplier as the supplier, billing as the
        # customer, whatever the form says (slaengine.access.Principal.parties)
        sides = p.principal.parties(context.contract.id)
        if len(sides) == 1:
            party = next(iter(sides))
        elif party not in sides:
            raise Refused("statement.confirm")
        now = now_of()
        window = console.period(context, field("period") or None, now)

        def confirmed() -> None:
            result = build_statement(console.reports.report(context, now), window)
            marks = marks_of_store(console.store, context.contract.id)
            result = replace(result, disputes=marks) if marks else result  # as downloaded
            zone = ZoneInfo(context.contract.timezone)
            before = confirmations.standing(console.store, result, p.lang)
            document = render_pdf(result, p.lang, confirmations.recorded(before, zone))
            actor = access_actor(request, who, via="console")
            confirmations.confirm(console.store, result, document, p.lang, actor, party)

        await run_in_threadpool(confirmed)
        back = p.url("/console/money", contract=context.contract.id, period=window.label)
        return RedirectResponse(back, status_code=303)


def attachment(name: str) -> str:
    """``Content-Disposition`` for a download named ``name`` (RFC 6266): an ASCII fallback with
    every other character as ``_``, and the name itself percent-encoded in ``filename*``."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def money_charges(console: Console, context: Context, now: datetime) -> tuple[Charges, datetime]:
    """The contract's charges at now, and the moment they are of: from the store's lines
    (``stored_charges``), or from the whole-contract report when the store does not keep them
    all (a clause priced per period of the whole contract)."""
    try:
        charges = stored_charges(console.store, context.contract.id, now)
    except (KeyError, TypeError, ValueError) as exc:  # a stored line that cannot be read back
        log.warning(
            "money of %s from its report: a stored line is unreadable (%s)",
            context.contract.id,
            exc,
        )
        charges = None
    if charges is not None:
        return charges, now
    report = console.reports.report(context, now)
    return report.charges, report.as_of


#: Lines listed per page (the sums and the downloads cover all of them).
LINES_PER_PAGE = 200


def money_view(charges: Any, page_no: int | None = None, listed: bool = True) -> dict[str, Any]:
    """Lines grouped by section and clause, with their sums; ``page_no``: the lines of one page
    of ``LINES_PER_PAGE`` (None: all); ``listed``: False for the sums only."""
    by_clause: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in charges.penalties + charges.compensation:
        if line.counts and line.amount is not None:
            by_clause[(line.section, line.clause or "—")] += line.amount
    lines = [x for x in charges.lines() if x.amount is not None] if listed else []
    pages = max(1, -(-len(lines) // LINES_PER_PAGE))
    page = min(max(1, page_no or 1), pages)
    if page_no is not None:
        shown: list[Line] = lines[(page - 1) * LINES_PER_PAGE : page * LINES_PER_PAGE]
    else:
        shown = lines
    return {
        "by_clause": sorted(by_clause.items()),
        "lines": shown,
        "count": len(lines),
        "page": page,
        "pages": pages if page_no is not None else 1,
        "totals": charges.totals(),
    }
