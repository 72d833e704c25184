"""What identifies a clock within its ticket, in the store and in alert keys.

Theory of operation
-------------------
A clock is one per (ticket, commitment, cycle), except that a commitment that runs per start
(``runs: per_start``: every customer contact re-arms the reply clock) has one for every start
event: its ``occurrence`` 1, 2, ... (0 for a commitment's one clock of a cycle). The clock rows,
their breaches (slaengine.service.breaches), the penalty lines' breaches (slaengine.service.lines)
and the API's ticket route all key a clock by ``clock_identity``; warning alerts name it by
``clock_name``. A judged ``Clock``, a stored clock row and a breach row answer alike.

Transaction boundary: none (pure).
"""

from __future__ import annotations

from typing import Protocol


class _Identified(Protocol):
    @property
    def commitment(self) -> str: ...

    @property
    def cycle(self) -> int: ...

    @property
    def occurrence(self) -> int: ...


def clock_identity(clock: _Identified) -> tuple[str, int, int]:
    """What identifies a clock (and its breach) within its ticket, a judged ``Clock`` or a
    stored row alike: its commitment, cycle and occurrence (the start of a commitment that runs
    per start, 1, 2, ...; 0 for a commitment's one clock of a cycle)."""
    return clock.commitment, clock.cycle, clock.occurrence


def clock_name(clock: _Identified) -> str:
    """The clock's identity in an alert key: ``commitment/cycle``, ``commitment/cycle#n`` for
    the n-th start of a commitment that runs per start."""
    name = f"{clock.commitment}/{clock.cycle}"
    return f"{name}#{clock.occurrence}" if clock.occurrence else name
