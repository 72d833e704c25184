"""Warranty cover: is an asset covered on a given day, until when, and why (reference.md §5).

Theory of operation
-------------------
A ``WarrantyBook`` is built once from a contract and its events. Every asset (a unit, or one of
its key parts or parts) starts with one *entry*: its class's term from acceptance, covering up to,
not including, the same calendar date N years later (``Duration.add_to`` clamps month ends, so
2024-02-29 + 3y expires 2027-02-28). Events are then walked in (``at``, arrival) order and each
one that changes cover appends a new entry to the asset's history, effective from the event's
date in the contract's time zone:

* ``part_replaced`` (asset = the part) gives the part a new cover by the contract's re-warranty
  policy: ``fresh_term`` (the tender's 一包: the full term of its class from the replacement
  date; a ``part`` gets its unit's term), ``remaining`` (what the replaced part had left), or
  ``max(remaining, N)``. A replacement made after the part's cover ended was a chargeable
  repair: the contract's warranty does not revive (the tender grants 一包 to parts replaced
  *under warranty*). A ``part_replaced`` naming an unknown asset adds it when ``attrs.unit``
  names its unit and ``attrs.class`` its class.
* Without a unit term (a maintenance contract warranting only the parts the supplier
  replaces, ``terms: {part: 6mo}``) nothing has cover from acceptance (an entry that is not
  ``warranted``); a ``part_replaced`` of a part without cover gives it its class's fresh term
  from the replacement day whatever the policy, the policy deciding only for a part replaced
  again while covered. A class without a term gets nothing; uncovered assets are not extended
  and have no final month.
* An event for which the rule set answers ``extend`` (a ``warranty_extension`` clause: a failed
  ``final_inspection``) extends the asset it names by the clause's ``extend_by``; for a unit,
  also every part whose cover ended with the unit's.
* ``attrs.usage`` on an event is a reading of the asset's usage counter (km, operating hours).
  A reading on a unit counts for its parts too. When a reading reaches the cover's usage limit
  the cover ends on that event's date (``3y or 100000 km``: whichever comes first).

The answer for (asset, day) is the last entry effective on or before that day — the cover as it
stood that day — so dates before and after each change both have a clear answer, with a
``basis`` naming the term and the events behind it. Which events change cover is decided by the
rule set (``Matcher``) for extensions and by the event type for the built-in rules; nothing here
reads a clock or does I/O.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from slaengine.contract.models import Contract, Term, WarrantyExtensionClause
from slaengine.durations import Duration, add_months
from slaengine.errors import SlaError
from slaengine.events import Event, usage_reading
from slaengine.ruleset.matcher import Matcher, matcher_for


def span_hours(seconds: float) -> str:
    """``2 d 3 h``: a repair's length in days and hours (minutes when shorter than an hour)."""
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    if not days and not hours:
        return f"{max(1, math.ceil(rest / 60))} min"
    return " ".join(
        part for part in (f"{days} d" if days else "", f"{hours} h" if hours else "") if part
    )


def _replacements_last(event: Event) -> tuple[float, bool, int]:
    """Events in time order; at one instant a ``part_replaced`` after the others."""
    return event.ts, event.type == "part_replaced", event.seq


#: Asset classes (reference.md §5).
UNIT, KEY_PART, PART = "unit", "key_part", "part"


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """An asset the book knows: from the contract, or added by a ``part_replaced`` event."""

    id: str
    kind: str  # unit, key_part or part
    unit: str  # the unit it belongs to (itself for a unit)
    accepted_on: date
    added_by: str | None = None  # id of the event that added it (None: listed in the contract)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One asset's cover as it stood from ``effective`` on (until the next entry)."""

    effective: date  # first day this entry answers for (date.min for the cover from acceptance)
    start: date  # first covered day
    term_end: date  # end by time (after extensions)
    expires: date  # first day without cover: term_end, or the day the usage limit was reached
    usage_end: Decimal | None  # the counter reading at which cover ends (None: no usage limit)
    basis: str
    ended_by_usage: bool = False
    #: False: no cover at all (a warranty of replaced parts only, before any replacement);
    #: start = term_end = expires, nothing is covered and nothing extends it.
    warranted: bool = True


