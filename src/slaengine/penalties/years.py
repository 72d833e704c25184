"""Contract years: year 1 runs from acceptance (midnight of ``accepted_on`` in the contract's
time zone) up to, not including, the same calendar date a year later; year 2 follows, and so on.
A 29 February acceptance clamps to 28 February in the years that lack it, as warranty terms do.
Anything before acceptance counts to year 1: there is no year 0 to cap.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from slaengine.contract.models import Contract
from slaengine.durations import add_months
from slaengine.spans import days_text


def local_midnight(contract: Contract, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(contract.timezone))


@lru_cache(maxsize=4096)
def _year_start(accepted_on: date, zone: str, year: int) -> datetime:
    return datetime.combine(add_months(accepted_on, 12 * (year - 1)), time(0), ZoneInfo(zone))


def year_start(contract: Contract, year: int) -> datetime:
    """The first instant of contract year ``year`` (1-based); cached, as every line asks."""
    return _year_start(contract.acceptance, contract.timezone, year)


def contract_year(contract: Contract, when: datetime) -> int:
    """The contract year ``when`` falls in: 1, and one more for each later year begun by
    ``when`` (every line asks: the years' starts are kept as timestamps, for a bisection)."""
    at = when.timestamp()
    key = (contract.acceptance, contract.timezone)
    starts = _LATER_STARTS.get(key)
    if starts is None or starts[-1] <= at:
        starts = _LATER_STARTS[key] = _later_starts(*key, at)
    return 1 + bisect_right(starts, at)


#: By (acceptance day, time zone): the starts of contract years 2, 3, ... as timestamps, up to
#: the first after the latest time asked about. Replaced whole, never changed in place (threads).
_LATER_STARTS: dict[tuple[date, str], tuple[float, ...]] = {}


def _later_starts(accepted_on: date, zone: str, at: float) -> tuple[float, ...]:
    starts: list[float] = []
    year = 2
    while not starts or starts[-1] <= at:
        starts.append(_year_start(accepted_on, zone, year).timestamp())
        year += 1
    return tuple(starts)


def year_span_text(contract: Contract, year: int) -> str:
    """``2026-01-15 – 2027-01-14``: the dates of a contract year, both inclusive."""
    first = year_start(contract, year).date()
    last = year_start(contract, year + 1).date() - timedelta(days=1)
    return days_text(first, last)
