"""Disputes over HTTP: a supplier contests a penalty or compensation line with a reason and
evidence files; the contract manager accepts (the line is waived) or rejects (docs/disputes.md).

Routes (``disputes_router(store, service, auth)`` gives the router; ``create_api`` includes
it):

* ``POST /disputes`` (multipart/form-data: ``contract``, ``line``, ``reason``, ``by``,
  ``evidence`` files) files a dispute; ``POST /disputes/{id}/evidence`` adds files to an open
  one. Evidence: at most ``FILE_BYTES`` a file and ``TOTAL_BYTES`` a dispute (413), a PDF,
  PNG, JPEG or plain text told by the content (415). The edge (api/security.py) lets these
  two paths carry ``BodyLimits.upload_bytes``, not the 8 KB of a form.
* ``GET /disputes`` (filter by contract, state, ticket) and ``GET /disputes/{id}``.
* ``GET /disputes/{id}/evidence/{evidence_id}``: the file, as an attachment of the type its
  content showed, never rendered inline (``nosniff``, a sandboxing CSP).
* ``POST /disputes/{id}/decision`` (JSON ``{"decision": "accept"|"reject", "reason", "by"}``).

Who may: each route names its action (``READ``, ``FILE``, ``DECIDE``) in its one
``dependencies=[requires(ACTION, …)]`` line (api/access.py; who holds the action on which
contract: slaengine.access): a dispute of a contract the caller does not see is "no dispute N",
like one that does not exist; a filing names its contract in the form, checked in the route.

Transaction boundaries: each write is one transaction of slaengine.store.disputes (with its
audit record); an accepted dispute's ticket is then judged (by the judge lane when the process
has one, else here), so the stored lines, the money page and the statement follow.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from slaengine.api.access import actor as access_actor
from slaengine.api.access import current, public, refusal, requires, visible
from slaengine.api.access import row as row_of
from slaengine.api.auth import Auth
from slaengine.api.problems import SMALL_BODY, Problem, json_body, problem, responses
from slaengine.api.routes.common import AUTH as _AUTH
from slaengine.api.routes.common import ID as _ID
from slaengine.audit.trail import Actor
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store import disputes as store_disputes
from slaengine.store.disputes import (
    FILE_BYTES,
    MEDIA_TYPES,
    MOST_FILES,
    REASON_CHARS,
    TOTAL_BYTES,
    Dispute,
    DisputeError,
    Upload,
)
from slaengine.store.models import PenaltyLine

#: The action of each route (the names of the per-contract roles, issue 24).
READ = "dispute.read"
FILE = "dispute.file"
DECIDE = "dispute.decide"


def _answers(*statuses: int, **said: str) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route, as ``responses`` gives them, with this API's own words
    for 404, 409, 413 and 415 where the route says (``said``: ``e404="..."``)."""
    known = [s for s in statuses if s != 415]
    found = responses(*known)
    for status in statuses:
        text = said.get(f"e{status}")
        if status == 415:
            text = text or "An evidence file that is not a PDF, PNG, JPEG or plain text file."
        if text is not None:
            found[status] = {"model": Problem, "description": text}
    return found


class DecisionIn(BaseModel):
    """A contract manager's decision on an open dispute."""

    decision: Literal["accept", "reject"]
    reason: str = Field(min_length=1, max_length=REASON_CHARS, pattern=r"^[^\x00]*$")
    by: str | None = Field(
        default=None, max_length=200, pattern=r"^[^\x00]*$", description="who decides (a name)"
    )


_EVIDENCE_SCHEMA = {
    "type": "array",
    "maxItems": MOST_FILES,
    "items": {"type": "string", "format": "binary"},
    "description": (
        f"evidence files: at most {MOST_FILES}, {FILE_BYTES:,} bytes each and {TOTAL_BYTES:,} "
        "together per dispute; PDF, PNG, JPEG or plain UTF-8 text (told by the content)"
    ),
}
_FILING_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["contract", "line", "reason"],
                    "properties": {
                        "contract": {"type": "string", "maxLength": 200},
                        "line": {
                            "type": "string",
                            "maxLength": 1000,
                            "description": "the line's id, as GET /penalties gives it",
                        },
                        "reason": {"type": "string", "minLength": 1, "maxLength": REASON_CHARS},
                        "by": {"type": "string", "maxLength": 200, "description": "who files"},
                        "evidence": _EVIDENCE_SCHEMA,
                    },
                },
                "encoding": {"evidence": {"contentType": ", ".join(MEDIA_TYPES)}},
            }
        },
    }
}
_EVIDENCE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["evidence"],
                    "properties": {
                        "evidence": _EVIDENCE_SCHEMA,
                        "by": {"type": "string", "maxLength": 200},
                    },
                }
            }
        },
    }
}
_DECISION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": DecisionIn.model_json_schema()}},
    }
}


