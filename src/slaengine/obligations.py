"""Periodic obligations (inspections every 3 months, N visits a year), judged at ``as_of``.

(The period model is the interface shared with penalties and the live service; the judging
functions follow below it.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Period statuses: met (a matching event inside it), breached (it ended without one),
#: open (it has begun and not ended), upcoming (not begun at as_of).
MET, BREACHED, OPEN, UPCOMING = "met", "breached", "open", "upcoming"


@dataclass(frozen=True, slots=True)
class ObligationPeriod:
    obligation: str
    asset: str | None  # the unit the period concerns (None when contract-wide)
    index: int  # 0-based number of the period within its obligation (and asset)
    period_start: datetime
    period_end: datetime  # exclusive
    status: str
    required: int = 1  # matching events needed in the period ("N visits a year")
    done: int = 0  # matching events seen in the period
    met_at: datetime | None = None
    met_by: tuple[str, ...] = ()  # ids of the matching events

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation,
            "asset": self.asset,
            "index": self.index,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "status": self.status,
            "required": self.required,
            "done": self.done,
            "met_at": self.met_at.isoformat() if self.met_at else None,
            "met_by": list(self.met_by),
        }
