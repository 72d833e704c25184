"""``GET /alerts``, ``GET /alerts/{alert_id}`` (each with its channels' delivery state) and
``POST /alerts/{alert_id}/ack`` (the service's acknowledgement: one transaction, recorded in the
audit trail)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from slaengine.api.access import actor as access_actor
from slaengine.api.access import current, narrowed, requires
from slaengine.api.access import row as row_of
from slaengine.api.auth import Auth
from slaengine.api.problems import model_body, optional_body, responses
from slaengine.api.routes.common import ID, READ
from slaengine.api.schemas import Acknowledgement
from slaengine.api.views import Zones, alert_json, matching
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store.models import Breach, OutboxRow, StoredAlert


def alerts_router(store: Store, service: LiveService, auth: Auth, zones: Zones) -> APIRouter:
    """The alert routes over ``store``; an acknowledgement is ``service``'s."""
    router = APIRouter()
    # who may do what: the permission table (slaengine.access); an alert is its contract's
    one_alert = row_of(StoredAlert, "alert_id", "no alert {}")

    def _alerts(session: Any, rows: list[StoredAlert]) -> list[dict[str, Any]]:
        ids = [row.id for row in rows]
        deliveries: dict[int, list[OutboxRow]] = {i: [] for i in ids}
        if ids:
            for d in session.scalars(
                select(OutboxRow).where(OutboxRow.alert_id.in_(ids)).order_by(OutboxRow.id)
            ):
                deliveries[d.alert_id].append(d)
        breach_ids = {row.breach_id for row in rows if row.breach_id is not None}
        breaches = (
            {b.id: b for b in session.scalars(select(Breach).where(Breach.id.in_(breach_ids)))}
            if breach_ids
            else {}
        )
        return [
            alert_json(
                row,
                deliveries[row.id],
                zones.of(session, row.contract),
                breaches.get(row.breach_id) if row.breach_id is not None else None,
            )
            for row in rows
        ]

    @router.get(
        "/alerts",
        tags=["alerts"],
        dependencies=[requires("contract.read")],
        responses=responses(*READ, 403),
    )
    def alerts(
        request: Request,
        kind: str | None = None,
        contact: str | None = None,
        contract: str | None = None,
        ticket: str | None = None,
        acknowledged: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Alerts, newest first, with each channel's delivery state. An alert is acknowledged
        when it was, or its breach was through another contact's alert of it (as the console
        shows it)."""
        from slaengine.service.acknowledgement import acknowledged as is_acknowledged
        from slaengine.service.acknowledgement import with_breaches

        query = matching(
            select(StoredAlert), StoredAlert, kind=kind, contact=contact, contract=contract,
            ticket=ticket,
        )  # fmt: skip
        if acknowledged is not None:
            query = with_breaches(query)
            query = query.where(is_acknowledged() if acknowledged else ~is_acknowledged())
        query = narrowed(query, StoredAlert.contract, request)
        query = query.order_by(StoredAlert.id.desc()).limit(limit)
        with store.sessions() as session:
            return _alerts(session, list(session.scalars(query)))

    @router.get(
        "/alerts/{alert_id}",
        tags=["alerts"],
        dependencies=[requires("contract.read", one_alert)],
        responses=responses(*READ, 403, 404),
    )
    def alert(alert_id: Annotated[int, ID]) -> dict[str, Any]:
        with store.sessions() as session:
            row = session.get(StoredAlert, alert_id)
            if row is None:
                raise HTTPException(404, detail=f"no alert {alert_id}")
            return _alerts(session, [row])[0]

    @router.post(
        "/alerts/{alert_id}/ack",
        tags=["alerts"],
        dependencies=[requires("alert.acknowledge", one_alert)],
        openapi_extra=model_body(Acknowledgement),
        responses=responses(400, *READ, 403, 404),
    )
    async def acknowledge(alert_id: Annotated[int, ID], request: Request) -> dict[str, Any]:
        """Acknowledge an alert; its breach is then acknowledged and no longer escalates. The
        body (`{"by": "name"}`, optional) is JSON whatever its Content-Type."""
        body = await optional_body(request, Acknowledgement, "an acknowledgement")

        by = body.by if body else None
        actor = access_actor(request, by)
        if current(request).is_user:  # a user acknowledges under their own name
            by = actor.who

        def acknowledged() -> dict[str, Any]:
            row = service.acknowledge(alert_id, by, actor)
            if row is None:
                raise HTTPException(404, detail=f"no alert {alert_id}")
            with store.sessions() as session:
                fresh = session.get(StoredAlert, alert_id)
                assert fresh is not None
                return _alerts(session, [fresh])[0]

        return await run_in_threadpool(acknowledged)

    return router
