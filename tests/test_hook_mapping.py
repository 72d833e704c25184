"""The mapping engine's webhook shape, without a server: the four shipped mappings over a ticket's
life, the vocabulary shared with CSV mappings, and payloads it must refuse (naming the field)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.events import Intake
from slaengine.mapping import MappingError, import_csv, load_any, load_mapping
from slaengine.mapping.webhook import (
    HookMapping,
    PayloadError,
    after_holds,
    load_hook_mapping,
    map_payload,
)
from tests.hook_payloads import (
    AFTER_CLOSE,
    LIVES,
    NUMBERS,
    SYSTEMS,
    expected,
    glpi_life,
    jira_life,
)

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "mappings"
TENDER = load_contract(ROOT / "contracts" / "example-tender.yaml")
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
AS_OF = datetime(2026, 3, 3, tzinfo=UTC)
SLAENGINE = str(Path(sys.executable).with_name("slaengine"))


def _mapping(system: str) -> HookMapping:
    return load_hook_mapping(MAPPINGS / f"{system}-webhook.yaml")


def _mapped(
    system: str, deliveries: list[tuple[dict[str, str], dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The events the deliveries become, in order, with the service's ``after:`` check against
    what the earlier deliveries stored (as POST /hooks does against its store)."""
    mapping = _mapping(system)
    events: list[dict[str, Any]] = []
    for headers, body in deliveries:
        lowered = {key.lower(): value for key, value in headers.items()}
        result = map_payload(mapping, body, lowered)
        for event in result.events:
            if event["id"] in result.after:
                after, own = result.after[event["id"]]
                history = [
                    (datetime.fromisoformat(e["at"]), n, e["type"]) for n, e in enumerate(events)
                ]
                if not after_holds(after, own, datetime.fromisoformat(event["at"]), history):
                    continue
            events.append(event)
    return events


