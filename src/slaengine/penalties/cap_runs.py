"""The caps' running totals kept between two allocations, so that a few changed lines re-cap only
the lines from the first change on (the money page asks every few seconds; issue 23).

``caps.allocate`` takes the penalty lines in the order they occurred and carries three running
totals: what each contract year was charged, what each calendar month was (the rolling cap's
window) and what the contract was. A line's cuts depend on those totals before it and on the
line's own amount, year and billing instant, nothing else. So when the lines of a second call
agree with the first call's up to a position (the same line ids, instants, amounts, years, and
whether they count), the cuts up to there are the first call's, and the totals there are the
first call's at that position: ``CapRun`` keeps the totals every ``_EVERY`` lines and starts again
from the last kept point before the first difference. Its answer is ``allocate``'s (tested on
changes at the start, the middle and the end, and with every cap kind).

Not thread-safe: a caller holds one per contract and serialises its use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from slaengine.contract.models import Contract
from slaengine.money import ZERO
from slaengine.penalties.caps import cap_amount, cut_by_period_caps
from slaengine.penalties.lines import Line

#: The running totals are kept before every ``_EVERY``-th line.
_EVERY = 128

_Sig = tuple[str, datetime, Decimal | None, bool, int]
_State = tuple[dict[int, Decimal], dict[int, Decimal], Decimal]


def _sig(line: Line) -> _Sig:
    """What the caps read of a line."""
    return (line.id, line.billed_at, line.amount, line.counts, line.contract_year)


class CapRun:
    """``allocate`` over lines in occurrence order, resumed from the previous call's totals."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._yearly = cap_amount(contract.caps.per_contract_year, contract.price)
        self._total = cap_amount(contract.caps.contract_total, contract.price)
        self._rolling = contract.caps.rolling
        self._lines: list[Line] = []
        self._sigs: list[_Sig] = []
        self._cuts: list[tuple[Decimal, Decimal, Decimal] | None] = []
        self._result: list[Line] = []
        self._kept: list[_State] = []
        #: How many lines the last call allocated again (the rest were the previous call's).
        self.redone = 0

    def allocate(self, penalties: Sequence[Line]) -> list[Line]:
        """``caps.allocate(penalties, contract)`` for ``penalties`` sorted by ``Line.order_key``
        (as that function sorts them; ties do not occur: the key ends with the line's id)."""
        same = self._agreeing(penalties)
        # kept[j]: the totals before line j × _EVERY; resume from the last one at or before
        # the first line that differs
        block = min(same // _EVERY, len(self._kept) - 1) if self._kept else 0
        start = block * _EVERY
        if self._kept:
            years, months, total = self._kept[block]
            years, months = dict(years), dict(months)
        else:
            years, months, total = {}, {}, ZERO
        kept = self._kept[:block]
        lines = list(penalties)
        sigs = self._sigs[:start] + [_sig(line) for line in lines[start:]]
        cuts = self._cuts[:start]
        result: list[Line] = []
        for index in range(start):
            old, new, cut = self._lines[index], lines[index], cuts[index]
            if old is new:
                result.append(self._result[index])
            elif cut is None:
                result.append(new)
            else:
                result.append(new.with_cuts(*cut))
        for index in range(start, len(lines)):
            if index % _EVERY == 0:
                kept.append((dict(years), dict(months), total))
            line = lines[index]
            cut, total = self._one(line, years, months, total)
            cuts.append(cut)
            result.append(line if cut is None else line.with_cuts(*cut))
        self._lines, self._sigs, self._cuts, self._result = lines, sigs, cuts, result
        self._kept = kept
        self.redone = len(lines) - start
        return list(result)

    def _agreeing(self, penalties: Sequence[Line]) -> int:
        """How many of ``penalties``, from the first, agree with the last call's."""
        count = min(len(penalties), len(self._lines))
        for index in range(count):
            line = penalties[index]
            if line is not self._lines[index] and _sig(line) != self._sigs[index]:
                return index
        return count

    def _one(
        self,
        line: Line,
        years: dict[int, Decimal],
        months: dict[int, Decimal],
        total: Decimal,
    ) -> tuple[tuple[Decimal, Decimal, Decimal] | None, Decimal]:
        """The cuts of one line (None: none) and the contract's total after it, as
        ``caps.allocate`` works them out; ``years`` and ``months`` are updated in place."""
        if not line.counts or line.amount is None:
            return None, total
        year_cut, rolling_cut = cut_by_period_caps(
            line, self.contract, self._yearly, self._rolling, years, months
        )
        total_cut = ZERO
        charged = line.amount - year_cut - rolling_cut
        if self._total is not None:
            room = max(ZERO, self._total[0] - total)
            total_cut = max(ZERO, charged - room)
            total += charged - total_cut
        if year_cut or total_cut or rolling_cut:
            return (year_cut, total_cut, rolling_cut), total
        return None, total
