"""Ticket events: the one input format (docs/reference.md section 2), its validation, and intake.

An event is one JSON object; a stream is JSON Lines. ``Intake`` is the single gate every shell
(CLI, HTTP API, Python API) passes events through: it validates each one against the contract,
keeps the accepted ones with their arrival order, treats an identical repeat of an id as a no-op,
and rejects a different event under a known id as a conflict. Nothing is dropped silently: each
rejected event becomes a ``Rejected`` record with its line (or request index) and a reason.

Parsing is deliberately hand-written rather than a pydantic model per event: it is the hot path
of replay (a million events must parse in seconds) and the checks are few and simple.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from operator import attrgetter
from typing import IO, Any, ClassVar

import orjson

from slaengine.contract.models import TICKETLESS_EVENT_TYPES, Contract
from slaengine.errors import EventError

_FIELDS = frozenset({"id", "contract", "ticket", "type", "at", "severity", "asset", "attrs"})
_SEVERITY_TYPES = frozenset({"reported", "reclassified"})
#: ``json.dumps(data, sort_keys=True, ensure_ascii=False)`` made once: the same encoder (so the
#: same text, which stores compare with what they hold), without building one per event.
_FINGERPRINT = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, twice
# the cost of a plain one (measured), once per event read. Events are never changed once made.
@dataclass(slots=True)
class Event:
    """An accepted event. ``seq`` is its arrival order (ties in ``at`` keep it)."""

    id: str
    contract: str
    type: str
    at: datetime
    ticket: str | None = None
    severity: str | None = None
    asset: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    line: int | None = None
    #: ``at`` as a POSIX timestamp, computed once (``parse_event`` passes it; otherwise it is
    #: worked out from ``at``): sorting by it is several times cheaper than comparing aware
    #: datetimes (each comparison works out both UTC offsets).
    ts: float = field(default=math.nan, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.ts != self.ts:  # NaN: not given
            self.ts = self.at.timestamp()

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form (docs/reference.md section 2), without intake bookkeeping."""
        data: dict[str, Any] = {
            "id": self.id,
            "contract": self.contract,
            "type": self.type,
            "at": self.at.isoformat(),
        }
        if self.ticket is not None:
            data["ticket"] = self.ticket
        if self.severity is not None:
            data["severity"] = self.severity
        if self.asset is not None:
            data["asset"] = self.asset
        if self.attrs:
            data["attrs"] = self.attrs
        return data

    def fingerprint(self) -> str:
        """Content identity for idempotency: same id + same fingerprint = the same event.

        The time is compared as an instant: the same event resent in UTC is the same event.
        """
        data = self.to_json()
        data["at"] = self.at.astimezone(UTC).isoformat()
        return _FINGERPRINT.encode(data)

    #: ``sorted(events, key=Event.sort_key)``: (at, arrival order), read in C.
    sort_key: ClassVar[Callable[[Event], tuple[float, int]]] = attrgetter("ts", "seq")


@dataclass(frozen=True, slots=True)
class Rejected:
    """An event that was not accepted, kept with where it came from and why."""

    error: str
    line: int | None = None
    id: str | None = None
    ticket: str | None = None
    raw: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "error": self.error}
        if self.id is not None:
            data["id"] = self.id
        if self.ticket is not None:
            data["ticket"] = self.ticket
        if self.raw is not None:
            data["raw"] = self.raw
        return data


def parse_time(value: Any, field_name: str = "at") -> datetime:
    """An RFC 3339 timestamp with an offset; one without an offset is refused."""
    # The common case first: an offset already seen was checked then, and a dict lookup by it
    # (time zones with equal offsets are equal) skips the checks, a fifth of this function.
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return _parse_time_checked(value, field_name)
    shared = _OFFSETS.get(parsed.tzinfo)
    if shared is None:
        return _parse_time_checked(value, field_name)
    return parsed.replace(tzinfo=shared)


