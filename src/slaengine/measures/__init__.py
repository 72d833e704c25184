"""Period measures: a figure per month, quarter or contract year, held to a target percentage.

Theory of operation
-------------------
A contract's ``measures`` (contract.models.Measure) are judged from the same accepted events as
its clocks, at the same ``as_of``, and like them read no clock and do no I/O. Each kind is one
module registered by name (``availability``, ``satisfaction``, ``on_time_rate``), with one
function: the figure of one period and how it was computed (the downtime intervals, the scores,
the clocks counted). Periods are cut by ``periods.py``; a period not over at ``as_of`` is judged
on what happened so far and marked provisional.

Which events take an asset down, restore it or carry a score is the rule set's to say, as for
clocks (the measure's conditions compile to ``down``/``restored``/``scored_by`` actions).
What the shortfall costs is pricing's (penalties/kinds/measure_credit.py): this package only
finds the figures, so replay, statements and the live service all show the same ones.
"""

from slaengine.measures import (  # noqa: F401  (imported to register each kind)
    availability,
    on_time_rate,
    satisfaction,
)
from slaengine.measures.base import (
    BELOW,
    MET,
    NO_DATA,
    MeasureInput,
    MeasurePeriod,
    figure_text,
    judge_measures,
)

__all__ = [
    "BELOW",
    "MET",
    "NO_DATA",
    "MeasureInput",
    "MeasurePeriod",
    "figure_text",
    "judge_measures",
]
