"""Repeat-failure remedies (三包): "同一部件在质保期内经两次修理仍不能正常使用的，免费更换".

Theory of operation
-------------------
A contract's ``remedies`` (contract.models.Remedy) count the repairs of each asset: an event
matching ``repairs`` (by default ``resolved``) on a ticket counts for the ticket's asset (the
first one its events name), and only while that asset is under warranty (``within_warranty``,
asked of the warranty book as of the repair's day). The ``count``-th repair obliges the supplier
to the remedy: a deadline of ``target`` in the remedy's calendar from that repair, met by the
first event matching ``done_by`` (by default ``part_replaced``) on the asset — in time or late.
The remedy done, the count of that asset starts again (it is a new part); further repairs
while a remedy is owed do not start another.

Each remedy owed is judged like an obligation period (slaengine.obligations.ObligationPeriod:
``obligation`` = the remedy id, ``period_start`` = the repair, ``period_end`` = the deadline),
so reports, breaches, alerts and the clauses it lists treat it as they treat a missed
inspection. Pure: events in, periods out, at ``as_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slaengine.calendars import Calendar, Interval
from slaengine.contract.models import Contract, Remedy
from slaengine.errors import SlaError
from slaengine.events import Event
from slaengine.obligations import BREACHED, MET, NO_DEADLINE, OPEN, ObligationPeriod
from slaengine.ruleset.compiler import Action
from slaengine.ruleset.matcher import Matcher
from slaengine.warranty import WarrantyBook


def judge_remedies(
    contract: Contract,
    events: Sequence[Event],
    book: WarrantyBook,
    calendars: dict[str, Calendar],
    matcher: Matcher,
    as_of: datetime,
    excused: Sequence[Interval] = (),
) -> list[ObligationPeriod]:
    """Every remedy owed by ``as_of`` (events sorted, none after ``as_of``)."""
    if not contract.remedies:
        return []
    found: list[ObligationPeriod] = []
    types = matcher.types_for(("repairs", "done_by", "repair_from"))
    # Each relevant event with the asset it counts for and its actions, asked once. Events of
    # one instant apply repairs before remedies done, whatever their order in the file: a
    # replacement recorded at the instant of the repair that made it owed meets it.
    steps: list[tuple[Event, str, tuple[Action, ...]]] = []
    ticket_asset: dict[str, str] = {}
    for event in events:
        if event.ticket is not None and event.asset is not None:
            ticket_asset.setdefault(event.ticket, event.asset)
        if event.type not in types:
            continue
        asset = ticket_asset.get(event.ticket or "") or event.asset
        if asset is None:
            continue
        actions = matcher.match(event.type, event.severity, asset, event.ticket, event.attrs)
        steps.append((event, asset, actions))
    steps.sort(key=lambda step: (step[0].ts, any(a.kind == "done_by" for a in step[2])))
    for remedy in contract.remedies:
        repairs: dict[str, list[str]] = {}  # asset -> repair events counted since the last remedy
        spent: dict[str, float] = {}  # asset -> repair seconds counted since the last remedy
        began: dict[str, Event] = {}  # ticket -> the start of its repair still under way
        owed: dict[str, tuple[datetime, datetime | None, list[str], int]] = {}
        index: dict[str, int] = {}
        for event, asset, actions in steps:
            kinds = {action.kind for action in actions if action.target == remedy.id}
            if not kinds:
                continue
            if "done_by" in kinds and asset in owed:
                start, deadline, counted, number = owed.pop(asset)
                found.append(_period(remedy, asset, number, start, deadline, event, counted, as_of))
                repairs.pop(asset, None)
                spent.pop(asset, None)
                continue
            if "repairs" in kinds:
                opened = began.pop(event.ticket or "", None)
                if asset in owed:
                    continue
                if remedy.repair_time is not None:
                    if opened is None:
                        continue  # a repair needs its start (the ticket's repair_from event)
                    counted_from = opened
                else:
                    counted_from = event
                if remedy.within_warranty and not _covered(book, asset, counted_from):
                    continue
                counted = [*repairs.get(asset, []), event.id]
                repairs[asset] = counted
                if remedy.repair_time is not None:
                    seconds = spent.get(asset, 0.0) + event.ts - counted_from.ts
                    spent[asset] = seconds
                    due = seconds > remedy.repair_time.seconds
                else:
                    due = len(counted) >= remedy.count
                if due:
                    deadline = None
                    if remedy.target is not None and remedy.calendar is not None:
                        calendar = calendars[remedy.calendar]
                        deadline = calendar.deadline(event.at, remedy.target, excused)
                    number = index.get(asset, 0)
                    index[asset] = number + 1
                    owed[asset] = (event.at, deadline, counted, number)
            elif "repair_from" in kinds and event.ticket is not None:
                began.setdefault(event.ticket, event)
        for asset, (start, deadline, counted, number) in owed.items():
            found.append(_period(remedy, asset, number, start, deadline, None, counted, as_of))
    return sorted(found, key=lambda p: (p.period_start, p.obligation, p.asset or ""))


def _covered(book: WarrantyBook, asset: str, event: Event) -> bool:
    if book.contract.warranty is None:
        return True
    try:
        return book.cover(asset, event.at.astimezone(book.zone).date()).covered
    except (SlaError, KeyError):
        return False  # an asset the contract does not know has no cover to count within


def _period(
    remedy: Remedy,
    asset: str,
    number: int,
    start: datetime,
    deadline: datetime | None,
    done: Event | None,
    counted: list[str],
    as_of: datetime,
) -> ObligationPeriod:
    if done is not None and (deadline is None or done.at <= deadline):
        status = MET
    elif done is not None or (deadline is not None and deadline <= as_of):
        status = BREACHED
    else:
        status = OPEN  # not done yet: before its deadline, or owed without one
    return ObligationPeriod(
        obligation=remedy.id,
        asset=asset,
        index=number,
        period_start=start,
        period_end=deadline if deadline is not None else NO_DEADLINE,
        status=status,
        required=1,
        done=1 if done is not None else 0,
        met_at=done.at if done is not None and status == MET else None,
        met_by=(*counted, done.id) if done is not None else tuple(counted),
        start_key=counted[-1],
    )
