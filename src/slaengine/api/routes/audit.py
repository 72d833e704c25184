"""``GET /audit`` (``audit.read``, slaengine.access: the operator, an administrator, a contract
manager for their contracts' records): the audit trail's records, oldest first, as JSON or CSV.

Sign-ins are recorded by the ``SignIns`` recorder ``create_api`` puts on
``app.state.audit_sign_ins`` (slaengine.audit.trail.sign_in finds it there). The console's page
is console/audit.py; both read records through ``slaengine.audit.trail`` and filter with
slaengine.audit.filters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from slaengine.api.access import requires, visible
from slaengine.api.auth import Auth
from slaengine.api.problems import responses
from slaengine.api.routes.common import DATE_TIME
from slaengine.audit import trail
from slaengine.audit.filters import filters_of, to_csv
from slaengine.store import Store


def audit_router(store: Store, auth: Auth) -> APIRouter:
    """``GET /audit`` over ``store``, for the operator."""
    router = APIRouter()

    @router.get(
        "/audit",
        tags=["audit"],
        dependencies=[requires("audit.read")],
        responses={
            **responses(401, 403, 422, 503),  # 403: a role that may not read the trail
            200: {
                "description": "The records, oldest first (JSON, or CSV with format=csv).",
                "content": {"application/json": {}, "text/csv": {}},
            },
        },
    )
    def audit(
        request: Request,
        contract: str | None = None,
        kind: Annotated[
            str | None,
            Query(description="one of the kinds", json_schema_extra={"enum": list(trail.KINDS)}),
        ] = None,
        who: str | None = None,
        since: Annotated[
            str | None,
            Query(description="at or after (RFC 3339 with offset)", json_schema_extra=DATE_TIME),
        ] = None,
        until: Annotated[
            str | None,
            Query(description="before (RFC 3339 with offset)", json_schema_extra=DATE_TIME),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
        format: Literal["json", "csv"] = "json",
    ) -> Any:
        """The audit trail: who did what, when and from where (``audit.read``: the operator,
        an administrator, a contract manager for their contracts' records). Each record
        carries its hash and its predecessor's; ``slaengine audit verify`` checks the chain."""
        try:
            filters = filters_of(contract, kind, who, since, until, dates=False)
        except ValueError as exc:
            raise HTTPException(422, detail=str(exc)) from None
        # a contract manager reads the records of their contracts (slaengine.access)
        filters = replace(filters, within=visible(request, "audit.read"))
        with store.sessions() as session:
            rows = trail.records(session, filters, limit, newest_first=True)
        rows.reverse()
        if format == "csv":
            return Response(
                to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
            )
        return [trail.record_json(row) for row in rows]

    return router
