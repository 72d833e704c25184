"""Measures over faults: ``first_time_fix`` (一次修复率) and ``repeat_faults`` (重复故障).

A **fault** is a ticket with an event matching the measure's ``faults`` (by default
``reported``; a severity in the condition narrows it), at the first such event; an event that
matches ``faults`` without a ticket is a fault of its own. A fault's asset is its ticket's (the
first one its events name); a part's fault counts for its unit, as in availability.

``first_time_fix`` = faults fixed the first time / faults fixed, over the faults whose **first
fix** (an event matching ``fixed_by``, by default ``resolved``) falls in the period. A fix is
not a first-time fix when, at ``as_of``:

- the ticket was **reopened** (an event matching ``reopened_by``, by default ``reopened``) after
  it — at any time, even after the period ended: a later reopen takes the fix back;
- the ticket had **more than one visit** (events matching ``visits``, by default ``arrived``);
  a fix without a visit (remote) is a first-time fix;
- with ``within`` ("7d"): a **new fault on the same asset** (another ticket) was reported after
  the fix and no later than ``within`` after it, wherever that falls (a repeat across a period
  boundary counts against the period of the fix). While a fix of the period is still inside its
  window at ``as_of`` the period's figure is provisional.

``repeat_faults`` = assets with more than ``max_faults`` faults in the period / assets in scope,
held **at most** to the target: the assets in scope are ``assets`` or every unit (an asset with
no faults counts, with 0; a part's fault counts for its unit unless the part is listed); a
contract without assets counts the assets its faults name (a period without faults then has no
data). Faults count in the period they were reported in: the contract's "一个月内" is the
calendar period, so faults on either side of a boundary do not add.

Every fault is worked out once per measure (``source.cache``); each period reads it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from slaengine.contract.models import Measure
from slaengine.events import Event
from slaengine.measures.base import Figure, MeasureInput, figure_text, register, units_of

#: Faults whose asset is not known (no asset on the ticket): they count in no asset.
UNASSIGNED = "-"


@dataclass(slots=True)
class Fault:
    """One fault (a ticket, or a ticketless fault event) and what happened to it."""

    key: str  # the ticket, or the event id of a ticketless fault
    asset: str  # its unit (or the asset as named, or UNASSIGNED)
    named: str | None  # the asset as its events name it (a part, a unit)
    at: datetime  # the first event matching ``faults``
    fixed: Event | None = None  # the first event matching ``fixed_by`` after ``at``
    reopened: list[Event] = field(default_factory=list)  # after the fix
    visits: list[Event] = field(default_factory=list)


def faults_of(measure: Measure, source: MeasureInput) -> list[Fault]:
    """The measure's faults up to ``as_of``, in the order they were reported."""
    cached = source.cache.get(measure.id)
    if cached is not None:
        found: list[Fault] = cached
        return found
    units = units_of(source.contract)
    roles = ("faults", "fixed_by", "reopened_by", "visits")
    by_key: dict[str, Fault] = {}
    pending: dict[str, list[tuple[Event, str]]] = {}  # a ticket's events before its fault
    for event, role in source.matching(measure, roles):
        ticket = event.ticket
        if role == "faults":
            key = ticket if ticket is not None else event.id
            if key in by_key:
                continue
            known = source.tickets.get(ticket) if ticket is not None else None
            named = known[1] if known is not None and known[1] is not None else event.asset
            asset = units.get(named, named) if named is not None else UNASSIGNED
            by_key[key] = Fault(key, asset, named, event.at)
            # events of the ticket before it became a fault (a visit before a reclassification)
            for earlier, earlier_role in pending.pop(key, []):
                _note(by_key[key], earlier, earlier_role)
            continue
        if ticket is None:
            continue
        fault = by_key.get(ticket)
        if fault is None:
            pending.setdefault(ticket, []).append((event, role))
        else:
            _note(fault, event, role)
    found = sorted(by_key.values(), key=lambda fault: fault.at)
    source.cache[measure.id] = found
    return found


def _note(fault: Fault, event: Event, role: str) -> None:
    if role == "fixed_by":
        if fault.fixed is None:
            fault.fixed = event
    elif role == "reopened_by":
        if fault.fixed is not None and event.at >= fault.fixed.at:
            fault.reopened.append(event)
    elif role == "visits":
        fault.visits.append(event)


@dataclass(frozen=True, slots=True)
class _Fixes:
    """A measure's faults indexed once for every period: per asset by report time (a repeat is
    found by bisection), and the fixed ones by the time of their first fix."""

    by_asset: dict[str, list[Fault]]
    times: dict[str, list[float]]
    fixed: list[Fault]
    fixed_at: list[float]


def _fixes(measure: Measure, source: MeasureInput) -> _Fixes:
    key = f"{measure.id}\0fixes"
    cached = source.cache.get(key)
    if cached is not None:
        found: _Fixes = cached
        return found
    faults = faults_of(measure, source)
    by_asset: dict[str, list[Fault]] = {}
    for fault in faults:  # sorted by report time
        by_asset.setdefault(fault.asset, []).append(fault)
    fixed = sorted(
        (f for f in faults if f.fixed is not None),
        key=lambda f: f.fixed.ts if f.fixed is not None else 0.0,
    )
    found = _Fixes(
        by_asset,
        {asset: [f.at.timestamp() for f in group] for asset, group in by_asset.items()},
        fixed,
        [f.fixed.ts for f in fixed if f.fixed is not None],
    )
    source.cache[key] = found
    return found


