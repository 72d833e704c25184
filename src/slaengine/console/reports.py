"""The contracts the console shows, and the whole-contract report its money, compliance and
warranty pages read.

Theory of operation
-------------------
The board, the alerts and a ticket are read straight from the store's rows (paged, indexed);
so is the money page, from the stored lines (slaengine.service.money), but for a contract whose
lines the store does not all keep (a service credit) and for its statement downloads.
Compliance and warranty need the whole contract judged at once — caps run over a
contract year, an on-time rate over a month — so they call the pure core exactly as
``slaengine statement --db`` does: every stored event of the contract through ``evaluate`` at
now, under the newest contract version. That costs time in proportion to the events, so the
report is kept per contract until an event arrives (the newest event ``seq`` changes) or
``FRESH_SECONDS`` pass (amounts of open breaches grow with time); pages say "as of" when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from slaengine.contract.models import Contract
from slaengine.evaluate import Context, Report, evaluate
from slaengine.store import Store
from slaengine.store.models import StoredEvent

FRESH_SECONDS = 30.0
_T = TypeVar("_T")


def newest_contracts(store: Store) -> dict[str, Context]:
    """Each stored contract's newest version, by id, in id order."""
    with store.sessions() as session:
        newest: dict[str, Context] = {}
        for row in store.versions(session):
            newest[row.contract] = store.context(row)
    return dict(sorted(newest.items()))


@dataclass(slots=True)
class _Kept:
    seq: int
    made: float
    report: Report
    #: Figures pages derive from the report (``Reports.derived``), kept as long as it is.
    derived: dict[str, Any] = field(default_factory=dict)


class Reports:
    """Whole-contract reports at now, kept until the contract's events change or they age."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def report(self, contract: Contract | Context, now: datetime) -> Report:
        context = contract if isinstance(contract, Context) else Context(contract)
        ident = context.contract.id
        with self.store.sessions() as session:
            seq = session.scalar(
                select(func.max(StoredEvent.seq)).where(StoredEvent.contract == ident)
            )
        seq = int(seq or 0)
        with self._lock:
            kept = self._kept.get(ident)
            if (
                kept is not None
                and kept.seq == seq
                and time.monotonic() - kept.made < FRESH_SECONDS
                and kept.report.contract is context.contract
            ):
                return kept.report
            report = evaluate(context, self.store.contract_events(ident), now)
            self._kept[ident] = _Kept(seq, time.monotonic(), report)
            return report

    def derived(self, report: Report, name: str, compute: Callable[[Report], _T]) -> _T:
        """``compute(report)``, once per kept report (a page's figures over every clock)."""
        with self._lock:
            kept = self._kept.get(report.contract.id)
            if kept is None or kept.report is not report:
                return compute(report)
            if name not in kept.derived:
                kept.derived[name] = compute(report)
            value: _T = kept.derived[name]
            return value
