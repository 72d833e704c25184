"""Disputes of penalty and compensation lines and their evidence files: ``disputes`` and
``dispute_evidence`` (slaengine.store.disputes).

Built on 0009 (the users' tables, slaengine.store.users).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slaengine.store.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_INT64 = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", _INT64, primary_key=True, autoincrement=True),
        sa.Column("contract", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(1000), nullable=False),
        sa.Column("open_key", sa.String(1000), nullable=True),
        sa.Column("line_id", sa.String(1000), nullable=False),
        sa.Column("section", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("clause", sa.String(200), nullable=False),
        sa.Column("ticket", sa.String(200), nullable=True),
        sa.Column("commitment", sa.String(200), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=True),
        sa.Column("start_key", sa.String(200), nullable=False),
        sa.Column("obligation", sa.String(200), nullable=True),
        sa.Column("asset", sa.String(200), nullable=True),
        sa.Column("period_start", UtcDateTime(), nullable=True),
        sa.Column("event", sa.String(200), nullable=True),
        sa.Column("billed_at", UtcDateTime(), nullable=False),
        sa.Column("amount", sa.String(40), nullable=True),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("filed_via", sa.String(20), nullable=False),
        sa.Column("filed_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("waiver_event", sa.String(200), nullable=True),
        sa.UniqueConstraint("contract", "open_key", name="uq_disputes_open_line"),
    )
    op.create_index("ix_disputes_contract", "disputes", ["contract", "state", "id"])
    op.create_index("ix_disputes_ticket", "disputes", ["contract", "ticket"])
    op.create_table(
        "dispute_evidence",
        sa.Column("id", _INT64, primary_key=True, autoincrement=True),
        sa.Column("dispute_id", _INT64, sa.ForeignKey("disputes.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", _INT64, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_dispute_evidence_dispute", "dispute_evidence", ["dispute_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_dispute_evidence_dispute", table_name="dispute_evidence")
    op.drop_table("dispute_evidence")
    op.drop_index("ix_disputes_ticket", table_name="disputes")
    op.drop_index("ix_disputes_contract", table_name="disputes")
    op.drop_table("disputes")