@register("first_time_fix")
def first_time_fix(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    index = _fixes(measure, source)
    by_asset, times = index.by_asset, index.times
    window = measure.within
    tickets: list[dict[str, Any]] = []
    held = 0
    reasons_count = {"reopened": 0, "visits": 0, "repeat": 0}
    unsettled = False
    first = bisect_left(index.fixed_at, start.timestamp())
    last = bisect_left(index.fixed_at, horizon.timestamp())
    for fault in index.fixed[first:last]:
        fix = fault.fixed
        assert fix is not None  # index.fixed holds fixed faults only
        reasons: list[str] = []
        if fault.reopened:
            reopen = fault.reopened[0]
            reasons.append(f"reopened at {reopen.at.isoformat()} ({reopen.id})")
            reasons_count["reopened"] += 1
        if len(fault.visits) > 1:
            reasons.append(f"{len(fault.visits)} visits")
            reasons_count["visits"] += 1
        entry: dict[str, Any] = {
            "ticket": fault.key,
            "asset": fault.asset,
            "reported_at": fault.at.isoformat(),
            "fixed_at": fix.at.isoformat(),
            "visits": len(fault.visits),
        }
        if window is not None:
            until = window.add_to(fix.at)
            entry["watch_until"] = until.isoformat()
            if fault.asset != UNASSIGNED:
                found = by_asset[fault.asset]
                i = bisect_right(times[fault.asset], fix.at.timestamp())
                repeat = found[i] if i < len(found) and found[i].at <= until else None
                if repeat is not None:
                    reasons.append(
                        f"new fault {repeat.key} on {fault.asset} at {repeat.at.isoformat()}, "
                        f"within {window} of the fix"
                    )
                    reasons_count["repeat"] += 1
            if not reasons and until > source.as_of:
                unsettled = True  # a repeat may still come
        entry["first_time"] = not reasons
        if reasons:
            entry["reasons"] = reasons
        else:
            held += 1
        tickets.append(entry)
    counted = len(tickets)
    detail: dict[str, Any] = {"counted": counted, "first_time": held, "tickets": tickets}
    if window is not None:
        detail["within"] = str(window)
    if not counted:
        return Figure(None, ("no fault fixed in the period", "期间无修复的故障"), detail)
    value = Decimal(held * 100) / counted
    shown = figure_text(value)
    why_en = (
        f"reopened {reasons_count['reopened']}, more than one visit {reasons_count['visits']}"
        + (f", new fault within {window} {reasons_count['repeat']}" if window else "")
    )
    why_zh = f"重开{reasons_count['reopened']}次，多次上门{reasons_count['visits']}次" + (
        f"，修复后{window.words('zh')}内再次故障{reasons_count['repeat']}次" if window else ""
    )
    return Figure(
        value,
        (
            f"{held} of {counted} fault(s) fixed the first time = {shown}% ({why_en})",
            f"修复故障{counted}次，其中一次修复{held}次 = {shown}%（{why_zh}）",
        ),
        detail,
        unsettled,
    )


@register("repeat_faults")
def repeat_faults(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    limit = measure.max_faults
    assert limit is not None  # the model requires it of this kind
    scope = list(measure.assets) or [unit.id for unit in source.contract.assets]
    in_period: dict[str, list[str]] = {asset: [] for asset in scope}
    unassigned: list[str] = []
    for fault in faults_of(measure, source):
        if not start <= fault.at < horizon:
            continue
        if fault.asset == UNASSIGNED:
            unassigned.append(fault.key)
        elif not scope:  # a contract without assets: the assets its faults name
            in_period.setdefault(fault.asset, []).append(fault.key)
        elif fault.named in in_period:  # a part in scope counts for itself
            in_period[fault.named].append(fault.key)
        elif fault.asset in in_period:  # else a part's fault counts for its unit
            in_period[fault.asset].append(fault.key)
    assets = [
        {"asset": asset, "faults": len(keys), "tickets": keys, "repeat": len(keys) > limit}
        for asset, keys in sorted(in_period.items())
    ]
    repeated = [item for item in assets if item["repeat"]]
    detail: dict[str, Any] = {"max_faults": limit, "assets": assets, "unassigned": unassigned}
    if not assets:
        return Figure(None, ("no asset with a fault in the period", "期间无故障设备"), detail)
    value = Decimal(len(repeated) * 100) / len(assets)
    shown = figure_text(value)
    which = ", ".join(f"{item['asset']}: {item['faults']}" for item in repeated)
    return Figure(
        value,
        (
            f"{len(repeated)} of {len(assets)} asset(s) with more than {limit} faults = {shown}%"
            + (f" ({which})" if which else ""),
            f"{len(assets)}台设备中{len(repeated)}台故障超过{limit}次 = {shown}%"
            + (f"（{which}）" if which else ""),
        ),
        detail,
    )
