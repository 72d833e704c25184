"""The ``working_hours`` calendar: weekly office hours in an IANA time zone, less public holidays.

Which hours a date has, in order of precedence:
1. a date in ``extra_working_days`` works (its weekday's hours, or the make-up hours below);
2. a date in ``extra_holidays``, or a yearly holiday (``yearly_holidays``: ``12-25``,
   ``last fri of dec``, see recurring.py), is off;
3. a make-up working day of the country (China's 调休, e.g. Saturday 2026-10-10) works;
4. a public holiday of the country is off;
5. any other date has its weekday's hours.
A working day that falls on a weekday without hours of its own (a Sunday make-up day) uses the
hours of the weekday named by ``workday_hours``, Monday by default.

Hours are wall-clock times in the calendar's zone, turned into UTC instants per date (and cached
per date, since every clock of every ticket asks). A local time that does not exist or exists twice
on a daylight-saving change is read as RFC 5545 reads it (zoneinfo's ``fold=0``): a time in the gap
uses the offset from before the change (02:30 on the night Berlin springs forward is 03:30 CEST);
a time in the repeated hour is its first occurrence.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slaengine.calendars.base import Calendar, Interval, merge_intervals, to_utc
from slaengine.calendars.recurring import YearlyDay

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_ONE_DAY = timedelta(days=1)
_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

DayHours: TypeAlias = tuple[tuple[int, int], ...]
"""One day's working hours as ``(start, end)`` minutes after local midnight, sorted, disjoint."""


def parse_weekday(text: str) -> int:
    """``"mon"`` -> 0 ... ``"sun"`` -> 6."""
    name = text.strip().lower()
    if name not in WEEKDAYS:
        raise ValueError(f"{text!r} is not a weekday; write one of {', '.join(WEEKDAYS)}")
    return WEEKDAYS.index(name)


def parse_weekdays(key: str) -> list[int]:
    """A weekday (``"sat"``) or a range of weekdays (``"mon-fri"``; ``"sun-thu"`` wraps)."""
    first, dash, last = key.partition("-")
    try:
        start = parse_weekday(first)
        end = parse_weekday(last) if dash else start
    except ValueError:
        raise ValueError(
            f"{key!r} is not a weekday or a range of weekdays; write one of "
            f"{', '.join(WEEKDAYS)} or a range such as 'mon-fri'"
        ) from None
    return [(start + offset) % 7 for offset in range((end - start) % 7 + 1)]


def _minutes(hour: str, minute: str) -> int:
    return int(hour) * 60 + int(minute)


def parse_day_hours(key: str, ranges: list[str]) -> DayHours:
    """``["09:00-12:00", "13:30-17:30"]`` -> ``((540, 720), (810, 1050))``."""
    spans: list[tuple[int, int, str]] = []
    for text in ranges:
        match = _TIME_RANGE.match(text)
        if not match:
            raise ValueError(
                f"hours of {key!r}: {text!r} is not a time range; write 'HH:MM-HH:MM', "
                f"e.g. '09:00-17:30'"
            )
        start_hour, start_minute, end_hour, end_minute = match.groups()
        start = _minutes(start_hour, start_minute)
        end = _minutes(end_hour, end_minute)
        if int(start_minute) > 59 or int(end_minute) > 59 or start >= _MINUTES_PER_DAY:
            raise ValueError(
                f"hours of {key!r}: {text!r} is not a time of day; times run from 00:00 to "
                f"23:59, and 24:00 may end a range"
            )
        if end > _MINUTES_PER_DAY:
            raise ValueError(
                f"hours of {key!r}: {text!r} ends after midnight; a range ends at 24:00 at the "
                f"latest (a night shift is '22:00-24:00' on one day and '00:00-06:00' on the next)"
            )
        if end <= start:
            raise ValueError(
                f"hours of {key!r}: {text!r} does not end after it starts; write the earlier time "
                f"first, e.g. '09:00-17:30' (a night shift is '22:00-24:00' on one day and "
                f"'00:00-06:00' on the next)"
            )
        spans.append((start, end, text))
    spans.sort()
    for earlier, later in pairwise(spans):
        if later[0] < earlier[1]:
            raise ValueError(
                f"hours of {key!r}: {earlier[2]!r} and {later[2]!r} overlap; list each time of "
                f"day once, e.g. '09:00-12:00', '13:30-17:30'"
            )
    return tuple((start, end) for start, end, _ in spans)


def parse_weekly_hours(hours: dict[str, list[str]]) -> tuple[DayHours, ...]:
    """The hours of each weekday, Monday first; a weekday not named has none."""
    week: list[DayHours | None] = [None] * 7
    named_by: dict[int, str] = {}
    for key, ranges in hours.items():
        day_hours = parse_day_hours(key, ranges)
        for weekday in parse_weekdays(key):
            if weekday in named_by:
                raise ValueError(
                    f"{WEEKDAYS[weekday]} is given twice, in {named_by[weekday]!r} and {key!r}; "
                    f"name each weekday once (e.g. 'mon-thu' and 'fri' for a shorter Friday)"
                )
            named_by[weekday] = key
            week[weekday] = day_hours
    return tuple(day_hours or () for day_hours in week)