def _parse_time_checked(value: Any, field_name: str) -> datetime:
    """``parse_time`` with every check, for a time that is bad or has an offset not seen yet."""
    if value is None:
        raise EventError(f"{field_name}: missing (required)")
    if not isinstance(value, str):
        raise EventError(f"{field_name}: expected an RFC 3339 timestamp string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise EventError(
            f"{field_name}: {value!r} is not an RFC 3339 timestamp "
            "(write e.g. 2026-03-02T09:00:00+08:00)"
        ) from None
    offset = parsed.utcoffset()
    if offset is None:
        raise EventError(
            f"{field_name}: {value!r} has no UTC offset; write it with one, "
            "e.g. 2026-03-02T09:00:00+08:00"
        )
    if offset.seconds % 60 or offset.microseconds:
        raise EventError(
            f"{field_name}: {value!r} has an offset with seconds; RFC 3339 offsets are hours "
            "and minutes, e.g. +08:00"
        )
    # Python's parser gives each timestamp a time zone object of its own (72 bytes an event);
    # times with the same offset share one, which also makes comparing them cheaper.
    zone = parsed.tzinfo
    assert zone is not None
    # The epoch first: whoever finds an offset among _OFFSETS finds its epoch (threads).
    _EPOCHS.setdefault(zone, _EPOCH.astimezone(zone))
    shared = _OFFSETS.setdefault(zone, zone)
    return parsed if shared is zone else parsed.replace(tzinfo=shared)


#: One time zone object per UTC offset seen (a few dozen at most).
_OFFSETS: dict[tzinfo | None, tzinfo | None] = {}
#: Per UTC offset: the POSIX epoch in that offset's shared zone. A time minus it is a subtraction
#: of two datetimes with the same ``tzinfo`` (no offsets worked out), the same ``timedelta`` as
#: ``timestamp()`` takes, so ``(at - epoch).total_seconds()`` is ``at.timestamp()``, cheaper.
#: (Should two threads race to add an offset, the epoch may hold an equal zone object of its
#: own: the subtraction then works the offsets out, and the result is still the same.)
_EPOCHS: dict[tzinfo, datetime] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_at(value: Any) -> tuple[datetime, float]:
    """``parse_time(value)`` and its ``timestamp()``, for the hot path of ``parse_event``: with
    an offset seen before, the shared zone is attached with ``combine`` (``replace`` with a
    keyword costs several times as much) and the timestamp taken against that zone's epoch."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is not None:
        shared = _OFFSETS.get(parsed.tzinfo)
        if shared is not None:
            at = _combine(parsed, parsed.time(), shared)
            return at, (at - _EPOCHS[shared]).total_seconds()
    at = parse_time(value)
    return at, at.timestamp()


_combine = datetime.combine


def usage_reading(attrs: dict[str, Any]) -> Decimal | None:
    """``attrs.usage``: a reading of the asset's usage counter (km, operating hours), or None."""
    value = attrs.get("usage")
    if value is None:
        return None
    reading = None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            reading = Decimal(str(value).strip())
        except ArithmeticError:
            reading = None
    if reading is None or not reading.is_finite() or reading < 0:
        raise EventError(
            f'attrs.usage: expected a counter reading such as 12500 or "12500.5", got {value!r}'
        )
    return reading


def _text(data: dict[str, Any], name: str, required: bool) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise EventError(f"{name}: missing (required)")
        return None
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def _check_waiver(attrs: dict[str, Any], ticket: str | None) -> None:
    """A waiver says what it waives, why and who granted it (see slaengine.penalties.waivers)."""
    if attrs.get("commitment"):
        if ticket is None:
            raise EventError("ticket: breach_waived of a commitment must name the ticket")
        for name, what in (("cycle", "a cycle number"), ("occurrence", "a start's number")):
            number = attrs.get(name)
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int) or number < 1
            ):
                raise EventError(f"attrs.{name}: expected {what} (1, 2, ...), got {number!r}")
    elif attrs.get("obligation") or (attrs.get("clause") and not attrs.get("event")):
        parse_time(attrs.get("period_start"), "attrs.period_start")
    elif not attrs.get("event"):
        raise EventError(
            "attrs: breach_waived must name what it waives: attrs.commitment (with the ticket), "
            "attrs.obligation with attrs.period_start, attrs.event (an event id), or attrs.clause "
            "with attrs.period_start (a service-credit period)"
        )
    for name in ("reason", "by"):
        value = attrs.get(name)
        if not isinstance(value, str) or not value.strip():
            raise EventError(
                f"attrs.{name}: a waiver must say why (reason) and who granted it (by)"
            )


def _check_amount(value: Any, field_name: str) -> None:
    """An amount of money: a string such as "3500.00" (or a number), not negative."""
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, str | int | float) else None
    except ArithmeticError:
        amount = None
    if isinstance(value, bool) or amount is None or not amount.is_finite() or amount < 0:
        raise EventError(f'{field_name}: {value!r} is not an amount; write it like "3500.00"')


