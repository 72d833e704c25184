"""A contract's period measures at now from what the store keeps, without judging every ticket.

Theory of operation
-------------------
``judge_measures`` (slaengine.measures) reads three things, and each is in the store already:

* on-time rates count the met and breached clocks of some commitments by the period their
  deadline falls in: one ``GROUP BY`` (period, status) over the stored clock rows per measure
  (``clocks``: contract, commitment, status, deadline), never the clocks themselves — the
  ``ix_clocks_measured`` index holds exactly those columns, so the count reads index entries
  only (migration 0011);
* availability, satisfaction and fault measures read the events of the few types the contract's
  rules turn into their actions (``down``, ``scored_by``, ``faults``...: ``Matcher.types_for``):
  only those events are read (by the ``ix_events_type`` index), with the force majeure
  (excused time) and the waivers;
* and, for a ticket's event that names no severity or asset, the ticket's as its walk left them
  (``ticket_facts``: the walk's own rule, over that ticket's events only).

The stored clock rows are those of the last judgement, which the live service keeps current (a
deadline is judged within milliseconds of passing): so this answers at now. For another moment,
or a contract amended mid-way, the caller judges the whole contract as before (None here).
Measure-credit lines (``measure_credit`` clauses) are priced from these periods by the same
``charge`` as every line.

Transaction boundary: one read session; writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

from slaengine.clocks import BREACHED, MET
from slaengine.contract.models import Contract
from slaengine.evaluate import excused_intervals
from slaengine.events import Event
from slaengine.findings import Findings
from slaengine.measures import MeasurePeriod, judge_measures
from slaengine.measures.periods import measure_periods
from slaengine.money import ZERO
from slaengine.penalties import charge
from slaengine.penalties.kinds.measure_credit import MeasureCredit
from slaengine.penalties.lines import Line
from slaengine.ruleset.matcher import matcher_for
from slaengine.store import Store
from slaengine.store.events import EVENT_COLUMNS, decoded
from slaengine.store.models import StoredClock, StoredEvent

#: The actions of each measure kind that read events (slaengine.measures: ``source.matching``).
EVENT_ACTIONS = ("down", "restored", "scored_by", "faults", "fixed_by", "reopened_by", "visits")


@dataclass(frozen=True, slots=True)
class Measured:
    contract: Contract
    periods: list[MeasurePeriod]
    #: The measure-credit lines priced on those periods (before the yearly and total caps).
    lines: list[Line]


def ticket_facts(events: Sequence[Event]) -> tuple[str | None, str | None]:
    """A ticket's (severity, asset) as its walk leaves them (slaengine.clocks, ``apply``): the
    first asset any of its events names; the severity of the latest ``reported`` or
    ``reclassified`` event. ``events`` in the order the walk takes them."""
    severity: str | None = None
    asset: str | None = None
    for event in events:
        if asset is None and event.asset is not None:
            asset = event.asset
        if event.type in ("reported", "reclassified"):
            severity = event.severity
    return severity, asset


def stored_measures(
    store: Store, contract: str, now: datetime, within: tuple[datetime, datetime] | None = None
) -> Measured | None:
    """The measure periods of the contract's newest version at ``now`` (those overlapping
    ``within`` if given) with their measure-credit lines, from the store; None when the contract
    is not loaded or has several versions in force (the caller judges the whole contract)."""
    with store.sessions() as session:
        rows = store.versions(session, contract)
        if not rows or store.versions_in_force(session, contract):
            return None
        terms = store.context(rows[-1]).contract
        if not terms.measures:
            return Measured(terms, [], [])
        matcher = matcher_for(terms)
        types = set(matcher.types_for(EVENT_ACTIONS)) | {"force_majeure", "breach_waived"}
        found = session.execute(
            select(*EVENT_COLUMNS).where(
                StoredEvent.contract == contract, StoredEvent.type.in_(sorted(types))
            )
        ).all()
        events = sorted(
            (e for e in (decoded(*row) for row in found) if e.at <= now), key=Event.sort_key
        )
        named = sorted({e.ticket for e in events if e.ticket is not None})
        tickets: dict[str, tuple[str | None, str | None]] = {}
        if named:
            own, _ = store.batch_events(session, contract, named)
            for ticket, theirs in own.items():
                walked = sorted((e for e in theirs if e.at <= now), key=Event.sort_key)
                tickets[ticket] = ticket_facts(walked)
        counted: dict[tuple[tuple[str, ...], datetime, datetime], tuple[int, int]] = {}
        # each on-time rate's periods counted at once: one GROUP BY (period, status), one scan
        zone = ZoneInfo(terms.timezone)
        for measure in terms.measures:
            if measure.kind != "on_time_rate":
                continue
            spans = [
                (start, min(end, now))
                for start, end in measure_periods(measure.period, terms.acceptance, zone, now)
                if within is None or (start < within[1] and end > within[0])
            ]
            if not spans:
                continue
            bucket = case(
                *(
                    (and_(StoredClock.deadline >= a, StoredClock.deadline < b), n)
                    for n, (a, b) in enumerate(spans)
                ),
                else_=-1,
            )
            found_counts = {(n, status): 0 for n in range(len(spans)) for status in (MET, BREACHED)}
            for n, status, number in session.execute(
                select(bucket, StoredClock.status, func.count())
                .where(
                    StoredClock.contract == contract,
                    StoredClock.commitment.in_(list(measure.commitments)),
                    StoredClock.status.in_([MET, BREACHED]),
                    StoredClock.deadline >= spans[0][0],
                    StoredClock.deadline < spans[-1][1],
                )
                .group_by(bucket, StoredClock.status)
            ):
                if n >= 0:
                    found_counts[(n, status)] = int(number)
            for n, (a, b) in enumerate(spans):
                key = (tuple(measure.commitments), a, b)
                counted[key] = (found_counts[(n, MET)], found_counts[(n, BREACHED)])

        def on_time(commitments: Sequence[str], start: datetime, end: datetime) -> tuple[int, int]:
            key = (tuple(commitments), start, end)
            if key not in counted:
                by_status = dict(
                    session.execute(
                        select(StoredClock.status, func.count())
                        .where(
                            StoredClock.contract == contract,
                            StoredClock.commitment.in_(list(commitments)),
                            StoredClock.status.in_([MET, BREACHED]),
                            StoredClock.deadline >= start,
                            StoredClock.deadline < end,
                        )
                        .group_by(StoredClock.status)
                    ).all()
                )
                counted[key] = (int(by_status.get(MET, 0)), int(by_status.get(BREACHED, 0)))
            return counted[key]

        wide = [e for e in events if e.ticket is None and e.type == "force_majeure"]
        excused = excused_intervals(wide)
        periods = judge_measures(
            terms,
            events,
            [],
            [(item.start, item.end) for item in excused],
            now,
            tickets,
            on_time=on_time,
            within=within,
        )
    lines: list[Line] = []
    if any(clause.kind == MeasureCredit.name for clause in terms.clauses):
        findings = Findings(terms, now, [], [], [], excused, events)
        findings.__dict__["measures"] = periods  # the cached property, given
        charges = charge(findings)
        # before the yearly and total caps (the caller caps them with every other line)
        lines = [
            x.with_cuts(ZERO, ZERO, ZERO)
            for x in [*charges.penalties, *charges.compensation]
            if x.kind == MeasureCredit.name
        ]
    return Measured(terms, periods, lines)
