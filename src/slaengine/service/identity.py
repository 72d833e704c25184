"""What identifies a clock within its ticket, in the store and in alert keys.

Theory of operation
-------------------
A clock is one per (ticket, commitment, cycle). The clock rows (slaengine.service.clock_rows) and
their breaches (slaengine.service.breaches) key a clock by ``clock_identity``, and warning alerts
name it by ``clock_name``: this is the one place that says what a clock's identity is, so a
judged ``Clock``, a stored clock row and a breach row answer alike.

Transaction boundary: none (pure).
"""

from __future__ import annotations

from typing import Protocol


class _Identified(Protocol):
    @property
    def commitment(self) -> str: ...

    @property
    def cycle(self) -> int: ...


def clock_identity(clock: _Identified) -> tuple[str, int]:
    """What identifies a clock (and its breach) within its ticket, a judged ``Clock`` or a
    stored row alike: its commitment and cycle."""
    return clock.commitment, clock.cycle


def clock_name(clock: _Identified) -> str:
    """The clock's identity in an alert key: ``commitment/cycle``."""
    return f"{clock.commitment}/{clock.cycle}"
