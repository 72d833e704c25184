"""Intake that never waits for the judge lane: ``ticket_marks``, where storing events on
PostgreSQL records a touched ticket whose row another transaction holds (the due pass judging
it), instead of waiting for that lock; the due pass folds the marks into ``tickets.dirty``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_marks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("contract", sa.String(200), nullable=False),
        sa.Column("ticket", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ticket_marks")
