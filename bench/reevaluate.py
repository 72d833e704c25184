"""The ``reevaluate`` section: re-evaluating one ticket of ``--reevaluate-events`` events, the
cost of a late event.

Run from bench/run.py (``--sections reevaluate``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import synth
from harness import rounded
from slaengine.contract import Contract
from slaengine.evaluate import Context, evaluate, evaluate_ticket
from slaengine.events import Event, Intake


def reevaluate(contract: Contract, events: int, repeat: int) -> dict[str, Any]:
    """The cost of a late event: the ticket is evaluated again over all its events."""
    context = Context(contract)
    intake = Intake(contract)
    for number, item in enumerate(synth.long_ticket(events), start=1):
        intake.offer(item, number)
    ordered = sorted(intake.events, key=Event.sort_key)
    ticket = ordered[0].ticket
    assert ticket is not None
    as_of = ordered[-1].at + timedelta(minutes=1)

    def clocks_only() -> None:
        evaluate_ticket(context, ticket, ordered, as_of)

    def with_charges() -> None:
        evaluate(context, ordered, as_of).to_json()

    def timed(call: Callable[[], None]) -> float:
        call()  # warm the matcher's shape cache
        best = math.inf
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(repeat):
                call()
            best = min(best, (time.perf_counter() - started) / repeat)
        return best

    result = evaluate_ticket(context, ticket, ordered, as_of)
    return {
        "events": len(ordered),
        "clocks": len(result.clocks),
        "cycles": len(result.walk.cycles),
        "evaluate_ticket_ms": rounded(timed(clocks_only) * 1000),
        "evaluate_with_charges_and_json_ms": rounded(timed(with_charges) * 1000),
        "note": "best of 3 runs of the mean over --reevaluate-repeat calls",
    }
