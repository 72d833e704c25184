"""A clock per occurrence: ``runs: per_start`` commitments open a clock for every start event
(every customer contact re-arms the reply clock), so a clock and its breach are identified by
(contract, ticket, commitment, cycle, occurrence). ``occurrence`` is 1, 2, ... for such a clock
and 0 for every other (the rows already stored).

SQLite cannot alter a unique constraint in place: the tables are rebuilt (Alembic's batch mode),
and the partial indexes of 0003 on ``clocks`` are dropped before and made again after, so that
the rebuilt table carries them exactly as 0003 wrote them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LIVE = "status IN ('running', 'paused')"
OPEN_BREACH = "status = 'breached' AND stopped_at IS NULL AND cancelled_at IS NULL"
STOPPED = "stopped_at IS NOT NULL"

#: The partial indexes of 0003, as it made them.
INDEXES = (
    ("ix_clocks_live", ["deadline", "id", "warn_at", "contract", "commitment", "severity"], LIVE),
    ("ix_clocks_live_warn", ["warn_at", "contract", "commitment", "severity"], LIVE),
    ("ix_clocks_open_breach", ["deadline", "id"], OPEN_BREACH),
    ("ix_clocks_stopped", ["stopped_at", "id"], STOPPED),
)

CLOCK_KEY = ["contract", "ticket", "commitment", "cycle"]
BREACH_KEY = ["contract", "kind", "ticket", "commitment", "cycle"]


def _drop_partial_indexes() -> None:
    for name, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name="clocks")


def _create_partial_indexes() -> None:
    for name, columns, where in INDEXES:
        op.create_index(
            name,
            "clocks",
            columns,
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def upgrade() -> None:
    _drop_partial_indexes()
    with op.batch_alter_table("clocks") as batch:
        batch.add_column(
            sa.Column("occurrence", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.drop_constraint("uq_clock", type_="unique")
        batch.create_unique_constraint("uq_clock", [*CLOCK_KEY, "occurrence"])
    _create_partial_indexes()
    with op.batch_alter_table("breaches") as batch:
        batch.add_column(
            sa.Column("occurrence", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.drop_constraint("uq_breach", type_="unique")
        batch.create_unique_constraint("uq_breach", [*BREACH_KEY, "occurrence"])


def downgrade() -> None:
    # Clocks and breaches of second and later occurrences cannot be kept under the old key.
    op.execute(sa.text("DELETE FROM clocks WHERE occurrence > 1"))
    op.execute(
        sa.text(
            "UPDATE penalty_lines SET breach_id = NULL WHERE breach_id IN "
            "(SELECT id FROM breaches WHERE occurrence > 1)"
        )
    )
    op.execute(
        sa.text(
            "UPDATE alerts SET breach_id = NULL WHERE breach_id IN "
            "(SELECT id FROM breaches WHERE occurrence > 1)"
        )
    )
    op.execute(sa.text("DELETE FROM breaches WHERE occurrence > 1"))
    with op.batch_alter_table("breaches") as batch:
        batch.drop_constraint("uq_breach", type_="unique")
        batch.create_unique_constraint("uq_breach", BREACH_KEY)
        batch.drop_column("occurrence")
    _drop_partial_indexes()
    with op.batch_alter_table("clocks") as batch:
        batch.drop_constraint("uq_clock", type_="unique")
        batch.create_unique_constraint("uq_clock", CLOCK_KEY)
        batch.drop_column("occurrence")
    _create_partial_indexes()
