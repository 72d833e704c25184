"""The HTTP API of the live service (FastAPI): a thin shell over LiveService and the store.

Events go in (one, or a batch) and are answered only once stored; tickets, breaches, alerts
and contracts come out. Every route but ``/health`` and the OpenAPI docs (``/docs``, served
from the package: they work offline) requires a token when one is configured (api/auth.py: a
viewer token reads, the operator token also posts events and acknowledges); ``slaengine serve``
refuses to listen beyond loopback without one. The web console (console/) is mounted at ``/``.

Transaction boundaries are the service's and the store's: each posting request is one
``ingest`` without judging (one transaction; a single event's shared with the requests arriving
with it, slaengine.service.group_commit), answered at its commit, its tickets judged by the due
pass right after; each reading request is one read session. Errors have one body shape
(slaengine.api.problems); a store that cannot be reached is a 503 with ``Retry-After``. Times
are RFC 3339 in the contract's time zone everywhere.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import Select, func, select, text

from slaengine import __version__
from slaengine.alerts.outbox import OutboxDelivery
from slaengine.api.auth import BEARER_SECURITY, SESSION_SECONDS, Auth, NotSignedIn
from slaengine.api.disputes import disputes_of_rows
from slaengine.api.disputes import routes as dispute_routes
from slaengine.api.docs import offline_docs
from slaengine.api.problems import (
    BodyLimits,
    Problem,
    json_body,
    model_body,
    optional_body,
    problem,
    responses,
)
from slaengine.api.problems import install as install_problems
from slaengine.api.schemas import Acknowledgement, EventIn, Rejudge, event_body
from slaengine.api.security import Guard, Guarding, without_secrets
from slaengine.api.sessions import SessionStore
from slaengine.audit import web as audit_web
from slaengine.audit.trail import http_actor
from slaengine.clock import Clock
from slaengine.clocks import PAUSED, RUNNING
from slaengine.errors import EventError, SlaError
from slaengine.events import parse_time
from slaengine.service.live import LiveService
from slaengine.service.row_keys import RowKey, row_key
from slaengine.store import Store
from slaengine.store.limits import EARLIEST, INT_MAX, LATEST, storable, time_problem
from slaengine.store.models import (
    OPEN,
    PENDING,
    Breach,
    OutboxRow,
    PenaltyLine,
    StoredAlert,
)

logger = logging.getLogger("slaengine.api")

#: The highest id a route takes (a signed 64-bit column).
_ID = Path(ge=1, le=INT_MAX)
_DATE_TIME = {"format": "date-time"}
#: Every route that takes a token: a wrong one is a 401, too many wrong ones a 429; and any
#: request with a NUL in its path or query is a 400 (api/security.py).
_AUTH = (400, 401, 429)
_READ = (*_AUTH, 422, 503)


def _guard_answers(schema: dict[str, Any]) -> None:
    """Every operation, whenever its route was added (the audit trail's, the webhooks mounted
    after ``create_app``), documents what the Guard may answer before it runs: 400 (a NUL in
    the path or query) and 429 (too many failed authentications; api/security.py)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", Problem.model_json_schema())
    for code, said in responses(400, 429).items():
        answer = {
            "description": said["description"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault(str(code), answer)


def _time(value: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    if value is None:
        return None
    return (value.astimezone(zone) if zone is not None else value).isoformat()


class Zones:
    """The time zone of each contract (its newest version's), read once per process."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._zones: dict[str, ZoneInfo] = {}
        self._lock = threading.Lock()

    def of(self, session: Any, contract: str) -> ZoneInfo | None:
        with self._lock:
            found = self._zones.get(contract)
        if found is None:
            row = self.store.version_in_effect(session, contract, None)
            if row is None:
                return None
            found = ZoneInfo(self.store.context(row).contract.timezone)
            with self._lock:
                self._zones[contract] = found
        return found


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


def penalty_json(row: PenaltyLine) -> dict[str, Any]:
    """A stored penalty or compensation line: the report's line, with its breach."""
    import json

    line: dict[str, Any] = json.loads(row.body)
    for kept in ("billed_at", "start_key"):  # stored for the money page (Line.from_json)
        line.pop(kept, None)
    return {**line, "section": row.section, "breach_id": row.breach_id}


def matching(query: Select[Any], model: Any, **equal: str | None) -> Select[Any]:
    """``query`` narrowed to the rows whose columns equal the filters given (None: no filter)."""
    for name, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


def breach_json(
    row: Breach,
    penalties: list[PenaltyLine] | None = None,
    zone: ZoneInfo | None = None,
    late_now: int | None = None,
) -> dict[str, Any]:
    """A breach; ``late_now``: its clock's lateness now (an open breach keeps growing late)."""
    data: dict[str, Any] = {
        "id": row.id,
        "contract": row.contract,
        "status": row.status,
        "deadline": _time(row.deadline, zone),
        "stopped_at": _time(row.stopped_at, zone),
        "late_by_seconds": late_now if late_now is not None else row.late_by_seconds,
        "severity": row.severity,
        "detected_at": _time(row.detected_at, zone),
        "revision": row.revision,
        "withdrawn_at": _time(row.withdrawn_at, zone),
        "withdrawn_reason": row.withdrawn_reason,
        "acknowledged_at": _time(row.acknowledged_at, zone),
        "acknowledged_by": row.acknowledged_by,
    }
    if row.kind == "obligation":
        data.update(obligation=row.commitment, asset=row.ticket or None, period=row.cycle)
    else:
        data.update(ticket=row.ticket, commitment=row.commitment, cycle=row.cycle)
        if row.occurrence:
            data["occurrence"] = row.occurrence
            data["start_event"] = row.start_key
    data["penalties"] = [penalty_json(line) for line in penalties or []]
    return data


def breaches_json(
    session: Any,
    rows: list[Breach],
    zones: Zones,
    now: datetime,
    late: dict[RowKey, int] | None = None,
) -> list[dict[str, Any]]:
    """Breaches, each with the penalty and compensation lines charged for it, times in the
    contract's zone. An open breach is late by its clock's lateness now: ``late`` by its clock's
    ``row_key`` (commitment, cycle, start_key) when the caller judged the ticket's clocks; else as
    recorded at detection."""
    lines: dict[int, list[PenaltyLine]] = {row.id: [] for row in rows}
    if lines:
        for line in session.scalars(
            select(PenaltyLine)
            .where(PenaltyLine.breach_id.in_(list(lines)))
            .order_by(PenaltyLine.id)
        ):
            lines[line.breach_id].append(line)
    answer = []
    for row in rows:
        late_now = None
        if row.status == OPEN and row.kind == "clock":
            late_now = (late or {}).get(row_key(row))
        answer.append(breach_json(row, lines[row.id], zones.of(session, row.contract), late_now))
    return answer


def alert_json(
    row: StoredAlert,
    deliveries: list[OutboxRow],
    zone: ZoneInfo | None = None,
    breach: Breach | None = None,
) -> dict[str, Any]:
    """An alert; acknowledged when it or its breach is (``acknowledged_through`` says which),
    as the console shows it (slaengine.service.acknowledgement)."""
    import json

    from slaengine.service.acknowledgement import acknowledgement_of

    acked_at, acked_by, through = acknowledgement_of(row, breach)

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
        "created_at": _time(row.created_at, zone),
        "acknowledged_at": _time(acked_at, zone),
        "acknowledged_by": acked_by,
        "acknowledged_through": through,
        "escalate_at": _time(row.escalate_at, zone),
        "escalated_at": _time(row.escalated_at, zone),
        "alert": json.loads(row.payload),
        "deliveries": [
            {
                "channel": d.channel,
                "status": d.status,
                "attempts": d.attempts,
                "sent_at": _time(d.sent_at, zone),
                "next_attempt_at": (
                    _time(d.next_attempt_at, zone) if d.status == PENDING else None
                ),
                "last_error": d.last_error,
            }
            for d in deliveries
        ],
    }


#: What every text parameter of a path or query may hold: anything but NUL (a 400 before any
#: route runs; PostgreSQL cannot keep one).
_NO_NUL = "^[^\\u0000]*$"


def _no_nul_in_parameters(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI document what the edge refuses: a NUL in a text parameter."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                found = parameter.get("schema", {})
                for option in [found, *found.get("anyOf", [])]:
                    if option.get("type") == "string" and "pattern" not in option:
                        option["pattern"] = _NO_NUL


def create_app(
    store: Store,
    clock: Clock | None = None,
    *,
    token: str | None = None,
    service: LiveService | None = None,
    delivery: OutboxDelivery | None = None,
    limits: BodyLimits | None = None,
    auth: Auth | None = None,
    guarding: Guarding | None = None,
) -> FastAPI:
    """The API and the console over ``store`` with ``clock`` (default: the store's); ``auth``
    says which tokens are accepted and what each may do (``token`` alone: one operator token,
    required as ``Authorization: Bearer``). ``service``: the live service the scheduler and the
    outbox listen to (``slaengine serve`` passes its own); by default one is made here.
    ``delivery``: the outbox delivery whose endpoints ``/health`` reports. ``limits``: how much
    one request may carry; ``guarding``: the edge's other settings (api/security.py)."""
    service = service or LiveService(store, clock)
    limits = limits or BodyLimits()
    now_of = service.clock.now
    zones = Zones(store)
    store_health = StoreHealth()

    auth = auth or Auth(operator=token, clock=service.clock)
    if auth.sessions is None:
        auth = replace(auth, sessions=SessionStore(store, auth.clock, SESSION_SECONDS))

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="slaengine",
        version=__version__,
        description=(
            "The live SLA service: post ticket events as they happen; deadlines that pass with "
            "no event become breaches and alerts. Every error answers "
            '`{"status": "rejected" | "unavailable" | "error", "error": "<reason>"}`.'
        ),
    )
    install_problems(app, store_health.down)
    app.state.limits = limits
    app.add_middleware(Guard, limits=limits, guarding=guarding)
    guarded = [Depends(auth.reader)]
    operator = [Depends(auth.operator_only)]
    offline_docs(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            event_schema = EventIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(event_schema.pop("$defs", {}))
            components["EventIn"] = event_schema
            _no_nul_in_parameters(schema)
            _guard_answers(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(
        "/health",
        tags=["service"],
        responses={503: {"description": "The store cannot be reached (the body says so)."}},
    )
    def health(request: Request) -> JSONResponse:
        """Whether the service is up and ready; for a signed-in caller (any token, or the
        console's session) also the work waiting: the next due time, undelivered alerts, the
        state of the store and of every alert endpoint (URLs without credentials, path or
        query), tickets parked after failed evaluations, whether the first due pass is done
        (``ready``) and the tickets waiting to be evaluated."""
        try:
            auth.role_of(request)
            signed_in = True
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
                "next_due": _time(next_due),
                "alerts_pending": pending,
                **parts,
            },
            status_code=503 if down else 200,
            headers={"Retry-After": "2"} if down else None,
        )

    # Its auth is checked in the route (the same check as ``operator``): no dependency for
    # FastAPI to solve on the route every help desk posts to, one event at a time.
    @app.post(
        "/events",
        tags=["events"],
        status_code=201,
        openapi_extra={**event_body(False, limits.batch_events), **BEARER_SECURITY},
        responses={
            200: {"description": "An identical repeat of an event already stored."},
            **responses(400, *_AUTH, 403, 409, 413, 422, 503),
        },
    )
    async def post_event(request: Request) -> JSONResponse:
        """Store one event; 201 once committed (durable), 200 for an identical repeat, 4xx with
        the reason. The body is read as JSON whatever its Content-Type. The ticket is judged
        right after, by the due pass (its alerts go out within the service's alert latency),
        so the answer carries no alert count."""
        auth.check(request, write=True)
        event = await json_body(request, limits.event_bytes, "event")
        if not isinstance(event, dict):
            return problem(
                422, f"body: an event is a JSON object, got {type(event).__name__}", field="body"
            )
        # Requests arriving together are committed together (group commit); each is answered
        # only after its event is committed. Its ticket is judged by the judge lane.
        outcome = await service.post_one_async(event)
        if outcome.rejected is not None:
            bad = outcome.rejected
            conflict = "already accepted with different content" in bad.error
            field = bad.error.split(":", 1)[0] if ":" in bad.error else None
            return problem(409 if conflict else 422, bad.error, id=bad.id, field=field)
        if outcome.accepted is None:
            return JSONResponse(
                {"status": "duplicate", "id": event.get("id")}, status_code=status.HTTP_200_OK
            )
        accepted = outcome.accepted
        return JSONResponse(
            {
                "status": "accepted",
                "id": accepted.id,
                "seq": accepted.seq,
            },
            status_code=201,
        )

    @app.post(
        "/events/batch",
        tags=["events"],
        dependencies=operator,
        openapi_extra=event_body(True, limits.batch_events),
        responses=responses(400, *_AUTH, 403, 413, 422, 503),
    )
    async def post_batch(request: Request) -> dict[str, Any]:
        """Store a batch (a JSON list); each bad event is listed with its index (0-based) and
        the reason, the good ones are stored (one transaction, answered at its commit; the
        tickets are judged right after by the due pass). The body is JSON whatever its
        Content-Type."""
        events = await json_body(request, limits.batch_bytes, "batch")
        if not isinstance(events, list):
            raise HTTPException(422, f"body: a batch is a JSON list, got {type(events).__name__}")
        if len(events) > limits.batch_events:
            raise HTTPException(
                413,
                f"body: {len(events):,} events, at most {limits.batch_events:,} per batch "
                "(send several batches)",
            )
        outcome = await run_in_threadpool(service.ingest, list(enumerate(events)), "api")
        added = outcome.added
        return {
            "accepted": len(added.accepted),
            "duplicates": added.duplicates,
            # storable: an id that echoes a lone surrogate is written escaped, not a 500
            "rejected": [
                {"index": item.line, "id": storable(item.id), "error": storable(item.error)}
                for item in added.rejected
            ],
        }

    @app.get("/contracts", tags=["contracts"], dependencies=guarded, responses=responses(*_READ))
    def contracts() -> list[dict[str, Any]]:
        """Every stored contract version, oldest first."""
        from slaengine.store import VersionInfo

        with store.sessions() as session:
            return [VersionInfo.of(row).to_json() for row in store.versions(session)]

    @app.get(
        "/contracts/{contract}",
        tags=["contracts"],
        dependencies=guarded,
        responses=responses(*_READ, 404),
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

    @app.get(
        "/contracts/{contract}/measures",
        tags=["contracts"],
        dependencies=guarded,
        responses=responses(*_READ, 404),
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
                json_schema_extra=_DATE_TIME,
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
        from slaengine.penalties.kinds.measure_credit import period_money
        from slaengine.penalties.words import amount_text
        from slaengine.service.measured import stored_measures

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

    @app.post(
        "/contracts/{contract}/rejudge",
        tags=["contracts"],
        dependencies=operator,
        status_code=202,
        openapi_extra=model_body(Rejudge),
        responses=responses(400, *_READ, 403, 404),
    )
    async def rejudge(contract: str, request: Request) -> dict[str, Any]:
        """Judge the contract's tickets again under the version in effect for each, in the
        background: the open ones, with `closed` the closed ones too, with `since` only those
        with a clock started on or after that day. Answers once they are marked; `GET /health`
        shows `tickets_waiting` going down. The body is JSON whatever its Content-Type."""
        wanted = await optional_body(request, Rejudge, "a re-judge") or Rejudge()
        actor = http_actor(request, None, "operator")
        marked = await run_in_threadpool(
            service.rejudge, contract, wanted.closed, wanted.since, actor
        )
        if marked is None:
            raise HTTPException(404, detail=f"contract {contract!r} is not loaded")
        return {"status": "accepted", "contract": contract, "marked": marked}

    @app.get(
        "/contracts/{contract}/tickets/{ticket:path}",
        tags=["tickets"],
        dependencies=guarded,
        responses=responses(*_READ, 404),
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

    @app.get("/breaches", tags=["breaches"], dependencies=guarded, responses=responses(*_READ))
    def breaches(
        status_: Annotated[
            Literal["open", "closed", "withdrawn"] | None,
            Query(alias="status", description="open, closed or withdrawn"),
        ] = None,
        contract: str | None = None,
        ticket: str | None = None,
        commitment: str | None = None,
        since: Annotated[
            str | None,
            Query(description="deadline at or after (RFC 3339)", json_schema_extra=_DATE_TIME),
        ] = None,
        until: Annotated[
            str | None,
            Query(description="deadline before (RFC 3339)", json_schema_extra=_DATE_TIME),
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
        query = query.order_by(Breach.deadline.desc(), Breach.id.desc()).limit(limit)
        with store.sessions() as session:
            return breaches_json(session, list(session.scalars(query)), zones, now_of())

    @app.get("/penalties", tags=["breaches"], dependencies=guarded, responses=responses(*_READ))
    def penalties(
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
        query = query.order_by(PenaltyLine.id.desc()).limit(limit)
        with store.sessions() as session:
            rows = list(session.scalars(query))
            disputed = disputes_of_rows(session, rows)  # each line's dispute (or null)
            return [{**penalty_json(row), "dispute": disputed.get(row.id)} for row in rows]

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

    @app.get("/alerts", tags=["alerts"], dependencies=guarded, responses=responses(*_READ))
    def alerts(
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
        query = query.order_by(StoredAlert.id.desc()).limit(limit)
        with store.sessions() as session:
            return _alerts(session, list(session.scalars(query)))

    @app.get(
        "/alerts/{alert_id}",
        tags=["alerts"],
        dependencies=guarded,
        responses=responses(*_READ, 404),
    )
    def alert(alert_id: Annotated[int, _ID]) -> dict[str, Any]:
        with store.sessions() as session:
            row = session.get(StoredAlert, alert_id)
            if row is None:
                raise HTTPException(404, detail=f"no alert {alert_id}")
            return _alerts(session, [row])[0]

    @app.post(
        "/alerts/{alert_id}/ack",
        tags=["alerts"],
        dependencies=operator,
        openapi_extra=model_body(Acknowledgement),
        responses=responses(400, *_READ, 403, 404),
    )
    async def acknowledge(alert_id: Annotated[int, _ID], request: Request) -> dict[str, Any]:
        """Acknowledge an alert; its breach is then acknowledged and no longer escalates. The
        body (`{"by": "name"}`, optional) is JSON whatever its Content-Type."""
        body = await optional_body(request, Acknowledgement, "an acknowledgement")

        by = body.by if body else None
        actor = http_actor(request, by, "operator")

        def acknowledged() -> dict[str, Any]:
            row = service.acknowledge(alert_id, by, actor)
            if row is None:
                raise HTTPException(404, detail=f"no alert {alert_id}")
            with store.sessions() as session:
                fresh = session.get(StoredAlert, alert_id)
                assert fresh is not None
                return _alerts(session, [fresh])[0]

        return await run_in_threadpool(acknowledged)

    app.include_router(dispute_routes(store, service, auth))  # /disputes (api/disputes.py)
    # Imported here: the console imports api.auth, whose package imports this module.
    from slaengine.console import mount_console

    audit_web.install(app, store, auth)  # GET /audit; sign-ins recorded (slaengine.audit)
    mount_console(app, store, service, auth)
    return app
