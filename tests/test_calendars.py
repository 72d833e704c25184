"""Calendars: worked examples computed by hand, and properties that tie the operations together.

Dates used (2026): Mon 03-02 .. Fri 03-06 an ordinary week; Europe/Berlin and America/New_York
change clocks on Sun 03-29 / Sun 10-25 and Sun 03-08 / Sun 11-01; China's National Day holiday
runs Thu 10-01 .. Wed 10-07 with make-up working days Sun 09-20 and Sat 10-10.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import slaengine.calendars as calendars
from slaengine.calendars import (
    AlwaysCalendar,
    AlwaysSpec,
    Calendar,
    CalendarSpec,
    Interval,
    WorkingHoursCalendar,
    WorkingHoursSpec,
    build_calendar,
    register,
)
from slaengine.durations import Duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SPECS: TypeAdapter[Any] = TypeAdapter(CalendarSpec)


def _wall_clock(zone: tzinfo) -> Callable[..., datetime]:
    def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=zone)

    return at


sh = _wall_clock(SHANGHAI)
berlin = _wall_clock(BERLIN)
ny = _wall_clock(NEW_YORK)
utc = _wall_clock(UTC)


def d(text: str) -> Duration:
    return Duration.parse(text)


def working_hours(**fields: Any) -> WorkingHoursCalendar:
    spec = SPECS.validate_python({"kind": "working_hours", **fields})
    calendar = build_calendar("test", spec)
    assert isinstance(calendar, WorkingHoursCalendar)
    return calendar


def office(**fields: Any) -> WorkingHoursCalendar:
    """The example tender's ``office`` calendar (reference section 8)."""
    spec: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "hours": {"mon-fri": ["09:00-17:30"]},
        "holidays": {"country": "CN"},
    }
    return working_hours(**{**spec, **fields})


def same_instant_and_offset(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert actual.utcoffset() == expected.utcoffset()


# --- 24x7 --------------------------------------------------------------------------------------

ALWAYS = AlwaysCalendar("always")
START = sh(2026, 3, 2, 10, 0)


def test_always_deadline_is_start_plus_target() -> None:
    assert ALWAYS.deadline(START, d("3m")) == sh(2026, 3, 2, 10, 3)
    assert ALWAYS.deadline(START, d("1h")) == sh(2026, 3, 2, 11, 0)
    assert ALWAYS.deadline(START, d("3d")) == sh(2026, 3, 5, 10, 0)


def test_always_pause_after_start_delays_by_its_length() -> None:
    pause = (sh(2026, 3, 2, 10, 5), sh(2026, 3, 2, 10, 15))
    assert ALWAYS.deadline(START, d("30m"), [pause]) == sh(2026, 3, 2, 10, 40)


def test_always_pause_covering_start_delays_by_the_part_after_start() -> None:
    pause = (sh(2026, 3, 2, 9, 50), sh(2026, 3, 2, 10, 10))
    assert ALWAYS.deadline(START, d("30m"), [pause]) == sh(2026, 3, 2, 10, 40)


def test_always_pauses_before_start_or_after_deadline_change_nothing() -> None:
    before = (sh(2026, 3, 2, 8, 0), sh(2026, 3, 2, 9, 0))
    after = (sh(2026, 3, 2, 10, 30), sh(2026, 3, 2, 12, 0))
    assert ALWAYS.deadline(START, d("30m"), [before, after]) == sh(2026, 3, 2, 10, 30)


def test_always_overlapping_unsorted_pauses_count_once() -> None:
    pauses = [
        (sh(2026, 3, 2, 10, 10), sh(2026, 3, 2, 10, 20)),
        (sh(2026, 3, 2, 10, 5), sh(2026, 3, 2, 10, 15)),
    ]
    assert ALWAYS.deadline(START, d("30m"), pauses) == sh(2026, 3, 2, 10, 45)
    assert ALWAYS.working_seconds(START, sh(2026, 3, 2, 11, 0), pauses) == 45 * 60


def test_always_time_running_out_as_a_pause_begins_ends_there() -> None:
    pause = (sh(2026, 3, 2, 10, 3), sh(2026, 3, 2, 10, 10))
    assert ALWAYS.deadline(START, d("3m"), [pause]) == sh(2026, 3, 2, 10, 3)


def test_always_day_target_with_pause_is_pushed_by_the_pause() -> None:
    pause = (sh(2026, 3, 3, 9, 0), sh(2026, 3, 3, 11, 0))
    assert ALWAYS.deadline(START, d("3d"), [pause]) == sh(2026, 3, 5, 12, 0)


def test_always_counts_elapsed_time_across_daylight_saving() -> None:
    # Berlin springs forward on 2026-03-29: 24 h after Saturday 12:00 CET is Sunday 13:00 CEST.
    start = berlin(2026, 3, 28, 12, 0)
    same_instant_and_offset(ALWAYS.deadline(start, d("1d")), berlin(2026, 3, 29, 13, 0))
    same_instant_and_offset(
        ALWAYS.deadline(berlin(2026, 3, 29, 1, 30), d("1h")), berlin(2026, 3, 29, 3, 30)
    )
    assert ALWAYS.working_seconds(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0)) == 23 * 3600
    pause = (berlin(2026, 3, 29, 1, 0), berlin(2026, 3, 29, 4, 0))  # 2 h of real time
    same_instant_and_offset(ALWAYS.deadline(start, d("1d"), [pause]), berlin(2026, 3, 29, 15, 0))


