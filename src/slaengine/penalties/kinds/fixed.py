"""``fixed``: an amount per breach (``P-ack``: 500.00 for each late answer)."""

from __future__ import annotations

from slaengine.contract.models import FixedClause
from slaengine.money import money
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, occasion, register
from slaengine.penalties.lines import Priced, Trigger
from slaengine.penalties.words import amount_text


@register
class Fixed(ClauseKind):
    name = "fixed"

    def price(self, clause: FixedClause, trigger: Trigger, evidence: Evidence) -> list[Priced]:
        amount = money(clause.amount)
        text = amount_text(amount)
        why_en = occasion(trigger, "en", evidence.zone)
        why_zh = occasion(trigger, "zh", evidence.zone)
        return [Priced(amount, f"{text} per breach, {why_en}", f"每次{text}，{why_zh}")]
