"""``statement --db`` and ``replay --db`` judge the stored events under the store's versions.

The live service prices each line under the version in force when its breach began; a statement
or replay read from the same store must agree with it without being told the amendments again
(docs/penalties.md, "From the live service's store"). The real CLI on a real SQLite file and
PostgreSQL: the tender loaded, the demo month ingested, then version 2 (P-ack 500.00 → 800.00,
on-site 30 → 20 minutes from 1 June 2026) loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from slaengine.bundled import demo_events, example_contract
from tests.test_amendments import amended_text

EXAMPLE = str(example_contract())
DEMO = str(demo_events())
AS_OF = "2026-11-01T00:00:00+08:00"
PERIOD = ("--period", "2026-10", "--as-of", AS_OF, "-f", "csv", "--table", "totals")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result


def amended_store(db: str, tmp_path: Path) -> Path:
    """The store as the tester left it: tender, demo month, then the amendment."""
    amendment = tmp_path / "amendment-2.yaml"
    amendment.write_text(amended_text(), encoding="utf-8")
    ok("contract", "load", EXAMPLE, "--db", db, "--effective", "2026-01-15")
    ok("ingest", DEMO, "--db", db)
    ok("contract", "load", str(amendment), "--db", db)
    return amendment


def chargeable(totals_csv: str) -> str:
    (row,) = [line for line in totals_csv.splitlines() if "chargeable total" in line]
    return row.rsplit(",", 1)[1]


def test_statement_and_replay_from_a_store_use_its_later_versions(
    db_url: str, tmp_path: Path
) -> None:
    amendment = amended_store(db_url, tmp_path)
    stored = ok("statement", EXAMPLE, "--db", db_url, *PERIOD)
    told = ok("statement", EXAMPLE, DEMO, "--amendment", str(amendment), *PERIOD)
    untold = ok("statement", EXAMPLE, DEMO, *PERIOD)
    assert stored.stdout == told.stdout
    assert stored.stdout != untold.stdout
    # the demo month's 8 late acknowledgements at 800.00 instead of 500.00 (+2,400.00), and
    # 29 late arrivals under the 20-minute target instead of 7 under 30 (+5,800.00)
    assert (chargeable(untold.stdout), chargeable(stored.stdout)) == ("30640.00", "38840.00")
    assert (
        "stored versions used 采用的存储版本: v2 (version 2, in force from 2026-06-01, "
        f"{amendment}) after v1"
    ) in stored.stderr
    assert "note:" not in stored.stderr

    # the stored amendment given again with --amendment counts once
    again = ok("statement", EXAMPLE, "--db", db_url, "--amendment", str(amendment), *PERIOD)
    assert again.stdout == told.stdout
    assert "none after v1 (v2 given with --amendment)" in again.stderr

    # replay reads the store the same way
    replayed = ok("replay", EXAMPLE, "--db", db_url, "--as-of", AS_OF, "-f", "json")
    replayed_file = ok(
        "replay", EXAMPLE, DEMO, "--as-of", AS_OF, "-f", "json", "--amendment", str(amendment)
    )
    assert json.loads(replayed.stdout)["totals"] == json.loads(replayed_file.stdout)["totals"]
    assert json.loads(replayed.stdout)["version"] == 2


def test_a_file_the_store_does_not_hold_is_named_and_amended_by_the_later_versions(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    amendment = amended_store(db, tmp_path)
    # version 1 as edited since it was loaded (a commitment renamed): not the stored text
    edited = tmp_path / "tender-edited.yaml"
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    renamed = "en: Answer every fault call within 3 minutes (edited)"
    edited.write_text(
        text.replace("en: Answer every fault call within 3 minutes", renamed, 1), encoding="utf-8"
    )
    assert renamed in edited.read_text(encoding="utf-8")
    result = ok("statement", str(edited), "--db", db, *PERIOD)
    told = ok("statement", EXAMPLE, DEMO, "--amendment", str(amendment), *PERIOD)
    assert chargeable(result.stdout) == chargeable(told.stdout) == "38840.00"
    assert f"note: {edited} (HT-2026-017 version 1) is not among the 2 version(s)" in (
        result.stderr.replace("\n", " ")
    )
    assert "不在存储的2个版本之中" in result.stderr
    assert f"v2 (version 2, in force from 2026-06-01, {amendment}) after {edited}" in (
        result.stderr.replace("\n", "")
    )
