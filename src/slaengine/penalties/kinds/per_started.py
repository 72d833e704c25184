"""``per_started``: an amount per started unit of lateness (``P-onsite``: 200.00 per started
10 minutes, so 24 minutes late is 3 × 200.00)."""

from __future__ import annotations

from slaengine.contract.models import PerStartedClause
from slaengine.money import money
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, per_started_words, register, started_units
from slaengine.penalties.lines import Priced, Trigger


@register
class PerStarted(ClauseKind):
    name = "per_started"

    def price(self, clause: PerStartedClause, trigger: Trigger, evidence: Evidence) -> list[Priced]:
        units = started_units(trigger, clause.unit)
        each = money(clause.amount)
        return [
            Priced(
                each * units,
                per_started_words(units, each, clause.unit, trigger, "en", evidence.zone),
                per_started_words(units, each, clause.unit, trigger, "zh", evidence.zone),
            )
        ]
