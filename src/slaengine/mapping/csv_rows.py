"""Importing a ticketing export (CSV, one row per status change) into ticket events.

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

Times: naive timestamps are read in the mapping's ``time.timezone``; timestamps with an offset
keep theirs. A wall time that occurs twice (the autumn change: Europe/Rome 2013-10-27 02:30) is
read as the earlier of the two by default (``ambiguous: earlier``, PEP 495 ``fold=0``); one that
never occurs (the spring gap) is moved forward by the gap (``nonexistent: forward``). Both can be
set to ``reject``, which reports the row instead. Formats are compiled once into a regular
expression equivalent to ``datetime.strptime`` (twice as fast, measured); a directive the fast path
does not know falls back to ``strptime`` itself.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, Literal, TextIO, TypeVar, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from slaengine.contract import BUILTIN_EVENT_TYPES
from slaengine.contract.loader import LocatedYaml
from slaengine.errors import ContractError, SlaError

__all__ = [
    "ImportProblem",
    "ImportResult",
    "Mapping",
    "MappingError",
    "import_csv",
    "load_mapping",
    "write_jsonl",
]

#: attrs key that marks an event the importer inferred rather than read (reserved in ``attrs``).
DERIVED: Final = "derived"
#: How often ``progress`` is called while reading (data rows).
PROGRESS_EVERY: Final = 10_000

#: A time to show what a format looks like in error messages (and to try formats with).
_SAMPLE: Final = datetime(2026, 3, 2, 9, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))

LinePath = tuple[str | int, ...]


# --------------------------------------------------------------------------------------------
# The mapping file
# --------------------------------------------------------------------------------------------


class MappingError(SlaError):
    """A mapping file is not valid, or does not fit the CSV it is applied to.

    ``problems`` holds one line per problem, ``file:line: field: message``; ``line`` and
    ``field`` are those of the first problem (``None`` when it has no place in the file).
    """

    def __init__(
        self,
        path: str,
        problems: list[str],
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.problems = problems
        self.line = line
        self.field = field
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{path}: {len(problems)} problems\n" + "\n".join(problems))


class _Issues(ValueError):
    """Cross-field problems found after shape validation, each with the path it belongs to.

    Raised inside a model validator; pydantic keeps the exception in the error's ``ctx``, so
    ``load_mapping`` can give each problem its own line instead of the model's first line.
    """

    def __init__(self, issues: list[tuple[LinePath, str]]) -> None:
        self.issues = issues
        super().__init__(
            "; ".join(f"{'.'.join(map(str, where))}: {message}" for where, message in issues)
        )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocatedModel(_Model):
    """A mapping (of any shape) that remembers its file and the line of each field, so an error
    found when it is used can name them."""

    _source: Path | None = PrivateAttr(None)
    _lines: dict[LinePath, int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The file this mapping was loaded from (None when built in code)."""
        return self._source

    def line_of(self, *where: str | int) -> int | None:
        """The line of a field in the mapping file, for errors found when the mapping is used."""
        for end in range(len(where), 0, -1):
            if where[:end] in self._lines:
                return self._lines[where[:end]]
        return None

    def error(self, message: str, *where: str | int) -> MappingError:
        """A MappingError about one field of this mapping, naming its file and line."""
        name = str(self._source) if self._source else "<mapping>"
        line = self.line_of(*where)
        dotted = ".".join(str(part) for part in where) or "(top)"
        place = f"{name}:{line}" if line else name
        return MappingError(name, [f"{place}: {dotted}: {message}"], line, dotted)


_Loaded = TypeVar("_Loaded", bound=LocatedModel)


class Columns(_Model):
    """Which CSV columns (by header name) hold what."""

    ticket: str = Field(description="the column with the ticket (case) id")
    time: str = Field(description="the column with the time of the status change")
    activity: str = Field(description="the column with the activity or status")
    severity: str | None = Field(None, description="the column with the severity value")
    asset: str | None = Field(None, description="the column with the asset id")


