"""The periods a measure is judged over: calendar months, quarters, weeks (Monday to Sunday) or
days in the contract's time zone, contract years from acceptance, or a fixed length (``5m``,
``8h``) one after another from acceptance; the first starts at acceptance (so the first month
of a contract accepted on the 15th is a part month, its first week may be a part week), the last
is the one ``as_of`` falls in."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slaengine.contract.models import NAMED_PERIODS
from slaengine.durations import Duration, add_months


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _next_boundary(day: date, period: str, accepted_on: date) -> date:
    if period == "month":
        return add_months(day.replace(day=1), 1)
    if period == "day":
        return day + timedelta(days=1)
    if period == "week":
        return day + timedelta(days=7 - day.weekday())  # the next Monday
    if period == "quarter":
        first = day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
        return add_months(first, 3)
    # contract_year: the next anniversary of acceptance after ``day`` (month ends clamp)
    years = 1
    while add_months(accepted_on, 12 * years) <= day:
        years += 1
    return add_months(accepted_on, 12 * years)


def measure_periods(
    period: str, accepted_on: date, zone: ZoneInfo, as_of: datetime
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` of every period from acceptance up to the one containing ``as_of``."""
    spans: list[tuple[datetime, datetime]] = []
    day = accepted_on
    start = _midnight(day, zone)
    if period not in NAMED_PERIODS:
        # a fixed length, on real (UTC) time from acceptance's midnight
        length = Duration.parse(period).seconds
        origin = start.timestamp()
        count = max(0, math.ceil((as_of.timestamp() - origin) / length))
        return [
            (
                datetime.fromtimestamp(origin + n * length, zone),
                datetime.fromtimestamp(origin + (n + 1) * length, zone),
            )
            for n in range(count)
        ]
    while start < as_of:
        following = _next_boundary(day, period, accepted_on)
        end = _midnight(following, zone)
        spans.append((start, end))
        day, start = following, end
    return spans
