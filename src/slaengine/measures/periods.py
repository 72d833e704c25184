"""The periods a measure is judged over: calendar months or quarters in the contract's time
zone, or contract years from acceptance; the first starts at acceptance (so the first month
of a contract accepted on the 15th is a part month), the last is the one ``as_of`` falls in."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _next_boundary(day: date, period: str, accepted_on: date) -> date:
    if period == "month":
        return (day.replace(day=1)) + relativedelta(months=1)
    if period == "quarter":
        first = day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
        return first + relativedelta(months=3)
    # contract_year: the next anniversary of acceptance after ``day`` (month ends clamp)
    years = 1
    while accepted_on + relativedelta(years=years) <= day:
        years += 1
    return accepted_on + relativedelta(years=years)


def measure_periods(
    period: str, accepted_on: date, zone: ZoneInfo, as_of: datetime
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` of every period from acceptance up to the one containing ``as_of``."""
    spans: list[tuple[datetime, datetime]] = []
    day = accepted_on
    start = _midnight(day, zone)
    while start < as_of:
        following = _next_boundary(day, period, accepted_on)
        end = _midnight(following, zone)
        spans.append((start, end))
        day, start = following, end
    return spans
