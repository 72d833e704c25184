"""The alerts page, and acknowledging an alert from the console or from a message's link.

An acknowledgement goes through ``LiveService.acknowledge``, as ``POST /alerts/{id}/ack`` does,
and needs the ``alert.acknowledge`` action on the alert's contract (slaengine.access: a
supervisor or contract manager of it, an administrator, the operator token). The link in an
alert message (alerts/messages.py) names the alert by its key and contact, which the message
knows, rather than by the row id, which it does not.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from slaengine.api.access import actor as access_actor
from slaengine.api.access import requires, visible
from slaengine.api.access import row as row_of
from slaengine.api.problems import form_body
from slaengine.console.page import Console, local_path
from slaengine.service.acknowledgement import acknowledged, acknowledgement_of, with_breaches
from slaengine.store.limits import INT_MAX
from slaengine.store.models import EVERY_ALERT, Breach, StoredAlert


def add_routes(router: APIRouter, console: Console) -> None:
    store = console.store
    service = console.service
    page = console.page
    render = console.render

    @router.get("/console/alerts", dependencies=[requires("contract.read", page=True)])
    def alerts_page(request: Request) -> HTMLResponse:
        p = page(request)
        within = visible(request)
        waiting_rows = waiting_alerts(None, within)
        with store.sessions() as session:
            waiting_total = session.scalar(
                select(func.count()).select_from(waiting_rows.subquery())
            )
            waiting = alert_views(
                session,
                list(session.scalars(waiting_rows.order_by(StoredAlert.id.desc()).limit(WAITING))),
            )
            done = alert_views(
                session,
                list(
                    session.scalars(
                        _within(_shown().where(acknowledged()), within)
                        .order_by(StoredAlert.id.desc())
                        .limit(DONE)
                    )
                ),
            )
        return render(
            p,
            "alerts.html",
            waiting=waiting,
            waiting_total=waiting_total,
            done=done,
        )

    @router.get("/console/ack", dependencies=[requires("contract.read", _by_link, page=True)])
    def ack_page(request: Request, key: str, contact: str) -> HTMLResponse:
        """Where an alert message's "acknowledge" link leads: the alert and its button."""
        p = page(request)
        with store.sessions() as session:
            row = session.scalar(
                select(StoredAlert).where(StoredAlert.key == key, StoredAlert.contact == contact)
            )
            if row is None:
                return render(p, "message.html", status_code=404, text=p.t("not_found"))
            view = alert_views(session, [row])[0]
        return render(p, "ack.html", alert=view)

    @router.post(
        "/console/alerts/{alert_id}/ack",
        dependencies=[
            requires("alert.acknowledge", row_of(StoredAlert, "alert_id", "no alert {}"), page=True)
        ],
    )
    async def ack(request: Request, alert_id: Annotated[int, Path(ge=1, le=INT_MAX)]) -> Response:
        p = page(request)
        form = await form_body(request, "acknowledgement form")
        by = (form.get("by") or [""])[0].strip() or f"console ({p.role})"
        actor = access_actor(request, by, via="console")
        by = actor.who if p.principal.is_user else by
        row = service.acknowledge(alert_id, by[:200], actor)
        if row is None:
            return render(p, "message.html", status_code=404, text=p.t("not_found"))
        back = local_path((form.get("back") or ["/console/alerts"])[0])
        return RedirectResponse(back, status_code=303)


def _by_link(request: Request, session: Session) -> tuple[str | None, str]:
    """The contract of the alert an acknowledgement link names (by key and contact)."""
    key = request.query_params.get("key", "")
    contact = request.query_params.get("contact", "")
    found = session.scalar(
        select(StoredAlert.contract).where(StoredAlert.key == key, StoredAlert.contact == contact)
    )
    return found, "not found"


def _shown() -> Select[Any]:
    """The contacts' alerts with their breach (not the SLAENGINE_ALERT_WEBHOOK copies)."""
    return with_breaches(select(StoredAlert)).where(StoredAlert.contact != EVERY_ALERT)


def _within(query: Select[Any], within: frozenset[str] | None) -> Select[Any]:
    """``query`` narrowed to the contracts the caller sees (None: all)."""
    return query if within is None else query.where(StoredAlert.contract.in_(sorted(within)))


def waiting_alerts(
    contract: str | None = None, within: frozenset[str] | None = None
) -> Select[Any]:
    """Alerts waiting for acknowledgement: neither the alert nor its breach (through another
    contact's alert of the same breach) is acknowledged (of one contract, of the contracts
    ``within``, or all)."""
    query = _within(_shown().where(~acknowledged()), within)
    return query if contract is None else query.where(StoredAlert.contract == contract)


#: Alerts listed: the newest waiting ones, and the newest acknowledged ones.
WAITING, DONE = 300, 50


def alert_views(session: Any, rows: list[StoredAlert]) -> list[dict[str, Any]]:
    """Alerts as the console shows them, acknowledged as the API says (one rule:
    slaengine.service.acknowledgement)."""
    ids = {row.breach_id for row in rows if row.breach_id is not None}
    breaches = (
        {b.id: b for b in session.scalars(select(Breach).where(Breach.id.in_(ids)))} if ids else {}
    )
    views = []
    for row in rows:
        breach = breaches.get(row.breach_id) if row.breach_id is not None else None
        acked_at, acked_by, _ = acknowledgement_of(row, breach)
        payload = json.loads(row.payload)
        views.append({"row": row, "alert": payload, "acked_at": acked_at, "acked_by": acked_by})
    session.expunge_all()
    return views
