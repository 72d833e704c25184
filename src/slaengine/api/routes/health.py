"""``GET /health``: whether the service is up and ready, and for a caller the permission table
lets see the service's details (``service.details``) the work waiting. ``StoreHealth``
remembers whether the last request reached the store (the error handlers of api/problems.py
tell it)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text

from slaengine import __version__
from slaengine.alerts.outbox import OutboxDelivery
from slaengine.api.auth import Auth, NotSignedIn
from slaengine.api.security import without_secrets
from slaengine.api.views import time_json
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store.models import PENDING, OutboxRow

logger = logging.getLogger("slaengine.api")


class StoreHealth:
    """Whether the last request reached the store (``/health`` asks it anew each time). What
    the database said (host, port, database and user names) goes to the log only; ``/health``
    shows the kind of error."""

    def __init__(self) -> None:
        self.last_error: str | None = None

    def down(self, exc: BaseException) -> None:
        orig = getattr(exc, "orig", exc)
        said = (str(orig).strip().splitlines() or [""])[0][:300]
        if said != self._said:
            logger.warning("the store cannot be reached: %s", said)
        self._said = said
        self.last_error = f"{type(orig).__name__}: the store cannot be reached (see the log)"

    _said = ""


def public_health(endpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alert endpoints as ``/health`` shows them: every URL without credentials, path or query."""
    return [
        {k: without_secrets(v) if isinstance(v, str) else v for k, v in state.items()}
        for state in endpoints
    ]


def health_router(
    store: Store,
    service: LiveService,
    auth: Auth,
    store_health: StoreHealth,
    delivery: OutboxDelivery | None,
) -> APIRouter:
    """``GET /health`` over ``store`` and ``service``; ``delivery``: the outbox delivery whose
    endpoints it reports (none: not reported)."""
    router = APIRouter()
    now_of = service.clock.now

    @router.get(
        "/health",
        tags=["service"],
        openapi_extra={"x-access": "public: up and ready to anyone, the details service.details"},
        responses={503: {"description": "The store cannot be reached (the body says so)."}},
    )
    def health(request: Request) -> JSONResponse:
        """Whether the service is up and ready; for a caller who may see the service's details
        (``service.details``: the operator and viewer tokens, an administrator — by bearer
        token or the console's session) also the work waiting: the next due time, undelivered
        alerts, the state of the store and of every alert endpoint (URLs without credentials, path
        or query), tickets parked after failed evaluations, whether the first due pass is done
        (``ready``) and the tickets waiting to be evaluated."""
        try:  # the details are the permission table's (slaengine.access "service.details")
            signed_in = auth.principal_of(request).may("service.details")
        except NotSignedIn:
            signed_in = False
        parts: dict[str, Any] = {}
        try:
            with store.sessions() as session:
                session.execute(text("SELECT 1"))
                pending = session.scalar(
                    select(func.count()).select_from(OutboxRow).where(OutboxRow.status == PENDING)
                )
            next_due = service.next_due()
            parts.update(service.progress())
            parts["store"] = {"state": "ok"}
        except Exception as exc:
            store_health.down(exc)
            pending, next_due = None, None
            parts["store"] = {"state": "down", "error": store_health.last_error}
        if delivery is not None:
            parts["alert_endpoints"] = public_health(delivery.health())
        parts["tickets_parked"] = service.troubled.parked()
        down = parts["store"]["state"] != "ok"
        if not signed_in:
            return JSONResponse(
                {"status": "unavailable" if down else "ok", "ready": bool(parts.get("ready"))},
                status_code=503 if down else 200,
                headers={"Retry-After": "2"} if down else None,
            )
        return JSONResponse(
            {
                "status": "unavailable" if down else "ok",
                "version": __version__,
                "database": store.engine.dialect.name,
                "now": now_of().isoformat(),
                "next_due": time_json(next_due),
                "alerts_pending": pending,
                **parts,
            },
            status_code=503 if down else 200,
            headers={"Retry-After": "2"} if down else None,
        )

    return router
