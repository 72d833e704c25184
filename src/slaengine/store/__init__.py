"""The store: SQLAlchemy tables, the repository over them, and Alembic migrations.

A SQLite file by default, PostgreSQL by URL; the schema is brought up to date on open.
"""

from slaengine.store.repository import (
    AddResult,
    LoadResult,
    Store,
    StoreError,
    VersionInfo,
    database_url,
    event_of,
)

# The disputes' tables join the store's metadata (and their code lives beside it).
from slaengine.store import disputes as disputes  # noqa: E402

__all__ = [
    "AddResult",
    "LoadResult",
    "Store",
    "StoreError",
    "VersionInfo",
    "database_url",
    "event_of",
]
