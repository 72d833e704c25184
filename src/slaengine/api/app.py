"""The HTTP API of the live service (FastAPI): a thin shell over LiveService and the store.

Events go in (one, or a batch) and are answered only once stored; tickets, breaches, alerts
and contracts come out. Every route but ``/health`` and the OpenAPI docs (``/docs``, served
from the package: they work offline) requires a token when one is configured (api/auth.py: a
viewer token reads, the operator token also posts events and acknowledges); ``slaengine serve``
refuses to listen beyond loopback without one. The web console (console/) is mounted at ``/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Select, func, select

from slaengine import __version__
from slaengine.api.auth import Auth
from slaengine.api.docs import offline_docs
from slaengine.clock import Clock
from slaengine.clocks import PAUSED, RUNNING
from slaengine.errors import EventError
from slaengine.events import parse_time
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store.models import (
    PENDING,
    Breach,
    OutboxRow,
    PenaltyLine,
    StoredAlert,
)


class Acknowledgement(BaseModel):
    """Who acknowledges (shown in the alert list and stops the escalation of its breach)."""

    by: str | None = None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def penalty_json(row: PenaltyLine) -> dict[str, Any]:
    """A stored penalty or compensation line: the report's line, with its breach."""
    import json

    line: dict[str, Any] = json.loads(row.body)
    return {**line, "section": row.section, "breach_id": row.breach_id}


def matching(query: Select[Any], model: Any, **equal: str | None) -> Select[Any]:
    """``query`` narrowed to the rows whose columns equal the filters given (None: no filter)."""
    for name, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


def breach_json(row: Breach, penalties: list[PenaltyLine] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "contract": row.contract,
        "status": row.status,
        "deadline": _time(row.deadline),
        "stopped_at": _time(row.stopped_at),
        "late_by_seconds": row.late_by_seconds,
        "severity": row.severity,
        "detected_at": _time(row.detected_at),
        "revision": row.revision,
        "withdrawn_at": _time(row.withdrawn_at),
        "withdrawn_reason": row.withdrawn_reason,
        "acknowledged_at": _time(row.acknowledged_at),
        "acknowledged_by": row.acknowledged_by,
    }
    if row.kind == "obligation":
        data.update(obligation=row.commitment, asset=row.ticket or None, period=row.cycle)
    else:
        data.update(ticket=row.ticket, commitment=row.commitment, cycle=row.cycle)
    data["penalties"] = [penalty_json(line) for line in penalties or []]
    return data


def breaches_json(session: Any, rows: list[Breach]) -> list[dict[str, Any]]:
    """Breaches, each with the penalty and compensation lines charged for it."""
    lines: dict[int, list[PenaltyLine]] = {row.id: [] for row in rows}
    if lines:
        for line in session.scalars(
            select(PenaltyLine)
            .where(PenaltyLine.breach_id.in_(list(lines)))
            .order_by(PenaltyLine.id)
        ):
            lines[line.breach_id].append(line)
    return [breach_json(row, lines[row.id]) for row in rows]


def alert_json(row: StoredAlert, deliveries: list[OutboxRow]) -> dict[str, Any]:
    import json

    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "contract": row.contract,
        "ticket": row.ticket,
        "commitment": row.commitment,
        "contact": None if row.contact == "*" else row.contact,
        "level": row.level,
        "breach_id": row.breach_id,
        "created_at": _time(row.created_at),
        "acknowledged_at": _time(row.acknowledged_at),
        "acknowledged_by": row.acknowledged_by,
        "escalate_at": _time(row.escalate_at),
        "escalated_at": _time(row.escalated_at),
        "alert": json.loads(row.payload),
        "deliveries": [
            {
                "channel": d.channel,
                "status": d.status,
                "attempts": d.attempts,
                "sent_at": _time(d.sent_at),
                "next_attempt_at": _time(d.next_attempt_at) if d.status == PENDING else None,
                "last_error": d.last_error,
            }
            for d in deliveries
        ],
    }


