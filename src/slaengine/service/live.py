"""The live service: events arrive as they happen and deadlines pass while nobody writes.

Theory of operation
-------------------
Everything here is one question asked again and again: *what does this ticket look like now?*
The answer is the pure core's (``evaluate_ticket`` at ``clock.now()`` over the ticket's stored
events); this module only compares it with what the store last recorded and writes the
difference in one transaction:

* clocks (with ``next_due``: the earlier of an unsent warning and the deadline while it runs);
* a warning alert when ``warn_at`` has passed and the deadline has not;
* a breach (and its alerts) the first time a clock is judged breached; a breach whose clock is
  no longer breached (a late event stopped it in time, or cancelled it) is *withdrawn* and a
  "withdrawn" alert goes out; the row stays, so both are on record;
* penalty lines, when the report has them (one row per line id; the lines of no ticket — a
  missed obligation period, an event clause on a contract-wide event — with the contract-wide
  duties);
* the ticket's ``next_due`` (the earliest due clock, or a future-dated event) and ``dirty=False``
  (storing an event set ``dirty`` and made the ticket due at once).

Alerts are rows in the outbox, written in that same transaction, so a breach is never recorded
without its alerts nor alerted without being recorded. Delivery is slaengine.alerts.outbox's job.

Two callers ask the question: ingestion (for the tickets it just touched) and ``run_due`` (for
every ticket whose ``next_due`` has passed, unevaluated events included), which the scheduler calls
at the earliest due time and on a sweep. A worker claims a ticket by locking its row — on
PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED``, so several workers share the due tickets and
never fire one breach twice; the unique keys on breaches, alerts and outbox rows are the second
line of defence. ``run_due`` also escalates: an alert whose contact has ``escalate_after`` goes
to the contact's ``next`` (level + 1) when the breach is still not acknowledged by then.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial
from itertools import groupby
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from slaengine.alerts import (
    ENV_WEBHOOK,
    Alert,
    AlertKind,
    ChannelSettings,
    WebhookChannelSpec,
    env_webhook_channel,
)
from slaengine.clock import Clock as TimeSource
from slaengine.clocks import BREACHED, PAUSED, RUNNING, Clock
from slaengine.contract.models import Contact, Contract
from slaengine.evaluate import Context, Report, evaluate, evaluate_ticket, excused_intervals
from slaengine.events import Event
from slaengine.penalties import Charges
from slaengine.penalties.lines import CLOCK, COMPENSATION, OBLIGATION, Line
from slaengine.penalties.words import amount_text
from slaengine.store import AddResult, Store, event_of
from slaengine.store.models import (
    CLOSED,
    EVERY_ALERT,
    OPEN,
    PENDING,
    WITHDRAWN,
    Breach,
    OutboxRow,
    PenaltyLine,
    StoredAlert,
    StoredClock,
    StoredEvent,
    Ticket,
)

logger = logging.getLogger("slaengine.service")


class _OfTicket(Protocol):
    @property
    def ticket(self) -> str | None: ...


_T = TypeVar("_T", bound=_OfTicket)

#: Smallest step past "now" for a due time that is exactly now (a deadline is breached only once
#: it has passed, so the next look must be strictly later).
_TICK = timedelta(milliseconds=1)
#: When a ticket could not be evaluated, the next try.
_RETRY = timedelta(seconds=30)
#: Tickets evaluated in one transaction by ingestion (a contract-wide event touches them all).
_EVALUATE_CHUNK = 200
#: Values in one ``IN (...)`` list.
_IN_CHUNK = 500


@dataclass
class DueReport:
    """What one "evaluate what is due now" pass did."""

    tickets: int = 0
    alerts: int = 0
    escalations: int = 0
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Judged:
    """A ticket judged at a moment: its clocks, the events applied, the next future event."""

    context: Context
    clocks: list[Clock]
    applied: list[Event]
    #: The earliest event dated after the moment (it applies once its time has come).
    future: datetime | None


@dataclass
class IngestOutcome:
    added: AddResult
    evaluated: int
    alerts: int


class LiveService:
    """The store, the core and the clock, put together for the live service and its tests."""

    def __init__(
        self,
        store: Store,
        clock: TimeSource | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        import os

        self.store = store
        self.clock = clock or store.clock
        env = os.environ if environ is None else environ
        self.webhook_url = env.get(ENV_WEBHOOK) or None
        # A bad URL is an error at start (SlaError naming the variable), not at each alert.
        env_webhook_channel(ChannelSettings(), env)
        #: Called after a transaction wrote alerts (the outbox delivery wakes up).
        self.on_alerts: list[Callable[[], None]] = []
        #: Called after due times may have changed (the scheduler re-arms).
        self.on_due_changed: list[Callable[[], None]] = []
        self._pass_lock = threading.Lock()
        #: When the contract-wide duties (obligation periods ending, warranty reminders) are
        #: next due. Kept in memory: it is recomputed from the store by the first pass.
        self._duties_due: datetime | None = None

    # -- ingestion ---------------------------------------------------------------------------

    def ingest(
        self, offered: Iterable[tuple[int, Any]], source: str, raw: bool = False
    ) -> IngestOutcome:
        """Store events (see Store.add_events), then evaluate the tickets they touched.

        Storing is one transaction; evaluating the touched tickets is one more per
        ``_EVALUATE_CHUNK`` tickets (see ``evaluate_tickets_now``).
        """
        added = self.store.add_events(offered, source, raw=raw)
        if any(event.ticket is None for event in added.accepted):
            # An inspection, a replaced part, a site violation: look at the duties at once.
            self._duties_due = self.clock.now()
        alerts = self.evaluate_tickets_now(added.tickets)
        self._notify(alerts)
        return IngestOutcome(added, len(added.tickets), alerts)

    def evaluate_ticket_now(self, contract: str, ticket: str) -> int:
        """Evaluate one ticket now if it has unevaluated events; the number of alerts raised."""
        return self.evaluate_tickets_now([(contract, ticket)])

    def evaluate_tickets_now(self, tickets: Iterable[tuple[str, str]]) -> int:
        """Evaluate the tickets that have unevaluated events, ``_EVALUATE_CHUNK`` per transaction;
        the number of alerts raised.

        Each chunk locks its dirty ticket rows in one statement — on PostgreSQL with ``SKIP
        LOCKED``: a row another worker holds is being evaluated by it, and that worker sees our
        events, because storing them had to wait for its lock (``Store.add_events`` marks the
        row dirty); a row it skips stays dirty and due, for ``run_due`` otherwise. Reads and
        writes are batched over the chunk. If a chunk fails (one ticket the core cannot
        evaluate), its tickets are evaluated one by one, so the error is that ticket's alone.
        """
        pairs = sorted(set(tickets))
        alerts = 0
        for first in range(0, len(pairs), _EVALUATE_CHUNK):
            chunk = pairs[first : first + _EVALUATE_CHUNK]
            try:
                alerts += self._evaluate_chunk(chunk)
            except Exception:
                if len(chunk) == 1:
                    raise
                logger.exception("evaluating %d tickets together failed; one by one", len(chunk))
                for pair in chunk:
                    alerts += self._evaluate_chunk([pair])
        return alerts

    def _evaluate_chunk(self, pairs: list[tuple[str, str]]) -> int:
        now = self.clock.now()
        with self.store.write() as session:
            rows: list[Ticket] = []
            for contract, group in groupby(pairs, key=lambda pair: pair[0]):
                query = (
                    select(Ticket)
                    .where(
                        Ticket.contract == contract,
                        Ticket.ticket.in_([ticket for _, ticket in group]),
                        Ticket.dirty.is_(True),
                    )
                    .order_by(Ticket.id)
                )
                if self.store.is_postgres:
                    query = query.with_for_update(skip_locked=True)
                rows.extend(session.scalars(query))
            # Rows not found were evaluated by another worker after our events were stored.
            return self._sync_rows(session, rows, now)

    # -- what is due now ---------------------------------------------------------------------

    def run_due(self) -> DueReport:
        """Evaluate every due ticket (new events too); escalate unacknowledged breaches."""
        with self._pass_lock:
            now = self.clock.now()
            report = DueReport()
            # Each evaluation leaves the ticket due strictly after ``now`` (or 30 s later when
            # it failed), so this ends; a ticket picked twice got new events in between.
            while self._claim_one(now, report):
                pass
            report.escalations = self._escalate(now)
            report.alerts += report.escalations
            if self._duties_due is None or self._duties_due <= now:
                report.extra["duties"] = self._contract_duties(now)
                report.alerts += report.extra["duties"]
            self._notify(report.alerts)
            return report

    def _claim_one(self, now: datetime, report: DueReport) -> bool:
        """Claim one due ticket and evaluate it; False when none is left for this pass."""
        claimed: int | None = None
        raised = 0
        try:
            with self.store.write() as session:
                query = select(Ticket).where(Ticket.next_due <= now)
                query = query.order_by(Ticket.next_due).limit(1)
                if self.store.is_postgres:
                    query = query.with_for_update(skip_locked=True)
                row = session.scalars(query).first()
                if row is None:
                    return False
                claimed = row.id
                raised = self._sync(session, row, now)
                report.alerts += raised
                report.tickets += 1
            if raised:  # committed: deliver now, not after the whole pass
                for callback in self.on_alerts:
                    callback()
        except Exception:
            if claimed is None:
                raise  # the database itself failed: the scheduler retries the pass
            # One ticket that cannot be evaluated must not hold up the others (nor keep the
            # scheduler spinning): it is tried again a little later.
            logger.exception("evaluating ticket row %s failed; retrying in 30 s", claimed)
            with self.store.write() as session:
                session.execute(
                    update(Ticket)
                    .where(Ticket.id == claimed)
                    .values(dirty=False, next_due=now + _RETRY)
                )
        return True

    def next_due(self) -> datetime | None:
        """The earliest time ``run_due`` has something to do."""
        with self.store.sessions() as session:
            candidates = [
                session.scalar(select(func.min(Ticket.next_due))),
                session.scalar(
                    select(func.min(StoredAlert.escalate_at)).where(
                        StoredAlert.escalated_at.is_(None)
                    )
                ),
            ]
        candidates.append(self._duties_due)
        found = [when for when in candidates if when is not None]
        return min(found) if found else None

    def _notify(self, alerts: int) -> None:
        if alerts:
            for callback in self.on_alerts:
                callback()
        for callback in self.on_due_changed:
            callback()

    # -- one ticket --------------------------------------------------------------------------

    def context_for(self, session: Session, contract: str, first_at: datetime | None) -> Context:
        row = self.store.version_in_effect(session, contract, first_at)
        if row is None:
            raise LookupError(f"contract {contract!r} is not loaded in this store")
        return self.store.context(row)

    def judge_ticket(
        self, session: Session, contract: str, ticket: str, now: datetime
    ) -> Judged | None:
        """The ticket's clocks at ``now`` (read only); None if the ticket has no events."""
        events = self.store.ticket_events(session, contract, ticket)
        return self._judge(session, contract, ticket, events, now)

    def _judge(
        self, session: Session, contract: str, ticket: str, events: list[Event], now: datetime
    ) -> Judged | None:
        """``judge_ticket`` over ``events``: the ticket's and the contract-wide force majeure."""
        own = [e for e in events if e.ticket == ticket]
        if not own:
            return None
        context = self.context_for(session, contract, min(e.at for e in own))
        applied = sorted((e for e in events if e.at <= now), key=Event.sort_key)
        spans = [(item.start, item.end) for item in excused_intervals(applied)]
        mine = [e for e in applied if e.ticket == ticket]
        result = evaluate_ticket(context, ticket, mine, now, spans)
        future = [e.at for e in events if e.at > now]
        return Judged(context, result.clocks, applied, min(future) if future else None)

    def _sync(self, session: Session, row: Ticket, now: datetime) -> int:
        return self._sync_rows(session, [row], now)

    def _sync_rows(self, session: Session, rows: list[Ticket], now: datetime) -> int:
        """Evaluate the locked ticket ``rows`` at ``now`` and write what changed; the number of
        alerts queued.

        Batched: the rows' events, clocks, breaches and penalty lines are read with one query
        each (per contract); clocks and breaches are then written in one flush (new breaches get
        their ids), the alerts they cause in one more (each alert's outbox rows after it), and the
        penalty lines last (they name their breach).
        """
        if not rows:
            return 0
        batch = _Batch()
        with session.no_autoflush:
            for contract, group in groupby(
                sorted(rows, key=lambda row: row.contract), key=lambda row: row.contract
            ):
                members = list(group)
                names = [row.ticket for row in members]
                events = self.store.tickets_events(session, contract, names)
                clocks = _by_ticket(
                    session.scalars(
                        select(StoredClock).where(
                            StoredClock.contract == contract, StoredClock.ticket.in_(names)
                        )
                    )
                )
                breaches = _by_ticket(
                    session.scalars(
                        select(Breach).where(
                            Breach.contract == contract,
                            Breach.kind == "clock",
                            Breach.ticket.in_(names),
                        )
                    )
                )
                lines = _by_ticket(
                    session.scalars(
                        select(PenaltyLine).where(
                            PenaltyLine.contract == contract, PenaltyLine.ticket.in_(names)
                        )
                    )
                )
                for row in members:
                    self._sync_one(
                        session,
                        row,
                        now,
                        events.get(row.ticket, []) + events.get(None, []),
                        clocks.get(row.ticket, []),
                        breaches.get(row.ticket, []),
                        lines.get(row.ticket, []),
                        batch,
                    )
            session.flush()  # clocks and breaches: the new breaches get their ids
            alerts = self._raise_all(session, batch, now)
            for job in batch.lines:
                job()
        return alerts

    def _sync_one(
        self,
        session: Session,
        row: Ticket,
        now: datetime,
        events: list[Event],
        stored_clocks: list[StoredClock],
        stored_breaches: list[Breach],
        stored_lines: list[PenaltyLine],
        batch: _Batch,
    ) -> None:
        judged = self._judge(session, row.contract, row.ticket, events, now)
        row.dirty = False
        row.evaluated_at = now
        if judged is None:
            row.next_due = None
            return
        context, clocks, applied, future = (
            judged.context,
            judged.clocks,
            judged.applied,
            judged.future,
        )
        contract = context.contract
        stored = {(c.commitment, c.cycle): c for c in stored_clocks}
        dues: list[datetime] = [future] if future is not None else []
        for clock in clocks:
            record = stored.pop((clock.commitment, clock.cycle), None)
            if record is None:
                record = StoredClock(
                    contract=row.contract,
                    ticket=row.ticket,
                    commitment=clock.commitment,
                    cycle=clock.cycle,
                )
                session.add(record)
            record.status = clock.status
            record.severity = clock.severity
            record.started_at = clock.started_at
            record.deadline = clock.deadline
            record.warn_at = clock.warn_at
            record.stopped_at = clock.stopped_at
            record.cancelled_at = clock.cancelled_at
            record.late_by_seconds = clock.late_by_seconds
            record.updated_at = now
            if (
                clock.status == RUNNING
                and clock.warn_at is not None
                and record.warned_at is None
                and clock.warn_at <= now < clock.deadline
            ):
                record.warned_at = now
                key = f"clock/{row.contract}/{row.ticket}/{clock.commitment}/{clock.cycle}/warning"
                batch.alert(
                    contract,
                    "warning",
                    lambda key=key: key,  # type: ignore[misc]
                    clock=clock,
                    details={
                        "time_left_seconds": math.ceil((clock.deadline - now).total_seconds()),
                        "warn_at": clock.warn_at.astimezone(ZoneInfo(contract.timezone)),
                    },
                )
            record.next_due = self._clock_due(clock, record, now)
            if record.next_due is not None:
                dues.append(record.next_due)
        for gone in stored.values():  # a clock the events no longer start (a late reclassify)
            gone.status = "void"
            gone.next_due = None
            gone.updated_at = now
        breaches = self._sync_breaches(session, contract, row, clocks, stored_breaches, now, batch)
        if any(c.status == BREACHED for c in clocks) or stored_lines:
            batch.lines.append(
                partial(
                    self._store_lines, session, context, row, applied, now, breaches, stored_lines
                )
            )
        row.next_due = max(min(dues), now + _TICK) if dues else None

    @staticmethod
    def _clock_due(clock: Clock, record: StoredClock, now: datetime) -> datetime | None:
        if clock.status == PAUSED or clock.status != RUNNING:
            return None  # a paused clock's deadline moves until it resumes (an event)
        due = clock.deadline
        if record.warned_at is None and clock.warn_at is not None and clock.warn_at > now:
            due = min(due, clock.warn_at)
        return max(due, now + _TICK)

    def _sync_breaches(
        self,
        session: Session,
        contract: Contract,
        row: Ticket,
        clocks: list[Clock],
        rows: list[Breach],
        now: datetime,
        batch: _Batch,
    ) -> dict[tuple[str, int], Breach]:
        """Breaches raised and withdrawn (their alerts go to ``batch``); the ticket's breach
        rows by (commitment, cycle)."""
        stored = {(b.commitment, b.cycle): b for b in rows}
        by_key = {(c.commitment, c.cycle): c for c in clocks}
        for clock in clocks:
            if clock.status != BREACHED:
                continue
            breach = stored.get((clock.commitment, clock.cycle))
            status = OPEN if clock.stopped_at is None else CLOSED
            fresh = breach is None or breach.status == WITHDRAWN
            if breach is None:
                breach = Breach(
                    contract=row.contract,
                    kind="clock",
                    ticket=row.ticket,
                    commitment=clock.commitment,
                    cycle=clock.cycle,
                    detected_at=now,
                    revision=1,
                )
                session.add(breach)
                stored[(clock.commitment, clock.cycle)] = breach
            elif breach.status == WITHDRAWN:
                breach.revision += 1
                breach.detected_at = now
                breach.withdrawn_at = None
                breach.withdrawn_reason = None
                breach.acknowledged_at = None
                breach.acknowledged_by = None
            breach.status = status
            breach.severity = clock.severity
            breach.deadline = clock.deadline
            breach.stopped_at = clock.stopped_at
            breach.late_by_seconds = clock.late_by_seconds
            breach.updated_at = now
            if fresh:
                batch.alert(
                    contract,
                    "breach",
                    lambda b=breach: f"breach/{b.id}/{b.revision}/breach",  # type: ignore[misc]
                    clock=clock,
                    breach=breach,
                )
        for key, breach in list(stored.items()):
            clock_now = by_key.get(key)
            if breach.status == WITHDRAWN or (
                clock_now is not None and clock_now.status == BREACHED
            ):
                continue
            breach.status = WITHDRAWN
            breach.withdrawn_at = now
            breach.withdrawn_reason = _withdrawal_reason(clock_now)
            breach.updated_at = now
            batch.alert(
                contract,
                "withdrawn",
                lambda b=breach: f"breach/{b.id}/{b.revision}/withdrawn",  # type: ignore[misc]
                clock=clock_now,
                breach=breach,
                details={"reason": breach.withdrawn_reason},
            )
        return stored

    def _raise_all(self, session: Session, batch: _Batch, now: datetime) -> int:
        """Queue the batch's alerts: which (key, contact) are queued already is read in one
        query, the alerts are inserted in one flush, then their outbox rows."""
        wanted = [(intent, intent.key()) for intent in batch.alerts]
        known: dict[str, set[str]] = {key: set() for _, key in wanted}
        keys = list(known)
        for first in range(0, len(keys), _IN_CHUNK):
            for key, contact in session.execute(
                select(StoredAlert.key, StoredAlert.contact).where(
                    StoredAlert.key.in_(keys[first : first + _IN_CHUNK])
                )
            ):
                known[key].add(contact)
        deferred: list[tuple[StoredAlert, list[tuple[str, str]]]] = []
        queued = 0
        for intent, key in wanted:
            queued += self._raise(
                session,
                intent.contract,
                intent.kind,
                key,
                now,
                known=known[key],
                deferred=deferred,
                **intent.fields,
            )
        if deferred:
            session.flush()  # the alerts, in one batch: their ids for the outbox rows
            for alert, channels in deferred:
                session.add_all(_outbox_rows(alert.id, channels, now))
        return queued

    def _store_lines(
        self,
        session: Session,
        context: Context,
        row: Ticket,
        applied: list[Event],
        now: datetime,
        breaches: Mapping[tuple[str, int], Breach],
        stored: list[PenaltyLine],
    ) -> None:
        """The ticket's penalty and compensation lines, as the report computes them."""
        charges = evaluate(context, applied, now).charges

        def breach_of(line: Line) -> Breach | None:
            if line.source != CLOCK or line.commitment is None or line.cycle is None:
                return None
            return breaches.get((line.commitment, line.cycle))

        lines = [line for line in _money_lines(charges) if line.ticket == row.ticket]
        self._sync_lines(session, row.contract, row.ticket, lines, breach_of, now, stored)

    def _sync_lines(
        self,
        session: Session,
        contract: str,
        ticket: str | None,
        lines: list[Line],
        breach_of: Callable[[Line], Breach | None],
        now: datetime,
        rows: list[PenaltyLine] | None = None,
    ) -> None:
        """Make the stored lines of ``ticket`` (None: the contract's lines of no ticket) those
        of ``lines``: one row per line id, changed rows updated, rows no longer computed (their
        breach was withdrawn) deleted. ``rows``: the stored lines, when already read."""
        if rows is None:
            owner = (
                PenaltyLine.ticket == ticket if ticket is not None else PenaltyLine.ticket.is_(None)
            )
            rows = list(
                session.scalars(select(PenaltyLine).where(PenaltyLine.contract == contract, owner))
            )
        stored = {line.line_id: line for line in rows}
        for line in lines:
            body = json.dumps(line.to_json(), ensure_ascii=False, default=str)
            breach = breach_of(line)
            breach_id = breach.id if breach is not None else None
            record = stored.pop(line.id, None)
            if record is None:
                record = PenaltyLine(contract=contract, line_id=line.id)
                session.add(record)
            elif record.body == body and record.breach_id == breach_id:
                continue
            record.ticket = ticket
            record.section = "compensation" if line.section == COMPENSATION else "penalties"
            record.source = line.source
            record.clause = line.clause
            record.commitment = line.commitment
            record.obligation = line.obligation
            record.asset = line.asset
            record.breach_id = breach_id
            record.amount = None if line.amount is None else amount_text(line.amount)
            record.provisional = line.provisional
            record.body = body
            record.computed_at = now
        for gone in stored.values():
            session.delete(gone)

    # -- alerts ------------------------------------------------------------------------------

    def _raise(
        self,
        session: Session,
        contract: Contract,
        kind: AlertKind,
        key: str,
        now: datetime,
        *,
        clock: Clock | None = None,
        breach: Breach | None = None,
        details: dict[str, Any] | None = None,
        contacts: list[Contact] | None = None,
        level: int = 0,
        obligation: str | None = None,
        asset: str | None = None,
        ticket: str | None = None,
        deadline: datetime | None = None,
        late_by_seconds: int | None = None,
        known: set[str] | None = None,
        deferred: list[tuple[StoredAlert, list[tuple[str, str]]]] | None = None,
    ) -> int:
        """Queue one alert for every contact that wants it (and the env webhook); the number of
        alerts queued. Already queued (same key and contact): nothing happens.

        ``known``: the contacts already queued under ``key``, if the caller read them.
        ``deferred``: collect the alert rows and their channels there (the caller flushes and
        adds the outbox rows) instead of flushing each alert for its id."""
        zone = ZoneInfo(contract.timezone)
        commitment = clock.commitment if clock else breach.commitment if breach else None
        severity = clock.severity if clock else breach.severity if breach else None
        cycle = clock.cycle if clock else breach.cycle if breach else None
        late = late_by_seconds
        if clock is not None:
            ticket, deadline = clock.ticket, clock.deadline
            late = clock.late_by_seconds if late is None else late
        elif breach is not None and breach.kind == "obligation":
            obligation, asset, deadline = breach.commitment, breach.ticket or None, breach.deadline
            commitment = cycle = None
        elif breach is not None:
            ticket, deadline = breach.ticket, breach.deadline
            late = breach.late_by_seconds if late is None else late
        facts: dict[str, Any] = {"alert_key": key}
        if commitment is not None:
            try:
                name = contract.commitment(commitment).name
            except KeyError:
                name = None
            if name is not None:
                facts["commitment_name"] = {"zh": name.zh, "en": name.en}
        if obligation is not None:
            duty = next((o for o in contract.obligations if o.id == obligation), None)
            if duty is not None and duty.name is not None:
                facts["obligation_name"] = {"zh": duty.name.zh, "en": duty.name.en}
        if breach is not None:
            facts["breach_id"] = breach.id
        facts.update(details or {})
        if contacts is None:
            # Who hears what is the newest version's say (a new duty roster applies at once);
            # what the alert is about is the ticket's version's.
            roster = self.context_for(session, contract.id, None).contract.contacts
            contacts = [c for c in roster if c.wants(kind, commitment, severity)]
        queued = 0
        if known is None:
            known = set(session.scalars(select(StoredAlert.contact).where(StoredAlert.key == key)))
        # One alert, addressed to each contact in turn (and to the environment's webhook).
        base = Alert(
            kind=kind,
            contract=contract.id,
            ticket=ticket,
            commitment=commitment,
            obligation=obligation,
            asset=asset,
            cycle=cycle,
            deadline=deadline.astimezone(zone) if deadline else None,
            late_by_seconds=late or 0,
            at=now.astimezone(zone),
            severity=severity,
            level=level,
            details=facts,
        )
        for contact in contacts:
            alert = base.model_copy(update={"contact": contact.id})
            escalate_at = None
            if (
                kind in ("breach", "escalation")
                and contact.next is not None
                and contact.escalate_after is not None
            ):
                escalate_at = now + contact.escalate_after.timedelta
            channels = [
                (f"{contact.id}#{i}:{spec.kind}", spec.model_dump_json())
                for i, spec in enumerate(contact.channels)
            ]
            queued += self._queue(
                session,
                alert,
                key,
                contact.id,
                contact.lang,
                breach,
                channels,
                escalate_at,
                now,
                known,
                deferred,
            )
        if self.webhook_url:
            alert = base
            spec = WebhookChannelSpec(url=self.webhook_url, format="json")
            queued += self._queue(
                session,
                alert,
                key,
                EVERY_ALERT,
                "both",
                breach,
                [(f"{EVERY_ALERT}:webhook", spec.model_dump_json())],
                None,
                now,
                known,
                deferred,
            )
        return queued

    def _queue(
        self,
        session: Session,
        alert: Alert,
        key: str,
        contact: str,
        lang: str,
        breach: Breach | None,
        channels: list[tuple[str, str]],
        escalate_at: datetime | None,
        now: datetime,
        known: set[str],
        deferred: list[tuple[StoredAlert, list[tuple[str, str]]]] | None = None,
    ) -> int:
        """Queue the alert for one contact unless ``known`` (already queued under this key)."""
        if contact in known:
            return 0
        known.add(contact)
        row = StoredAlert(
            key=key,
            contact=contact,
            kind=alert.kind,
            contract=alert.contract,
            ticket=alert.ticket,
            commitment=alert.commitment or alert.obligation,
            breach_id=breach.id if breach is not None else None,
            level=alert.level,
            lang=lang,
            payload=alert.model_dump_json(),
            created_at=now,
            escalate_at=escalate_at,
        )
        session.add(row)
        if deferred is not None:
            deferred.append((row, channels))
            return 1
        session.flush()
        session.add_all(_outbox_rows(row.id, channels, now))
        return 1

    def _contract_duties(self, now: datetime) -> int:
        """Missed obligation periods and warranty reminders of every contract, as alerts.

        Obligation periods are judged by slaengine.obligations and warranties by
        slaengine.warranty over the contract's events; a breached period is stored as a breach
        (kind ``obligation``, once per period) with an ``obligation_missed`` alert, a period
        that a late event met after all is withdrawn, and each asset whose cover ends within
        ``warranty.remind_before`` gets one ``warranty_expiring`` alert per expiry date.
        """
        raised = 0
        upcoming: list[datetime] = []
        with self.store.sessions() as session:
            contracts = sorted({row.contract for row in self.store.versions(session)})
        for contract_id in contracts:
            with self.store.write() as session:
                if self.store.is_postgres and not session.scalar(
                    select(func.pg_try_advisory_xact_lock(_lock_key(f"duties/{contract_id}")))
                ):
                    continue  # another worker is on it
                context = self.context_for(session, contract_id, None)
                events = [
                    event_of(row)
                    for row in session.scalars(
                        select(StoredEvent)
                        .where(StoredEvent.contract == contract_id, StoredEvent.at <= now)
                        .order_by(StoredEvent.seq)
                    )
                ]
                raised += self._duties_of(session, context, events, now, upcoming)
        zone_midnights = [upcoming_midnight(now)]
        self._duties_due = min(upcoming + zone_midnights)
        return raised

    def _duties_of(
        self,
        session: Session,
        context: Context,
        events: list[Event],
        now: datetime,
        upcoming: list[datetime],
    ) -> int:
        from slaengine.obligations import breached_periods, judge_obligations, next_period_end
        from slaengine.warranty import WarrantyBook, warranty_reminders

        contract = context.contract
        book = WarrantyBook.build(contract, events, context.matcher)
        periods = judge_obligations(book, events, now, context.matcher)
        following = next_period_end(periods, now)
        if following is not None:
            upcoming.append(following)
        raised = 0
        stored = {
            (b.ticket, b.commitment, b.cycle): b
            for b in session.scalars(
                select(Breach).where(Breach.contract == contract.id, Breach.kind == "obligation")
            )
        }
        missed = set()
        for period in breached_periods(periods):
            key = (period.asset or "", period.obligation, period.index)
            missed.add(key)
            breach = stored.get(key)
            fresh = breach is None or breach.status == WITHDRAWN
            if breach is None:
                breach = Breach(
                    contract=contract.id,
                    kind="obligation",
                    ticket=key[0],
                    commitment=period.obligation,
                    cycle=period.index,
                    detected_at=now,
                    revision=1,
                )
                session.add(breach)
            elif breach.status == WITHDRAWN:
                breach.revision += 1
                breach.detected_at = now
                breach.withdrawn_at = breach.withdrawn_reason = None
            breach.status = CLOSED
            breach.deadline = period.period_end
            breach.late_by_seconds = 0
            breach.updated_at = now
            if fresh:
                session.flush()
                raised += self._raise(
                    session,
                    contract,
                    "obligation_missed",
                    f"breach/{breach.id}/{breach.revision}/obligation_missed",
                    now,
                    breach=breach,
                    details={
                        "period_start": period.period_start,
                        "period_end": period.period_end,
                        "required": period.required,
                        "done": period.done,
                    },
                )
        for key, breach in stored.items():
            if key in missed or breach.status == WITHDRAWN:
                continue
            breach.status = WITHDRAWN
            breach.withdrawn_at = now
            breach.withdrawn_reason = "the period was met by an event that arrived late"
            breach.updated_at = now
            raised += self._raise(
                session,
                contract,
                "withdrawn",
                f"breach/{breach.id}/{breach.revision}/withdrawn",
                now,
                breach=breach,
                details={"reason": breach.withdrawn_reason},
            )
        session.flush()  # new breaches get their ids
        by_period = {
            (b.ticket, b.commitment, b.deadline): b
            for b in session.scalars(
                select(Breach).where(Breach.contract == contract.id, Breach.kind == "obligation")
            )
        }

        def breach_of(line: Line) -> Breach | None:
            if line.source != OBLIGATION or line.obligation is None or line.period_end is None:
                return None
            return by_period.get((line.asset or "", line.obligation, line.period_end))

        report = Report(contract, now, [], [], [], excused_intervals(events), events, periods)
        lines = [line for line in _money_lines(report.charges) if line.ticket is None]
        self._sync_lines(session, contract.id, None, lines, breach_of, now)
        for cover in warranty_reminders(book, now):
            raised += self._raise(
                session,
                contract,
                "warranty_expiring",
                f"warranty/{contract.id}/{cover.asset}/{cover.expires.isoformat()}",
                now,
                asset=cover.asset,
                details={
                    "expires": cover.expires,
                    "time_left_seconds": int(
                        (
                            datetime.combine(cover.expires, time(), ZoneInfo(contract.timezone))
                            - now
                        ).total_seconds()
                    ),
                    "reason": cover.basis,
                },
            )
        return raised

    def _escalate(self, now: datetime) -> int:
        """Alerts whose ``escalate_at`` passed with the breach unacknowledged go one level up."""
        raised = 0
        while True:
            with self.store.write() as session:
                query = (
                    select(StoredAlert)
                    .where(StoredAlert.escalated_at.is_(None), StoredAlert.escalate_at <= now)
                    .order_by(StoredAlert.escalate_at)
                    .limit(1)
                )
                if self.store.is_postgres:
                    query = query.with_for_update(skip_locked=True)
                alert = session.scalars(query).first()
                if alert is None:
                    return raised
                alert.escalated_at = now
                breach = session.get(Breach, alert.breach_id) if alert.breach_id else None
                if (
                    breach is None
                    or breach.status == WITHDRAWN
                    or breach.acknowledged_at is not None
                    or alert.acknowledged_at is not None
                ):
                    continue
                contract = self.context_for(session, alert.contract, None).contract
                contacts = {c.id: c for c in contract.contacts}
                contact = contacts.get(alert.contact)
                target = contacts.get(contact.next) if contact and contact.next else None
                if target is None:
                    continue
                late = breach.late_by_seconds
                if breach.status == OPEN:
                    late = max(late, math.ceil((now - breach.deadline).total_seconds()))
                raised += self._raise(
                    session,
                    contract,
                    "escalation",
                    f"breach/{breach.id}/{breach.revision}/escalation/{alert.level + 1}",
                    now,
                    breach=breach,
                    contacts=[target],
                    level=alert.level + 1,
                    late_by_seconds=late,
                    details={"escalated_from": alert.contact},
                )

    # -- reading -----------------------------------------------------------------------------

    def acknowledge(self, alert_id: int, by: str | None) -> StoredAlert | None:
        """Acknowledge an alert, and with it its breach (which stops the escalation)."""
        now = self.clock.now()
        with self.store.write() as session:
            alert = session.get(StoredAlert, alert_id, with_for_update=True)
            if alert is None:
                return None
            if alert.acknowledged_at is None:
                alert.acknowledged_at = now
                alert.acknowledged_by = by
            if alert.breach_id is not None:
                breach = session.get(Breach, alert.breach_id)
                if breach is not None and breach.acknowledged_at is None:
                    breach.acknowledged_at = now
                    breach.acknowledged_by = by
            return alert


