"""Calendars: which moments count as working time, and what a commitment's deadline is.

Theory of operation. A calendar is, at heart, one endless ascending sequence of working
intervals (``working_intervals``); everything else is computed from it here, once, for every kind.
Paused time (``paused``..``resumed``) and excused time (``force_majeure``) are *excluded*
intervals: a clock runs only in working time that is not excluded. So both are combined into one
sequence of "free" intervals — working intervals with the excluded parts cut out — and counting
(``working_seconds``) and advancing (``advance``) just walk that sequence. This is why a pause
outside working hours changes nothing and a pause inside them pushes the deadline by exactly the
working time it covers, with no special cases.

All arithmetic is done on UTC instants. Python subtracts and adds datetimes that share a
``ZoneInfo`` as *wall-clock* times, which is wrong across daylight-saving changes (a 09:00-17:00
day on which clocks go forward is still 8 h, while 00:00-24:00 that day is 23 h); converting to UTC
first makes every length a real elapsed length. Results are given back in the time zone of the
datetime the caller passed in. Naive datetimes are refused.

A target in ``s``/``m``/``h`` is that much working time. A target in ``d`` is working days: the
same time of day on the Nth working day (reference.md §3); what a working day is belongs to the
calendar (``_days_later``), the shift by excluded time does not.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeAlias

from slaengine.durations import Duration

Interval: TypeAlias = tuple[datetime, datetime]
"""``[start, end)``, timezone-aware."""

CLOCK_UNITS = ("s", "m", "h", "d")


def require_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError(
            f"{at.isoformat()} has no time zone; calendars need timezone-aware datetimes "
            f"(e.g. 2026-03-02T09:00:00+08:00)"
        )


def to_utc(at: datetime) -> datetime:
    require_aware(at)
    return at.astimezone(UTC)


def add_elapsed(at: datetime, amount: timedelta) -> datetime:
    """``at`` plus ``amount`` of real elapsed time, in ``at``'s time zone."""
    zone = at.tzinfo
    # A fixed offset (every parsed RFC 3339 timestamp) adds correctly as it is; a ZoneInfo would
    # add wall-clock time, so that goes through UTC.
    if type(zone) is timezone:
        return at + amount
    require_aware(at)
    return (at.astimezone(UTC) + amount).astimezone(zone)


def merge_intervals(intervals: Sequence[Interval]) -> list[Interval]:
    """``intervals`` in UTC, sorted, overlapping or touching ones merged, empty ones dropped."""
    spans = sorted((to_utc(start), to_utc(end)) for start, end in intervals)
    merged: list[Interval] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def check_clock_target(target: Duration) -> None:
    if target.unit not in CLOCK_UNITS:
        raise ValueError(
            f"{target} is not a clock target: a commitment's target is written in s, m, h or d "
            f"(e.g. '3m', '1h', '3d'); months and years are for warranty terms and obligation "
            f"periods"
        )


class Calendar(ABC):
    """Working time of one named calendar of a contract."""

    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @abstractmethod
    def working_intervals(self, start: datetime) -> Iterator[Interval]:
        """Working intervals from `start` on (the first clipped to begin at `start`), ascending,
        endless (a generator). Intervals are in UTC, so that lengths are real elapsed time."""

    def _days_later(self, begin: datetime, days: int) -> datetime:
        """The same time of day `days` working days after `begin` (a working moment, in UTC).

        This default suits a calendar in which every day is a working day of 24 hours.
        """
        return begin + timedelta(days=days)

    def next_working_moment(self, at: datetime) -> datetime:
        """`at` itself if it is working time, else the start of the next working interval."""
        first, _ = next(self.working_intervals(at))
        return first.astimezone(at.tzinfo)

    def is_working(self, at: datetime) -> bool:
        first, _ = next(self.working_intervals(at))
        return first == at

    def working_seconds(
        self, start: datetime, end: datetime, excluded: Sequence[Interval] = ()
    ) -> float:
        """Working time between start and end, less the parts inside `excluded` (pauses, force
        majeure; they may overlap each other, be unsorted, extend beyond the span).
        0 when `end` is not after `start`."""
        elapsed = self._working_time(to_utc(start), to_utc(end), merge_intervals(excluded))
        return elapsed.total_seconds()

    def advance(
        self, start: datetime, seconds: float, excluded: Sequence[Interval] = ()
    ) -> datetime:
        """The moment at which `seconds` of working time not inside `excluded` have passed since
        `start`. seconds == 0 -> next working, non-excluded moment at/after start."""
        if seconds < 0:
            raise ValueError(f"cannot advance by a negative amount of working time ({seconds} s)")
        moment = self._after(to_utc(start), timedelta(seconds=seconds), merge_intervals(excluded))
        return moment.astimezone(start.tzinfo)

    def deadline(
        self, start: datetime, target: Duration, excluded: Sequence[Interval] = ()
    ) -> datetime:
        """start + target in this calendar's working time, shifted by excluded time
        (reference.md §3). A ``d`` target ends at the same time of day on the Nth working day
        after the start (moved to the next working moment first), then later by the excluded
        working time inside that span."""
        check_clock_target(target)
        utc_start = to_utc(start)
        spans = merge_intervals(excluded)
        if target.unit == "d":
            begin = self.next_working_moment(utc_start)
            nominal = self._days_later(begin, target.amount)
            lost = self._working_time(begin, nominal, ()) - self._working_time(
                begin, nominal, spans
            )
            moment = self._after(nominal, lost, spans) if lost else nominal
        else:
            moment = self._after(utc_start, timedelta(seconds=target.seconds), spans)
        return moment.astimezone(start.tzinfo)

    # The two walks below take UTC datetimes and excluded intervals already merged by
    # merge_intervals, and measure in timedelta (exact microseconds) so that a difference of two
    # lengths is exactly zero when it should be.

    def _free_intervals(self, start: datetime, excluded: Sequence[Interval]) -> Iterator[Interval]:
        """Working intervals from `start` on with the `excluded` parts cut out."""
        if not excluded:
            yield from self.working_intervals(start)
            return
        index, count = 0, len(excluded)
        for begin, end in self.working_intervals(start):
            while begin < end:
                while index < count and excluded[index][1] <= begin:
                    index += 1
                if index == count or excluded[index][0] >= end:
                    yield begin, end
                    break
                gap_start, gap_end = excluded[index]
                if gap_start > begin:
                    yield begin, gap_start
                begin = gap_end

    def _working_time(
        self, start: datetime, end: datetime, excluded: Sequence[Interval]
    ) -> timedelta:
        total = timedelta()
        if end <= start:
            return total
        for begin, finish in self._free_intervals(start, excluded):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def _after(self, start: datetime, amount: timedelta, excluded: Sequence[Interval]) -> datetime:
        remaining = amount
        for begin, end in self._free_intervals(start, excluded):
            # `<=`: time that runs out exactly at the end of an interval ends there, not at the
            # start of the next one (a 3m target from Friday 17:27 ends Friday 17:30).
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("working_intervals must be endless")