def test_always_advance_by_zero_leaves_a_pause() -> None:
    pause = (sh(2026, 3, 2, 9, 0), sh(2026, 3, 2, 10, 30))
    assert ALWAYS.advance(START, 0) == START
    assert ALWAYS.advance(START, 0, [pause]) == sh(2026, 3, 2, 10, 30)
    assert ALWAYS.is_working(START)
    assert ALWAYS.next_working_moment(START) == START


def test_always_working_seconds() -> None:
    pause = (sh(2026, 3, 2, 9, 0), sh(2026, 3, 2, 10, 30))
    assert ALWAYS.working_seconds(START, sh(2026, 3, 2, 11, 0)) == 3600
    assert ALWAYS.working_seconds(START, sh(2026, 3, 2, 11, 0), [pause]) == 1800
    assert ALWAYS.working_seconds(START, sh(2026, 3, 2, 9, 0)) == 0


def test_always_keeps_the_start_offset() -> None:
    start = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
    assert ALWAYS.deadline(start, d("3m")).isoformat() == "2026-03-02T09:03:00+08:00"


# --- office hours, Asia/Shanghai, Chinese holidays ---------------------------------------------


def test_office_minutes_target_continues_on_the_next_working_day() -> None:
    # Friday 17:29: one minute left that day, two more from Monday 09:00.
    assert office().deadline(sh(2026, 3, 6, 17, 29), d("3m")) == sh(2026, 3, 9, 9, 2)


def test_office_time_running_out_at_closing_ends_at_closing() -> None:
    assert office().deadline(sh(2026, 3, 6, 17, 27), d("3m")) == sh(2026, 3, 6, 17, 30)


def test_office_start_on_saturday_counts_from_monday_opening() -> None:
    calendar = office()
    saturday = sh(2026, 3, 7, 11, 0)
    assert not calendar.is_working(saturday)
    assert calendar.next_working_moment(saturday) == sh(2026, 3, 9, 9, 0)
    assert calendar.deadline(saturday, d("3m")) == sh(2026, 3, 9, 9, 3)
    assert calendar.deadline(saturday, d("1h")) == sh(2026, 3, 9, 10, 0)
    assert calendar.deadline(saturday, d("1d")) == sh(2026, 3, 10, 9, 0)


def test_office_working_seconds_over_a_week() -> None:
    # Mon..Fri 8.5 h each.
    assert office().working_seconds(sh(2026, 3, 2, 0, 0), sh(2026, 3, 9, 0, 0)) == 5 * 8.5 * 3600


