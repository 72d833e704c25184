"""What identifies a clock within its ticket, in the store and in alert keys.

Theory of operation
-------------------
A clock is one per (ticket, commitment, cycle), except that a commitment that runs per start
(``runs: per_start``: every customer contact re-arms the reply clock) has one for every start
event. Such a clock is identified by its start event's id (``start_key``), never by its place
in time order (``occurrence`` 1, 2, ..., which is shown): a contact that arrives late with an
earlier time renumbers the later starts, and a key built on the number would hand one contact's
stored clock, breach, acknowledgement and warning to another, and alert the same deadline twice.
A commitment's one clock of a cycle has ``start_key`` '' (its start event is not stable: a late,
earlier start replaces it).

The clock rows, their breaches (slaengine.service.breaches), the penalty lines' breaches
(slaengine.service.lines) and the API's ticket route all key a clock by ``clock_identity``;
warning alerts name it by ``clock_name``. A judged ``Clock``, a stored clock row and a breach
row answer alike. ``by_identity`` reads stored rows under it, and takes a row stored without a
start (a store downgraded below migration 0004 and upgraded again, or a version of the contract
whose commitment did not run per start yet) as the first start's, rather than raise its breach
and alert a second time.

Transaction boundary: none (pure; ``by_identity`` sets ``start_key`` on a row it adopts, in the
caller's session).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class _Identified(Protocol):
    @property
    def commitment(self) -> str: ...

    @property
    def cycle(self) -> int: ...

    @property
    def occurrence(self) -> int: ...

    @property
    def start_key(self) -> str: ...


class _Row(Protocol):
    commitment: str
    cycle: int
    occurrence: int
    start_key: str


_R = TypeVar("_R", bound=_Row)

#: (commitment, cycle, start_key)
Identity = tuple[str, int, str]


def clock_identity(clock: _Identified) -> Identity:
    """What identifies a clock (and its breach) within its ticket, a judged ``Clock`` or a
    stored row alike: its commitment, cycle and ``start_key`` (the id of its start event for a
    commitment that runs per start; '' for a commitment's one clock of a cycle)."""
    return clock.commitment, clock.cycle, clock.start_key


def clock_name(clock: _Identified) -> str:
    """The clock's identity in an alert key: ``commitment/cycle``, ``commitment/cycle@event``
    for the start ``event`` of a commitment that runs per start."""
    name = f"{clock.commitment}/{clock.cycle}"
    return f"{name}@{clock.start_key}" if clock.start_key else name


def by_identity(rows: Iterable[_R], clocks: Iterable[_Identified]) -> dict[Identity, _R]:
    """Stored rows by their clock's identity. A row stored without a start (``start_key`` '')
    whose commitment now has per-start clocks in its cycle is the first start's (see the module
    doc): it is re-keyed to that start, keeping what it recorded (acknowledgement, warning)."""
    stored = {clock_identity(row): row for row in rows}
    for clock in clocks:
        if clock.occurrence != 1 or clock_identity(clock) in stored:
            continue
        kept = stored.pop((clock.commitment, clock.cycle, ""), None)
        if kept is not None:
            kept.start_key = clock.start_key
            stored[clock_identity(clock)] = kept
    return stored
