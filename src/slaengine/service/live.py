"""The live service: events arrive as they happen and deadlines pass while nobody writes.

Theory of operation
-------------------
Everything here is one question asked again and again: *what does this ticket look like now?*
The answer is the pure core's (``evaluate_ticket`` at ``clock.now()`` over the ticket's stored
events); the service compares it with what the store last recorded and writes the difference
in one transaction. ``LiveService`` is the front door that puts the parts together; each concern
is a module of its own, with its transaction boundary written at its top:

* ``intake`` — events stored and their tickets marked; judged by the due pass (the *judge lane*),
  woken at once — or, for a caller that asks (``judge=True``: ``slaengine ingest``), right away;
* ``group_commit`` — concurrent single-event requests stored in one transaction;
* ``due`` — the due pass: every ticket whose ``next_due`` has passed, claimed in batches;
* ``clock_rows`` — a locked ticket judged (``judging``) and its clocks written;
* ``breaches`` — breaches raised and withdrawn;
* ``lines`` — penalty and compensation lines kept as rows;
* ``raising`` — a decision becomes alert rows and outbox rows, in the same transaction;
* ``duties`` — missed obligation periods and warranty reminders, per contract;
* ``escalation`` — unacknowledged breach alerts go one level up;
* ``acknowledgement`` — "seen", on an alert and its breach.

Alerts are rows in the outbox, written in the transaction that made the decision, so a breach is
never recorded without its alerts nor alerted without being recorded. Delivery is
slaengine.alerts.outbox's job; scheduling the due pass is slaengine.scheduler's.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from slaengine.alerts import ENV_WEBHOOK, ChannelSettings, env_webhook_channel
from slaengine.audit.trail import Actor
from slaengine.clock import Clock as TimeSource
from slaengine.evaluate import Context
from slaengine.service import acknowledgement, due, duties, escalation, intake, judging
from slaengine.service.due import DueReport
from slaengine.service.duty_events import DutyEvents
from slaengine.service.group_commit import GroupCommit, Single
from slaengine.service.history_events import Known
from slaengine.service.intake import IngestOutcome
from slaengine.service.judging import Judged
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import StoredAlert

__all__ = ["DueReport", "IngestOutcome", "Judged", "LiveService"]

#: How often the due pass looks for new events the duties depend on that another process stored
#: (this process's own wide events make the duties due at once).
DUTIES_LOOK_EVERY = timedelta(seconds=5)


class LiveService:
    """The store, the core and the clock, put together for the live service and its tests."""

    def __init__(
        self,
        store: Store,
        clock: TimeSource | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        env = os.environ if environ is None else environ
        self.webhook_url = env.get(ENV_WEBHOOK) or None
        # A bad URL is an error at start (SlaError naming the variable), not at each alert.
        env_webhook_channel(ChannelSettings(), env)
        self.raiser = Raiser(store, self.webhook_url)
        #: Called after a transaction wrote alerts (the outbox delivery wakes up).
        self.on_alerts: list[Callable[[], None]] = []
        #: Called after due times may have changed (the scheduler re-arms).
        self.on_due_changed: list[Callable[[], None]] = []
        #: Called after a transaction stored events whose tickets are left to the judge lane:
        #: they are due now (the scheduler runs the due pass at once, without reading the store).
        self.on_stored: list[Callable[[], None]] = []
        #: The judge lane runs in another process (``slaengine serve --no-judge`` beside
        #: ``slaengine judge``): intake never judges here, and /health says so.
        self.judge_elsewhere = False
        self._pass_lock = threading.Lock()
        #: The duties are judged by one thread at a time, outside the pass's lock (run_due).
        self._duties_lock = threading.Lock()
        self._count_lock = threading.Lock()
        #: Due passes completed by this process, and duties passes ("ready" once the first of
        #: each is done).
        self.passes = 0
        #: Tickets evaluated and alerts queued by this process's due passes, all told.
        self.judged = DueReport()
        self.duty_passes = 0
        #: Ingestions run one at a time per process on SQLite (they would queue for its one
        #: writer anyway, while their parsing took the interpreter from the due pass and the
        #: delivery threads), two on PostgreSQL.
        self._ingest_slots = threading.BoundedSemaphore(2 if store.is_postgres else 1)
        #: When the contract-wide duties (obligation periods ending, warranty reminders) are
        #: next due. Kept in memory: it is recomputed from the store by the first pass.
        self._duties_due: datetime | None = None
        #: What the duties read, brought up to date from what arrived since the last pass.
        self.duty_events = DutyEvents()
        #: When the due pass last looked for new events the duties depend on.
        self._duties_looked: datetime | None = None
        #: Concurrent single-event requests, committed together.
        self.group_commit = GroupCommit(self)
        #: Tickets whose evaluation failed (retried with back-off, then parked).
        self.troubled = due.Troubled()

    def quiet_history(self) -> datetime:
        """Record, but do not alert, what ended before this service took over the store: the
        last time any ticket of the store was evaluated, or now for a store nobody served (a
        month of history loaded into a fresh store raises no alert storm; a deadline that
        passed while the service was down still alerts). The moment chosen is returned."""
        from sqlalchemy import func, select

        from slaengine.store.models import Ticket

        with self.store.sessions() as session:
            last = session.scalar(select(func.max(Ticket.evaluated_at)))
        horizon = last if last is not None else self.clock.now()
        self.raiser.quiet_before = horizon
        return horizon

    # -- intake ------------------------------------------------------------------------------

    def ingest(
        self,
        offered: Iterable[tuple[int, Any]],
        source: str,
        raw: bool = False,
        keep_lines: bool = True,
        judge: bool | None = None,
    ) -> IngestOutcome:
        """Store events (see Store.add_events); then either evaluate the tickets they touched
        in this call, or leave them to the judge lane — the process's due pass, woken at once
        (``on_stored``) — so that storing costs no evaluation and the alerts follow within the
        pass's latency (slaengine.service.intake). ``judge`` None (the HTTP routes): leave them
        to the judge lane when the process has one (``slaengine serve``'s scheduler registers
        itself in ``on_stored``) or it runs elsewhere (``judge_elsewhere``: a ``slaengine judge``
        process, woken by the transaction's NOTIFY on PostgreSQL), else judge here; True: judge
        here (``slaengine ingest``)."""
        if judge is None:
            judge = not self.on_stored and not self.judge_elsewhere
        with self._ingest_slots:
            added = self.store.add_events(offered, source, raw=raw, keep_lines=keep_lines)
            if any(event.ticket is None for event in added.accepted):
                # An inspection, a replaced part, a site violation: look at the duties at once.
                self.duties_now()
            if not judge:
                if added.tickets or added.marked or added.accepted:
                    self.stored()
                return IngestOutcome(added, 0, None)
            alerts = self.evaluate_tickets_now(added.tickets)
        self._notify(alerts)
        return IngestOutcome(added, len(added.tickets), alerts)

    def duties_now(self) -> None:
        """The duties are due now: an event without a ticket was stored (here, or in another
        process that said so through its NOTIFY, slaengine.store.wakeups)."""
        self._duties_due = self.clock.now()

    def stored(self) -> None:
        """Events were committed and their tickets left to the judge lane: wake it."""
        for callback in self.on_stored:
            callback()

    def post_one(self, data: Any, source: str = "api") -> Single:
        """One event from a request, stored together with the others arriving at the same
        moment (slaengine.service.group_commit); returns once it is committed (its ticket is
        judged by the judge lane, woken at once). ``source`` is recorded with the event, or
        with its refusal (``api``, ``hook:NAME``)."""
        return self.group_commit.submit(data, source)

    async def post_one_async(self, data: Any, source: str = "api") -> Single:
        """``post_one`` for the event loop: awaits the commit without holding a thread."""
        return await self.group_commit.submit_async(data, source)

    def evaluate_ticket_now(self, contract: str, ticket: str) -> int:
        """Evaluate one ticket now if it has unevaluated events; the number of alerts raised."""
        return self.evaluate_tickets_now([(contract, ticket)])

    def evaluate_tickets_now(self, tickets: Iterable[tuple[str, str]]) -> int:
        """Evaluate the tickets that have unevaluated events; the number of alerts raised."""
        return intake.evaluate_tickets(self.store, self.raiser, self.clock.now(), tickets)

    def judge_history(
        self,
        tickets: Iterable[tuple[str, str]],
        advance: Callable[[int], None] | None = None,
        known: Known | None = None,
        processes: int = 0,
    ) -> int:
        """Judge the tickets a history load stored (``slaengine ingest``), in parts, two at a
        time on PostgreSQL (slaengine.service.intake.judge_history); the alerts raised.
        ``advance`` hears the tickets judged, part by part; ``known``: the events the load
        stored, by ticket (judged from memory where the store holds those and no others);
        ``processes`` (2 or more): in worker processes forked from this one — only for a
        process that runs nothing else meanwhile (``slaengine ingest``), never a server."""
        alerts = intake.judge_history(
            self.store, self.raiser, self.clock.now, tickets, advance, known, processes
        )
        self._notify(alerts)
        return alerts

    # -- the due pass ------------------------------------------------------------------------

    def run_due(self) -> DueReport:
        """Evaluate every due ticket (new events too); escalate unacknowledged breaches; then
        judge the contract duties when they are due — after the pass's lock is released
        (``_duties``), so a deadline falling due meanwhile is served by the next pass at once
        and never waits for a duties pass (its first read of a new version takes a while)."""
        with self._pass_lock:
            now = self.clock.now()
            report = DueReport()
            # Tickets that got events while a pass held their row (PostgreSQL intake does not
            # wait for it): dirty and due now, judged below with the others.
            self.store.fold_marks(now)
            while due.claim_batch(
                self.store, self.raiser, now, report, self._alerts_committed, self.troubled
            ):
                pass
            due.rejudge(
                self.store, self.raiser, now, report, self._alerts_committed, self.clock.now
            )
            report.escalations = escalation.escalate(self.store, self.raiser, now)
            report.alerts += report.escalations
        # Delivery and the scheduler learn of this pass before the duties run (a due time it
        # wrote is armed now, not after them).
        self._notify(report.alerts)
        self._notify(self._duties(now, report))
        with self._count_lock:
            self.passes += 1
            self.judged.tickets += report.tickets
            self.judged.alerts += report.alerts
            self.judged.batches += report.batches
        return report

    def _duties(self, now: datetime, report: DueReport) -> int:
        """The contract duties, when due (see ``run_due``): one thread at a time; a pass that
        finds another thread on them leaves them to it. The number of alerts raised."""
        if not self._duties_lock.acquire(blocking=False):
            return 0
        raised = 0
        try:
            due_now = self._duties_due is None or self._duties_due <= now
            looked = self._duties_looked
            if due_now or looked is None or now - looked >= DUTIES_LOOK_EVERY:
                # What the duties depend on may have arrived through another process.
                self._duties_looked = now
                raised, following = duties.contract_duties(
                    self.store, self.raiser, now, self.duty_events, due_now
                )
                if following is not None:
                    self._duties_due = following
                    report.extra["duties"] = raised
                report.alerts += raised
            self.duty_passes += 1
        finally:
            self._duties_lock.release()
        return raised

    def rejudge(
        self,
        contract: str,
        closed: bool = False,
        since: date | None = None,
        actor: Actor | None = None,
    ) -> int | None:
        """Re-judge the contract's tickets on demand, in the background (``Store.mark_for_rejudge``:
        the open ones, ``closed`` too, ``since`` a day); the number marked, None for a contract
        not loaded. The due pass is woken; ``progress()`` shows the tickets still waiting."""
        marked = self.store.mark_for_rejudge(contract, closed, since, actor)
        if marked:
            self._notify(0)
        return marked

    def finish_pass(self) -> None:
        """Return once no due pass is running in this process."""
        with self._pass_lock:
            pass

    def progress(self) -> dict[str, Any]:
        """For /health: where the judge lane runs (``judge``: "here" or "elsewhere"), whether
        this process is ready, and the tickets still waiting to be evaluated (new events, or a
        new contract version being applied in the background). Ready: with the judge lane here,
        once its first due pass is done; with it elsewhere, once the store answers (this process
        then only takes events in and serves reads: ``tickets_waiting`` tells whether a judge
        worker keeps up — it grows while none runs)."""
        with self.store.sessions() as session:
            waiting = self.store.waiting(session)
        if self.judge_elsewhere:
            return {"ready": True, "judge": "elsewhere", "tickets_waiting": waiting}
        ready = self.passes > 0 and self.duty_passes > 0
        return {"ready": ready, "judge": "here", "tickets_waiting": waiting}

    def next_due(self) -> datetime | None:
        """The earliest time ``run_due`` has something to do (now, while tickets wait in
        ``ticket_marks``)."""
        now = self.clock.now()
        if self.store.is_postgres:
            with self.store.sessions() as session:
                if self.store.has_marks(session):
                    return now
        return due.next_due(self.store, self._duties_due, now)

    def _alerts_committed(self) -> None:
        for callback in self.on_alerts:
            callback()

    def _notify(self, alerts: int) -> None:
        if alerts:
            self._alerts_committed()
        for callback in self.on_due_changed:
            callback()

    # -- one ticket, read only ---------------------------------------------------------------

    def context_for(self, session: Session, contract: str, first_at: datetime | None) -> Context:
        return judging.context_for(self.store, session, contract, first_at)

    def judge_ticket(
        self, session: Session, contract: str, ticket: str, now: datetime
    ) -> Judged | None:
        """The ticket's clocks at ``now`` (read only); None if the ticket has no events."""
        events = self.store.ticket_events(session, contract, ticket)
        return judging.judge(self.store, session, contract, ticket, events, now)

    # -- acknowledgement ---------------------------------------------------------------------

    def acknowledge(
        self, alert_id: int, by: str | None, actor: Actor | None = None
    ) -> StoredAlert | None:
        """Acknowledge an alert, and with it its breach (which stops the escalation); recorded
        in the audit trail as ``actor``'s."""
        return acknowledgement.acknowledge(self.store, alert_id, by, self.clock.now(), actor)
