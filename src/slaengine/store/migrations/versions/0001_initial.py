"""The store: events, contract versions, tickets, clocks, breaches, penalty lines,
rejected input, alerts and their outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:00:16.302690
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slaengine.store.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=False),
        sa.Column("commitment", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=100), nullable=True),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.Column("late_by_seconds", sa.Integer(), nullable=False),
        sa.Column("detected_at", UtcDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract", "kind", "ticket", "commitment", "cycle", name="uq_breach"),
    )
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breaches_status"), ["status"], unique=False)

    op.create_table(
        "clocks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=False),
        sa.Column("commitment", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=100), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("warn_at", UtcDateTime(), nullable=True),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("late_by_seconds", sa.Integer(), nullable=False),
        sa.Column("warned_at", UtcDateTime(), nullable=True),
        sa.Column("next_due", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract", "ticket", "commitment", "cycle", name="uq_clock"),
    )
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clocks_next_due"), ["next_due"], unique=False)

    op.create_table(
        "contract_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("declared_version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract", "version", name="uq_contract_version"),
    )
    op.create_table(
        "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=True),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("contract", "event_id", name="uq_event_id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_ticket", ["contract", "ticket", "seq"], unique=False)

    op.create_table(
        "penalty_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("line_id", sa.String(length=500), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=True),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("clause", sa.String(length=200), nullable=True),
        sa.Column("commitment", sa.String(length=200), nullable=True),
        sa.Column("obligation", sa.String(length=200), nullable=True),
        sa.Column("asset", sa.String(length=300), nullable=True),
        sa.Column("breach_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amount", sa.String(length=40), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract", "line_id", name="uq_penalty_line"),
    )
    with op.batch_alter_table("penalty_lines", schema=None) as batch_op:
        batch_op.create_index("ix_penalty_lines_ticket", ["contract", "ticket"], unique=False)
        batch_op.create_index(batch_op.f("ix_penalty_lines_breach_id"), ["breach_id"], unique=False)

    op.create_table(
        "rejected",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=300), nullable=True),
        sa.Column("ticket", sa.String(length=300), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "tickets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("next_due", UtcDateTime(), nullable=True),
        sa.Column("evaluated_at", UtcDateTime(), nullable=True),
        sa.Column("contract_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract", "ticket", name="uq_ticket"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tickets_dirty"), ["dirty"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_next_due"), ["next_due"], unique=False)

    op.create_table(
        "alerts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("contract", sa.String(length=200), nullable=False),
        sa.Column("ticket", sa.String(length=300), nullable=True),
        sa.Column("commitment", sa.String(length=200), nullable=True),
        sa.Column("breach_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("escalate_at", UtcDateTime(), nullable=True),
        sa.Column("escalated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breaches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "contact", name="uq_alert"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_breach_id"), ["breach_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_escalate_at"), ["escalate_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=300), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", name="uq_outbox"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_escalate_at"))
        batch_op.drop_index(batch_op.f("ix_alerts_breach_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_next_due"))
        batch_op.drop_index(batch_op.f("ix_tickets_dirty"))

    op.drop_table("tickets")
    op.drop_table("rejected")
    with op.batch_alter_table("penalty_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_lines_breach_id"))
        batch_op.drop_index("ix_penalty_lines_ticket")

    op.drop_table("penalty_lines")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_ticket")

    op.drop_table("events")
    op.drop_table("contract_versions")
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clocks_next_due"))

    op.drop_table("clocks")
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaches_status"))

    op.drop_table("breaches")
