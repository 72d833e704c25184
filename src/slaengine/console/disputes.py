"""The disputes page, and the console's dispute forms (docs/disputes.md).

``GET /console/disputes``: a contract's disputes (filtered by state), each with its line as
filed, reason, evidence files (downloaded through ``GET /disputes/{id}/evidence/{n}``) and the
decision; an open one has the decide form (accept: the line is waived; reject: it stands).
``POST /console/disputes``: the ticket page's form that contests one of its lines, with
evidence files (multipart; the edge lets this path carry ``BodyLimits.upload_bytes``).
``POST /console/disputes/{id}/decide``: the decide form. Each route's rule is the permission
table's (slaengine.access: ``dispute.read``, ``dispute.file``, ``dispute.decide`` per contract),
as the API's (api/routes/disputes.py); a named user files and decides under their own name.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from slaengine.api.access import Hidden, Refused, query, requires
from slaengine.api.access import actor as access_actor
from slaengine.api.access import row as row_of
from slaengine.api.problems import form_body
from slaengine.api.routes.disputes import (
    DECIDE,
    FILE,
    READ,
    file_from_form,
    judge_after,
    read_form,
)
from slaengine.console.page import Console, Page, local_path, money_text
from slaengine.penalties.disputes import STATES
from slaengine.store import disputes as store_disputes
from slaengine.store.disputes import Dispute, DisputeError
from slaengine.store.limits import INT_MAX

#: The words a refusal is told with, by its status (the detail follows, naming the file).
_REFUSAL_WORDS = {
    404: "dispute_not_found",
    409: "dispute_conflict",
    413: "dispute_too_large",
    415: "dispute_wrong_type",
}


def add_routes(router: APIRouter, console: Console) -> None:
    store = console.store
    page = console.page
    render = console.render

    def name(p: Page, given: str) -> str:
        """Who acts: a named user by their name, whatever the form says (slaengine.access)."""
        return p.principal.name if p.principal.is_user else given

    def refused(p: Page, exc: DisputeError) -> HTMLResponse:
        headline = p.t(_REFUSAL_WORDS.get(exc.status, "dispute_refused"))
        return render(p, "message.html", status_code=exc.status, text=f"{headline} {exc.error}")

    @router.get("/console/disputes", dependencies=[requires(READ, query("contract"), page=True)])
    def disputes_page(
        request: Request, contract: str | None = None, state: str | None = None
    ) -> HTMLResponse:
        p = page(request)
        context = console.chosen(p, contract)
        cid = context.contract.id
        if not p.may(READ, cid):  # the first contract shown may be one the caller only sees
            raise Refused(READ)
        wanted = state if state in STATES else None
        with store.sessions() as session:
            rows = store_disputes.listed(session, cid, wanted)
            evidence = store_disputes.evidence_of(session, [row.id for row in rows])
            shown = [store_disputes.dispute_json(row, evidence[row.id]) for row in rows]
            opened = store_disputes.open_count(session, cid)
        return render(
            p,
            "disputes.html",
            context=context,
            disputes=shown,
            state=wanted,
            states=STATES,
            open_count=opened,
            may_decide=p.may(DECIDE, cid),
            money=money_text,
        )

    @router.post("/console/disputes", dependencies=[requires(FILE, page=True)])
    async def file_form(request: Request) -> Response:
        """The ticket page's dispute form: contract, line, reason, by, evidence files."""
        p = page(request)
        try:
            fields, uploads = await read_form(request)
            contract = fields.get("contract", "").strip()
            if not p.principal.sees(contract):
                raise Hidden(contract)
            if not p.may(FILE, contract):
                raise Refused(FILE)
            who = name(p, fields.get("by", "").strip())
            if not who or not fields.get("reason", "").strip():
                return render(p, "message.html", status_code=422, text=p.t("dispute_needs"))
            actor = access_actor(request, who, via="console")
            await file_from_form(store, fields, actor, uploads)
        except DisputeError as exc:
            return refused(p, exc)
        back = local_path(fields.get("back") or "/console/disputes")
        return RedirectResponse(back, status_code=303)

    @router.post(
        "/console/disputes/{dispute_id}/decide",
        dependencies=[requires(DECIDE, row_of(Dispute, "dispute_id", "no dispute {}"), page=True)],
    )
    async def decide_form(
        request: Request, dispute_id: Annotated[int, Path(ge=1, le=INT_MAX)]
    ) -> Response:
        """The decide form: decision (accept or reject), reason, by."""
        p = page(request)
        form = await form_body(request, "decision form")

        def field(name: str) -> str:
            return (form.get(name) or [""])[0].strip()

        decision, reason, who = field("decision"), field("reason"), name(p, field("by"))
        if decision not in ("accept", "reject") or not reason or not who or "\x00" in who:
            return render(p, "message.html", status_code=422, text=p.t("dispute_needs"))
        actor = access_actor(request, who, via="console")

        def decided() -> store_disputes.Decision:
            outcome = store_disputes.decide(store, dispute_id, decision == "accept", reason, actor)
            judge_after(console.service, outcome)
            return outcome

        try:
            outcome = await run_in_threadpool(decided)
        except DisputeError as exc:
            return refused(p, exc)
        back = p.url("/console/disputes", contract=outcome.dispute.contract)
        return RedirectResponse(f"{back}#d{dispute_id}", status_code=303)


def line_marks(session: Any, rows: list[Any]) -> dict[str, dict[str, Any]]:
    """The dispute of each stored line (``PenaltyLine`` rows) that has one, by line id, as the
    ticket page shows it."""
    marks = store_disputes.marks_of_rows(session, rows)
    return {row.line_id: marks[row.id].to_json() for row in rows if row.id in marks}
