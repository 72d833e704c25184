"""Alembic environment: run by ``slaengine.store.migrate`` with the connection to upgrade.

The store builds the Alembic ``Config`` in code and passes its open connection in
``config.attributes["connection"]``; nothing here reads alembic.ini's URL or configures logging
(the service owns its logging).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from slaengine.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        # The alembic command line: ``alembic -c .../alembic.ini -x url=... current``.
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise RuntimeError("give the store's URL: alembic -x url=postgresql+psycopg://...")
        with create_engine(url).connect() as own:
            _run(own)
        return
    _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("slaengine migrations run online only (slaengine contract load --db URL)")
run_migrations_online()
