"""``on_time_rate`` (按时率): the share of judged clocks of some commitments that were met,
counted as the statement's compliance figures count them (a clock in the period its deadline
falls in; met or breached, not running or cancelled). Waivers are pricing's and are not applied
here: the figure is what happened."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from slaengine.contract.models import Measure
from slaengine.measures.base import Figure, MeasureInput, figure_text, register
from slaengine.measures.compliance import measure as count


@register("on_time_rate")
def on_time_rate(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    figures = count(source.clocks, measure.commitments, start, horizon)
    detail = {"judged": figures.judged, "met": figures.met, "breached": figures.breached}
    if not figures.judged:
        return Figure(None, ("no clock judged in the period", "期间无可判定的时钟"), detail)
    value = Decimal(figures.met * 100) / figures.judged
    shown = figure_text(value)
    subject = ", ".join(measure.commitments)
    basis = (
        f"{figures.met} of {figures.judged} on time = {shown}% ({subject})",
        f"{figures.judged}次中{figures.met}次按时 = {shown}%（{subject}）",
    )
    return Figure(value, basis, detail)
