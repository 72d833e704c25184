"""Inserting many rows of one table in one statement, without ORM objects.

Theory of operation
-------------------
Judging a batch of tickets creates breaches and penalty lines by the hundred. Through the ORM
they cost an object each (attribute bookkeeping, a flush), and SQLAlchemy sends them as a
multi-row ``VALUES`` list of thousands of parameters, whose text psycopg converts in Python
each time (it caches only short statements): measured, more CPU than the database spends
inserting them. ``insert_rows`` sends plain dicts instead:

* on PostgreSQL, rows whose ids are not read back (new clocks, penalty lines) by ``COPY ...
  FROM STDIN`` in binary: each row formatted in C by psycopg, each value in its column's own
  type (``_copy_types``) — measured, a fifth of the client's CPU of the array parameters below,
  whose elements psycopg dumps one by one in Python, and less of the server's;
* on PostgreSQL, rows whose ids are read back (``returning``: new breaches), one ``INSERT ...
  SELECT FROM unnest(arrays)``: one array parameter per column, a statement text that does not
  grow with the rows (cached by psycopg), one round trip — as the event intake does
  (``Store._insert_events_postgres``);
* on SQLite, SQLAlchemy Core's executemany (sqlite3 binds parameters in C).

``update_rows`` is the same for changed rows, by id (PostgreSQL: ``UPDATE ... FROM
unnest(arrays)``; SQLite: an executemany of one ``UPDATE`` by id).

Rows go in the order given. ``returning`` names columns to read back (a new row's ``id`` with
the columns that identify it); the caller matches them by those columns, not by position.

Transaction boundary: the caller's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, Table, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (dicts with the same keys, every column without a server default
    given) into ``table``; the ``returning`` columns of each row inserted (PostgreSQL: in no
    promised order)."""
    if not rows:
        return []
    names = tuple(rows[0])
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not returning:
        _copy_rows(session, table, names, rows)
        return []
    if connection.dialect.name == "postgresql":
        sql = _unnest_sql(table, names, tuple(returning))
        return _pg_execute(session, sql, [[row[name] for row in rows] for name in names])
    statement = insert(table)
    if not returning:
        connection.execute(statement, list(rows))
        return []
    statement = statement.returning(
        *(table.c[name] for name in returning), sort_by_parameter_order=True
    )
    return [tuple(found) for found in connection.execute(statement, list(rows))]


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set the values of ``rows`` (dicts with the same keys: ``id``, the row's id, and the
    columns to set) on the rows of ``table`` with those ids."""
    if not rows:
        return
    names = tuple(name for name in rows[0] if name != "id")
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = _update_sql(table, names)
        _pg_execute(session, sql, [[row[name] for row in rows] for name in ("id", *names)])
        return
    # the SET clause is the dicts' keys; ``row_id``: the id's parameter (not a column's name)
    statement = update(table).where(table.c.id == bindparam("row_id"))
    connection.execute(
        statement, [{"row_id": row["id"], **{name: row[name] for name in names}} for row in rows]
    )


def _pg_execute(session: Session, sql: str, parameters: list[list[Any]]) -> list[tuple[Any, ...]]:
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return [tuple(found) for found in cursor.fetchall()] if cursor.description else []
    finally:
        cursor.close()


def _copy_rows(
    session: Session, table: Table, names: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> None:
    """PostgreSQL: ``rows`` into ``table`` by ``COPY ... FROM STDIN`` in binary, each row
    formatted in C (psycopg), each value sent in its column's own binary type."""
    cursor = session.connection().connection.cursor()
    try:
        # names are the table's own columns (constants of the schema), never input
        with cursor.copy(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(_copy_types(table, names))
            for row in rows:
                copy.write_row([row[name] for name in names])
    finally:
        cursor.close()


@lru_cache(maxsize=32)
def _copy_types(table: Table, names: tuple[str, ...]) -> list[str]:
    """The PostgreSQL type of each column, as binary ``COPY`` must be sent it (exactly)."""
    found = []
    for name in names:
        kind = table.c[name].type
        if isinstance(kind, TypeDecorator):
            kind = kind.impl_instance
        if isinstance(kind, Boolean):
            found.append("bool")
        elif isinstance(kind, BigInteger):
            found.append("int8")
        elif isinstance(kind, Integer):
            found.append("int4")
        elif isinstance(kind, DateTime):
            found.append("timestamptz")
        else:
            found.append("text")
    return found


@lru_cache(maxsize=32)
def _update_sql(table: Table, names: tuple[str, ...]) -> str:
    arrays = ", ".join(f"%b::{_array_type(table.c[name].type)}" for name in ("id", *names))
    listed = ", ".join(("id", *names))
    setting = ", ".join(f"{name} = t.{name}" for name in names)
    # names are the table's own columns (constants of the schema), never input; values go as
    # parameters
    return (
        f"UPDATE {table.name} SET {setting} FROM unnest({arrays}) AS t({listed}) "  # noqa: S608
        f"WHERE {table.name}.id = t.id"
    )


@lru_cache(maxsize=32)
def _unnest_sql(table: Table, names: tuple[str, ...], returning: tuple[str, ...]) -> str:
    arrays = ", ".join(f"%b::{_array_type(table.c[name].type)}" for name in names)
    listed = ", ".join(names)
    # names are the table's own columns (constants of the schema), never input
    sql = (
        f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM unnest({arrays}) AS t({listed})"  # noqa: S608
    )
    if returning:
        sql += " RETURNING " + ", ".join(returning)
    return sql


def _array_type(kind: TypeEngine[Any]) -> str:
    """The PostgreSQL array type a column's values are sent as (assignment casts do the rest:
    ``bigint`` into ``integer``, ``text`` into ``varchar(n)``)."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Boolean):
        return "boolean[]"
    if isinstance(kind, Integer):
        return "bigint[]"
    if isinstance(kind, DateTime):
        return "timestamptz[]"
    return "text[]"
