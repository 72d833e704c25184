"""A clock per occurrence: ``runs: per_start`` commitments open a clock for every start event
(every customer contact re-arms the reply clock), so a clock and its breach are identified by
(contract, ticket, commitment, cycle, start_key): ``start_key`` is the id of the event that
started such a clock ('' for every other clock, and for the rows already stored). A repeat-
failure remedy's breach (kind ``obligation``) has the id of the repair that made it owed.
``occurrence`` (1, 2, ...: the start's place in time order; 0 for a commitment's one clock) is
shown, not part of the key: a contact that arrives late with an earlier time renumbers the
later ones, but each row stays with its own start.

SQLite cannot alter a unique constraint in place: the tables are rebuilt (Alembic's batch mode;
slaengine.store.migrate switches foreign keys off around it), and the partial indexes of 0003 on
``clocks`` are dropped before and made again after, so that the rebuilt table carries them
exactly as 0003 wrote them. PostgreSQL alters the tables in place and keeps its indexes.

Downgrading keeps one row per old key (contract, ticket, commitment, cycle) — the first start's
— and deletes the other starts' clocks, breaches and the penalty lines charged for those
breaches (their alerts stay, on record, no longer linked to a breach).

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


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _drop_partial_indexes() -> None:
    if _sqlite():  # the table is rebuilt: its indexes are made again after
        for name, _, _ in reversed(INDEXES):
            op.drop_index(name, table_name="clocks")


def _create_partial_indexes() -> None:
    if _sqlite():
        for name, columns, where in INDEXES:
            op.create_index(name, "clocks", columns, unique=False, sqlite_where=sa.text(where))


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("occurrence", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("start_key", sa.String(300), nullable=False, server_default=sa.text("''")),
    ]


def upgrade() -> None:
    _drop_partial_indexes()
    with op.batch_alter_table("clocks") as batch:
        for column in _columns():
            batch.add_column(column)
        batch.drop_constraint("uq_clock", type_="unique")
        batch.create_unique_constraint("uq_clock", [*CLOCK_KEY, "start_key"])
    _create_partial_indexes()
    with op.batch_alter_table("breaches") as batch:
        for column in _columns():
            batch.add_column(column)
        batch.drop_constraint("uq_breach", type_="unique")
        batch.create_unique_constraint("uq_breach", [*BREACH_KEY, "start_key"])


def _surplus(table: str, key: list[str]) -> str:
    """The ids of the rows the old key cannot keep: all but the first start's (a breach that
    stands before a withdrawn one)."""
    columns = ", ".join(key)
    standing = "CASE WHEN status = 'withdrawn' THEN 1 ELSE 0 END, " if table == "breaches" else ""
    return (
        f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY {columns} "
        f"ORDER BY {standing}occurrence, id) AS n FROM {table}) AS ranked WHERE n > 1"
    )


def downgrade() -> None:
    surplus = _surplus("breaches", BREACH_KEY)
    op.execute(sa.text(f"DELETE FROM penalty_lines WHERE breach_id IN ({surplus})"))
    op.execute(sa.text(f"UPDATE alerts SET breach_id = NULL WHERE breach_id IN ({surplus})"))
    op.execute(sa.text(f"DELETE FROM breaches WHERE id IN ({surplus})"))
    op.execute(sa.text(f"DELETE FROM clocks WHERE id IN ({_surplus('clocks', CLOCK_KEY)})"))
    with op.batch_alter_table("breaches") as batch:
        batch.drop_constraint("uq_breach", type_="unique")
        batch.create_unique_constraint("uq_breach", BREACH_KEY)
        batch.drop_column("start_key")
        batch.drop_column("occurrence")
    _drop_partial_indexes()
    with op.batch_alter_table("clocks") as batch:
        batch.drop_constraint("uq_clock", type_="unique")
        batch.create_unique_constraint("uq_clock", CLOCK_KEY)
        batch.drop_column("start_key")
        batch.drop_column("occurrence")
    _create_partial_indexes()
