"""Acknowledgement: a person says "seen" to an alert, and with it to its breach.

Theory of operation
-------------------
Acknowledging an alert records who and when on the alert and on its breach (the first
acknowledgement wins; a repeat changes nothing). An acknowledged breach is not escalated further
(slaengine.service.escalation checks both).

Transaction boundary: one transaction; the alert row is read ``FOR UPDATE`` so two people
acknowledging at once do not overwrite each other. An acknowledgement that changes something
is recorded in the audit trail (slaengine.audit.trail) in the same transaction, as ``actor``'s.
"""

from __future__ import annotations

from datetime import datetime

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
