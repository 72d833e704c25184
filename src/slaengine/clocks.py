"""The ticket state machine: one ticket's events in, its clocks out.

Theory of operation
-------------------
A ticket's events are walked in (``at``, arrival) order. For each event the contract's rule set
(via ``Matcher``) says which actions it triggers — ``stop``/``cancel``/``pause``/``resume``/
``start`` of which commitment — and this module applies them, in that order, so that an event
which ends one clock and begins another (``arrived``: stop ``onsite-30min``, start
``repair-general-30min``) closes before it opens. Everything that affects a clock lives in this
file; the odd cases of docs/reference.md section 3 are explicit code beside the walk:

* ``reported`` sets the ticket's severity and asset and opens cycle 1.
* ``reclassified`` changes the severity from its ``at`` on: running clocks that no longer apply
  are cancelled; commitments that now apply start *retroactively* at the first event of this
  cycle that matched their start, unless a stop (or cancel) already followed it.
* ``reopened`` opens a new cycle; commitments whose start matches a ``reported`` event start at
  the reopen time. Earlier cycles keep their clocks and outcomes.
* ``cancelled`` cancels every running clock of the ticket; stopped clocks keep their outcome;
  nothing new starts until the ticket is reopened.

The walk records facts only (when each clock started, stopped or was cancelled, and when each
commitment was paused). Deadlines and outcomes are judged afterwards, at the evaluation time
``as_of``, by ``judge`` — so the same walk serves any ``as_of``, and pauses or force-majeure
intervals declared late simply shift the computed deadline. Nothing here reads a clock or does
I/O: the caller passes ``as_of``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from slaengine.calendars import Calendar, Interval
from slaengine.contract.models import Commitment, Contract
from slaengine.durations import Duration
from slaengine.events import Event
from slaengine.ruleset.compiler import Action
from slaengine.ruleset.matcher import Matcher

#: Clock statuses, as reports show them.
RUNNING, PAUSED, MET, BREACHED, CANCELLED = "running", "paused", "met", "breached", "cancelled"


@dataclass(slots=True)
class ClockRecord:
    """What the walk learnt about one clock: facts, not judgements."""

    commitment: Commitment
    cycle: int
    started_at: datetime
    start_event: str
    retroactive: bool = False
    stopped_at: datetime | None = None
    stop_event: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cancel_event: str | None = None
    #: Cancelled with the whole ticket: a breach already incurred by then stands.
    cancel_keeps_breach: bool = False
    #: Cancelled because a reclassification made the commitment no longer apply.
    reclassified_out: bool = False
    #: The target from the commitment's target table (None: its plain ``target``).
    target: Duration | None = None
    #: For a commitment that runs per start: which start this clock is (1, 2, ...); else 0.
    occurrence: int = 0

    @property
    def open(self) -> bool:
        return self.stopped_at is None and self.cancelled_at is None

    @property
    def ended_at(self) -> datetime | None:
        return self.stopped_at or self.cancelled_at


@dataclass(slots=True)
class _Cycle:
    """One cycle of a ticket's walk (a reopen starts the next): its clocks and their pauses."""

    number: int
    opened_at: datetime
    first_start: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)  # a stop or cancel followed the first start
    clocks: dict[str, ClockRecord] = field(default_factory=dict)
    #: Per commitment: [start, end-or-None] of each pause in this cycle (a clock clips them to
    #: its own span; a pause left open in one cycle does not reach into the next).
    pauses: dict[str, list[list[datetime | None]]] = field(default_factory=dict)