class TimeSettings(_Model):
    """How to read the time column."""

    format: list[str] = Field(
        ["iso"],
        description="strptime format(s), 'iso' for ISO 8601 / RFC 3339, or 'epoch' / "
        "'epoch_ms' for Unix seconds / milliseconds",
    )
    timezone: str | None = Field(None, description="IANA zone for timestamps without an offset")
    ambiguous: Literal["earlier", "later", "reject"] = "earlier"
    nonexistent: Literal["forward", "reject"] = "forward"
    write_in: str | None = Field(
        None,
        description="IANA zone every time is written in (and so its event id), whatever offset "
        "the source gave; without it a time keeps the offset it was read with",
    )

    @field_validator("format", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        """One format is written as a string, several (tried in order) as a list."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise ValueError(
                f"{value!r}: write a strptime format ('%Y/%m/%d %H:%M:%S'), 'iso', or a list "
                "of them (tried in order)"
            )
        return value

    @field_validator("format")
    @classmethod
    def _formats_work(cls, formats: list[str]) -> list[str]:
        if not formats:
            raise ValueError("give at least one format (or 'iso')")
        for fmt in formats:
            if fmt in _WHOLE_FORMATS:
                continue
            if "%" not in fmt:
                raise ValueError(
                    f"{fmt!r} has no % directives: write a strptime format such as "
                    "'%Y/%m/%d %H:%M:%S.%f', or 'iso'"
                )
            try:  # a format that cannot read back what it writes has a bad directive
                datetime.strptime(_SAMPLE.strftime(fmt), fmt)
            except ValueError as exc:
                raise ValueError(f"{fmt!r} is not a usable strptime format ({exc})") from None
        return formats

    @field_validator("timezone", "write_in")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"{value!r} is not an IANA time zone (write e.g. Europe/Rome, Asia/Shanghai)"
                ) from None
        return value


class CsvSettings(_Model):
    """How the export is written (the defaults read what Excel and most tools write)."""

    delimiter: str = Field(",", min_length=1, max_length=1)
    quotechar: str = Field('"', min_length=1, max_length=1)
    encoding: str = "utf-8-sig"

    @field_validator("encoding")
    @classmethod
    def _encoding_exists(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"{value!r} is not a text encoding Python knows (e.g. utf-8-sig, cp1252, gb18030)"
            ) from None
        return value


def _string_keys(value: Any) -> Any:
    """YAML reads ``1:`` as a number; CSV cells are text, so such keys are taken by their text.

    ``yes``/``no``/``on``/``off`` would arrive as booleans whose spelling is lost: refuse them.
    """
    if not isinstance(value, dict):
        return value
    result: dict[Any, Any] = {}
    for key, item in value.items():
        if isinstance(key, bool) or key is None:
            raise ValueError(
                f"a key read as {key!r}: quote CSV values that YAML reads as true/false/null, "
                'e.g. "No": ...'
            )
        result[str(key) if isinstance(key, int | float) else key] = item
    return result


class Mapping(LocatedModel):
    """How one ticketing export becomes ticket events (docs/import.md describes each field)."""

    shape: Literal["csv"] = Field("csv", description="what the mapping reads: csv (this one)")
    contract: str | None = Field(None, description="default contract id of the events")
    csv: CsvSettings = CsvSettings()
    columns: Columns = Field(description="which columns hold ticket, time, activity, ...")
    time: TimeSettings = TimeSettings()
    ticket_prefix: str = ""
    activities: dict[str, str | None] = Field(
        description="activity value -> event type, or null for known rows that are not events"
    )
    pause_statuses: list[str] = Field(default_factory=list)
    first_event_is_reported: bool = True
    severity: dict[str, str | None] | None = Field(
        None, description="severity value -> severity, or null for a value that states none"
    )
    attrs: dict[str, str] = Field(default_factory=dict)
    event_types: list[str] = Field(default_factory=list)

    @field_validator("activities", "severity", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        return _string_keys(value)

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        issues: list[tuple[LinePath, str]] = []
        known = BUILTIN_EVENT_TYPES | set(self.event_types)
        for i, name in enumerate(self.event_types):
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                issues.append((("event_types", i), f"{name!r}: write a type in snake_case"))
        if not self.activities:
            issues.append((("activities",), "map at least one activity to an event type"))
        for activity, event_type in self.activities.items():
            if event_type is not None and event_type not in known:
                near = difflib.get_close_matches(event_type, sorted(known), n=1)
                hint = f"did you mean {near[0]!r}? " if near else ""
                issues.append(
                    (
                        ("activities", activity),
                        f"{event_type!r} is not an event type; {hint}use a built-in type "
                        f"(reference.md §2), null to skip the activity, or declare the "
                        f"contract's own type under event_types",
                    )
                )
        for i, status in enumerate(self.pause_statuses):
            if status in self.activities:
                issues.append(
                    (
                        ("pause_statuses", i),
                        f"{status!r} is also under activities: a pause status is mapped by "
                        f"being listed here (it emits paused; the next row emits resumed), "
                        f"so remove it from activities",
                    )
                )
        if self.severity is not None and self.columns.severity is None:
            issues.append(
                (("severity",), "a severity map needs columns.severity (the column to read)")
            )
        if DERIVED in self.attrs:
            issues.append(
                (("attrs", DERIVED), f"{DERIVED!r} is reserved for events the importer infers")
            )
        if issues:
            raise _Issues(issues)
        return self


def _model_at(where: LinePath, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class a location points into (to list its fields in an error)."""
    model: type[BaseModel] = root
    items: type[BaseModel] | None = None  # the model of a list's items, for a position next
    for part in where:
        if isinstance(part, int) and items is not None:
            model, items = items, None
            continue
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        args = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif get_origin(annotation) is list and args:
            items = args[0]
        else:
            return None
    return None if items is not None else model


def _describe(item: Any, root: type[BaseModel]) -> tuple[LinePath, str]:
    """One pydantic error as (path, message a mapping author can act on)."""
    loc: LinePath = tuple(item["loc"])
    kind = item["type"]
    if kind == "missing":
        parent = _model_at(loc[:-1], root)
        info = parent.model_fields.get(str(loc[-1])) if parent else None
        what = f" ({info.description})" if info and info.description else ""
        return loc, f"this field is required{what}"
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
        names = sorted(parent.model_fields) if parent else []
        near = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        return loc, f"unknown field; {hint}the fields here are: {', '.join(names)}"
    return loc, str(item["msg"]).removeprefix("Value error, ")


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; raise MappingError naming the file, line and field.

    Every problem is listed at once (a mapping is usually written in one sitting, and fixing
    one error per run is slow).
    """
    return load_model(Path(path), Mapping)


def load_model(path: Path, model: type[_Loaded]) -> _Loaded:
    """Read a mapping file of any shape into ``model`` (see load_mapping)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(str(path), [f"{path}: no such mapping file"]) from None
    except UnicodeDecodeError:
        raise MappingError(str(path), [f"{path}: not UTF-8 text"], 1) from None
    try:
        located = LocatedYaml(path, text)
    except ContractError as exc:  # YAML syntax, empty file, duplicate keys
        raise MappingError(str(path), exc.problems, _first_line(exc.problems)) from None
    if not isinstance(located.data, dict):
        raise MappingError(
            str(path), [f"{path}:1: a mapping file is a set of 'field: value' lines"], 1
        )
    try:
        mapping = model.model_validate(located.data)
    except ValidationError as exc:
        found: list[tuple[LinePath, str]] = []
        for item in exc.errors(include_url=False):
            error = (item.get("ctx") or {}).get("error")
            if isinstance(error, _Issues):
                found.extend(error.issues)
            else:
                found.append(_describe(item, model))
        problems = []
        for where, message in found:
            line = located.line_of(where)
            dotted = ".".join(str(part) for part in where) or "(top)"
            problems.append(f"{path}:{line}: {dotted}: {message}")
        first_line = located.line_of(found[0][0]) if found else None
        first_field = ".".join(str(part) for part in found[0][0]) if found else None
        raise MappingError(str(path), problems, first_line, first_field) from None
    mapping._source = path
    mapping._lines = dict(located.lines)
    return mapping


def _first_line(problems: list[str]) -> int | None:
    match = re.match(r"^.*?:(\d+):", problems[0]) if problems else None
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------
# Reading times
# --------------------------------------------------------------------------------------------

# The patterns of CPython's _strptime (3.11) for the directives exports use, so the fast path
# accepts exactly what strptime accepts (tests compare the two).
_DIRECTIVES: Final = {
    "Y": r"(?P<Y>\d\d\d\d)",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": r"(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "f": r"(?P<f>[0-9]{1,6})",
    "z": r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))",
}