def attachment(name: str) -> str:
    """``Content-Disposition`` for a download named ``name`` (RFC 6266): an ASCII fallback with
    every other character as ``_``, and the name itself percent-encoded in ``filename*``."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(row: store_disputes.DisputeEvidence) -> Response:
    """An evidence file as a download: its sniffed type, never shown inline or sniffed again."""
    media = "text/plain; charset=utf-8" if row.media_type == "text/plain" else row.media_type
    return Response(
        row.content,
        media_type=media,
        headers={
            "Content-Disposition": attachment(row.name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def read_form(request: Request) -> tuple[dict[str, str], list[Upload]]:
    """A form's text fields and its ``evidence`` files (multipart; a form without files may
    also come URL-encoded). Each file is read at most one byte past ``FILE_BYTES``, so a file
    over the limit is told without keeping all of it in memory."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise DisputeError(
            415, "body: send multipart/form-data (fields and evidence files)", "body"
        )
    form = await request.form(max_files=MOST_FILES + 1, max_fields=20)
    try:
        fields: dict[str, str] = {}
        uploads: list[Upload] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "evidence":
                    raise DisputeError(422, f"{key}: files go in the field evidence", key)
                if not value.filename and not (value.size or 0):
                    continue  # a browser's empty file input
                data = await value.read(FILE_BYTES + 1)
                uploads.append(Upload(value.filename or "evidence", data))
            elif key in fields:
                raise DisputeError(422, f"{key}: given twice", key)
            elif "\x00" in value:  # PostgreSQL cannot hold one; SQLite is answered the same
                raise DisputeError(422, f"{key}: a NUL character is not allowed", key)
            else:
                fields[key] = value
        return fields, uploads
    finally:
        await form.close()


async def file_from_form(
    store: Store, fields: dict[str, str], actor: Actor, uploads: list[Upload]
) -> Dispute:
    """File the dispute a form asks for (its ``contract``, ``line`` and ``reason`` fields, the
    ``evidence`` files read by ``read_form``), off the event loop."""
    return await run_in_threadpool(
        store_disputes.file_dispute,
        store,
        fields.get("contract", "").strip(),
        fields.get("line", ""),
        fields.get("reason", ""),
        actor,
        uploads,
    )


def judge_after(service: LiveService, decision: store_disputes.Decision) -> None:
    """Judge what an accepted dispute's waiver changed: by the judge lane when the process has
    one (or another process judges), else here and now."""
    if decision.contract_wide:
        service.duties_now()
    if service.on_stored or service.judge_elsewhere:
        service.stored()
    elif decision.tickets:
        service.evaluate_tickets_now(decision.tickets)


