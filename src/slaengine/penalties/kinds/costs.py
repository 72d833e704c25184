"""``costs``: compensation — the supplier pays the costs claimed on a ticket where a commitment
listing the clause was breached (``C-costs``: the tender's 承担由此而发生的一切费用).

Each claim (an event matching the clause's ``claim``, ``cost_claimed`` by default, with its
amount in ``attrs.amount``) is one line. A ticket pays its claims once, however many of its
commitments were breached: the lines hang on the ticket's first breach that is not waived for
this clause (so a waiver of that one breach does not waive the claims while another breach
stands). A clause triggered by an event (``on_event``) pays the amount that event carries.

A claim line belongs to the time it became owed: the later of the breach and the claim, so a
claim made after a billing period was closed is billed in the period it was made.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from slaengine.contract.models import CostsClause
from slaengine.events import Event
from slaengine.money import ZERO, money
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, occasion, register
from slaengine.penalties.lines import CLOCK, COMPENSATION, EVENT, Priced, Trigger
from slaengine.penalties.words import amount_text


@register
class Costs(ClauseKind):
    name = "costs"
    section = COMPENSATION

    def triggers(self, clause: CostsClause, evidence: Evidence) -> list[Trigger]:
        chosen: dict[str | None, Trigger] = {}
        others: list[Trigger] = []
        for trigger in evidence.triggers(clause):
            if trigger.source != CLOCK:
                others.append(trigger)
                continue
            current = chosen.get(trigger.ticket)
            if current is None or (
                evidence.waiver_for(current, clause.id) is not None
                and evidence.waiver_for(trigger, clause.id) is None
            ):
                chosen[trigger.ticket] = trigger
        return [*chosen.values(), *others]

    def price(self, clause: CostsClause, trigger: Trigger, evidence: Evidence) -> list[Priced]:
        if trigger.source == EVENT:
            claims = [e for e in [evidence.event(trigger.event)] if e is not None]
        else:
            claims = evidence.claims(clause.id, trigger.ticket)
        return [self._claim(clause, claim, trigger, evidence) for claim in claims]

    def _claim(
        self, clause: CostsClause, claim: Event, trigger: Trigger, evidence: Evidence
    ) -> Priced:
        raw = claim.attrs.get(clause.amount_attr)
        reason = claim.attrs.get("reason")
        note = f": {reason}" if reason else ""
        where_en = where_zh = ""
        if trigger.source == CLOCK:
            where_en = f", {trigger.commitment} breached, {occasion(trigger, 'en', evidence.zone)}"
            where_zh = f"，{trigger.commitment}违约，{occasion(trigger, 'zh', evidence.zone)}"
        amount = _amount(raw)
        if amount is None:
            return Priced(
                ZERO,
                f"claim {claim.id}: attrs.{clause.amount_attr} {raw!r} is not an amount; "
                "nothing charged",
                f"索赔{claim.id}：attrs.{clause.amount_attr} {raw!r} 不是金额，未计",
                event=claim.id,
                owed_at=claim.at,
            )
        text = amount_text(amount)
        return Priced(
            amount,
            f"cost claimed {text} (event {claim.id}{note}){where_en}",
            f"索赔费用{text}（事件{claim.id}{note}）{where_zh}",
            event=claim.id,
            owed_at=claim.at,
        )


def _amount(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return money(amount)
