"""Acknowledgement: a person says "seen" to an alert, and with it to its breach.

Theory of operation
-------------------
Acknowledging an alert records who and when on the alert and on its breach (the first
acknowledgement wins; a repeat changes nothing). An acknowledged breach is not escalated further
(slaengine.service.escalation checks both).

Transaction boundary: one transaction; the alert row is read ``FOR UPDATE`` so two people
acknowledging at once do not overwrite each other.
"""

from __future__ import annotations

from datetime import datetime

from slaengine.store import Store
from slaengine.store.models import Breach, StoredAlert


def acknowledge(store: Store, alert_id: int, by: str | None, now: datetime) -> StoredAlert | None:
    """Acknowledge an alert and its breach; the alert row, or None if there is no such alert."""
    with store.write() as session:
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