@dataclass(frozen=True, slots=True)
class Cover:
    """The answer to "is this asset covered on this day, until when, and why"."""

    asset: str
    kind: str
    unit: str
    on: date
    covered: bool
    starts: date  # first day of the cover the answer is about
    expires: date  # first day without cover
    basis: str
    #: False: the asset has no warranty at all that day (a warranty of replaced parts only,
    #: before its replacement); ``starts`` = ``expires`` then, an empty cover.
    warranted: bool = True

    @property
    def days_left(self) -> int:
        """Covered days left from ``on`` (``on`` itself included); 0 when not covered."""
        return (self.expires - self.on).days if self.covered else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "on": self.on.isoformat(),
            "covered": self.covered,
            "expires": self.expires.isoformat(),
            "basis": self.basis,
            "class": self.kind,
            "unit": self.unit,
            "from": self.starts.isoformat(),
            "days_left": self.days_left,
        }


class WarrantyBook:
    """Every asset's cover history under one contract; build it with ``WarrantyBook.build``."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.zone = ZoneInfo(contract.timezone)
        self.assets: dict[str, AssetInfo] = {}
        #: Things in the events the book could not apply, each with its reason (never silent).
        self.notes: list[str] = []
        self._history: dict[str, list[_Entry]] = {}
        self._effective: dict[str, list[date]] = {}
        self._readings: dict[str, Decimal] = {}  # last usage reading per asset
        #: extend_by_repairs: a ticket's asset (the first its events name), its open repair
        self._ticket_asset: dict[str, str] = {}
        self._repairing: dict[str, Event] = {}
        #: ``cover`` answers by (asset, day): a replay asks once a ticket, for a few days.
        self._covers: dict[tuple[str, date], Cover] = {}
        for asset in contract.assets:
            # a contract without a warranty may list assets (sites) without any acceptance
            accepted = asset.accepted_on or contract.accepted_on or date.min
            self._add(AssetInfo(asset.id, UNIT, asset.id, accepted))
            for part in asset.parts:
                self._add(AssetInfo(part.id, part.kind, asset.id, accepted))

    @property
    def has_warranty(self) -> bool:
        return self.contract.warranty is not None

    @classmethod
    def build(
        cls,
        contract: Contract,
        events: Iterable[Event],
        matcher: Matcher | None = None,
        ordered: bool = False,
    ) -> WarrantyBook:
        """The book of ``contract`` after ``events`` (any order; applied in (at, arrival) order).
        ``ordered``: the events are in (at, arrival) order already (an evaluation's are)."""
        book = cls(contract)
        if contract.warranty is None:
            return book
        matcher = matcher or matcher_for(contract)
        # Only event types some extension clause names can extend: a cheap filter before asking
        # the rule set (which still decides), so the hot path of replay stays a set lookup.
        extend_types = {
            condition.type
            for clause in contract.clauses
            if isinstance(clause, WarrantyExtensionClause)
            for condition in clause.on_event
        }
        repairs = contract.warranty.extend_by_repairs
        repair_types = matcher.types_for(("repair_start", "repair_end")) if repairs else frozenset()
        # With repairs counted, at one instant a repair ends before a replacement whatever the
        # file's order (as in remedies.py): it extends the cover it ran under, and the new term
        # starts after it.
        if repair_types:
            walked: Iterable[Event] = sorted(events, key=_replacements_last)
        else:
            walked = events if ordered else sorted(events, key=Event.sort_key)
        for event in walked:
            replaced = None
            if event.type == "part_replaced":
                replaced = book._replace(event)
            if repair_types:  # extend_by_repairs: a repair counts for its ticket's asset
                if event.ticket is not None and event.asset is not None:
                    book._ticket_asset.setdefault(event.ticket, event.asset)
                if event.type in repair_types:
                    book._repair(event, matcher)
            if event.type in extend_types:
                actions = matcher.match(
                    event.type, event.severity, event.asset, event.ticket, event.attrs
                )
                for action in actions:
                    if action.kind == "extend":
                        book._extend(event, action.target)
            if event.asset is not None and "usage" in event.attrs:
                book._read_usage(event, skip=replaced)
        return book

    # -- questions ---------------------------------------------------------------------------

    def day_of(self, when: datetime) -> date:
        """The calendar date of ``when`` in the contract's time zone."""
        return when.astimezone(self.zone).date()

    def units(self) -> list[str]:
        return [a.id for a in self.assets.values() if a.kind == UNIT]

    def unit_of(self, asset: str) -> str | None:
        info = self.assets.get(asset)
        return info.unit if info else None

    def cover(self, asset: str, day: date) -> Cover:
        """Is ``asset`` covered on ``day``, until when, and why — as things stood that day."""
        known = self._covers.get((asset, day))
        if known is not None:
            return known
        if self.contract.warranty is None:
            raise SlaError(f"contract {self.contract.id} has no warranty section")
        info = self.assets.get(asset)
        if info is None:
            raise SlaError(
                f"asset {asset!r} is not in contract {self.contract.id} "
                f"(its assets: {', '.join(self.assets) or 'none'})"
            )
        entries = self._history[asset]
        at = bisect_right(self._effective[asset], day) - 1
        entry = entries[max(at, 0)]
        covered = entry.warranted and entry.start <= day < entry.expires
        basis = (
            entry.basis
            if day >= entry.start or not entry.warranted
            else f"{entry.basis} (cover begins {entry.start})"
        )
        found = Cover(
            asset,
            info.kind,
            info.unit,
            day,
            covered,
            entry.start,
            entry.expires,
            basis,
            entry.warranted,
        )
        self._covers[(asset, day)] = found
        return found

    def all_assets(self, day: date) -> list[Cover]:
        """Every asset's cover on ``day``, soonest expiry first."""
        covers = [self.cover(asset, day) for asset in self.assets]
        return sorted(covers, key=lambda c: (c.expires, c.asset))

    def ticket_cover(self, asset: str | None, reported_at: datetime | None) -> Cover | None:
        """The cover of a ticket's asset on its reported date; None when it cannot be told
        (no warranty section, no asset, an asset the contract does not list, no report)."""
        if self.contract.warranty is None or asset is None or reported_at is None:
            return None
        if asset not in self.assets:
            return None
        return self.cover(asset, self.day_of(reported_at))

    def expiry(self, asset: str) -> date | None:
        """The first day without cover as the events now stand (after every change)."""
        entries = self._history.get(asset)
        return entries[-1].expires if entries else None

    def final_months(self, unit: str) -> list[tuple[date, date]]:
        """The last month of each warranty the unit has had: [first day, expiry).

        A month belongs to the calendar when its warranty was still in force as the month began:
        a failed final inspection extends the warranty inside its final month (so both that
        month and the extended warranty's last month are listed), while a change made before the
        month began (a replacement) replaces it. A cover ended by its usage limit has none.
        """
        entries = self._history.get(unit, [])
        months: list[tuple[date, date]] = []
        for i, entry in enumerate(entries):
            if not entry.warranted or entry.ended_by_usage or entry.expires <= entry.start:
                continue
            # The final inspection falls in the warranty's last month (质保期最后一个月).
            begins = max(add_months(entry.expires, -1), entry.start)
            if i + 1 < len(entries) and entries[i + 1].effective < begins:
                continue
            if (begins, entry.expires) not in months:
                months.append((begins, entry.expires))
        return months

    # -- building ----------------------------------------------------------------------------

    def _add(self, info: AssetInfo) -> None:
        self.assets[info.id] = info
        self._covers.clear()
        if self.contract.warranty is not None and info.added_by is None:
            self._push(info.id, self._from_acceptance(info, date.min))

    def _push(self, asset: str, entry: _Entry) -> None:
        self._covers.clear()  # the cover history changed: answers given so far may not hold
        self._history.setdefault(asset, []).append(entry)
        self._effective.setdefault(asset, []).append(entry.effective)

    def _current(self, asset: str) -> _Entry:
        return self._history[asset][-1]

    def _term(self, kind: str) -> tuple[Term | None, str]:
        """The term of a class and its label (``key_part 5y``); a class without a term of its
        own, or written ``unit``, follows the unit's term. None (and the reason as the label)
        when there is neither: a warranty of replaced parts only gives such a class nothing."""
        warranty = self.contract.warranty
        assert warranty is not None
        term = warranty.own_term(kind)
        if term is None:
            return None, f"no warranty term for {kind}: only replaced parts are warranted"
        own = warranty.terms.get(kind)  # type: ignore[call-overload]
        if own is None or own.follows is not None:
            return term, f"{kind} {term} (its unit's term)"
        return term, f"{kind} {term}"

    def _from_acceptance(self, info: AssetInfo, effective: date) -> _Entry:
        warranty = self.contract.warranty
        assert warranty is not None
        term, label = self._term(info.kind)
        if warranty.replaced_parts_only or term is None:
            # Only the parts the supplier replaces are warranted: the equipment as accepted
            # (units and the parts in them) has no cover.
            basis = (
                label
                if term is None
                else f"no cover from acceptance: only replaced parts are warranted "
                f"({label} from its replacement)"
            )
            day = info.accepted_on
            return _Entry(effective, day, day, day, None, basis, warranted=False)
        assert term.duration is not None
        end = term.duration.add_to(info.accepted_on)
        return _Entry(
            effective=effective,
            start=info.accepted_on,
            term_end=end,
            expires=end,
            usage_end=term.usage_limit,
            basis=f"{label} from acceptance {info.accepted_on}",
        )

    def _replace(self, event: Event) -> str | None:
        """Apply a ``part_replaced``; return the asset whose cover it set (or None)."""
        warranty = self.contract.warranty
        assert warranty is not None
        asset = event.asset
        day = self.day_of(event.at)
        what = f"part_replaced {event.id} on {day}"
        if asset is None:
            self.notes.append(f"{event.id}: part_replaced names no asset; cover left unchanged")
            return None
        if asset in self.assets:
            info = self.assets[asset]
            before = self._current(asset)
        else:
            added = self._new_asset(event, asset)
            if added is None:
                return None
            info = added
            # A part the contract did not list was still part of its unit since acceptance:
            # what it "had left" is its class's term from the unit's acceptance.
            before = self._from_acceptance(info, day)
        if day < before.start:
            if info.added_by is not None:
                self._push(asset, replace(before, effective=day))
            return asset  # before acceptance: the cover from acceptance applies anyway
        if warranty.replaced_parts_only and not (
            before.warranted and before.start <= day < before.expires
        ):
            return self._replace_uncovered(event, info, day, what)
        if not before.start <= day < before.expires:
            self._push(
                asset,
                replace(
                    before,
                    effective=day,
                    basis=f"{before.basis}; replaced out of warranty by {what} "
                    "(chargeable; no new cover)",
                ),
            )
            return asset
        term, label = self._term(info.kind)
        assert term is not None and term.duration is not None  # it had cover: it has a term
        policy = warranty.rewarranty
        kept = _Entry(
            effective=day,
            start=day,
            term_end=before.term_end,
            expires=before.expires,
            usage_end=before.usage_end,
            basis=f"{before.basis}; remaining cover kept by {what}",
        )
        if policy == "fresh_term":
            entry = self._fresh(event, info, term, label, day, what)
        elif policy == "remaining":
            entry = kept
        else:  # max(remaining, N)
            least = Duration.parse(policy[len("max(remaining,") : -1])
            end = least.add_to(day)
            if end > before.term_end:
                fresh = self._fresh(event, info, term, label, day, what)
                entry = _Entry(
                    day,
                    day,
                    end,
                    end,
                    fresh.usage_end,
                    f"{info.kind} {least} from {what} (max(remaining, {least}): "
                    f"longer than the {before.term_end} it had left)",
                )
            else:
                entry = replace(kept, basis=f"{kept.basis} (max(remaining, {least}))")
        self._push(asset, entry)
        return asset

    def _replace_uncovered(self, event: Event, info: AssetInfo, day: date, what: str) -> str:
        """A warranty of replaced parts only, a part without cover (never replaced, or its
        last replacement's term over): the replacement gives it its class's fresh term from
        the replacement day whatever the re-warranty policy (there is nothing remaining to
        keep; the policy decides for a part replaced again while covered). A class without a
        term gets nothing, and the basis says so."""
        asset = info.id
        term, label = self._term(info.kind)
        if term is None or term.duration is None:
            self._push(
                asset,
                _Entry(day, day, day, day, None, f"{label}; replaced by {what}", warranted=False),
            )
            return asset
        self._push(asset, self._fresh(event, info, term, label, day, what))
        return asset

    def _fresh(
        self, event: Event, info: AssetInfo, term: Term, label: str, day: date, what: str
    ) -> _Entry:
        """The class's full term from the replacement day (its usage limit from the reading
        at the replacement)."""
        assert term.duration is not None
        baseline = self._baseline(event, info)
        usage = baseline + term.usage_limit if term.usage_limit is not None else None
        end = term.duration.add_to(day)
        return _Entry(day, day, end, end, usage, f"fresh {label} from {what}")

    def _new_asset(self, event: Event, asset: str) -> AssetInfo | None:
        unit, kind = event.attrs.get("unit"), event.attrs.get("class")
        units = self.units()
        if unit not in units or kind not in (KEY_PART, PART):
            self.notes.append(
                f"{event.id}: part_replaced names asset {asset!r}, which the contract does not "
                f"list; to add it give attrs.unit (one of {', '.join(units) or 'none'}) and "
                "attrs.class (key_part or part). Cover left unchanged"
            )
            return None
        assert isinstance(unit, str) and isinstance(kind, str)
        info = AssetInfo(asset, kind, unit, self.assets[unit].accepted_on, added_by=event.id)
        self.assets[asset] = info
        self._covers.clear()
        return info

    def _baseline(self, event: Event, info: AssetInfo) -> Decimal:
        """The usage counter reading when a part is fitted: the event's own reading, else the
        last reading of the part or its unit, else 0."""
        reading = usage_reading(event.attrs)
        if reading is not None:
            return reading
        known = [self._readings[a] for a in (info.id, info.unit) if a in self._readings]
        return max(known, default=Decimal(0))

    def _repair(self, event: Event, matcher: Matcher) -> None:
        """``extend_by_repairs`` (修理占用时间不计入有效期): a repair of a covered asset, from its
        ticket's ``from`` event to its ``until`` event, moves the cover's end by its duration
        in days (a started day counts whole). It counts when the repair began under cover, even
        if it ends after the old expiry; the new end holds from the day the repair began (from
        its last day when the asset's cover changed in between)."""
        ticket = event.ticket
        if ticket is None:
            return
        asset = self._ticket_asset.get(ticket) or event.asset
        kinds = {
            action.kind
            for action in matcher.match(event.type, event.severity, asset, ticket, event.attrs)
        }
        began = self._repairing.get(ticket)
        if "repair_end" in kinds and began is not None:
            del self._repairing[ticket]
            self._repaired(asset, began, event)
        elif "repair_start" in kinds and began is None:
            self._repairing[ticket] = event

    def _repaired(self, asset: str | None, began: Event, ended: Event) -> None:
        if asset is None or asset not in self._history:
            self.notes.append(
                f"{ended.id}: a repair ended on "
                + (f"asset {asset!r}, which the contract does not list" if asset else "no asset")
                + "; no warranty extended by its time"
            )
            return
        first = self.day_of(began.at)
        if not self.cover(asset, first).covered:
            return  # begun out of cover: nothing to hold
        seconds = ended.at.timestamp() - began.at.timestamp()
        if seconds <= 0:
            return
        days = math.ceil(seconds / 86400)  # a started day counts whole
        last = self.day_of(ended.at)
        why = (
            f"extended {days}d by the repair {began.type} {began.id} on {first} – "
            f"{ended.type} {ended.id} on {last} ({span_hours(seconds)})"
        )
        by = Duration(days, "d")
        self._extend_by(asset, by, why, (first, last), ended.id, "a repair's time does not")

    def _extend_by(
        self,
        asset: str,
        by: Duration,
        why: str,
        days: tuple[date, date],
        event_id: str,
        what: str,
    ) -> None:
        """Move the cover's end of ``asset`` (and of a unit's parts that end with it) by ``by``,
        effective from the first of ``days`` (or the last where the cover changed after the
        first); ``what`` extends it, named in the note when a usage limit ended the cover."""
        first, last = days
        targets = [asset]
        if self.assets[asset].kind == UNIT:
            ends = self._current(asset).expires
            targets += [
                info.id
                for info in self.assets.values()
                if info.unit == asset
                and info.kind != UNIT
                and info.id in self._history
                and self._current(info.id).expires == ends
                and not self._current(info.id).ended_by_usage
            ]
        for target in targets:
            before = self._current(target)
            if not before.warranted:  # a warranty of replaced parts only: nothing to extend
                if target == asset:
                    self.notes.append(
                        f"{event_id}: {target} has no warranty cover ({before.basis}); "
                        f"{what} give it one"
                    )
                continue
            if before.ended_by_usage:
                self.notes.append(
                    f"{event_id}: {target}'s cover already ended by its usage limit; "
                    f"{what} extend it"
                )
                continue
            effective = first if self._effective[target][-1] <= first else last
            end = by.add_to(before.term_end)
            self._push(
                target,
                replace(
                    before,
                    effective=effective,
                    term_end=end,
                    expires=end,
                    basis=f"{before.basis}, {why}",
                ),
            )

    def _extend(self, event: Event, clause_id: str) -> None:
        clause = self.contract.clause(clause_id)
        assert isinstance(clause, WarrantyExtensionClause)
        day = self.day_of(event.at)
        asset = event.asset
        if asset is None or asset not in self.assets:
            self.notes.append(
                f"{event.id}: {event.type} triggers {clause_id} but names "
                + (f"asset {asset!r}, which the contract does not list" if asset else "no asset")
                + "; no warranty extended"
            )
            return
        failed = " failed" if event.attrs.get("passed") is False else ""
        why = (
            f"extended {clause.extend_by} by {clause_id} ({event.type} {event.id} on {day}{failed})"
        )
        self._extend_by(asset, clause.extend_by, why, (day, day), event.id, f"{clause_id} does not")

    def _read_usage(self, event: Event, skip: str | None) -> None:
        reading = usage_reading(event.attrs)
        asset = event.asset
        if reading is None or asset is None:
            return
        if asset not in self.assets:
            self.notes.append(
                f"{event.id}: usage reading on asset {asset!r}, which the contract does not list"
            )
            return
        self._readings[asset] = reading
        day = self.day_of(event.at)
        targets = [asset]
        if self.assets[asset].kind == UNIT:
            targets += [
                info.id for info in self.assets.values() if info.unit == asset and info.id != asset
            ]
        for target in targets:
            if target == skip or target not in self._history:
                continue
            entry = self._current(target)
            if entry.usage_end is None or reading < entry.usage_end:
                continue
            if not entry.start <= day < entry.expires:
                continue
            term, _ = self._term(self.assets[target].kind)
            unit = f" {term.usage_unit}" if term is not None and term.usage_unit else ""
            self._push(
                target,
                replace(
                    entry,
                    effective=day,
                    expires=day,
                    ended_by_usage=True,
                    basis=f"{entry.basis}; usage limit reached at {entry.usage_end}{unit}: "
                    f"{reading}{unit} read by {event.type} {event.id} on {day}",
                ),
            )


def warranty_reminders(
    book: WarrantyBook, as_of: date | datetime, remind_before: Duration | None = None
) -> list[Cover]:
    """Assets covered on ``as_of`` whose cover ends within ``remind_before`` (default: the
    contract's ``warranty.remind_before``), soonest first. For the live service's reminders."""
    warranty = book.contract.warranty
    if warranty is None:
        return []
    day = book.day_of(as_of) if isinstance(as_of, datetime) else as_of
    horizon = (remind_before or warranty.remind_before).add_to(day)
    return [cover for cover in book.all_assets(day) if cover.covered and cover.expires <= horizon]
