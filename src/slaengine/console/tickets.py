"""A ticket's page: its events in order, its clocks judged now, its penalty lines and alerts.

The clocks come from the pure core (``LiveService.judge_ticket``, read only) so paused and
excused time are exact at this moment; the penalty lines and breaches are the store's.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from slaengine.api.access import path, requires
from slaengine.clocks import PAUSED, RUNNING
from slaengine.console.alerts import alert_views
from slaengine.console.disputes import line_marks
from slaengine.console.page import Console, money_text
from slaengine.store.models import EVERY_ALERT, Breach, PenaltyLine, StoredAlert


def add_routes(router: APIRouter, console: Console) -> None:
    store = console.store
    service = console.service
    page = console.page
    render = console.render
    now_of = console.now

    @router.get(
        "/console/tickets/{contract}/{ticket:path}",
        dependencies=[requires("contract.read", path("contract"), page=True)],
    )
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
            line_rows = list(
                session.scalars(
                    select(PenaltyLine)
                    .where(PenaltyLine.contract == contract, PenaltyLine.ticket == ticket)
                    .order_by(PenaltyLine.id)
                )
            )
            lines = [json.loads(row.body) for row in line_rows]
            disputed = line_marks(session, line_rows)  # each line's dispute (console/disputes)
            alerts = list(
                session.scalars(
                    select(StoredAlert)
                    .where(
                        StoredAlert.contract == contract,
                        StoredAlert.ticket == ticket,
                        StoredAlert.contact != EVERY_ALERT,
                    )
                    .order_by(StoredAlert.id)
                )
            )
            shown_alerts = alert_views(session, alerts)
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
            disputed=disputed,
            alerts=shown_alerts,
            money=money_text,
            event_details=event_details,
        )


def event_details(body: Any) -> str:
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
