"""Compliance figures over a span of time: on-time rate and time to stop.

A clock counts in the span its deadline falls in (the same rule that places its penalty). It is
judged once it is met or breached; a running clock whose deadline has not come is not judged
yet, a cancelled clock never is, and a breach the customer waived (without naming a clause)
is left out of the rate and counted apart. Time to stop is from start to stop less paused and
excused time; percentiles are nearest-rank (the median of 1, 2, 3, 4 is 2), so every figure is
a time some ticket really took.

The same figures decide a service credit's tier (penalties/kinds/service_credit.py), fill the
compliance section of a statement and give the ``on_time_rate`` measure: one computation, so
they can never disagree. It reads clocks and obligation periods only, so it sits with the
measures, below pricing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from slaengine.clocks import BREACHED, MET, Clock
from slaengine.identity import ClockIdentity, clock_identity
from slaengine.obligations import BREACHED as PERIOD_BREACHED
from slaengine.obligations import MET as PERIOD_MET
from slaengine.obligations import ObligationPeriod

ClockKey = tuple[str, ClockIdentity]  # ticket, (commitment, cycle, occurrence)
PeriodKey = tuple[str, str | None, datetime]  # obligation, asset, period start


def clock_key(clock: Clock) -> ClockKey:
    """A clock among every ticket's: its ticket and its identity within it (so the starts of a
    commitment that runs per start are counted one by one)."""
    return (clock.ticket, clock_identity(clock))


@dataclass(frozen=True, slots=True)
class Compliance:
    """How often a commitment (or obligation) was met, breached or waived."""

    subject: str  # a commitment id (or several joined by "+"), or an obligation id
    kind: str  # "commitment" or "obligation"
    met: int
    breached: int
    waived: int
    median_seconds: int | None = None
    p90_seconds: int | None = None

    @property
    def judged(self) -> int:
        return self.met + self.breached

    def below(self, percent: Decimal) -> bool:
        """Whether the on-time rate is below ``percent`` (exact, no rounding)."""
        return self.judged > 0 and Decimal(self.met * 100) < percent * self.judged

    def rate_text(self) -> str:
        """``93.3%`` (one decimal, half up), ``—`` when nothing was judged."""
        if not self.judged:
            return "—"
        rate = (Decimal(self.met * 100) / self.judged).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        return f"{rate}%"

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "judged": self.judged,
            "met": self.met,
            "breached": self.breached,
            "waived": self.waived,
            "on_time_rate": self.rate_text() if self.judged else None,
            "median_seconds": self.median_seconds,
            "p90_seconds": self.p90_seconds,
        }


def _nearest_rank(values: Sequence[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _time_to_stop(clock: Clock) -> int | None:
    if clock.stopped_at is None:
        return None
    elapsed = (clock.stopped_at - clock.started_at).total_seconds()
    return max(0, round(elapsed) - clock.paused_seconds - clock.excused_seconds)


def measure(
    clocks: Iterable[Clock],
    commitments: Sequence[str],
    start: datetime | None = None,
    end: datetime | None = None,
    waived: frozenset[ClockKey] = frozenset(),
) -> Compliance:
    """On-time rate and time to stop of ``commitments``' clocks with a deadline in [start, end)
    (no bound where None). Waived breaches are left out of the rate. The one place an on-time
    rate is computed: replay, statements and back-tests all show this figure."""
    wanted = set(commitments)
    met = breached = skipped = 0
    times: list[int] = []
    for clock in clocks:
        if clock.commitment not in wanted:
            continue
        if (start is not None and clock.deadline < start) or (
            end is not None and clock.deadline >= end
        ):
            continue
        if clock.status not in (MET, BREACHED):
            continue
        spent = _time_to_stop(clock)
        if spent is not None:
            times.append(spent)
        if waived and clock_key(clock) in waived:
            skipped += 1
        elif clock.status == MET:
            met += 1
        else:
            breached += 1
    return Compliance(
        subject="+".join(commitments),
        kind="commitment",
        met=met,
        breached=breached,
        waived=skipped,
        median_seconds=_nearest_rank(times, 0.5),
        p90_seconds=_nearest_rank(times, 0.9),
    )


def measure_obligation(
    periods: Iterable[ObligationPeriod],
    obligation: str,
    start: datetime,
    end: datetime,
    waived: frozenset[PeriodKey] = frozenset(),
) -> Compliance:
    """Periods of ``obligation`` that ended in (start, end]: met, missed, or missed and waived."""
    met = breached = skipped = 0
    for period in periods:
        if period.obligation != obligation or not start < period.period_end <= end:
            continue
        if period.status == PERIOD_MET:
            met += 1
        elif period.status == PERIOD_BREACHED:
            if (period.obligation, period.asset, period.period_start) in waived:
                skipped += 1
            else:
                breached += 1
    return Compliance(obligation, "obligation", met, breached, skipped)