def disputes_router(store: Store, service: LiveService, auth: Auth) -> APIRouter:
    """The disputes' routes over ``store``; who may do what is ``auth``'s (module doc)."""
    router = APIRouter(tags=["disputes"])

    # who may do what: the permission table (slaengine.access); a dispute is its contract's
    one_dispute = row_of(Dispute, "dispute_id", "no dispute {}")

    def refused(exc: DisputeError) -> JSONResponse:
        return problem(exc.status, exc.error, field=exc.field)

    def shown(ident: int) -> dict[str, Any]:
        with store.sessions() as session:
            row = store_disputes.get(session, ident)
            if row is None:
                raise HTTPException(404, detail=f"no dispute {ident}")
            evidence = store_disputes.evidence_of(session, [ident])[ident]
            return store_disputes.dispute_json(row, evidence)

    @router.post(
        "/disputes",
        status_code=201,
        dependencies=[requires("dispute.file")],
        openapi_extra=_FILING_BODY,
        responses=_answers(
            *_AUTH,
            403,
            404,
            409,
            413,
            415,
            422,
            503,
            e404="No such line of that contract is stored.",
            e409="The line has an open dispute already, or is waived already.",
            e413=f"An evidence file over {FILE_BYTES:,} bytes, files over {TOTAL_BYTES:,} "
            f"together or more than {MOST_FILES} files; or the body over the upload limit.",
        ),
    )
    async def file_dispute(request: Request) -> Any:
        """File a dispute of a stored penalty or compensation line (``line``: its ``id`` in
        ``GET /penalties``), with a reason and evidence files; 201 with the dispute. A line
        has at most one open dispute."""
        try:
            fields, uploads = await read_form(request)
            actor = access_actor(request, fields.get("by"))
            contract = fields.get("contract", "").strip()
            if not current(request).may("dispute.file", contract):
                # a contract the caller does not see has no line they could name
                line = fields.get("line", "")
                if not current(request).sees(contract):
                    raise DisputeError(
                        404, f"line: no line {line!r} of contract {contract!r} is stored", "line"
                    )
                raise HTTPException(403, detail=refusal(current(request), "dispute.file"))
            row = await file_from_form(store, fields, actor, uploads)
        except DisputeError as exc:
            return refused(exc)
        return JSONResponse(await run_in_threadpool(shown, row.id), status_code=201)

    @router.api_route(
        "/disputes",
        methods=["PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
        dependencies=[public("answers 405 to anyone")],
    )
    def other_methods() -> None:
        """``/disputes`` takes GET and POST, two routes: a 405 says both (Starlette's would
        name only the first route's method)."""
        raise HTTPException(405, detail="Method Not Allowed", headers={"Allow": "GET, POST"})

    @router.post(
        "/disputes/{dispute_id}/evidence",
        status_code=201,
        dependencies=[requires("dispute.file", one_dispute)],
        openapi_extra=_EVIDENCE_BODY,
        responses=_answers(
            *_AUTH,
            403,
            404,
            409,
            413,
            415,
            422,
            503,
            e404="No such dispute.",
            e409="The dispute is decided: its evidence is closed.",
            e413=f"An evidence file over {FILE_BYTES:,} bytes, the dispute's files over "
            f"{TOTAL_BYTES:,} together or more than {MOST_FILES} files.",
        ),
    )
    async def add_evidence(dispute_id: Annotated[int, _ID], request: Request) -> Any:
        """Add evidence files to an open dispute; 201 with the dispute."""
        try:
            fields, uploads = await read_form(request)
            actor = access_actor(request, fields.get("by"))
            await run_in_threadpool(store_disputes.add_evidence, store, dispute_id, actor, uploads)
        except DisputeError as exc:
            return refused(exc)
        return JSONResponse(await run_in_threadpool(shown, dispute_id), status_code=201)

    @router.get(
        "/disputes",
        dependencies=[requires("dispute.read")],
        responses=_answers(*_AUTH, 403, 422, 503),
    )
    def list_disputes(
        request: Request,
        contract: str | None = None,
        state: Annotated[
            Literal["open", "accepted", "rejected"] | None,
            Query(description="open, accepted or rejected"),
        ] = None,
        ticket: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    ) -> list[dict[str, Any]]:
        """Disputes, newest first, with their evidence files (described, not their content)."""
        with store.sessions() as session:
            within = visible(request, "dispute.read")  # the caller's contracts only
            rows = store_disputes.listed(session, contract, state, ticket, limit, within)
            evidence = store_disputes.evidence_of(session, [row.id for row in rows])
            return [store_disputes.dispute_json(row, evidence[row.id]) for row in rows]

    @router.get(
        "/disputes/{dispute_id}",
        dependencies=[requires("dispute.read", one_dispute)],
        responses=_answers(*_AUTH, 404, 422, 503, e404="No such dispute."),
    )
    def show_dispute(dispute_id: Annotated[int, _ID]) -> dict[str, Any]:
        """One dispute: the line as filed, the reason, the evidence files, the decision."""
        return shown(dispute_id)

    @router.get(
        "/disputes/{dispute_id}/evidence/{evidence_id}",
        dependencies=[requires("dispute.read", one_dispute)],
        responses={
            **_answers(*_AUTH, 404, 422, 503, e404="No such evidence file of that dispute."),
            200: {
                "description": "The file, as an attachment of the type its content showed.",
                "content": {media: {} for media in MEDIA_TYPES},
            },
        },
    )
    def evidence_file(
        dispute_id: Annotated[int, _ID], evidence_id: Annotated[int, _ID]
    ) -> Response:
        """Download an evidence file (``Content-Disposition: attachment``)."""
        with store.sessions() as session:
            row = store_disputes.evidence_file(session, dispute_id, evidence_id)
            if row is None:
                raise HTTPException(
                    404, detail=f"no evidence file {evidence_id} of dispute {dispute_id}"
                )
            return download(row)

    @router.post(
        "/disputes/{dispute_id}/decision",
        dependencies=[requires("dispute.decide", one_dispute)],
        openapi_extra=_DECISION_BODY,
        responses=_answers(
            *_AUTH,
            403,
            404,
            409,
            413,
            422,
            503,
            e404="No such dispute.",
            e409="The dispute is decided already, or its line is no longer charged.",
        ),
    )
    async def decide(dispute_id: Annotated[int, _ID], request: Request) -> Any:
        """Accept (the line is waived through the waiver rules; every total follows) or reject
        an open dispute, with a reason. The body is JSON whatever its Content-Type."""
        data = await json_body(request, SMALL_BODY, "a decision")
        try:
            body = DecisionIn.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            return problem(422, f"{where}: {first['msg']}", field=where)
        actor = access_actor(request, body.by)

        def decided() -> dict[str, Any]:
            outcome = store_disputes.decide(
                store, dispute_id, body.decision == "accept", body.reason, actor
            )
            judge_after(service, outcome)
            return shown(dispute_id)

        try:
            return await run_in_threadpool(decided)
        except DisputeError as exc:
            return refused(exc)

    return router


def disputes_of_rows(session: Any, rows: list[PenaltyLine]) -> dict[int, dict[str, Any]]:
    """The dispute of each stored line that has one (its open one, else its latest decided),
    by the row's id, as ``GET /penalties`` shows it on the line."""
    return {
        ident: mark.to_json() for ident, mark in store_disputes.marks_of_rows(session, rows).items()
    }
