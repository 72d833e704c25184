"""The console's board at 100,000 running clocks: partial indexes on ``clocks`` so that every
group the board lists (open breaches, clocks past their warning time, the rest of the running
and paused ones) is a walk of one index in deadline order, its counts are counts of index
entries, and the recently stopped clocks are the last entries of another; no page scans the
table. The conditions are literals: the board's queries repeat them word for word.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LIVE = "status IN ('running', 'paused')"
OPEN_BREACH = "status = 'breached' AND stopped_at IS NULL AND cancelled_at IS NULL"
STOPPED = "stopped_at IS NOT NULL"

INDEXES = (
    # The filters' columns ride along: counting a filtered board reads the index only.
    ("ix_clocks_live", ["deadline", "id", "warn_at", "contract", "commitment", "severity"], LIVE),
    # Those past their warning time are a range of this one (counted without reading the rest).
    ("ix_clocks_live_warn", ["warn_at", "contract", "commitment", "severity"], LIVE),
    ("ix_clocks_open_breach", ["deadline", "id"], OPEN_BREACH),
    ("ix_clocks_stopped", ["stopped_at", "id"], STOPPED),
)


def upgrade() -> None:
    for name, columns, where in INDEXES:
        op.create_index(
            name,
            "clocks",
            columns,
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name="clocks")
