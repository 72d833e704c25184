"""The live service: events arrive as they happen and deadlines pass while nobody writes.

Theory of operation
-------------------
Everything here is one question asked again and again: *what does this ticket look like now?*
The answer is the pure core's (``evaluate_ticket`` at ``clock.now()`` over the ticket's stored
events); the service compares it with what the store last recorded and writes the difference
in one transaction. ``LiveService`` is the front door that puts the parts together; each concern
is a module of its own, with its transaction boundary written at its top:

* ``intake`` — events stored, then the tickets they touched evaluated at once;
* ``due`` — the due pass: every ticket whose ``next_due`` has passed, one claim at a time;
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
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from slaengine.alerts import ENV_WEBHOOK, ChannelSettings, env_webhook_channel
from slaengine.clock import Clock as TimeSource
from slaengine.evaluate import Context
from slaengine.service import acknowledgement, due, duties, escalation, intake, judging
from slaengine.service.due import DueReport
from slaengine.service.intake import IngestOutcome
from slaengine.service.judging import Judged
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import StoredAlert

__all__ = ["DueReport", "IngestOutcome", "Judged", "LiveService"]


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
        self._pass_lock = threading.Lock()
        #: Ingestions run one at a time per process on SQLite (they would queue for its one
        #: writer anyway, while their parsing took the interpreter from the due pass and the
        #: delivery threads), two on PostgreSQL.
        self._ingest_slots = threading.BoundedSemaphore(2 if store.is_postgres else 1)
        #: When the contract-wide duties (obligation periods ending, warranty reminders) are
        #: next due. Kept in memory: it is recomputed from the store by the first pass.
        self._duties_due: datetime | None = None
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
        self, offered: Iterable[tuple[int, Any]], source: str, raw: bool = False
    ) -> IngestOutcome:
        """Store events (see Store.add_events), then evaluate the tickets they touched
        (see slaengine.service.intake)."""
        with self._ingest_slots:
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
        """Evaluate the tickets that have unevaluated events; the number of alerts raised."""
        return intake.evaluate_tickets(self.store, self.raiser, self.clock.now(), tickets)

    # -- the due pass ------------------------------------------------------------------------

    def run_due(self) -> DueReport:
        """Evaluate every due ticket (new events too); escalate unacknowledged breaches; judge
        the contract duties when they are due."""
        with self._pass_lock:
            now = self.clock.now()
            report = DueReport()
            while due.claim_one(
                self.store, self.raiser, now, report, self._alerts_committed, self.troubled
            ):
                pass
            report.escalations = escalation.escalate(self.store, self.raiser, now)
            report.alerts += report.escalations
            if self._duties_due is None or self._duties_due <= now:
                raised, self._duties_due = duties.contract_duties(self.store, self.raiser, now)
                report.extra["duties"] = raised
                report.alerts += raised
            self._notify(report.alerts)
            return report

    def next_due(self) -> datetime | None:
        """The earliest time ``run_due`` has something to do."""
        return due.next_due(self.store, self._duties_due)

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

    def acknowledge(self, alert_id: int, by: str | None) -> StoredAlert | None:
        """Acknowledge an alert, and with it its breach (which stops the escalation)."""
        return acknowledgement.acknowledge(self.store, alert_id, by, self.clock.now())
