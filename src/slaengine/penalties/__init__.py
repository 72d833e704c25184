"""Penalties, compensation and billing statements: what the supplier owes, line by line.

``charge(report)`` turns an evaluation report into ``Charges``: penalty lines, compensation
lines, cap adjustment lines and remedies, each with its clause, what it was charged for and
the formula in English and Chinese. ``build_statement(report, window)`` cuts the lines of one
billing period out of them, with the period's totals and compliance figures.

Like the rest of the core this reads no clock and does no I/O. It reads ``Findings``
(slaengine.findings, the core's report type) and never imports the evaluation entry:
``slaengine.report`` prices findings with ``charge``, never the reverse.
"""

from typing import TYPE_CHECKING, Any

from slaengine.penalties.charge import Charges, Totals, charge, measured_commitments
from slaengine.penalties.lines import Line

if TYPE_CHECKING:
    from slaengine.penalties.statement import Statement, Window, build_statement

__all__ = [
    "Charges",
    "Line",
    "Statement",
    "Totals",
    "Window",
    "build_statement",
    "charge",
    "measured_commitments",
]


def __getattr__(name: str) -> Any:
    # The statement (and the disputes it reads) is imported when first asked for: a replay
    # prices its findings with ``charge`` and never builds one (issue 23, start-up).
    if name in ("Statement", "Window", "build_statement"):
        from slaengine.penalties import statement

        return getattr(statement, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
