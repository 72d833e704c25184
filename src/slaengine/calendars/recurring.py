"""Holidays that recur every year, as a contract writes them: on a fixed month and day
(``12-25``, ``05-01``) or by a weekday rule (``last fri of dec``, ``first mon of may``,
``2nd tue of nov``). A fixed date that a year lacks (``02-29``) is no holiday that year."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "last": -1}  # fmt: skip
_FIXED = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_RULE = re.compile(r"^(\w+)\s+([a-z]{3})\w*\s+of\s+([a-z]{3})\w*$")

_HOW = (
    "write a yearly holiday as MM-DD ('12-25') or as a weekday rule "
    "('last fri of dec', 'first mon of may', '2nd tue of nov')"
)


@dataclass(frozen=True, slots=True)
class YearlyDay:
    """A day that recurs every year: a fixed ``MM-DD`` or a weekday rule (``last fri of dec``)."""

    month: int
    day: int = 0  # a fixed day of the month, or 0 for a weekday rule
    weekday: int = 0
    nth: int = 0  # 1..4, or -1 for the last

    @classmethod
    def parse(cls, text: str) -> YearlyDay:
        written = text.strip().lower()
        fixed = _FIXED.match(written)
        if fixed:
            month, day = int(fixed[1]), int(fixed[2])
            if not 1 <= month <= 12 or not 1 <= day <= (29 if month == 2 else 31):
                raise ValueError(f"{text!r} is not a day of the year; {_HOW}")
            if day > calendar.monthrange(2024, month)[1]:
                raise ValueError(f"{text!r} is not a day of the year; {_HOW}")
            return cls(month, day)
        rule = _RULE.match(written)
        if rule and rule[1] in _ORDINALS and rule[2] in _DAYS and rule[3] in _MONTHS:
            return cls(_MONTHS.index(rule[3]) + 1, 0, _DAYS.index(rule[2]), _ORDINALS[rule[1]])
        raise ValueError(f"{text!r}: {_HOW}")

    def on(self, year: int) -> date | None:
        """The date in ``year`` (None: a 29 February in a common year)."""
        if self.day:
            if self.day > calendar.monthrange(year, self.month)[1]:
                return None
            return date(year, self.month, self.day)
        days = [
            day
            for day in range(1, calendar.monthrange(year, self.month)[1] + 1)
            if date(year, self.month, day).weekday() == self.weekday
        ]
        return date(year, self.month, days[self.nth - 1 if self.nth > 0 else -1])
