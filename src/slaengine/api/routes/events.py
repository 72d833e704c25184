"""``POST /events`` (one event, answered at its commit, shared with the requests arriving with
it: slaengine.service.group_commit) and ``POST /events/batch`` (one transaction). The tickets
are judged right after by the due pass, not in the request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from slaengine.api.access import current, event_refusal, may_post, requires, signed
from slaengine.api.auth import BEARER_SECURITY, Auth
from slaengine.api.problems import BodyLimits, json_body, problem, responses
from slaengine.api.routes.common import AUTH
from slaengine.api.schemas import event_body
from slaengine.service.live import LiveService
from slaengine.store.limits import storable


def events_router(service: LiveService, auth: Auth, limits: BodyLimits) -> APIRouter:
    """The routes that post events to ``service``, within ``limits``."""
    router = APIRouter()

    # Its rule is checked in the route (``events.post`` on the event's contract; a waiver needs
    # ``breach.waive``): no dependency for FastAPI to solve on the route every help desk posts
    # to, one event at a time.
    @router.post(
        "/events",
        tags=["events"],
        status_code=201,
        openapi_extra={
            **event_body(False, limits.batch_events),
            **BEARER_SECURITY,
            "x-access": "events.post",
        },
        responses={
            200: {"description": "An identical repeat of an event already stored."},
            **responses(400, *AUTH, 403, 409, 413, 422, 503),
        },
    )
    async def post_event(request: Request) -> JSONResponse:
        """Store one event; 201 once committed (durable), 200 for an identical repeat, 4xx with
        the reason. The body is read as JSON whatever its Content-Type. The ticket is judged
        right after, by the due pass (its alerts go out within the service's alert latency),
        so the answer carries no alert count."""
        who = auth.principal(request)
        refused = may_post(who)
        if refused is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refused)
        event = await json_body(request, limits.event_bytes, "event")
        if not isinstance(event, dict):
            return problem(
                422, f"body: an event is a JSON object, got {type(event).__name__}", field="body"
            )
        hidden = event_refusal(who, event)
        if hidden is not None:
            code, words = hidden
            return problem(code, words, id=event.get("id"), field="contract")
        event = signed(who, event)
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

    @router.post(
        "/events/batch",
        tags=["events"],
        dependencies=[requires("events.post")],
        openapi_extra=event_body(True, limits.batch_events),
        responses=responses(400, *AUTH, 403, 413, 422, 503),
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
        # each event of a contract the caller may not post to is rejected on its own, an
        # unseen contract's in the words of one that is not loaded (api/access.py)
        who = current(request)
        allowed: list[tuple[int, Any]] = []
        refused: list[dict[str, Any]] = []
        for index, data in enumerate(events):
            why = event_refusal(who, data)
            if why is None:
                allowed.append((index, signed(who, data)))
            else:
                ident = data.get("id") if isinstance(data, dict) else None
                shown = storable(ident) if isinstance(ident, str) else None
                refused.append({"index": index, "id": shown, "error": why[1]})
        outcome = await run_in_threadpool(service.ingest, allowed, "api")
        added = outcome.added
        rejected = refused + [
            # storable: an id that echoes a lone surrogate is written escaped, not a 500
            {"index": item.line, "id": storable(item.id), "error": storable(item.error)}
            for item in added.rejected
        ]
        return {
            "accepted": len(added.accepted),
            "duplicates": added.duplicates,
            "rejected": sorted(rejected, key=lambda item: int(item["index"])),
        }

    return router