def test_split_shift_skips_the_lunch_break() -> None:
    calendar = office(hours={"mon-fri": ["13:30-17:30", "09:00-12:00"]})
    assert calendar.is_working(sh(2026, 3, 2, 11, 59))
    assert not calendar.is_working(sh(2026, 3, 2, 12, 0))
    assert not calendar.is_working(sh(2026, 3, 2, 13, 29))
    assert calendar.is_working(sh(2026, 3, 2, 13, 30))
    # 11:30-12:00 then 13:30-14:00.
    assert calendar.deadline(sh(2026, 3, 2, 11, 30), d("1h")) == sh(2026, 3, 2, 14, 0)
    # A start in the break counts from 13:30.
    assert calendar.deadline(sh(2026, 3, 2, 12, 15), d("30m")) == sh(2026, 3, 2, 14, 0)
    assert calendar.working_seconds(sh(2026, 3, 2, 9, 0), sh(2026, 3, 2, 18, 0)) == 7 * 3600
    assert list(zip(range(3), calendar.working_intervals(sh(2026, 3, 2, 10, 0)), strict=False)) == [
        (0, (utc(2026, 3, 2, 2, 0), utc(2026, 3, 2, 4, 0))),
        (1, (utc(2026, 3, 2, 5, 30), utc(2026, 3, 2, 9, 30))),
        (2, (utc(2026, 3, 3, 1, 0), utc(2026, 3, 3, 4, 0))),
    ]


def test_the_holidays_package_knows_national_day_2026() -> None:
    cn = holidays.country_holidays("CN", years=2026)
    assert all(
        date(2026, 10, day) in cn or date(2026, 10, day).weekday() >= 5 for day in range(1, 8)
    )
    assert not any(cn.is_working_day(date(2026, 10, day)) for day in range(1, 8))
    assert cn.is_working_day(date(2026, 10, 10))  # Saturday
    assert cn.is_working_day(date(2026, 9, 20))  # Sunday


def test_national_day_three_working_days() -> None:
    # Working days after Wed 09-30: Thu 10-08 (1), Fri 10-09 (2), Sat 10-10, a make-up day (3).
    calendar = office()
    assert calendar.deadline(sh(2026, 9, 30, 10, 0), d("3d")) == sh(2026, 10, 10, 10, 0)
    for day in range(1, 8):
        assert not calendar.is_working(sh(2026, 10, day, 10, 0))
    assert calendar.working_seconds(sh(2026, 9, 30, 17, 30), sh(2026, 10, 8, 9, 0)) == 0
    # Half an hour on 09-30, the other half on 10-08.
    assert calendar.deadline(sh(2026, 9, 30, 17, 0), d("1h")) == sh(2026, 10, 8, 9, 30)


def test_make_up_sunday_works_with_monday_hours() -> None:
    calendar = office()
    assert calendar.is_working(sh(2026, 9, 20, 10, 0))
    assert not calendar.is_working(sh(2026, 9, 19, 10, 0))  # the Saturday before is off
    # Friday 17:00: half an hour on Friday, the rest on Sunday from 09:00.
    assert calendar.deadline(sh(2026, 9, 18, 17, 0), d("1h")) == sh(2026, 9, 20, 9, 30)
    assert calendar.working_seconds(sh(2026, 9, 20, 0, 0), sh(2026, 9, 21, 0, 0)) == 8.5 * 3600


def test_make_up_day_hours_come_from_workday_hours() -> None:
    calendar = office(
        hours={"mon": ["09:00-17:30"], "tue-fri": ["10:00-16:00"]}, workday_hours="wed"
    )
    assert calendar.next_working_moment(sh(2026, 9, 19, 12, 0)) == sh(2026, 9, 20, 10, 0)
    assert calendar.working_seconds(sh(2026, 9, 20, 0, 0), sh(2026, 9, 21, 0, 0)) == 6 * 3600


