"""The edge of the store: what an event may hold so that storing it cannot fail.

Theory of operation
-------------------
A value the database cannot hold must be refused with a reason *before* it reaches a
transaction: a failed INSERT would otherwise turn one bad event into a 500 for the whole request
(and, in a batch, for every good event beside it). ``Store.add_events`` — the one door every
intake path goes through (``POST /events``, ``POST /events/batch``, ``slaengine ingest``) — runs
``value_problem`` on each offered item before parsing it and ``time_problem`` on its parsed
``at``; the API runs ``time_problem`` on its time filters. Each returns the reason (naming the
field, in the words of the other event errors) or None.

Refused, anywhere in an event: NUL characters and lone surrogates (PostgreSQL text and UTF-8
cannot carry them), NaN and Infinity (not JSON numbers), integers outside a signed 64-bit
integer, nesting deeper than ``MAX_DEPTH``; in the fields the store keeps in columns, text
longer than the column (``LENGTHS``); timestamps outside ``EARLIEST``..``LATEST`` (UTC), which
leaves room for deadlines computed from them.

``value_problem`` is on the path of every stored event, so it first asks orjson (C) to write the
event: when that succeeds with strict integers and the text shows no NUL escape, no ``null``
(NaN and Infinity are written as null) and no more brackets than ``MAX_DEPTH``, nothing can be
wrong and the answer is None without a walk in Python. Anything else — a refusal, a null, a
deep or odd value — is walked (``_walk``), which alone words the reasons: the fast path only
ever says "nothing wrong" where the walk would say the same.

``storable`` cuts text to what a column of rejected input can hold, so even the record of a
refusal cannot fail.

No I/O, no clock.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson

#: Column lengths of the event fields the store keeps in columns (slaengine.store.models).
LENGTHS = {"id": 300, "contract": 200, "ticket": 300, "type": 100, "severity": 100, "asset": 300}
#: Timestamps the store takes (deadlines computed from them stay far inside what it holds).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
#: Integers a signed 64-bit column (and most JSON readers) can carry.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: How deep an event's ``attrs`` may nest.
MAX_DEPTH = 32


def value_problem(data: Any) -> str | None:
    """Why the decoded event ``data`` cannot be stored as it is, or None."""
    if not isinstance(data, dict):
        return None  # the parser says what an event is
    for name, limit in LENGTHS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            return f"{name}: {len(value)} characters, at most {limit} are kept"
    try:
        written = orjson.dumps(data, option=orjson.OPT_STRICT_INTEGER)
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return _walk(data, "", 0)
    if (
        b"\\u0000" in written
        or b"null" in written
        or written.count(b"{") + written.count(b"[") > MAX_DEPTH
    ):
        return _walk(data, "", 0)
    return None


def _walk(value: Any, where: str, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"{where}: nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        return _text_problem(value, where)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            return f"{where}: the integer {_short(str(value))} is outside a signed 64-bit integer"
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"{where}: {value!r} is not a JSON number (NaN and Infinity are refused)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            problem = _text_problem(str(key), name) or _walk(item, name, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _walk(item, f"{where}[{index}]", depth + 1)
            if problem:
                return problem
    return None


def _text_problem(text: str, where: str) -> str | None:
    if "\x00" in text:
        return f"{where}: contains a NUL character (U+0000), which text cannot carry"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        return f"{where}: contains a lone surrogate (U+{code:04X}), which is not Unicode text"
    return None


def time_problem(when: datetime, where: str) -> str | None:
    """Why the timestamp ``when`` (aware) cannot be stored, or None."""
    try:
        utc = when.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        return (
            f"{where}: {when.isoformat()} is outside the times the store takes "
            f"({EARLIEST.date()} to {LATEST.date()}, UTC)"
        )
    return None


def storable(text: str | None, limit: int | None = None) -> str | None:
    """``text`` made safe to keep in a column: NUL and lone surrogates escaped, cut to ``limit``."""
    if text is None:
        return None
    safe = text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")
    if limit is not None and len(safe) > limit:
        safe = safe[: limit - 1] + "…"
    return safe


def _short(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:12]}…{text[-12:]} ({len(text)} digits)"
