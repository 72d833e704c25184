"""Acknowledgement: a person says "seen" to an alert, and with it to its breach.

Theory of operation
-------------------
Acknowledging an alert records who and when on the alert and on its breach (the first
acknowledgement wins; a repeat changes nothing). An acknowledged breach is not escalated further
(slaengine.service.escalation checks both).

One truth for everyone who reads it: an alert counts as acknowledged when it was, or when its
breach was through another contact's alert of it (the duty supervisor's and the manager's
alert of one breach: one acknowledgement answers both). The API (``GET /alerts``,
``?acknowledged=``) and the console ask ``acknowledged`` / ``acknowledgement_of`` here.

Transaction boundary: one transaction; the alert row is read ``FOR UPDATE`` so two people
acknowledging at once do not overwrite each other. An acknowledgement that changes something
is recorded in the audit trail (slaengine.audit.trail) in the same transaction, as ``actor``'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_

from slaengine.audit import trail
from slaengine.store import Store
from slaengine.store.models import Breach, StoredAlert


def acknowledge(
    store: Store,
    alert_id: int,
    by: str | None,
    now: datetime,
    actor: trail.Actor | None = None,
) -> StoredAlert | None:
    """Acknowledge an alert and its breach; the alert row, or None if there is no such alert.
    ``actor``: who, through what and from where, for the audit trail (default: named ``by``)."""
    with store.write() as session:
        alert = session.get(StoredAlert, alert_id, with_for_update=True)
        if alert is None:
            return None
        changed = []
        if alert.acknowledged_at is None:
            alert.acknowledged_at = now
            alert.acknowledged_by = by
            changed.append("alert")
        if alert.breach_id is not None:
            breach = session.get(Breach, alert.breach_id)
            if breach is not None and breach.acknowledged_at is None:
                breach.acknowledged_at = now
                breach.acknowledged_by = by
                changed.append("breach")
        if changed:
            trail.append(
                session,
                actor or trail.Actor(by or "unknown", "internal", "service"),
                "acknowledged",
                now,
                contract=alert.contract,
                subject=f"alert {alert.id}",
                details={
                    "alert": alert.id,
                    "breach": alert.breach_id,
                    "ticket": alert.ticket,
                    "commitment": alert.commitment,
                    "alert_kind": alert.kind,
                    "by": by,
                    "acknowledged": changed,
                },
            )
        return alert


def with_breaches(query: Select[Any]) -> Select[Any]:
    """``query`` over alerts, with each alert's breach joined (None for an alert of none), as
    ``acknowledged`` needs."""
    return query.outerjoin(Breach, Breach.id == StoredAlert.breach_id)


def acknowledged() -> ColumnElement[bool]:
    """In SQL, over ``with_breaches``: the alert, or its breach, is acknowledged."""
    return or_(StoredAlert.acknowledged_at.is_not(None), Breach.acknowledged_at.is_not(None))


def acknowledgement_of(
    alert: StoredAlert, breach: Breach | None
) -> tuple[datetime | None, str | None, str | None]:
    """When and by whom ``alert`` counts as acknowledged, and through what: ``"alert"`` (this
    one), ``"breach"`` (another alert of its breach) or None (not acknowledged)."""
    if alert.acknowledged_at is not None:
        return alert.acknowledged_at, alert.acknowledged_by, "alert"
    if breach is not None and breach.acknowledged_at is not None:
        return breach.acknowledged_at, breach.acknowledged_by, "breach"
    return None, None, None
