"""The monthly statement (对账单) as a PDF document (docs/penalties.md, "The statement as a
document"): rendered by the real command, read back with poppler (``pdftotext``, ``pdftoppm``,
``pdfinfo``, ``pdffonts``): A4, the CJK font embedded, totals equal to the JSON statement's,
in Chinese and English; a confirmation recorded with the document's SHA-256, reproduced byte for
byte, and a late waiver shown as the line that changed since — from the CLI and the console."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from slaengine.api.auth import Auth
from slaengine.clock import FixedClock
from slaengine.penalties.pdf import FONT_ENV
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "example-tender.yaml"
MONTH = REPO / "examples" / "demo-month.jsonl"
AS_OF = "2026-11-01T00:00:00+08:00"
CLI = [sys.executable, "-m", "slaengine"]
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts"))

pytestmark = pytest.mark.skipif(
    not POPPLER and os.environ.get("CI") != "true",
    reason="poppler-utils (pdftotext, pdftoppm) is not installed; .ci/run installs it",
)

WAIVER = {
    "id": "W-T006",
    "contract": "HT-2026-017",
    "ticket": "T-006",
    "type": "breach_waived",
    "at": "2026-10-06T12:00:00+08:00",
    "attrs": {"commitment": "ack-3min", "reason": "the caller hung up", "by": "Li (customer)"},
}


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _amount(text: str, item: str) -> str:
    """The amount on the totals row named ``item`` in the document's text."""
    found = re.search(re.escape(item) + r"\s+(-?[\d,]+\.\d\d)\s*$", text, re.MULTILINE)
    assert found is not None, f"no {item!r} row in:\n{text}"
    return found.group(1)


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        ("en", {"penalties": "penalties charged", "compensation": "compensation",
                "chargeable": "chargeable total (penalties + compensation)",
                "penalties_before_caps": "penalties before caps"}),
        ("zh", {"penalties": "违约金合计", "compensation": "赔偿合计",
                "chargeable": "应付合计（违约金＋赔偿）",
                "penalties_before_caps": "违约金（封顶前）"}),
    ],
)  # fmt: skip
def test_the_document_reads_back_with_the_json_statements_totals(
    tmp_path: Path, lang: str, rows: dict[str, str]
) -> None:
    common = [str(CONTRACT), str(MONTH), "--period", "2026-10", "--as-of", AS_OF, "--lang", lang]
    as_json = _run("statement", *common, "-f", "json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    statement = json.loads(as_json.stdout)
    pdf = tmp_path / f"2026-10-{lang}.pdf"
    made = _run("statement", *common, "-f", "pdf", "-o", str(pdf), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    embedded = [line for line in fonts.stdout.splitlines() if "TrueType" in line]
    assert embedded and all(" yes " in line for line in embedded), fonts.stdout

    text = _text(pdf)
    for key, item in rows.items():
        assert _amount(text, item) == statement["totals"][key], key
    # every line of the JSON statement is in the document, with its amount
    lines = statement["penalties"] + statement["compensation"]
    assert lines
    for line in lines:
        assert line["ticket"] is None or line["ticket"] in text
    assert text.count(" 500.00") >= sum(1 for x in lines if x["amount"] == "500.00")
    if lang == "zh":
        assert "售后服务违约金及赔偿对账单" in text and "华东机电设备有限公司" in text
        assert "某市轨道交通集团有限公司" in text and "甲方（采购人）" in text
        assert "每合同年度违约金上限 128000.00（合同价的10%）" in text
        assert "每次500.00，超时2分钟8秒" in text  # a formula in words
    else:
        assert "Huadong Electromechanical Equipment Co., Ltd." in text and "Supplier" in text
        assert "capped per contract year at 128000.00 (10% of price)" in text

    pictures = subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")],
        capture_output=True, check=True,
    )  # fmt: skip
    assert pictures.returncode == 0
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pages)
    assert all(p.stat().st_size > 10_000 for p in pages)  # drawn, not blank


