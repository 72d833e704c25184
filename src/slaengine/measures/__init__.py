"""Period measures: a figure per month, quarter or contract year, held to a target percentage.

Theory of operation
-------------------
A contract's ``measures`` (contract.models.Measure) are judged from the same accepted events as
its clocks, at the same ``as_of``, and like them read no clock and do no I/O. Each kind is one
module registered by name (``availability``, ``satisfaction``, ``on_time_rate``, and in
``faults.py`` ``first_time_fix`` and ``repeat_faults``), with one function: the figure of one
period and how it was computed (the downtime intervals, the scores, the clocks counted, the
fixes that held and those that did not, each asset's faults). A measure is held at least to its
target (a floor) or, for repeat faults, at most (a ceiling). Periods are cut by ``periods.py``;
a period not over at ``as_of`` is judged on what happened so far and marked provisional, and so
is one with a fix whose repeat window (``within``) is still open.

Which events take an asset down, restore it, carry a score, make a fault, fix, reopen or visit
it is the rule set's to say, as for clocks (each condition list of a measure compiles to actions
of its name: ``down``, ``restored``, ``scored_by``, ``faults``, ``fixed_by``, ...).
What the shortfall costs is pricing's (penalties/kinds/measure_credit.py): this package only
finds the figures, so replay, statements and the live service all show the same ones.
"""

from slaengine.measures import (  # noqa: F401  (imported to register each kind)
    availability,
    faults,
    on_time_rate,
    satisfaction,
)
from slaengine.measures.base import (
    ABOVE,
    BELOW,
    MET,
    NO_DATA,
    SHORT,
    MeasureInput,
    MeasurePeriod,
    figure_text,
    judge_measures,
)

__all__ = [
    "ABOVE",
    "BELOW",
    "MET",
    "NO_DATA",
    "SHORT",
    "MeasureInput",
    "MeasurePeriod",
    "figure_text",
    "judge_measures",
]
