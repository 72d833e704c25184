"""``GET /breaches`` and ``GET /penalties``: the stored breaches (each with the lines charged for
it) and the penalty and compensation lines, read only, one read session each."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import select

from slaengine.api.access import narrowed, requires
from slaengine.api.auth import Auth
from slaengine.api.problems import responses
from slaengine.api.routes.common import DATE_TIME, READ
from slaengine.api.routes.disputes import disputes_of_rows
from slaengine.api.views import Zones, breaches_json, matching, penalty_json
from slaengine.clock import Clock
from slaengine.errors import EventError
from slaengine.events import parse_time
from slaengine.store import Store
from slaengine.store.limits import EARLIEST, LATEST, time_problem
from slaengine.store.models import Breach, PenaltyLine


def breaches_router(store: Store, clock: Clock, auth: Auth, zones: Zones) -> APIRouter:
    """The breach and penalty routes over ``store``; an open breach is late as of ``clock``."""
    router = APIRouter()
    now_of = clock.now
    # the caller's contracts only (slaengine.access; api/access.py narrowed)
    guarded = [requires("contract.read")]

    @router.get(
        "/breaches", tags=["breaches"], dependencies=guarded, responses=responses(*READ, 403)
    )
    def breaches(
        request: Request,
        status_: Annotated[
            Literal["open", "closed", "withdrawn"] | None,
            Query(alias="status", description="open, closed or withdrawn"),
        ] = None,
        contract: str | None = None,
        ticket: str | None = None,
        commitment: str | None = None,
        since: Annotated[
            str | None,
            Query(description="deadline at or after (RFC 3339)", json_schema_extra=DATE_TIME),
        ] = None,
        until: Annotated[
            str | None,
            Query(description="deadline before (RFC 3339)", json_schema_extra=DATE_TIME),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Open and past breaches, newest deadline first; times in the contract's zone.
        ``since``/``until`` before 1900 or after 2999 mean "from the start" / "to the end"."""
        query = matching(
            select(Breach), Breach, status=status_, contract=contract, ticket=ticket,
            commitment=commitment,
        )  # fmt: skip
        for name, value, op in (("since", since, "ge"), ("until", until, "lt")):
            if value is not None:
                try:
                    when = parse_time(value, name)
                except EventError as exc:
                    raise HTTPException(422, detail=str(exc)) from None
                if time_problem(when, name) is not None:  # no deadline lies out there
                    when = EARLIEST if when.year < EARLIEST.year + 1 else LATEST
                column = Breach.deadline
                query = query.where(column >= when if op == "ge" else column < when)
        query = narrowed(query, Breach.contract, request)
        query = query.order_by(Breach.deadline.desc(), Breach.id.desc()).limit(limit)
        with store.sessions() as session:
            return breaches_json(session, list(session.scalars(query)), zones, now_of())

    @router.get(
        "/penalties", tags=["breaches"], dependencies=guarded, responses=responses(*READ, 403)
    )
    def penalties(
        request: Request,
        contract: str | None = None,
        ticket: str | None = None,
        clause: str | None = None,
        source: Annotated[
            Literal["clock", "obligation", "event", "period"] | None,
            Query(description="clock, obligation, event or period"),
        ] = None,
        contract_wide: Annotated[
            bool | None, Query(description="true: only the lines that belong to no ticket")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Stored penalty and compensation lines (as the report computes them), newest first;
        lines of no ticket (a missed obligation period, an event clause) included; each with
        its ``dispute`` (its open one, else its latest decided; null when none:
        docs/disputes.md)."""
        query = matching(
            select(PenaltyLine),
            PenaltyLine,
            contract=contract,
            ticket=ticket,
            clause=clause,
            source=source,
        )
        if contract_wide is not None:
            column = PenaltyLine.ticket
            query = query.where(column.is_(None) if contract_wide else column.is_not(None))
        query = narrowed(query, PenaltyLine.contract, request)
        query = query.order_by(PenaltyLine.id.desc()).limit(limit)
        with store.sessions() as session:
            rows = list(session.scalars(query))
            disputed = disputes_of_rows(session, rows)  # each line's dispute (or null)
            return [{**penalty_json(row), "dispute": disputed.get(row.id)} for row in rows]

    return router
