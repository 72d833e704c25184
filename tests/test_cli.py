"""The real `slaengine` command, run as a subprocess as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from slaengine.bundled import demo_events, example_contract

EXAMPLE = str(example_contract())


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_fills_a_sqlite_store_and_shows_the_month(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The verdict first: who owes what, the supplier named, the money.
    head = " ".join(result.stdout.split("Money by clause")[0].split())
    assert "Supplier: Huadong Electromechanical Equipment Co., Ltd." in head
    assert "owes CNY 30640.00: penalties 27140.00 + compensation 3500.00" in head
    assert "36 breaches on 26 of 42 tickets" in head
    for needle in ("On time by commitment", "Every breach", "T-FACTORY-2", "factory-repair-3d",
                   "open breach", "typhoon", "Refused input: 4 line(s)", "They are deliberate",
                   "slaengine statement"):  # fmt: skip
        assert needle in result.stdout, needle
    # 80 columns (a CJK character takes two); only a path as long as the checkout's may not.
    widths = [
        sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        for line in result.stdout.splitlines()
        if EXAMPLE not in line
    ]
    assert max(widths) <= 80
    assert (tmp_path / "slaengine-demo.db").is_file()
    assert "stored in sqlite:///slaengine-demo.db: 311 events, 4 rejected" in result.stderr
    # The store holds what the file holds: replaying either gives the same clocks and money.
    as_of = "2026-11-01T00:00:00+08:00"
    from_db = run("replay", EXAMPLE, "--db", "sqlite:///slaengine-demo.db", "--as-of", as_of,
                  "-f", "json", cwd=tmp_path)  # fmt: skip
    from_file = run("replay", EXAMPLE, str(demo_events()), "--as-of", as_of, "-f", "json")
    db_report, file_report = json.loads(from_db.stdout), json.loads(from_file.stdout)
    assert db_report["clocks"] == file_report["clocks"]
    assert db_report["totals"] == file_report["totals"]
    statement = run("statement", EXAMPLE, "--db", "sqlite:///slaengine-demo.db", "--period",
                    "2026-10", "--as-of", as_of, "-f", "json", cwd=tmp_path)  # fmt: skip
    assert statement.returncode == 0, statement.stderr
    assert json.loads(statement.stdout)["totals"]["penalties"] == "27140.00"


def test_events_come_from_a_file_or_a_store_not_both() -> None:
    result = run("replay", EXAMPLE, "-", "--db", "sqlite:///x.db", stdin="")
    assert result.returncode == 2
    assert "one of the two" in result.stderr


def test_replay_json_from_stdin(tmp_path: Path) -> None:
    lines = [
        {
            "id": "a",
            "contract": "HT-2026-017",
            "ticket": "T-9",
            "type": "reported",
            "severity": "general",
            "at": "2026-03-02T09:00:00+08:00",
        },
        {
            "id": "b",
            "contract": "HT-2026-017",
            "ticket": "T-9",
            "type": "acknowledged",
            "at": "2026-03-02T01:04:00Z",
        },
    ]
    stream = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    result = run(
        "replay", EXAMPLE, "-", "--as-of", "2026-03-02T09:10:00+08:00", "-f", "json", stdin=stream
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    ack = next(c for c in report["clocks"] if c["commitment"] == "ack-3min")
    assert (ack["status"], ack["late_by_seconds"]) == ("breached", 60)
    (rejected,) = report["rejected"]
    assert (rejected["line"], rejected["raw"]) == (3, "not json")
    assert rejected["error"].startswith("not valid JSON: ")
    assert rejected["error"].endswith("(column 1)")
    assert "3 event(s) read from standard input: 2 accepted, 1 rejected" in result.stderr


def test_bad_contract_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(EXAMPLE).read_text(encoding="utf-8").replace("target: 3m", "target: 3"))
    result = run("contract", "validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:" in result.stderr
    assert "commitments.0.target" in result.stderr


def test_bad_as_of_and_missing_files() -> None:
    result = run("replay", EXAMPLE, "nope.jsonl")
    assert result.returncode == 2 and "nope.jsonl: no such events file" in result.stderr
    result = run("replay", EXAMPLE, "-", "--as-of", "2026-03-02 09:00", stdin="")
    assert result.returncode == 2 and "has no UTC offset" in result.stderr
    assert "Traceback" not in result.stderr


def test_contract_show_lists_commitments() -> None:
    result = run("contract", "show", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "onsite-30min" in result.stdout and "30分钟内到达现场" in result.stdout


def test_a_line_that_is_not_utf8_is_rejected_and_the_stream_goes_on(tmp_path: Path) -> None:
    good = {"id": "a", "contract": "HT-2026-017", "ticket": "T-9", "type": "reported",
            "severity": "general", "at": "2026-03-02T09:00:00+08:00"}  # fmt: skip
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "x\xff\xfe"}\n' + json.dumps(good).encode() + b"\n")
    result = run("replay", EXAMPLE, str(path), "--as-of", "2026-03-02T09:10:00+08:00", "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["line"] for r in report["rejected"]] == [1]
    assert report["rejected"][0]["error"].startswith("not UTF-8 text")
    assert report["summary"]["events"] == 1
