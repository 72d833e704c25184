"""One interface: every command names its arguments, reads its store and says what happened the
same way (issue 13). The real command as a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slaengine.bundled import demo_events, example_contract

EXAMPLE = str(example_contract())
AS_OF = "2026-03-02T12:00:00+08:00"
REPORTED = {"id": "a", "contract": "HT-2026-017", "ticket": "T-9", "type": "reported",
            "severity": "general", "at": "2026-03-02T09:00:00+08:00"}  # fmt: skip


def run(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SLAENGINE_DB"}
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env=environment,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


COMMANDS = [
    (),
    ("contract",),
    ("contract", "validate"), ("contract", "show"), ("contract", "load"), ("replay",),
    ("statement",), ("warranty",), ("ingest",), ("serve",), ("judge",), ("import",), ("backtest",),
    ("demo",), ("rejudge",), ("dispute",), ("dispute", "file"), ("dispute", "list"),
    ("dispute", "show"), ("dispute", "decide"),
]  # fmt: skip


def test_help_is_the_same_everywhere_h_works_and_arguments_are_upper_case_nouns() -> None:
    # In-process (the real typer app, no subprocess per command): a dozen help pages in a second.
    from typer.testing import CliRunner

    from slaengine.cli.main import app

    runner = CliRunner()
    assert (
        runner.invoke(app, ["replay", "-h"]).output
        == runner.invoke(app, ["replay", "--help"]).output
    )
    assert "Usage: slaengine [OPTIONS] COMMAND" in run("-h").stdout  # and as a user runs it
    for command in COMMANDS:
        short = runner.invoke(app, [*command, "-h"], terminal_width=80)
        assert short.exit_code == 0, command
        text = short.output
        assert "<bool>" not in text and "[[" not in text, (command, text)
        # No description cut mid-sentence (the usage line's "[ARGS]..." aside).
        assert "..." not in text.split("\n", 1)[1], (command, text)
        usage = text.splitlines()[0]
        # Arguments: {REQUIRED} or [OPTIONAL], upper case; the contract file is CONTRACT.
        for word in usage.split()[2 + len(command) :]:
            if word.startswith(("{", "[")) and word not in ("[OPTIONS]",):
                assert word.strip("{}[]").isupper(), (command, usage)
        if command in (("contract", "validate"), ("replay",), ("statement",), ("backtest",)):
            assert "{CONTRACT}" in usage, usage
    # Help text is not broken mid-sentence: a command's description reads whole.
    text = runner.invoke(app, ["statement", "-h"], terminal_width=80).output
    assert "The billing statement of a period. Every penalty and compensation line with its" in (
        " ".join(text.split())
    )


def test_replay_and_statement_read_the_store_from_slaengine_db(tmp_path: Path) -> None:
    # The store filled in-process (the commands under test are the readers, run as a user would).
    from slaengine.clock import SystemClock
    from slaengine.store import Store

    db = f"sqlite:///{tmp_path / 'demo.db'}"
    store = Store.open(db, SystemClock())
    try:
        store.load_contract(Path(EXAMPLE).read_text(encoding="utf-8"), Path(EXAMPLE))
        with demo_events().open("rb") as lines:
            store.add_events(enumerate(lines, start=1), "demo-month.jsonl", raw=True)
    finally:
        store.close()
    env = {"SLAENGINE_DB": db}
    replay = run("replay", EXAMPLE, "--as-of", "2026-11-01T00:00:00+08:00", "-f", "json", env=env)
    assert replay.returncode == 0, replay.stderr
    assert json.loads(replay.stdout)["totals"]["penalties"] == "27140.00"
    assert f"read from store {db}: 311 accepted" in replay.stderr
    statement = run("statement", EXAMPLE, "--period", "2026-10", "--as-of",
                    "2026-11-01T00:00:00+08:00", "-f", "json", env=env)  # fmt: skip
    assert statement.returncode == 0 and json.loads(statement.stdout)["totals"]["penalties"]
    # A file given as EVENTS wins over the environment (as a file argument should).
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = run("replay", EXAMPLE, str(empty), env=env)
    assert result.returncode == 0 and "no events for contract HT-2026-017 in" in result.stderr
    assert f"read from store {db}" not in result.stderr
    # A store that is not there is not created by reading it.
    result = run("replay", EXAMPLE, env={"SLAENGINE_DB": f"sqlite:///{tmp_path / 'typo.db'}"})
    assert result.returncode == 2 and "no such store" in result.stderr
    assert not (tmp_path / "typo.db").exists()
    # Neither: a sentence that says both ways.
    result = run("replay", EXAMPLE)
    assert result.returncode == 2 and "SLAENGINE_DB" in result.stderr


def test_nothing_useful_is_said_and_exits_1(tmp_path: Path) -> None:
    # No events at all is a time where nothing happened: judged (exit 0), with a note.
    result = run("replay", EXAMPLE, "-", "--as-of", "2026-01-20T00:00:00+08:00", stdin="")
    assert result.returncode == 0, result.stderr
    assert "no events for contract HT-2026-017 in standard input" in result.stderr
    assert "did the command before the pipe fail?" in result.stderr
    other = [{**REPORTED, "id": f"x{n}", "contract": "HD-BACKTEST"} for n in range(30)]
    stream = "\n".join(json.dumps(x) for x in other) + "\n"
    for command in (("replay", EXAMPLE, "-"), ("statement", EXAMPLE, "-", "--period", "2026-03")):
        result = run(*command, stdin=stream)
        assert result.returncode == 1, result.stderr
        assert "none of the 30 event(s) in standard input was accepted" in result.stderr
        assert "30 × contract: 'HD-BACKTEST' is not this contract" in result.stderr
        assert "(first at line 1)" in result.stderr and result.stdout == ""
    result = run("backtest", EXAMPLE, "-", stdin=stream)
    assert result.returncode == 1 and "every event was rejected" in result.stderr
    # ingest into a store that holds no contract: nothing can be stored.
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(REPORTED) + "\n")
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = run("ingest", str(events), "--db", db)
    assert result.returncode == 1
    assert "holds no contract" in result.stderr and "slaengine contract load" in result.stderr
    # An export of which no event comes (here: a header and no rows).
    export = tmp_path / "export.csv"
    sample = Path(EXAMPLE).parents[1] / "examples" / "helpdesk-sample.csv"
    export.write_text(sample.read_text(encoding="utf-8").splitlines()[0] + "\n")
    mapping = str(Path(EXAMPLE).parents[1] / "mappings" / "helpdesk.yaml")
    result = run("import", str(export), "-m", mapping, "-o", str(tmp_path / "none.jsonl"))
    assert result.returncode == 1 and "no events came of" in result.stderr


def test_a_byte_order_mark_does_not_cost_line_1_and_a_missing_at_is_required() -> None:
    stream = "\ufeff" + json.dumps(REPORTED) + "\n" + json.dumps(REPORTED)
    missing_at = {k: v for k, v in REPORTED.items() if k != "at"} | {"id": "c"}
    stream += "\n" + json.dumps(missing_at) + "\n"
    result = run("replay", EXAMPLE, "-", "--as-of", AS_OF, "-f", "json", stdin=stream)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["line"] for r in report["rejected"]] == [3]
    assert report["rejected"][0]["error"] == "at: missing (required)"
    assert "3 event(s) read from standard input: 1 accepted, 1 rejected, 1 duplicate(s)" in (
        result.stderr
    )


def test_contract_show_prints_attribute_conditions_and_validate_warns_of_cancelled(
    tmp_path: Path,
) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text(
        "id: C-2\ncurrency: CNY\ntimezone: Asia/Shanghai\n"
        "severities: {general: {en: General}}\nevent_types: [status_changed]\n"
        "calendars: {always: {kind: 24x7}}\ncommitments:\n"
        "  - id: visit\n    start: reported\n    stop: arrived\n"
        "    cancel: [resolved, cancelled]\n"
        "    pause: {type: status_changed, attrs: {status: waiting}}\n"
        "    resume: {type: status_changed, attrs: {status: working}}\n"
        "    target: 30m\n    calendar: always\n"
    )
    shown = run("contract", "show", str(contract))
    assert shown.returncode == 0, shown.stderr
    assert "status_changed(attrs.status=waiting)" in shown.stdout
    assert "status_changed(attrs.status=working)" in shown.stdout
    checked = run("contract", "validate", str(contract))
    # the line is wrapped at the terminal's width, wherever the temporary path ends it
    assert checked.returncode == 0 and "1 warning(s)" in " ".join(checked.stdout.split())
    assert f"warning: {contract}:11: commitments.0.cancel: lists the built-in 'cancelled'" in (
        " ".join(checked.stderr.split())
    )
    assert "Warning" not in run("contract", "validate", EXAMPLE).stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_period_reads_the_same_in_reports_statements_and_alerts(lang: str) -> None:
    from datetime import datetime, timedelta, timezone

    from slaengine.alerts.messages import render
    from slaengine.alerts.model import Alert

    zone = timezone(timedelta(hours=8))
    alert = Alert(
        kind="obligation_missed",
        contract="HT-2026-017",
        obligation="inspection",
        at=datetime(2026, 4, 15, tzinfo=zone),
        details={
            "period_start": "2026-01-15T00:00:00+08:00",
            "period_end": "2026-04-15T00:00:00+08:00",
        },
    )
    expected = "2026-01-15至2026-04-14" if lang == "zh" else "2026-01-15 – 2026-04-14"
    assert expected in render(alert, lang).subject  # type: ignore[arg-type]
    if lang == "en":  # the report's obligations table writes the period the same way
        report = run("replay", EXAMPLE, str(demo_events()), "--as-of", "2026-11-01T00:00:00+08:00")
        assert "2026-01-15 – 2026-04-14" in report.stdout
