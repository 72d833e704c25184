"""Intake: bad events are kept and reported, duplicates are no-ops, conflicts are rejected."""

from __future__ import annotations

import json

import pytest

from slaengine.events import Intake
from tests.tender import TENDER

GOOD = {
    "id": "e1",
    "contract": "HT-2026-017",
    "ticket": "T-1",
    "type": "reported",
    "severity": "general",
    "at": "2026-03-02T09:00:00+08:00",
}


def _line(**changes: object) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (_line(at="2026-03-02T09:00:00"), "has no UTC offset"),
        (_line(at="yesterday"), "is not an RFC 3339 timestamp"),
        (_line(contract="HT-OTHER"), "is not this contract"),
        (_line(severity="critical"), "severity: 'critical' is not one of"),
        (_line(severity=None), "severity: missing"),
        (_line(ticket=None), "ticket: missing"),
        (_line(type="teleported"), "type: 'teleported' is not an event type"),
        (_line(id=None), "id: missing"),
        (_line(attrs=[1]), "attrs: expected an object"),
        (_line(colour="red"), "unknown field(s) colour"),
        ('{"id": "e1", ', "not valid JSON"),
        ("[1, 2]", "an event is a JSON object"),
    ],
)
def test_bad_lines_are_rejected_with_line_and_reason(line: str, reason: str) -> None:
    intake = Intake(TENDER)
    intake.offer_line(_line(id="ok"), 1)
    intake.offer_line(line, 2)
    intake.offer_line(_line(id="ok2", ticket="T-2"), 3)
    assert [e.id for e in intake.events] == ["ok", "ok2"]  # the stream goes on
    assert len(intake.rejected) == 1
    assert intake.rejected[0].line == 2
    assert reason in intake.rejected[0].error


def test_same_id_same_content_is_a_no_op() -> None:
    intake = Intake(TENDER)
    intake.offer_line(_line(), 1)
    intake.offer_line(_line(), 2)
    assert len(intake.events) == 1
    assert intake.duplicates == 1
    assert intake.rejected == []


def test_same_id_other_content_is_a_conflict() -> None:
    intake = Intake(TENDER)
    intake.offer_line(_line(), 1)
    intake.offer_line(_line(at="2026-03-02T09:05:00+08:00"), 2)
    assert len(intake.events) == 1
    assert intake.rejected[0].id == "e1"
    assert "conflicting duplicate" in intake.rejected[0].error


def test_force_majeure_needs_an_end_after_its_start() -> None:
    intake = Intake(TENDER)
    intake.offer(
        {
            "id": "f",
            "contract": TENDER.id,
            "type": "force_majeure",
            "at": "2026-03-02T09:00:00+08:00",
            "attrs": {"until": "2026-03-02T08:00:00+08:00"},
        }
    )
    assert "must end after it starts" in intake.rejected[0].error


def test_utc_z_suffix_is_accepted() -> None:
    intake = Intake(TENDER)
    assert intake.offer_line(_line(at="2026-03-02T01:00:00Z"), 1) is not None
