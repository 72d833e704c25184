"""``service_credit``: a percentage of a periodic fee, by tier of the on-time rate of some
commitments over each fee period (on time below 95% → 5% of the monthly fee).

Fee periods run from acceptance (midnight of ``accepted_on``, contract time zone), one
``period`` after another, like contract years. A period's clocks are those whose deadline falls
in it, judged as the statement's compliance figures are (slaengine.measures.compliance); the
lowest tier the rate is below applies, and a period with nothing judged owes nothing. The line
belongs to the period's end; a period not over at ``as_of`` is charged provisionally on the
clocks judged so far.
"""

from __future__ import annotations

from slaengine.contract.models import ServiceCreditClause
from slaengine.durations import Duration
from slaengine.measures.compliance import measure
from slaengine.money import percent_of
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, register
from slaengine.penalties.lines import PERIOD, Priced, Trigger
from slaengine.penalties.words import amount_text, percent_text
from slaengine.penalties.years import local_midnight
from slaengine.spans import span_text


@register
class ServiceCredit(ClauseKind):
    name = "service_credit"
    ticket_lines = False

    def triggers(self, clause: ServiceCreditClause, evidence: Evidence) -> list[Trigger]:
        anchor = local_midnight(evidence.contract, evidence.contract.acceptance)
        step = clause.period
        found: list[Trigger] = []
        start = anchor
        n = 0
        while start < evidence.as_of:
            end = Duration(step.amount * (n + 1), step.unit).add_to(anchor)
            found.append(
                Trigger(
                    source=PERIOD,
                    occurred_at=end,
                    ends_period=True,
                    commitment="+".join(clause.commitments),
                    period_start=start,
                    period_end=end,
                    provisional=end > evidence.as_of,
                )
            )
            start, n = end, n + 1
        return found

    def measures(self, clause: ServiceCreditClause) -> tuple[str, ...]:
        return tuple(clause.commitments)

    def price(
        self, clause: ServiceCreditClause, trigger: Trigger, evidence: Evidence
    ) -> list[Priced]:
        assert trigger.period_start is not None and trigger.period_end is not None
        start, end = trigger.period_start, trigger.period_end
        figures = measure(
            evidence.clocks_due(clause.commitments, start, end),
            clause.commitments,
            start,
            end,
            evidence.waived_clocks,
        )
        tier = next((t for t in clause.tiers if figures.below(t.below)), None)
        if tier is None:
            return []
        amount = percent_of(clause.fee, tier.percent)
        days_en, days_zh = (span_text(start, end, evidence.zone, lang) for lang in ("en", "zh"))
        pct, fee, below = (
            percent_text(tier.percent),
            amount_text(clause.fee),
            percent_text(tier.below),
        )
        rate = f"{figures.rate_text()} ({figures.met}/{figures.judged})"
        subject = ", ".join(clause.commitments)
        return [
            Priced(
                amount,
                f"{pct} of fee {fee} = {amount_text(amount)}: on-time rate {rate} below {below}, "
                f"{subject}, {days_en}",
                f"服务费{fee}的{pct} = {amount_text(amount)}：按时率{rate}低于{below}，"
                f"{subject}，{days_zh}",
            )
        ]
