"""Console sessions kept by the server, so that signing out, a changed token and time end them.

Theory of operation
-------------------
Signing in (``POST /login``) makes a new random secret (256 bits), hands it to the browser as
the session cookie and stores only its SHA-256 in ``console_sessions`` with the role, the
session's expiry and a *mark* of the role's token (an HMAC of it). A request's cookie is a
session while its row exists, has not expired and its mark matches the role's token now: so

- signing out deletes the row (the copied cookie is dead everywhere at once);
- changing a token (``--token`` / ``--viewer-token``) ends every session of that role;
- every sign-in is a new secret (rotation), and the one the browser brought is ended;
- sessions last ``seconds`` from sign-in at most (``serve --session-hours``);
- a named user's session (``user_id``, role ``user``) is marked with their password hash: a new
  password ends it, and a disabled user's sessions stop working at once (api/auth.py asks the
  user's row on each request).

Every ``serve`` process of one store shares the table, so a load balancer may send a browser
to any of them. Expired rows are deleted at each sign-in. A cookie that is not the shape of a
secret (too long, other characters) is no session without a database read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete

from slaengine.clock import Clock
from slaengine.store import Store
from slaengine.store.models import ConsoleSession

#: The shape of a session secret (``secrets.token_urlsafe(32)`` gives 43 characters).
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,64}")


def token_mark(token: str, role: str) -> str:
    """What a session keeps of its role's token: enough to notice it changed, not to use it."""
    return hmac.new(
        token.encode(), f"slaengine-session:{role}".encode(), hashlib.sha256
    ).hexdigest()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionStore:
    """The ``console_sessions`` table of ``store``."""

    def __init__(self, store: Store, clock: Clock, seconds: int) -> None:
        self.store = store
        self.clock = clock
        self.seconds = seconds

    def begin(
        self, role: str, token: str, ending: str | None = None, user_id: int | None = None
    ) -> str:
        """A new session of ``role``: its cookie value. ``ending``: the cookie the browser
        brought, ended in the same transaction (a sign-in never keeps the old secret).
        ``user_id``: a named user's session (``token``: their password hash)."""
        secret = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.store.write() as session:
            session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
            if ending is not None and _SECRET.fullmatch(ending):
                session.execute(
                    delete(ConsoleSession).where(ConsoleSession.secret_hash == _hash(ending))
                )
            session.add(
                ConsoleSession(
                    secret_hash=_hash(secret),
                    role=role,
                    token_mark=token_mark(token, role),
                    issued_at=now,
                    expires_at=now + timedelta(seconds=self.seconds),
                    user_id=user_id,
                )
            )
        return secret

    def role_of(self, value: str, tokens: dict[str, str]) -> str | None:
        """The role of the session whose cookie is ``value``, or None (no such session, ended,
        expired, or its role's token changed since)."""
        if not _SECRET.fullmatch(value):
            return None
        with self.store.sessions() as session:
            row = session.get(ConsoleSession, _hash(value))
            if row is None or row.user_id is not None:
                return None
            role, mark, expires = row.role, row.token_mark, row.expires_at
        token = tokens.get(role)
        if token is None or not hmac.compare_digest(mark, token_mark(token, role)):
            return None
        if self.clock.now() >= expires:
            return None
        return role

    def user_of(self, value: str, mark_of: Callable[[int], str | None]) -> int | None:
        """The user of the session whose cookie is ``value``, or None (no such session, not a
        user's, ended, expired, or the user's password changed since: ``mark_of(user_id)``
        gives their password hash now, None for a user who is gone or disabled)."""
        if not _SECRET.fullmatch(value):
            return None
        with self.store.sessions() as session:
            row = session.get(ConsoleSession, _hash(value))
            if row is None or row.user_id is None:
                return None
            user_id, mark, expires = row.user_id, row.token_mark, row.expires_at
        if self.clock.now() >= expires:
            return None
        now_hash = mark_of(user_id)
        if now_hash is None or not hmac.compare_digest(mark, token_mark(now_hash, "user")):
            return None
        return user_id

    def end(self, value: str) -> None:
        """Sign out: the session of cookie ``value`` ends for every copy of the cookie."""
        if not _SECRET.fullmatch(value):
            return
        with self.store.write() as session:
            session.execute(
                delete(ConsoleSession).where(ConsoleSession.secret_hash == _hash(value))
            )
