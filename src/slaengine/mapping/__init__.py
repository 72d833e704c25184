"""The mapping engine: one language for turning what a helpdesk gives into ticket events.

One module per input shape, one vocabulary (docs/import.md, docs/connectors.md):

* ``csv`` — a ticketing export, one row per status change (``slaengine import``,
  ``backtest --csv``): ``slaengine.mapping.csv_rows``;
* ``webhook`` — the JSON a helpdesk posts when a ticket changes (``slaengine serve --hook``,
  ``slaengine hook try``): ``slaengine.mapping.webhook``.

Both read times with the same ``time:`` settings, map values with the same tables, and give an
event the same id for the same change (``make_event_id``), so a webhook and a later CSV import of
the same history store one event. ``load_any`` reads a mapping file of either shape.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from slaengine.mapping.csv_rows import (
    ImportProblem,
    ImportResult,
    Mapping,
    MappingError,
    import_csv,
    load_mapping,
    make_event_id,
    write_jsonl,
)
from slaengine.mapping.webhook import (
    HookMapping,
    HookResult,
    PayloadError,
    load_hook_mapping,
    map_payload,
)

__all__ = [
    "HookMapping",
    "HookResult",
    "ImportProblem",
    "ImportResult",
    "Mapping",
    "MappingError",
    "PayloadError",
    "import_csv",
    "load_any",
    "load_hook_mapping",
    "load_mapping",
    "make_event_id",
    "map_payload",
    "write_jsonl",
]


def load_any(path: Path) -> Mapping | HookMapping:
    """A mapping file of either shape: ``shape: webhook`` or a CSV mapping (the default)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None  # load_mapping says what is wrong with the file, naming it
    if isinstance(data, dict) and data.get("shape") == "webhook":
        return load_hook_mapping(path)
    return load_mapping(path)
