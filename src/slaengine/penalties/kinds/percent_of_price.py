"""``percent_of_price``: a percentage of the contract price per breach or per event
(``P-site``: 1% of 1280000.00 = 12800.00 for each site violation)."""

from __future__ import annotations

from slaengine.contract.models import PercentOfPriceClause
from slaengine.money import percent_of
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, occasion, register
from slaengine.penalties.lines import Priced, Trigger
from slaengine.penalties.words import amount_text, percent_text


@register
class PercentOfPrice(ClauseKind):
    name = "percent_of_price"

    def price(
        self, clause: PercentOfPriceClause, trigger: Trigger, evidence: Evidence
    ) -> list[Priced]:
        price = evidence.contract.contract_price
        amount = percent_of(price, clause.percent)
        pct, base, text = percent_text(clause.percent), amount_text(price), amount_text(amount)
        why_en = occasion(trigger, "en", evidence.zone)
        why_zh = occasion(trigger, "zh", evidence.zone)
        return [
            Priced(
                amount,
                f"{pct} of price {base} = {text}, {why_en}",
                f"合同价{base}的{pct} = {text}，{why_zh}",
            )
        ]
