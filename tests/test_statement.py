"""Billing statements: periods, lines, totals, compliance figures, and the files billing opens."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from slaengine.bundled import demo_events, example_contract
from slaengine.cli import common
from slaengine.cli.main import app
from slaengine.clock import FixedClock
from slaengine.contract import load_contract
from slaengine.errors import SlaError
from slaengine.evaluate import evaluate
from slaengine.events import Intake
from slaengine.penalties import Statement, Window, build_statement
from slaengine.penalties.export import CSV_TABLES, KEY_COLUMNS, LINE_COLUMNS, to_csv, to_xlsx
from slaengine.penalties.words import LABELS
from tests.tender import TENDER, Stream, t
from tests.test_penalties import flow, inspected

D = Decimal
EXAMPLE = str(example_contract())
DEMO = str(demo_events())
DEMO_AS_OF = "2026-11-01T00:00:00+08:00"


def march() -> Stream:
    """Six tickets in March 2026, answered after 1, 2, 3, 4, 6 and 1 minutes."""
    stream = inspected(Stream())
    flow(stream, "T-1", "2026-03-02 10:00", ack=1)
    flow(stream, "T-2", "2026-03-03 10:00", ack=2)
    flow(stream, "T-3", "2026-03-04 10:00", ack=3)  # exactly on the deadline: met
    flow(stream, "T-4", "2026-03-05 10:00", ack=4)  # late, waived below
    flow(stream, "T-5", "2026-03-06 10:00", ack=6, dispatch=7, arrive=54)  # on site 24 min late
    stream.add("cost_claimed", t("2026-03-06 13:00"), "T-5", amount="3500.00")
    # Reported late on the last evening: answered in March, on site (late) in April.
    flow(stream, "T-6", "2026-03-31 23:50", ack=1, arrive=40)
    stream.add(
        "breach_waived",
        t("2026-03-20 09:00"),
        "T-4",
        commitment="ack-3min",
        reason="switchboard outage on the customer's side",
        by="Wang Fang",
    )
    return stream


def statement(stream: Stream, month: str, as_of: str) -> Statement:
    report = stream.report(t(as_of))
    return build_statement(report, Window.month(TENDER, month))


def test_month_window_is_the_calendar_month_in_the_contract_time_zone() -> None:
    window = Window.month(TENDER, "2026-10")
    assert (window.start, window.end) == (t("2026-10-01 00:00"), t("2026-11-01 00:00"))
    assert window.last_day.isoformat() == "2026-10-31"
    dates = Window.dates(TENDER, t("2026-03-01 00:00").date(), t("2026-03-15 00:00").date())
    assert (dates.start, dates.end) == (t("2026-03-01 00:00"), t("2026-03-16 00:00"))
    for bad in ("2026-13", "2026/10", "October"):
        with pytest.raises(SlaError, match="--period"):
            Window.month(TENDER, bad)


def test_march_statement_lines_and_totals() -> None:
    result = statement(march(), "2026-03", "2026-04-01 00:00")
    assert result.complete
    lines = [(x.ticket, x.clause, x.amount, x.waived) for x in result.charges.lines()]
    assert lines == [
        ("T-4", "P-ack", D("500.00"), True),
        ("T-5", "P-ack", D("500.00"), False),
        ("T-5", "P-onsite", D("600.00"), False),
        ("T-5", "C-costs", D("3500.00"), False),  # claimed at 13:00, after the breaches
    ]
    totals = result.totals()
    assert totals.penalties_before_caps == D("1100.00")
    assert totals.penalties == D("1100.00")
    assert totals.compensation == D("3500.00")
    assert totals.chargeable == D("4600.00")
    assert totals.waived == D("500.00")
    data = result.to_json()
    assert data["totals"]["chargeable"] == "4600.00"
    assert data["period"]["label"] == "2026-03"


def test_a_line_belongs_to_the_period_of_its_deadline() -> None:
    april = statement(march(), "2026-04", "2026-05-01 00:00")
    [line] = april.charges.lines()
    assert (line.ticket, line.clause, line.amount) == ("T-6", "P-onsite", D("200.00"))
    assert line.occurred_at == t("2026-04-01 00:20")


def test_a_claim_made_after_the_period_is_billed_when_it_is_made() -> None:
    stream = march()
    stream.add("cost_claimed", t("2026-04-03 09:00"), "T-5", amount="1200.00")
    march_again = statement(stream, "2026-03", "2026-05-01 00:00")
    april = statement(stream, "2026-04", "2026-05-01 00:00")
    assert march_again.totals().compensation == D("3500.00")  # March does not move
    assert [(x.ticket, x.amount) for x in april.charges.compensation] == [("T-5", D("1200.00"))]
    assert april.charges.compensation[0].occurred_at == t("2026-04-03 09:00")


def test_compliance_figures_for_the_period() -> None:
    result = statement(march(), "2026-03", "2026-04-01 00:00")
    figures = {f.subject: f for f in result.compliance}
    ack = figures["ack-3min"]
    # On time: T-1, T-2, T-3, T-6; breached: T-5; waived: T-4 (out of the rate).
    assert (ack.met, ack.breached, ack.waived, ack.rate_text()) == (4, 1, 1, "80.0%")
    # Times to answer: 1, 1, 2, 3, 4, 6 min; nearest rank: median the 3rd, 90th the 6th.
    assert (ack.median_seconds, ack.p90_seconds) == (120, 360)
    onsite = figures["onsite-30min"]  # T-6 is due in April
    assert (onsite.met, onsite.breached, onsite.rate_text()) == (4, 1, "80.0%")
    assert (onsite.median_seconds, onsite.p90_seconds) == (20 * 60, 54 * 60)
    assert figures["repair-major-1h"].judged == 0
    assert figures["repair-major-1h"].rate_text() == "—"


def test_a_statement_before_the_period_ends_is_provisional() -> None:
    result = statement(march(), "2026-03", "2026-03-06 10:40")
    assert not result.complete
    onsite = [x for x in result.charges.lines() if x.clause == "P-onsite"]
    assert [(x.amount, x.provisional) for x in onsite] == [(D("200.00"), True)]
    assert result.totals().provisional == D("200.00")


def test_tickets_out_of_warranty_are_listed_as_chargeable() -> None:
    report = march().report(t("2026-04-01 00:00"))
    tickets = []
    for ticket in report.tickets:
        if ticket.ticket == "T-2":
            ticket = replace(ticket, in_warranty=False, chargeable=True, warranty_basis="expired")
        elif ticket.ticket == "T-3":
            ticket = replace(ticket, in_warranty=None, chargeable=False, warranty_basis=None)
        tickets.append(ticket)
    result = build_statement(replace(report, tickets=tickets), Window.month(TENDER, "2026-03"))
    assert [x.ticket for x in result.chargeable_tickets] == ["T-2"]
    assert result.warranty_unknown == ["T-3"]


def test_csv_opens_in_excel_with_chinese_headers() -> None:
    result = statement(march(), "2026-03", "2026-04-01 00:00")
    data = to_csv(result, "zh")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # One table: a header row, then rows as wide as it, each naming its statement.
    header = [LABELS["zh"][column] for column in (*KEY_COLUMNS, *LINE_COLUMNS)]
    assert rows[0] == header
    assert {len(row) for row in rows} == {len(header)}
    assert {tuple(row[:3]) for row in rows[1:]} == {("HT-2026-017", "2026-03", "CNY")}
    body = [row[3:] for row in rows[1:]]
    assert [row[LINE_COLUMNS.index("clause")] for row in body] == [
        "P-ack",
        "P-ack",
        "P-onsite",
        "C-costs",
    ]
    waived = body[0]
    assert waived[LINE_COLUMNS.index("status")] == "已豁免"
    assert "Wang Fang" in waived[LINE_COLUMNS.index("waiver")]
    formula = body[2][LINE_COLUMNS.index("formula")]
    assert formula == "3 × 200.00 每超时10分钟（不足按10分钟计），超时24分钟"
    for table, columns in CSV_TABLES.items():
        rows = list(csv.reader(io.StringIO(to_csv(result, "zh", table).decode("utf-8-sig"))))
        assert rows[0] == [LABELS["zh"][c] for c in (*KEY_COLUMNS, *columns)], table
        assert {len(row) for row in rows} == {len(rows[0])}, table
        if table == "totals":
            totals = {row[3]: row[4] for row in rows[1:]}
            assert totals["应付合计（违约金＋赔偿）"] == "4600.00"


def test_xlsx_reads_back_with_numbers_and_chinese_sheets() -> None:
    result = statement(march(), "2026-03", "2026-04-01 00:00")
    book = load_workbook(io.BytesIO(to_xlsx(result, "zh")))
    # the tender has measures: their sheet comes before the chargeable tickets
    assert book.sheetnames == ["对账单", "明细", "履约情况", "考核指标", "收费工单"]
    lines = list(book["明细"].iter_rows(values_only=True))
    assert list(lines[0]) == [LABELS["zh"][column] for column in LINE_COLUMNS]
    amounts = [D(str(row[LINE_COLUMNS.index("amount")])) for row in lines[1:]]
    assert amounts == [D("500"), D("500"), D("600"), D("3500")]
    summary = {row[0]: row[1] for row in book["对账单"].iter_rows(values_only=True) if row[0]}
    assert D(str(summary["应付合计（违约金＋赔偿）"])) == D("4600")
    assert summary["合同"] == "HT-2026-017 v1"


# -- the real command ----------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slaengine", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def demo_statement() -> Statement:
    contract = load_contract(Path(EXAMPLE))
    intake = Intake(contract)
    with open(DEMO, encoding="utf-8") as stream:
        intake.read(stream)
    report = evaluate(contract, intake.events, t("2026-11-01 00:00"), intake.rejected)
    return build_statement(report, Window.month(contract, "2026-10"))


def test_cli_prints_the_demo_month_statement() -> None:
    expected = demo_statement()
    totals = expected.totals()
    result = run("statement", EXAMPLE, DEMO, "--period", "2026-10", "--as-of", DEMO_AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("HT-2026-017", "2026-10", "P-site", "12800.00", "C-costs", "3500.00",
                   "chargeable total", "Compliance", "ack-3min"):  # fmt: skip
        assert needle in out, needle
    assert f"{totals.chargeable:f}" in out
    assert "4 event(s) rejected" in result.stderr
    chinese = run(
        "statement", EXAMPLE, DEMO, "--period", "2026-10", "--as-of", DEMO_AS_OF, "--lang", "zh"
    )
    assert "应付合计" in chinese.stdout and "每超时10分钟" in chinese.stdout


def test_cli_json_totals_are_sums_of_the_lines() -> None:
    result = run(
        "statement", EXAMPLE, DEMO, "--period", "2026-10", "--as-of", DEMO_AS_OF, "-f", "json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    counted = [x for x in data["penalties"] if not x["waived"]]
    penalties = sum((D(x["amount"]) for x in counted), D(0))
    penalties += sum((D(x["amount"]) for x in data["adjustments"]), D(0))
    compensation = sum((D(x["amount"]) for x in data["compensation"] if not x["waived"]), D(0))
    assert data["totals"]["penalties"] == f"{penalties:.2f}"
    assert data["totals"]["compensation"] == f"{compensation:.2f}" == "3500.00"
    assert data["totals"]["chargeable"] == f"{penalties + compensation:.2f}"
    assert {x["clause"] for x in data["penalties"]} >= {"P-ack", "P-onsite", "P-site"}
    assert all(isinstance(x["amount"], str) for x in data["penalties"])


def test_cli_writes_csv_and_xlsx_that_a_spreadsheet_opens(tmp_path: Path) -> None:
    expected = demo_statement()
    csv_file = tmp_path / "october.csv"
    args = ("statement", EXAMPLE, DEMO, "--period", "2026-10", "--as-of", DEMO_AS_OF)
    result = run(*args, "--format", "csv", "--lang", "zh", "--output", str(csv_file))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"), newline="")))
    header = [LABELS["zh"][column] for column in LINE_COLUMNS]
    assert rows[0][3:] == header
    assert len(rows) - 1 == len(expected.charges.lines())
    totals = run(*args, "--format", "csv", "--table", "totals")
    assert totals.returncode == 0, totals.stderr
    table = list(csv.reader(io.StringIO(totals.stdout.lstrip("\ufeff"))))
    assert table[0] == ["contract", "period", "currency", "item", "amount"]
    assert ["HT-2026-017", "2026-10", "CNY", "penalties charged", "27140.00"] in table
    xlsx_file = tmp_path / "october.xlsx"
    result = run(*args, "--format", "xlsx", "--lang", "zh", "--output", str(xlsx_file))
    assert result.returncode == 0, result.stderr
    book = load_workbook(xlsx_file)
    sheet = list(book["明细"].iter_rows(values_only=True))
    assert list(sheet[0]) == header
    amounts = sum((D(str(row[LINE_COLUMNS.index("amount")])) for row in sheet[1:]), D(0))
    totals = expected.totals()
    assert amounts == totals.penalties_before_caps + totals.compensation + totals.cap_adjustments


def test_cli_needs_a_file_for_xlsx_and_a_period() -> None:
    result = run("statement", EXAMPLE, DEMO, "--period", "2026-10", "--format", "xlsx")
    assert result.returncode == 2
    assert "--output" in result.stderr
    result = run("statement", EXAMPLE, DEMO)
    assert result.returncode == 2
    assert "--period" in result.stderr
    result = run("statement", EXAMPLE, DEMO, "--from", "2026-10-31", "--to", "2026-10-01")
    assert result.returncode == 2
    assert "before" in result.stderr


def test_cli_as_of_defaults_to_now(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    events = tmp_path / "march.jsonl"
    events.write_text("\n".join(json.dumps(x) for x in march().raw) + "\n", encoding="utf-8")
    monkeypatch.setattr(common, "CLOCK", FixedClock(t("2026-03-06 10:40")))
    result = CliRunner().invoke(
        app, ["statement", EXAMPLE, str(events), "--from", "2026-03-01", "--to", "2026-03-31",
              "-f", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-03-06T10:40:00+08:00"
    assert data["complete"] is False
    assert data["totals"]["provisional"] == "200.00"
