"""The caps resumed from the last allocation's running totals (penalties.cap_runs, issue 23) give
``caps.allocate``'s answer, whatever changed since: a line added, removed or repriced at the
start, in the middle or at the end, a year past its cap, the rolling window, the contract total."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from slaengine.contract import Contract, parse_contract
from slaengine.penalties.cap_runs import CapRun
from slaengine.penalties.caps import allocate
from slaengine.penalties.lines import PENALTY, Line
from slaengine.penalties.years import contract_year

TEXT = """
id: CAPS-1
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2025-03-01
severities: {{general: General}}
calendars: {{always: {{kind: 24x7}}}}
commitments:
  - {{id: answer, start: reported, stop: acknowledged, target: 3m, calendar: always,
      clauses: [P-answer]}}
clauses:
  - {{id: P-answer, kind: fixed, amount: "50.00"}}
caps:
{caps}
"""

CAPS = {
    "yearly": '  per_contract_year: {amount: "9000.00"}',
    "yearly_and_total": '  per_contract_year: {amount: "9000.00"}\n'
    '  contract_total: {amount: "15000.00"}',
    "all_three": '  per_contract_year: {amount: "9000.00"}\n'
    '  contract_total: {amount: "15000.00"}\n'
    '  rolling: {months: 3, percent_of_fees: "50", monthly_fee: "4000.00"}',
    "none": "  {}",
}


def contract(caps: str) -> Contract:
    return parse_contract(TEXT.format(caps=caps), Path("caps.yaml"))


def line(terms: Contract, n: int, at: datetime, amount: str, waived: bool = False) -> Line:
    return Line(
        id=f"P-answer/T{n}/answer/1",
        section=PENALTY,
        clause="P-answer",
        kind="fixed",
        source="clock",
        occurred_at=at,
        billed_at=at,
        contract_year=contract_year(terms, at),
        amount=Decimal(amount),
        formula_en=f"{amount} for T{n}",
        formula_zh=f"{amount} T{n}",
        ticket=f"T{n}",
        waived=waived,
    )


def history(terms: Contract, count: int, seed: int) -> list[Line]:
    rng = random.Random(seed)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return [
        line(
            terms,
            n,
            start + timedelta(hours=rng.randrange(0, 24 * 800)),
            f"{rng.randrange(1, 400)}.{rng.randrange(0, 100):02d}",
            waived=rng.random() < 0.05,
        )
        for n in range(count)
    ]


def ordered(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=Line.order_key)


@pytest.mark.parametrize("caps", sorted(CAPS))
def test_every_change_gives_allocates_answer(caps: str) -> None:
    terms = contract(CAPS[caps])
    lines = ordered(history(terms, 900, seed=len(caps)))
    run = CapRun(terms)
    assert run.allocate(lines) == allocate(lines, terms)
    assert run.allocate(lines) == allocate(lines, terms)
    assert run.redone < 128  # unchanged: only the last stretch is capped again
    rng = random.Random(7)
    late = datetime(2027, 4, 1, tzinfo=UTC)
    for step in range(40):
        changed = list(lines)
        what = step % 5
        if what == 0:  # a new line at the end (a breach now)
            changed.append(line(terms, 10_000 + step, late + timedelta(hours=step), "120.00"))
        elif what == 1:  # a line removed (a breach withdrawn)
            del changed[rng.randrange(len(changed))]
        elif what == 2:  # a line repriced (an open breach grows)
            i = rng.randrange(len(changed))
            changed[i] = replace(changed[i], amount=(changed[i].amount or Decimal(0)) + 7)
        elif what == 3:  # the same line with new words only (its amount did not change)
            i = rng.randrange(len(changed))
            changed[i] = replace(changed[i], formula_en=changed[i].formula_en + " (again)")
        else:  # a late line near the start
            early = datetime(2025, 3, 2, tzinfo=UTC) + timedelta(minutes=step)
            changed.append(line(terms, 20_000 + step, early, "390.00"))
        lines = ordered(changed)
        assert run.allocate(lines) == allocate(lines, terms), (caps, step, what)


def test_a_change_at_the_end_caps_only_the_last_stretch_again() -> None:
    terms = contract(CAPS["all_three"])
    lines = ordered(history(terms, 2000, seed=3))
    run = CapRun(terms)
    run.allocate(lines)
    assert run.redone == len(lines)
    lines = [*lines, line(terms, 99_999, datetime(2027, 6, 1, tzinfo=UTC), "250.00")]
    assert run.allocate(lines) == allocate(lines, terms)
    assert 0 < run.redone <= 129
    cut = [x for x in run.allocate(lines) if x.year_cut or x.total_cut or x.rolling_cut]
    assert cut, "the history never reached a cap: the test would not test the totals"