def _given(value: Any) -> bool:
    """A non-empty string (the fast path of ``_text``; anything else is judged there)."""
    return value.__class__ is str and bool(value) and not value.isspace()


#: An event without ``attrs`` shares this one empty object (events are never changed).
_NO_ATTRS: dict[str, Any] = {}


def parse_event(data: Any, contract: Contract, seq: int = 0, line: int | None = None) -> Event:
    """Validate one decoded JSON object against the contract; raise EventError if it is bad.

    The common case (every field present and well-formed) takes one pass with no calls beyond
    the timestamp parse; the strings every event repeats (contract, type, severity, ticket) are
    interned, so a million events hold them once."""
    if not isinstance(data, dict):
        raise EventError(f"an event is a JSON object, got {type(data).__name__}")
    if not _FIELDS.issuperset(data):
        unknown = data.keys() - _FIELDS
        raise EventError(
            f"unknown field(s) {', '.join(sorted(unknown))}: put further facts under 'attrs'"
        )
    get = data.get
    # ``_given`` written out in place below: its calls were a tenth of the parse (cProfile).
    event_id = get("id")
    if event_id.__class__ is not str or not event_id or event_id.isspace():
        event_id = _text(data, "id", True)
    contract_id = get("contract")
    if contract_id.__class__ is not str or not contract_id or contract_id.isspace():
        contract_id = _text(data, "contract", True)
    event_type = get("type")
    if event_type.__class__ is not str or not event_type or event_type.isspace():
        event_type = _text(data, "type", True)
    assert event_id is not None and contract_id is not None and event_type is not None
    if contract_id != contract.id:
        raise EventError(f"contract: {contract_id!r} is not this contract ({contract.id!r})")
    if event_type not in contract.event_type_set:
        raise EventError(
            f"type: {event_type!r} is not an event type of contract {contract.id} "
            "(declare it under event_types, or check the spelling)"
        )
    at, ts = _parse_at(get("at"))
    # A waiver names its ticket only when it waives a commitment (checked below).
    ticket = get("ticket")
    if ticket.__class__ is not str or not ticket or ticket.isspace():
        ticket = _text(
            data,
            "ticket",
            event_type not in TICKETLESS_EVENT_TYPES and event_type != "breach_waived",
        )
    severity = get("severity")
    if severity is None and event_type not in _SEVERITY_TYPES:
        pass
    elif severity.__class__ is not str or not severity or severity.isspace():
        severity = _text(data, "severity", event_type in _SEVERITY_TYPES)
    if severity is not None:
        if severity not in contract.severities:
            raise EventError(
                f"severity: {severity!r} is not one of {', '.join(contract.severities)}"
            )
        severity = sys.intern(severity)
    asset = get("asset")
    if asset is not None and not _given(asset):
        asset = _text(data, "asset", False)
    attrs = get("attrs") or _NO_ATTRS
    if not isinstance(attrs, dict):
        raise EventError(f"attrs: expected an object, got {attrs!r}")
    if attrs or event_type in _TYPES_WITH_ATTRS:
        _check_attrs(event_type, at, attrs, ticket)
    return Event(
        event_id,
        contract.id,
        sys.intern(event_type),
        at,
        sys.intern(ticket) if ticket is not None else None,
        severity,
        asset,
        attrs,
        seq,
        line,
        ts,
    )


#: Types whose events must carry attributes (their checks run even when ``attrs`` is empty).
_TYPES_WITH_ATTRS = frozenset(
    {"force_majeure", "breach_waived", "cost_claimed", "final_inspection"}
)


def _check_attrs(event_type: str, at: datetime, attrs: dict[str, Any], ticket: str | None) -> None:
    """What some event types say under ``attrs``, and the usage reading any event may carry."""
    if event_type == "force_majeure":
        until = parse_time(attrs.get("until"), "attrs.until")
        if until <= at:
            raise EventError("attrs.until: a force majeure interval must end after it starts")
    if event_type == "breach_waived":
        _check_waiver(attrs, ticket)
    if event_type == "cost_claimed":
        _check_amount(attrs.get("amount"), "attrs.amount")
    usage_reading(attrs)  # a usage counter reading (warranty usage limits) must be a number
    if event_type == "final_inspection" and not isinstance(attrs.get("passed"), bool):
        raise EventError("attrs.passed: a final_inspection says whether it passed: true or false")


