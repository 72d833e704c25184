"""How a measure's inputs are written in its basis."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def hours_text(seconds: float) -> str:
    """``719.5 h``: hours to two decimals, trailing zeros dropped."""
    hours = (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{hours:f}".rstrip("0").rstrip(".") + " h"