def _clocks(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    intake = Intake(TENDER)
    for item in events:
        intake.offer(item)
    assert intake.rejected == [], intake.rejected
    report = evaluate(TENDER, intake.events, AS_OF).to_json()
    return sorted(
        (
            c["commitment"],
            c.get("cycle"),
            c["status"],
            _instant(c["started_at"]),
            _instant(c["deadline"]),
            _instant(c.get("stopped_at")),
            c.get("late_by_seconds"),
        )
        for c in report["clocks"]
    )


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_tickets_life_as_webhooks_gives_the_clocks_of_its_events(system: str) -> None:
    """Each shipped mapping over the system's own deliveries judges like the events a person
    would write for the same life (extra no-change events - a second ``resumed`` - included)."""
    number = NUMBERS[system]
    events = _mapped(system, LIVES[system](number, T0))
    assert {e["ticket"] for e in events} == {number}
    hand = expected(system, number, T0)
    assert _clocks(events) == _clocks(hand)
    wanted = {(e["type"], datetime.fromisoformat(e["at"])) for e in hand}
    got = {(e["type"], datetime.fromisoformat(e["at"])) for e in events}
    assert wanted <= got, wanted - got
    # written in the tender's zone, and the same life twice is the same events
    assert all(e["at"].endswith("+08:00") for e in events)
    assert _mapped(system, LIVES[system](number, T0)) == events


@pytest.mark.parametrize("system", SYSTEMS)
def test_deliveries_in_any_order_judge_the_same(system: str) -> None:
    deliveries = LIVES[system](NUMBERS[system], T0)
    forward = _mapped(system, deliveries)
    # A reopen known only from the stored history comes after the close it reopens.
    last = deliveries[-1:] if system in AFTER_CLOSE else []
    backward = _mapped(system, list(reversed(deliveries[: len(deliveries) - len(last)])) + last)
    assert sorted(e["id"] for e in forward) == sorted(e["id"] for e in backward)
    assert _clocks(backward) == _clocks(forward)


def test_internal_notes_and_private_comments_are_not_replies() -> None:
    jira_internal = jira_life("SUP-1", T0)[1][1]
    assert jira_internal["comment"]["jsdPublic"] is False
    result = map_payload(_mapping("jira"), jira_internal)
    assert result.events == []
    assert result.notes == ["no rule of the mapping matched this payload"]
    glpi_private = glpi_life("5", T0)[1][1]
    assert map_payload(_mapping("glpi"), glpi_private).events == []
    customer = json.loads(json.dumps(jira_life("SUP-1", T0)[2][1]))
    customer["comment"]["author"]["accountType"] = "customer"  # a portal customer's comment
    assert map_payload(_mapping("jira"), customer).events == []


def test_event_ids_say_what_happened_so_redelivery_is_the_same_event() -> None:
    update = jira_life("SUP-9", T0)[4][1]
    once = map_payload(_mapping("jira"), update).events
    assert [e["id"] for e in once] == ["SUP-9@2026-03-02T09:10:00+08:00#paused"]
    assert map_payload(_mapping("jira"), json.loads(json.dumps(update))).events == once


def test_a_webhook_and_a_csv_import_of_the_same_history_give_the_same_events(
    tmp_path: Path,
) -> None:
    """The Jira life, exported as CSV (one row per status change, local times) and imported with
    a CSV mapping writing times in the same zone, gives the webhook's own events, ids and all."""
    hooks = [e for e in _mapped("jira", jira_life("SUP-7", T0)) if e["type"] != "acknowledged"]
    assert [e["type"] for e in hooks][-1] == "reopened"
    rows = ["Key,When,Status,Priority"]
    for item in hooks:
        local = datetime.fromisoformat(item["at"]).strftime("%Y-%m-%d %H:%M:%S")
        severity = item.get("severity", "")
        rows.append(f"SUP-7,{local},{item['type']},{severity}")
    export = tmp_path / "jira.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "jira-csv.yaml"
    mapping.write_text(
        "contract: HT-2026-017\n"
        "columns: {ticket: Key, time: When, activity: Status, severity: Priority}\n"
        "time: {format: '%Y-%m-%d %H:%M:%S', timezone: Asia/Shanghai, write_in: Asia/Shanghai}\n"
        "activities: {reported: reported, dispatched: dispatched, paused: paused,"
        " resumed: resumed, reclassified: reclassified, resolved: resolved, reopened: reopened}\n",
        encoding="utf-8",
    )
    imported = import_csv(export, load_mapping(mapping))
    assert imported.problems == []
    assert imported.events == hooks


def test_write_in_converts_times_that_carry_an_offset(tmp_path: Path) -> None:
    export = tmp_path / "x.csv"
    export.write_text("T,At,A\nC1,2026-03-02T01:00:00Z,reported\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "contract: X\ncolumns: {ticket: T, time: At, activity: A}\n"
        "time: {write_in: Asia/Shanghai}\nactivities: {reported: reported}\n",
        encoding="utf-8",
    )
    assert import_csv(export, load_mapping(mapping)).events[0]["at"] == "2026-03-02T09:00:00+08:00"


def test_a_payload_of_another_shape_is_refused_naming_the_field() -> None:
    zammad = LIVES["zammad"]("31001", T0)[0][1]
    with pytest.raises(PayloadError) as caught:
        map_payload(_mapping("jira"), zammad)
    assert caught.value.path == "issue.key"
    assert "missing" in caught.value.error and "article, ticket" in caught.value.error
    with pytest.raises(PayloadError) as listed:
        map_payload(_mapping("glpi"), [1, 2])
    assert "not an object" in str(listed.value)


def test_an_unexpected_value_is_refused_naming_the_field_and_the_known_values() -> None:
    created = json.loads(json.dumps(jira_life("SUP-3", T0)[0][1]))
    created["issue"]["fields"]["priority"]["name"] = "Blocker"
    with pytest.raises(PayloadError) as caught:
        map_payload(_mapping("jira"), created)
    assert caught.value.path == "issue.fields.priority.name"
    assert "'Blocker'" in caught.value.error and "'Highest'" in caught.value.error


def test_an_unreadable_time_is_refused_naming_the_field() -> None:
    created = json.loads(json.dumps(jira_life("SUP-3", T0)[0][1]))
    created["issue"]["fields"]["created"] = "yesterday"
    with pytest.raises(PayloadError) as caught:
        map_payload(_mapping("jira"), created)
    assert caught.value.path == "issue.fields.created"
    assert "'yesterday'" in caught.value.error


def test_a_required_time_missing_is_refused() -> None:
    created = json.loads(json.dumps(jira_life("SUP-3", T0)[0][1]))
    del created["issue"]["fields"]["created"]
    with pytest.raises(PayloadError) as caught:
        map_payload(_mapping("jira"), created)
    assert caught.value.path == "issue.fields.created"


def test_a_milestone_not_yet_reached_is_a_note_not_an_error() -> None:
    created = LIVES["zammad"]("31001", T0)[0]
    result = map_payload(_mapping("zammad"), created[1], {"x-zammad-trigger": "slaengine created"})
    assert [e["type"] for e in result.events if e["id"] not in result.after] == ["reported"]
    # a reopen is only a candidate: the service keeps it if the ticket was resolved before
    assert list(result.after.values()) == [("resolved", "reopened")]
    assert any("first_response_at" in note for note in result.notes)


def test_glpi_naive_times_are_read_in_the_mapping_zone() -> None:
    body = glpi_life("812", T0)[0][1]
    body["item"]["date"] = "2026-03-02 09:00:00"
    (event,) = map_payload(_mapping("glpi"), body).events
    assert event["at"] == "2026-03-02T09:00:00+08:00"
    assert event["id"] == "812@2026-03-02T09:00:00+08:00#reported"


def test_the_shipped_mappings_load_and_name_their_secrets() -> None:
    secrets = {system: _mapping(system).auth for system in SYSTEMS}
    assert {name: auth.secret_env for name, auth in secrets.items() if auth} == {
        "zammad": "SLAENGINE_ZAMMAD_SECRET",
        "jira": "SLAENGINE_JIRA_SECRET",
        "glpi": "SLAENGINE_GLPI_SECRET",
        "servicenow": "SLAENGINE_SERVICENOW_TOKEN",
    }
    assert isinstance(
        load_any(MAPPINGS / "helpdesk.yaml"), type(load_mapping(MAPPINGS / "helpdesk.yaml"))
    )
    assert isinstance(load_any(MAPPINGS / "jira-webhook.yaml"), HookMapping)


def test_a_bad_mapping_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "shape: webhook\ncontract: X\nticket: a.b\nevents:\n  - type: replied\n    at: x\n"
        "  - type: reported\n    at: y\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        load_hook_mapping(path)
    assert f"{path}:5: events.0.type: 'replied' is not an event type" in str(caught.value)
    path.write_text(
        "shape: webhook\ncontract: X\nticket: a.b\nevents:\n  - type: reported\n    at: y\n"
        "    wen: {a: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as misspelt:
        load_hook_mapping(path)
    assert f"{path}:7: events.0.wen: unknown field; did you mean 'when'?" in str(misspelt.value)
    path.write_text(
        "shape: webhook\ncontract: X\nticket: []\nevents:\n"
        '  - {type: reported, at: a, when: {b: {present: "no"}}}\n',
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as unusable:
        load_hook_mapping(path)
    assert f"{path}:3: ticket: List should have at least 1 item" in str(unusable.value)
    assert "b: present is true or false, unquoted; got 'no'" in str(unusable.value)


def test_a_mapping_of_the_other_shape_is_named_as_such() -> None:
    """One language, two shapes: a CSV mapping given to a webhook (or the reverse) is told
    which it is and where it belongs, not listed field by field."""
    with pytest.raises(MappingError) as csv_given:
        load_hook_mapping(MAPPINGS / "helpdesk.yaml")
    assert len(csv_given.value.problems) == 1
    assert "shape: this is a CSV mapping" in str(csv_given.value)
    assert "slaengine import" in str(csv_given.value)
    with pytest.raises(MappingError) as hook_given:
        load_mapping(MAPPINGS / "jira-webhook.yaml")
    assert len(hook_given.value.problems) == 1
    assert "jira-webhook.yaml:7: shape: this is a webhook mapping" in str(hook_given.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff{}", "not UTF-8 text (byte 0)"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        (b"[" + b"9" * 5_000 + b"]", "digits"),
    ],
    ids=["not UTF-8", "nested deeply", "5,000 digits"],
)
def test_hook_try_refuses_a_body_the_service_refuses_without_a_traceback(
    tmp_path: Path, content: bytes, words: str
) -> None:
    payload = tmp_path / "body.json"
    payload.write_bytes(content)
    run = subprocess.run(
        [SLAENGINE, "hook", "try", str(MAPPINGS / "jira-webhook.yaml"), str(payload)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr[-500:]
    assert words in run.stderr


def test_hook_try_prints_the_events_or_why_none(tmp_path: Path) -> None:
    payload = tmp_path / "update.json"
    payload.write_text(json.dumps(jira_life("SUP-7", T0)[4][1]), encoding="utf-8")
    run = subprocess.run(
        [SLAENGINE, "hook", "try", str(MAPPINGS / "jira-webhook.yaml"), str(payload)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    (line,) = run.stdout.splitlines()
    assert json.loads(line)["type"] == "paused"
    assert "1 event" in run.stderr
    internal = tmp_path / "internal.json"
    internal.write_text(json.dumps(jira_life("SUP-7", T0)[1][1]), encoding="utf-8")
    none = subprocess.run(
        [SLAENGINE, "hook", "try", str(MAPPINGS / "jira-webhook.yaml"), str(internal)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert none.returncode == 1 and none.stdout == ""
    assert "no rule of the mapping matched" in none.stderr
    other = tmp_path / "other.json"
    other.write_text('{"ticket": {"number": "1"}}', encoding="utf-8")
    refused = subprocess.run(
        [SLAENGINE, "hook", "try", str(MAPPINGS / "jira-webhook.yaml"), str(other)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "issue.key: missing" in refused.stderr and "Traceback" not in refused.stderr
    zammad = tmp_path / "zammad.json"
    zammad.write_text(json.dumps(LIVES["zammad"]("31001", T0)[0][1]), encoding="utf-8")
    headed = subprocess.run(
        [
            SLAENGINE,
            "hook",
            "try",
            str(MAPPINGS / "zammad-webhook.yaml"),
            str(zammad),
            "--header",
            "X-Zammad-Trigger: slaengine created",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert headed.returncode == 0, headed.stderr
    assert json.loads(headed.stdout.splitlines()[0])["type"] == "reported"


def test_the_in_house_mapping_of_the_docs_works_as_written(tmp_path: Path) -> None:
    """docs/connectors.md builds a mapping from scratch: it loads and reads the bodies shown."""
    text = (ROOT / "docs" / "connectors.md").read_text(encoding="utf-8")
    section = text[text.index("## An in-house system") :]
    block = section[
        section.index("```yaml\n") + 8 : section.index("```", section.index("```yaml\n") + 8)
    ]
    path = tmp_path / "workorder.yaml"
    path.write_text(block, encoding="utf-8")
    mapping = load_hook_mapping(path)
    assert mapping.auth is not None and mapping.auth.secret_env == "SLAENGINE_WORKORDER_TOKEN"
    created = {
        "kind": "created",
        "ticket_no": "WO-2026-0815",
        "when": "2026/03/02 09:00:00",
        "status": {"old": None, "new": "报修"},
        "level": "重大",
        "site": "U1",
    }
    arrived = {
        **created,
        "kind": "status_changed",
        "when": "2026/03/02 09:05:07",
        "status": {"old": "接单", "new": "到场"},
    }
    back = {
        **created,
        "kind": "status_changed",
        "when": "2026/03/02 11:00:00",
        "status": {"old": "修复", "new": "处理中"},
    }
    (report,) = map_payload(mapping, created).events
    assert report == {
        "id": "WO-2026-0815@2026-03-02T09:00:00+08:00#reported",
        "contract": "HT-2026-017",
        "ticket": "WO-2026-0815",
        "type": "reported",
        "at": "2026-03-02T09:00:00+08:00",
        "severity": "major",
        "asset": "U1",
    }
    assert [e["type"] for e in map_payload(mapping, arrived).events] == ["arrived"]
    assert [e["type"] for e in map_payload(mapping, back).events] == ["reopened"]
