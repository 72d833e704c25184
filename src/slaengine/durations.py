"""Durations as contracts write them: ``30s``, ``3m``, ``1h``, ``3d``, ``3mo``, ``3y``.

``s``/``m``/``h`` are fixed lengths. ``d`` is 24 hours on a 24x7 calendar but *working days* on a
working-hours calendar (reference.md §3), so a Duration keeps its unit and lets the calendar
decide. ``mo`` and ``y`` are calendar months and years (warranty terms, obligation periods); they
are added with month-end clamping (2024-02-29 + 3y = 2027-02-28).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

_PATTERN = re.compile(r"^\s*(\d+)\s*(s|m|h|d|mo|y)\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_WORDS = {
    "en": {"s": "second", "m": "minute", "h": "hour", "d": "day", "mo": "month", "y": "year"},
    "zh": {"s": "秒", "m": "分钟", "h": "小时", "d": "天", "mo": "个月", "y": "年"},
}

D = TypeVar("D", date, datetime)

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(when: D, months: int) -> D:
    """``when`` plus ``months`` calendar months (negative: back), the day clamped to the month's
    last (2024-01-31 + 1 month = 2024-02-29): what ``dateutil``'s ``relativedelta(months=…)``
    does, without importing dateutil on every start. Time of day and zone are kept."""
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _MONTH_DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return when.replace(year=year, month=month, day=min(when.day, last))


@dataclass(frozen=True, slots=True)
class Duration:
    """An amount of a unit, as written in a contract (``3m`` is three minutes)."""

    amount: int
    unit: str
    #: ``str(self)``, made once: a replay writes the target of every clock it judges.
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f"{self.amount}{self.unit}")

    @classmethod
    def parse(cls, text: str | int | float) -> Duration:
        if isinstance(text, bool) or not isinstance(text, str):
            raise ValueError(
                f"a duration is written as a number and a unit (30s, 3m, 1h, 3d, 3mo, 3y), "
                f"not {text!r}"
            )
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a duration: write a whole number and one of the units "
                f"s, m (minutes), h, d, mo (months), y, e.g. '3m' or '1h'"
            )
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError(f"{text!r}: a duration must be greater than zero")
        return cls(amount, match.group(2))

    @property
    def is_calendar(self) -> bool:
        """Months and years: lengths that depend on the date they are added to."""
        return self.unit in ("mo", "y")

    @property
    def seconds(self) -> int:
        """Length in seconds for s/m/h/d (a day counted as 24 hours)."""
        if self.is_calendar:
            raise ValueError(f"{self} has no fixed length in seconds")
        return self.amount * _SECONDS[self.unit]

    @property
    def timedelta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def add_to(self, when: D) -> D:
        """``when`` plus this duration; months and years clamp at month ends."""
        if self.unit == "y":
            return add_months(when, 12 * self.amount)
        if self.unit == "mo":
            return add_months(when, self.amount)
        return when + self.timedelta

    def words(self, lang: str = "en") -> str:
        word = _WORDS.get(lang, _WORDS["en"])[self.unit]
        if lang == "zh":
            return f"{self.amount}{word}"
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Duration:
            if isinstance(value, Duration):
                return value
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )
