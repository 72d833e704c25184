"""The CSV rows shape of the mapping engine: a ticketing export, one row per status change,
into ticket events (``slaengine import``, ``backtest --csv``).

Theory of operation
-------------------
A *mapping* (YAML, see docs/import.md and mappings/helpdesk.yaml) says which columns hold the
ticket, the time, the activity (status) and optionally the severity and asset, how to read the
times, and which event type each activity becomes. The import runs in two passes:

1. **Read.** The CSV is streamed row by row (``csv.reader`` with ``newline=""``, so a quoted
   field may span lines and ``line_num`` still gives each row its first physical line; the header
   is line 1). Each row is checked on its own - ticket present, activity known, time readable,
   severity value known - and either becomes a compact tuple filed under its ticket or becomes an
   ``ImportProblem`` with its line and a reason saying what would be right. Nothing is dropped
   silently, and no pydantic model is built per row: this is the hot path.
2. **Emit.** Each ticket's rows are sorted by (instant, line) - exports are not always in order,
   and ties keep file order - and walked once. A row is an observation of the ticket at its time:

   * the ticket's first row opens it: if it does not map to ``reported`` (and
     ``first_event_is_reported`` is set) a derived ``reported`` comes first, at that row's time;
   * a row whose activity is in ``pause_statuses`` emits ``paused``; the ticket's *next* row, of
     whatever activity, ends the wait with a derived ``resumed`` at its own time;
   * a severity value that differs (after mapping) from the ticket's current one emits a derived
     ``reclassified`` with the new severity;
   * then the row's own event, unless its activity maps to ``null`` (known, deliberately not an
     event: counted in ``ImportResult.skipped``).

   So every row is accounted for exactly once: ``rows == mapped + sum(skipped) + len(problems)``.
   Derived events carry ``attrs.derived`` with the reason, so a report built on them can say so.

Event ids are built from content, not from line numbers: ``{ticket}@{at}#{type}`` (with ``.2``,
``.3`` ... for a repeat within the ticket). Importing the same export twice gives the same ids, and
so does importing a later export that contains the same rows at other lines - the store then
treats them as the no-ops they are. For the same reason events carry no line number.

Times are read by the engine's ``time:`` settings (slaengine.mapping.times), the same for
every shape; the mapping file (``Mapping``, ``load_mapping``: slaengine.mapping.csv_mapping) is
read and checked by slaengine.mapping.loading.
"""

from __future__ import annotations

import csv
import difflib
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from slaengine.mapping.csv_mapping import Mapping, load_mapping
from slaengine.mapping.loading import LinePath
from slaengine.mapping.times import TimeReader
from slaengine.mapping.vocabulary import DERIVED, make_event_id

__all__ = [
    "ImportProblem",
    "ImportResult",
    "Mapping",
    "import_csv",
    "load_mapping",
]

#: How often ``progress`` is called while reading (data rows).
PROGRESS_EVERY: Final = 10_000


# --------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportProblem:
    """A CSV row that could not become events: its line (header = 1), its ticket, and why."""

    line: int
    ticket: str | None
    error: str


@dataclass(slots=True)
class ImportResult:
    """What an import produced. Every data row is accounted for exactly once:
    ``rows == mapped + sum(skipped.values()) + len(problems)``.

    ``derived`` counts the events the importer inferred (by type): they come on top of the
    ``mapped`` rows' own events, so ``len(events) == mapped + sum(derived.values())``.
    """

    events: list[dict[str, Any]]
    problems: list[ImportProblem]
    rows: int
    skipped: dict[str, int]
    mapped: int = 0
    derived: dict[str, int] = field(default_factory=dict)


_PAUSE: Final = "\x00pause"  # marks a pause-status row in the per-row tuple (not an event type)

# One stored row: (utc sort key, line, local time, activity, own event type | None | _PAUSE,
# severity | None, asset | None, attrs | None)
_Row = tuple[
    datetime, int, datetime, str, str | None, str | None, str | None, dict[str, str] | None
]