@lru_cache(maxsize=1)
def _registered_countries() -> frozenset[str]:
    """Every name ``holidays.country_holidays`` knows a country by: codes, aliases and class
    names, from the package's registry (which imports no country)."""
    return frozenset(name for names in _country_registry().values() for name in names)


def _country_registry() -> dict[str, tuple[str, ...]]:
    """The ``holidays`` package's registry of countries (module name -> the names each country
    is known by), read from ``holidays/registry.py`` without importing the package.

    Importing anything of ``holidays`` runs the package's ``__init__`` (its calendars, dateutil,
    ~30 ms), which validating a contract does not need: the registry is a literal in that file.
    Should the file ever stop holding one, the registry is imported as before."""
    import ast
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            raise LookupError("holidays")
        text = (Path(spec.origin).parent / "registry.py").read_text(encoding="utf-8")
        start = text.index("\nCOUNTRIES: RegistryDict = {") + 1
        end = text.index("\n}\n", start) + 2
        tree = ast.parse(text[start:end])
        node = tree.body[0]
        if not isinstance(node, ast.AnnAssign) or node.value is None:
            raise LookupError("COUNTRIES")
        registry: dict[str, tuple[str, ...]] = ast.literal_eval(node.value)
        return registry
    except (OSError, LookupError, ValueError, SyntaxError):
        from holidays.registry import COUNTRIES

        imported: dict[str, tuple[str, ...]] = COUNTRIES
        return imported


class HolidaySource(BaseModel):
    """Public holidays (and make-up working days) of a country, from the ``holidays`` package."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    country: str
    subdiv: str | None = None

    @model_validator(mode="after")
    def _known(self) -> HolidaySource:
        # A country alone is checked against the package's registry of names, which is cheap:
        # building a table imports every country the package knows (most of a second of
        # start-up), so that waits until a deadline needs the table. A subdivision needs the
        # country's table to be checked.
        if self.subdiv is None and self.country in _registered_countries():
            return self
        import holidays as holiday_tables

        try:
            holiday_tables.country_holidays(self.country, subdiv=self.subdiv)
        except NotImplementedError as error:
            raise ValueError(
                f"no public holidays known for country {self.country!r}"
                f"{'' if self.subdiv is None else f' subdivision {self.subdiv!r}'} ({error}); "
                f"write an ISO 3166 country code such as 'CN' or 'DE', and a subdivision code "
                f"the holidays package knows (e.g. 'BY') or none"
            ) from None
        return self


class WorkingHoursSpec(BaseModel):
    """``kind: working_hours`` in a contract file. See the module docstring for the rules."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    kind: Literal["working_hours"]
    timezone: str
    hours: dict[str, list[str]]
    holidays: HolidaySource | None = None
    extra_holidays: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)
    #: Holidays every year: ``MM-DD`` or a weekday rule (``last fri of dec``).
    yearly_holidays: list[str] = Field(default_factory=list)
    workday_hours: str = "mon"

    @field_validator("yearly_holidays")
    @classmethod
    def _valid_yearly(cls, value: list[str]) -> list[str]:
        for text in value:
            YearlyDay.parse(text)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; write an IANA zone name such as "
                f"'Asia/Shanghai', 'Europe/Berlin' or 'UTC'"
            ) from None
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        parse_weekly_hours(value)
        return value

    @field_validator("workday_hours")
    @classmethod
    def _valid_workday(cls, value: str) -> str:
        return WEEKDAYS[parse_weekday(value)]

    @model_validator(mode="after")
    def _consistent(self) -> WorkingHoursSpec:
        week = self.weekly_hours()
        if not any(week):
            raise ValueError(
                "hours: no weekday has working hours, so no deadline could ever fall; "
                "give at least one, e.g. {'mon-fri': ['09:00-17:30']}"
            )
        both = sorted(set(self.extra_holidays) & set(self.extra_working_days))
        if both:
            raise ValueError(
                f"{', '.join(day.isoformat() for day in both)} listed both in extra_holidays "
                f"and in extra_working_days; keep each date in one of them"
            )
        makeup_days_possible = self.holidays is not None or any(
            not week[day.weekday()] for day in self.extra_working_days
        )
        if makeup_days_possible and not week[WEEKDAYS.index(self.workday_hours)]:
            raise ValueError(
                f"workday_hours {self.workday_hours!r} names a weekday without working hours, "
                f"but make-up working days take their hours from it; name a weekday that has "
                f"hours, e.g. 'mon'"
            )
        return self

    def weekly_hours(self) -> tuple[DayHours, ...]:
        """The hours of each weekday, Monday first."""
        return parse_weekly_hours(self.hours)


