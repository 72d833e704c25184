"""The mapping engine: one language for turning what a helpdesk gives into ticket events.

The engine, shared by every shape: ``loading`` (a mapping file read and checked, problems
named by file, line and field), ``times`` (the ``time:`` settings: formats, zones,
daylight-saving edges, ``write_in``), ``vocabulary`` (value tables, event types, ``attrs``, event
ids, JSON Lines out). One module per input shape:

* ``csv_rows`` — a ticketing export, one row per status change (``slaengine import``,
  ``backtest --csv``), its mapping file in ``csv_mapping``;
* ``webhook`` — the JSON a helpdesk posts when a ticket changes (``slaengine serve --hook``,
  ``slaengine hook try``).

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
    import_csv,
    load_mapping,
)
from slaengine.mapping.loading import MappingError
from slaengine.mapping.vocabulary import make_event_id, write_jsonl
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
