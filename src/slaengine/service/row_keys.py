"""What identifies a stored clock row and its breach from one judgement of a ticket to the next.

Theory of operation
-------------------
Within one judgement a clock is told from the others of its ticket by ``clock_identity``
(commitment, cycle, occurrence): a commitment that runs per start (``runs: per_start``: every
customer contact re-arms the reply clock) numbers its starts 1, 2, ... in time order. That
number is not stable across judgements: a contact that arrives late with an earlier time
renumbers the later starts. The store keeps what it recorded about a clock (its breach, the
breach's acknowledgement, a warning sent) from one judgement to the next, so it keys a clock
row and its breach by ``row_key`` (commitment, cycle, start_key) instead: ``start_key`` is the
id of the event that started a clock of a commitment that runs per start ('' for a
commitment's one clock of a cycle, whose start event a late, earlier start replaces). A keyed
number would hand one contact's stored breach to another and alert the same deadline twice.

The clock rows (slaengine.service.clock_rows), their breaches (slaengine.service.breaches),
the penalty lines' breaches (slaengine.service.lines) and the API's ticket route key by
``row_key``; a warning alert's key names the clock by ``row_name``. A judged ``Clock``, a
stored clock row and a breach row answer alike (a penalty line carries the same three
fields). ``by_row_key`` reads stored rows under it, and takes a row stored without a start (a
store downgraded below migration 0004 and upgraded again, or a version of the contract whose
commitment did not run per start yet) as the first start's, rather than raise its breach and
alert a second time.

Transaction boundary: none (pure: the caller writes an adopted row's new ``start_key``, the
judged clock's, with the row's other values).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from slaengine.identity import Identified


class _Keyed(Identified, Protocol):
    @property
    def start_key(self) -> str: ...


_R = TypeVar("_R", bound=_Keyed)

#: (commitment, cycle, start_key): a stored clock row, or its breach, within its ticket.
RowKey = tuple[str, int, str]


def row_key(clock: _Keyed) -> RowKey:
    """What identifies a clock's stored row (and its breach) within its ticket, a judged
    ``Clock`` or a stored row alike: its commitment, cycle and ``start_key`` (the id of its
    start event for a commitment that runs per start; '' for a commitment's one clock)."""
    return clock.commitment, clock.cycle, clock.start_key


def row_name(clock: _Keyed) -> str:
    """The clock's name in an alert key: ``commitment/cycle``, ``commitment/cycle@event`` for
    the start ``event`` of a commitment that runs per start."""
    name = f"{clock.commitment}/{clock.cycle}"
    return f"{name}@{clock.start_key}" if clock.start_key else name


def by_row_key(rows: Iterable[_R], clocks: Iterable[_Keyed]) -> dict[RowKey, _R]:
    """Stored rows by ``row_key``. A row stored without a start (``start_key`` '') whose
    commitment now has per-start clocks in its cycle is the first start's (see the module
    doc): it is listed under that start, keeping what it recorded (acknowledgement, warning);
    the caller stores the start's ``start_key`` on it."""
    stored = {row_key(row): row for row in rows}
    for clock in clocks:
        if clock.occurrence != 1 or row_key(clock) in stored:
            continue
        kept = stored.pop((clock.commitment, clock.cycle, ""), None)
        if kept is not None:
            stored[row_key(clock)] = kept
    return stored
