"""Disputes, the follow-ups of docs/disputes.md: the evidence upload limit of ``slaengine serve``
(``--max-upload-bytes``), evidence added later from the CLI (``slaengine dispute evidence``)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.receivers import free_port
from tests.test_service_e2e import SLAENGINE, Server, stop, wait_ready

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "example-tender.yaml"
MONTH = REPO / "examples" / "demo-month.jsonl"
CID = "HT-2026-017"
LINE = "P-ack/T-006/ack-3min/1"
OPERATOR = "operator-" + "u" * 40


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SLAENGINE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def _judged_store(tmp: Path) -> str:
    db = str(tmp / "d.db")
    assert _run("contract", "load", str(CONTRACT), "--db", db, cwd=tmp).returncode == 0
    assert _run("ingest", str(MONTH), "--db", db, cwd=tmp).returncode == 0
    return db


def test_serve_takes_the_evidence_upload_limit(tmp_path: Path) -> None:
    helped = _run("serve", "-h", cwd=tmp_path)
    assert "--max-upload-bytes" in helped.stdout
    refused = _run("serve", "--max-upload-bytes", "0", "--db", str(tmp_path / "x.db"),
                   cwd=tmp_path)  # fmt: skip
    assert refused.returncode == 2 and "--max-upload-bytes 0: give 1 or more" in refused.stderr

    db = _judged_store(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [SLAENGINE, "serve", "--db", db, "--port", str(port), "--token", OPERATOR,
             "--max-upload-bytes", "40000", "--no-judge"],
            stdout=output, stderr=subprocess.STDOUT,
            env={**os.environ, "SLAENGINE_ALERT_WEBHOOK": ""},
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_ready(server)
        auth = {"Authorization": f"Bearer {OPERATOR}"}
        form = {"contract": CID, "line": LINE, "reason": "the caller hung up", "by": "Zhang"}

        def upload(size: int) -> httpx.Response:
            files = [("evidence", ("log.txt", b"a" * size, "text/plain"))]
            return httpx.post(f"{server.url}/disputes", data=form, files=files, headers=auth,
                              timeout=30)  # fmt: skip

        over = upload(50_000)
        assert over.status_code == 413, over.text
        assert "at most 40,000 here" in over.json()["error"]
        # within the limit, and over the 8 KB of a form: the upload path's own limit
        kept = upload(30_000)
        assert kept.status_code == 201, kept.text
        more = httpx.post(f"{server.url}/disputes/{kept.json()['id']}/evidence",
                          files=[("evidence", ("b.txt", b"b" * 45_000, "text/plain"))],
                          headers=auth, timeout=30)  # fmt: skip
        assert more.status_code == 413
    finally:
        stop(server)
