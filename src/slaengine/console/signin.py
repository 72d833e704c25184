"""Signing in and out, and the live feed a signed-in page listens to.

The form takes a token (a shared one, or a user's own API token ``slau_…``: signed in as that
user), or a user's name and password (store/users.py: Argon2id, the same time
for an unknown name); the answer is a new session cookie of the token's role or of the user
(api/auth.py, api/sessions.py: the session the browser brought, if any, is ended; sessions rotate at
sign-in). Signing out ends the session on the server, so a copy of the cookie is dead too.
After signing in, the browser goes back to the page it asked for, and only ever to a path on
this server. Both forms are read at most ``BodyLimits.form_bytes``; the origin of the request
is checked before they are read (api/security.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from slaengine.access import Principal
from slaengine.api.access import public, requires
from slaengine.api.auth import COOKIE, secure_request
from slaengine.api.problems import form_body
from slaengine.audit.trail import sign_in
from slaengine.console.page import Console, Page, local_path
from slaengine.console.words import lang_of


def add_routes(router: APIRouter, console: Console) -> None:
    auth = console.auth
    render = console.render

    @router.get("/login", dependencies=[public("the sign-in form")])
    def login_form(request: Request, next: str = "/") -> Response:
        lang, _ = lang_of(request)
        if not auth.required:
            return RedirectResponse(local_path(next), status_code=303)
        p = Page(request, lang, "viewer", True, {}, signed_in=False)
        return render(p, "login.html", next=local_path(next), error=None)

    @router.post("/login", dependencies=[public("signs in: a token, or a name and password")])
    async def login(request: Request) -> Response:
        form = await form_body(request, "sign-in form")
        given = (form.get("token") or [""])[0].strip()
        name = (form.get("name") or [""])[0].strip()
        password = (form.get("password") or [""])[0]
        target = local_path((form.get("next") or ["/"])[0])
        ending = request.cookies.get(COOKIE)
        if name and not given:
            users = auth.users
            found = (
                await run_in_threadpool(users.authenticate, name, password)
                if users is not None and auth.required
                else None
            )
            await run_in_threadpool(sign_in, request, found is not None, name[:200], "password")
            if found is None:
                return _refused(request, target, "password", name)
            cookie = await run_in_threadpool(auth.sign_in_user, found[0], found[1], ending)
            return _signed_in(request, target, cookie)
        role = auth.role_of_token(given) if given else None
        if role is None and given:
            user = await run_in_threadpool(_user_of_token, given)
            if user is not None:  # a user's own API token: signed in as that user
                await run_in_threadpool(sign_in, request, True, user[0].name, "token")
                cookie = await run_in_threadpool(auth.sign_in_user, user[0], user[1], ending)
                return _signed_in(request, target, cookie)
        await run_in_threadpool(sign_in, request, role is not None, role, "token")  # audit trail
        if role is None:
            return _refused(request, target, "token", name)
        return _signed_in(request, target, auth.sign_in(role, ending=ending))

    def _user_of_token(given: str) -> tuple[Principal, str] | None:
        """The live user whose API token (``slau_…``) ``given`` is, with their password hash
        (their session ends with a new password, as a name sign-in's does); None otherwise."""
        users = auth.users
        if users is None or not auth.required:
            return None
        found = users.by_token(given)
        if found is None or found.user_id is None:
            return None
        return users.by_id(found.user_id)

    def _refused(request: Request, target: str, error: str, name: str) -> Response:
        lang, _ = lang_of(request)
        p = Page(request, lang, "viewer", True, {}, signed_in=False)
        return render(p, "login.html", status_code=401, next=target, error=error, name=name[:100])

    def _signed_in(request: Request, target: str, cookie: str) -> Response:
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=auth.sessions.seconds if auth.sessions is not None else None,
            httponly=True,
            samesite="strict",
            secure=secure_request(request),
            path="/",
        )
        return response

    @router.post("/logout", dependencies=[public("ends the session the cookie names")])
    def logout(request: Request) -> Response:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            auth.sign_out(cookie)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/live", dependencies=[requires("service.read", page=True)])
    def live(request: Request) -> StreamingResponse:
        return StreamingResponse(
            console.feed.stream(request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
