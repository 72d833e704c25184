"""A helpdesk's webhook (JSON) → ticket events, through a mapping file (``shape: webhook``).

Theory of operation
-------------------
A webhook mapping is the JSON twin of the CSV mapping of ``slaengine import`` and shares its
vocabulary (docs/import.md, docs/connectors.md): ``time`` (formats, zone of naive times,
``write_in``), ``ticket_prefix``, the ``severity`` value table, ``attrs``, ``event_types``, the
event ids (``make_event_id``). Where a CSV mapping names a *column*, a webhook
mapping names a *JSON path*: dotted keys, a number for a list position (``issue.key``,
``changelog.items.0.field``); ``$header.X-Name`` reads a request header.

A payload is mapped on its own, with no memory of earlier ones, so deliveries may come twice
and in any order:

* ``events`` rules: each is one event type at the time found under its ``at`` path, when its
  ``when`` conditions hold (a value, a list of values, ``{not: [...]}``, ``{present: bool}``).
  A rule whose time is absent (``first_response_at: null``: no reply yet) does not fire, unless
  it is ``required`` - then the payload is refused naming the path.
* ``changes`` blocks read a list of changes the source reports (Jira's ``changelog.items``:
  field, from, to): each item fires the rules whose field and from/to values it matches, at the
  block's ``at`` time; a ``reclassified`` takes its severity from the item's new value.

An event's id is ``{ticket}@{at}#{type}``: the same change reported by a redelivery, by another
webhook, or by a CSV import of the same history (with the same ``write_in``) is the same event,
which the store keeps once. Snapshot systems (Zammad, GLPI, ServiceNow) report the state a
ticket is in, not the change: a rule keyed on a state (``paused`` while "pending") fires on each
update delivered in that state, at its update time; the clocks treat a second ``paused`` while
paused (or ``resumed`` while running, ``reclassified`` to the same severity) as no change.

One thing a snapshot cannot say is where the ticket came from: an ``open`` ticket may be back
from waiting or reopened after its close. A rule with ``after: resolved`` marks its event as
standing only if the ticket's last stored ``resolved``/``reopened`` before it is a ``resolved``;
the caller with a store checks that (``HookResult.after``, ``after_holds``).

Nothing here does I/O: ``map_payload`` takes the decoded JSON and the headers and returns the
events or raises ``PayloadError`` naming the path that was missing or unexpected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from slaengine.durations import Duration
from slaengine.mapping.loading import Issues, LinePath, LocatedModel, Model, load_model
from slaengine.mapping.times import TimeReader, TimeSettings
from slaengine.mapping.vocabulary import event_type_issues, make_event_id, shown, text_keys

__all__ = [
    "HookAuth",
    "HookMapping",
    "HookResult",
    "PayloadError",
    "load_hook_mapping",
    "map_payload",
]

#: Event types that carry a severity (reference.md §2).
_WITH_SEVERITY: Final = frozenset({"reported", "reclassified"})
#: A path that reads a request header rather than the body.
HEADER: Final = "$header."

_MISSING: Final = object()


class PayloadError(ValueError):
    """A payload the mapping cannot read: ``path`` names the field, ``error`` says why."""

    def __init__(self, path: str, error: str) -> None:
        super().__init__(f"{path}: {error}")
        self.path = path
        self.error = error


# --------------------------------------------------------------------------------------------
# The mapping file
# --------------------------------------------------------------------------------------------

Condition = str | list[str] | dict[str, Any]


def _as_text(value: Any) -> str:
    """A JSON or YAML value as the text conditions and tables compare (JSON spelling)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _identifier(value: Any, path: str, what: str) -> str:
    """A ticket number or asset id: text or a whole number, never an object, a list, a
    true/false or a fraction (a payload of another shape); PayloadError naming the path."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = repr(value) if isinstance(value, str) else _as_text(value)
    raise PayloadError(path, f"not {what}: {text if len(text) <= 60 else shown(text)}")


def _conditions(value: Any) -> Any:
    """``when`` values: scalars and lists become text; ``{not: ...}``, ``{present: ...}`` stay."""
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for path, wanted in value.items():
        if isinstance(wanted, list):
            result[str(path)] = [_as_text(item) for item in wanted]
        elif isinstance(wanted, dict):
            unknown = set(wanted) - {"not", "present"}
            if unknown or len(wanted) != 1:
                raise ValueError(
                    f"{path}: a condition is a value, a list of values, {{not: [values]}} or "
                    f"{{present: true|false}}; got {wanted!r}"
                )
            if "not" in wanted:
                values = wanted["not"]
                values = values if isinstance(values, list) else [values]
                result[str(path)] = {"not": [_as_text(item) for item in values]}
            else:
                if not isinstance(wanted["present"], bool):  # "no" in quotes is not false
                    raise ValueError(
                        f"{path}: present is true or false, unquoted; got {wanted['present']!r}"
                    )
                result[str(path)] = {"present": wanted["present"]}
        elif wanted is None:
            result[str(path)] = {"present": False}
        else:
            result[str(path)] = _as_text(wanted)
    return result


class HookAuth(Model):
    """How the source proves a delivery is its own (besides the operator's bearer token)."""

    scheme: Literal["hmac-sha1", "hmac-sha256", "glpi", "token", "query-token"] = Field(
        description="hmac-sha1 / hmac-sha256 of the raw body; glpi (HMAC-SHA256 of body + "
        "timestamp); token (a header carries the secret); query-token (the URL does)"
    )
    secret_env: str = Field(description="the environment variable holding the shared secret")
    header: str | None = Field(None, description="the header carrying the signature or token")
    prefix: str = Field("", description="text before the signature in the header ('sha1=')")
    encoding: Literal["hex", "base64"] = "hex"
    timestamp_header: str | None = Field(
        None, description="the header carrying the signing time (Unix seconds), if any"
    )
    window: str = Field("15m", description="how far the signing time may be from now")
    param: str = Field("token", description="query-token: the URL parameter")

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        Duration.parse(value).seconds  # noqa: B018 - months and years have no fixed length
        return value

    @model_validator(mode="after")
    def _needs(self) -> HookAuth:
        if self.scheme != "query-token" and not self.header:
            raise ValueError(f"scheme {self.scheme} needs 'header:' (where the sender puts it)")
        if self.scheme == "glpi" and not self.timestamp_header:
            raise ValueError("scheme glpi needs 'timestamp_header:' (X-GLPI-timestamp)")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.secret_env):
            raise ValueError(f"secret_env {self.secret_env!r} is not an environment variable name")
        return self

    @property
    def window_seconds(self) -> float:
        return Duration.parse(self.window).seconds


