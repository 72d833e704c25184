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
    if source.on_time is not None:
        met, breached = source.on_time(measure.commitments, start, horizon)
    else:
        figures = count(source.clocks, measure.commitments, start, horizon)
        met, breached = figures.met, figures.breached
    judged = met + breached
    detail = {"judged": judged, "met": met, "breached": breached}
    if not judged:
        return Figure(None, ("no clock judged in the period", "期间无可判定的时钟"), detail)
    value = Decimal(met * 100) / judged
    shown = figure_text(value)
    subject = ", ".join(measure.commitments)
    basis = (
        f"{met} of {judged} on time = {shown}% ({subject})",
        f"{judged}次中{met}次按时 = {shown}%（{subject}）",
    )
    return Figure(value, basis, detail)
