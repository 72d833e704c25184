"""Raising alerts: a decision (a breach, a warning, a withdrawal, ...) becomes outbox rows.

Theory of operation
-------------------
An alert is a row in ``alerts`` per contact that wants it (and one for the environment's
webhook, ``SLAENGINE_ALERT_WEBHOOK``), each with one ``outbox`` row per channel of that contact.
It is keyed: the key names what the alert is about (``breach/<id>/<revision>/breach``, ...), and
(key, contact) is unique, so raising the same alert twice queues it once.

Transaction boundary: none of its own. Every function here writes into the caller's session,
inside the transaction that recorded the decision, so a breach is never recorded without its
alerts nor alerted without being recorded. Delivery is slaengine.alerts.outbox's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaengine.alerts import Alert, AlertKind, WebhookChannelSpec
from slaengine.clocks import Clock
from slaengine.contract.models import Contact, Contract
from slaengine.service.judging import context_for
from slaengine.store import Store
from slaengine.store.models import (
    EVERY_ALERT,
    PENDING,
    Breach,
    OutboxRow,
    StoredAlert,
    StoredEvent,
)

#: Values in one ``IN (...)`` list.
IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class AlertIntent:
    """An alert decided during a batch, raised once the breach rows have their ids."""

    contract: Contract
    kind: AlertKind
    key: Callable[[], str]
    fields: dict[str, Any]


@dataclass
class Batch:
    """What evaluating a batch of tickets leaves for after its first flush."""

    alerts: list[AlertIntent] = field(default_factory=list)
    #: Penalty line updates, one per ticket (they name breaches, so they need the ids).
    lines: list[Callable[[], None]] = field(default_factory=list)

    def alert(
        self, contract: Contract, kind: AlertKind, key: Callable[[], str], **fields: Any
    ) -> None:
        self.alerts.append(AlertIntent(contract, kind, key, fields))


#: Alert rows waiting for their ids (one flush), with the channels their outbox rows go to.
Deferred = list[tuple[StoredAlert, list[tuple[str, str]]]]


class Raiser:
    """Queues alerts in the caller's session (see the module's theory of operation)."""

    def __init__(self, store: Store, webhook_url: str | None) -> None:
        self.store = store
        #: The environment's webhook: it hears every alert.
        self.webhook_url = webhook_url
        #: History is recorded, not alerted: a breach, missed period, warning or withdrawal
        #: whose deadline is before this moment queues no alert (see LiveService.quiet_history).
        self.quiet_before: datetime | None = None

    def raise_all(self, session: Session, batch: Batch, now: datetime) -> int:
        """Queue the batch's alerts: which (key, contact) are queued already is read in one
        query, the alerts are inserted in one flush, then their outbox rows."""
        wanted = [(intent, intent.key()) for intent in batch.alerts]
        known: dict[str, set[str]] = {key: set() for _, key in wanted}
        keys = list(known)
        for first in range(0, len(keys), IN_CHUNK):
            for key, contact in session.execute(
                select(StoredAlert.key, StoredAlert.contact).where(
                    self.store.among(StoredAlert.key, keys[first : first + IN_CHUNK])
                )
            ):
                known[key].add(contact)
        deferred: Deferred = []
        queued = 0
        for intent, key in wanted:
            queued += self.raise_alert(
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
                session.add_all(outbox_rows(alert.id, channels, now))
        return queued

    def raise_alert(
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
        deferred: Deferred | None = None,
    ) -> int:
        """Queue one alert for every contact that wants it (and the env webhook); the number of
        alerts queued. Already queued (same key and contact): nothing happens.

        ``known``: the contacts already queued under ``key``, if the caller read them.
        ``deferred``: collect the alert rows and their channels there (the caller flushes and
        adds the outbox rows) instead of flushing each alert for its id."""
        if self._history(session, contract.id, kind, clock, breach, deadline, ticket):
            return 0
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
            # a remedy owed (slaengine.remedies) is judged and stored as an obligation period
            named = [(o.id, o.name) for o in contract.obligations]
            named += [(r.id, r.name) for r in contract.remedies]
            duty_name = next((name for id_, name in named if id_ == obligation), None)
            if duty_name is not None:
                facts["obligation_name"] = {"zh": duty_name.zh, "en": duty_name.en}
        if breach is not None:
            facts["breach_id"] = breach.id
        occurrence = clock.occurrence if clock else breach.occurrence if breach else 0
        if occurrence:  # which start of a commitment that runs per start
            facts["occurrence"] = occurrence
        facts.update(details or {})
        if contacts is None:
            # Who hears what is the newest version's say (a new duty roster applies at once);
            # what the alert is about is the ticket's version's.
            roster = context_for(self.store, session, contract.id, None).contract.contacts
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
            spec = WebhookChannelSpec(url=self.webhook_url, format="json")
            queued += self._queue(
                session,
                base,
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

    def _history(
        self,
        session: Session,
        contract: str,
        kind: AlertKind,
        clock: Clock | None,
        breach: Breach | None,
        deadline: datetime | None,
        ticket: str | None,
    ) -> bool:
        """Is this alert about something that ended before ``quiet_before`` and that nothing
        received since then is about? An event received after it on the ticket is news, even
        when it reports a fault of ten minutes ago whose deadline has long passed: that alerts."""
        if self.quiet_before is None or kind in ("escalation", "warranty_expiring"):
            return False
        when = clock.deadline if clock else breach.deadline if breach else deadline
        if when is None or when >= self.quiet_before:
            return False
        subject = clock.ticket if clock else breach.ticket if breach else ticket
        if subject is None:
            return True
        news = session.scalar(
            select(StoredEvent.seq)
            .where(
                StoredEvent.contract == contract,
                StoredEvent.ticket == subject,
                StoredEvent.received_at >= self.quiet_before,
            )
            .limit(1)
        )
        return news is None

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
        deferred: Deferred | None = None,
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
        session.add_all(outbox_rows(row.id, channels, now))
        return 1


def outbox_rows(alert_id: int, channels: list[tuple[str, str]], now: datetime) -> list[OutboxRow]:
    """One pending outbox row per channel, due at once."""
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