Reader = Callable[[str], datetime]


def _epoch(scale: int) -> Reader:
    """A reader of Unix time (seconds, or milliseconds with ``scale`` 1000), in UTC."""
    unit = "seconds" if scale == 1 else "milliseconds"

    def read(text: str) -> datetime:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number of {unit} since 1970") from None
        return datetime.fromtimestamp(number / scale, UTC)

    return read


#: Formats that are not strptime patterns: what each reads.
_WHOLE_FORMATS: Final = {
    "iso": "ISO 8601 / RFC 3339",
    "epoch": "seconds since 1970-01-01 UTC",
    "epoch_ms": "milliseconds since 1970-01-01 UTC",
}


def _compile_format(fmt: str) -> Reader:
    """One strptime format as a fast reader (or strptime itself for directives not covered)."""
    if fmt == "iso":
        return datetime.fromisoformat
    if fmt in ("epoch", "epoch_ms"):
        return _epoch(1 if fmt == "epoch" else 1000)
    parts: list[str] = []
    used: set[str] = set()
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                parts.append("%")
            elif code in _DIRECTIVES and code not in used:
                parts.append(_DIRECTIVES[code])
                used.add(code)
            else:
                return lambda text: datetime.strptime(text, fmt)
            i += 2
        elif char.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
            i += 1
    pattern = re.compile("".join(parts), re.IGNORECASE)
    match = pattern.fullmatch
    # Positions in Match.groups() (0-based); a directive the format lacks takes strptime's
    # default (1900-01-01 00:00:00), written as an index past the end of the groups.
    defaults = {"Y": "1900", "m": "1", "d": "1", "H": "0", "M": "0", "S": "0", "f": "0"}
    order = "YmdHMSf"
    spare = pattern.groups
    index = [pattern.groupindex[c] - 1 if c in used else spare + order.index(c) for c in order]
    padding = tuple(defaults[c] for c in order)
    i_year, i_month, i_day, i_hour, i_minute, i_second, i_fraction = index
    i_offset = pattern.groupindex["z"] - 1 if "z" in used else None
    offsets: dict[str, timezone] = {}

    def read(text: str) -> datetime:
        found = match(text)
        if found is None:
            raise ValueError(f"{text!r} does not match format {fmt!r}")
        g = found.groups() + padding
        moment = datetime(
            int(g[i_year]),
            int(g[i_month]),
            int(g[i_day]),
            int(g[i_hour]),
            int(g[i_minute]),
            int(g[i_second]),
            int(g[i_fraction].ljust(6, "0")),
        )
        if i_offset is None:
            return moment
        offset = g[i_offset]
        zone = offsets.get(offset)
        if zone is None:
            zone = offsets[offset] = _offset_zone(offset)
        return moment.replace(tzinfo=zone)

    return read


