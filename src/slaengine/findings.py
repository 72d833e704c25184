"""What evaluating a contract found: clocks, tickets, periods — the report before any money.

Theory of operation
-------------------
``Findings`` is the report type of the pure core: the judged clocks of every ticket, the ticket
summaries, the obligation periods, the excused intervals and the events they came from, at one
evaluation time ``as_of``. It is plain data; nothing here prices anything. Pricing
(``slaengine.penalties``) reads findings and never the reverse, and the priced report users see
(``slaengine.report.Report``) is findings plus their charges. So the imports run one way:
core (this module, clocks, calendars, obligations, warranty) → pricing → report → shells.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from slaengine.clocks import BREACHED, Clock
from slaengine.contract.models import Contract
from slaengine.events import Event, Rejected
from slaengine.measures import MeasurePeriod, judge_measures
from slaengine.obligations import ObligationPeriod


@dataclass(frozen=True, slots=True)
class Excused:
    """A force-majeure interval: no clock of the contract runs inside it."""

    event: str
    start: datetime
    end: datetime
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "from": self.start.isoformat(),
            "until": self.end.isoformat(),
            "reason": self.reason,
            "seconds": int((self.end - self.start).total_seconds()),
        }


# Not frozen: a frozen dataclass's __init__ costs several times as much (slaengine.penalties.lines
# says why), and a replay builds one or two per ticket. Never changed once built; ``unsafe_hash``
# keeps the hash and equality a frozen one has.
@dataclass(slots=True, unsafe_hash=True)
class TicketSummary:
    """One ticket in a report: where it stands, its cycles and its warranty."""

    ticket: str
    asset: str | None
    severity: str | None
    status: str
    reported_at: datetime | None
    cycles: int
    in_warranty: bool | None = None
    chargeable: bool = False
    warranty_basis: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "asset": self.asset,
            "severity": self.severity,
            "status": self.status,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
            "cycles": self.cycles,
            "in_warranty": self.in_warranty,
            "chargeable": self.chargeable,
            "warranty_basis": self.warranty_basis,
        }


@dataclass
class Findings:
    """The evaluation of a contract's events at ``as_of`` (docs/reference.md §7, without money)."""

    contract: Contract
    as_of: datetime
    clocks: list[Clock]
    tickets: list[TicketSummary]
    rejected: list[Rejected]
    excused: list[Excused]
    events: list[Event]
    #: Periods of the contract's obligations (slaengine.obligations), judged at as_of.
    periods: list[ObligationPeriod] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Events received again with the same id and content (no-ops, counted for the record).
    duplicates: int = 0
    #: Clock counts by status. A streamed report keeps only the clocks pricing needs in
    #: ``clocks`` and counts the others here; None means "count ``clocks``".
    clock_counts: dict[str, int] | None = None
    #: The contract's versions when it was amended (slaengine.contract.versions), oldest
    #: first; ``contract`` is then the latest. Empty: ``contract`` is the only version.
    versions: list[Contract] = field(default_factory=list)

    @cached_property
    def measures(self) -> list[MeasurePeriod]:
        """Each period of each of the contract's measures (slaengine.measures), judged from the
        same events and clocks; computed on first use, so every shell that builds findings
        shows them."""
        return judge_measures(
            self.contract,
            self.events,
            self.clocks,
            [(item.start, item.end) for item in self.excused],
            self.as_of,
            {t.ticket: (t.severity, t.asset) for t in self.tickets},
        )

    @cached_property
    def breaches(self) -> list[Clock]:
        return [clock for clock in self.clocks if clock.status == BREACHED]

    def summary(self) -> dict[str, Any]:
        counts = self.clock_counts
        if counts is None:
            counts = defaultdict(int)
            for clock in self.clocks:
                counts[clock.status] += 1
        return summary_json(self, counts)


def summary_json(findings: Findings, counts: dict[str, int]) -> dict[str, Any]:
    """The report's ``summary``: how much went in and what the clocks came to."""
    return {
        "events": len(findings.events),
        "rejected": len(findings.rejected),
        "duplicates": findings.duplicates,
        "tickets": len(findings.tickets),
        "clocks": sum(counts.values()),
        **{f"clocks_{status}": n for status, n in sorted(counts.items()) if n},
    }


#: The fields of a clock that its entry in the report's ``breaches`` list repeats.
_BREACH_FIELDS = (
    "ticket", "commitment", "cycle", "severity", "started_at", "deadline", "stopped_at",
    "late_by_seconds",
)  # fmt: skip


def breach_json(clock: dict[str, Any]) -> dict[str, Any]:
    """A breached clock (its JSON) as an entry of the report's ``breaches`` list (docs/reference.md
    section 7)."""
    view = {name: clock[name] for name in _BREACH_FIELDS}
    if "occurrence" in clock:  # the n-th start of a commitment that runs per start
        view["occurrence"] = clock["occurrence"]
    view["open"] = clock["stopped_at"] is None
    return view
