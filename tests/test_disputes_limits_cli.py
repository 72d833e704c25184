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
    return subprocess.run(
        [SLAENGINE, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "COLUMNS": "250"},
    )  # fmt: skip


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


def test_the_cli_adds_evidence_later_with_the_same_limits_and_audit(tmp_path: Path) -> None:
    db = _judged_store(tmp_path)
    filed = _run("dispute", "file", CID, LINE, "--reason", "the caller hung up", "--by",
                 "Zhang", "--db", db, cwd=tmp_path)  # fmt: skip
    assert filed.returncode == 0 and "dispute 1 filed" in filed.stdout, filed.stderr
    note = tmp_path / "log.txt"
    note.write_text("来电方在 1 分 50 秒时挂断。\n", encoding="utf-8")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    added = _run("dispute", "evidence", "1", str(note), str(scan), "--by", "Zhang", "--db", db,
                 cwd=tmp_path)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "dispute 1: 2 evidence file(s) added: log.txt (text/plain" in added.stdout
    assert "scan.pdf (application/pdf" in added.stdout

    fake = tmp_path / "photo.png"
    fake.write_bytes(b"MZ\x90\x00 a program")
    typed = _run("dispute", "evidence", "1", str(fake), "--db", db, cwd=tmp_path)
    assert typed.returncode == 2 and "'photo.png'" in typed.stderr
    assert "Traceback" not in typed.stderr
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    large = _run("dispute", "evidence", "1", str(big), "--db", db, cwd=tmp_path)
    assert large.returncode == 2 and "at most 5,242,880 per file" in large.stderr
    missing = _run("dispute", "evidence", "1", str(tmp_path / "nope.txt"), "--db", db,
                   cwd=tmp_path)  # fmt: skip
    assert missing.returncode == 2 and "nope.txt: no such file" in missing.stderr
    many = [tmp_path / f"n{i}.txt" for i in range(9)]
    for path in many:
        path.write_text("note\n", encoding="utf-8")
    too_many = _run("dispute", "evidence", "1", *map(str, many), "--db", db, cwd=tmp_path)
    assert too_many.returncode == 2 and "at most 10 per dispute" in too_many.stderr
    assert _run("dispute", "evidence", "7", str(note), "--db", db, cwd=tmp_path).returncode == 1

    shown = json.loads(_run("dispute", "show", "1", "-f", "json", "--db", db,
                            cwd=tmp_path).stdout)  # fmt: skip
    assert [e["name"] for e in shown["evidence"]] == ["log.txt", "scan.pdf"]
    records = json.loads(_run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)
    (record,) = [r for r in records if r["kind"] == "dispute_evidence_added"]
    assert record["who"] == "Zhang" and record["via"] == "cli"
    assert [e["name"] for e in record["details"]["evidence"]] == ["log.txt", "scan.pdf"]

    decided = _run("dispute", "decide", "1", "reject", "--reason", "no", "--db", db,
                   cwd=tmp_path)  # fmt: skip
    assert decided.returncode == 0
    closed = _run("dispute", "evidence", "1", str(note), "--db", db, cwd=tmp_path)
    assert closed.returncode == 2 and "dispute 1 is rejected: evidence closed" in closed.stderr
    assert _run("audit", "verify", "--db", db, cwd=tmp_path).returncode == 0
