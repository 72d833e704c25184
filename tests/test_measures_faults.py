"""First-time-fix rate and repeat faults per asset, hand-computed (docs/contracts.md, "Measures").

The example tender with two more measures (its tender text implies neither, so they live in
this variant and in docs/contracts.md): 一次修复率 at least 90% (a new fault on the same unit
within 7 days undoes a fix), and 同一设备一个月内故障不超过2次 (the share of units with more than
two faults in the month at most 0%, 1% of the 10,000.00 monthly fee when above).

The stream (units U1, U2; U1-KP1 is a part of U1):

- T-1 U1 2 Mar: one visit, resolved — a first-time fix;
- T-2 U2 3 Mar: two visits (3 and 4 Mar), resolved 4 Mar — not: two visits;
- T-3 U1-KP1 10 Mar, resolved 10 Mar 12:00; T-4 U1 14 Mar, within 7 days — T-3 is not;
- T-5 U2 30 Mar, resolved; reopened 2 Apr (after the month) — not, once the reopen is known;
- T-6 U1 29 Mar, resolved; T-7 U1 3 Apr, within 7 days across the month boundary — T-6 is
  not; T-7 is fixed in April, the first time.

March: 6 fixes, first-time T-1 and T-4 → 2/6 = 33.333%. April: T-7 alone → 100%. May: no fix →
no data. Faults in March: U1 has T-1, T-3, T-4, T-6 (4 > 2), U2 has T-2, T-5 (2) → 1 of 2 units =
50% > 0% → 100.00; April: U1 T-7, U2 none (0) → 0%, met.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slaengine.contract import parse_contract
from slaengine.errors import ContractError
from slaengine.report import Report
from tests.tender import Stream, t
from tests.test_measures import EXAMPLE_TEXT, credits, period

MEASURES = """\
  - id: first-fix
    name: {zh: 一次修复率不低于90%, en: First-time fix rate at least 90%}
    kind: first_time_fix
    period: month
    target: "90"
    within: 7d
  - id: repeats
    name: {zh: 同一设备一个月内故障不超过2次, en: At most 2 faults per unit a month}
    kind: repeat_faults
    period: month
    direction: at_most
    max_faults: 2
    target: "0"
"""
CLAUSE = """\
  - id: SC-repeats
    kind: measure_credit
    measure: repeats
    fee: "10000.00"
    tiers:
      - {above: "0", percent: "1"}
