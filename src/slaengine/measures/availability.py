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

from datetime import datetime
from decimal import Decimal

from slaengine.calendars import Interval
from slaengine.calendars.base import merge_intervals
from slaengine.clocks import overlap_seconds
from slaengine.contract.models import Measure
from slaengine.measures.base import Figure, MeasureInput, figure_text, register
from slaengine.measures.words import hours_text

#: Downtime of tickets (and assets) with no asset in scope, e.g. a ticket naming no asset.
UNASSIGNED = "-"


def downtime(measure: Measure, source: MeasureInput) -> dict[str, list[tuple[Interval, str]]]:
    """Per asset in scope: its downtime intervals (up to ``as_of``), each with the ticket or
    event that opened it. Open downtime ends at ``as_of``."""
    contract = source.contract
    units = {unit.id: unit.id for unit in contract.assets}
    for unit in contract.assets:
        for part in unit.parts:
            units[part.id] = unit.id
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

    ticket_asset: dict[str, str | None] = {}
    ticket_severity: dict[str, str | None] = {}
    open_since: dict[str, tuple[datetime, str, str]] = {}  # key -> (since, subject, opened by)
    found: dict[str, list[tuple[Interval, str]]] = {}
    for event in source.events:
        key = event.ticket if event.ticket is not None else f"asset:{event.asset}"
        if event.ticket is not None:
            if ticket_asset.get(event.ticket) is None:
                ticket_asset[event.ticket] = event.asset
            if event.severity is not None:
                ticket_severity[event.ticket] = event.severity
            asset = ticket_asset[event.ticket]
            severity = ticket_severity.get(event.ticket)
        else:
            asset, severity = event.asset, event.severity
        actions = source.matcher.match(event.type, severity, asset, event.ticket, event.attrs)
        for action in actions:
            if action.target != measure.id:
                continue
            if action.kind == "restored" and key in open_since:
                since, who, opened_by = open_since.pop(key)
                found.setdefault(who, []).append(((since, event.at), opened_by))
            elif action.kind == "down" and key not in open_since:
                opened_by = event.ticket or event.id
                open_since[key] = (event.at, subject(asset), opened_by)
    for since, who, opened_by in open_since.values():
        found.setdefault(who, []).append(((since, source.as_of), opened_by))
    return found


@register("availability")
def availability(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    maintenance = source.calendars[measure.maintenance] if measure.maintenance else None
    excused = [(a, b) for a, b in source.excused if a < horizon and b > start]

    def counted(a: datetime, b: datetime) -> tuple[float, float]:
        """Seconds of [a, b) outside maintenance windows and excused time; and inside windows."""
        inside = maintenance.working_seconds(a, b, excused) if maintenance else 0.0
        return b.timestamp() - a.timestamp() - inside - overlap_seconds(excused, a, b), inside

    down_by_asset = downtime(measure, source)
    subjects = sorted(set(measure.assets) or {asset.id for asset in source.contract.assets})
    subjects = subjects or ["service"]
    service_total = down_total = 0.0
    per_asset: list[dict[str, object]] = []
    intervals: list[dict[str, object]] = []
    for asset in subjects:
        service, _ = counted(start, horizon)
        spans = down_by_asset.get(asset, [])
        for (a, b), opened_by in spans:
            a, b = max(a, start), min(b, horizon)
            if b > a:
                seconds, inside = counted(a, b)
                intervals.append(
                    {
                        "asset": asset,
                        "ticket": opened_by,
                        "from": a.isoformat(),
                        "until": b.isoformat(),
                        "counted_seconds": round(seconds),
                        "in_maintenance_seconds": round(inside),
                    }
                )
        # overlapping tickets on one asset: the asset is down once
        down = 0.0
        for a, b in merge_intervals([span for span, _ in spans]):
            a, b = max(a, start), min(b, horizon)
            if b > a:
                down += counted(a, b)[0]
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
