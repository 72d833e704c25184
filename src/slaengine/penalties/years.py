"""Contract years: year 1 runs from acceptance (midnight of ``accepted_on`` in the contract's
time zone) up to, not including, the same calendar date a year later; year 2 follows, and so on.
A 29 February acceptance clamps to 28 February in the years that lack it, as warranty terms do.
Anything before acceptance counts to year 1: there is no year 0 to cap.
"""

from __future__ import annotations

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
    """The contract year ``when`` falls in."""
    local = when.astimezone(ZoneInfo(contract.timezone))
    year = max(1, local.year - contract.acceptance.year + 1)
    while year > 1 and when < year_start(contract, year):
        year -= 1
    while when >= year_start(contract, year + 1):
        year += 1
    return year


def year_span_text(contract: Contract, year: int) -> str:
    """``2026-01-15 – 2027-01-14``: the dates of a contract year, both inclusive."""
    first = year_start(contract, year).date()
    last = year_start(contract, year + 1).date() - timedelta(days=1)
    return days_text(first, last)
