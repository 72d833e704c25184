"""``satisfaction`` (回访满意度): the average score of the period's scored events, as a
percentage of the best score (``scale``).

An event matching ``scored_by`` (by default ``callback_done``) inside the period counts with its
``attrs.<score_attr>`` (by default ``score``), a number from 0 to ``scale``. An event without a
usable score is not averaged but listed under ``unscored`` with the reason, so a callback whose
score was not recorded is visible, never silently counted as anything.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from slaengine.contract.models import Measure
from slaengine.events import Event
from slaengine.measures.base import Figure, MeasureInput, figure_text, register


@register("satisfaction")
def satisfaction(
    measure: Measure, source: MeasureInput, start: datetime, horizon: datetime
) -> Figure:
    scores: list[dict[str, Any]] = []
    unscored: list[dict[str, Any]] = []
    total = Decimal(0)
    cached = source.cache.get(measure.id)
    if cached is None:
        events = [e for e, _ in source.matching(measure, ("scored_by",))]
        stamps = [e.ts for e in events]
        in_order = all(a <= b for a, b in pairwise(stamps))
        cached = source.cache[measure.id] = (events, stamps if in_order else None)
    scored: list[Event] = cached[0]
    times: list[float] | None = cached[1]
    if times is not None:
        # the scores are in time order: the period's are one slice, found by bisection,
        # rather than every score compared with every period's bounds
        first = bisect_left(times, start.timestamp())
        scored = scored[first : bisect_left(times, horizon.timestamp(), first)]
    for event in scored:
        if times is None and not start <= event.at < horizon:
            continue
        raw = event.attrs.get(measure.score_attr)
        score = _score(raw, measure.scale)
        if isinstance(score, str):
            unscored.append({"event": event.id, "ticket": event.ticket, "reason": score})
            continue
        total += score
        scores.append(
            {"event": event.id, "ticket": event.ticket, "at": event.at.isoformat(), "score": raw}
        )
    detail: dict[str, Any] = {"scores": scores, "unscored": unscored}
    if not scores:
        return Figure(None, ("no scores in the period", "期间无评分"), detail)
    average = total / len(scores)
    value = average * 100 / measure.scale
    shown = figure_text(value)
    avg = figure_text(average)
    basis = (
        f"average of {len(scores)} score(s) {avg} / {measure.scale} = {shown}%",
        f"{len(scores)}次评分平均{avg} / {measure.scale} = {shown}%",
    )
    return Figure(value, basis, detail)


def _score(raw: Any, scale: Decimal) -> Decimal | str:
    """The score as a number, or why it cannot count."""
    if raw is None:
        return "no score recorded"
    if isinstance(raw, bool):
        return f"score {raw!r} is not a number"
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return f"score {raw!r} is not a number"
    if not value.is_finite() or value < 0 or value > scale:
        return f"score {raw!r} is outside 0..{scale}"
    return value