def create_app(
    store: Store,
    clock: Clock | None = None,
    *,
    token: str | None = None,
    service: LiveService | None = None,
    auth: Auth | None = None,
) -> FastAPI:
    """The API and the console over ``store`` with ``clock`` (default: the store's); ``auth``
    says which tokens are accepted and what each may do (``token`` alone: one operator token,
    required as ``Authorization: Bearer``). ``service``: the live service the scheduler and the
    outbox listen to (``slaengine serve`` passes its own); by default one is made here."""
    service = service or LiveService(store, clock)
    now_of = service.clock.now

    auth = auth or Auth(operator=token, clock=service.clock)

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="slaengine",
        version=__version__,
        description=(
            "The live SLA service: post ticket events as they happen; deadlines that pass with "
            "no event become breaches and alerts. Events are JSON objects as in SPEC.md "
            "section 2 (id, contract, ticket, type, at with offset, severity, asset, attrs)."
        ),
    )
    guarded = [Depends(auth.reader)]
    operator = [Depends(auth.operator_only)]
    offline_docs(app)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, Any]:
        """Liveness and the work waiting: the next due time and undelivered alerts."""
        with store.sessions() as session:
            pending = session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == PENDING)
            )
        next_due = service.next_due()
        return {
            "status": "ok",
            "version": __version__,
            "database": store.engine.dialect.name,
            "now": now_of().isoformat(),
            "next_due": _time(next_due),
            "alerts_pending": pending,
        }

    @app.post("/events", tags=["events"], dependencies=operator, status_code=201)
    def post_event(
        event: Annotated[dict[str, Any], Body(description="one event (SPEC.md section 2)")],
    ) -> JSONResponse:
        """Store one event; 201 once stored, 200 for an identical repeat, 4xx with the reason."""
        outcome = service.ingest([(0, event)], "api")
        added = outcome.added
        if added.rejected:
            problem = added.rejected[0]
            conflict = "already accepted with different content" in problem.error
            return JSONResponse(
                {"status": "rejected", "id": problem.id, "error": problem.error},
                status_code=409 if conflict else 422,
            )
        if added.duplicates:
            return JSONResponse(
                {"status": "duplicate", "id": event.get("id")}, status_code=status.HTTP_200_OK
            )
        accepted = added.accepted[0]
        return JSONResponse(
            {
                "status": "accepted",
                "id": accepted.id,
                "seq": accepted.seq,
                "alerts": outcome.alerts,
            },
            status_code=201,
        )

    @app.post("/events/batch", tags=["events"], dependencies=operator)
    def post_batch(
        events: Annotated[list[Any], Body(description="a list of events")],
    ) -> dict[str, Any]:
        """Store a batch; each bad event is listed with its index (0-based) and the reason."""
        outcome = service.ingest(list(enumerate(events)), "api")
        added = outcome.added
        return {
            "accepted": len(added.accepted),
            "duplicates": added.duplicates,
            "rejected": [
                {"index": item.line, "id": item.id, "error": item.error} for item in added.rejected
            ],
            "alerts": outcome.alerts,
        }

    @app.get("/contracts", tags=["contracts"], dependencies=guarded)
    def contracts() -> list[dict[str, Any]]:
        """Every stored contract version, oldest first."""
        from slaengine.store import VersionInfo

        with store.sessions() as session:
            return [VersionInfo.of(row).to_json() for row in store.versions(session)]

    @app.get("/contracts/{contract}", tags=["contracts"], dependencies=guarded)
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

    @app.get("/contracts/{contract}/tickets/{ticket}", tags=["tickets"], dependencies=guarded)
    def ticket_clocks(contract: str, ticket: str) -> dict[str, Any]:
        """The ticket's clocks now: deadlines, time left (running) or lateness (breached)."""
        now = now_of()
        with store.sessions() as session:
            try:
                judged = service.judge_ticket(session, contract, ticket, now)
            except LookupError as exc:
                raise HTTPException(404, detail=str(exc.args[0])) from None
            if judged is None:
                raise HTTPException(404, detail=f"no events for ticket {ticket!r} of {contract!r}")
            breaches = session.scalars(
                select(Breach)
                .where(Breach.contract == contract, Breach.kind == "clock", Breach.ticket == ticket)
                .order_by(Breach.id)
            ).all()
            clocks = []
            for clock in judged.clocks:
                data = clock.to_json()
                if clock.status in (RUNNING, PAUSED):
                    data["time_left_seconds"] = int((clock.deadline - now).total_seconds())
                clocks.append(data)
            return {
                "contract": contract,
                "ticket": ticket,
                "as_of": now.isoformat(),
                "clocks": clocks,
                "breaches": breaches_json(session, list(breaches)),
            }

    @app.get("/breaches", tags=["breaches"], dependencies=guarded)
    def breaches(
        status_: Annotated[
            str | None, Query(alias="status", description="open, closed or withdrawn")
        ] = None,
        contract: str | None = None,
        ticket: str | None = None,
        commitment: str | None = None,
        since: Annotated[str | None, Query(description="deadline at or after (RFC 3339)")] = None,
        until: Annotated[str | None, Query(description="deadline before (RFC 3339)")] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Open and past breaches, newest deadline first."""
        query = select(Breach)
        if status_ is not None and status_ not in ("open", "closed", "withdrawn"):
            raise HTTPException(422, detail="status: use open, closed or withdrawn")
        query = matching(
            query, Breach, status=status_, contract=contract, ticket=ticket, commitment=commitment
        )
        for name, value, op in (("since", since, "ge"), ("until", until, "lt")):
            if value is not None:
                try:
                    when = parse_time(value, name)
                except EventError as exc:
                    raise HTTPException(422, detail=str(exc)) from None
                column = Breach.deadline
                query = query.where(column >= when if op == "ge" else column < when)
        query = query.order_by(Breach.deadline.desc(), Breach.id.desc()).limit(limit)
        with store.sessions() as session:
            return breaches_json(session, list(session.scalars(query)))

    @app.get("/penalties", tags=["breaches"], dependencies=guarded)
    def penalties(
        contract: str | None = None,
        ticket: str | None = None,
        clause: str | None = None,
        source: Annotated[
            str | None, Query(description="clock, obligation, event or period")
        ] = None,
        contract_wide: Annotated[
            bool | None, Query(description="true: only the lines that belong to no ticket")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Stored penalty and compensation lines (as the report computes them), newest first;
        lines of no ticket (a missed obligation period, an event clause) included."""
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
        query = query.order_by(PenaltyLine.id.desc()).limit(limit)
        with store.sessions() as session:
            return [penalty_json(row) for row in session.scalars(query)]

    def _alerts(session: Any, rows: list[StoredAlert]) -> list[dict[str, Any]]:
        ids = [row.id for row in rows]
        deliveries: dict[int, list[OutboxRow]] = {i: [] for i in ids}
        if ids:
            for d in session.scalars(
                select(OutboxRow).where(OutboxRow.alert_id.in_(ids)).order_by(OutboxRow.id)
            ):
                deliveries[d.alert_id].append(d)
        return [alert_json(row, deliveries[row.id]) for row in rows]

    @app.get("/alerts", tags=["alerts"], dependencies=guarded)
    def alerts(
        kind: str | None = None,
        contact: str | None = None,
        contract: str | None = None,
        ticket: str | None = None,
        acknowledged: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Alerts, newest first, with each channel's delivery state."""
        query = matching(
            select(StoredAlert), StoredAlert, kind=kind, contact=contact, contract=contract,
            ticket=ticket,
        )  # fmt: skip
        if acknowledged is not None:
            column = StoredAlert.acknowledged_at
            query = query.where(column.is_not(None) if acknowledged else column.is_(None))
        query = query.order_by(StoredAlert.id.desc()).limit(limit)
        with store.sessions() as session:
            return _alerts(session, list(session.scalars(query)))

    @app.get("/alerts/{alert_id}", tags=["alerts"], dependencies=guarded)
    def alert(alert_id: int) -> dict[str, Any]:
        with store.sessions() as session:
            row = session.get(StoredAlert, alert_id)
            if row is None:
                raise HTTPException(404, detail=f"no alert {alert_id}")
            return _alerts(session, [row])[0]

    @app.post("/alerts/{alert_id}/ack", tags=["alerts"], dependencies=operator)
    def acknowledge(alert_id: int, body: Acknowledgement | None = None) -> dict[str, Any]:
        """Acknowledge an alert; its breach is then acknowledged and no longer escalates."""
        row = service.acknowledge(alert_id, body.by if body else None)
        if row is None:
            raise HTTPException(404, detail=f"no alert {alert_id}")
        with store.sessions() as session:
            fresh = session.get(StoredAlert, alert_id)
            assert fresh is not None
            return _alerts(session, [fresh])[0]

    # Imported here: the console imports api.auth, whose package imports this module.
    from slaengine.console import mount_console

    mount_console(app, store, service, auth)
    return app