def test_without_a_cjk_font_the_command_names_the_setting(tmp_path: Path) -> None:
    common = [str(CONTRACT), str(MONTH), "--period", "2026-10", "--as-of", AS_OF, "-f", "pdf",
              "-o", str(tmp_path / "x.pdf")]  # fmt: skip
    missing = _run("statement", *common, cwd=tmp_path, env={FONT_ENV: str(tmp_path / "no.ttf")})
    assert missing.returncode == 2
    assert f"{FONT_ENV}={tmp_path / 'no.ttf'}: no such font file" in missing.stderr
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font", encoding="utf-8")
    refused = _run("statement", *common, cwd=tmp_path, env={FONT_ENV: str(not_a_font)})
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "reportlab cannot embed this font" in refused.stderr and FONT_ENV in refused.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_confirm_records_the_documents_hash_and_a_late_waiver_shows_what_changed(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "demo.db")
    assert _run("demo", "--db", f"sqlite:///{db}", "-f", "json", cwd=tmp_path).returncode == 0
    common = [str(CONTRACT), "--db", db, "--period", "2026-10", "--as-of", AS_OF, "--lang", "zh"]

    no_name = _run("statement", "confirm", *common, cwd=tmp_path)
    assert no_name.returncode == 2 and "--by NAME" in no_name.stderr
    with_file = _run("statement", "confirm", str(CONTRACT), str(MONTH), "--period", "2026-10",
                     "--by", "x", cwd=tmp_path)  # fmt: skip
    assert with_file.returncode == 2 and "from the store" in with_file.stderr
    confirmed_pdf = tmp_path / "confirmed.pdf"
    confirmed = _run("statement", "confirm", *common, "--by", "王工 (乙方)", "-o",
                     str(confirmed_pdf), cwd=tmp_path)  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    digest = hashlib.sha256(confirmed_pdf.read_bytes()).hexdigest()
    assert f"document SHA-256 {digest}" in confirmed.stdout
    assert "by 王工 (乙方) (supplier)" in confirmed.stdout

    # rendered again from the store with the same as_of and language: the same document
    again = tmp_path / "again.pdf"
    shown = _run("statement", *common, "-f", "pdf", "-o", str(again), cwd=tmp_path)
    assert shown.returncode == 0 and "unchanged since" in shown.stderr
    assert "确认人 王工 (乙方)" in _text(again) and digest in _text(again).replace("\n", "")

    audit = json.loads(_run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)
    record = audit[-1]
    assert record["kind"] == "statement_confirmed" and record["who"] == "王工 (乙方)"
    assert record["details"]["document_sha256"] == digest
    assert record["details"]["totals"]["chargeable"] == "30640.00"

    # a late waiver changes a line of the confirmed month
    events = tmp_path / "waiver.jsonl"
    events.write_text(json.dumps(WAIVER) + "\n", encoding="utf-8")
    assert _run("ingest", str(events), "--db", db, cwd=tmp_path).returncode == 0
    later = tmp_path / "later.pdf"
    changed = _run("statement", *common, "-f", "pdf", "-o", str(later), cwd=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert "changed since: 1 line(s) differ" in changed.stderr
    assert "P-ack/T-006/ack-3min/1: 500.00 -> 500.00 (已豁免)" in changed.stderr
    as_json = json.loads(_run("statement", *common, "-f", "json", cwd=tmp_path).stdout)
    (standing,) = as_json["confirmations"]
    assert (standing["who"], standing["document_sha256"], standing["changed"]) == (
        "王工 (乙方)", digest, True
    )  # fmt: skip
    assert standing["differences"] == [
        {"line": "P-ack/T-006/ack-3min/1", "confirmed": "500.00", "now": "500.00 (已豁免)"}
    ]
    text = _text(later)
    assert "此后对账单已发生变化：1 条明细不同" in text and "P-ack/T-006/ack-3min/1" in text
    assert hashlib.sha256(later.read_bytes()).hexdigest() != digest
    kinds = [r["kind"] for r in json.loads(
        _run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)]  # fmt: skip
    assert kinds == ["contract_loaded", "statement_confirmed", "waiver"]
    assert _run("audit", "verify", "--db", db, cwd=tmp_path).returncode == 0


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[TestClient, LiveService]]:
    clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}", clock)
    store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
    service = LiveService(store, clock, environ={})
    service.ingest(list(enumerate(MONTH.read_bytes().splitlines(), 1)), "demo", raw=True)
    auth = Auth(operator="op", viewer="view", clock=clock)
    app = create_app(store, clock, service=service, auth=auth)
    yield TestClient(app, follow_redirects=False), service
    store.close()


def test_the_console_downloads_confirms_and_shows_the_change(
    demo: tuple[TestClient, LiveService], tmp_path: Path
) -> None:
    client, service = demo
    client.post("/login", data={"token": "view", "next": "/"})
    money = client.get("/console/money?period=2026-10&lang=en").text
    assert "format=pdf" in money and "Not confirmed yet." in money
    assert 'action="/console/money/confirm"' not in money  # a viewer cannot confirm
    pdf = client.get("/console/money/statement?period=2026-10&format=pdf&lang=zh")
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="statement-HT-2026-017-2026-10.pdf"' in pdf.headers["content-disposition"]
    (tmp_path / "console.pdf").write_bytes(pdf.content)
    assert _amount(_text(tmp_path / "console.pdf"), "应付合计（违约金＋赔偿）") == "30640.00"
    form = {"contract": "HT-2026-017", "period": "2026-10", "by": "Chen", "party": "customer"}
    assert client.post("/console/money/confirm", data=form).status_code == 403

    client.cookies.clear()
    client.post("/login", data={"token": "op", "next": "/"})
    assert client.post("/console/money/confirm", data={**form, "by": ""}).status_code == 422
    done = client.post("/console/money/confirm?lang=en", data=form)
    assert done.status_code == 303 and "period=2026-10" in done.headers["location"]
    money = client.get("/console/money?period=2026-10&lang=en").text
    assert "Customer: confirmed by Chen" in money and "unchanged since" in money

    service.ingest([(1, WAIVER)], "late.jsonl")
    money = client.get("/console/money?period=2026-10&lang=en").text
    assert "changed since, lines that differ: 1" in money
    assert "P-ack/T-006/ack-3min/1" in money and "500.00 (waived)" in money
    audit = client.get("/audit?kind=statement_confirmed", headers={"Authorization": "Bearer op"})
    (record,) = audit.json()
    assert (record["who"], record["via"], record["details"]["party"]) == (
        "Chen", "console", "customer"
    )  # fmt: skip
