"""A newcomer's first hour (issue 26): what got in the way, one test per finding where no
nearer test file holds it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from slaengine.bundled import example_contract
from slaengine.identity import ticket_order

EXAMPLE = str(example_contract())
REPO = Path(__file__).resolve().parents[1]


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None, width: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command; ``width``: the terminal's columns (a table's cells unwrapped)."""
    env = {**os.environ, "COLUMNS": str(width)} if width else None
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        input=stdin, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
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


def test_contract_load_takes_one_rule_said_alike_in_help_and_docs(tmp_path: Path) -> None:
    """Without --effective: the file's effective_from; else a contract's first version from
    its accepted_on; else (a later version with no date) today, said."""
    db = f"sqlite:///{tmp_path / 'load.db'}"
    first = run("contract", "load", EXAMPLE, "--db", db)
    assert first.returncode == 0, first.stderr
    assert "as version 1" in first.stdout and "effective from 2026-01-15" in first.stdout
    changed = tmp_path / "changed.yaml"
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    changed.write_text(text.replace('amount: "500.00"', 'amount: "800.00"', 1), encoding="utf-8")
    later = run("contract", "load", str(changed), "--db", db, cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    said = " ".join(later.stdout.split())
    assert "as version 2" in said and f"effective from {today}" in said
    assert "has no effective_from and no --effective was given" in said
    dated = (
        changed.read_text(encoding="utf-8")
        .replace('amount: "800.00"', 'amount: "900.00"', 1)
        .replace("version: 1\n", "version: 3\neffective_from: 2026-06-01\n", 1)
    )
    changed.write_text(dated, encoding="utf-8")
    third = run("contract", "load", str(changed), "--db", db, cwd=tmp_path)
    assert "as version 3" in third.stdout and "effective from 2026-06-01" in third.stdout
    helped = " ".join(run("contract", "load", "-h").stdout.split())
    rule = "for a contract's first version, its accepted_on; else today"
    assert rule in helped
    for page in ("docs/service.md", "docs/contracts.md", "docs/reference.md"):
        words = " ".join((REPO / page).read_text(encoding="utf-8").split())
        assert "first version" in words and "accepted_on" in words, page


def test_a_comma_inside_an_inline_text_gets_the_hint_to_quote_it(tmp_path: Path) -> None:
    text = (
        Path(EXAMPLE)
        .read_text(encoding="utf-8")
        .replace(
            "name: {zh: 未按时修复, en: Late repair}",
            "name: {zh: 未按时修复, en: Late repair, 640 CNY per started hour}",
        )
    )
    bad = tmp_path / "comma.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("contract", "validate", str(bad))
    assert result.returncode == 2
    said = " ".join(result.stderr.split())
    line = (
        text.splitlines().index(
            "    name: {zh: 未按时修复, en: Late repair, 640 CNY per started hour}"
        )
        + 1
    )
    assert f"comma.yaml:{line}: clauses.2.percent_of_price_per_started.name.640 CNY" in said
    assert 'quote this text, en: "Late repair, 640 CNY per started hour"' in said
    assert "misspelt" not in said
    # an unknown field that is no cut text keeps the usual answer
    typo = tmp_path / "typo.yaml"
    cut = "{zh: 未按时修复, en: Late repair, 640 CNY per started hour}"
    typo.write_text(text.replace(cut, "{zh: 未按时修复, en: Late, eng: x}"), encoding="utf-8")
    assert "misspelt?" in run("contract", "validate", str(typo)).stderr


def test_a_one_ticket_replay_marks_contract_wide_lines_and_says_why() -> None:
    """``grep T-004 … | slaengine replay``: the missed inspections are the contract's, not
    the ticket's; the table says so, and a note says why they are billed here."""
    events = Path(EXAMPLE).parents[1] / "examples" / "demo-month.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines()
    one = "".join(line + "\n" for line in lines if '"T-004"' in line)
    as_of = ("--as-of", "2026-10-05T00:00:00+08:00")
    alone = run("replay", EXAMPLE, "-", *as_of, stdin=one)
    assert alone.returncode == 0, alone.stderr
    rows = [line for line in alone.stdout.splitlines() if "P-inspection" in line]
    assert len(rows) == 1 and "contract-wide" in rows[0] and "4000.00" in rows[0]
    assert "P-repair" in alone.stdout and "tickets" in alone.stdout
    said = " ".join(alone.stdout.split())
    assert "note: 2 contract-wide line(s) above (4000.00 CNY" in said
    assert "Replay the whole stream, or --db" in said
    whole = run("replay", EXAMPLE, str(events), *as_of)
    assert whole.returncode == 0, whole.stderr
    assert "contract-wide" in whole.stdout and "note: " not in whole.stdout


def test_the_terms_in_words_in_both_languages() -> None:
    """What ``contract show`` (and the console's contract page) say of each term."""
    from slaengine.contract import describe, load_contract

    contract = load_contract(EXAMPLE)
    clause = {c.id: c for c in contract.clauses}

    def words(name: str, lang: str) -> str:
        return describe.clause_words(clause[name], contract, lang)

    assert words("P-ack", "en") == "500.00 CNY per breach"
    assert words("P-ack", "zh") == "每次违约 500.00 CNY"
    assert words("P-onsite", "en") == (
        "200.00 CNY per started 10 min late, at most 5000.00 CNY per breach"
    )
    assert words("P-repair", "en") == (
        "0.05% of the price (640.00 CNY) per started 1 h late, at most 1% of the price "
        "(12800.00 CNY) per breach"
    )
    assert "低于98% → 服务费的5%（500.00 CNY）" in words("SC-availability", "zh")
    assert "below 98% → 5% of the fee (500.00 CNY)" in words("SC-availability", "en")
    assert words("P-site", "en").endswith("; for each site_violation event")
    cap = contract.caps.per_contract_year
    assert cap is not None
    assert describe.cap_words("per_contract_year", cap, contract, "zh") == (
        "违约金每合同年度最多合同价的10%（128000.00 CNY）"
    )
    assert "key part: 5 y from acceptance" in describe.warranty_words(contract, "en")
    assert describe.schedule_words(contract.obligations[0], "en") == (
        "every 3 mo for 1 y, then every 6 mo until the warranty ends"
    )
    assert describe.schedule_words(contract.obligations[0], "zh") == (
        "每3个月一次，持续1年，然后每6个月一次，直至质保期满"
    )
    assert describe.measure_words(contract.measures[0], "en") == (
        "availability: at least 99% per month (U1, U2)"
    )
    texts = [
        describe.clause_words(c, contract, lang) for c in contract.clauses for lang in ["en", "zh"]
    ]
    assert not [t for t in texts if "Decimal(" in t or "None" in t]


def test_contract_show_prints_the_whole_contract_in_both_languages() -> None:
    both = run("contract", "show", EXAMPLE)
    assert both.returncode == 0, both.stderr
    said = both.stdout
    assert "Decimal(" not in said and "None" not in said
    titles = ["calendars · 日历", "commitments · 服务承诺", "clauses (penalties and compensation)",
              "caps · 上限", "warranty · 质保", "assets · 设备", "periodic obligations · 定期义务",
              "measures (per period)", "contacts (who is alerted)"]  # fmt: skip
    for title in titles:
        assert title in said, title
    needles = ["1280000.00 CNY", "per breach", "每次违约", "U1-KP1", "zone city", "2h if zone",
               "suburb", "10% of the price (128000.00 CNY)", "15m → service-manager"]  # fmt: skip
    for words in needles:
        assert words in said, words
    chinese = run("contract", "show", EXAMPLE, "--lang", "zh").stdout
    for words in ("合同价", "1280000.00 CNY", "定期义务", "每3个月一次", "关键部件：自验收起5年"):
        assert words in chinese, words
    assert "per breach" not in chinese and "Decimal(" not in chinese
    assert run("contract", "show", EXAMPLE, "--lang", "fr").returncode == 2


def test_contract_show_says_when_there_is_no_price(tmp_path: Path) -> None:
    from tests.live_support import fast_contract

    plain = tmp_path / "no-price.yaml"
    plain.write_text(fast_contract().replace('price: "100000.00"\n', ""), encoding="utf-8")
    shown = run("contract", "show", str(plain), "--lang", "en")
    assert shown.returncode == 0, shown.stderr
    said = " ".join(shown.stdout.split())
    assert "price not given (no term is a percentage of it); amounts in CNY" in said
    assert "None" not in said


def test_credits_and_remedies_in_words() -> None:
    from slaengine.contract import describe
    from tests.test_penalties import SERVICE_CREDIT, small
    from tests.test_remedies import CONTRACT

    contract = small(SERVICE_CREDIT, accepted="2026-01-01")
    credit = describe.clause_words(contract.clauses[0], contract, "en")
    assert "below 95% → 5% of the fee (5000.00 CNY)" in credit
    assert credit.endswith("at most 8000.00 CNY per period")
    assert describe.clause_words(contract.clauses[0], contract, "zh").endswith(
        "每期最多 8000.00 CNY"
    )
    assert describe.remedy_words(CONTRACT.remedies[0], CONTRACT, "en").startswith(
        "the 3rd repair (resolved) of a part under warranty owes its replacement"
    )
