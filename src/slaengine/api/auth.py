"""Who may do what: tokens, their roles, and the console's session cookie.

Theory of operation
-------------------
The service knows up to two secrets: the **operator** token (``--token`` /
``SLAENGINE_API_TOKEN``), which may do everything — post events, acknowledge alerts — and the
**viewer** token (``--viewer-token`` / ``SLAENGINE_VIEWER_TOKEN``), which may only read. A
request proves a role either with ``Authorization: Bearer <token>`` (scripts, the API) or with
the console's session cookie (a browser after ``/login``). With no token configured every
caller is an operator: ``slaengine serve`` then listens on loopback only.

The session cookie is a random secret the server keeps (api/sessions.py, the
``console_sessions`` table): signing out ends it everywhere, a changed token ends every session
of its role, each sign-in is a new secret, and a session lasts ``SESSION_SECONDS`` (``serve
--session-hours``). Several ``serve`` processes of one store share the table. The cookie is
HttpOnly, SameSite=Strict and Secure when the request came over TLS; SameSite does not stop a
page on another port of the same host, so every state-changing request a browser makes is also
checked for its origin (api/security.py).

Named users (store/users.py, docs/people.md) prove themselves the same two ways: with their
own API token (``Authorization: Bearer slau_…``) or with a console session made by signing in
with their name and password. ``Auth.principal_of(request)`` answers who is asking — a shared
token's role or a user with their roles per contract — and every route asks the one
permission table (slaengine.access) through api/access.py ``requires``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from slaengine.access import NOBODY_ASKED, Principal, token_principal
from slaengine.audit.trail import sign_in
from slaengine.clock import Clock, SystemClock

if TYPE_CHECKING:
    from slaengine.api.sessions import SessionStore
    from slaengine.store.users import UserStore

Role = Literal["viewer", "operator"]
VIEWER: Role = "viewer"
OPERATOR: Role = "operator"

#: Declares the bearer scheme in the OpenAPI document (the "Authorize" button of /docs); the
#: token itself is read by ``Auth.role_of``, which also takes the session cookie.
_bearer = HTTPBearer(auto_error=False)

COOKIE = "slaengine_session"
SESSION_SECONDS = 12 * 3600


class NotSignedIn(Exception):
    """The request carries no valid token or session (the console answers with /login)."""


@dataclass(frozen=True, slots=True)
class Auth:
    """The tokens the service accepts; ``operator`` None means no token is required."""

    operator: str | None = None
    viewer: str | None = None
    #: Where session issue and expiry times come from.
    clock: Clock = field(default_factory=SystemClock, compare=False)
    #: The server's sessions (``create_api`` gives the store's); None: no session is valid.
    sessions: SessionStore | None = field(default=None, compare=False)
    #: The store's named users (``create_api`` gives the store's); None: only the tokens.
    users: UserStore | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.viewer is not None and self.operator is None:
            raise ValueError(
                "a viewer token needs an operator token too (--token or SLAENGINE_API_TOKEN): "
                "without one, everybody may already do everything"
            )
        if self.viewer is not None and self.viewer == self.operator:
            raise ValueError("the viewer token must differ from the operator token")

    @property
    def required(self) -> bool:
        return self.operator is not None

    def _tokens(self) -> list[tuple[Role, str]]:
        pairs: list[tuple[Role, str]] = []
        if self.operator is not None:
            pairs.append((OPERATOR, self.operator))
        if self.viewer is not None:
            pairs.append((VIEWER, self.viewer))
        return pairs

    def role_of_token(self, given: str) -> Role | None:
        """The role ``given`` grants, or None (compared in constant time with each token)."""
        found: Role | None = None
        for role, token in self._tokens():
            if secrets.compare_digest(given.encode(), token.encode()):
                found = role
        return found

    def sign_in(self, role: Role, ending: str | None = None) -> str:
        """A new session of ``role`` (its cookie value); ``ending``: the browser's old cookie,
        ended at once (sessions rotate at sign-in)."""
        token = dict(self._tokens()).get(role)
        if token is None or self.sessions is None:
            raise ValueError(f"no {role} token is configured")
        return self.sessions.begin(role, token, ending)

    def sign_out(self, value: str) -> None:
        """End the session of cookie ``value`` on the server (every copy of it)."""
        if self.sessions is not None:
            self.sessions.end(value)

    def role_of_session(self, value: str) -> Role | None:
        """The role of a session cookie, or None when unknown, ended, expired or of a token
        that has changed since."""
        if self.sessions is None:
            return None
        found = self.sessions.role_of(value, dict(self._tokens()))
        return OPERATOR if found == OPERATOR else VIEWER if found == VIEWER else None

    def sign_in_user(self, principal: Principal, password_hash: str, ending: str | None) -> str:
        """A new session of a named user (``password_hash``: theirs now; a new password ends
        the session)."""
        if self.sessions is None or principal.user_id is None:
            raise ValueError("no sessions here")
        return self.sessions.begin("user", password_hash, ending, principal.user_id)

    def _user_hash(self, user_id: int) -> str | None:
        found = self.users.by_id(user_id) if self.users is not None else None
        return found[1] if found is not None else None

    def principal_of(self, request: Request) -> Principal:
        """Who is asking: from the bearer token (a shared one or a user's), else the session
        cookie (a shared token's or a user's). Raises ``NotSignedIn`` when a token is required
        and neither proves one. The answer is kept on ``request.state.principal``."""
        kept = getattr(request.state, "principal", None)
        if isinstance(kept, Principal):
            return kept
        found = self._principal_of(request)
        request.state.principal = found
        return found

    def _principal_of(self, request: Request) -> Principal:
        if not self.required:
            return NOBODY_ASKED
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and given:
            given = given.strip()
            role = self.role_of_token(given)
            if role is not None:
                return token_principal(role)
            user = self.users.by_token(given) if self.users is not None else None
            if user is not None:
                return user
            sign_in(request, ok=False, how="bearer")  # the audit trail (slaengine.audit)
            raise NotSignedIn("wrong bearer token")
        cookie = request.cookies.get(COOKIE)
        if cookie:
            role = self.role_of_session(cookie)
            if role is not None:
                return token_principal(role)
            if self.sessions is not None and self.users is not None:
                user_id = self.sessions.user_of(cookie, self._user_hash)
                found = self.users.by_id(user_id) if user_id is not None else None
                if found is not None:
                    return found[0]
        raise NotSignedIn("no token")

    def role_of(self, request: Request) -> Role:
        """The caller's shared role: ``operator`` for whoever may do everything everywhere,
        else ``viewer`` (the console's older pages and ``/health`` ask only this).

        Raises ``NotSignedIn`` when a token is required and none proves one."""
        return OPERATOR if self.principal_of(request).almighty else VIEWER

    def principal(self, request: Request) -> Principal:
        """The caller; 401 without one."""
        try:
            return self.principal_of(request)
        except NotSignedIn:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="missing or wrong bearer token (send Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": "Bearer"},
            ) from None

    def check(self, request: Request, write: bool) -> Role:
        """The caller's role; 401 without one, 403 for anybody but an operator or an
        administrator when ``write``."""
        found = self.principal(request)
        if write and not found.almighty:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="the viewer token may only read: use the operator token to post events "
                "or acknowledge alerts",
            )
        return OPERATOR if found.almighty else VIEWER

    # FastAPI dependencies for the API's routes: async, so FastAPI calls them on the event
    # loop (they only compare strings) instead of sending each request to a worker thread.

    async def reader(
        self,
        request: Request,
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> Role:
        """Any role may read; 401 without one."""
        return self.check(request, write=False)

    async def operator_only(
        self,
        request: Request,
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> Role:
        """Only an operator may change the store (post events, acknowledge); 403 for a viewer."""
        return self.check(request, write=True)


#: What ``dependencies=[Depends(auth.operator_only)]`` puts in a route's OpenAPI operation; for
#: a route that calls ``Auth.check`` itself (``POST /events``: no dependency to solve).
BEARER_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}


def secure_request(request: Request) -> bool:
    """Whether the browser reached us over TLS: directly, or through the trusted proxy in front
    (``serve --trust-proxy``: uvicorn then takes the scheme from its ``X-Forwarded-Proto``)."""
    return request.url.scheme == "https"
