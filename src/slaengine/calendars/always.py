"""The ``24x7`` calendar: every moment is working time.

Most commitments of a tender (answer in 3 minutes, on site in 30) run on it, so its deadline is
the hot path of every evaluation: without excluded time it is one addition, and with excluded time
a single pass over the merged excluded intervals; no generator is involved. A ``d`` target is
24 hours of elapsed time per day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict

from slaengine.calendars.base import (
    CLOCK_UNITS,
    Calendar,
    Interval,
    add_elapsed,
    require_aware,
    to_utc,
)
from slaengine.durations import Duration

_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


class AlwaysSpec(BaseModel):
    """``kind: 24x7`` in a contract file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    kind: Literal["24x7"]


class AlwaysCalendar(Calendar):
    """24 hours a day, 7 days a week, holidays included."""

    def __init__(self, name: str = "24x7") -> None:
        super().__init__(name)
        #: Each clock target's length, worked out once (a replay asks for millions of deadlines).
        #: By its text ("30m"): a string hashes in C (once), a Duration through Python.
        self._spans: dict[str, timedelta] = {}

    @classmethod
    def from_spec(cls, name: str, spec: AlwaysSpec) -> AlwaysCalendar:
        return cls(name)

    def working_intervals(self, start: datetime) -> Iterator[Interval]:
        yield to_utc(start), _END_OF_TIME

    def next_working_moment(self, at: datetime) -> datetime:
        require_aware(at)
        return at

    def is_working(self, at: datetime) -> bool:
        require_aware(at)
        return True

    def deadline(
        self, start: datetime, target: Duration, excluded: Sequence[Interval] = ()
    ) -> datetime:
        if not excluded:
            span = self._spans.get(target.text)
            if span is None and target.unit in CLOCK_UNITS:
                span = self._spans[target.text] = timedelta(seconds=target.seconds)
            if span is not None:
                if type(start.tzinfo) is timezone:  # ``add_elapsed`` written out
                    return start + span
                return add_elapsed(start, span)
        return super().deadline(start, target, excluded)

    def _working_time(
        self, start: datetime, end: datetime, excluded: Sequence[Interval]
    ) -> timedelta:
        if end <= start:
            return timedelta()
        total = end - start
        for gap_start, gap_end in excluded:
            if gap_end <= start:
                continue
            if gap_start >= end:
                break
            total -= min(gap_end, end) - max(gap_start, start)
        return total

    def _after(self, start: datetime, amount: timedelta, excluded: Sequence[Interval]) -> datetime:
        moment, remaining = start, amount
        for gap_start, gap_end in excluded:
            if gap_end <= moment:
                continue
            if gap_start > moment:
                # Same rule as the general walk: time running out exactly at the start of an
                # excluded interval ends there.
                if remaining <= gap_start - moment:
                    break
                remaining -= gap_start - moment
            moment = gap_end
        return moment + remaining
