"""The evaluation report of docs/reference.md section 7: findings and what they cost.

``Report`` is ``Findings`` (slaengine.findings: clocks, tickets, periods, at ``as_of``) with their
charges (slaengine.penalties), priced once, on first use. Its JSON document is composed here in
three parts — ``head_json``, the clocks, ``tail_json`` — so that the streamed writer
(slaengine.replay) and ``to_json`` produce the same document with the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property
from itertools import chain
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
        return {
            name: list(value) if isinstance(value, Iterator) else value
            for name, value in self.tail_items(breached)
        }

    def tail_items(self, breached: Iterable[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
        """``tail_json`` field by field, in order, each list as an iterator that makes its items
        as they are read (slaengine.replay writes them without holding them all)."""
        yield (
            "breaches",
            chain(
                (breach_json(clock) for clock in breached),
                (p.breach_json() for p in self.periods if p.status == PERIOD_BREACHED),
            ),
        )
        yield from self.charges.json_items()
        yield "tickets", (ticket.to_json() for ticket in self.tickets)
        yield "excused", (item.to_json() for item in self.excused)
        yield "obligations", (period.to_json() for period in self.periods)
        if self.measures:
            yield "measures", (measure.to_json() for measure in self.measures)
        yield "rejected", (item.to_json() for item in self.rejected)
        yield "summary", self.summary()
        yield from self.extra.items()
