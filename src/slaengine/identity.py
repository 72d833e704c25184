"""What identifies a clock within its ticket, wherever clocks or their breaches are keyed.

Theory of operation
-------------------
A clock is one per (ticket, commitment, cycle), except that a commitment that runs per start
(``runs: per_start``: every customer contact re-arms the reply clock) has one for every start
event: its ``occurrence`` 1, 2, ... (0 for a commitment's one clock of a cycle). So a clock is
keyed by ``clock_identity`` (commitment, cycle, occurrence) within its ticket — in the pure core
(compliance rates and their waived clocks, ``contract diff``'s open tickets) and in the shells
(the store's clock rows and breaches, penalty lines' breaches, the API's ticket route, the
briefing) alike; a key of (commitment, cycle) alone would let the starts of one cycle overwrite
each other. Alert keys name a clock by ``clock_name``; a user reads which start a clock is by
``occurrence_text``. A judged ``Clock``, a penalty line, a stored clock row and a breach row
answer alike.

Tickets are listed in natural order wherever people read them (H-1, H-2, H-10, not H-1, H-10,
H-2): ``ticket_order`` is the one sort key, used by the report, the briefing, statements and
the console.

Core module (imports nothing of slaengine): the shells import it, never the other way round.
Transaction boundary: none (pure).
"""

from __future__ import annotations

import re
from typing import Protocol

#: (commitment, cycle, occurrence): a clock within its ticket.
ClockIdentity = tuple[str, int, int]


class Identified(Protocol):
    """What names a clock within its ticket: a judged ``Clock`` or a stored row alike."""

    @property
    def commitment(self) -> str: ...

    @property
    def cycle(self) -> int: ...

    @property
    def occurrence(self) -> int: ...


def clock_identity(clock: Identified) -> ClockIdentity:
    """What identifies a clock (and its breach) within its ticket, a judged ``Clock`` or a
    stored row alike: its commitment, cycle and occurrence (the start of a commitment that runs
    per start, 1, 2, ...; 0 for a commitment's one clock of a cycle)."""
    return clock.commitment, clock.cycle, clock.occurrence


def clock_name(clock: Identified) -> str:
    """The clock's identity in an alert key: ``commitment/cycle``, ``commitment/cycle#n`` for
    the n-th start of a commitment that runs per start."""
    name = f"{clock.commitment}/{clock.cycle}"
    return f"{name}#{clock.occurrence}" if clock.occurrence else name


def occurrence_text(occurrence: int | None, lang: str = "en") -> str:
    """Which start of a commitment that runs per start, as a user reads it after the
    commitment's name: `` (start 2)``, ``（第2次）``; empty for a commitment's one clock."""
    if not occurrence:
        return ""
    return f"（第{occurrence}次）" if lang == "zh" else f" (start {occurrence})"


_DIGITS = re.compile(r"(\d+)")


def ticket_order(ticket: str) -> tuple[tuple[str | int, ...], str]:
    """The sort key of a ticket id in natural order: runs of digits compare as numbers
    (``H-2`` before ``H-10``), the rest as text; ids equal that way (``H-01``, ``H-1``) keep a
    fixed order by their text."""
    parts: list[str | int] = list(_DIGITS.split(ticket))  # text, number, text, ...: numbers
    parts[1::2] = map(int, parts[1::2])  # always at odd places
    return tuple(parts), ticket