"""


def variant_text(measures: str = MEASURES, clause: str = CLAUSE) -> str:
    text = EXAMPLE_TEXT.replace("\ncontacts:\n", measures + "\ncontacts:\n", 1)
    return text.replace("  - id: W-final\n", clause + "  - id: W-final\n", 1)


VARIANT = parse_contract(variant_text(), Path("contracts/variant.yaml"))


def stream() -> Stream:
    s = Stream(VARIANT)
    s.add("reported", t("2026-03-02 09:00"), "T-1", severity="general", asset="U1")
    s.add("arrived", t("2026-03-02 09:20"), "T-1")
    s.add("resolved", t("2026-03-02 10:00"), "T-1")
    s.add("reported", t("2026-03-03 09:00"), "T-2", severity="general", asset="U2")
    s.add("arrived", t("2026-03-03 09:20"), "T-2")
    s.add("arrived", t("2026-03-04 09:00"), "T-2")
    s.add("resolved", t("2026-03-04 10:00"), "T-2")
    s.add("reported", t("2026-03-10 09:00"), "T-3", severity="general", asset="U1-KP1")
    s.add("resolved", t("2026-03-10 12:00"), "T-3")
    s.add("reported", t("2026-03-14 09:00"), "T-4", severity="general", asset="U1")
    s.add("resolved", t("2026-03-14 10:00"), "T-4")
    s.add("reported", t("2026-03-29 08:00"), "T-6", severity="general", asset="U1")
    s.add("resolved", t("2026-03-29 09:00"), "T-6")
    s.add("reported", t("2026-03-30 09:00"), "T-5", severity="general", asset="U2")
    s.add("resolved", t("2026-03-30 10:00"), "T-5")
    s.add("reopened", t("2026-04-02 09:00"), "T-5")
    s.add("resolved", t("2026-04-02 12:00"), "T-5")
    s.add("reported", t("2026-04-03 08:00"), "T-7", severity="general", asset="U1")
    s.add("resolved", t("2026-04-03 09:00"), "T-7")
    return s


@pytest.fixture(scope="module")
def may() -> Report:
    return stream().report(t("2026-05-02 00:00"))


def test_first_time_fix_counts_fixes_of_the_period_and_says_why_each_failed(may: Report) -> None:
    march = period(may, "first-fix", "2026-03")
    assert march.figure == Decimal(200) / 6
    assert (march.to_json()["figure"], march.status, march.provisional) == (
        "33.333",
        "below",
        False,
    )
    tickets = {item["ticket"]: item for item in march.detail["tickets"]}
    assert sorted(tickets) == ["T-1", "T-2", "T-3", "T-4", "T-5", "T-6"]
    assert [k for k, item in tickets.items() if item["first_time"]] == ["T-1", "T-4"]
    assert tickets["T-2"]["reasons"] == ["2 visits"]
    assert tickets["T-3"]["asset"] == "U1"  # a part's fault counts for its unit
    assert tickets["T-3"]["reasons"] == [
        "new fault T-4 on U1 at 2026-03-14T09:00:00+08:00, within 7d of the fix"
    ]
    # reopened after the month ended, and a repeat across the month boundary
    assert tickets["T-5"]["reasons"][0].startswith("reopened at 2026-04-02T09:00:00+08:00")
    assert tickets["T-6"]["reasons"] == [
        "new fault T-7 on U1 at 2026-04-03T08:00:00+08:00, within 7d of the fix"
    ]
    assert march.basis[0] == (
        "2 of 6 fault(s) fixed the first time = 33.333% "
        "(reopened 1, more than one visit 1, new fault within 7d 2)"
    )
    assert "一次修复2次" in march.basis[1]
    april = period(may, "first-fix", "2026-04")
    # T-5 is not counted in April: its first fix was in March
    assert [item["ticket"] for item in april.detail["tickets"]] == ["T-7"]
    assert (april.to_json()["figure"], april.status) == ("100.000", "met")
    may_period = period(may, "first-fix", "2026-05")
    assert (may_period.figure, may_period.status) == (None, "no_data")


def test_a_fix_is_provisional_while_its_repeat_window_is_open() -> None:
    # 31 March: the reopen and T-7 have not happened; T-6's window runs to 5 April
    march = period(stream().report(t("2026-03-31 23:00")), "first-fix", "2026-03")
    assert (march.to_json()["figure"], march.provisional) == ("66.667", True)  # 4 / 6
    # 1 April 12:00: March is over, but T-5's and T-6's windows are open
    march = period(stream().report(t("2026-04-01 12:00")), "first-fix", "2026-03")
    assert (march.to_json()["figure"], march.provisional) == ("66.667", True)


def test_repeat_faults_share_of_units_is_held_at_most_to_its_target(may: Report) -> None:
    march = period(may, "repeats", "2026-03")
    assert march.detail["assets"] == [
        {"asset": "U1", "faults": 4, "tickets": ["T-1", "T-3", "T-4", "T-6"], "repeat": True},
        {"asset": "U2", "faults": 2, "tickets": ["T-2", "T-5"], "repeat": False},
    ]
    assert (march.to_json()["figure"], march.status) == ("50.000", "above")
    assert march.to_json()["direction"] == "at_most"
    assert march.shortfall == Decimal(50)
    april = period(may, "repeats", "2026-04")
    # faults across the boundary do not add; a unit without faults counts with 0
    assert [(a["asset"], a["faults"]) for a in april.detail["assets"]] == [("U1", 1), ("U2", 0)]
    assert (april.to_json()["figure"], april.status) == ("0.000", "met")
    assert [c for c in credits(may) if c[0] in ("2026-03", "2026-04")] == [("2026-03", "100.00")]
    line = next(line for line in may.charges.penalties if line.clause == "SC-repeats")
    assert "1% of fee 10000.00: above 0%" in line.formula_en
    assert "高于0%" in line.formula_zh


def test_per_started_step_above_a_ceiling() -> None:
    clause = CLAUSE.replace(
        '    tiers:\n      - {above: "0", percent: "1"}\n',
        '    per_started: {step: "20", percent: "1"}\n',
    )
    contract = parse_contract(variant_text(clause=clause), Path("contracts/variant.yaml"))
    s = stream()
    s.contract = contract
    report = s.report(t("2026-04-01 00:00"))
    # 50 points above 0: three started steps of 20 → 3%
    assert [c for c in credits(report) if c[0] == "2026-03"] == [("2026-03", "300.00")]


def test_a_contract_without_assets_counts_the_assets_its_faults_name() -> None:
    text = """
id: SVC-2
currency: CNY
price: "100000.00"
timezone: Asia/Shanghai
accepted_on: 2026-03-01
severities: {major: 重大}
calendars: {always: {kind: 24x7}}
commitments:
  - {id: fix-4h, start: reported, stop: resolved, target: 4h, calendar: always}
