"""What the money page and the measures route read, by index (issue 23): the events of a
contract by type (``ix_events_type``: the measures read the events of a few types, with the
force majeure and the waivers, of a contract that holds 100,000 others), and the clocks a
measure counts, in the order it counts them (``ix_clocks_measured``: contract, commitment,
status, deadline — an on-time rate's ``GROUP BY`` per period reads this index only, never a
clock row).

Revision ID: 0011
Revises: 0008 (the lead re-chains it after 0009 and 0010 at merge)
Create Date: 2026-12-07 06:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_type", "events", ["contract", "type", "seq"])
    op.create_index(
        "ix_clocks_measured", "clocks", ["contract", "commitment", "status", "deadline"]
    )


def downgrade() -> None:
    op.drop_index("ix_clocks_measured", table_name="clocks")
    op.drop_index("ix_events_type", table_name="events")
