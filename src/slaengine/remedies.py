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
from slaengine.obligations import BREACHED, MET, OPEN, ObligationPeriod
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
    types = matcher.types_for(("repairs", "done_by"))
    ticket_asset: dict[str, str] = {}
    for remedy in contract.remedies:
        repairs: dict[str, list[str]] = {}  # asset -> repair events counted since the last remedy
        owed: dict[str, tuple[datetime, datetime, list[str], int]] = {}
        index: dict[str, int] = {}
        for event in events:
            if event.ticket is not None and event.asset is not None:
                ticket_asset.setdefault(event.ticket, event.asset)
            if event.type not in types:
                continue
            asset = ticket_asset.get(event.ticket or "") or event.asset
            if asset is None:
                continue
            for action in matcher.match(
                event.type, event.severity, asset, event.ticket, event.attrs
            ):
                if action.target != remedy.id:
                    continue
                if action.kind == "done_by" and asset in owed:
                    start, deadline, counted, number = owed.pop(asset)
                    found.append(
                        _period(remedy, asset, number, start, deadline, event, counted, as_of)
                    )
                    repairs.pop(asset, None)
                elif action.kind == "repairs" and asset not in owed:
                    if remedy.within_warranty and not _covered(book, asset, event):
                        continue
                    counted = [*repairs.get(asset, []), event.id]
                    repairs[asset] = counted
                    if len(counted) >= remedy.count:
                        calendar = calendars[remedy.calendar]
                        deadline = calendar.deadline(event.at, remedy.target, excused)
                        number = index.get(asset, 0)
                        index[asset] = number + 1
                        owed[asset] = (event.at, deadline, counted, number)
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
    deadline: datetime,
    done: Event | None,
    counted: list[str],
    as_of: datetime,
) -> ObligationPeriod:
    if done is not None and done.at <= deadline:
        status = MET
    elif done is not None or deadline <= as_of:
        status = BREACHED
    else:
        status = OPEN
    return ObligationPeriod(
        obligation=remedy.id,
        asset=asset,
        index=number,
        period_start=start,
        period_end=deadline,
        status=status,
        required=1,
        done=1 if done is not None else 0,
        met_at=done.at if done is not None and status == MET else None,
        met_by=(*counted, done.id) if done is not None else tuple(counted),
        start_key=counted[-1],
    )