def _columns_in(header: list[str], mapping: Mapping, path: Path) -> dict[LinePath, int]:
    """Where each column the mapping names is in the header; MappingError if one is missing."""
    wanted: dict[LinePath, str] = {
        ("columns", name): column
        for name, column in mapping.columns.model_dump().items()
        if column is not None
    }
    wanted.update({("attrs", name): column for name, column in mapping.attrs.items()})
    found: dict[LinePath, int] = {}
    for where, column in wanted.items():
        places = [i for i, name in enumerate(header) if name == column]
        if len(places) == 1:
            found[where] = places[0]
            continue
        if places:
            raise mapping.error(
                f"column {column!r} appears {len(places)} times in the header of {path}; "
                "name a column that appears once",
                *where,
            )
        near = difflib.get_close_matches(column, header, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise mapping.error(
            f"no column {column!r} in the header of {path}; {hint}"
            f"the header has: {', '.join(repr(name) for name in header)}",
            *where,
        )
    return found


def import_csv(
    path: Path,
    mapping: Mapping,
    contract: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Turn a ticketing export into ticket events (reference.md §2) with ``mapping``.

    ``contract`` overrides the mapping's default contract id. ``progress`` is called with the
    number of data rows read so far, every PROGRESS_EVERY rows and once when reading ends.
    Rows that cannot become events are returned as problems, never dropped; a mapping that does
    not fit the file (a column missing from the header, no contract id) raises MappingError.
    """
    path = Path(path)
    contract_id = contract or mapping.contract
    if not contract_id:
        raise mapping.error(
            "no contract id: set 'contract:' in the mapping or pass one (slaengine import "
            "--contract ...)",
            "contract",
        )
    with _no_cycle_collection():
        return _import(path, mapping, contract_id, progress)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a large import builds its lists and dicts.

    An import allocates millions of containers and frees none, so the collector keeps scanning
    an ever larger heap for cycles that do not exist: a quarter to a third of the time of a
    million-row import (10.9 s against 7.6 s, measured). The previous state is restored. The
    setting is process-wide: another thread only has its cycle collection postponed meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(
    path: Path, mapping: Mapping, contract_id: str, progress: Callable[[int], None] | None
) -> ImportResult:
    """Both passes of import_csv (see the theory of operation at the top).

    The read loop is one long function on purpose: it runs once per row, and local names are
    the cheapest lookups Python has.
    """
    by_ticket: dict[str, list[_Row]] = {}
    problems: list[ImportProblem] = []
    rows = 0
    prefix = mapping.ticket_prefix
    kinds: dict[str, str | None] = dict(mapping.activities)
    for status in mapping.pause_statuses:
        kinds[status] = _PAUSE
    severity_map = mapping.severity
    interned: dict[str, str] = {}
    last = 0  # the physical line the reader has reached
    try:
        with path.open(newline="", encoding=mapping.csv.encoding) as stream:
            reader = csv.reader(
                stream, delimiter=mapping.csv.delimiter, quotechar=mapping.csv.quotechar
            )
            header = next(reader, None)
            if header is None:
                raise mapping.error(
                    f"{path} is empty: expected a header line naming the columns", "columns"
                )
            header = [name.strip() for name in header]
            where = _columns_in(header, mapping, path)
            at_ticket = where[("columns", "ticket")]
            at_time = where[("columns", "time")]
            at_activity = where[("columns", "activity")]
            at_severity = where.get(("columns", "severity"))
            at_asset = where.get(("columns", "asset"))
            attr_columns = [(name, where[("attrs", name)]) for name in mapping.attrs]
            width = max(where.values()) + 1
            times = TimeReader(mapping.time, f" in column {header[at_time]!r}")
            activity_column = header[at_activity]
            severity_column = header[at_severity] if at_severity is not None else ""
            ticket_column = header[at_ticket]
            last = reader.line_num
            while True:
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:  # e.g. a field over the size limit: report, go on
                    rows += 1
                    problems.append(ImportProblem(last + 1, None, f"not readable as CSV: {exc}"))
                    last = reader.line_num
                    continue
                line = last + 1
                last = reader.line_num
                if not record:  # a blank line is not a row
                    continue
                rows += 1
                if progress is not None and rows % PROGRESS_EVERY == 0:
                    progress(rows)
                if len(record) < width:
                    problems.append(
                        ImportProblem(
                            line,
                            None,
                            f"the row has {len(record)} fields but the mapping reads field "
                            f"{width} (the header has {len(header)}): check quoting and "
                            f"the delimiter ({mapping.csv.delimiter!r})",
                        )
                    )
                    continue
                ticket = record[at_ticket].strip()
                if not ticket:
                    problems.append(
                        ImportProblem(line, None, f"no ticket id in column {ticket_column!r}")
                    )
                    continue
                activity = record[at_activity].strip()
                if activity not in kinds:
                    problems.append(
                        ImportProblem(
                            line,
                            prefix + ticket,
                            f"unknown activity {activity!r} in column {activity_column!r}: "
                            f"add it under 'activities:' in the mapping (an event type, or "
                            f"null to skip it deliberately)",
                        )
                    )
                    continue
                own = kinds[activity]
                try:
                    local, key = times.read(record[at_time].strip())
                except ValueError as exc:
                    problems.append(ImportProblem(line, prefix + ticket, str(exc)))
                    continue
                severity: str | None = None
                if at_severity is not None:
                    value = record[at_severity].strip()
                    if severity_map is None:
                        severity = value or None
                    elif value in severity_map:
                        severity = severity_map[value]
                    elif value:  # an empty cell states no severity unless the map says so
                        problems.append(
                            ImportProblem(
                                line,
                                prefix + ticket,
                                f"severity value {value!r} in column {severity_column!r} is "
                                f"not in the mapping's severity map (known: "
                                f"{', '.join(repr(v) for v in severity_map)}): add it",
                            )
                        )
                        continue
                asset = None
                if at_asset is not None:
                    asset = record[at_asset].strip() or None
                    if asset is not None:
                        asset = interned.setdefault(asset, asset)
                attrs: dict[str, str] | None = None
                for name, index in attr_columns:
                    cell = record[index]
                    if cell:
                        if attrs is None:
                            attrs = {}
                        attrs[name] = interned.setdefault(cell, cell)
                activity_name = interned.setdefault(activity, activity)
                row: _Row = (key, line, local, activity_name, own, severity, asset, attrs)
                rows_of = by_ticket.get(ticket)
                if rows_of is None:
                    by_ticket[ticket] = [row]
                else:
                    rows_of.append(row)
    except UnicodeDecodeError as exc:
        raise mapping.error(
            f"{path} is not {mapping.csv.encoding} text near line {last + 1} ({exc.reason}); "
            "set csv.encoding (e.g. cp1252, gb18030)",
            "csv",
            "encoding",
        ) from None
    if progress is not None:
        progress(rows)
    result = ImportResult([], problems, rows, {})
    emitter = _Emitter(mapping, contract_id, result, severity_column)
    for ticket in list(by_ticket):
        emitter.ticket(prefix + ticket, by_ticket.pop(ticket))
    problems.sort(key=lambda problem: problem.line)
    return result


class _Emitter:
    """Walks one ticket's rows in time order and emits its events (pass 2 of the import)."""

    def __init__(
        self, mapping: Mapping, contract: str, result: ImportResult, severity_column: str
    ) -> None:
        self._contract = contract
        self._result = result
        self._events = result.events
        self._first_is_reported = mapping.first_event_is_reported
        self._needs_severity = mapping.columns.severity is not None
        self._severity_column = severity_column
        self._reasons: dict[tuple[str, str], str] = {}

    def _derive(
        self,
        seen: set[str],
        ticket: str,
        kind: str,
        at: str,
        severity: str | None,
        asset: str | None,
        detail: str,
    ) -> None:
        """Emit an event the importer inferred, with ``attrs.derived`` saying why.

        The reason text is shared between events, the attrs dict is not, so a consumer that
        edits one event's attrs cannot change another's.
        """
        text = self._reasons.get((kind, detail))
        if text is None:
            text = self._reasons[(kind, detail)] = {
                "reported": f"the ticket's first row is {detail!r}, not a report",
                "resumed": f"the ticket's next row after {detail!r} ends the wait",
                "reclassified": f"the severity changed to {detail!r}",
            }[kind]
        self._emit(seen, ticket, kind, at, severity, asset, {DERIVED: text})
        derived = self._result.derived
        derived[kind] = derived.get(kind, 0) + 1

    def ticket(self, ticket: str, rows: list[_Row]) -> None:
        rows.sort(key=lambda row: (row[0], row[1]))
        result = self._result
        skipped = result.skipped
        seen: set[str] = set()
        first = True
        paused_by: str | None = None
        current: str | None = None
        # Exports often record the assessment a step after the ticket is opened: a report whose
        # row states no severity takes the first one the ticket states (not a reclassification).
        stated = next((row[5] for row in rows if row[5] is not None), None)
        reports = self._first_is_reported or any(row[4] == "reported" for row in rows)
        for _key, line, local, activity, own, severity, asset, attrs in rows:
            own_type = "paused" if own == _PAUSE else own
            if first and stated is None and self._needs_severity and reports:
                result.problems.append(
                    ImportProblem(
                        line,
                        ticket,
                        f"no row of the ticket states a severity in column "
                        f"{self._severity_column!r}, and its report needs one: fill it in, or "
                        f"map the values it has (e.g. '': general) in the mapping's severity map",
                    )
                )
                continue
            at = local.isoformat()
            if first:
                current = severity = severity or stated
                if self._first_is_reported and own_type != "reported":
                    self._derive(seen, ticket, "reported", at, severity, asset, activity)
                first = False
            else:
                if paused_by is not None and own_type != "resumed":
                    self._derive(seen, ticket, "resumed", at, None, asset, paused_by)
                if severity is not None and severity != current:
                    current = severity
                    if own_type not in ("reported", "reclassified"):
                        self._derive(seen, ticket, "reclassified", at, severity, asset, severity)
            paused_by = activity if own == _PAUSE else None
            if own_type is None:
                skipped[activity] = skipped.get(activity, 0) + 1
                continue
            carries = own_type in ("reported", "reclassified")
            self._emit(seen, ticket, own_type, at, current if carries else None, asset, attrs)
            result.mapped += 1

    def _emit(
        self,
        seen: set[str],
        ticket: str,
        event_type: str,
        at: str,
        severity: str | None,
        asset: str | None,
        attrs: dict[str, str] | None,
    ) -> None:
        event_id = make_event_id(ticket, at, event_type)
        if event_id in seen:  # the same type at the same time again: number the repeats
            n = 2
            while f"{event_id}.{n}" in seen:
                n += 1
            event_id = f"{event_id}.{n}"
        seen.add(event_id)
        event: dict[str, Any] = {
            "id": event_id,
            "contract": self._contract,
            "ticket": ticket,
            "type": event_type,
            "at": at,
        }
        if severity is not None:
            event["severity"] = severity
        if asset is not None:
            event["asset"] = asset
        if attrs:
            event["attrs"] = attrs
        self._events.append(event)