@dataclass(slots=True)
class TicketWalk:
    """Walks one ticket's events (already sorted) and keeps the facts about its clocks."""

    contract: Contract
    matcher: Matcher
    ticket: str
    asset_classes: dict[str, str]
    severity: str | None = None
    asset: str | None = None
    reported_at: datetime | None = None
    status: str = "open"
    cycles: list[_Cycle] = field(default_factory=list)
    _halted: bool = False  # the ticket was cancelled: nothing starts until it is reopened
    #: Asset attributes the ticket's events carried (``attrs.zone``), for target tables where
    #: the asset registry lacks them; only the names the contract tests are kept.
    site: dict[str, str] = field(default_factory=dict)
    #: What each of the matcher's answers does, resolved once: (answer, its (handler,
    #: commitment) steps) by the answer's id (negated: only its starts). The matcher keeps its
    #: answers for good, and each entry holds its answer, so an id is never reused while it is
    #: a key here; the evaluation context shares one dict across tickets.
    plans: dict[int, tuple[tuple[Action, ...], tuple[_Step, ...]]] = field(default_factory=dict)
    #: Target tables' answers by (commitment, severity, asset, site facts): ``_target``; the
    #: evaluation context shares one dict across tickets, as it does ``plans``.
    targets: dict[tuple[Any, ...], Duration] = field(default_factory=dict)

    # -- the walk ------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        if not self.cycles:
            self.cycles.append(_Cycle(1, event.at))
        if event.asset is not None and self.asset is None:
            self.asset = event.asset
        names = self.contract.fact_names
        if names and event.attrs:
            for name in names:
                value = event.attrs.get(name)
                if isinstance(value, str) and name not in self.site:
                    self.site[name] = value
        kind = event.type
        if kind in _TICKET_TYPES:
            if kind == "reported":
                self.reported_at = self.reported_at or event.at
                if self.severity is None:
                    self.severity = event.severity
                elif event.severity != self.severity:
                    self._reclassify(event)
            elif kind == "reclassified":
                self._reclassify(event)
            elif kind == "reopened":
                self._reopen(event)
            elif kind == "cancelled":
                self._cancel_ticket(event)
            else:
                self.status = "resolved"
        actions = self.matcher.by_type.get(kind)
        if actions is None:
            actions = self._match(event)
        # ``_apply_actions`` written out: it runs once an event.
        found = self.plans.get(id(actions))
        if found is None or found[0] is not actions:
            found = self._plan(actions, False)
        for handler, commitment in found[1]:
            handler(self, commitment, event)

    def _match(self, event: Event, as_type: str | None = None) -> tuple[Action, ...]:
        return self.matcher.match(
            as_type or event.type,
            event.severity or self.severity,
            event.asset or self.asset,
            self.ticket,
            event.attrs,
        )

    def _apply_actions(
        self, event: Event, actions: tuple[Action, ...], only_starts: bool = False
    ) -> None:
        """Apply clock actions in the matcher's order: stops and cancels before starts."""
        key = -id(actions) if only_starts else id(actions)
        found = self.plans.get(key)
        if found is None or found[0] is not actions:
            found = self._plan(actions, only_starts)
        for handler, commitment in found[1]:
            handler(self, commitment, event)

    def _plan(
        self, actions: tuple[Action, ...], only_starts: bool
    ) -> tuple[tuple[Action, ...], tuple[_Step, ...]]:
        """What a matcher answer does, resolved to (handler, commitment) steps and kept in
        ``plans``. A start, stop or cancel of a commitment that runs once gets the handler
        written for it (``_start_once``, ``_start_plain``, ``_stop_once``, ``_cancel_once``):
        the same facts, fewer tests."""
        steps = []
        for action in actions:
            kind = action.kind
            if kind not in self._HANDLERS or (only_starts and kind != "start"):
                continue
            commitment = self.contract.commitment(action.target)
            handler = self._HANDLERS[kind]
            if commitment.runs == "once":
                if kind == "stop":
                    handler = TicketWalk._stop_once
                elif kind == "cancel":
                    handler = TicketWalk._cancel_once
                elif kind == "start":
                    rule = commitment.applies_to
                    plain = not (rule.severity or rule.attrs or rule.asset_class)
                    handler = (
                        TicketWalk._start_plain
                        if plain and not commitment.targets
                        else TicketWalk._start_once
                    )
            steps.append((handler, commitment))
        found = self.plans[-id(actions) if only_starts else id(actions)] = (actions, tuple(steps))
        return found

    def _stop(self, commitment: Commitment, event: Event) -> None:
        if commitment.runs == "once":
            self._stop_once(commitment, event)
            return
        for clock in self._closing(commitment):
            clock.stopped_at, clock.stop_event = event.at, event.id

    def _stop_once(self, commitment: Commitment, event: Event) -> None:
        """``_stop`` of a commitment that runs once."""
        for clock in self._closing_once(commitment):
            clock.stopped_at, clock.stop_event = event.at, event.id

    def _cancel(self, commitment: Commitment, event: Event) -> None:
        for clock in self._closing(commitment):
            clock.cancelled_at = event.at
            clock.cancel_reason = f"{event.type} ({event.id})"
            clock.cancel_event = event.id

    def _cancel_once(self, commitment: Commitment, event: Event) -> None:
        """``_cancel`` of a commitment that runs once."""
        for clock in self._closing_once(commitment):
            clock.cancelled_at = event.at
            clock.cancel_reason = f"{event.type} ({event.id})"
            clock.cancel_event = event.id

    def _closing_once(self, commitment: Commitment) -> Sequence[ClockRecord]:
        """``_closing`` of a commitment that runs once. One cycle and one clock a commitment, as
        nearly every ticket has, is written out without building a list (stops and cancels are
        a third of the walk's calls)."""
        cycles = self.cycles
        if len(cycles) != 1:
            return self._closing(commitment)
        cycle = cycles[0]
        name = commitment.id
        if name in cycle.first_start:
            cycle.closed.add(name)
        clock = cycle.clocks.get(name)
        if clock is not None and clock.stopped_at is None and clock.cancelled_at is None:
            return (clock,)
        return ()

    def _closing(self, commitment: Commitment) -> list[ClockRecord]:
        """The clocks a stop or cancel of ``commitment`` closes now: its running clock of any
        cycle — an earlier cycle's clock still running (a report owed for the first repair) is
        closed by the same event: it is the same obligation, fulfilled late or not."""
        name = commitment.id
        cycle = self.cycles[-1]
        if name in cycle.first_start:
            cycle.closed.add(name)
        if commitment.runs != "once":
            # one reply answers every contact still waiting for one
            return [
                clock
                for each in self.cycles
                for clock in each.clocks.values()
                if clock.commitment.id == name and clock.open
            ]
        found = []
        for each in self.cycles:
            clock = each.clocks.get(name)
            if clock is not None and clock.stopped_at is None and clock.cancelled_at is None:
                found.append(clock)
        return found

    def _pause(self, commitment: Commitment, event: Event) -> None:
        spans = self.cycles[-1].pauses.setdefault(commitment.id, [])
        if not spans or spans[-1][1] is not None:
            spans.append([event.at, None])

    def _resume(self, commitment: Commitment, event: Event) -> None:
        spans = self.cycles[-1].pauses.get(commitment.id)
        if spans and spans[-1][1] is None:
            spans[-1][1] = event.at

    def pauses_of(self, record: ClockRecord) -> list[list[datetime | None]]:
        """The pauses that can count for a clock: its own cycle's, for its commitment."""
        pauses = self.cycles[record.cycle - 1].pauses
        if not pauses or not record.commitment.pausable:  # most cycles pause nothing
            return []
        return pauses.get(record.commitment.id, [])

    def _start(self, commitment: Commitment, event: Event) -> None:
        if commitment.runs != "once":
            cycle = self.cycles[-1]
            if commitment.id not in cycle.first_start:
                cycle.first_start[commitment.id] = (event.at, event.id)
            self._start_occurrence(commitment, event)
            return
        self._start_once(commitment, event)

    def _start_plain(self, commitment: Commitment, event: Event) -> None:
        """``_start`` of a commitment that runs once, applies to every ticket and has one
        target (most of a tender's: the walk's most frequent step)."""
        cycle = self.cycles[-1]
        name = commitment.id
        if name not in cycle.first_start:
            cycle.first_start[name] = (event.at, event.id)
        if self._halted or name in cycle.clocks:
            return
        cycle.clocks[name] = ClockRecord(commitment, cycle.number, event.at, event.id)

    def _start_once(self, commitment: Commitment, event: Event) -> None:
        """``_start`` of a commitment that runs once."""
        cycle = self.cycles[-1]
        name = commitment.id
        if name not in cycle.first_start:
            cycle.first_start[name] = (event.at, event.id)
        if self._halted or name in cycle.clocks:
            return
        rule = commitment.applies_to
        # ``applies`` and ``_target`` are asked only when there is something to ask: most
        # commitments apply to every ticket and have one target (saves two calls a start).
        if (rule.severity or rule.attrs or rule.asset_class) and not self.applies(commitment):
            return
        cycle.clocks[name] = ClockRecord(
            commitment,
            cycle.number,
            event.at,
            event.id,
            target=self._target(commitment) if commitment.targets else None,
        )

    def _start_occurrence(self, commitment: Commitment, event: Event) -> None:
        """A commitment that runs per start: every start event opens a clock of its own; one
        that runs per window: a start opens one only when none of its clocks is open on the
        ticket (a nudge in an unanswered thread keeps the window of its first message)."""
        if self._halted or not self.applies(commitment):
            return
        if commitment.runs == "per_window" and any(
            clock.open and clock.commitment.id == commitment.id
            for each in self.cycles
            for clock in each.clocks.values()
        ):
            return
        cycle = self.cycles[-1]
        number = 1 + sum(1 for c in cycle.clocks.values() if c.commitment.id == commitment.id)
        cycle.clocks[f"{commitment.id}#{number}"] = ClockRecord(
            commitment,
            cycle.number,
            event.at,
            event.id,
            target=self._target(commitment),
            occurrence=number,
        )

    def facts(self) -> dict[str, str | None]:
        """What target tables and ``applies_to`` test: the severity and the asset's attributes
        (from the registry, or else from the ticket's events)."""
        registry = self.contract.asset_attrs.get(self.asset or "", {})
        return {"severity": self.severity, **self.site, **registry}

    def _target(self, commitment: Commitment) -> Duration | None:
        if not commitment.targets:
            return None
        # The table's answer depends on the facts alone, and they on the severity, the asset's
        # attributes in the registry (one dict per asset, for as long as the contract lives)
        # and the site: kept by those, shared across tickets.
        registry = self.contract.asset_attrs.get(self.asset or "")
        key = (commitment.id, self.severity, id(registry), *self.site.items())
        memo = self.targets
        found = memo.get(key)
        if found is None:
            if len(memo) >= _TARGETS_KEPT:
                memo.clear()
            found = memo[key] = commitment.target_for(self.facts())
        return found

    def applies(self, commitment: Commitment) -> bool:
        rule = commitment.applies_to
        if rule.severity and self.severity not in rule.severity:
            return False
        if rule.attrs:
            facts = self.facts()
            if any(facts.get(name) not in values for name, values in rule.attrs.items()):
                return False
        if rule.asset_class:
            asset_class = self.asset_classes.get(self.asset or "")
            if asset_class not in rule.asset_class:
                return False
        return True

    def _reclassify(self, event: Event) -> None:
        self.severity = event.severity
        cycle = self.cycles[-1]
        for clock in cycle.clocks.values():
            if clock.open and not self.applies(clock.commitment):
                clock.cancelled_at = event.at
                clock.cancel_reason = f"no longer applies: reclassified to {event.severity}"
                clock.cancel_event = event.id
                clock.reclassified_out = True
        for commitment in self.contract.commitments:
            first = cycle.first_start.get(commitment.id)
            existing = cycle.clocks.get(commitment.id)
            # A clock that an earlier reclassification cancelled starts again when the
            # severity comes back (general -> major -> general): one clock per cycle.
            # (A commitment that runs per start starts only on its start events.)
            if (
                first is not None
                and commitment.runs == "once"
                and (existing is None or existing.reclassified_out)
                and commitment.id not in cycle.closed
                and not self._halted
                and self.applies(commitment)
            ):
                cycle.clocks[commitment.id] = ClockRecord(
                    commitment,
                    cycle.number,
                    first[0],
                    first[1],
                    retroactive=True,
                    target=self._target(commitment),
                )

    def _reopen(self, event: Event) -> None:
        self._halted = False
        self.status = "open"
        self.cycles.append(_Cycle(len(self.cycles) + 1, event.at))
        self._apply_actions(event, self._match(event, "reported"), only_starts=True)

    def _cancel_ticket(self, event: Event) -> None:
        self.status = "cancelled"
        self._halted = True
        for cycle in self.cycles:
            for clock in cycle.clocks.values():
                if clock.open:
                    clock.cancelled_at = event.at
                    clock.cancel_reason = f"ticket cancelled ({event.id})"
                    clock.cancel_event = event.id
                    clock.cancel_keeps_breach = True

    def records(self) -> list[ClockRecord]:
        return [clock for cycle in self.cycles for clock in cycle.clocks.values()]

    _HANDLERS: ClassVar[dict[str, Callable[[TicketWalk, Commitment, Event], None]]] = {
        "stop": _stop,
        "cancel": _cancel,
        "pause": _pause,
        "resume": _resume,
        "start": _start,
    }


