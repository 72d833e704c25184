"""The audit trail and statement confirmations (issue 24): ``audit_records`` (append-only, each
record carrying the hash of the one before), ``audit_head`` (its one row names the newest
record; appending locks it) and ``statement_confirmations``. Only new tables: every alert,
acknowledgement, breach and penalty line already stored stays as it is. The trail starts
empty: actions taken before this migration are not in it (their acknowledgements stay on the
alerts and breaches).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slaengine.store.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("id", _BIG, primary_key=True, autoincrement=True),
        sa.Column("seq", _BIG, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("contract", sa.String(200), nullable=True),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("seq", name="uq_audit_seq"),
    )
    op.create_index("ix_audit_contract", "audit_records", ["contract", "seq"])
    op.create_index("ix_audit_kind", "audit_records", ["kind", "seq"])
    op.create_index("ix_audit_at", "audit_records", ["at"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", _BIG, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    op.create_table(
        "statement_confirmations",
        sa.Column("id", _BIG, primary_key=True, autoincrement=True),
        sa.Column("contract", sa.String(200), nullable=False),
        sa.Column("period", sa.String(100), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=False),
        sa.Column("lang", sa.String(10), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=False),
        sa.Column("audit_seq", _BIG, nullable=False),
    )
    op.create_index(
        "ix_confirmations_period", "statement_confirmations", ["contract", "period", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_confirmations_period", table_name="statement_confirmations")
    op.drop_table("statement_confirmations")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_at", table_name="audit_records")
    op.drop_index("ix_audit_kind", table_name="audit_records")
    op.drop_index("ix_audit_contract", table_name="audit_records")
    op.drop_table("audit_records")