def test_make_up_day_on_a_weekday_with_hours_keeps_its_own_hours() -> None:
    calendar = office(hours={"mon-fri": ["09:00-17:30"], "sat": ["09:00-12:00"]})
    assert calendar.working_seconds(sh(2026, 10, 10, 0, 0), sh(2026, 10, 11, 0, 0)) == 3 * 3600
    # 10-03 is a Saturday inside the holiday: off even though Saturdays have hours.
    assert calendar.working_seconds(sh(2026, 10, 3, 0, 0), sh(2026, 10, 4, 0, 0)) == 0


def test_without_country_holidays_national_day_is_worked() -> None:
    calendar = office(holidays=None)
    assert calendar.deadline(sh(2026, 9, 30, 10, 0), d("3d")) == sh(2026, 10, 5, 10, 0)
    assert not calendar.is_working(sh(2026, 9, 20, 10, 0))


def test_extra_holidays_and_extra_working_days() -> None:
    calendar = office(
        holidays=None,
        extra_holidays=["2026-03-03"],
        extra_working_days=["2026-03-07"],
    )
    # Monday 17:00: half an hour, Tuesday is off, the rest Wednesday.
    assert calendar.deadline(sh(2026, 3, 2, 17, 0), d("1h")) == sh(2026, 3, 4, 9, 30)
    # Friday 17:00: the extra Saturday works with Monday's hours.
    assert calendar.deadline(sh(2026, 3, 6, 17, 0), d("1h")) == sh(2026, 3, 7, 9, 30)
    # 1d from Monday 10:00: Tuesday off, so Wednesday 10:00.
    assert calendar.deadline(sh(2026, 3, 2, 10, 0), d("1d")) == sh(2026, 3, 4, 10, 0)


def test_extra_days_override_country_holidays() -> None:
    calendar = office(extra_working_days=["2026-10-01"], extra_holidays=["2026-10-10"])
    assert calendar.is_working(sh(2026, 10, 1, 10, 0))
    assert not calendar.is_working(sh(2026, 10, 10, 10, 0))


def test_day_target_keeps_time_of_day() -> None:
    calendar = office()
    # Friday 16:00 + 3d: Mon, Tue, Wed.
    assert calendar.deadline(sh(2026, 3, 6, 16, 0), d("3d")) == sh(2026, 3, 11, 16, 0)
    # A start after closing moves to Monday 09:00 first.
    assert calendar.deadline(sh(2026, 3, 6, 18, 0), d("1d")) == sh(2026, 3, 10, 9, 0)


def test_day_target_clamps_into_a_shorter_day() -> None:
    calendar = office(hours={"mon-thu": ["09:00-17:30"], "fri": ["10:00-15:00"]})
    # Thursday 16:00 + 1d: Friday closes at 15:00.
    assert calendar.deadline(sh(2026, 3, 5, 16, 0), d("1d")) == sh(2026, 3, 6, 15, 0)
    # Thursday 09:30 + 1d: Friday opens at 10:00.
    assert calendar.deadline(sh(2026, 3, 5, 9, 30), d("1d")) == sh(2026, 3, 6, 10, 0)


def test_month_and_year_targets_are_refused() -> None:
    for calendar in (ALWAYS, office()):
        for target in ("3mo", "1y"):
            with pytest.raises(ValueError, match="not a clock target"):
                calendar.deadline(START, d(target))


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    for calendar in (ALWAYS, office()):
        with pytest.raises(ValueError, match="no time zone"):
            calendar.deadline(naive, d("3m"))
        with pytest.raises(ValueError, match="no time zone"):
            calendar.working_seconds(naive, START)


# --- excluded time on working hours ------------------------------------------------------------


def test_pause_inside_working_hours_delays() -> None:
    pause = (sh(2026, 3, 2, 9, 30), sh(2026, 3, 2, 9, 45))
    assert office().deadline(sh(2026, 3, 2, 9, 0), d("1h"), [pause]) == sh(2026, 3, 2, 10, 15)