measures:
  - {id: repeats, kind: repeat_faults, max_faults: 1, target: "10"}
  - {id: ftf, kind: first_time_fix, target: "90"}
"""
    contract = parse_contract(text, Path("contracts/service.yaml"))
    s = Stream(contract)
    s.add("reported", t("2026-03-02 09:00"), "T-1", severity="major", asset="PUMP-1")
    s.add("resolved", t("2026-03-02 10:00"), "T-1")
    s.add("reported", t("2026-03-05 09:00"), "T-2", severity="major", asset="PUMP-1")
    s.add("reported", t("2026-03-06 09:00"), "T-3", severity="major", asset="PUMP-2")
    s.add("reported", t("2026-03-07 09:00"), "T-4", severity="major")
    report = s.report(t("2026-05-01 00:00"))
    march = period(report, "repeats", "2026-03")
    assert (march.to_json()["figure"], march.status) == ("50.000", "above")
    assert march.detail["unassigned"] == ["T-4"]
    april = period(report, "repeats", "2026-04")
    assert (april.figure, april.status) == (None, "no_data")
    # without 'within' only a reopen or a second visit undoes a fix
    assert period(report, "ftf", "2026-03").to_json()["figure"] == "100.000"


def test_severity_narrows_the_faults() -> None:
    measures = MEASURES.replace(
        "    within: 7d\n", "    within: 7d\n    faults: {type: reported, severity: major}\n"
    )
    contract = parse_contract(variant_text(measures), Path("contracts/variant.yaml"))
    s = Stream(contract)
    s.add("reported", t("2026-03-02 09:00"), "T-1", severity="major", asset="U1")
    s.add("resolved", t("2026-03-02 10:00"), "T-1")
    s.add("reported", t("2026-03-03 09:00"), "T-2", severity="general", asset="U1")
    s.add("resolved", t("2026-03-03 10:00"), "T-2")
    march = period(s.report(t("2026-04-01 00:00")), "first-fix", "2026-03")
    # T-2 (general) is no fault of this measure: it neither counts nor undoes T-1's fix
    assert [item["ticket"] for item in march.detail["tickets"]] == ["T-1"]
    assert march.to_json()["figure"] == "100.000"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    direction: at_most\n",
            "    direction: at_least\n",
            "measures.3.direction",
            "held at_most",
        ),
        ("    max_faults: 2\n", "", "measures.3", "max_faults: 2"),
        ("    max_faults: 2\n", "    max_faults: 0\n", "measures.3.max_faults", "greater than"),
        ("    within: 7d\n", "    within: 7 days\n", "measures.2.within", "duration"),
        ("    within: 7d\n", "    within: 7d\n    max_faults: 3\n", "measures.2", "max_faults"),
        (
            "    within: 7d\n",
            "    within: 7d\n    visits: arived\n",
            "measures.2.visits.0.type",
            "'arived'",
        ),
        (
            '      - {above: "0", percent: "1"}',
            '      - {below: "1", percent: "1"}',
            "clauses.10.tiers.0.below",
            "held at most",
        ),
        (
            '      - {above: "0", percent: "1"}',
            '      - {above: "1", below: "2", percent: "1"}',
            "clauses.10.measure_credit.tiers.0",
            "either 'below'",
        ),
    ],
)
def test_errors_name_file_line_and_field(old: str, new: str, field: str, message: str) -> None:
    text = variant_text()
    assert old in text, old
    with pytest.raises(ContractError) as info:
        parse_contract(text.replace(old, new, 1), Path("contracts/bad.yaml"))
    problems = info.value.problems
    assert any(
        field in p and message in p and p.startswith("contracts/bad.yaml:") for p in problems
    ), problems


def test_a_floor_measure_rejects_a_ceiling_tier() -> None:
    text = EXAMPLE_TEXT.replace('{below: "9', '{above: "9')
    assert text != EXAMPLE_TEXT
    with pytest.raises(ContractError) as info:
        parse_contract(text, Path("contracts/bad.yaml"))
    assert any("clauses.9.tiers" in p and "held at least" in p for p in info.value.problems), (
        info.value.problems
    )


def test_statement_files_carry_the_measures_and_their_money(tmp_path: Path) -> None:
    import csv
    import io
    import json

    from openpyxl import load_workbook

    from slaengine.penalties.export import KEY_COLUMNS, MEASURE_COLUMNS
    from slaengine.penalties.words import LABELS
    from tests.test_cli import run

    contract = tmp_path / "variant.yaml"
    contract.write_text(variant_text(), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(item) + "\n" for item in stream().raw), encoding="utf-8")
    common = (str(contract), str(events), "--period", "2026-03", "--as-of",
              "2026-05-02T00:00:00+08:00")  # fmt: skip
    done = run("statement", *common, "-f", "csv", "--table", "measures")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"), newline="")))
    assert rows[0] == [LABELS["en"][c] for c in (*KEY_COLUMNS, *MEASURE_COLUMNS)]
    body = {row[3]: dict(zip(MEASURE_COLUMNS, row[3:], strict=True)) for row in rows[1:]}
    assert list(body) == ["availability", "satisfaction", "first-fix", "repeats"]
    repeats = body["repeats"]
    assert (repeats["period_from"], repeats["period_to"]) == ("2026-03-01", "2026-03-31")
    assert (repeats["figure"], repeats["target"], repeats["measure_status"]) == (
        "50.000%",
        "≤ 0%",
        "above ceiling",
    )
    assert (repeats["clause"], repeats["amount"]) == ("SC-repeats", "100.00")
    assert repeats["measure_basis"].startswith("1 of 2 asset(s) with more than 2 faults")
    first = body["first-fix"]
    assert (first["figure"], first["measure_status"], first["amount"]) == (
        "33.333%",
        "below target",
        "",  # no clause prices it
    )

    # the JSON's lines and the CSV's lines table agree on the money
    data = json.loads(run("statement", *common, "-f", "json").stdout)
    lines = [x for x in data["penalties"] if x["kind"] == "measure_credit"]
    assert [(x["clause"], x["amount"]) for x in lines] == [("SC-repeats", "100.00")]
    money = {m["measure"]: (m["clauses"], m["amount"]) for m in data["measures"]}
    assert money == {
        "availability": ([], "0.00"),
        "satisfaction": ([], "0.00"),
        "first-fix": ([], "0.00"),
        "repeats": (["SC-repeats"], "100.00"),
    }

    book_file = tmp_path / "statement.xlsx"
    done = run("statement", *common, "-f", "xlsx", "-o", str(book_file), "--lang", "zh")
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(book_file)["考核指标"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [LABELS["zh"][c] for c in MEASURE_COLUMNS]
    row = dict(zip(MEASURE_COLUMNS, values[4], strict=True))
    assert (row["measure"], row["measure_status"], Decimal(str(row["amount"]))) == (
        "repeats",
        "超出上限",
        Decimal("100"),
    )
    assert sheet.cell(5, MEASURE_COLUMNS.index("amount") + 1).number_format == "#,##0.00"


def test_the_docs_examples_are_valid_contract_text() -> None:
    """The copyable YAML of docs/contracts.md for these measures parses in the tender."""
    import re

    docs = Path("docs/contracts.md").read_text(encoding="utf-8")
    section = docs[docs.index("### First-time-fix rate") : docs.index("### What a shortfall costs")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    first = blocks[0].split("measures:\n", 1)[1]
    repeats, clause = blocks[1].split("measures:\n", 1)[1].split("clauses:\n")
    contract = parse_contract(variant_text(first + repeats, clause), Path("docs/contracts.md"))
    kinds = {m.id: m.kind for m in contract.measures}
    assert kinds["first-fix"] == "first_time_fix" and kinds["repeats"] == "repeat_faults"


def test_a_listed_part_counts_for_itself_and_faults_out_of_scope_do_not_count() -> None:
    measures = MEASURES.replace(
        "    max_faults: 2\n", "    max_faults: 2\n    assets: [U1-KP1, U2]\n"
    )
    contract = parse_contract(variant_text(measures), Path("contracts/variant.yaml"))
    s = stream()
    s.contract = contract
    march = period(s.report(t("2026-04-01 00:00")), "repeats", "2026-03")
    # U1's own faults (T-1, T-4, T-6) are out of scope; T-3 on U1-KP1 counts for the part
    assert [(a["asset"], a["tickets"]) for a in march.detail["assets"]] == [
        ("U1-KP1", ["T-3"]),
        ("U2", ["T-2", "T-5"]),
    ]
    assert (march.to_json()["figure"], march.status) == ("0.000", "met")


def test_contract_validate_names_file_line_and_field(tmp_path: Path) -> None:
    from tests.test_cli import run

    bad = tmp_path / "bad.yaml"
    text = variant_text().replace("    within: 7d\n", "    within: 7d\n    direction: at_most\n")
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    direction: at_most") + 1
    done = run("contract", "validate", str(bad))
    assert done.returncode == 2
    assert f"{bad}:{line}: measures.2.direction: a first_time_fix measure is held at_least" in (
        done.stderr + done.stdout
    )
    assert "Traceback" not in done.stderr
