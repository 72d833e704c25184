"""People: named users, their passwords, their API tokens and the roles granted them per contract.

Theory of operation
-------------------
``users`` holds one row per person: the name they sign in with, the Argon2id hash of their
password (argon2-cffi's ``PasswordHasher``, its default parameters; a hash made with older
parameters is re-made at the next good sign-in), and ``disabled_at`` (a disabled user can
neither sign in nor use a token; their sessions stop working at once). Users are never
deleted, so every record of the audit trail keeps naming a person who existed.

``user_tokens`` holds API tokens: ``slau_`` and 43 random characters, shown once when issued;
the table keeps only the SHA-256 of the secret (a 256-bit secret needs no slow hash), the
label the issuer gave and when it was revoked. ``user_grants`` holds (user, contract, role);
``administrator`` is granted on ``*`` (every contract). What each role may do is
slaengine.access's ``PERMISSIONS``; this module only keeps who holds which.

Every change is one transaction with its audit record (slaengine.audit.trail.append): user
created, disabled, enabled, password changed, role granted or revoked, token issued or
revoked. ``UsersError`` names what is wrong (an unknown user, a role that does not exist, a
name taken) for the CLI and the console to show.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from slaengine.access import ADMINISTRATOR, EVERY_CONTRACT, GRANTABLE, Principal
from slaengine.audit.trail import Actor, append
from slaengine.errors import SlaError
from slaengine.store.repository import Store
from slaengine.store.user_tables import User, UserGrant, UserToken

#: What a user's API token starts with (a shared token is whatever the operator chose).
TOKEN_PREFIX = "slau_"  # noqa: S105 (a prefix, not a secret)
_TOKEN = re.compile(r"slau_[A-Za-z0-9_-]{43}")
#: A user name: letters (any script), digits, ``.``, ``_``, ``-``, ``@``; 1 to 100 characters.
_NAME = re.compile(r"[\w.@-]{1,100}")
#: The fewest characters a password may have.
MIN_PASSWORD = 10
#: The most (Argon2 takes any length; this bounds the work a sign-in form can ask for).
MAX_PASSWORD = 1024

_hasher = PasswordHasher()


@cache
def _dummy() -> str:
    """Verified when the name is unknown, so a sign-in takes as long either way (made once,
    at the first sign-in: importing the store stays cheap)."""
    return _hasher.hash("slaengine: no such user")


class UsersError(SlaError):
    """A user change that cannot be made (the message says what and which)."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    label: str
    issued_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as ``user list`` and the console's users page show them."""

    id: int
    name: str
    created_at: datetime
    disabled_at: datetime | None
    #: contract ("*" for every contract) -> roles.
    grants: Mapping[str, tuple[str, ...]]
    tokens: tuple[TokenInfo, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "disabled": self.disabled_at is not None,
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
            "grants": {c: list(r) for c, r in self.grants.items()},
            "tokens": [
                {
                    "id": t.id,
                    "label": t.label,
                    "issued_at": t.issued_at.isoformat(),
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in self.tokens
            ],
        }


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_token(given: str) -> bool:
    """Whether ``given`` has the shape of a user's API token (no database read otherwise)."""
    return _TOKEN.fullmatch(given) is not None


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsersError(
            f"user name {name[:120]!r}: 1 to 100 letters, digits, '.', '_', '-' or '@' (no spaces)"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsersError(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UsersError(f"password: at most {MAX_PASSWORD} characters")
    return password


def check_role(role: str, contract: str | None) -> str:
    """The grant's contract column; UsersError for an unknown role or a missing contract."""
    if role not in GRANTABLE:
        raise UsersError(f"role {role!r}: use one of {', '.join(GRANTABLE)}")
    if role == ADMINISTRATOR:
        if contract not in (None, EVERY_CONTRACT):
            raise UsersError("role administrator holds on every contract: give no --contract")
        return EVERY_CONTRACT
    if not contract:
        raise UsersError(f"role {role}: name the contract it is granted on (--contract ID)")
    if contract == EVERY_CONTRACT:
        raise UsersError(f"role {role} is granted per contract, not on '*'")
    return contract


class UserStore:
    """The users, tokens and grants of ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading -------------------------------------------------------------------------------

    def _user(self, session: Session, name: str) -> User:
        row = session.scalars(select(User).where(User.name == name)).one_or_none()
        if row is None:
            raise UsersError(f"no user {name!r} (slaengine user list shows them)")
        return row

    def users(self) -> list[UserInfo]:
        """Every user, by name, with grants and tokens."""
        with self.store.sessions() as session:
            rows = list(session.scalars(select(User).order_by(User.name)))
            grants: dict[int, dict[str, list[str]]] = {row.id: {} for row in rows}
            for grant in session.scalars(
                select(UserGrant).order_by(UserGrant.contract, UserGrant.role)
            ):
                grants[grant.user_id].setdefault(grant.contract, []).append(grant.role)
            tokens: dict[int, list[TokenInfo]] = {row.id: [] for row in rows}
            for token in session.scalars(select(UserToken).order_by(UserToken.id)):
                tokens[token.user_id].append(
                    TokenInfo(token.id, token.label, token.issued_at, token.revoked_at)
                )
        return [
            UserInfo(
                row.id,
                row.name,
                row.created_at,
                row.disabled_at,
                {c: tuple(r) for c, r in grants[row.id].items()},
                tuple(tokens[row.id]),
            )
            for row in rows
        ]

    def user(self, name: str) -> UserInfo:
        for found in self.users():
            if found.name == name:
                return found
        raise UsersError(f"no user {name!r} (slaengine user list shows them)")

    def principal(self, session: Session, user: User) -> Principal:
        everywhere: set[str] = set()
        grants: dict[str, set[str]] = {}
        for grant in session.scalars(select(UserGrant).where(UserGrant.user_id == user.id)):
            if grant.contract == EVERY_CONTRACT:
                everywhere.add(grant.role)
            else:
                grants.setdefault(grant.contract, set()).add(grant.role)
        return Principal(
            user.name,
            "user",
            frozenset(everywhere),
            {c: frozenset(r) for c, r in grants.items()},
            user.id,
        )

    def by_token(self, secret: str) -> Principal | None:
        """The user whose live token ``secret`` is, or None (unknown, revoked, user disabled)."""
        if not looks_like_token(secret):
            return None
        with self.store.sessions() as session:
            token = session.scalars(
                select(UserToken).where(UserToken.secret_hash == token_hash(secret))
            ).one_or_none()
            if token is None or token.revoked_at is not None:
                return None
            user = session.get(User, token.user_id)
            if user is None or user.disabled_at is not None:
                return None
            return self.principal(session, user)

    def by_id(self, user_id: int) -> tuple[Principal, str] | None:
        """A live user's principal and password hash (sessions check it), or None."""
        with self.store.sessions() as session:
            user = session.get(User, user_id)
            if user is None or user.disabled_at is not None:
                return None
            return self.principal(session, user), user.password_hash

    def authenticate(self, name: str, password: str) -> tuple[Principal, str] | None:
        """The user ``name`` if ``password`` is theirs and they are not disabled, with their
        password hash; None otherwise (the same time either way: an unknown name is checked
        against a dummy hash)."""
        if len(password) > MAX_PASSWORD or not _NAME.fullmatch(name):
            _verify(_dummy(), password[:MAX_PASSWORD])
            return None
        with self.store.sessions() as session:
            user = session.scalars(select(User).where(User.name == name)).one_or_none()
            stored = user.password_hash if user is not None else _dummy()
        if not _verify(stored, password) or user is None or user.disabled_at is not None:
            return None
        if _hasher.check_needs_rehash(stored):
            fresh = _hasher.hash(password)
            with self.store.write() as session:
                row = session.get(User, user.id)
                if row is not None and row.password_hash == stored:
                    row.password_hash = fresh
            stored = fresh
        found = self.by_id(user.id)
        return found

    # -- changing (each with its audit record) -----------------------------------------------

    def add(self, name: str, password: str, actor: Actor) -> UserInfo:
        """A new user ``name`` with ``password`` (no roles yet)."""
        check_name(name)
        hashed = _hasher.hash(check_password(password))
        now = self.store.clock.now()
        with self.store.write() as session:
            if session.scalars(select(User.id).where(User.name == name)).first() is not None:
                raise UsersError(f"user {name!r} exists already")
            session.add(
                User(name=name, password_hash=hashed, created_at=now, password_changed_at=now)
            )
            session.flush()
            append(session, actor, "user_created", now, subject=f"user {name}")
        return self.user(name)

    def set_password(self, name: str, password: str, actor: Actor) -> None:
        """A new password for ``name``: their console sessions end (api/sessions.py)."""
        hashed = _hasher.hash(check_password(password))
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            user.password_hash = hashed
            user.password_changed_at = now
            append(session, actor, "password_changed", now, subject=f"user {name}")

    def set_disabled(self, name: str, disabled: bool, actor: Actor) -> bool:
        """Disable (or enable) ``name``; False when they already were."""
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            if (user.disabled_at is not None) == disabled:
                return False
            user.disabled_at = now if disabled else None
            kind = "user_disabled" if disabled else "user_enabled"
            append(session, actor, kind, now, subject=f"user {name}")
        return True

    def grant(self, name: str, role: str, contract: str | None, actor: Actor) -> bool:
        """Grant ``role`` on ``contract`` (every contract for administrator); False when held
        already. A contract need not be loaded yet (grant before the first load)."""
        where = check_role(role, contract)
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            if session.get(UserGrant, (user.id, where, role)) is not None:
                return False
            session.add(UserGrant(user_id=user.id, contract=where, role=role, granted_at=now))
            session.flush()
            _role_record(session, actor, "role_granted", now, name, role, where)
        return True

    def revoke(self, name: str, role: str, contract: str | None, actor: Actor) -> bool:
        """Take ``role`` on ``contract`` away; False when it was not held."""
        where = check_role(role, contract)
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            gone = session.execute(
                delete(UserGrant).where(
                    UserGrant.user_id == user.id,
                    UserGrant.contract == where,
                    UserGrant.role == role,
                )
            )
            if not getattr(gone, "rowcount", 0):
                return False
            _role_record(session, actor, "role_revoked", now, name, role, where)
        return True

    def issue_token(self, name: str, label: str, actor: Actor) -> tuple[int, str]:
        """A new API token of ``name``: its id and the secret (shown once, kept hashed)."""
        label = label.strip()[:100] or "token"
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            row = UserToken(
                user_id=user.id, secret_hash=token_hash(secret), label=label, issued_at=now
            )
            session.add(row)
            session.flush()
            ident = row.id
            append(
                session,
                actor,
                "token_issued",
                now,
                subject=f"user {name}",
                details={"user": name, "token": ident, "label": label},
            )
        return ident, secret

    def revoke_token(self, name: str, ident: int, actor: Actor) -> bool:
        """Revoke token ``ident`` of ``name``; False when it was revoked already."""
        now = self.store.clock.now()
        with self.store.write() as session:
            user = self._user(session, name)
            row = session.get(UserToken, ident)
            if row is None or row.user_id != user.id:
                raise UsersError(f"user {name!r} has no token {ident}")
            if row.revoked_at is not None:
                return False
            row.revoked_at = now
            append(
                session,
                actor,
                "token_revoked",
                now,
                subject=f"user {name}",
                details={"user": name, "token": ident, "label": row.label},
            )
        return True


def _role_record(
    session: Session, actor: Actor, kind: str, now: datetime, name: str, role: str, where: str
) -> None:
    """The audit record of ``role`` on ``where`` granted to or revoked from ``name``."""
    append(
        session,
        actor,
        kind,
        now,
        contract=None if where == EVERY_CONTRACT else where,
        subject=f"user {name}",
        details={"user": name, "role": role, "contract": where},
    )


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