def test_pause_outside_working_hours_changes_nothing() -> None:
    calendar = office()
    start = sh(2026, 3, 2, 17, 0)
    evening = (sh(2026, 3, 2, 18, 0), sh(2026, 3, 3, 8, 0))
    assert calendar.deadline(start, d("1h")) == sh(2026, 3, 3, 9, 30)
    assert calendar.deadline(start, d("1h"), [evening]) == sh(2026, 3, 3, 9, 30)
    weekend = (sh(2026, 3, 7, 0, 0), sh(2026, 3, 9, 0, 0))
    assert calendar.deadline(sh(2026, 3, 6, 10, 0), d("1d"), [weekend]) == sh(2026, 3, 9, 10, 0)


def test_pause_partly_in_working_hours_counts_the_working_part() -> None:
    calendar = office()
    start = sh(2026, 3, 2, 17, 0)
    pause = (sh(2026, 3, 2, 17, 15), sh(2026, 3, 3, 9, 10))  # 15 min + 10 min of working time
    assert calendar.deadline(start, d("1h"), [pause]) == sh(2026, 3, 3, 9, 55)
    # 17:00-17:15 and 09:10-10:00.
    assert calendar.working_seconds(start, sh(2026, 3, 3, 10, 0), [pause]) == 65 * 60


def test_overlapping_unsorted_pauses_on_working_hours() -> None:
    pauses = [
        (sh(2026, 3, 2, 9, 40), sh(2026, 3, 2, 10, 0)),
        (sh(2026, 3, 2, 9, 30), sh(2026, 3, 2, 9, 45)),
    ]
    assert office().deadline(sh(2026, 3, 2, 9, 0), d("1h"), pauses) == sh(2026, 3, 2, 10, 30)


def test_pause_covering_the_start_and_beyond_the_span() -> None:
    calendar = office()
    pause = (sh(2026, 3, 2, 8, 0), sh(2026, 3, 2, 9, 30))
    assert calendar.working_seconds(sh(2026, 3, 2, 9, 0), sh(2026, 3, 2, 10, 0), [pause]) == 1800
    assert calendar.deadline(sh(2026, 3, 2, 9, 0), d("1h"), [pause]) == sh(2026, 3, 2, 10, 30)
    assert calendar.advance(sh(2026, 3, 2, 8, 0), 0, [pause]) == sh(2026, 3, 2, 9, 30)


def test_day_target_is_pushed_by_paused_working_time() -> None:
    calendar = office()
    start = sh(2026, 3, 2, 10, 0)  # 3d -> Thursday 10:00
    # Tue 16:00-17:30 and Wed 09:00-10:00 are working: 2.5 h later.
    pause = (sh(2026, 3, 3, 16, 0), sh(2026, 3, 4, 10, 0))
    assert calendar.deadline(start, d("3d"), [pause]) == sh(2026, 3, 5, 12, 30)
    # A pause over the nominal deadline: 1 h lost before it, counted from the pause's end.
    over = (sh(2026, 3, 5, 9, 0), sh(2026, 3, 5, 11, 0))
    assert calendar.deadline(start, d("3d"), [over]) == sh(2026, 3, 5, 12, 0)


# --- daylight saving ---------------------------------------------------------------------------


def test_hours_on_the_spring_forward_day_are_wall_clock_hours() -> None:
    calendar = working_hours(timezone="Europe/Berlin", hours={"mon-sun": ["09:00-17:00"]})
    sunday = calendar.working_seconds(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0))
    assert sunday == 8 * 3600
    # Saturday 16:00 CET + 2 h: 1 h Saturday, 1 h from 09:00 CEST (07:00 UTC) Sunday.
    deadline = calendar.deadline(berlin(2026, 3, 28, 16, 0), d("2h"))
    same_instant_and_offset(deadline, berlin(2026, 3, 29, 10, 0))
    assert deadline == utc(2026, 3, 29, 8, 0)


