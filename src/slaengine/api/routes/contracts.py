"""The contracts and what is judged under them: ``GET /contracts``, a contract's versions and
commitments, its measures (``GET /contracts/{contract}/measures``, read only: issue 14), a
re-judge of its tickets in the background (``POST /contracts/{contract}/rejudge``) and a
ticket's clocks now (``GET /contracts/{contract}/tickets/{ticket}``). Each reading request is
one read session; the re-judge is the service's (slaengine.service.live)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from slaengine.api.access import actor as access_actor
from slaengine.api.access import path, requires, visible
from slaengine.api.auth import Auth
from slaengine.api.problems import model_body, optional_body, responses
from slaengine.api.routes.common import DATE_TIME, READ
from slaengine.api.schemas import Rejudge
from slaengine.api.views import Zones, breaches_json
from slaengine.clocks import PAUSED, RUNNING
from slaengine.errors import EventError, SlaError
from slaengine.events import parse_time
from slaengine.service.live import LiveService
from slaengine.service.row_keys import row_key
from slaengine.store import Store
from slaengine.store.limits import time_problem
from slaengine.store.models import Breach


def contracts_router(store: Store, service: LiveService, auth: Auth, zones: Zones) -> APIRouter:
    """The contract routes over ``store``; a re-judge and a ticket's clocks ask ``service``."""
    router = APIRouter()
    now_of = service.clock.now
    # who may do what: the permission table (slaengine.access), one rule per route
    reader = [requires("contract.read")]
    on_contract = [requires("contract.read", path("contract"))]

    @router.get(
        "/contracts", tags=["contracts"], dependencies=reader, responses=responses(*READ, 403)
    )
    def contracts(request: Request) -> list[dict[str, Any]]:
        """Every stored contract version, oldest first (of the contracts the caller sees)."""
        from slaengine.store import VersionInfo

        within = visible(request)
        with store.sessions() as session:
            return [
                VersionInfo.of(row).to_json()
                for row in store.versions(session)
                if within is None or row.contract in within
            ]

    @router.get(
        "/contracts/{contract}",
        tags=["contracts"],
        dependencies=on_contract,
        responses=responses(*READ, 403, 404),
    )
    def contract_detail(contract: str) -> dict[str, Any]:
        """A contract's versions and the commitments of the newest one."""
        from slaengine.store import VersionInfo

        with store.sessions() as session:
            rows = store.versions(session, contract)
            if not rows:
                raise HTTPException(404, detail=f"contract {contract!r} is not loaded")
            current = store.context(rows[-1]).contract
            return {
                "contract": contract,
                "versions": [VersionInfo.of(row).to_json() for row in rows],
                "commitments": [
                    {
                        "id": c.id,
                        "name": c.name.model_dump() if c.name else None,
                        "target": str(c.target),
                        "calendar": c.calendar,
                    }
                    for c in current.commitments
                ],
                "contacts": [c.id for c in current.contacts],
            }

    # -- measures (issue 14): one block, read only ------------------------------------------

    @router.get(
        "/contracts/{contract}/measures",
        tags=["contracts"],
        dependencies=on_contract,
        responses=responses(*READ, 403, 404),
    )
    def contract_measures(
        contract: str,
        period: Annotated[
            str | None,
            Query(
                description="a calendar month, e.g. 2026-03: the measure periods that overlap "
                "it (default: every period from acceptance up to as_of)",
                pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            ),
        ] = None,
        as_of: Annotated[
            str | None,
            Query(
                description="evaluation time, RFC 3339 with offset, not after now (default: now)",
                json_schema_extra=DATE_TIME,
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Each measure of the contract (its newest version) with its periods: figure, target,
        status, how it was computed (basis, detail) and the money its ``measure_credit``
        clauses charge on each period — judged from the stored events at ``as_of``, as replay
        and ``slaengine statement`` judge them (at now, from the store's clock rows and the
        events the measures read, without judging every ticket)."""
        from slaengine.evaluate import evaluate
        from slaengine.penalties import Window
        from slaengine.penalties.kinds.measure_credit import MeasureCredit, period_money
        from slaengine.penalties.words import amount_text
        from slaengine.service.measured import stored_measures
        from slaengine.service.money import capped, stored_charges

        now = now_of()
        with store.sessions() as session:
            rows = store.versions(session, contract)
            if not rows:
                raise HTTPException(404, detail=f"contract {contract!r} is not loaded")
            context = store.context(rows[-1])
        terms = context.contract
        zone = ZoneInfo(terms.timezone)
        when = now
        if as_of is not None:
            try:
                when = parse_time(as_of, "as_of")
            except EventError as exc:
                raise HTTPException(422, detail=str(exc)) from None
            problem_text = time_problem(when, "as_of")
            if problem_text is not None:
                raise HTTPException(422, detail=problem_text)
            if when > now:
                raise HTTPException(
                    422,
                    detail=f"as_of: {as_of} is after now ({now.astimezone(zone).isoformat()}): "
                    "the store knows what happened up to now",
                )
        window = None
        if period is not None:
            try:
                window = Window.month(terms, period)
            except (SlaError, ValueError, OverflowError):
                raise HTTPException(
                    422, detail=f"period: {period!r} is not a month; write it like 2026-03"
                ) from None
        measured: list[Any] = []
        lines: list[Any] = []
        if terms.measures:
            # at now, from the stored clock rows and the few events the measures read
            # (slaengine.service.measured); at another moment, the whole contract judged
            kept = None
            if as_of is None:
                within = (window.start, window.end) if window is not None else None
                kept = stored_measures(store, contract, when, within)
            if kept is not None and kept.lines and capped(terms):
                # the caps cut the credits with every other penalty in occurrence order: the
                # capped lines are the money page's (slaengine.service.money), else the whole
                money = stored_charges(store, contract, when)
                if money is None:
                    kept = None
                else:
                    kept = replace(
                        kept, lines=[x for x in money.lines() if x.kind == MeasureCredit.name]
                    )
            if kept is not None:
                measured, lines = kept.periods, kept.lines
            else:
                report = evaluate(context, store.contract_events(contract), when)
                measured = report.measures
                lines = report.charges.lines()
        by_measure: dict[str, list[dict[str, Any]]] = {m.id: [] for m in terms.measures}
        for judged in measured:
            if window is not None and not (
                judged.period_start < window.end and judged.period_end > window.start
            ):
                continue
            charged, amount = period_money(lines, judged)
            by_measure[judged.measure].append(
                {
                    **judged.to_json(),
                    "amount": amount_text(amount),
                    "lines": [x.to_json() for x in charged],
                }
            )
        return {
            "contract": contract,
            "version": terms.version,
            "currency": terms.currency,
            "as_of": when.astimezone(zone).isoformat(),
            "period": window.to_json() if window is not None else None,
            "measures": [
                {
                    "measure": m.id,
                    "name": m.name.model_dump() if m.name else None,
                    "kind": m.kind,
                    "period": m.period,
                    "target": str(m.target),
                    "direction": "at_most" if m.at_most else "at_least",
                    "periods": by_measure[m.id],
                }
                for m in terms.measures
            ],
        }

    @router.post(
        "/contracts/{contract}/rejudge",
        tags=["contracts"],
        dependencies=[requires("contract.rejudge", path("contract"))],
        status_code=202,
        openapi_extra=model_body(Rejudge),
        responses=responses(400, *READ, 403, 404),
    )
    async def rejudge(contract: str, request: Request) -> dict[str, Any]:
        """Judge the contract's tickets again under the version in effect for each, in the
        background: the open ones, with `closed` the closed ones too, with `since` only those
        with a clock started on or after that day. Answers once they are marked; `GET /health`
        shows `tickets_waiting` going down. The body is JSON whatever its Content-Type."""
        wanted = await optional_body(request, Rejudge, "a re-judge") or Rejudge()
        actor = access_actor(request, None)
        marked = await run_in_threadpool(
            service.rejudge, contract, wanted.closed, wanted.since, actor
        )
        if marked is None:
            raise HTTPException(404, detail=f"contract {contract!r} is not loaded")
        return {"status": "accepted", "contract": contract, "marked": marked}

    @router.get(
        "/contracts/{contract}/tickets/{ticket:path}",
        tags=["tickets"],
        # an unseen contract answers as the ticket route says of one that is not loaded
        dependencies=[
            requires("contract.read", path("contract", "contract {!r} is not loaded in this store"))
        ],
        responses=responses(*READ, 403, 404),
    )
    def ticket_clocks(contract: str, ticket: str) -> dict[str, Any]:
        """The ticket's clocks now: deadlines, time left (running) or lateness (breached), and
        its breaches (an open one as late as its clock); times in the contract's zone."""
        now = now_of()
        with store.sessions() as session:
            try:
                judged = service.judge_ticket(session, contract, ticket, now)
            except LookupError as exc:
                raise HTTPException(404, detail=str(exc.args[0])) from None
            if judged is None:
                raise HTTPException(404, detail=f"no events for ticket {ticket!r} of {contract!r}")
            zone = ZoneInfo(judged.context.contract.timezone)
            breaches = session.scalars(
                select(Breach)
                .where(Breach.contract == contract, Breach.kind == "clock", Breach.ticket == ticket)
                .order_by(Breach.id)
            ).all()
            clocks = []
            for clock in judged.clocks:
                data = clock.to_json()
                for name in ("started_at", "deadline", "stopped_at", "cancelled_at", "warn_at"):
                    if data.get(name):
                        data[name] = datetime.fromisoformat(data[name]).astimezone(zone).isoformat()
                if clock.status in (RUNNING, PAUSED):
                    data["time_left_seconds"] = int((clock.deadline - now).total_seconds())
                clocks.append(data)
            late = {row_key(c): c.late_by_seconds for c in judged.clocks}
            return {
                "contract": contract,
                "ticket": ticket,
                "as_of": now.astimezone(zone).isoformat(),
                "clocks": clocks,
                "breaches": breaches_json(session, list(breaches), zones, now, late),
            }

    return router
