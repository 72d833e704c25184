"""The evaluation report of SPEC.md section 7: findings and what they cost.

``Report`` is ``Findings`` (slaengine.findings: clocks, tickets, periods, at ``as_of``) with their
charges (slaengine.penalties), priced once, on first use. Its JSON document is composed here in
three parts — ``head_json``, the clocks, ``tail_json`` — so that the streamed writer
(slaengine.replay) and ``to_json`` produce the same document with the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from typing import Any

from slaengine.clocks import BREACHED
from slaengine.contract.models import Contract
from slaengine.findings import Findings, breach_json
from slaengine.obligations import BREACHED as PERIOD_BREACHED
from slaengine.penalties import Charges, charge


def head_json(contract: Contract, as_of: datetime) -> dict[str, Any]:
    """The report document's fields before ``clocks``: known before anything is judged."""
    return {
        "contract": contract.id,
        "version": contract.version,
        "as_of": as_of.isoformat(),
        "currency": contract.currency,
    }


class Report(Findings):
    """The evaluation report: findings plus their penalty, compensation and cap lines."""

    @cached_property
    def charges(self) -> Charges:
        """Penalty, compensation and cap lines of this report (slaengine.penalties)."""
        return charge(self)

    def to_json(self) -> dict[str, Any]:
        clocks = [clock.to_json() for clock in self.clocks]
        return {
            **self.head_json(),
            "clocks": clocks,
            **self.tail_json(clock for clock in clocks if clock["status"] == BREACHED),
        }

    def head_json(self) -> dict[str, Any]:
        """The document's fields before ``clocks``."""
        return head_json(self.contract, self.as_of)

    def tail_json(self, breached: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The document's fields after ``clocks``; ``breached``: the breached clocks' JSON."""
        data: dict[str, Any] = {
            "breaches": [breach_json(clock) for clock in breached]
            + [p.breach_json() for p in self.periods if p.status == PERIOD_BREACHED],
            **self.charges.to_json(),
            "tickets": [ticket.to_json() for ticket in self.tickets],
            "excused": [item.to_json() for item in self.excused],
            "obligations": [period.to_json() for period in self.periods],
            **({"measures": [m.to_json() for m in self.measures]} if self.measures else {}),
            "rejected": [item.to_json() for item in self.rejected],
            "summary": self.summary(),
        }
        data.update(self.extra)
        return data
