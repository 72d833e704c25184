"""``GET /audit`` (``audit.read``, slaengine.access) and the sign-in recorder the app's routes use.

``install(app, store, auth)`` adds the route and puts a ``SignIns`` recorder on
``app.state.audit_sign_ins`` (slaengine.audit.trail.sign_in finds it there). The console's
page is console/audit.py; both read records through ``slaengine.audit.trail``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from slaengine.api.access import requires, visible
from slaengine.api.auth import Auth
from slaengine.api.problems import responses
from slaengine.audit import trail
from slaengine.errors import EventError
from slaengine.events import parse_time
from slaengine.store import Store
from slaengine.store.limits import EARLIEST, LATEST, time_problem

_DATE_TIME = {"format": "date-time"}


def time_filter(value: str | None, name: str, dates: bool = True) -> datetime | None:
    """A ``since``/``until`` filter: RFC 3339 with offset, or (``dates``) a date, midnight UTC."""
    if value is None:
        return None
    text = value.strip()
    if dates and len(text) == 10:
        text += "T00:00:00+00:00"
    try:
        when = parse_time(text, name)
    except EventError as exc:
        raise ValueError(str(exc)) from None
    if (
        time_problem(when, name) is not None
    ):  # no record lies out there: from the start / to the end
        return EARLIEST if when.year < EARLIEST.year + 1 else LATEST
    return when


def filters_of(
    contract: str | None,
    kind: str | None,
    who: str | None,
    since: str | None,
    until: str | None,
    dates: bool = True,
) -> trail.Filters:
    """Filters from query or command-line text; ValueError names the bad one. ``dates``: a
    plain date is midnight UTC (the CLI and the console's date fields; the API takes RFC 3339
    only, as its schema says)."""
    if kind is not None and kind and kind not in trail.KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(trail.KINDS)}")
    return trail.Filters(
        contract=contract or None,
        kind=kind or None,
        who=who or None,
        since=time_filter(since, "since", dates),
        until=time_filter(until, "until", dates),
    )


def to_csv(rows: list[Any]) -> bytes:
    """Records as CSV (UTF-8 with a byte-order mark, for Excel)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(trail.csv_rows(rows))
    return buffer.getvalue().encode("utf-8-sig")


def install(app: FastAPI, store: Store, auth: Auth) -> None:
    app.state.audit_sign_ins = trail.SignIns(store)

    @app.get(
        "/audit",
        tags=["audit"],
        dependencies=[requires("audit.read")],
        responses={
            **responses(401, 403, 422, 503),
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
            Query(description="at or after (RFC 3339 with offset)", json_schema_extra=_DATE_TIME),
        ] = None,
        until: Annotated[
            str | None,
            Query(description="before (RFC 3339 with offset)", json_schema_extra=_DATE_TIME),
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
