"""The re-judge lane at a million clocks: a partial index of the tickets waiting to be judged
again (``dirty``), in id order. The due pass claims them ``WHERE dirty ORDER BY id LIMIT n``;
without it that claim walked the primary key past every ticket already re-judged, so re-judging
a contract's 250,000 tickets after a new version grew quadratically (192 ms a claim of 10 with
200,000 done). ``/health``'s ``tickets_waiting`` counts the same index's entries. It replaces
the plain index of ``dirty`` (``ix_tickets_dirty``), which held every ticket and left the
planners a worse choice (SQLite took it and sorted). The queries
write the condition as ``dirty = true`` (PostgreSQL folds it to the index's ``dirty``; SQLite
renders ``dirty = 1``, the index's condition word for word).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tickets_dirty", table_name="tickets")
    op.create_index(
        "ix_tickets_waiting",
        "tickets",
        ["id"],
        unique=False,
        postgresql_where=sa.text("dirty"),
        sqlite_where=sa.text("dirty = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    op.create_index("ix_tickets_dirty", "tickets", ["dirty"], unique=False)
