"""The streamed report: the document ``slaengine replay`` writes ticket by ticket is the report.

The streamed writer (slaengine.replay) and ``Report.to_json`` must give the same document, key
for key and in the same order, for a whole month of the example tender and for a contract whose
service credit measures every clock (so pricing keeps those clocks); JSON Lines carries the same
records; the command writes the stream; the cyclic collector is back on afterwards.
"""

from __future__ import annotations

import gc
import io
import subprocess
import sys
from datetime import timedelta
from typing import Any

import orjson
import pytest

from slaengine.bundled import demo_events, example_contract
from slaengine.contract import load_contract
from slaengine.errors import EventError
from slaengine.evaluate import Context, evaluate
from slaengine.events import Intake, parse_time
from slaengine.replay import JSONL, cyclic_gc_paused, write_report
from tests.tender import t
from tests.test_penalties import SERVICE_CREDIT, answers, small

AS_OF = "2026-11-01T00:00:00+08:00"


def demo_intake() -> Intake:
    intake = Intake(load_contract(example_contract()))
    with demo_events().open("rb") as lines:
        intake.read(lines)
    return intake


def streamed(intake: Intake, fmt: str = "json") -> tuple[bytes, Any]:
    out = io.BytesIO()
    report = write_report(
        out,
        Context(intake.contract),
        intake.events,
        parse_time(AS_OF),
        intake.rejected,
        intake.duplicates,
        fmt,
    )
    return out.getvalue(), report


def test_the_streamed_document_is_the_report_key_for_key() -> None:
    intake = demo_intake()
    text, kept = streamed(intake)
    whole = evaluate(
        intake.contract, intake.events, parse_time(AS_OF), intake.rejected, intake.duplicates
    )
    expected = whole.to_json()
    document = orjson.loads(text)
    assert document == expected
    assert list(document) == list(expected)
    # The demo has breaches, money, rejected lines and force majeure: the tail is not empty.
    assert document["breaches"] and document["penalties"] and document["rejected"]
    assert document["excused"] and document["summary"]["clocks"] == len(whole.clocks)
    # What the writer kept for pricing: the breaches, not every clock.
    assert len(kept.clocks) == len(whole.breaches) < len(whole.clocks)
    assert kept.charges.totals() == whole.charges.totals()


def test_a_service_credit_keeps_every_clock_it_measures() -> None:
    contract = small(SERVICE_CREDIT, accepted="2026-01-01")
    calls = [(f"2026-02-{d:02d} 10:00", 4 if d <= 2 else 2) for d in range(1, 21)]
    events = answers(contract, *calls).events()
    out = io.BytesIO()
    as_of = t("2026-03-02 00:00")
    kept = write_report(out, Context(contract), events, as_of)
    whole = evaluate(contract, events, as_of)
    assert orjson.loads(out.getvalue()) == whole.to_json()
    assert (
        [line.amount for line in kept.charges.penalties]
        == [line.amount for line in whole.charges.penalties]
        != []
    )
    assert len(kept.clocks) == len(whole.clocks) == 20  # all measured, met ones too


def test_json_lines_carry_the_same_records_and_end_with_the_summary() -> None:
    intake = demo_intake()
    text, _ = streamed(intake, JSONL)
    records = [orjson.loads(line) for line in text.splitlines()]
    expected = evaluate(
        intake.contract, intake.events, parse_time(AS_OF), intake.rejected, intake.duplicates
    )
    document = expected.to_json()
    kinds = [record.pop("record") for record in records]
    assert kinds[0] == "report" and kinds[-2:] == ["totals", "summary"]
    assert records[0] == {k: document[k] for k in ("contract", "version", "as_of", "currency")}
    assert [r for k, r in zip(kinds, records, strict=True) if k == "clock"] == document["clocks"]
    assert [r for k, r in zip(kinds, records, strict=True) if k == "breach"] == document["breaches"]
    assert [r for k, r in zip(kinds, records, strict=True) if k == "penalty"] == document[
        "penalties"
    ]
    assert records[-2] == document["totals"] and records[-1] == document["summary"]


def test_the_command_streams_json_and_json_lines() -> None:
    results = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "slaengine",
                "replay",
                str(example_contract()),
                str(demo_events()),
                "--as-of",
                AS_OF,
                "-f",
                fmt,
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        for fmt in ("json", "jsonl")
    ]
    for result in results:
        assert result.returncode == 0, result.stderr
        assert b"4 event(s) rejected" in result.stderr
    document = orjson.loads(results[0].stdout)
    lines = results[1].stdout.splitlines()
    assert len(lines) == 1 + sum(len(v) for v in document.values() if isinstance(v, list)) + 2
    assert orjson.loads(lines[-1]) == {"record": "summary", **document["summary"]}


def test_an_offset_with_seconds_is_not_rfc3339() -> None:
    with pytest.raises(EventError, match="offset with seconds"):
        parse_time("2026-03-02T09:00:00+08:05:43")
    assert parse_time("2026-03-02T09:00:00+05:45").utcoffset() == timedelta(hours=5, minutes=45)


def test_the_cyclic_collector_is_paused_only_inside() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failing replay still switches it back on")
    assert gc.isenabled()
