"""The console's pages: thin handlers that read the store (or the core) and fill a template.

Every page answers in the request's language (words.py), needs a signed-in viewer or operator
(api/auth.py; without one it sends the browser to ``/login``), and shows times in the
contract's time zone. The one thing a page changes is an alert's acknowledgement, which goes
through the same ``LiveService.acknowledge`` as ``POST /alerts/{id}/ack`` and needs an operator.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment
from sqlalchemy import select

from slaengine.alerts.messages import human_duration
from slaengine.api.auth import COOKIE, OPERATOR, SESSION_SECONDS, Auth, Role, secure_request
from slaengine.clocks import PAUSED, RUNNING
from slaengine.console.board import Filters, board
from slaengine.console.charts import Bar, rate_chart
from slaengine.console.contracts import Reports, newest_contracts
from slaengine.console.live import ChangeFeed
from slaengine.console.words import LANG_COOKIE, Lang, lang_of, word
from slaengine.errors import SlaError
from slaengine.evaluate import Context
from slaengine.penalties import Window, build_statement
from slaengine.penalties.caps import cap_amount
from slaengine.penalties.compliance import measure
from slaengine.penalties.export import to_csv, to_xlsx
from slaengine.penalties.lines import Line
from slaengine.penalties.words import ZERO, amount_text
from slaengine.penalties.years import contract_year, year_start
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store.models import Breach, PenaltyLine, StoredAlert
from slaengine.warranty import WarrantyBook


@dataclass
class Page:
    """What every page's template gets besides its own data."""

    request: Request
    lang: Lang
    role: Role
    auth_required: bool
    contracts: dict[str, Context]
    signed_in: bool = True

    def t(self, key: str) -> str:
        return word(key, self.lang)

    def zone(self, contract: str | None) -> ZoneInfo:
        context = self.contracts.get(contract or "")
        return ZoneInfo(context.contract.timezone if context else "UTC")

    def when(self, value: datetime | str | None, contract: str | None = None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.astimezone(self.zone(contract)).strftime("%Y-%m-%d %H:%M:%S")

    def span(self, seconds: int | None) -> str:
        if seconds is None:
            return "—"
        return human_duration(int(seconds), self.lang)

    def name(self, contract: str, commitment: str | None) -> str:
        context = self.contracts.get(contract)
        if context is None or commitment is None:
            return commitment or ""
        for c in context.contract.commitments:
            if c.id == commitment and c.name is not None:
                return c.name.get(self.lang)
        return commitment

    def severity(self, contract: str, severity: str | None) -> str:
        context = self.contracts.get(contract)
        if context is None or severity is None:
            return severity or "—"
        text = context.contract.severities.get(severity)
        return text.get(self.lang) if text is not None else severity

    def url(self, path: str, **params: Any) -> str:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{path}?{urlencode(clean)}" if clean else path

    def switch(self, lang: str) -> str:
        params = dict(self.request.query_params)
        params["lang"] = lang
        return self.url(self.request.url.path, **params)

    @property
    def operator(self) -> bool:
        return self.role == OPERATOR


def _money_text(value: Decimal | str | None) -> str:
    if value is None:
        return "—"
    return amount_text(Decimal(value))


def build_router(
    store: Store, service: LiveService, auth: Auth, env: Environment, feed: ChangeFeed
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    reports = Reports(store)
    now_of = service.clock.now

    def page(request: Request) -> Page:
        lang, _ = lang_of(request)
        role = auth.role_of(request)  # NotSignedIn -> /login (see __init__.py)
        return Page(request, lang, role, auth.required, newest_contracts(store))

    def render(p: Page, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
        html = env.get_template(template).render(p=p, t=p.t, **data)
        response = HTMLResponse(html, status_code=status_code)
        _remember_lang(p.request, response)
        return response

    # --- sign-in -----------------------------------------------------------------------------

    @router.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        lang, _ = lang_of(request)
        if not auth.required:
            return RedirectResponse(_local(next), status_code=303)
        p = Page(request, lang, "viewer", True, {}, signed_in=False)
        return render(p, "login.html", next=_local(next), error=False)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0].strip()
        target = _local((form.get("next") or ["/"])[0])
        role = auth.role_of_token(given) if given else None
        if role is None:
            lang, _ = lang_of(request)
            p = Page(request, lang, "viewer", True, {}, signed_in=False)
            return render(p, "login.html", status_code=401, next=target, error=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            auth.session_value(role),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure_request(request),
            path="/",
        )
        return response

    @router.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/live")
    def live(request: Request) -> StreamingResponse:
        auth.role_of(request)
        return StreamingResponse(
            feed.stream(request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # --- the board ---------------------------------------------------------------------------

    @router.get("/")
    def board_page(request: Request, page_no: int = 1) -> HTMLResponse:
        p = page(request)
        filters = Filters.of(request.query_params)
        now = now_of()
        result = board(store, filters, now, page_no)
        return render(
            p,
            "board.html",
            board=result,
            filters=filters,
            now=now,
            unacked=_unacknowledged(store, filters.contract),
        )

    # --- alerts ------------------------------------------------------------------------------

    @router.get("/console/alerts")
    def alerts_page(request: Request) -> HTMLResponse:
        p = page(request)
        with store.sessions() as session:
            recent = list(
                session.scalars(
                    select(StoredAlert)
                    .where(StoredAlert.contact != "*")
                    .order_by(StoredAlert.id.desc())
                    .limit(ALERTS_SHOWN)
                )
            )
            views = _alert_views(session, recent)
        waiting = [v for v in views if v["acked_at"] is None]
        done = sorted(
            (v for v in views if v["acked_at"] is not None),
            key=lambda v: v["acked_at"],
            reverse=True,
        )
        return render(
            p,
            "alerts.html",
            waiting=waiting,
            done=done,
        )

    @router.get("/console/ack")
    def ack_page(request: Request, key: str, contact: str) -> HTMLResponse:
        """Where an alert message's "acknowledge" link leads: the alert and its button."""
        p = page(request)
        with store.sessions() as session:
            row = session.scalar(
                select(StoredAlert).where(StoredAlert.key == key, StoredAlert.contact == contact)
            )
            if row is None:
                return render(p, "message.html", status_code=404, text=p.t("not_found"))
            view = _alert_views(session, [row])[0]
        return render(p, "ack.html", alert=view)

    @router.post("/console/alerts/{alert_id}/ack")
    async def ack(request: Request, alert_id: int) -> Response:
        p = page(request)
        if not p.operator:
            return render(p, "message.html", status_code=403, text=p.t("forbidden"))
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        by = (form.get("by") or [""])[0].strip() or f"console ({p.role})"
        row = service.acknowledge(alert_id, by[:200])
        if row is None:
            return render(p, "message.html", status_code=404, text=p.t("not_found"))
        back = _local((form.get("back") or ["/console/alerts"])[0])
        return RedirectResponse(back, status_code=303)

    # --- a ticket ----------------------------------------------------------------------------

    @router.get("/console/tickets/{contract}/{ticket}")
    def ticket_page(request: Request, contract: str, ticket: str) -> HTMLResponse:
        p = page(request)
        now = now_of()
        with store.sessions() as session:
            try:
                judged = service.judge_ticket(session, contract, ticket, now)
            except LookupError:
                judged = None
            if judged is None:
                return render(p, "message.html", status_code=404, text=p.t("not_found"))
            breaches = list(
                session.scalars(
                    select(Breach)
                    .where(
                        Breach.contract == contract,
                        Breach.kind == "clock",
                        Breach.ticket == ticket,
                    )
                    .order_by(Breach.id)
                )
            )
            lines = [
                json.loads(row.body)
                for row in session.scalars(
                    select(PenaltyLine)
                    .where(PenaltyLine.contract == contract, PenaltyLine.ticket == ticket)
                    .order_by(PenaltyLine.id)
                )
            ]
            alerts = list(
                session.scalars(
                    select(StoredAlert)
                    .where(
                        StoredAlert.contract == contract,
                        StoredAlert.ticket == ticket,
                        StoredAlert.contact != "*",
                    )
                    .order_by(StoredAlert.id)
                )
            )
            alert_views = _alert_views(session, alerts)
            session.expunge_all()
        events = [e for e in judged.applied if e.ticket == ticket]
        info: dict[str, Any] = {"severity": None, "asset": None}
        for event in events:
            if event.severity:
                info["severity"] = event.severity
            if event.asset:
                info["asset"] = event.asset
        return render(
            p,
            "ticket.html",
            contract=contract,
            ticket=ticket,
            now=now,
            info=info,
            clocks=judged.clocks,
            open_statuses=(RUNNING, PAUSED),
            events=events,
            breaches=breaches,
            lines=lines,
            alerts=alert_views,
            money=_money_text,
            event_details=_event_details,
        )

    # --- money -------------------------------------------------------------------------------

    def _chosen(p: Page, contract: str | None) -> Context:
        if not p.contracts:
            raise _Empty()
        if contract and contract in p.contracts:
            return p.contracts[contract]
        return next(iter(p.contracts.values()))

    def _period(context: Context, text: str | None, now: datetime) -> Window:
        if text:
            try:
                return Window.month(context.contract, text)
            except SlaError as exc:
                raise HTTPException(422, detail=f"period: {exc}") from None
        local = now.astimezone(ZoneInfo(context.contract.timezone))
        return Window.month(context.contract, f"{local.year:04d}-{local.month:02d}")

    @router.get("/console/money")
    def money_page(
        request: Request, contract: str | None = None, period: str | None = None
    ) -> HTMLResponse:
        p = page(request)
        try:
            context = _chosen(p, contract)
        except _Empty:
            return render(p, "message.html", text=p.t("no_contract"))
        now = now_of()
        window = _period(context, period, now)
        report = reports.report(context, now)
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
            month=_money_view(report.charges.within(window.start, window.end)),
            this_year=_money_view(year_charges),
            cap=cap,
            cap_used=used,
            cap_share=(used * 100 / cap[0]).quantize(Decimal("0.1")) if cap and cap[0] else None,
            months=_months(context, now),
            money=_money_text,
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
            context = _chosen(p, contract)
        except _Empty:
            raise HTTPException(404, detail="no contract is loaded") from None
        now = now_of()
        window = _period(context, period, now)
        result = build_statement(reports.report(context, now), window)
        if format == "csv":
            data, media = to_csv(result, p.lang), "text/csv; charset=utf-8"
        else:
            data = to_xlsx(result, p.lang)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"statement-{context.contract.id}-{window.label}.{format}"
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # --- compliance --------------------------------------------------------------------------

    @router.get("/console/compliance")
    def compliance_page(request: Request, contract: str | None = None) -> HTMLResponse:
        p = page(request)
        try:
            context = _chosen(p, contract)
        except _Empty:
            return render(p, "message.html", text=p.t("no_contract"))
        now = now_of()
        report = reports.report(context, now)
        waived = report.charges.waived_clocks
        months = list(reversed(_months(context, now)))[-12:]
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

    # --- warranty and obligations ------------------------------------------------------------

    @router.get("/console/warranty")
    def warranty_page(request: Request, contract: str | None = None) -> HTMLResponse:
        p = page(request)
        try:
            context = _chosen(p, contract)
        except _Empty:
            return render(p, "message.html", text=p.t("no_contract"))
        now = now_of()
        report = reports.report(context, now)
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

    # --- a contract --------------------------------------------------------------------------

    @router.get("/console/contracts/{contract}")
    def contract_page(request: Request, contract: str) -> HTMLResponse:
        p = page(request)
        context = p.contracts.get(contract)
        if context is None:
            return render(p, "message.html", status_code=404, text=p.t("not_found"))
        from slaengine.cli.render import conditions_text

        clauses = []
        for clause in context.contract.clauses:
            terms = clause.model_dump(
                exclude={"id", "name", "kind", "on_event"}, exclude_none=True, exclude_defaults=True
            )
            clauses.append(
                {
                    "clause": clause,
                    "terms": ", ".join(f"{k}={v}" for k, v in terms.items()),
                    "on_event": conditions_text(clause.on_event),
                }
            )
        cap = cap_amount(context.contract.caps.per_contract_year, context.contract.price)
        return render(
            p,
            "contract.html",
            c=context.contract,
            conditions=conditions_text,
            clauses=clauses,
            cap=cap,
        )

    return router


ALERTS_SHOWN = 300


class _Empty(Exception):
    """No contract is loaded yet."""


def _local(target: str) -> str:
    """Only a path on this server may follow a sign-in or an acknowledgement (no open
    redirect to another site)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _remember_lang(request: Request, response: Response) -> None:
    lang, chosen = lang_of(request)
    if chosen:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True, path="/"
        )


def _unacknowledged(store: Store, contract: str | None) -> int:
    from sqlalchemy import func

    query = (
        select(func.count())
        .select_from(StoredAlert)
        .where(StoredAlert.acknowledged_at.is_(None), StoredAlert.contact != "*")
    )
    if contract:
        query = query.where(StoredAlert.contract == contract)
    with store.sessions() as session:
        return int(session.scalar(query) or 0)


def _alert_views(session: Any, rows: list[StoredAlert]) -> list[dict[str, Any]]:
    """Alerts as the console shows them. An alert counts as acknowledged when it was, or when
    its breach was through another alert of it (the duty supervisor's and the manager's alert
    of one breach: one acknowledgement stops the escalation of both)."""
    ids = {row.breach_id for row in rows if row.breach_id is not None}
    breaches = (
        {b.id: b for b in session.scalars(select(Breach).where(Breach.id.in_(ids)))} if ids else {}
    )
    views = []
    for row in rows:
        breach = breaches.get(row.breach_id) if row.breach_id is not None else None
        acked_at, acked_by = row.acknowledged_at, row.acknowledged_by
        if acked_at is None and breach is not None and breach.acknowledged_at is not None:
            acked_at, acked_by = breach.acknowledged_at, breach.acknowledged_by
        payload = json.loads(row.payload)
        views.append({"row": row, "alert": payload, "acked_at": acked_at, "acked_by": acked_by})
    session.expunge_all()
    return views


def _event_details(body: Any) -> str:
    data = body.to_json() if hasattr(body, "to_json") else dict(body)
    shown = {
        k: v
        for k, v in data.items()
        if k not in ("id", "contract", "ticket", "type", "at") and v not in (None, {}, [])
    }
    return ", ".join(
        f"{k}={json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}"
        for k, v in shown.items()
    )


def _months(context: Context, now: datetime) -> list[str]:
    """Months from now back to acceptance (at most 24), newest first, as ``2026-10``."""
    local = now.astimezone(ZoneInfo(context.contract.timezone)).date().replace(day=1)
    first = context.contract.accepted_on.replace(day=1)
    months: list[str] = []
    day = local
    while day >= first and len(months) < 24:
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = day - relativedelta(months=1)
    return months or [f"{local.year:04d}-{local.month:02d}"]


def _money_view(charges: Any) -> dict[str, Any]:
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
