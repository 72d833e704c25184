"""The store: SQLAlchemy tables, the repository over them, and Alembic migrations.

A SQLite file by default, PostgreSQL by URL; the schema is brought up to date on open.
"""

# The disputes' tables join the store's metadata (and their code lives beside it).
from slaengine.store import disputes as disputes
from slaengine.store import user_tables as _user_tables  # noqa: F401  (tables join the metadata)
from slaengine.store.repository import (
    AddResult,
    LoadResult,
    Store,
    StoreError,
    VersionInfo,
    database_url,
    event_of,
)

__all__ = [
    "AddResult",
    "LoadResult",
    "Store",
    "StoreError",
    "VersionInfo",
    "database_url",
    "event_of",
]
