"""Amendments (补充协议), hand-computed (docs/contracts.md, "Amendments").

Version 2 of the tender, in force from 1 June 2026, shortens the on-site target from 30 to
20 minutes and raises P-ack from 500.00 to 800.00. A ticket's clocks follow the version in
force when it was reported; a penalty follows the version in force when its breach began.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slaengine.amendments import diff_terms
from slaengine.contract import Contract, parse_contract
from slaengine.errors import SlaError
from slaengine.evaluate import evaluate
from tests.tender import TENDER, Stream, clock, t

EXAMPLE_TEXT = Path("contracts/example-tender.yaml").read_text(encoding="utf-8")


def amended_text() -> str:
    text = EXAMPLE_TEXT.replace("version: 1\n", "version: 2\neffective_from: 2026-06-01\n", 1)
    text = text.replace("    target: 30m                     # 市区", "    target: 20m  # 市区", 1)
    return text.replace('    amount: "500.00"', '    amount: "800.00"', 1)


AMENDED: Contract = parse_contract(amended_text(), Path("contracts/amendment-2.yaml"))


def stream() -> Stream:
    s = Stream()
    # T-1: reported before; its ack breach began before (deadline 23:53) → v1's 500.00
    s.add("reported", t("2026-05-31 23:50"), "T-1", severity="general", asset="U1")
    s.add("acknowledged", t("2026-06-01 00:00"), "T-1")
    s.add("arrived", t("2026-06-01 00:15"), "T-1")
    s.add("resolved", t("2026-06-01 00:25"), "T-1")
    s.add("report_submitted", t("2026-06-01 01:00"), "T-1")
    # T-2: reported before, its ack breach began after midnight (deadline 00:01) → 800.00;
    # its on-site clock keeps the old 30 min: arrived after 27 min, met
    s.add("reported", t("2026-05-31 23:58"), "T-2", severity="general", asset="U2")
    s.add("acknowledged", t("2026-06-01 00:05"), "T-2")
    s.add("arrived", t("2026-06-01 00:25"), "T-2")
    s.add("resolved", t("2026-06-01 00:35"), "T-2")
    s.add("report_submitted", t("2026-06-01 01:00"), "T-2")
    # T-3: reported after: 20 min on site; arrived after 25 min → 1 started 10 min → 200.00
    s.add("reported", t("2026-06-01 10:00"), "T-3", severity="general", asset="U1")
    s.add("acknowledged", t("2026-06-01 10:01"), "T-3")
    s.add("arrived", t("2026-06-01 10:25"), "T-3")
    return s


def test_an_amendment_effective_mid_ticket() -> None:
    events = stream().events()
    report = evaluate(TENDER, events, t("2026-06-01 10:30"), amendments=[AMENDED])
    assert report.contract is AMENDED and report.versions == [TENDER, AMENDED]
    assert clock(report, "onsite-30min", "T-2").target == "30m"
    assert clock(report, "onsite-30min", "T-2").status == "met"
    t3 = clock(report, "onsite-30min", "T-3")
    assert (t3.target, t3.status, t3.late_by_seconds) == ("20m", "breached", 300)
    lines = {
        (line.ticket, line.clause): str(line.amount)
        for line in report.charges.penalties
        if line.ticket  # (the first inspection period was missed too: P-inspection)
    }
    assert lines == {
        ("T-1", "P-ack"): "500.00",
        ("T-2", "P-ack"): "800.00",
        ("T-3", "P-onsite"): "200.00",
    }
    # the old terms alone: no on-site breach, both acks at 500.00
    before = evaluate(TENDER, events, t("2026-06-01 10:30"))
    assert sum(line.amount or 0 for line in before.charges.penalties if line.ticket) == 1000


def test_the_diff_names_each_changed_term_in_both_languages() -> None:
    changes = {change.to_json()["path"]: change for change in diff_terms(TENDER, AMENDED)}
    assert set(changes) == {
        "version",
        "effective_from",
        "commitments.onsite-30min.target",
        "clauses.P-ack.amount",
    }
    target = changes["commitments.onsite-30min.target"]
    assert target.describe("en") == (
        "commitments · onsite-30min (Be on site within 30 minutes of the call) · target: 30m → 20m"
    )
    assert target.describe("zh") == "承诺 · onsite-30min（30分钟内到达现场） · 目标: 30m → 20m"


def test_versions_must_be_one_contract_with_distinct_dates() -> None:
    other = parse_contract(
        amended_text().replace("id: HT-2026-017", "id: HT-2026-099", 1), Path("other.yaml")
    )
    with pytest.raises(SlaError, match="must amend the same contract"):
        evaluate(TENDER, [], t("2026-06-02 00:00"), amendments=[other])
    same_day = parse_contract(
        amended_text().replace("effective_from: 2026-06-01", "effective_from: 2026-01-15"),
        Path("same.yaml"),
    )
    with pytest.raises(SlaError, match="both effective from 2026-01-15"):
        evaluate(TENDER, [], t("2026-06-02 00:00"), amendments=[same_day])


def test_contract_diff_and_replay_with_an_amendment(tmp_path: Path) -> None:
    from tests.test_cli import EXAMPLE, run

    amendment = tmp_path / "amendment-2.yaml"
    amendment.write_text(amended_text(), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(x) + "\n" for x in stream().raw), encoding="utf-8")
    as_of = "2026-06-01T10:30:00+08:00"
    diff = run("contract", "diff", EXAMPLE, str(amendment), str(events), "--as-of", as_of,
               "-f", "json")  # fmt: skip
    assert diff.returncode == 0, diff.stderr
    data = json.loads(diff.stdout)
    assert data["new"] == {"version": 2, "effective_from": "2026-06-01"}
    assert len(data["changes"]) == 4
    open_now = {item["ticket"]: item for item in data["open_tickets"]}
    assert set(open_now) == {"T-3"}  # T-1 and T-2 are resolved
    assert open_now["T-3"]["version"] == 2
    assert (open_now["T-3"]["penalties_old"], open_now["T-3"]["penalties_new"]) == (
        "0.00",
        "200.00",
    )
    (onsite,) = open_now["T-3"]["clocks"]
    assert onsite["old"]["status"] == "met" and onsite["new"]["status"] == "breached"
    table = run("contract", "diff", EXAMPLE, str(amendment), "--lang", "zh")
    assert table.returncode == 0, table.stderr
    assert "目标: 30m → 20m" in table.stdout
    replay = run("replay", EXAMPLE, str(events), "--as-of", as_of, "-f", "json",
                 "--amendment", str(amendment))  # fmt: skip
    assert replay.returncode == 0, replay.stderr
    report = json.loads(replay.stdout)
    assert report["version"] == 2
    # 500 + 800 + 200, and 2000.00 for the missed first inspection period
    assert report["totals"]["penalties"] == "3500.00"
