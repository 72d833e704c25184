"""``percent_of_price_per_started``: a percentage of the price per started unit of lateness
(``P-repair``: 0.05% of 1280000.00 = 640.00 per started hour).

The unit amount is itself rounded to the cent before it is multiplied, so the formula shown
(``2 × 640.00``) is exactly the arithmetic charged.
"""

from __future__ import annotations

from slaengine.contract.models import PercentOfPricePerStartedClause
from slaengine.money import percent_of
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, per_started_words, register, started_units
from slaengine.penalties.lines import Priced, Trigger
from slaengine.penalties.words import amount_text, percent_text


@register
class PercentOfPricePerStarted(ClauseKind):
    name = "percent_of_price_per_started"

    def price(
        self, clause: PercentOfPricePerStartedClause, trigger: Trigger, evidence: Evidence
    ) -> list[Priced]:
        price = evidence.contract.contract_price
        each = percent_of(price, clause.percent)
        units = started_units(trigger, clause.unit)
        pct, base = percent_text(clause.percent), amount_text(price)
        zone = evidence.zone
        return [
            Priced(
                each * units,
                per_started_words(
                    units, each, clause.unit, trigger, "en", zone, f" ({pct} of price {base})"
                ),
                per_started_words(
                    units, each, clause.unit, trigger, "zh", zone, f"（合同价{base}的{pct}）"
                ),
            )
        ]