_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode("utf-8")


def _without_bom(text: str | bytes) -> str | bytes | None:
    """The line without its leading byte-order mark, or None if it has none."""
    if isinstance(text, bytes):
        return text[len(_BOM_BYTES) :] if text.startswith(_BOM_BYTES) else None
    return text[len(_BOM) :] if text.startswith(_BOM) else None


#: What ``decode_line`` returns for an empty line (not an event, not an error).
BLANK: Any = object()


def decode_line(text: str | bytes, line: int | None) -> Any:
    """One line of a JSON Lines stream decoded: the JSON value, ``BLANK``, or a ``Rejected``.

    Bytes are read as UTF-8; a line that is not UTF-8 is a rejected line like any other, so one
    bad byte never stops a stream. Every reader of event lines (replay, ingest, import) uses
    this one function, so a line is judged the same way everywhere.

    A UTF-8 byte-order mark before the line (Excel and Windows tools write one at the start of
    a file; ``cat`` of several such files puts one mid-stream) is not part of the event. It is
    looked for only when a line does not parse, so the common line pays nothing for it."""
    stripped = text.strip()
    if not stripped:
        return BLANK
    try:
        return orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        unmarked = _without_bom(stripped)
        if unmarked is not None:
            return decode_line(unmarked, line)
        raw = stripped.decode("utf-8", "replace") if isinstance(stripped, bytes) else stripped
        if isinstance(stripped, bytes) and "\ufffd" in raw and "UTF-8" in exc.msg:
            reason = f"not UTF-8 text ({exc.msg})"
        else:
            reason = f"not valid JSON: {exc.msg} (column {exc.colno})"
        return Rejected(reason, line, raw=raw)


class Intake:
    """Accepts events for one contract: validates, de-duplicates, and keeps the rejected."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.events: list[Event] = []
        self.rejected: list[Rejected] = []
        self.duplicates = 0
        self._by_id: dict[str, Event] = {}

    def offer(self, data: Any, line: int | None = None, raw: str | None = None) -> Event | None:
        """Accept one decoded event; return it, or None if it was a duplicate or rejected."""
        try:
            event = parse_event(data, self.contract, len(self.events), line)
        except EventError as exc:
            event_id = data.get("id") if isinstance(data, dict) else None
            ticket = data.get("ticket") if isinstance(data, dict) else None
            self.rejected.append(
                Rejected(
                    str(exc),
                    line,
                    event_id if isinstance(event_id, str) else None,
                    ticket if isinstance(ticket, str) else None,
                    raw,
                )
            )
            return None
        known = self._by_id.get(event.id)
        if known is not None:
            # Content is compared only when an id repeats: the common case pays nothing.
            if known.fingerprint() == event.fingerprint():
                self.duplicates += 1
                return None
            self.rejected.append(
                Rejected(
                    f"id: {event.id!r} was already accepted with different content "
                    "(conflicting duplicate; send a new id for a new event)",
                    line,
                    event.id,
                    event.ticket,
                    raw,
                )
            )
            return None
        self._by_id[event.id] = event
        self.events.append(event)
        return event

    def offer_line(self, text: str | bytes, line: int) -> Event | None:
        """Offer one line of a JSON Lines stream; a bad line is rejected and the stream goes on."""
        try:
            # The common case: a good line decodes as it is (JSON allows the whitespace around
            # it). Anything else — blank, not JSON, not UTF-8 — is judged by decode_line.
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            data = decode_line(text, line)
        if data is BLANK:
            return None
        if isinstance(data, Rejected):
            self.rejected.append(data)
            return None
        return self.offer(data, line, raw=None)

    def read(
        self, lines: Iterable[str | bytes], progress: Callable[[int], None] | None = None
    ) -> None:
        """Offer every line of a JSON Lines stream (1-based line numbers); ``progress`` is told
        the size of what was read so far (bytes for a binary stream), every 5,000 lines."""
        done = 0
        for number, text in enumerate(lines, start=1):
            self.offer_line(text, number)
            if progress is not None:
                done += len(text)
                if number % 5000 == 0:
                    progress(done)


def read_jsonl(stream: IO[str] | IO[bytes], contract: Contract) -> Intake:
    """Read a whole JSON Lines stream through a new intake (the Python API's replay input)."""
    intake = Intake(contract)
    intake.read(stream)
    return intake
