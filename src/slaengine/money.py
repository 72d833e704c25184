"""Money: a Decimal rounded half-up to the cent.

The one rounding of every amount, used by the contract's own words (``contract show`` works out
a percentage of the price so a reader can check it) and by pricing alike; it sits at the bottom
so that the contract language does not reach up into pricing for it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """Round half-up to the minor unit (0.01): the rounding of every line."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``base``, rounded to the cent (a money amount in its own right)."""
    return money(base * percent / Decimal(100))
