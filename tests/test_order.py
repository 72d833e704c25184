"""Events are applied in `at` order whatever order they arrive in (reference section 3)."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from slaengine.evaluate import evaluate
from slaengine.events import Intake
from tests.tender import TENDER, t

STEPS = [
    "acknowledged",
    "dispatched",
    "paused",
    "resumed",
    "arrived",
    "reclassified",
    "resolved",
    "report_submitted",
    "callback_done",
    "reopened",
    "cancelled",
    "sent_to_factory",
    "returned_from_factory",
    "cost_claimed",
    "plan_provided",
]


@st.composite
def streams(draw: st.DrawFn) -> list[dict[str, object]]:
    """Several tickets, each a random walk of events at strictly increasing times."""
    events: list[dict[str, object]] = []
    n = 0
    for ticket_no in range(draw(st.integers(1, 4))):
        ticket = f"T-{ticket_no}"
        at = t("2026-03-02 08:00") + timedelta(minutes=draw(st.integers(0, 600)))
        severities = st.sampled_from(["general", "major", "emergency"])
        n += 1
        events.append(
            {
                "id": f"e{n}",
                "contract": TENDER.id,
                "ticket": ticket,
                "type": "reported",
                "severity": draw(severities),
                "asset": "U1",
                "at": at.isoformat(),
            }
        )
        for kind in draw(st.lists(st.sampled_from(STEPS), max_size=12)):
            at += timedelta(seconds=draw(st.integers(1, 5400)))
            n += 1
            event: dict[str, object] = {
                "id": f"e{n}",
                "contract": TENDER.id,
                "ticket": ticket,
                "type": kind,
                "at": at.isoformat(),
            }
            if kind == "reclassified":
                event["severity"] = draw(severities)
            if kind == "cost_claimed":
                event["attrs"] = {"amount": "100.00"}
            events.append(event)
    if draw(st.booleans()):
        start = t("2026-03-02 08:00") + timedelta(minutes=draw(st.integers(0, 900)))
        events.append(
            {
                "id": "fm",
                "contract": TENDER.id,
                "type": "force_majeure",
                "at": start.isoformat(),
                "attrs": {"until": (start + timedelta(hours=2)).isoformat()},
            }
        )
    return events


def _report(raw: list[dict[str, object]]) -> str:
    intake = Intake(TENDER)
    for data in raw:
        intake.offer(data)
    report = evaluate(TENDER, intake.events, t("2026-03-04 12:00"))
    return json.dumps(report.to_json(), sort_keys=True)


@settings(max_examples=60, deadline=None)
@given(streams(), st.randoms(use_true_random=False))
def test_shuffling_the_stream_never_changes_the_report(raw, rnd):
    shuffled = list(raw)
    rnd.shuffle(shuffled)
    assert _report(shuffled) == _report(raw)


@settings(max_examples=30, deadline=None)
@given(streams())
def test_sending_everything_twice_changes_nothing(raw):
    assert _report(raw + raw) == _report(raw)
