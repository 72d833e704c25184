"""``measure_credit``: a share of a periodic fee when a period measure falls short of its
target — by tier of the figure (< 99.8% → 2% of the monthly fee, < 98% → 3%; for a measure held
at most to its target, > 5% → 2%), or per started step past the target (1% of the fee per
started 0.1% below 99.5%) — at most ``max_percent`` of the fee per period.

One trigger per period whose figure falls short (below a floor, above a ceiling;
slaengine.measures judges the figures, this only prices them). The most severe tier the figure
falls in applies. A line belongs to its period's end; a period whose figure may still change
(not over, or a repeat window open at ``as_of``) is charged provisionally on the figure so far.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

from slaengine.contract.models import MeasureCreditClause
from slaengine.measures import SHORT, MeasurePeriod, figure_text
from slaengine.money import ZERO, percent_of
from slaengine.penalties.evidence import Evidence
from slaengine.penalties.kinds.base import ClauseKind, register
from slaengine.penalties.lines import PERIOD, Line, Priced, Trigger
from slaengine.penalties.words import amount_text, percent_text
from slaengine.spans import span_text


@register
class MeasureCredit(ClauseKind):
    name = "measure_credit"
    ticket_lines = False

    def triggers(self, clause: MeasureCreditClause, evidence: Evidence) -> list[Trigger]:
        return [
            Trigger(
                source=PERIOD,
                occurred_at=period.period_end,
                ends_period=True,
                obligation=period.measure,
                period_start=period.period_start,
                period_end=period.period_end,
                provisional=period.provisional,
            )
            for period in self._periods(clause, evidence)
            if period.status in SHORT
        ]

    def measures(self, clause: MeasureCreditClause) -> tuple[str, ...]:
        return ()

    def price(
        self, clause: MeasureCreditClause, trigger: Trigger, evidence: Evidence
    ) -> list[Priced]:
        period = next(
            p for p in self._periods(clause, evidence) if p.period_start == trigger.period_start
        )
        assert period.figure is not None
        fee = amount_text(clause.fee)
        figure, target = f"{figure_text(period.figure)}%", percent_text(period.target)
        side_en, side_zh = ("above", "高于") if period.at_most else ("below", "低于")
        if clause.per_started is not None:
            step = clause.per_started
            units = max(1, math.ceil(period.shortfall / step.step))
            share = step.percent * units
            how_en = (
                f"{units} × {percent_text(step.percent)} of fee {fee} per started "
                f"{percent_text(step.step)} {side_en} {target}"
            )
            how_zh = (
                f"每{side_zh}{target}{percent_text(step.step)}（不足按一档计）扣服务费{fee}的"
                f"{percent_text(step.percent)}，共{units}档"
            )
        else:
            tier = next(t for t in clause.tiers if t.applies(period.figure))
            share = tier.percent
            bound = percent_text(tier.bound)
            how_en = f"{percent_text(share)} of fee {fee}: {side_en} {bound}"
            how_zh = f"服务费{fee}的{percent_text(share)}：{side_zh}{bound}"
        capped = ""
        capped_zh = ""
        if clause.max_percent is not None and share > clause.max_percent:
            share = clause.max_percent
            capped = f", at most {percent_text(share)} of the fee"
            capped_zh = f"，以服务费的{percent_text(share)}为限"
        amount = percent_of(clause.fee, share)
        span_en = span_text(period.period_start, period.period_end, evidence.zone)
        span_zh = span_text(period.period_start, period.period_end, evidence.zone, "zh")
        return [
            Priced(
                amount,
                f"{how_en}{capped} = {amount_text(amount)}: {period.measure} {figure} "
                f"(target {target}), {span_en}; {period.basis[0]}",
                f"{how_zh}{capped_zh} = {amount_text(amount)}：{period.measure} {figure}"
                f"（目标{target}），{span_zh}；{period.basis[1]}",
            )
        ]

    @staticmethod
    def _periods(clause: MeasureCreditClause, evidence: Evidence) -> list[MeasurePeriod]:
        return [p for p in evidence.report.measures if p.measure == clause.measure]


def period_money(lines: Iterable[Line], period: MeasurePeriod) -> tuple[list[Line], Decimal]:
    """The measure-credit lines priced on one period, and what they charge (waived lines are
    listed but not counted): the one money figure of a period in statements and the API."""
    found = period_lines(lines, period)
    return found, sum((x.amount for x in found if x.counts and x.amount is not None), ZERO)


def period_lines(lines: Iterable[Line], period: MeasurePeriod) -> list[Line]:
    """The measure-credit lines priced on one period of a measure (statements, the API)."""
    return [
        line
        for line in lines
        if line.kind == MeasureCredit.name
        and line.obligation == period.measure
        and line.period_start == period.period_start
    ]
