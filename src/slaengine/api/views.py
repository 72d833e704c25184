"""What the API answers with: stored breaches, penalty lines and alerts as JSON, times in their
contract's zone (``Zones``). The routers of api/routes/ share these shapes; the console has its
own (console/)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from slaengine.service.row_keys import RowKey, row_key
from slaengine.store import Store
from slaengine.store.models import OPEN, PENDING, Breach, OutboxRow, PenaltyLine, StoredAlert


def time_json(value: datetime | None, zone: ZoneInfo | None = None) -> str | None:
    """``value`` as RFC 3339, in ``zone`` when one is given."""
    if value is None:
        return None
    return (value.astimezone(zone) if zone is not None else value).isoformat()


class Zones:
    """The time zone of each contract (its newest version's), read once per process."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._zones: dict[str, ZoneInfo] = {}
        self._lock = threading.Lock()

    def of(self, session: Any, contract: str) -> ZoneInfo | None:
        with self._lock:
            found = self._zones.get(contract)
        if found is None:
            row = self.store.version_in_effect(session, contract, None)
            if row is None:
                return None
            found = ZoneInfo(self.store.context(row).contract.timezone)
            with self._lock:
                self._zones[contract] = found
        return found


def penalty_json(row: PenaltyLine) -> dict[str, Any]:
    """A stored penalty or compensation line: the report's line, with its breach."""
    import json

    line: dict[str, Any] = json.loads(row.body)
    for kept in ("billed_at", "start_key"):  # stored for the money page (Line.from_json)
        line.pop(kept, None)
    return {**line, "section": row.section, "breach_id": row.breach_id}


def matching(query: Select[Any], model: Any, **equal: str | None) -> Select[Any]:
    """``query`` narrowed to the rows whose columns equal the filters given (None: no filter)."""
    for name, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


def breach_json(
    row: Breach,
    penalties: list[PenaltyLine] | None = None,
    zone: ZoneInfo | None = None,
    late_now: int | None = None,
    disputes: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A breach; ``late_now``: its clock's lateness now (an open breach keeps growing late);
    each of its lines with its ``dispute`` from ``disputes`` (by the line's row id; null when
    none), as ``GET /penalties`` shows it."""
    data: dict[str, Any] = {
        "id": row.id,
        "contract": row.contract,
        "status": row.status,
        "deadline": time_json(row.deadline, zone),
        "stopped_at": time_json(row.stopped_at, zone),
        "late_by_seconds": late_now if late_now is not None else row.late_by_seconds,
        "severity": row.severity,
        "detected_at": time_json(row.detected_at, zone),
        "revision": row.revision,
        "withdrawn_at": time_json(row.withdrawn_at, zone),
        "withdrawn_reason": row.withdrawn_reason,
        "acknowledged_at": time_json(row.acknowledged_at, zone),
        "acknowledged_by": row.acknowledged_by,
    }
    if row.kind == "obligation":
        data.update(obligation=row.commitment, asset=row.ticket or None, period=row.cycle)
    else:
        data.update(ticket=row.ticket, commitment=row.commitment, cycle=row.cycle)
        if row.occurrence:
            data["occurrence"] = row.occurrence
            data["start_event"] = row.start_key
    data["penalties"] = [
        {**penalty_json(line), "dispute": (disputes or {}).get(line.id)} for line in penalties or []
    ]
    return data


def breaches_json(
    session: Any,
    rows: list[Breach],
    zones: Zones,
    now: datetime,
    late: dict[RowKey, int] | None = None,
) -> list[dict[str, Any]]:
    """Breaches, each with the penalty and compensation lines charged for it, times in the
    contract's zone. An open breach is late by its clock's lateness now: ``late`` by its clock's
    ``row_key`` (commitment, cycle, start_key) when the caller judged the ticket's clocks; else as
    recorded at detection."""
    lines: dict[int, list[PenaltyLine]] = {row.id: [] for row in rows}
    if lines:
        for line in session.scalars(
            select(PenaltyLine)
            .where(PenaltyLine.breach_id.in_(list(lines)))
            .order_by(PenaltyLine.id)
        ):
            lines[line.breach_id].append(line)
    from slaengine.store.disputes import marks_of_rows

    disputes = {
        ident: mark.to_json()
        for ident, mark in marks_of_rows(session, [x for xs in lines.values() for x in xs]).items()
    }
    answer = []
    for row in rows:
        late_now = None
        if row.status == OPEN and row.kind == "clock":
            late_now = (late or {}).get(row_key(row))
        zone = zones.of(session, row.contract)
        answer.append(breach_json(row, lines[row.id], zone, late_now, disputes))
    return answer


def alert_json(
    row: StoredAlert,
    deliveries: list[OutboxRow],
    zone: ZoneInfo | None = None,
    breach: Breach | None = None,
) -> dict[str, Any]:
    """An alert; acknowledged when it or its breach is (``acknowledged_through`` says which),
    as the console shows it (slaengine.service.acknowledgement)."""
    import json

    from slaengine.service.acknowledgement import acknowledgement_of

    acked_at, acked_by, through = acknowledgement_of(row, breach)

    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "contract": row.contract,
        "ticket": row.ticket,
        "commitment": row.commitment,
        "contact": None if row.contact == "*" else row.contact,
        "level": row.level,
        "breach_id": row.breach_id,
        "created_at": time_json(row.created_at, zone),
        "acknowledged_at": time_json(acked_at, zone),
        "acknowledged_by": acked_by,
        "acknowledged_through": through,
        "escalate_at": time_json(row.escalate_at, zone),
        "escalated_at": time_json(row.escalated_at, zone),
        "alert": json.loads(row.payload),
        "deliveries": [
            {
                "channel": d.channel,
                "status": d.status,
                "attempts": d.attempts,
                "sent_at": time_json(d.sent_at, zone),
                "next_attempt_at": (
                    time_json(d.next_attempt_at, zone) if d.status == PENDING else None
                ),
                "last_error": d.last_error,
            }
            for d in deliveries
        ],
    }
