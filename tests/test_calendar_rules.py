"""Calendars: yearly holidays (fixed day, weekday rule), subdivisions, and the loader's
errors for them (docs/contracts.md, "Calendars")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from slaengine.calendars import CalendarSpec, build_calendar
from slaengine.calendars.recurring import YearlyDay
from slaengine.contract import parse_contract
from slaengine.durations import Duration
from slaengine.errors import ContractError

BERLIN = ZoneInfo("Europe/Berlin")
SPECS: TypeAdapter[Any] = TypeAdapter(CalendarSpec)


def calendar(**fields: Any) -> Any:
    spec = SPECS.validate_python(
        {"kind": "working_hours", "timezone": "Europe/Berlin",
         "hours": {"mon-fri": ["09:00-17:00"]}, **fields}
    )  # fmt: skip
    return build_calendar("test", spec)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("last fri of dec", 2027, "2027-12-31"),
        ("first mon of may", 2026, "2026-05-04"),
        ("2nd tue of nov", 2026, "2026-11-10"),
        ("12-24", 2027, "2027-12-24"),
        ("02-29", 2027, None),
        ("02-29", 2028, "2028-02-29"),
    ],
)
def test_yearly_days(text: str, year: int, expected: str | None) -> None:
    day = YearlyDay.parse(text).on(year)
    assert (day.isoformat() if day else None) == expected


def test_yearly_holidays_are_days_off_every_year() -> None:
    office = calendar(yearly_holidays=["last fri of dec", "12-24"])
    # Thursday 30 December 2027 10:00 + 1 working day: Friday 31 December is the last Friday
    # of December, then a weekend → Monday 3 January 2028 10:00
    assert office.deadline(at(2027, 12, 30, 10, 0), Duration.parse("1d")) == at(2028, 1, 3, 10, 0)
    # and the year before: Thursday 24 December 2026 is off, Friday 25th (the last Friday) too
    assert office.deadline(at(2026, 12, 23, 16, 0), Duration.parse("2h")) == at(2026, 12, 28, 10, 0)


@pytest.mark.parametrize(
    ("subdiv", "deadline"), [("BY", at(2026, 1, 7, 10, 0)), ("BE", at(2026, 1, 6, 10, 0))]
)
def test_a_subdivisions_holidays(subdiv: str, deadline: datetime) -> None:
    # 6 January (Epiphany) is a public holiday in Bavaria, not in Berlin
    office = calendar(holidays={"country": "DE", "subdiv": subdiv})
    assert office.deadline(at(2026, 1, 5, 16, 0), Duration.parse("2h")) == deadline


def test_a_bad_yearly_holiday_is_located() -> None:
    text = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    holidays: {country: CN}\n",
        '    holidays: {country: CN}\n    yearly_holidays: ["last fryday of dec"]\n',
        1,
    )
    with pytest.raises(ContractError) as info:
        parse_contract(text, Path("contracts/bad.yaml"))
    (problem,) = info.value.problems
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "fryday" in x)
    assert problem.startswith(f"contracts/bad.yaml:{line}: calendars.office")
    assert "'last fri of dec'" in problem


def test_maintenance_windows_weekly_and_one_off() -> None:
    spec = SPECS.validate_python(
        {"kind": "working_hours", "timezone": "Asia/Shanghai", "hours": {"sun": ["02:00-04:00"]},
         "extra_working_days": ["2026-10-01"], "workday_hours": "sun"}
    )  # fmt: skip
    windows = build_calendar("maintenance", spec)
    shanghai = ZoneInfo("Asia/Shanghai")
    week = (datetime(2026, 9, 28, tzinfo=shanghai), datetime(2026, 10, 5, tzinfo=shanghai))
    # Thursday 1 October (one-off) and Sunday 4 October: 2 h each
    assert windows.working_seconds(*week) == 4 * 3600


def test_months_are_added_as_dateutil_adds_them() -> None:
    # durations.add_months stands in for relativedelta(months=...) on every start-up path
    # (issue 23); it must clamp month ends and keep the time of day and the zone the same way.
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from dateutil.relativedelta import relativedelta

    from slaengine.durations import Duration, add_months

    day = date(1999, 1, 1)
    zone = ZoneInfo("Asia/Shanghai")
    while day < date(2031, 1, 1):
        moment = datetime(day.year, day.month, day.day, 13, 45, tzinfo=zone)
        for months in (-25, -12, -1, 1, 2, 3, 11, 12, 13, 48):
            assert add_months(day, months) == day + relativedelta(months=months)
            assert add_months(moment, months) == moment + relativedelta(months=months)
        assert Duration.parse("3y").add_to(day) == day + relativedelta(years=3)
        day += timedelta(days=1)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
