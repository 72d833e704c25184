"""Signing in and out, and the live feed a signed-in page listens to.

The form takes one token; the answer is the session cookie of its role (api/auth.py). After
signing in, the browser goes back to the page it asked for, and only ever to a path on this
server.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from slaengine.api.auth import COOKIE, SESSION_SECONDS, secure_request
from slaengine.audit.trail import sign_in
from slaengine.console.page import Console, Page, local_path
from slaengine.console.words import lang_of


def add_routes(router: APIRouter, console: Console) -> None:
    auth = console.auth
    render = console.render

    @router.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        lang, _ = lang_of(request)
        if not auth.required:
            return RedirectResponse(local_path(next), status_code=303)
        p = Page(request, lang, "viewer", True, {}, signed_in=False)
        return render(p, "login.html", next=local_path(next), error=False)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0].strip()
        target = local_path((form.get("next") or ["/"])[0])
        role = auth.role_of_token(given) if given else None
        await run_in_threadpool(sign_in, request, role is not None, role, "token")  # audit trail
        if role is None:
            lang, _ = lang_of(request)
            p = Page(request, lang, "viewer", True, {}, signed_in=False)
            return render(p, "login.html", status_code=401, next=target, error=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            auth.session_value(role),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure_request(request),
            path="/",
        )
        return response

    @router.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/live")
    def live(request: Request) -> StreamingResponse:
        auth.role_of(request)
        return StreamingResponse(
            console.feed.stream(request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
