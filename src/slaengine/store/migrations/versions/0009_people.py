"""People: named users, their API tokens and their roles per contract (store/users.py), and the
user a console session belongs to (api/sessions.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slaengine.store.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("password_changed_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "user_tokens",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_index("ix_user_tokens_user", "user_tokens", ["user_id"])
    op.create_table(
        "user_grants",
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("contract", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(30), primary_key=True),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_user_grants_contract", "user_grants", ["contract"])
    with op.batch_alter_table("console_sessions") as batch:
        batch.add_column(sa.Column("user_id", _ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("console_sessions") as batch:
        batch.drop_column("user_id")
    op.drop_index("ix_user_grants_contract", table_name="user_grants")
    op.drop_table("user_grants")
    op.drop_index("ix_user_tokens_user", table_name="user_tokens")
    op.drop_table("user_tokens")
    op.drop_table("users")