def test_whole_days_are_23_and_25_hours_on_change_days() -> None:
    calendar = working_hours(timezone="Europe/Berlin", hours={"mon-sun": ["00:00-24:00"]})
    spring = calendar.working_seconds(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0))
    autumn = calendar.working_seconds(berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 26, 0, 0))
    assert (spring, autumn) == (23 * 3600, 25 * 3600)
    new_york = working_hours(timezone="America/New_York", hours={"mon-sun": ["00:00-24:00"]})
    assert new_york.working_seconds(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)) == 25 * 3600
    assert new_york.working_seconds(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)) == 23 * 3600


def test_night_hours_across_the_change() -> None:
    calendar = working_hours(timezone="Europe/Berlin", hours={"mon-sun": ["01:00-04:00"]})
    # Spring: 01:00 CET .. 04:00 CEST is 00:00Z .. 02:00Z.
    assert calendar.working_seconds(berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)) == 2 * 3600
    # Autumn: 01:00 CEST .. 04:00 CET is 23:00Z .. 03:00Z.
    assert calendar.working_seconds(berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)) == 4 * 3600


def test_hours_starting_in_the_gap_use_the_offset_before_it() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin; read with CET it is 01:30Z (03:30 CEST).
    calendar = working_hours(timezone="Europe/Berlin", hours={"mon-sun": ["02:30-05:00"]})
    same_instant_and_offset(
        calendar.next_working_moment(berlin(2026, 3, 29, 0, 0)), berlin(2026, 3, 29, 3, 30)
    )
    assert calendar.working_seconds(berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)) == 1.5 * 3600


def test_hours_targets_across_weekend_changes() -> None:
    berlin_office = working_hours(timezone="Europe/Berlin", hours={"mon-fri": ["09:00-17:00"]})
    same_instant_and_offset(
        berlin_office.deadline(berlin(2026, 3, 27, 16, 0), d("2h")), berlin(2026, 3, 30, 10, 0)
    )
    same_instant_and_offset(
        berlin_office.deadline(berlin(2026, 10, 23, 16, 0), d("2h")), berlin(2026, 10, 26, 10, 0)
    )
    ny_office = working_hours(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
    deadline = ny_office.deadline(ny(2026, 10, 30, 16, 0), d("2h"))
    same_instant_and_offset(deadline, ny(2026, 11, 2, 10, 0))
    assert deadline == utc(2026, 11, 2, 15, 0)


def test_day_targets_keep_local_time_across_changes() -> None:
    berlin_office = working_hours(timezone="Europe/Berlin", hours={"mon-fri": ["09:00-17:00"]})
    start = berlin(2026, 3, 27, 10, 0)
    deadline = berlin_office.deadline(start, d("1d"))
    same_instant_and_offset(deadline, berlin(2026, 3, 30, 10, 0))
    # Real elapsed time (subtracting in UTC: Python subtracts same-zone datetimes as wall clock).
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=71)
    autumn = berlin_office.deadline(berlin(2026, 10, 23, 10, 0), d("1d"))
    same_instant_and_offset(autumn, berlin(2026, 10, 26, 10, 0))
    ny_office = working_hours(timezone="America/New_York", hours={"mon-fri": ["09:00-17:00"]})
    spring = ny_office.deadline(ny(2026, 3, 6, 10, 0), d("1d"))
    same_instant_and_offset(spring, ny(2026, 3, 9, 10, 0))
    assert spring == utc(2026, 3, 9, 14, 0)


def test_results_come_back_in_the_callers_zone() -> None:
    start = datetime.fromisoformat("2026-03-06T17:29:00+08:00")
    assert office().deadline(start, d("3m")).isoformat() == "2026-03-09T09:02:00+08:00"
    in_utc = office().deadline(start.astimezone(UTC), d("3m"))
    assert in_utc.isoformat() == "2026-03-09T01:02:00+00:00"


# --- contract file specs and the registry ------------------------------------------------------


def test_build_calendar_by_kind() -> None:
    always = build_calendar("always", SPECS.validate_python({"kind": "24x7"}))
    assert isinstance(always, AlwaysCalendar)
    assert always.name == "always"
    built = office()
    assert isinstance(built, Calendar)
    assert built.name == "test"