class EventRule(Model):
    """One event type, at the time under ``at``, when ``when`` holds."""

    type: str
    at: str = Field(description="JSON path of the event's time")
    when: dict[str, Condition] = Field(default_factory=dict)
    required: bool = Field(False, description="refuse the payload when the time is absent")
    after: str | None = Field(
        None,
        description="fire only when the ticket's last stored event of this type or the rule's "
        "own type, before this time, is of this type (a reopen: after a resolved)",
    )

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return _conditions(value)


class ChangeRule(Model):
    """One reported change (field, from, to) → an event type."""

    field: str
    type: str
    from_: list[str] | None = Field(None, alias="from")
    to: list[str] | None = None
    not_from: list[str] | None = None
    not_to: list[str] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("from_", "to", "not_from", "not_to", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        return ["" if item is None else _as_text(item) for item in values]


class ChangeList(Model):
    """A list of changes the source reports with each delivery (Jira's changelog)."""

    items: str = Field(description="JSON path of the list of changes")
    at: str = Field(description="JSON path of the time the changes were made")
    field: str = "field"
    from_: str = Field("fromString", alias="from")
    to: str = "toString"
    when: dict[str, Condition] = Field(default_factory=dict)
    rules: list[ChangeRule]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return _conditions(value)


class HookMapping(LocatedModel):
    """How one helpdesk's webhook becomes ticket events (docs/connectors.md)."""

    shape: Literal["webhook"] = Field(description="what the mapping reads: webhook (JSON)")
    contract: str = Field(description="the contract the events are for")
    auth: HookAuth | None = None
    ticket: list[str] = Field(
        min_length=1,
        description="JSON path of the ticket's own number (a list: the first path present)",
    )
    ticket_prefix: str = ""
    severity_from: str | None = Field(None, description="JSON path of the priority")
    severity: dict[str, str | None] | None = None
    asset: str | None = Field(None, description="JSON path of the asset id")
    time: TimeSettings = TimeSettings()
    events: list[EventRule] = Field(default_factory=list)
    changes: list[ChangeList] = Field(default_factory=list)
    attrs: dict[str, str] = Field(default_factory=dict)
    event_types: list[str] = Field(default_factory=list)

    #: The mapping compiled for payloads (its time reader), made on first use.
    _mapper: Any = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _a_webhook_mapping(cls, data: Any) -> Any:
        """A CSV mapping given where a webhook mapping is wanted: say so, not its every field."""
        if isinstance(data, dict) and data.get("shape", "csv") == "csv":
            raise Issues(
                [
                    (
                        ("shape",),
                        "this is a CSV mapping (shape: csv, or no shape): serve --hook and hook "
                        "try read a webhook mapping (shape: webhook, docs/connectors.md); a CSV "
                        "mapping is for slaengine import",
                    )
                ]
            )
        return data

    @field_validator("severity", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        return text_keys(value)

    @field_validator("ticket", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> HookMapping:
        used: list[tuple[LinePath, str]] = []
        for i, rule in enumerate(self.events):
            used.append((("events", i, "type"), rule.type))
            if rule.after is not None:
                used.append((("events", i, "after"), rule.after))
        for i, block in enumerate(self.changes):
            for j, change in enumerate(block.rules):
                used.append((("changes", i, "rules", j, "type"), change.type))
        issues = event_type_issues(self.event_types, used, self.attrs)
        if not self.events and not self.changes:
            issues.append((("events",), "map at least one event (events: or changes:)"))
        if self.severity is not None and self.severity_from is None:
            issues.append((("severity",), "a severity table needs severity_from (the path)"))
        if issues:
            raise Issues(issues)
        return self


def load_hook_mapping(path: Path) -> HookMapping:
    """Read and validate a webhook mapping; MappingError naming file, line and field."""
    return load_model(Path(path), HookMapping)


# --------------------------------------------------------------------------------------------
# Mapping a payload
# --------------------------------------------------------------------------------------------


@dataclass
class HookResult:
    """What one payload became: its events, and why rules did not fire (for ``hook try``)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Events kept only if the ticket's stored history agrees (``after:``): id -> (the type the
    #: last of the two must be, the event's own type). Checked by the caller, which has a store.
    after: dict[str, tuple[str, str]] = field(default_factory=dict)


def after_holds(
    after: str, own: str, at: datetime, history: Iterable[tuple[datetime, int, str]]
) -> bool:
    """Whether an ``after:`` event may stand: among the ticket's events ``history`` (time,
    arrival order, type) of type ``after`` or ``own`` before ``at``, the last is an ``after``."""
    last: tuple[datetime, int, str] | None = None
    for item in history:
        if item[2] in (after, own) and item[0] < at and (last is None or item[:2] > last[:2]):
            last = item
    return last is not None and last[2] == after


def _lookup(data: Any, path: str, headers: dict[str, str]) -> Any:
    """The value under a dotted path, or _MISSING (a JSON null counts as absent)."""
    if path.startswith(HEADER):
        return headers.get(path[len(HEADER) :].lower(), _MISSING)
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
        if value is _MISSING or value is None:
            return _MISSING
    return value


def _holds(data: Any, when: dict[str, Condition], headers: dict[str, str]) -> bool:
    for path, wanted in when.items():
        value = _lookup(data, path, headers)
        if isinstance(wanted, dict):
            if "present" in wanted:
                present = value is not _MISSING and value != ""
                if present != wanted["present"]:
                    return False
            elif value is not _MISSING and _as_text(value) in wanted["not"]:
                return False
            continue
        if value is _MISSING or isinstance(value, dict | list):
            return False
        text = _as_text(value)
        if isinstance(wanted, list):
            if text not in wanted:
                return False
        elif text != wanted:
            return False
    return True


def _json_kind(value: Any) -> str:
    """What a decoded JSON value is, in JSON's words (for errors)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _shape_hint(data: Any) -> str:
    if isinstance(data, dict):
        keys = ", ".join(sorted(str(key) for key in data)[:12])
        return f" (the payload's top-level fields: {keys})"
    return f" (the payload is {_json_kind(data)}, not an object)"


class _Mapper:
    """One mapping, compiled for many payloads (the time reader remembers zone offsets)."""

    def __init__(self, mapping: HookMapping) -> None:
        self.mapping = mapping
        self.reader = TimeReader(mapping.time)

    def time(self, data: Any, path: str, headers: dict[str, str]) -> str | None:
        value = _lookup(data, path, headers)
        if value is _MISSING or value == "":
            return None
        if isinstance(value, dict | list):
            raise PayloadError(path, f"expected a time, got {_json_kind(value)}")
        try:
            moment, _ = self.reader.read(_as_text(value))
        except ValueError as exc:
            raise PayloadError(path, str(exc)) from None
        if moment.utcoffset() is None:  # pragma: no cover - the reader refuses naive times
            raise PayloadError(path, "a time without offset")
        return moment.isoformat()

    def severity(self, raw: Any, path: str) -> str | None:
        table = self.mapping.severity
        text = _as_text(raw)
        if table is None:
            return text
        if text not in table:
            known = ", ".join(repr(key) for key in table)
            raise PayloadError(
                path,
                f"unexpected value {text!r}: not in the mapping's severity table (known: "
                f"{known}); add it",
            )
        return table[text]

    def map(self, data: Any, headers: dict[str, str]) -> HookResult:
        mapping = self.mapping
        result = HookResult()
        ticket_raw: Any = _MISSING
        for path in mapping.ticket:
            ticket_raw = _lookup(data, path, headers)
            if ticket_raw is not _MISSING:
                break
        if ticket_raw is _MISSING:
            raise PayloadError(" or ".join(mapping.ticket), f"missing{_shape_hint(data)}")
        ticket = mapping.ticket_prefix + _identifier(ticket_raw, path, "a ticket number")
        current: str | None = None
        current_read = False

        def current_severity() -> str | None:
            nonlocal current, current_read
            if not current_read:
                current_read = True
                if mapping.severity_from is not None:
                    raw = _lookup(data, mapping.severity_from, headers)
                    if raw is not _MISSING:
                        current = self.severity(raw, mapping.severity_from)
            return current

        asset: str | None = None
        if mapping.asset is not None:
            found = _lookup(data, mapping.asset, headers)
            if found is not _MISSING and found != "":
                asset = _identifier(found, mapping.asset, "an asset id")
        attrs: dict[str, Any] = {}
        for name, path in mapping.attrs.items():
            found = _lookup(data, path, headers)
            if found is not _MISSING:
                attrs[name] = found
        seen: set[str] = set()

        def emit(
            kind: str, at: str, severity: str | None, where: str, after: str | None = None
        ) -> None:
            event_id = make_event_id(ticket, at, kind)
            if event_id in seen:
                return
            seen.add(event_id)
            if after is not None:
                result.after[event_id] = (after, kind)
            event: dict[str, Any] = {
                "id": event_id,
                "contract": mapping.contract,
                "ticket": ticket,
                "type": kind,
                "at": at,
            }
            if kind in _WITH_SEVERITY:
                if severity is None:
                    path = mapping.severity_from or "severity_from"
                    raise PayloadError(
                        path, f"missing: the {kind} event ({where}) needs a severity"
                    )
                event["severity"] = severity
            if asset is not None:
                event["asset"] = asset
            if attrs:
                event["attrs"] = dict(attrs)
            result.events.append(event)

        for i, rule in enumerate(mapping.events):
            if not _holds(data, rule.when, headers):
                continue
            at = self.time(data, rule.at, headers)
            if at is None:
                if rule.required:
                    raise PayloadError(rule.at, f"missing{_shape_hint(data)}")
                result.notes.append(f"events[{i}] ({rule.type}): no time under {rule.at} yet")
                continue
            emit(rule.type, at, current_severity(), f"events[{i}]", rule.after)
        for i, block in enumerate(mapping.changes):
            if not _holds(data, block.when, headers):
                continue
            items = _lookup(data, block.items, headers)
            if items is _MISSING:
                continue
            if not isinstance(items, list):
                raise PayloadError(block.items, f"expected a list, got {_json_kind(items)}")
            if not items:
                continue
            changed_at = self.time(data, block.at, headers)
            if changed_at is None:
                raise PayloadError(block.at, f"missing: the time of the changes{_shape_hint(data)}")
            for k, item in enumerate(items):
                if not isinstance(item, dict):
                    raise PayloadError(f"{block.items}.{k}", "expected an object (a change)")
                changed = item.get(block.field)
                old = item.get(block.from_)
                new = item.get(block.to)
                old_text = "" if old is None else _as_text(old)
                new_text = "" if new is None else _as_text(new)
                for change in block.rules:
                    if changed is None or _as_text(changed) != change.field:
                        continue
                    if change.from_ is not None and old_text not in change.from_:
                        continue
                    if change.to is not None and new_text not in change.to:
                        continue
                    if change.not_from is not None and old_text in change.not_from:
                        continue
                    if change.not_to is not None and new_text in change.not_to:
                        continue
                    severity = (
                        self.severity(new, f"{block.items}.{k}.{block.to}")
                        if change.type == "reclassified"
                        else current_severity()
                    )
                    emit(change.type, changed_at, severity, f"changes[{i}] {change.field}")
        if not result.events and not result.notes:
            result.notes.append("no rule of the mapping matched this payload")
        return result


def map_payload(
    mapping: HookMapping, data: Any, headers: dict[str, str] | None = None
) -> HookResult:
    """The events one decoded payload becomes (see the theory of operation at the top).

    ``headers`` are the request's, with lower-case names. Raises PayloadError naming the path
    that was missing or held an unexpected value."""
    mapper = mapping._mapper
    if mapper is None:
        mapper = mapping._mapper = _Mapper(mapping)
    assert isinstance(mapper, _Mapper)
    return mapper.map(data, headers or {})
