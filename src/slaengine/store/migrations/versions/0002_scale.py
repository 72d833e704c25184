"""A store with years of history and a message bus: the events without a ticket get a partial
index (reading a contract's force majeure or inspections never scans its ticket events); the
rejected list is looked up by (source, line), and its line holds a 64-bit stream sequence.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_events_wide",
        "events",
        ["contract", "type", "seq"],
        unique=False,
        postgresql_where=sa.text("ticket IS NULL"),
        sqlite_where=sa.text("ticket IS NULL"),
    )
    op.create_index("ix_rejected_source_line", "rejected", ["source", "line"], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # SQLite's INTEGER is 64-bit already
        op.alter_column("rejected", "line", type_=sa.BigInteger(), existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("rejected", "line", type_=sa.Integer(), existing_nullable=True)
    op.drop_index("ix_rejected_source_line", table_name="rejected")
    op.drop_index("ix_events_wide", table_name="events")