def test_register_a_new_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendars, "_FACTORIES", dict(calendars._FACTORIES))
    register("always_too", lambda name, spec: AlwaysCalendar(name))
    spec = AlwaysSpec.model_construct(kind="always_too")  # type: ignore[arg-type]
    assert isinstance(build_calendar("x", spec), AlwaysCalendar)
    with pytest.raises(ValueError, match="already registered"):
        register("24x7", AlwaysCalendar.from_spec)


def test_unknown_kind_names_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendars, "_FACTORIES", {"24x7": AlwaysCalendar.from_spec})
    with pytest.raises(ValueError, match="known kinds: 24x7"):
        build_calendar("office", office().spec)


def test_sun_thu_range_wraps_the_week() -> None:
    calendar = working_hours(timezone="Asia/Jerusalem", hours={"sun-thu": ["08:00-16:00"]})
    week = calendar.spec.weekly_hours()
    assert [bool(hours) for hours in week] == [True, True, True, True, False, False, True]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Asia/Shang_hai"}, "unknown time zone 'Asia/Shang_hai'"),
        ({"hours": {"mon-fri": ["9-17"]}}, "'9-17' is not a time range; write 'HH:MM-HH:MM'"),
        ({"hours": {"mon-fri": ["17:30-09:00"]}}, "does not end after it starts"),
        ({"hours": {"mon": ["09:00-25:00"]}}, "ends after midnight"),
        ({"hours": {"mon": ["09:75-10:00"]}}, "not a time of day"),
        ({"hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}, "overlap"),
        ({"hours": {"monday": ["09:00-12:00"]}}, "'monday' is not a weekday"),
        ({"hours": {"mon-fri": ["09:00-17:00"], "fri": ["09:00-12:00"]}}, "fri is given twice"),
        ({"hours": {"sat": []}}, "no weekday has working hours"),
        ({"holidays": {"country": "XX"}}, "no public holidays known for country 'XX'"),
        ({"holidays": {"country": "CN", "subdiv": "ZZ"}}, "subdivision 'ZZ'"),
        ({"workday_hours": "sat"}, "workday_hours 'sat' names a weekday without working hours"),
        ({"workday_hours": "funday"}, "'funday' is not a weekday"),
        (
            {"extra_holidays": ["2026-03-03"], "extra_working_days": ["2026-03-03"]},
            "2026-03-03 listed both",
        ),
        ({"hour": {"mon": ["09:00-17:00"]}}, "Extra inputs are not permitted"),
    ],
)
def test_spec_errors_say_what_would_be_right(fields: dict[str, Any], message: str) -> None:
    spec: dict[str, Any] = {
        "kind": "working_hours",
        "timezone": "Asia/Shanghai",
        "hours": {"mon-fri": ["09:00-17:30"]},
        "holidays": {"country": "CN"},
        **fields,
    }
    with pytest.raises(ValidationError, match=message):
        SPECS.validate_python(spec)


def test_workday_hours_without_hours_is_fine_when_no_make_up_day_can_occur() -> None:
    spec = WorkingHoursSpec(
        kind="working_hours", timezone="UTC", hours={"tue-sat": ["09:00-17:00"]}
    )
    assert spec.workday_hours == "mon"


def test_spec_round_trips() -> None:
    spec = office(extra_holidays=["2026-03-03"]).spec
    assert SPECS.validate_python(spec.model_dump(mode="json")) == spec


# --- properties --------------------------------------------------------------------------------

BASE = utc(2026, 1, 1)
LUNCH_OFFICE = office(hours={"mon-fri": ["09:00-12:00", "13:30-17:30"], "sat": ["10:00-12:00"]})
BERLIN_OFFICE = working_hours(
    timezone="Europe/Berlin",
    hours={"mon-fri": ["08:00-12:00", "13:00-17:00"], "sun": ["01:00-04:00"]},
)
ROUND_THE_CLOCK_UTC = working_hours(timezone="UTC", hours={"mon-sun": ["00:00-24:00"]})

