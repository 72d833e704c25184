"""Which penalty lines changed since a given moment (issue 23): a change sequence per line.

* ``penalty_lines.change_seq``: the contract's change counter (``contract_changes.lines``,
  migration 0011) as the write that gave the row its present content raised it, set by the same
  triggers that raise the counter; with ``ix_penalty_lines_changes`` (contract, change_seq) the
  money page reads only the rows written since the counter value it last read, instead of every
  row's change marks;
* ``penalty_line_deletions``: a deleted row's id with the counter value its deletion raised it
  to (deletions are rare: a withdrawn breach's lines), so that a reader that kept the rows can
  drop it. A deletion of line ``-1`` tells a reader to read every row again (this upgrade
  writes one per contract).

The counter moves under the contract's row lock in ``contract_changes``, held until the writing
transaction commits, so on both databases the sequence follows the commit order of a contract's
writers: once a reader sees the counter at ``n``, every row written with a value up to ``n`` is
committed and visible.

SQLite: per-row ``AFTER`` triggers (as 0011's) raise the counter and then set the row's
``change_seq`` by its id; the ``UPDATE`` trigger fires only on an update of a column other than
``change_seq`` (``UPDATE OF``), so that setting the sequence does not fire it again. SQLite's
writers are one at a time, so each row takes its own value.

PostgreSQL: a ``BEFORE INSERT OR UPDATE`` row trigger sets ``NEW.change_seq``; the counter is
raised once per transaction and contract (``contract_changes.txid`` names the transaction that
last raised it: a further row of the same transaction reads the value without writing, one
indexed read), and a ``DELETE`` statement's trigger raises it and records the deleted rows over
its transition table. 0011's statement triggers are dropped (the row trigger raises the counter).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_INT64 = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: The columns whose update gives a line new content (all but ``id`` and ``change_seq``).
_CONTENT = (
    "contract, line_id, ticket, section, source, clause, commitment, obligation, asset, "
    "breach_id, amount, provisional, body, computed_at"
)

_SQLITE_RAISE = """
    INSERT INTO contract_changes (contract, lines) VALUES ({row}.contract, 1)
    ON CONFLICT (contract) DO UPDATE SET lines = contract_changes.lines + 1;
"""
_SQLITE_NOW = "(SELECT lines FROM contract_changes WHERE contract = {row}.contract)"

_SQLITE = {
    "insert": f"""
CREATE TRIGGER tr_penalty_lines_insert AFTER INSERT ON penalty_lines
BEGIN
{_SQLITE_RAISE.format(row="NEW")}
    UPDATE penalty_lines SET change_seq = {_SQLITE_NOW.format(row="NEW")} WHERE id = NEW.id;
END
""",
    "update": f"""
CREATE TRIGGER tr_penalty_lines_update AFTER UPDATE OF {_CONTENT} ON penalty_lines
BEGIN
{_SQLITE_RAISE.format(row="NEW")}
    UPDATE penalty_lines SET change_seq = {_SQLITE_NOW.format(row="NEW")} WHERE id = NEW.id;
END
""",
    # a line moved to another contract is gone from the one it was in
    "moved": f"""
CREATE TRIGGER tr_penalty_lines_moved AFTER UPDATE OF contract ON penalty_lines
WHEN OLD.contract IS NOT NEW.contract
BEGIN
{_SQLITE_RAISE.format(row="OLD")}
    INSERT INTO penalty_line_deletions (contract, change_seq, line)
    VALUES (OLD.contract, {_SQLITE_NOW.format(row="OLD")}, OLD.id);
END
""",
    "delete": f"""
CREATE TRIGGER tr_penalty_lines_delete AFTER DELETE ON penalty_lines
BEGIN
{_SQLITE_RAISE.format(row="OLD")}
    INSERT INTO penalty_line_deletions (contract, change_seq, line)
    VALUES (OLD.contract, {_SQLITE_NOW.format(row="OLD")}, OLD.id);
END
""",
}

_POSTGRESQL_NEXT = """
CREATE FUNCTION penalty_lines_next(which varchar) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    seq bigint;
BEGIN
    -- raised once per transaction: a further write of this one reads the value it set
    SELECT lines INTO seq FROM contract_changes
    WHERE contract = which AND txid = txid_current();
    IF seq IS NULL THEN
        INSERT INTO contract_changes (contract, lines, txid) VALUES (which, 1, txid_current())
        ON CONFLICT (contract) DO UPDATE
        SET lines = contract_changes.lines + 1, txid = EXCLUDED.txid
        RETURNING lines INTO seq;
    END IF;
    RETURN seq;
END
$$
"""

_POSTGRESQL_ROW = """
CREATE FUNCTION penalty_lines_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.contract IS DISTINCT FROM NEW.contract THEN
        INSERT INTO penalty_line_deletions (contract, change_seq, line)
        VALUES (OLD.contract, penalty_lines_next(OLD.contract), OLD.id);
    END IF;
    NEW.change_seq := penalty_lines_next(NEW.contract);
    RETURN NEW;
