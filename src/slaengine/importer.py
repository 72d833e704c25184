"""The import path the CSV importer had before the mapping engine (``slaengine.mapping``).

docs/import.md documented ``from slaengine.importer import load_mapping, import_csv,
write_jsonl`` as the Python API; code written against it keeps working. New code imports from
``slaengine.mapping`` (the same objects: nothing here is a copy).
"""

from __future__ import annotations

from slaengine.mapping import (
    ImportProblem,
    ImportResult,
    Mapping,
    MappingError,
    import_csv,
    load_mapping,
    make_event_id,
    write_jsonl,
)

__all__ = [
    "ImportProblem",
    "ImportResult",
    "Mapping",
    "MappingError",
    "import_csv",
    "load_mapping",
    "make_event_id",
    "write_jsonl",
]