def _country_table(country: str, subdiv: str | None, years: tuple[int, int]) -> Any:
    """``holidays.country_holidays(country, subdiv=subdiv, years=years)``, importing only the
    country's own module.

    The package's loader imports ``holidays.countries``, whose ``__init__`` imports every country
    the package knows (~250 modules, about 0.1 s of CPU: half of what a short ``slaengine
    replay`` costs). A country's module imports only the package's shared parts, so it is loaded
    here from its file under its own name (a later import of ``holidays.countries`` then reuses
    it). Anything unexpected (a renamed module, a relative import) falls back to the package's
    loader, which gives the same table.
    """
    import holidays as holiday_tables
    from holidays.registry import COUNTRIES

    module_name = next((name for name, names in COUNTRIES.items() if country in names), None)
    try:
        if module_name is None:
            raise LookupError(country)
        module = _country_module(module_name)
        entity = getattr(module, country)
    except Exception:  # the package's own loader (and its NotImplementedError for a stranger)
        return holiday_tables.country_holidays(country, subdiv=subdiv, years=years)
    return entity(years=years, subdiv=subdiv)


#: One country module loaded at a time: the judge threads of ``serve`` may ask for the same
#: country at once, and none may see a module whose file is still being run.
_COUNTRY_LOCK = threading.Lock()


def _country_module(name: str) -> ModuleType:
    full = f"holidays.countries.{name}"
    with _COUNTRY_LOCK:
        return sys.modules.get(full) or _load_country_module(full, name)


def _load_country_module(full: str, name: str) -> ModuleType:
    import holidays as holiday_tables

    package = Path(holiday_tables.__file__ or "").parent
    spec = importlib.util.spec_from_file_location(full, package / "countries" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(full)
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[full]
        raise
    return module


@lru_cache(maxsize=256)
def _country_days(
    country: str, subdiv: str | None, year: int
) -> tuple[frozenset[date], frozenset[date]]:
    """Public holidays and make-up working days of `country` in `year`."""
    # A make-up day can be decreed with the next year's holidays (late-December days that bridge
    # to New Year), so the next year is loaded too.
    table = _country_table(country, subdiv, (year, year + 1))
    off = frozenset(day for day in table if day.year == year)
    makeup = frozenset(day for day in table.weekend_workdays if day.year == year)
    return off, makeup


class WorkingHoursCalendar(Calendar):
    """Weekly working hours in a time zone, less holidays, plus make-up working days.

    Precedence of extra days, holidays and make-up days, and the reading of local times on
    daylight-saving changes: see the module docstring. A ``d`` target ends at the same local time
    of day on the Nth working day; when that day's hours start later or end earlier than that
    time, at its first opening or last closing (the working time to the deadline is the same).
    """

    def __init__(self, name: str, spec: WorkingHoursSpec) -> None:
        super().__init__(name)
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._week = spec.weekly_hours()
        self._makeup_hours = self._week[WEEKDAYS.index(spec.workday_hours)]
        self._extra_holidays = frozenset(spec.extra_holidays)
        self._extra_working_days = frozenset(spec.extra_working_days)
        self._yearly = tuple(YearlyDay.parse(text) for text in spec.yearly_holidays)
        self._days: dict[date, tuple[Interval, ...]] = {}

    @classmethod
    def from_spec(cls, name: str, spec: WorkingHoursSpec) -> WorkingHoursCalendar:
        return cls(name, spec)

    def working_intervals(self, start: datetime) -> Iterator[Interval]:
        moment = to_utc(start)
        # Begin with the day before: a previous day's hours ending inside a daylight-saving gap
        # can reach past the local midnight.
        day = moment.astimezone(self.zone).date() - _ONE_DAY
        while True:
            for begin, end in self._day_intervals(day):
                if end > moment:
                    yield max(begin, moment), end
                    moment = end
            day += _ONE_DAY

    def _day_intervals(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a local date, in UTC (empty on a day off)."""
        intervals = self._days.get(day)
        if intervals is None:
            intervals = tuple(
                merge_intervals(
                    [
                        (self._instant(day, start), self._instant(day, end))
                        for start, end in self._hours_on(day)
                    ]
                )
            )
            self._days[day] = intervals
        return intervals

    def _hours_on(self, day: date) -> DayHours:
        own = self._week[day.weekday()]
        if day in self._extra_working_days:
            return own or self._makeup_hours
        if day in self._extra_holidays:
            return ()
        if self._yearly and any(rule.on(day.year) == day for rule in self._yearly):
            return ()
        source = self.spec.holidays
        if source is not None:
            off, makeup = _country_days(source.country, source.subdiv, day.year)
            if day in makeup:
                return own or self._makeup_hours
            if day in off:
                return ()
        return own

    def _instant(self, day: date, minutes: int) -> datetime:
        """`minutes` after local midnight of `day` (24:00 is the next midnight), in UTC."""
        if minutes == _MINUTES_PER_DAY:
            day, minutes = day + _ONE_DAY, 0
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def _days_later(self, begin: datetime, days: int) -> datetime:
        local = begin.astimezone(self.zone)
        day = local.date()
        for _ in range(days):
            day += _ONE_DAY
            while not self._day_intervals(day):
                day += _ONE_DAY
        same_time = datetime.combine(day, local.time().replace(fold=0), tzinfo=self.zone)
        intervals = self._day_intervals(day)
        return min(max(same_time.astimezone(UTC), intervals[0][0]), intervals[-1][1])
