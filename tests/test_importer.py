"""Importing a ticketing export: every row becomes events, a deliberate skip, or a problem."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaengine.bundled import helpdesk_csv, helpdesk_missing
from slaengine.events import Intake
from slaengine.mapping import (
    ImportResult,
    Mapping,
    MappingError,
    import_csv,
    load_mapping,
    write_jsonl,
)
from slaengine.mapping.times import compile_format
from tests.tender import TENDER

REPO = Path(__file__).parents[1]
HELPDESK_MAPPING = REPO / "mappings" / "helpdesk.yaml"


def _helpdesk_csv() -> Path:
    """The real log, from SLAENGINE_HELPDESK_CSV; the test skips, saying so, without it."""
    path = helpdesk_csv()
    reason = helpdesk_missing(path)
    if reason is not None or path is None:
        pytest.skip(reason or "")
    return path


MAPPING = """\
contract: HT-2026-017
columns: {ticket: Case, time: When, activity: Activity, severity: Level}
time: {format: ["%Y/%m/%d %H:%M:%S", iso], timezone: Europe/Rome}
ticket_prefix: "HD-"
activities:
  Insert ticket: reported
  Assign seriousness: acknowledged
  Take in charge ticket: dispatched
  Resolve ticket: resolved
  Closed: null
pause_statuses: [Wait]
severity: {"1": general, "2": major, "4": emergency, "3": null}
attrs: {resource: Resource}
"""

HEADER = "Case,Activity,Resource,When,Level\n"


def _mapping(tmp_path: Path, text: str = MAPPING) -> Mapping:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


def _run(tmp_path: Path, body: str, mapping: str = MAPPING) -> ImportResult:
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(HEADER + body, encoding="utf-8")
    result = import_csv(csv_path, _mapping(tmp_path, mapping))
    _assert_accounted(result)
    return result


def _assert_accounted(result: ImportResult) -> None:
    """Every row is events, a deliberate skip, or a problem - never silently lost."""
    assert result.rows == result.mapped + sum(result.skipped.values()) + len(result.problems)
    assert len(result.events) == result.mapped + sum(result.derived.values())
    ids = [event["id"] for event in result.events]
    assert len(ids) == len(set(ids)), "event ids must be unique"


def _kinds(result: ImportResult, ticket: str = "HD-C1") -> list[tuple[str, str]]:
    return [(e["type"], e["at"]) for e in result.events if e["ticket"] == ticket]


# --- times --------------------------------------------------------------------------------------


def test_naive_times_get_the_zone_and_offsets_are_kept(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n"  # CET
        "C1,Assign seriousness,R1,2013/07/15 09:00:00,1\n"  # CEST
        "C1,Resolve ticket,R1,2013-07-15T10:00:00+08:00,1\n",  # written with its own offset
    )
    assert [at for _, at in _kinds(result)] == [
        "2013-01-15T09:00:00+01:00",
        "2013-07-15T10:00:00+08:00",  # 02:00Z: before 07:00Z, so sorted first
        "2013-07-15T09:00:00+02:00",
    ]
    assert result.problems == []


def test_repeated_hour_reads_as_the_earlier_one_by_default(tmp_path: Path) -> None:
    # 2013-10-27 02:30 happens twice in Europe/Rome: at 00:30Z (+02:00) and at 01:30Z (+01:00).
    body = "C1,Insert ticket,R1,2013/10/27 02:30:00,1\n"
    assert _kinds(_run(tmp_path, body)) == [("reported", "2013-10-27T02:30:00+02:00")]
    later = MAPPING.replace("timezone: Europe/Rome}", "timezone: Europe/Rome, ambiguous: later}")
    assert _kinds(_run(tmp_path, body, later)) == [("reported", "2013-10-27T02:30:00+01:00")]
    reject = MAPPING.replace("timezone: Europe/Rome}", "timezone: Europe/Rome, ambiguous: reject}")
    result = _run(tmp_path, body, reject)
    assert result.events == []
    assert result.problems[0].line == 2
    assert "occurs twice in Europe/Rome" in result.problems[0].error


def test_repeated_hour_sorts_by_instant(tmp_path: Path) -> None:
    """02:30 read as the later pass (+01:00) is after 02:50 of the earlier pass (+02:00)."""
    later = MAPPING.replace("timezone: Europe/Rome}", "timezone: Europe/Rome, ambiguous: later}")
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/10/27 02:30:00,1\n"
        "C1,Assign seriousness,R1,2013-10-27T02:50:00+02:00,1\n",
        later,
    )
    assert _kinds(result) == [
        ("reported", "2013-10-27T02:50:00+02:00"),  # derived: the first row is not a report
        ("acknowledged", "2013-10-27T02:50:00+02:00"),
        ("reported", "2013-10-27T02:30:00+01:00"),
    ]


def test_skipped_hour_moves_forward_or_is_rejected(tmp_path: Path) -> None:
    # 2013-03-31 02:30 never happens in Europe/Rome (02:00 -> 03:00).
    body = "C1,Insert ticket,R1,2013/03/31 02:30:00,1\n"
    assert _kinds(_run(tmp_path, body)) == [("reported", "2013-03-31T03:30:00+02:00")]
    reject = MAPPING.replace(
        "timezone: Europe/Rome}", "timezone: Europe/Rome, nonexistent: reject}"
    )
    result = _run(tmp_path, body, reject)
    assert "does not exist in Europe/Rome" in result.problems[0].error


def test_hours_next_to_a_change_keep_their_own_offsets(tmp_path: Path) -> None:
    """The per-hour offset cache must not carry an offset across a change."""
    result = _run(
        tmp_path,
        "C1,Take in charge ticket,R1,2013/10/27 01:59:59,1\n"
        "C1,Assign seriousness,R1,2013/10/27 03:00:00,1\n"
        "C1,Insert ticket,R1,2013/10/27 01:10:00,1\n"
        "C1,Resolve ticket,R1,2013/10/27 03:30:00,1\n",
    )
    assert [at for _, at in _kinds(result)] == [
        "2013-10-27T01:10:00+02:00",
        "2013-10-27T01:59:59+02:00",
        "2013-10-27T03:00:00+01:00",
        "2013-10-27T03:30:00+01:00",
    ]


def test_unreadable_time_says_what_format_was_expected(tmp_path: Path) -> None:
    result = _run(tmp_path, "C1,Insert ticket,R1,15.01.2013 09:00,1\n")
    (problem,) = result.problems
    assert problem.line == 2
    assert problem.ticket == "HD-C1"
    assert "does not match time.format '%Y/%m/%d %H:%M:%S' (e.g. 2026/03/02 09:05:07)" in (
        problem.error
    )


def test_a_time_outside_the_calendar_is_a_problem_of_its_row_not_a_crash(tmp_path: Path) -> None:
    """Times that parse but leave the years 1-9999 once in UTC, and Unix times past them."""
    body = (
        "C1,Insert ticket,R1,9999-12-31T23:59:59-14:00,1\n"
        "C2,Insert ticket,R1,0001-01-01 00:30:00,1\n"  # Europe/Rome: before year 1 in UTC
        "C3,Insert ticket,R1,2013/01/15 09:00:00,1\n"
    )
    result = _run(tmp_path, body)
    assert [(p.line, p.ticket) for p in result.problems] == [(2, "HD-C1"), (3, "HD-C2")]
    assert all("outside the years 1-9999" in p.error for p in result.problems)
    assert "in column 'When'" in result.problems[0].error
    assert [e["ticket"] for e in result.events] == ["HD-C3"]
    epoch = compile_format("epoch")
    for text in ("1e20", "inf", "nan", "-1e15"):
        with pytest.raises(ValueError, match="since 1970"):
            epoch(text)


def test_naive_time_without_a_zone_is_a_problem(tmp_path: Path) -> None:
    no_zone = MAPPING.replace(", timezone: Europe/Rome", "")
    result = _run(tmp_path, "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n", no_zone)
    assert "has no UTC offset and the mapping sets no time.timezone" in result.problems[0].error


FORMATS = [
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S%z",
    "%d.%m.%Y %H:%M",
    "%Y%m%d%H%M%S",
    "%m/%d/%Y  %H:%M:%S",
]


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    fmt=st.sampled_from(FORMATS),
)
def test_fast_format_reader_agrees_with_strptime(
    moment: datetime, offset_minutes: int, fmt: str
) -> None:
    text = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))).strftime(fmt)
    expected = datetime.strptime(text, fmt)
    got = compile_format(fmt)(text)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()
    assert got.replace(tzinfo=None) == expected.replace(tzinfo=None)


@pytest.mark.parametrize(
    "text", ["2013/1/5 9:07:03", "2013/01/05 09:07:03.5", "2013/13/05 09:07:03", "x", ""]
)
def test_fast_format_reader_accepts_and_refuses_what_strptime_does(text: str) -> None:
    fmt = "%Y/%m/%d %H:%M:%S.%f" if "." in text else "%Y/%m/%d %H:%M:%S"
    try:
        expected: datetime | None = datetime.strptime(text, fmt)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            compile_format(fmt)(text)
    else:
        assert compile_format(fmt)(text) == expected


# --- rows, order, events ------------------------------------------------------------------------


def test_rows_are_ordered_by_time_within_a_ticket_ties_keep_file_order(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C2,Insert ticket,R1,2013/01/15 08:00:00,1\n"
        "C1,Resolve ticket,R1,2013/01/15 11:00:00,1\n"
        "C1,Take in charge ticket,R1,2013/01/15 10:00:00,1\n"
        "C1,Assign seriousness,R1,2013/01/15 10:00:00,1\n"
        "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n",
    )
    assert [kind for kind, _ in _kinds(result)] == [
        "reported",
        "dispatched",  # same second as acknowledged, earlier in the file
        "acknowledged",
        "resolved",
    ]
    # tickets come in the order they first appear in the file
    assert result.events[0]["ticket"] == "HD-C2"


def test_first_row_that_is_not_a_report_gets_a_derived_report(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Assign seriousness,R1,2013/01/15 09:00:00,2\n"
        "C1,Resolve ticket,R1,2013/01/15 10:00:00,2\n",
    )
    first, second, _ = result.events
    assert first["type"] == "reported"
    assert first["at"] == second["at"] == "2013-01-15T09:00:00+01:00"
    assert first["severity"] == "major"
    assert "Assign seriousness" in first["attrs"]["derived"]
    assert second["type"] == "acknowledged"
    assert second["attrs"] == {"resource": "R1"}
    assert "severity" not in second  # severity only on reported / reclassified
    assert result.derived == {"reported": 1}

    off = MAPPING.replace("pause_statuses", "first_event_is_reported: false\npause_statuses")
    result = _run(tmp_path, "C1,Assign seriousness,R1,2013/01/15 09:00:00,2\n", off)
    assert [kind for kind, _ in _kinds(result)] == ["acknowledged"]


def test_wait_pauses_until_the_next_row_of_the_ticket(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n"
        "C1,Wait,R1,2013/01/15 09:10:00,1\n"
        "C2,Insert ticket,R1,2013/01/15 09:20:00,1\n"  # another ticket does not end the wait
        "C1,Wait,R1,2013/01/15 09:30:00,1\n"
        "C1,Take in charge ticket,R1,2013/01/15 10:00:00,1\n"
        "C1,Wait,R1,2013/01/15 11:00:00,1\n"
        "C1,Closed,R1,2013/01/15 12:00:00,1\n"  # a skipped row ends the wait too
        "C1,Wait,R1,2013/01/15 13:00:00,1\n",  # the last row: the ticket stays paused
    )
    assert [(kind, at[11:16]) for kind, at in _kinds(result)] == [
        ("reported", "09:00"),
        ("paused", "09:10"),
        ("resumed", "09:30"),
        ("paused", "09:30"),
        ("resumed", "10:00"),
        ("dispatched", "10:00"),
        ("paused", "11:00"),
        ("resumed", "12:00"),
        ("paused", "13:00"),
    ]
    assert result.skipped == {"Closed": 1}
    resumed = next(e for e in result.events if e["type"] == "resumed")
    assert resumed["attrs"] == {"derived": "the ticket's next row after 'Wait' ends the wait"}


def test_severity_change_becomes_reclassified(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/01/15 09:00:00,3\n"  # 3 = not assessed: states no severity
        "C1,Assign seriousness,R1,2013/01/15 09:05:00,2\n"  # the first assessment: major
        "C1,Take in charge ticket,R1,2013/01/15 09:10:00,4\n"  # raised: emergency
        "C1,Resolve ticket,R1,2013/01/15 10:00:00,4\n"
        "C1,Closed,R1,2013/01/20 10:00:00,1\n",  # a skipped row still tells its severity
    )
    events = [(e["type"], e.get("severity"), e["at"][11:16]) for e in result.events]
    assert events == [
        ("reported", "major", "09:00"),  # takes the ticket's first stated severity
        ("acknowledged", None, "09:05"),  # major already: no reclassification
        ("reclassified", "emergency", "09:10"),
        ("dispatched", None, "09:10"),
        ("resolved", None, "10:00"),
        ("reclassified", "general", "10:00"),
    ]
    assert result.derived == {"reclassified": 2}


def test_unknown_severity_value_and_ticket_without_any_severity(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/01/15 09:00:00,9\n"
        "C2,Insert ticket,R1,2013/01/15 09:00:00,3\n"
        "C2,Closed,R1,2013/01/15 09:30:00,\n",
    )
    assert result.events == []
    first, second, third = result.problems
    assert (first.line, first.ticket) == (2, "HD-C1")
    assert "severity value '9' in column 'Level' is not in the mapping's severity map" in (
        first.error
    )
    assert (second.line, third.line) == (3, 4)
    assert "no row of the ticket states a severity" in second.error


def test_unknown_activity_is_reported_with_its_line(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n"
        "C1,Escalate to Mars,R1,2013/01/15 09:05:00,1\n"
        ",Insert ticket,R1,2013/01/15 09:05:00,1\n"
        "C3,Insert ticket\n",
    )
    assert [(p.line, p.ticket) for p in result.problems] == [(3, "HD-C1"), (4, None), (5, None)]
    assert "unknown activity 'Escalate to Mars' in column 'Activity': add it under " in (
        result.problems[0].error
    )
    assert "no ticket id in column 'Case'" in result.problems[1].error
    assert "the row has 2 fields" in result.problems[2].error


def test_line_numbers_count_quoted_multi_line_fields(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        'C1,Insert ticket,"R1 wrote:\nline two\r\nline three",2013/01/15 09:00:00,1\n'
        "\n"  # a blank line is not a row, but it is a line
        "C1,Bogus,R1,2013/01/15 09:05:00,1\n"
        'C1,"Resolve\nticket",R1,2013/01/15 09:06:00,1\n'
        "C1,Bogus,R1,2013/01/15 09:07:00,1\n",
    )
    assert [p.line for p in result.problems] == [6, 7, 9]
    assert result.rows == 4
    assert result.events[0]["attrs"]["resource"] == "R1 wrote:\nline two\r\nline three"


def test_ids_are_deterministic_and_follow_content_not_lines(tmp_path: Path) -> None:
    body = (
        "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n"
        "C1,Take in charge ticket,R1,2013/01/15 09:10:00,1\n"
        "C1,Take in charge ticket,R2,2013/01/15 09:10:00,1\n"  # same type, same second
        "C1,Resolve ticket,R1,2013/01/15 10:00:00,1\n"
    )
    once = _run(tmp_path, body)
    again = _run(tmp_path, body)
    assert once.events == again.events
    assert [e["id"] for e in once.events] == [
        "HD-C1@2013-01-15T09:00:00+01:00#reported",
        "HD-C1@2013-01-15T09:10:00+01:00#dispatched",
        "HD-C1@2013-01-15T09:10:00+01:00#dispatched.2",
        "HD-C1@2013-01-15T10:00:00+01:00#resolved",
    ]
    # a later export with other rows before these gives the same ids to the same rows
    later = _run(tmp_path, "C9,Insert ticket,R1,2013/01/14 09:00:00,1\n" + body)
    assert {e["id"] for e in once.events} <= {e["id"] for e in later.events}


def test_contract_comes_from_the_mapping_or_the_caller(tmp_path: Path) -> None:
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(HEADER + "C1,Insert ticket,R1,2013/01/15 09:00:00,1\n", encoding="utf-8")
    mapping = _mapping(tmp_path)
    assert import_csv(csv_path, mapping).events[0]["contract"] == "HT-2026-017"
    assert import_csv(csv_path, mapping, contract="HT-X").events[0]["contract"] == "HT-X"
    without = _mapping(tmp_path, MAPPING.replace("contract: HT-2026-017\n", ""))
    with pytest.raises(MappingError, match="no contract id"):
        import_csv(csv_path, without)


def test_events_pass_the_intake_of_the_example_tender(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        "C1,Assign seriousness,R1,2013/01/15 09:00:00,1\n"
        "C1,Wait,R1,2013/01/15 09:10:00,1\n"
        "C1,Take in charge ticket,R1,2013/01/15 09:30:00,2\n"
        "C1,Resolve ticket,R1,2013/01/15 10:00:00,2\n",
    )
    out = io.StringIO()
    assert write_jsonl(result.events, out) == len(result.events) == 7
    intake = Intake(TENDER)
    for number, line in enumerate(out.getvalue().splitlines(), start=1):
        intake.offer_line(line, number)
    assert intake.rejected == []
    assert len(intake.events) == 7
    assert json.loads(out.getvalue().splitlines()[0])["type"] == "reported"


def test_progress_is_told_the_rows_read(tmp_path: Path) -> None:
    csv_path = tmp_path / "export.csv"
    rows = "".join(f"C{i},Insert ticket,R1,2013/01/15 09:00:00,1\n" for i in range(25_000))
    csv_path.write_text(HEADER + rows, encoding="utf-8")
    seen: list[int] = []
    import_csv(csv_path, _mapping(tmp_path), progress=seen.append)
    assert seen == [10_000, 20_000, 25_000]


# --- the mapping file ---------------------------------------------------------------------------


def _error(tmp_path: Path, text: str) -> MappingError:
    with pytest.raises(MappingError) as caught:
        _mapping(tmp_path, text)
    return caught.value


def test_bad_event_type_names_file_line_and_field(tmp_path: Path) -> None:
    error = _error(
        tmp_path, MAPPING.replace("Resolve ticket: resolved", "Resolve ticket: resovled")
    )
    assert error.line == 9
    assert error.field == "activities.Resolve ticket"
    assert str(error).startswith(f"{tmp_path / 'mapping.yaml'}:9: activities.Resolve ticket: ")
    assert "did you mean 'resolved'?" in str(error)


def test_every_mapping_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    text = MAPPING.replace("Europe/Rome", "Europe/Atlantis").replace(
        "ticket_prefix", "ticket_prefx"
    )
    text = text.replace("pause_statuses: [Wait]", "pause_statuses: [Closed]")
    error = _error(tmp_path, text)
    joined = "\n".join(error.problems)
    assert ":3: time.timezone: 'Europe/Atlantis' is not an IANA time zone" in joined
    assert ":4: ticket_prefx: unknown field; did you mean 'ticket_prefix'?" in joined
    assert len(error.problems) == 2  # the cross-field check runs once the shapes are valid
    error = _error(tmp_path, MAPPING.replace("pause_statuses: [Wait]", "pause_statuses: [Closed]"))
    assert ":11: pause_statuses.0: 'Closed' is also under activities" in str(error)


def test_missing_field_and_yaml_syntax(tmp_path: Path) -> None:
    error = _error(tmp_path, MAPPING.replace("activity: Activity, ", ""))
    assert ":2: columns.activity: this field is required (the column with the activity" in str(
        error
    )
    error = _error(tmp_path, "columns: {ticket: [\n")
    assert error.line is not None
    assert "not valid YAML" in str(error)
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping(tmp_path / "absent.yaml")


def test_column_missing_from_the_header_names_the_mapping_line(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, MAPPING.replace("time: When", "time: Time"))
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        import_csv(csv_path, mapping)
    assert caught.value.line == 2
    assert "no column 'Time' in the header" in str(caught.value)
    assert "'When'" in str(caught.value)


# --- the real help-desk log ---------------------------------------------------------------------


def test_helpdesk_mapping_covers_every_activity_of_the_real_log() -> None:
    path = _helpdesk_csv()
    mapping = load_mapping(HELPDESK_MAPPING)
    started = time.perf_counter()
    result = import_csv(path, mapping)
    seconds = time.perf_counter() - started
    _assert_accounted(result)
    assert result.rows == 21_348
    assert result.problems == []
    assert len({e["ticket"] for e in result.events}) == 4_580
    counts = Counter(e["type"] for e in result.events)
    assert counts["reported"] == 4_580  # one per ticket, derived where the log has no insert
    assert counts["paused"] == 1_463
    assert result.skipped["Closed"] == 4_574
    assert seconds < 10, f"importing 21,348 rows took {seconds:.1f} s"
    intake = Intake(TENDER)
    for event in result.events:
        intake.offer(event)
    assert intake.rejected == []
    assert all(e["at"].endswith(("+01:00", "+02:00")) for e in result.events)
    assert all(datetime.fromisoformat(e["at"]).astimezone(UTC).year >= 2010 for e in result.events)


def test_the_documented_import_path_of_before_still_works(tmp_path: Path) -> None:
    """docs/import.md once named ``slaengine.importer``: code written against it still runs,
    on the engine's own objects (slaengine.mapping), not on a copy."""
    import slaengine.importer as before
    import slaengine.mapping as engine

    for name in before.__all__:
        assert getattr(before, name) is getattr(engine, name), name
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(HEADER + "C1,Insert ticket,R,2026/03/02 09:00:00,1\n", encoding="utf-8")
    mapping_path = tmp_path / "mapping.yaml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    result = before.import_csv(csv_path, before.load_mapping(mapping_path))
    assert [event["type"] for event in result.events] == ["reported"]