@dataclass(frozen=True, slots=True)
class _AlertIntent:
    """An alert decided during a batch, raised once the breach rows have their ids."""

    contract: Contract
    kind: AlertKind
    key: Callable[[], str]
    fields: dict[str, Any]


@dataclass
class _Batch:
    """What evaluating a batch of tickets leaves for after its first flush."""

    alerts: list[_AlertIntent] = field(default_factory=list)
    #: Penalty line updates, one per ticket (they name breaches, so they need the ids).
    lines: list[Callable[[], None]] = field(default_factory=list)

    def alert(
        self, contract: Contract, kind: AlertKind, key: Callable[[], str], **fields: Any
    ) -> None:
        self.alerts.append(_AlertIntent(contract, kind, key, fields))


def _by_ticket(rows: Iterable[_T]) -> dict[str | None, list[_T]]:
    grouped: dict[str | None, list[_T]] = {}
    for row in rows:
        grouped.setdefault(row.ticket, []).append(row)
    return grouped


def _outbox_rows(alert_id: int, channels: list[tuple[str, str]], now: datetime) -> list[OutboxRow]:
    return [
        OutboxRow(
            alert_id=alert_id,
            channel=channel,
            spec=spec,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, spec in channels
    ]


def _money_lines(charges: Charges) -> list[Line]:
    """The penalty and compensation lines (the ones the store keeps)."""
    return [*charges.penalties, *charges.compensation]


def _lock_key(name: str) -> int:
    """A stable 63-bit key for pg_try_advisory_xact_lock."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def upcoming_midnight(now: datetime) -> datetime:
    """The next UTC midnight: warranty reminders are looked at (at least) daily."""
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)


def _withdrawal_reason(clock: Clock | None) -> str:
    if clock is None:
        return "the clock no longer applies to the ticket (its events changed)"
    if clock.cancelled_at is not None:
        return f"cancelled: {clock.cancel_reason or 'the commitment was not owed'}"
    if clock.stopped_at is not None:
        return (
            f"met: stopped at {clock.stopped_at.isoformat()}, "
            f"not after the deadline {clock.deadline.isoformat()}"
        )
    return f"the deadline is now {clock.deadline.isoformat()} (paused or excused time)"