_Step = tuple[Callable[["TicketWalk", Commitment, Event], None], Commitment]
#: At most this many target-table answers are kept (``TicketWalk.targets``).
_TARGETS_KEPT = 4096
#: The event types the walk handles itself before the rule set's actions.
_TICKET_TYPES = frozenset({"reported", "reclassified", "reopened", "cancelled", "resolved"})


# -- judging clocks at as_of -----------------------------------------------------------------


#: The fields of a clock's JSON that are times (RFC 3339 with offset).
_TIME_FIELDS = ("started_at", "deadline", "stopped_at", "cancelled_at", "warn_at")


# Not frozen: a frozen dataclass's __init__ sets each of the 20 fields through
# object.__setattr__, four times the cost of a plain one (measured), and a replay builds one clock
# per event or so. Clocks are never changed after ``judge`` builds them.
@dataclass(slots=True, unsafe_hash=True)
class Clock:
    """One clock judged at ``as_of`` (docs/reference.md section 7, ``clocks``)."""

    ticket: str
    commitment: str
    cycle: int
    status: str
    started_at: datetime
    deadline: datetime
    stopped_at: datetime | None
    late_by_seconds: int
    severity: str | None
    calendar: str
    target: str
    paused_seconds: int = 0
    excused_seconds: int = 0
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    warn_at: datetime | None = None
    retroactive: bool = False
    start_event: str | None = None
    stop_event: str | None = None
    #: The clock was cancelled after its deadline had passed: a breach that was withdrawn.
    withdrawn: bool = False
    #: Which start of a commitment that runs per start (1, 2, ...); 0 for the usual one clock.
    occurrence: int = 0

    @property
    def start_key(self) -> str:
        """What tells this clock from the other starts of its commitment and cycle, stable
        whatever arrives later: its start event's id for a commitment that runs per start (a
        late contact with an earlier time renumbers ``occurrence``, never this); '' for a
        commitment's one clock of a cycle (whose start event a late, earlier start replaces)."""
        return (self.start_event or "") if self.occurrence else ""

    def to_json(self) -> dict[str, Any]:
        data = self.json_fields()
        for name in _TIME_FIELDS:
            value = data.get(name)
            if value is not None:
                data[name] = value.isoformat()
        return data

    def json_fields(self) -> dict[str, Any]:
        """``to_json`` with the times left as datetimes, for a writer that formats them itself
        (orjson writes an aware datetime exactly as ``isoformat`` does, with RFC 3339 offsets)."""
        data: dict[str, Any] = {
            "ticket": self.ticket,
            "commitment": self.commitment,
            "cycle": self.cycle,
            "status": self.status,
            "severity": self.severity,
            "started_at": self.started_at,
            "deadline": self.deadline,
            "stopped_at": self.stopped_at,
            "late_by_seconds": self.late_by_seconds,
            "target": self.target,
            "calendar": self.calendar,
            "paused_seconds": self.paused_seconds,
            "excused_seconds": self.excused_seconds,
        }
        if self.cancelled_at is not None:
            data["cancelled_at"] = self.cancelled_at
            data["cancel_reason"] = self.cancel_reason
            data["withdrawn"] = self.withdrawn
        if self.warn_at is not None:
            data["warn_at"] = self.warn_at
        if self.retroactive:
            data["retroactive"] = True
        if self.occurrence:
            data["occurrence"] = self.occurrence
        data["start_event"] = self.start_event
        if self.stop_event is not None:
            data["stop_event"] = self.stop_event
        return data


