"""A newcomer's first hour (issue 26): what got in the way, one test per finding where no
nearer test file holds it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from slaengine.bundled import example_contract
from slaengine.identity import ticket_order

EXAMPLE = str(example_contract())


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        input=stdin, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_ticket_ids_sort_in_natural_order() -> None:
    given = ["H-10", "H-2", "H-1", "H-12", "H-11", "T-001", "T-REOPEN", "H-01", "2", "10", "A"]
    assert sorted(given, key=ticket_order) == [
        "2", "10", "A", "H-01", "H-1", "H-2", "H-10", "H-11", "H-12", "T-001", "T-REOPEN",
    ]  # fmt: skip


def test_replay_lists_tickets_in_natural_order(tmp_path: Path) -> None:
    lines = [
        {"id": f"{ticket}-r", "contract": "HT-2026-017", "ticket": ticket, "type": "reported",
         "severity": "general", "at": "2026-03-02T09:00:00+08:00"}
        for ticket in ("H-10", "H-2", "H-1", "H-11")
    ]  # fmt: skip
    stream = "".join(json.dumps(line) + "\n" for line in lines)
    as_of = ("--as-of", "2026-03-02T09:01:00+08:00")
    report = run("replay", EXAMPLE, "-", *as_of, "-f", "json", stdin=stream)
    assert report.returncode == 0, report.stderr
    assert [t["ticket"] for t in json.loads(report.stdout)["tickets"]] == [
        "H-1", "H-2", "H-10", "H-11",
    ]  # fmt: skip
    table = run("replay", EXAMPLE, "-", *as_of, stdin=stream)
    shown = [name for name in ("H-1 ", "H-2 ", "H-10", "H-11") if name in table.stdout]
    assert sorted(shown, key=lambda name: table.stdout.index(name)) == ["H-1 ", "H-2 ", "H-10",
                                                                         "H-11"]  # fmt: skip


def test_the_test_client_raises_no_starlette_deprecation() -> None:
    """Starlette's TestClient runs on httpx2 (a test dependency): no StarletteDeprecationWarning
    in the test run (pyproject makes one an error, too)."""
    probe = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", "import fastapi.testclient"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr


def test_a_second_serve_on_a_busy_port_refuses_before_the_store(tmp_path: Path) -> None:
    """Exit 2 (bad arguments), the port named, and no store opened or made."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = tmp_path / "second.db"
        result = run("serve", "--db", f"sqlite:///{store}", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert f"listening on port {port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and "serving on" not in result.stderr
    assert not store.exists()