moments = st.integers(min_value=0, max_value=366 * 24 * 60).map(
    lambda minutes: BASE + timedelta(minutes=minutes)
)
spans = st.lists(
    st.tuples(st.integers(-3 * 24 * 60, 20 * 24 * 60), st.integers(0, 3 * 24 * 60)), max_size=4
)
amounts = st.integers(min_value=0, max_value=200 * 3600)


def excluded_near(start: datetime, offsets: list[tuple[int, int]]) -> list[Interval]:
    return [
        (start + timedelta(minutes=begin), start + timedelta(minutes=begin + length))
        for begin, length in offsets
    ]


@settings(max_examples=150, deadline=None)
@given(
    calendar=st.sampled_from([LUNCH_OFFICE, BERLIN_OFFICE, ALWAYS]),
    start=moments,
    seconds=amounts,
    offsets=spans,
)
def test_advance_and_working_seconds_are_inverse(
    calendar: Calendar, start: datetime, seconds: int, offsets: list[tuple[int, int]]
) -> None:
    excluded = excluded_near(start, offsets)
    end = calendar.advance(start, seconds, excluded)
    assert end >= start
    assert calendar.working_seconds(start, end, excluded) == seconds
    # The first such moment: none of the counted time lies after it.
    assert calendar.advance(start, calendar.working_seconds(start, end, excluded), excluded) == end


@settings(max_examples=150, deadline=None)
@given(
    calendar=st.sampled_from([LUNCH_OFFICE, BERLIN_OFFICE, ALWAYS]),
    start=moments,
    minutes=st.integers(0, 30 * 24 * 60),
    offsets=spans,
)
def test_working_seconds_is_additive(
    calendar: Calendar, start: datetime, minutes: int, offsets: list[tuple[int, int]]
) -> None:
    excluded = excluded_near(start, offsets)
    end = start + timedelta(minutes=minutes)
    middle = start + timedelta(minutes=minutes // 3)
    whole = calendar.working_seconds(start, end, excluded)
    parts = calendar.working_seconds(start, middle, excluded) + calendar.working_seconds(
        middle, end, excluded
    )
    assert whole == parts
    assert whole <= calendar.working_seconds(start, end)


@settings(max_examples=150, deadline=None)
@given(
    start=moments,
    target=st.sampled_from(["30s", "3m", "15m", "1h", "24h", "1d", "3d"]),
    offsets=spans,
)
def test_always_fast_path_agrees_with_the_general_walk(
    start: datetime, target: str, offsets: list[tuple[int, int]]
) -> None:
    excluded = excluded_near(start, offsets)
    duration = d(target)
    expected = ROUND_THE_CLOCK_UTC.deadline(start, d(f"{duration.seconds}s"), excluded)
    assert ALWAYS.deadline(start, duration, excluded) == expected
    if not excluded:
        assert ALWAYS.deadline(start, duration) == start + duration.timedelta
    end = start + timedelta(days=2)
    assert ALWAYS.working_seconds(start, end, excluded) == ROUND_THE_CLOCK_UTC.working_seconds(
        start, end, excluded
    )


def has_working_time(calendar: Calendar, day: date) -> bool:
    midnight = datetime.combine(day, datetime.min.time(), SHANGHAI)
    return calendar.working_seconds(midnight, midnight + timedelta(days=1)) > 0


@settings(max_examples=100, deadline=None)
@given(start=moments, days=st.integers(1, 10))
def test_day_target_is_the_nth_working_day_at_the_same_time(start: datetime, days: int) -> None:
    calendar = office()
    begin = calendar.next_working_moment(start).astimezone(SHANGHAI)
    deadline = calendar.deadline(start, d(f"{days}d")).astimezone(SHANGHAI)
    assert deadline.time() == begin.time()
    assert calendar.is_working(deadline)
    later_days = (begin.date() + timedelta(days=n) for n in range(1, 40))
    working_days = [day for day in later_days if has_working_time(calendar, day)]
    assert deadline.date() == working_days[days - 1]