def _clip(spans: Sequence[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in spans if a < end and b > start]


def overlap_seconds(spans: Sequence[Interval], start: datetime, end: datetime) -> float:
    """Wall-clock seconds of ``[start, end)`` covered by the (possibly overlapping) spans."""
    total = 0.0
    cursor = start
    for a, b in sorted(_clip(spans, start, end)):
        if b <= cursor:
            continue
        total += b.timestamp() - max(a, cursor).timestamp()
        cursor = b
    return total


def judge(
    record: ClockRecord,
    ticket: str,
    severity: str | None,
    as_of: datetime,
    calendars: dict[str, Calendar],
    pauses: Sequence[Sequence[datetime | None]],
    excused: Sequence[Interval],
    warning_share: float,
) -> Clock:
    """The clock's status, deadline and lateness at ``as_of`` (docs/reference.md section 3)."""
    commitment = record.commitment
    calendar = calendars[commitment.calendar]
    start = record.started_at
    paused: list[Interval] = []
    excused_here: list[Interval] = []
    excluded: list[Interval] = []
    horizon = as_of
    if pauses or excused:
        # How far the clock is known to have run: to its stop (or cancel), or to as_of.
        horizon = min(record.ended_at or as_of, as_of)
        # An interval counts for this clock if it began before that horizon. A closed pause
        # counts in full, an open one up to as_of (its end is not known yet). Force majeure is
        # declared with its end, so it counts in full even past as_of: the deadline is the one
        # the contract really sets, not one that moves with the evaluation time. An interval
        # that begins after the clock stopped is not time the clock ran, and changes nothing.
        if pauses:
            paused = [
                (max(a, start), b if b is not None else max(horizon, start))
                for a, b in pauses
                if a is not None and a < horizon and (b is None or b > start)
            ]
        if excused:
            excused_here = [(max(a, start), b) for a, b in excused if a < horizon and b > start]
        excluded = paused + excused_here if paused and excused_here else paused or excused_here
    # Nearly every clock has nothing excluded: on 24x7 its deadline is then one addition.
    target = record.target or commitment.target
    deadline = calendar.deadline(start, target, excluded)
    paused_now = bool(pauses) and record.open and any(b is None for _, b in pauses)
    late = 0.0
    withdrawn = False
    stopped_at, stop_event = record.stopped_at, record.stop_event
    cancelled_at = record.cancelled_at
    if cancelled_at is not None and record.cancel_keeps_breach and cancelled_at > deadline:
        # The ticket was cancelled after this deadline had passed: the commitment was owed and
        # broken before the cancellation, so the breach stands, closed at the cancellation
        # (docs/reference.md section 3: cancelling a ticket never erases a breach already incurred).
        stopped_at, stop_event, cancelled_at = cancelled_at, record.cancel_event, None
    if cancelled_at is not None:
        status = CANCELLED
        withdrawn = cancelled_at > deadline
    else:
        reference = stopped_at if stopped_at is not None else as_of
        if reference > deadline:
            # timestamps, not datetime subtraction: two datetimes sharing a ZoneInfo subtract
            # as wall-clock times, which is wrong across a daylight-saving change
            late = reference.timestamp() - deadline.timestamp()
            if excluded:
                late -= overlap_seconds(excluded, deadline, reference)
        if stopped_at is not None:
            status = BREACHED if late > 0 else MET
        elif late > 0:
            status = BREACHED
        else:
            status = PAUSED if paused_now else RUNNING
        if late > 0 and commitment.lateness == "calendar":
            # late on the commitment's calendar: only its working time counts (a breach
            # answered before the next working moment is late by 0 s, and still a breach)
            late = calendar.working_seconds(deadline, reference, excluded)
    warn_at = None
    if status in (RUNNING, PAUSED):
        share = commitment.warn_at or warning_share
        working = calendar.working_seconds(start, deadline, excluded)
        warn_at = calendar.advance(start, working * share, excluded)
    return Clock(
        ticket,
        commitment.id,
        record.cycle,
        status,
        start,
        deadline,
        stopped_at,
        math.ceil(late) if late > 0 else 0,
        severity,
        commitment.calendar,
        target.text,
        round(overlap_seconds(paused, start, horizon)) if paused else 0,
        round(overlap_seconds(excused_here, start, horizon)) if excused_here else 0,
        cancelled_at,
        record.cancel_reason,
        warn_at,
        record.retroactive,
        record.start_event,
        stop_event,
        withdrawn,
        record.occurrence,
    )
