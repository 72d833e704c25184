"""The words every shape of mapping shares: value tables, event types, attrs, event ids.

A contract manager learns them once (docs/import.md, docs/connectors.md): a value table's keys
are compared as text whatever YAML made of them; an event type is a built-in one
(reference.md §2) or one the mapping declares under ``event_types``; ``attrs.derived`` is the
engine's own; and an event's id says what happened - ``{ticket}@{at}#{type}`` - so the same
change read from a CSV export, a webhook or a redelivery is one event.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from typing import Any, Final, TextIO

from slaengine.contract import BUILTIN_EVENT_TYPES
from slaengine.mapping.loading import LinePath

__all__ = [
    "DERIVED",
    "event_type_issues",
    "make_event_id",
    "shown",
    "text_keys",
    "write_jsonl",
]

#: attrs key that marks an event the engine inferred rather than read (reserved in ``attrs``).
DERIVED: Final = "derived"


def text_keys(value: Any) -> Any:
    """A value table's keys as text: YAML reads ``1:`` as a number, but CSV cells are text and
    a webhook's values are compared by their JSON spelling, so such keys are taken by their text.

    ``yes``/``no``/``on``/``off`` would arrive as booleans whose spelling is lost: refuse them.
    """
    if not isinstance(value, dict):
        return value
    result: dict[Any, Any] = {}
    for key, item in value.items():
        if isinstance(key, bool) or key is None:
            raise ValueError(
                f"a key read as {key!r}: quote values that YAML reads as true/false/null, "
                'e.g. "No": ...'
            )
        result[str(key) if isinstance(key, int | float) else key] = item
    return result


def event_type_issues(
    declared: list[str],
    used: Iterable[tuple[LinePath, str]],
    attrs: Iterable[str],
    skip: str = "",
) -> list[tuple[LinePath, str]]:
    """What is wrong with a mapping's event types and attrs, each with its place in the file.

    ``declared`` is the mapping's ``event_types``; ``used`` the (place, type) pairs its rules
    name; ``attrs`` its attrs names; ``skip`` how this shape skips a value deliberately (named in
    the hint)."""
    issues: list[tuple[LinePath, str]] = []
    known = BUILTIN_EVENT_TYPES | set(declared)
    for i, name in enumerate(declared):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            issues.append((("event_types", i), f"{name!r}: write a type in snake_case"))
    for where, name in used:
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            issues.append(
                (
                    where,
                    f"{name!r} is not an event type; {hint}use a built-in type "
                    f"(reference.md §2), {skip}or declare the contract's own type under "
                    "event_types",
                )
            )
    if DERIVED in attrs:
        issues.append((("attrs", DERIVED), f"{DERIVED!r} is reserved for events the engine infers"))
    return issues


def shown(text: str, most: int = 60) -> str:
    """A value in an error message: quoted, and cut when long (a hostile payload's 1 MB time)."""
    if len(text) <= most:
        return repr(text)
    return f"{text[:most]!r}... ({len(text):,} characters)"


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