def _offset_zone(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    seconds, _, micro = digits[4:].partition(".")
    delta = timedelta(
        hours=int(digits[0:2]),
        minutes=int(digits[2:4]),
        seconds=int(seconds or 0),
        microseconds=int(micro.ljust(6, "0")) if micro else 0,
    )
    return timezone(sign * delta)


def _example(fmt: str) -> str:
    if fmt == "iso":
        return "2026-03-02T09:05:07+08:00 or 2026-03-02 09:05:07"
    if fmt == "epoch":
        return "1772413507"
    if fmt == "epoch_ms":
        return "1772413507123"
    return _SAMPLE.strftime(fmt)


class _TimeReader:
    """Reads one time cell into (aware time, naive UTC sort key), or raises ValueError why not."""

    def __init__(self, settings: TimeSettings, column: str) -> None:
        self._readers = [_compile_format(fmt) for fmt in settings.format]
        self._zone = ZoneInfo(settings.timezone) if settings.timezone else None
        self._ambiguous = settings.ambiguous
        self._nonexistent = settings.nonexistent
        shown = " or ".join(f"{fmt!r} (e.g. {_example(fmt)})" for fmt in settings.format)
        self._expected = f"time.format {shown}"
        self._column = column
        self._hours: dict[tuple[int, int, int, int], tuple[timezone, timedelta]] = {}
        self._odd_hours: set[tuple[int, int, int, int]] = set()
        self._fixed: dict[timedelta, timezone] = {}
        self._write_in = ZoneInfo(settings.write_in) if settings.write_in else None
        #: Reads one time cell: (aware time, naive UTC sort key). Bound once, so the hot path
        #: pays no extra call when times are written as read (no ``write_in``).
        self.read: Callable[[str], tuple[datetime, datetime]] = (
            self._read_and_convert if self._write_in is not None else self._read
        )

    def _read_and_convert(self, text: str) -> tuple[datetime, datetime]:
        moment, key = self._read(text)
        return moment.astimezone(self._write_in), key

    def _read(self, text: str) -> tuple[datetime, datetime]:
        moment: datetime | None = None
        for reader in self._readers:
            try:
                moment = reader(text)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(
                f"time {text!r} in column {self._column!r} does not match {self._expected}"
            )
        offset = moment.utcoffset()
        if offset is not None:  # the export said which offset: keep it
            return moment, moment.replace(tzinfo=None) - offset
        zone = self._zone
        if zone is None:
            raise ValueError(
                f"time {text!r} has no UTC offset and the mapping sets no time.timezone: "
                "add e.g. 'timezone: Europe/Rome' under time, or export times with an offset"
            )
        # Most hours of a year have one offset: remember those per wall-clock hour, and give
        # their times a fixed-offset zone (it prints the same RFC 3339 text). An hour with a
        # change in it - repeated, skipped, or changed at a minute other than :00 - is never
        # remembered and takes the careful path below every time.
        hour = (moment.year, moment.month, moment.day, moment.hour)
        known = self._hours.get(hour)
        if known is not None:
            return moment.replace(tzinfo=known[0]), moment - known[1]
        local = moment.replace(tzinfo=zone)
        offset = local.utcoffset()
        other = local.replace(fold=1).utcoffset()
        assert offset is not None and other is not None
        if offset != other:
            local, offset = self._odd(text, local, offset, other)
        elif hour not in self._odd_hours:
            self._learn(hour, zone)
            known = self._hours.get(hour)
            if known is not None:
                return moment.replace(tzinfo=known[0]), moment - known[1]
        return local, moment - offset

    def _learn(self, hour: tuple[int, int, int, int], zone: ZoneInfo) -> None:
        """Remember an hour's offset if the whole hour has that one offset."""
        start = datetime(*hour, tzinfo=zone)
        end = start.replace(minute=59, second=59, microsecond=999999)
        offsets = {
            start.utcoffset(),
            start.replace(fold=1).utcoffset(),
            end.utcoffset(),
            end.replace(fold=1).utcoffset(),
        }
        if len(offsets) == 1:
            offset = offsets.pop()
            assert offset is not None
            fixed = self._fixed.get(offset)
            if fixed is None:
                fixed = self._fixed[offset] = timezone(offset)
            self._hours[hour] = (fixed, offset)
        else:
            self._odd_hours.add(hour)

    def _odd(
        self, text: str, local: datetime, offset: timedelta, other: timedelta
    ) -> tuple[datetime, timedelta]:
        """A wall time at a daylight-saving change: twice (ambiguous) or never (in the gap)."""
        zone = local.tzinfo
        if offset > other:  # fold=0 is the earlier reading of a repeated hour
            if self._ambiguous == "earlier":
                return local, offset
            if self._ambiguous == "later":
                return local.replace(fold=1), other
            raise ValueError(
                f"time {text!r} occurs twice in {zone} (clocks went back); set "
                "time.ambiguous to earlier or later, or export times with an offset"
            )
        if self._nonexistent == "forward":
            # fold=0 reads a gap time with the offset before the change: the same instant as
            # the wall time moved forward by the gap (02:30 -> 03:30 in Europe/Rome).
            moved = (local.replace(tzinfo=None) - offset).replace(tzinfo=UTC).astimezone(zone)
            return moved, offset
        raise ValueError(
            f"time {text!r} does not exist in {zone} (clocks went forward); set "
            "time.nonexistent to forward, or correct the export"
        )


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
            times = _TimeReader(mapping.time, header[at_time])
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


def make_event_id(ticket: str, at: str, event_type: str) -> str:
    """The id of a ticket event read from a source (a CSV row, a webhook): what happened, to
    which ticket, when - ``{ticket}@{at}#{type}`` - so the same change read twice, from any
    source, is one event (docs/connectors.md). ``at`` is the RFC 3339 text of the event."""
    return f"{ticket}@{at}#{event_type}"


def write_jsonl(events: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write events as JSON Lines (one object a line, UTF-8 text as is); return how many."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for event in events:
        out.write(encode(event))
        out.write("\n")
        count += 1
    return count
