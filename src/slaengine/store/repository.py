"""The store's ``Store``: for one commit it lives, whole, in store/events.py (moved there so
that ``git log --follow`` keeps its history), and the next commit splits it by aggregate."""

from slaengine.store.events import (
    AddResult,
    LaterVersions,
    LoadResult,
    Store,
    StoreError,
    VersionInfo,
    _sqlite_immediate,
    database_url,
    decoded,
    event_of,
    waiting,
)

__all__ = [
    "AddResult",
    "LaterVersions",
    "LoadResult",
    "Store",
    "StoreError",
    "VersionInfo",
    "_sqlite_immediate",
    "database_url",
    "decoded",
    "event_of",
    "waiting",
]