END
$$
"""

_POSTGRESQL_DELETED = """
CREATE FUNCTION penalty_lines_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    which varchar;
    seq bigint;
BEGIN
    FOR which IN SELECT DISTINCT contract FROM changed_rows ORDER BY contract LOOP
        seq := penalty_lines_next(which);
        INSERT INTO penalty_line_deletions (contract, change_seq, line)
        SELECT contract, seq, id FROM changed_rows WHERE contract = which;
    END LOOP;
    RETURN NULL;
END
$$
"""

_POSTGRESQL = (
    """
CREATE TRIGGER tr_penalty_lines_row BEFORE INSERT OR UPDATE ON penalty_lines
FOR EACH ROW EXECUTE FUNCTION penalty_lines_row_changed()
""",
    """
CREATE TRIGGER tr_penalty_lines_delete AFTER DELETE ON penalty_lines
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION penalty_lines_deleted()
""",
)

# 0011's triggers and function, dropped by the upgrade and made again by the downgrade
_0011_SQLITE = """
CREATE TRIGGER tr_penalty_lines_{name} AFTER {event} ON penalty_lines
BEGIN
    INSERT INTO contract_changes (contract, lines) VALUES ({row}.contract, 1)
    ON CONFLICT (contract) DO UPDATE SET lines = contract_changes.lines + 1;
END
"""
_0011_POSTGRESQL_FUNCTION = """
CREATE FUNCTION penalty_lines_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contract_changes (contract, lines)
    SELECT DISTINCT contract, 1 FROM changed_rows ORDER BY contract
    ON CONFLICT (contract) DO UPDATE SET lines = contract_changes.lines + 1;
    RETURN NULL;
END
$$
"""
_0011_POSTGRESQL = """
CREATE TRIGGER tr_penalty_lines_{name} AFTER {event} ON penalty_lines
REFERENCING {table} TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION penalty_lines_changed()
"""
_0011_EVENTS = (
    ("insert", "INSERT", "NEW", "NEW"),
    ("update", "UPDATE", "NEW", "NEW"),
    ("delete", "DELETE", "OLD", "OLD"),
)


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    postgresql = _postgresql()
    for name, *_ in _0011_EVENTS:
        op.execute(
            f"DROP TRIGGER tr_penalty_lines_{name}" + (" ON penalty_lines" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION penalty_lines_changed()")
    # the rows there are take 0: a reader reads every row once (its first request) anyway
    op.add_column(
        "penalty_lines",
        sa.Column("change_seq", _INT64, nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_penalty_lines_changes", "penalty_lines", ["contract", "change_seq"])
    op.add_column("contract_changes", sa.Column("txid", _INT64, nullable=True))
    op.create_table(
        "penalty_line_deletions",
        sa.Column("contract", sa.String(200), primary_key=True),
        sa.Column("change_seq", _INT64, primary_key=True, autoincrement=False),
        sa.Column("line", _INT64, primary_key=True, autoincrement=False),
    )
    # A reader that kept the rows as of a counter value (a process that lived through a
    # downgrade to 0011 and this upgrade) cannot tell what was written meanwhile (no sequence,
    # no deletions recorded): each contract's counter moves once more, with a deletion of line
    # -1 at that value, which tells a reader to read every row again.
    op.execute("UPDATE contract_changes SET lines = lines + 1")
    op.execute(
        "INSERT INTO penalty_line_deletions (contract, change_seq, line) "
        "SELECT contract, lines, -1 FROM contract_changes"
    )
    if postgresql:
        for statement in (_POSTGRESQL_NEXT, _POSTGRESQL_ROW, _POSTGRESQL_DELETED, *_POSTGRESQL):
            op.execute(statement)
    else:
        for statement in _SQLITE.values():
            op.execute(statement)


def downgrade() -> None:
    postgresql = _postgresql()
    if postgresql:
        op.execute("DROP TRIGGER tr_penalty_lines_row ON penalty_lines")
        op.execute("DROP TRIGGER tr_penalty_lines_delete ON penalty_lines")
        op.execute("DROP FUNCTION penalty_lines_deleted()")
        op.execute("DROP FUNCTION penalty_lines_row_changed()")
        op.execute("DROP FUNCTION penalty_lines_next(varchar)")
    else:
        for name in _SQLITE:
            op.execute(f"DROP TRIGGER tr_penalty_lines_{name}")
    op.drop_table("penalty_line_deletions")
    op.drop_index("ix_penalty_lines_changes", table_name="penalty_lines")
    with op.batch_alter_table("contract_changes") as batch:
        batch.drop_column("txid")
    with op.batch_alter_table("penalty_lines") as batch:
        batch.drop_column("change_seq")
    if postgresql:
        op.execute(_0011_POSTGRESQL_FUNCTION)
        for name, event, _, table in _0011_EVENTS:
            op.execute(_0011_POSTGRESQL.format(name=name, event=event, table=table))
    else:
        for name, event, row, _ in _0011_EVENTS:
            op.execute(_0011_SQLITE.format(name=name, event=event, row=row))
