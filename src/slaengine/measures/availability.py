"""``availability`` (系统可用率 / 设备完好率): the share of agreed service time the assets were up.

For each asset in scope, the period's service time is the period (up to ``as_of``) less the
agreed maintenance windows (the working time of the measure's ``maintenance`` calendar) and less
excused time (force majeure). Downtime runs from an event matching ``down`` (by default
``reported``) on a ticket or asset to the next matching ``restored`` (by default ``resolved``);
a ticket's asset is the first one its events name, and a part's downtime counts for its unit
unless the part itself is in scope. Overlapping downtime of one asset counts once; downtime
inside a maintenance window or excused time does not count; downtime still open at ``as_of``
counts up to ``as_of``; downtime across a period boundary counts in each period for the part
inside it. The figure is (Σ service − Σ downtime) / Σ service, over all assets in scope.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import datetime
from decimal import Decimal
from itertools import islice

from slaengine.calendars import Interval
from slaengine.calendars.base import merge_intervals
from slaengine.contract.models import Measure
from slaengine.measures.base import Figure, MeasureInput, figure_text, register, units_of
from slaengine.measures.words import hours_text

#: Downtime of tickets (and assets) with no asset in scope, e.g. a ticket naming no asset.
UNASSIGNED = "-"


def downtime(measure: Measure, source: MeasureInput) -> dict[str, list[tuple[Interval, str]]]:
    """Per asset in scope: its downtime intervals (up to ``as_of``), each with the ticket or
    event that opened it, by start. Open downtime ends at ``as_of``. Worked out once per
    measure (every period reads it)."""
    cached = source.cache.get(measure.id)
    if cached is not None:
        found: dict[str, list[tuple[Interval, str]]] = cached
        return found
    contract = source.contract
    units = units_of(contract)
    scope = set(measure.assets) or {unit.id for unit in contract.assets}
    whole_service = not scope  # a contract without assets: the service as a whole

    def subject(asset: str | None) -> str:
        if whole_service:
            return "service"
        if asset is None:
            return UNASSIGNED
        if asset in scope:
            return asset
        its_unit = units.get(asset)
        return its_unit if its_unit in scope else UNASSIGNED

    open_since: dict[str, tuple[datetime, str, str]] = {}  # key -> (since, subject, opened by)
    found = {}
    for event, kind in source.matching(measure, ("down", "restored")):
        key = event.ticket if event.ticket is not None else f"asset:{event.asset}"
        known = source.tickets.get(event.ticket) if event.ticket is not None else None
        asset = known[1] if known is not None and known[1] is not None else event.asset
        if kind == "restored" and key in open_since:
            since, who, opened_by = open_since.pop(key)
            found.setdefault(who, []).append(((since, event.at), opened_by))
        elif kind == "down" and key not in open_since:
            open_since[key] = (event.at, subject(asset), event.ticket or event.id)
    for since, who, opened_by in open_since.values():
        found.setdefault(who, []).append(((since, source.as_of), opened_by))
    for spans in found.values():
        # by start, then end and ticket: spans that start together keep one order whatever
        # order their tickets' events arrived in
        spans.sort(key=lambda item: (item[0][0], item[0][1], item[1] or ""))
    source.cache[measure.id] = found
    return found


def _reach(spans: list[tuple[Interval, str]]) -> list[float]:
    """For each span (sorted by start), the latest end of it and every span before it: spans
    before the first whose reach passes a period's start all end before that period."""
    reach: list[float] = []
    latest = -math.inf
    for (_, end), _ in spans:
        latest = max(latest, end.timestamp())
        reach.append(latest)
    return reach


def _stamps(spans: list[Interval]) -> list[tuple[float, float]]:
    return [(a.timestamp(), b.timestamp()) for a, b in spans]


def _overlap(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """``slaengine.clocks.overlap_seconds`` on timestamps, term for term the same sum: the
    windows are on the maintenance calendar's zone, the downtime on its events' offsets, and
    comparing aware datetimes of two zones works out both offsets every time."""
    total = 0.0
    cursor = start
    for a, b in sorted([(max(a, start), min(b, end)) for a, b in spans if a < end and b > start]):
        if b <= cursor:
            continue
        total += b - max(a, cursor)
        cursor = b
    return total


@register("availability")
def availability(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    windows: list[Interval] = []
    if measure.maintenance:
        for a, b in source.calendars[measure.maintenance].working_intervals(start):
            if a >= horizon:
                break
            windows.append((a, min(b, horizon)))
    excused = [
        (max(a, start), min(b, horizon)) for a, b in source.excused if a < horizon and b > start
    ]
    # Time that is neither service nor downtime: maintenance windows and excused time.
    excluded = _stamps(merge_intervals(windows + excused))
    windows_at = _stamps(windows)

    def counted(a: datetime, b: datetime) -> float:
        start, end = a.timestamp(), b.timestamp()
        return end - start - _overlap(excluded, start, end)

    down_by_asset = downtime(measure, source)
    subjects = sorted(set(measure.assets) or {asset.id for asset in source.contract.assets})
    subjects = subjects or ["service"]
    service_total = down_total = 0.0
    per_asset: list[dict[str, object]] = []
    intervals: list[dict[str, object]] = []
    service = counted(start, horizon)
    reaches = source.cache.setdefault(("reach", measure.id), {})
    for asset in subjects:
        inside_period: list[Interval] = []
        spans = down_by_asset.get(asset, [])
        if asset not in reaches:
            reaches[asset] = _reach(spans)
        # every span before ``skip`` ended by the period's start (it would be skipped below):
        # a month reads its own downtime, not every earlier month's again
        skip = bisect_right(reaches[asset], start.timestamp())
        for (a, b), opened_by in islice(spans, skip, None):
            if a >= horizon:
                break
            a, b = max(a, start), min(b, horizon)
            if b <= a:
                continue
            inside_period.append((a, b))
            intervals.append(
                {
                    "asset": asset,
                    "ticket": opened_by,
                    "from": a.isoformat(),
                    "until": b.isoformat(),
                    "counted_seconds": round(counted(a, b)),
                    "in_maintenance_seconds": round(
                        _overlap(windows_at, a.timestamp(), b.timestamp())
                    ),
                }
            )
        # overlapping tickets on one asset: the asset is down once
        down = sum(counted(a, b) for a, b in merge_intervals(inside_period))
        service_total += service
        down_total += down
        per_asset.append(
            {"asset": asset, "service_seconds": round(service), "down_seconds": round(down)}
        )
    if service_total <= 0:
        return Figure(None, ("no service time in the period", "期间无服务时间"), {})
    value = (Decimal(service_total) - Decimal(down_total)) * 100 / Decimal(service_total)
    shown = figure_text(value)
    service_h, down_h = hours_text(service_total), hours_text(down_total)
    basis = (
        f"({service_h} service − {down_h} down) / {service_h} = {shown}% "
        f"over {len(subjects)} asset(s), maintenance windows and excused time left out",
        f"（服务时间{service_h} − 停机{down_h}）/ {service_h} = {shown}%，"
        f"共{len(subjects)}台设备，不计维护窗口及免责时间",
    )
    return Figure(value, basis, {"assets": per_asset, "downtime": intervals})
