"""The tables of people (store/users.py explains them): users, their API tokens, their grants.

Kept apart from the code that changes them so that ``slaengine.store`` can register the tables
with the metadata without importing the audit trail (which imports the store).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from slaengine.store.models import Base, BigId, Int64
from slaengine.store.types import UtcDateTime


class User(Base):
    """A person who signs in (module doc)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserToken(Base):
    """An API token of a user: the SHA-256 of its secret, never the secret."""

    __tablename__ = "user_tokens"
    __table_args__ = (Index("ix_user_tokens_user", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Int64, ForeignKey("users.id"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserGrant(Base):
    """A role of a user on a contract (``*`` for ``administrator``)."""

    __tablename__ = "user_grants"
    __table_args__ = (Index("ix_user_grants_contract", "contract"),)

    user_id: Mapped[int] = mapped_column(Int64, ForeignKey("users.id"), primary_key=True)
    contract: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
