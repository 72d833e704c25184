"""Clause kinds, registered by the name a contract file gives them (``kind: per_started``).

One file per kind; adding a kind is adding its file and its import below, never an edit to
another kind (see base.py for the interface).
"""

from slaengine.penalties.kinds import (  # noqa: F401  (imported to register each kind)
    costs,
    fixed,
    measure_credit,
    per_started,
    percent_of_price,
    percent_of_price_per_started,
    service_credit,
    warranty_extension,
)
from slaengine.penalties.kinds.base import KINDS, ClauseKind, kind_for, register

__all__ = ["KINDS", "ClauseKind", "kind_for", "register"]
