"""What the money page and the measures route read (issue 23).

* ``ix_events_type``: the events of a contract by type (the measures read the events of a few
  types, with the force majeure and the waivers, of a contract that holds 100,000 others);
* ``ix_clocks_measured``: the clocks a measure counts, in the order it counts them (contract,
  commitment, status, deadline): an on-time rate's ``GROUP BY`` per period reads this index
  only, never a clock row;
* ``contract_changes``: one counter per contract that every write to its ``penalty_lines``
  raises (triggers, so that every writer — the judge, the duties pass, a bulk load, a future
  one — counts): the money page reads one row to know whether the stored lines are those of its
  last request, instead of 18,000 rows' change marks. On PostgreSQL the triggers run once per
  statement over its transition table (a batch of 2,000 lines raises a contract's counter once).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_SQLITE = """
CREATE TRIGGER tr_penalty_lines_{name} AFTER {event} ON penalty_lines
BEGIN
    INSERT INTO contract_changes (contract, lines) VALUES ({row}.contract, 1)
    ON CONFLICT (contract) DO UPDATE SET lines = contract_changes.lines + 1;
END
"""

_POSTGRESQL_FUNCTION = """
CREATE FUNCTION penalty_lines_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contract_changes (contract, lines)
    SELECT DISTINCT contract, 1 FROM changed_rows ORDER BY contract
    ON CONFLICT (contract) DO UPDATE SET lines = contract_changes.lines + 1;
    RETURN NULL;
END
$$
"""

_POSTGRESQL = """
CREATE TRIGGER tr_penalty_lines_{name} AFTER {event} ON penalty_lines
REFERENCING {table} TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION penalty_lines_changed()
"""

#: (name, event, the row the SQLite trigger reads, the PostgreSQL transition table)
_EVENTS = (
    ("insert", "INSERT", "NEW", "NEW"),
    ("update", "UPDATE", "NEW", "NEW"),
    ("delete", "DELETE", "OLD", "OLD"),
)


def upgrade() -> None:
    op.create_index("ix_events_type", "events", ["contract", "type", "seq"])
    op.create_index(
        "ix_clocks_measured", "clocks", ["contract", "commitment", "status", "deadline"]
    )
    op.create_table(
        "contract_changes",
        sa.Column("contract", sa.String(200), primary_key=True),
        sa.Column("lines", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRESQL_FUNCTION)
        for name, event, _, table in _EVENTS:
            op.execute(_POSTGRESQL.format(name=name, event=event, table=table))
    else:
        for name, event, row, _ in _EVENTS:
            op.execute(_SQLITE.format(name=name, event=event, row=row))


def downgrade() -> None:
    for name, *_ in _EVENTS:
        op.execute(
            f"DROP TRIGGER tr_penalty_lines_{name}"
            + (" ON penalty_lines" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION penalty_lines_changed()")
    op.drop_table("contract_changes")
    op.drop_index("ix_clocks_measured", table_name="clocks")
    op.drop_index("ix_events_type", table_name="events")
