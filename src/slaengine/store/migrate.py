"""Bring a store's schema up to date with the Alembic migrations shipped in the package.

Transaction boundary: each run of the migrations is one transaction (on PostgreSQL holding an
advisory lock, so one process migrates at a time when several start together).

SQLite cannot alter a table's constraints in place: Alembic's batch mode rebuilds the table (a
copy, ``DROP TABLE``, a rename). The store's connections enforce foreign keys (``PRAGMA
foreign_keys=ON``), so dropping a table other rows refer to (``breaches``, named by alerts and
penalty lines) would fail. Enforcement is switched off on the connection before the transaction
begins (SQLite ignores the pragma inside one), ``PRAGMA foreign_key_check`` must find nothing
before the transaction commits, and enforcement is switched on again afterwards, whatever
happened — the procedure SQLite documents for altering a table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from slaengine.errors import SlaError

#: pg_advisory_xact_lock key: one process migrates at a time when several start together.
_MIGRATION_LOCK = 0x51A_0001


class MigrationError(SlaError):
    """A migration left rows that refer to rows that are not there (SQLite's
    ``foreign_key_check``); it was rolled back."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration the store has not seen yet, up to ``revision`` (a no-op when it is
    up to date)."""
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Undo the migrations after ``revision`` (what a store must go through to be opened by
    an older release)."""
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(connection, on=False)
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                config.attributes["connection"] = connection
                run(config)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise MigrationError(
                            "the migration would leave rows referring to rows that are not "
                            f"there (table, rowid, parent): {[tuple(r[:3]) for r in broken]}; "
                            "it was rolled back"
                        )
        finally:
            if sqlite:
                _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, on: bool) -> None:
    """Foreign key enforcement on the driver's connection itself: outside any transaction
    (SQLAlchemy's ``execute`` would begin one first, and inside one the pragma does nothing)."""
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()
