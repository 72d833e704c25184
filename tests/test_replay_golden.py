"""Speed work must not change a result: the replay equals a stored golden report.

The fixtures in tests/fixtures/replay_golden were written by the replay as it was before the
round-3 speed work (commit 235f86c), for the example tender: the demo month, and a generated
stream of 3,000 events (bench/synth.py's ``stream(3000)``, stored beside them so a change to the
generator cannot move the target) judged after its end and half-way through (running and paused
clocks), as one JSON document and as JSON Lines. Byte for byte: clocks, breaches, penalty
lines, caps, measures, totals and summary, in the same order. The generated stream's reports
were written again once, when tickets came to be listed in natural order (issue 26: S-2 before
S-10); the rows were checked to be the same as before, only their order changed.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from slaengine.bundled import demo_events, example_contract
from slaengine.contract import load_contract
from slaengine.evaluate import Context
from slaengine.events import Intake, parse_time
from slaengine.replay import JSONL, write_report

GOLDEN = Path(__file__).parent / "fixtures" / "replay_golden"


def replay(lines: list[bytes], as_of: str, fmt: str) -> bytes:
    contract = load_contract(example_contract())
    intake = Intake(contract)
    for number, text in enumerate(lines, start=1):
        intake.offer_line(text, number)
    out = io.BytesIO()
    write_report(
        out,
        Context(contract),
        intake.events,
        parse_time(as_of),
        intake.rejected,
        intake.duplicates,
        fmt,
    )
    return out.getvalue()


def demo() -> list[bytes]:
    return demo_events().read_bytes().splitlines(keepends=True)


def generated() -> list[bytes]:
    return gzip.decompress((GOLDEN / "synth-events.jsonl.gz").read_bytes()).splitlines(True)


@pytest.mark.parametrize(
    ("name", "events", "as_of", "fmt"),
    [
        ("demo-json", demo, "2026-11-01T00:00:00+08:00", "json"),
        ("demo-jsonl", demo, "2026-11-01T00:00:00+08:00", JSONL),
        ("synth-json", generated, "2026-03-09T00:00:00+08:00", "json"),
        ("synth-jsonl", generated, "2026-03-09T00:00:00+08:00", JSONL),
        ("synth-mid-json", generated, "2026-03-02T20:00:00+08:00", "json"),
    ],
)
def test_the_replay_equals_the_golden_report(
    name: str, events: object, as_of: str, fmt: str
) -> None:
    expected = gzip.decompress((GOLDEN / f"{name}.gz").read_bytes())
    assert callable(events)
    assert replay(events(), as_of, fmt) == expected


def test_the_golden_reports_price_and_measure() -> None:
    """The fixtures exercise pricing and measures, so the equality above covers them."""
    import orjson

    report = orjson.loads(gzip.decompress((GOLDEN / "synth-json.gz").read_bytes()))
    assert report["penalties"] and report["measures"]
    assert report["summary"]["clocks_breached"] > 0
