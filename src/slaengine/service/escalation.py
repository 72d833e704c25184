"""Escalation: an unacknowledged breach alert goes one level up when its time has come.

Theory of operation
-------------------
An alert to a contact with ``escalate_after`` and ``next`` carries ``escalate_at``. When that
time passes and neither the alert nor its breach is acknowledged (nor the breach withdrawn), an
``escalation`` alert (level + 1) goes to the contact's ``next``; its own ``escalate_at`` carries
the chain on. Every alert is looked at once (``escalated_at`` is set whatever the outcome).

Transaction boundary: one transaction per alert looked at. On PostgreSQL the alert row is
claimed with ``FOR UPDATE SKIP LOCKED``, so several workers never escalate one alert twice.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select

from slaengine.evaluate import Context
from slaengine.service.judging import context_for
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import OPEN, WITHDRAWN, Breach, StoredAlert


def escalate(store: Store, raiser: Raiser, now: datetime) -> int:
    """Alerts whose ``escalate_at`` passed with the breach unacknowledged go one level up;
    the number of alerts raised."""
    raised = 0
    while True:
        with store.write(urgent=True) as session:
            query = (
                select(StoredAlert)
                .where(StoredAlert.escalated_at.is_(None), StoredAlert.escalate_at <= now)
                .order_by(StoredAlert.escalate_at)
                .limit(1)
            )
            if store.is_postgres:
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
            context = context_for(store, session, alert.contract, None)
            contract = context.contract
            contacts = {c.id: c for c in contract.contacts}
            contact = contacts.get(alert.contact)
            target = contacts.get(contact.next) if contact and contact.next else None
            if target is None:
                continue
            late = breach.late_by_seconds
            if breach.status == OPEN:
                late = max(late, late_now(context, breach, now))
            raised += raiser.raise_alert(
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


def late_now(context: Context, breach: Breach, now: datetime) -> int:
    """How late an open breach is at ``now``: the time since its deadline on the wall clock,
    or on its commitment's calendar where the lateness counts working time only (``lateness:
    calendar``), as the core counts it."""
    calendar_lateness = [
        c.calendar
        for c in context.contract.commitments
        if c.id == breach.commitment and c.lateness == "calendar" and breach.kind != "obligation"
    ]
    if calendar_lateness:
        seconds = context.calendars[calendar_lateness[0]].working_seconds(breach.deadline, now)
    else:
        seconds = now.timestamp() - breach.deadline.timestamp()
    return math.ceil(seconds)
