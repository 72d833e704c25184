"""Disputes of penalty and compensation lines (docs/disputes.md): filed with evidence, decided,
and followed by every total — through the store (SQLite and PostgreSQL), the HTTP API, the
console's forms and the real CLI; the audit chain still verifies after them."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from slaengine.api.auth import Auth
from slaengine.api.problems import BodyLimits
from slaengine.audit import trail
from slaengine.audit.trail import Actor
from slaengine.clock import FixedClock
from slaengine.evaluate import evaluate
from slaengine.penalties import Window, build_statement
from slaengine.penalties.disputes import line_reference, waiver_attrs
from slaengine.penalties.export import LINE_COLUMNS, to_csv
from slaengine.penalties.lines import CLOCK, PENALTY, Line
from slaengine.server import create_app
from slaengine.service import LiveService
from slaengine.store import Store
from slaengine.store import disputes as store_disputes
from slaengine.store.disputes import DisputeError, Upload, sniff

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "example-tender.yaml"
MONTH = REPO / "examples" / "demo-month.jsonl"
CID = "HT-2026-017"
#: T-006 answered 2 min 8 s late: one 500.00 line of clause P-ack.
LINE = "P-ack/T-006/ack-3min/1"
#: T-008, answered late too: the line whose dispute is rejected.
OTHER = "P-ack/T-008/ack-3min/1"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
CLI = [sys.executable, "-m", "slaengine"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SUPPLIER = Actor("Zhang (supplier)", "cli", "test")
MANAGER = Actor("Li (contract manager)", "cli", "test")


# -- the pure parts --------------------------------------------------------------------------


def test_evidence_is_told_by_its_bytes_not_its_name() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(PNG) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest-of-a-jpeg") == "image/jpeg"
    assert sniff("录音显示来电方挂断。\nThe caller hung up.\n".encode()) == "text/plain"
    assert sniff(b"\x7fELF\x02\x01\x01\x00") is None  # a program named evidence.pdf
    assert sniff(b"PK\x03\x04zip") is None
    assert sniff(b"text with a NUL \x00 inside") is None
    assert sniff(b"\xff\xfe not utf-8") is None
    assert sniff(b"   \n") is None
    assert store_disputes.clean_name('../../etc/pass\x00wd"x.txt') == "pass_wd_x.txt"
    assert store_disputes.clean_name("C:\\Users\\a\\录音.pdf") == "录音.pdf"


def _clock_line(occurrence: int, start_key: str) -> Line:
    at = datetime(2026, 10, 6, tzinfo=UTC)
    key = f"T-1/visit/1#{occurrence}" if occurrence else "T-1/visit/1"
    return Line(
        id=f"P-visit/{key}", section=PENALTY, clause="P-visit", kind="fixed", source=CLOCK,
        occurred_at=at, billed_at=at, contract_year=1, amount=Decimal("100.00"),
        formula_en="100.00", formula_zh="100.00", ticket="T-1", commitment="visit", cycle=1,
        start_key=start_key, occurrence=occurrence,
    )  # fmt: skip


def test_a_line_reference_survives_the_renumbering_of_starts() -> None:
    # the second start of a per-start commitment, numbered #2 ...
    second = _clock_line(2, "E-17")
    # ... becomes #3 when a late event adds an earlier start: same start, same reference
    renumbered = _clock_line(3, "E-17")
    assert second.id != renumbered.id
    assert line_reference(second) == line_reference(renumbered) == "P-visit/T-1/visit/1@E-17"
    assert line_reference(_clock_line(0, "")) == "P-visit/T-1/visit/1"
    # the waiver names the start itself too, which a late event cannot renumber
    assert waiver_attrs(second) == {
        "commitment": "visit", "cycle": 1, "clause": "P-visit", "occurrence": 2, "start": "E-17",
    }  # fmt: skip


# -- the store, on SQLite and PostgreSQL -------------------------------------------------------


def _served(url: str, clock: FixedClock) -> tuple[Store, LiveService]:
    store = Store.open(url, clock)
    store.load_contract(CONTRACT.read_text("utf-8"), CONTRACT, datetime(2026, 1, 15).date())
    service = LiveService(store, clock, environ={})
    service.ingest(list(enumerate(MONTH.read_bytes().splitlines(), 1)), "demo", raw=True)
    return store, service


def _statement(store: Store, as_of: datetime) -> tuple[object, object]:
    """October's statement judged from the store's events at ``as_of``, with its disputes."""
    from dataclasses import replace

    from slaengine.contract import load_contract

    contract = load_contract(CONTRACT)
    report = evaluate(contract, store.contract_events(CID), as_of)
    statement = build_statement(report, Window.month(contract, "2026-10"))
    return replace(statement, disputes=store_disputes.marks_of_store(store, CID)), contract


@pytest.mark.postgres
def test_the_disputes_store_from_filing_to_decision(db_url: str) -> None:
    clock = FixedClock(T0)
    store, service = _served(db_url, clock)
    try:
        before, _ = _statement(store, T0)
        chargeable = before.totals().chargeable  # type: ignore[attr-defined]
        with pytest.raises(DisputeError) as missing:
            store_disputes.file_dispute(store, CID, "P-ack/T-999/ack-3min/1", "x", SUPPLIER)
        assert missing.value.status == 404 and "T-999" in missing.value.error
        with pytest.raises(DisputeError) as no_reason:
            store_disputes.file_dispute(store, CID, LINE, "  ", SUPPLIER)
        assert (no_reason.value.status, no_reason.value.field) == (422, "reason")

        clock.advance(timedelta(days=2))
        note = Upload("通话记录.txt", "来电方在 2 分钟时挂断。\n".encode())
        filed = store_disputes.file_dispute(store, CID, LINE, "the caller hung up", SUPPLIER,
                                            [note, Upload("call.pdf", PDF)])  # fmt: skip
        assert (filed.state, filed.amount, filed.reference) == ("open", "500.00", LINE)
        with pytest.raises(DisputeError) as again:
            store_disputes.file_dispute(store, CID, LINE, "once more", SUPPLIER)
        assert again.value.status == 409 and f"dispute {filed.id} is open" in again.value.error
        with pytest.raises(DisputeError) as wrong:
            store_disputes.add_evidence(store, filed.id, SUPPLIER, [Upload("x.pdf", b"MZ\x90")])
        assert wrong.value.status == 415 and "'x.pdf'" in wrong.value.error
        store_disputes.add_evidence(store, filed.id, SUPPLIER, [Upload("screen.png", PNG)])

        # several serve processes share a store: the files are in it, with their hashes
        with store.sessions() as session:
            kept = store_disputes.evidence_of(session, [filed.id])[filed.id]
            assert [(e.name, e.media_type) for e in kept] == [
                ("通话记录.txt", "text/plain"), ("call.pdf", "application/pdf"),
                ("screen.png", "image/png"),
            ]  # fmt: skip
            pdf = store_disputes.evidence_file(session, filed.id, kept[1].id)
            assert pdf is not None and pdf.content == PDF
            assert store_disputes.evidence_file(session, filed.id + 1, kept[1].id) is None

        # the open dispute marks the line; the amount still counts
        open_statement, _ = _statement(store, clock.now())
        assert open_statement.totals().chargeable == chargeable  # type: ignore[attr-defined]
        ((line, mark),) = open_statement.disputed()  # type: ignore[attr-defined]
        assert (line.id, mark.state, mark.number) == (LINE, "open", filed.id)

        other = store_disputes.file_dispute(store, CID, OTHER, "late by seconds only", SUPPLIER)
        rejected = store_disputes.decide(store, other.id, False, "late is late", MANAGER)
        assert (rejected.dispute.state, rejected.tickets) == ("rejected", set())
        with pytest.raises(DisputeError) as twice:
            store_disputes.decide(store, other.id, True, "changed my mind", MANAGER)
        assert twice.value.status == 409

        clock.advance(timedelta(days=1))
        accepted = store_disputes.decide(store, filed.id, True, "recording confirms", MANAGER)
        assert accepted.dispute.state == "accepted"
        assert accepted.dispute.waiver_event == f"dispute-{filed.id}-accepted"
        assert accepted.tickets == {(CID, "T-006")}
        service.evaluate_tickets_now(accepted.tickets)
        with store.sessions() as session:
            (row,) = [r for r in store_disputes.listed(session, CID) if r.id == filed.id]
            assert row.open_key is None
            stored = store_disputes.current_line(session, row)
        assert stored is not None and stored.waived
        assert stored.waiver_reason == "dispute 1 accepted: recording confirms"

        after, _ = _statement(store, clock.now())
        assert after.totals().chargeable == chargeable - Decimal("500.00")  # type: ignore[attr-defined]
        marks = {line.id: mark.state for line, mark in after.disputed()}  # type: ignore[attr-defined]
        assert marks == {LINE: "accepted", OTHER: "rejected"}

        # a decided line may be contested again (the rejected one); the waived one may not
        again_filed = store_disputes.file_dispute(store, CID, OTHER, "new evidence", SUPPLIER)
        assert again_filed.state == "open"
        with pytest.raises(DisputeError) as waived:
            store_disputes.file_dispute(store, CID, LINE, "x", SUPPLIER)
        assert waived.value.status == 409 and "already waived" in waived.value.error

        with store.sessions() as session:
            kinds = [r.kind for r in trail.records(session, trail.Filters())]
            verdict = trail.verify(session)
        assert kinds == [
            "contract_loaded", "dispute_filed", "dispute_evidence_added", "dispute_filed",
            "dispute_rejected", "waiver", "dispute_accepted", "dispute_filed",
        ]  # fmt: skip
        assert verdict.ok, verdict.problems
    finally:
        store.close()


@pytest.mark.postgres
def test_two_filings_at_once_open_one_dispute(pg_url: str) -> None:
    clock = FixedClock(T0)
    store, _ = _served(pg_url, clock)
    try:
        outcomes: list[object] = []
        start = threading.Barrier(4)

        def file_one(n: int) -> None:
            start.wait()
            try:
                outcomes.append(
                    store_disputes.file_dispute(store, CID, LINE, f"try {n}", SUPPLIER).id
                )
            except DisputeError as exc:
                outcomes.append(exc.status)

        threads = [threading.Thread(target=file_one, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(map(str, outcomes)).count("409") == 3, outcomes
        with store.sessions() as session:
            assert len(store_disputes.listed(session, CID, "open")) == 1
            assert trail.verify(session).ok
    finally:
        store.close()


def test_a_disputes_files_together_are_bounded(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    store, _ = _served(f"sqlite:///{tmp_path / 's.db'}", clock)
    try:
        big = b"a" * store_disputes.FILE_BYTES
        with pytest.raises(DisputeError) as one:
            store_disputes.file_dispute(
                store, CID, LINE, "x", SUPPLIER, [Upload("a.txt", big + b"a")]
            )
        assert one.value.status == 413 and "'a.txt'" in one.value.error
        files = [Upload(f"{n}.txt", big) for n in range(4)]  # 20 MiB: the most a dispute holds
        filed = store_disputes.file_dispute(store, CID, LINE, "x", SUPPLIER, files)
        with pytest.raises(DisputeError) as more:
            store_disputes.add_evidence(store, filed.id, SUPPLIER, [Upload("e.txt", b"e")])
        assert more.value.status == 413 and "together" in more.value.error
    finally:
        store.close()


# -- the HTTP API and the console ---------------------------------------------------------------

OP = {"Authorization": "Bearer op"}
VIEW = {"Authorization": "Bearer view"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Store, FixedClock]]:
    clock = FixedClock(T0)
    store, service = _served(f"sqlite:///{tmp_path / 'demo.db'}", clock)
    auth = Auth(operator="op", viewer="view", clock=clock)
    app = create_app(store, clock, service=service, auth=auth)
    yield TestClient(app, follow_redirects=False), store, clock
    store.close()


def _file(client: TestClient, line: str, files: list[tuple[str, bytes]], **more: str) -> object:
    return client.post(
        "/disputes",
        data={"contract": CID, "line": line, "reason": "the caller hung up", "by": "Zhang",
              **more},
        files=[("evidence", (name, data, "application/octet-stream")) for name, data in files],
        headers=OP,
    )  # fmt: skip


def test_the_api_files_decides_and_every_total_follows(
    served: tuple[TestClient, Store, FixedClock],
) -> None:
    client, store, clock = served
    assert client.get("/disputes", headers=VIEW).json() == []
    assert client.get("/disputes").status_code == 401
    refused = client.post(
        "/disputes", data={"contract": CID, "line": LINE, "reason": "x"}, files=[], headers=VIEW
    )
    assert refused.status_code == 403
    not_multipart = client.post("/disputes", json={"contract": CID}, headers=OP)
    assert (
        not_multipart.status_code == 415 and "multipart/form-data" in not_multipart.json()["error"]
    )
    unknown = _file(client, "P-ack/T-999/ack-3min/1", [])
    assert unknown.status_code == 404 and unknown.json()["field"] == "line"

    clock.advance(timedelta(days=2))
    filed = _file(client, LINE, [("note.txt", "录音：来电方挂断。\n".encode())])
    assert filed.status_code == 201, filed.text
    dispute = filed.json()
    assert (dispute["state"], dispute["line"], dispute["amount"], dispute["filed_by"]) == (
        "open", LINE, "500.00", "Zhang"
    )  # fmt: skip
    (evidence,) = dispute["evidence"]
    assert (evidence["name"], evidence["type"]) == ("note.txt", "text/plain")
    assert _file(client, LINE, []).status_code == 409

    # visible on the line (GET /penalties), by anyone signed in
    lines = client.get(f"/penalties?contract={CID}&ticket=T-006", headers=VIEW).json()
    (line,) = [x for x in lines if x["id"] == LINE]
    assert line["dispute"]["state"] == "open" and line["dispute"]["dispute"] == dispute["id"]
    others = client.get(f"/penalties?contract={CID}&ticket=T-008", headers=VIEW).json()
    assert all(x["dispute"] is None for x in others)

    # the evidence comes back as a download, never shown inline
    got = client.get(evidence["url"], headers=VIEW)
    assert got.status_code == 200 and got.content == "录音：来电方挂断。\n".encode()
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-disposition"].startswith('attachment; filename="note.txt"')
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert client.get(f"/disputes/{dispute['id'] + 1}/evidence/{evidence['id']}",
                      headers=VIEW).status_code == 404  # fmt: skip
    more = client.post(
        f"/disputes/{dispute['id']}/evidence",
        files=[("evidence", ("shot.png", PNG, "image/png"))],
        headers=OP,
    )
    assert more.status_code == 201 and len(more.json()["evidence"]) == 2

    # the customer confirms October's statement while the dispute is open
    client.post("/login", data={"token": "op", "next": "/"})
    form = {"contract": CID, "period": "2026-10", "by": "Chen", "party": "customer"}
    assert client.post("/console/money/confirm", data=form).status_code == 303
    money = client.get("/console/money?period=2026-10&lang=en").text
    assert "unchanged since" in money and f'data-dispute="{dispute["id"]}"' in money
    assert "1 open disputes" in money
    client.cookies.clear()

    # a reject of another line changes no money
    other = _file(client, OTHER, []).json()
    bad = client.post(f"/disputes/{other['id']}/decision", json={"decision": "maybe"},
                      headers=OP)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "decision"
    assert (
        client.post(
            f"/disputes/{other['id']}/decision",
            json={"decision": "reject", "reason": "x"},
            headers=VIEW,
        ).status_code
        == 403
    )
    no = client.post(f"/disputes/{other['id']}/decision",
                     json={"decision": "reject", "reason": "late is late", "by": "Li"},
                     headers=OP)  # fmt: skip
    assert no.status_code == 200 and no.json()["state"] == "rejected"
    assert no.json()["decision_reason"] == "late is late"
    client.post("/login", data={"token": "view", "next": "/"})
    assert "unchanged since" in client.get("/console/money?period=2026-10&lang=en").text
    client.cookies.clear()

    clock.advance(timedelta(days=1))
    yes = client.post(f"/disputes/{dispute['id']}/decision",
                      json={"decision": "accept", "reason": "recording confirms", "by": "Li"},
                      headers=OP)  # fmt: skip
    assert yes.status_code == 200, yes.text
    assert (yes.json()["state"], yes.json()["waiver_event"]) == (
        "accepted", f"dispute-{dispute['id']}-accepted"
    )  # fmt: skip
    assert (
        client.post(
            f"/disputes/{dispute['id']}/decision",
            json={"decision": "reject", "reason": "x"},
            headers=OP,
        ).status_code
        == 409
    )
    closed = client.post(
        f"/disputes/{dispute['id']}/evidence",
        files=[("evidence", ("x.txt", b"x", "text/plain"))],
        headers=OP,
    )
    assert closed.status_code == 409

    # the line is waived in the store (judged right away: this process has no judge lane) ...
    (line,) = [x for x in client.get(f"/penalties?contract={CID}&ticket=T-006",
                                     headers=VIEW).json() if x["id"] == LINE]  # fmt: skip
    assert line["waived"] and line["dispute"]["state"] == "accepted"
    # ... the money page, the confirmed statement's check and the downloads follow
    client.post("/login", data={"token": "view", "next": "/"})
    money = client.get("/console/money?period=2026-10&lang=en").text
    assert "changed since, lines that differ: 1" in money and "500.00 (waived)" in money
    assert "0 open disputes" in money
    raw = client.get("/console/money/statement?period=2026-10&format=csv&lang=en").content
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    column = rows[0].index("dispute")
    marked = {row[rows[0].index("ticket")]: row[column] for row in rows[1:] if row[column]}
    assert set(marked) == {"T-006", "T-008"}
    assert marked["T-006"].startswith(f"[{dispute['id']}] dispute accepted")
    assert "late is late" in marked["T-008"]
    book = load_workbook(io.BytesIO(client.get(
        "/console/money/statement?period=2026-10&format=xlsx&lang=zh").content))  # fmt: skip
    sheet = [[cell.value for cell in row] for row in book["明细"].iter_rows()]
    assert sheet[0][-1] == "异议" and sheet[0][sheet[0].index("状态")] == "状态"
    (waived,) = [row for row in sheet[1:] if row[sheet[0].index("工单")] == "T-006"]
    assert "有异议 (已接受) [1]" in waived[sheet[0].index("状态")]
    assert waived[-1].startswith("[1] 异议成立：该明细已豁免")
    listed = client.get(f"/disputes?contract={CID}&state=open", headers=VIEW).json()
    assert listed == []
    assert len(client.get(f"/disputes?contract={CID}", headers=VIEW).json()) == 2
    assert client.get("/disputes?state=closed", headers=VIEW).status_code == 422

    with store.sessions() as session:
        kinds = [r.kind for r in trail.records(session, trail.Filters()) if r.kind != "signed_in"]
        assert trail.verify(session).ok
    assert kinds[-7:] == [
        "dispute_filed", "dispute_evidence_added", "statement_confirmed", "dispute_filed",
        "dispute_rejected", "waiver", "dispute_accepted",
    ]  # fmt: skip


def test_evidence_over_the_limits_or_of_another_type_is_refused_clearly(
    served: tuple[TestClient, Store, FixedClock],
) -> None:
    client, store, _ = served
    too_big = _file(client, LINE, [("big.txt", b"a" * (store_disputes.FILE_BYTES + 1))])
    assert too_big.status_code == 413
    assert too_big.json()["error"] == (
        f"evidence 'big.txt': {store_disputes.FILE_BYTES + 1:,} bytes, at most "
        f"{store_disputes.FILE_BYTES:,} per file"
    )
    disguised = _file(client, LINE, [("contract.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64)])
    assert disguised.status_code == 415
    assert "'contract.pdf'" in disguised.json()["error"]
    assert "told by the bytes" in disguised.json()["error"]
    many = _file(client, LINE, [(f"{n}.txt", b"x") for n in range(11)])
    assert many.status_code in (400, 413)
    with store.sessions() as session:  # nothing was kept of the refused filings
        assert store_disputes.listed(session) == []


def test_the_upload_limit_is_the_upload_paths_own(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    store, service = _served(f"sqlite:///{tmp_path / 'l.db'}", clock)
    try:
        limits = BodyLimits(upload_bytes=50_000)
        app = create_app(store, clock, service=service, auth=Auth(operator="op", clock=clock),
                         limits=limits)  # fmt: skip
        client = TestClient(app, follow_redirects=False)
        over = _file(client, LINE, [("a.txt", b"a" * 60_000)])
        assert over.status_code == 413 and "at most 50,000 here" in over.json()["error"]
        assert _file(client, LINE, [("a.txt", b"a" * 40_000)]).status_code == 201
        # a console form elsewhere keeps its 8 KB
        client.post("/login", data={"token": "op", "next": "/"})
        form = {"contract": CID, "period": "2026-10", "by": "x" * 9000, "party": "customer"}
        assert client.post("/console/money/confirm", data=form).status_code == 413
        decide = client.post(
            "/console/disputes/1/decide",
            data={"decision": "reject", "reason": "x" * 9000, "by": "Li"},
        )
        assert decide.status_code == 413
    finally:
        store.close()


def test_every_dispute_route_documents_its_answers(
    served: tuple[TestClient, Store, FixedClock],
) -> None:
    client, _, _ = served
    paths = client.get("/openapi.json").json()["paths"]
    wanted = {
        ("/disputes", "post"): {"201", "401", "403", "404", "409", "413", "415", "422", "429"},
        ("/disputes/{dispute_id}/evidence", "post"): {"201", "403", "404", "409", "413", "415"},
        ("/disputes", "get"): {"200", "401", "422"},
        ("/disputes/{dispute_id}", "get"): {"200", "401", "404"},
        ("/disputes/{dispute_id}/evidence/{evidence_id}", "get"): {"200", "404"},
        ("/disputes/{dispute_id}/decision", "post"): {"200", "403", "404", "409", "422"},
    }
    for (path, method), codes in wanted.items():
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, method, operation["responses"])
        assert operation["tags"] == ["disputes"] and operation["description"]
    body = paths["/disputes"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["evidence"]["maxItems"] == store_disputes.MOST_FILES


def test_the_console_forms_file_and_decide(served: tuple[TestClient, Store, FixedClock]) -> None:
    client, store, _ = served
    ticket = f"/console/tickets/{CID}/T-006?lang=en"
    client.post("/login", data={"token": "view", "next": "/"})
    assert 'action="/console/disputes"' not in client.get(ticket).text  # a viewer cannot file
    assert client.post("/console/disputes", data={"line": LINE}).status_code == 403
    client.cookies.clear()
    client.post("/login", data={"token": "op", "next": "/"})
    page = client.get(ticket).text
    assert 'action="/console/disputes"' in page and 'enctype="multipart/form-data"' in page
    assert "Contest this line" in page and "对此明细提出异议" in client.get(
        f"/console/tickets/{CID}/T-006?lang=zh").text  # fmt: skip
    form = {"contract": CID, "line": LINE, "reason": "来电方挂断", "by": "张工",
            "back": f"/console/tickets/{CID}/T-006"}  # fmt: skip
    wrong = client.post(
        "/console/disputes",
        data=form,
        files=[("evidence", ("a.pdf", b"MZ\x90\x00", "application/pdf"))],
    )
    assert wrong.status_code == 415 and "PDF, PNG, JPEG" in wrong.text
    done = client.post(
        "/console/disputes", data=form, files=[("evidence", ("call.pdf", PDF, "application/pdf"))]
    )
    assert done.status_code == 303 and done.headers["location"] == f"/console/tickets/{CID}/T-006"
    page = client.get(ticket).text
    assert "Dispute 1: open" in page and "来电方挂断" in page
    disputes = client.get(f"/console/disputes?contract={CID}&lang=zh").text
    assert "待处理" in disputes and 'action="/console/disputes/1/decide"' in disputes
    assert "call.pdf" in disputes and "/disputes/1/evidence/1" in disputes
    assert (
        client.post(
            "/console/disputes/1/decide", data={"decision": "accept", "reason": "", "by": "Li"}
        ).status_code
        == 422
    )
    decided = client.post(
        "/console/disputes/1/decide",
        data={"decision": "accept", "reason": "录音属实", "by": "李经理"},
    )
    assert decided.status_code == 303 and decided.headers["location"].endswith("#d1")
    disputes = client.get(f"/console/disputes?contract={CID}&lang=zh").text
    assert "已接受" in disputes and "录音属实" in disputes and "/decide" not in disputes
    money = client.get("/console/money?period=2026-10&lang=zh").text
    assert 'data-dispute="1"' in money and "已接受" in money
    again = client.post(
        "/console/disputes/1/decide", data={"decision": "reject", "reason": "x", "by": "Li"}
    )
    assert again.status_code == 409
    with store.sessions() as session:
        (record,) = trail.records(session, trail.Filters(kind="dispute_accepted"))
        assert (record.who, record.via) == ("李经理", "console")


# -- the CLI, as a user runs it -------------------------------------------------------------------


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


@pytest.mark.skipif(
    not shutil.which("pdftotext") and os.environ.get("CI") != "true",
    reason="poppler-utils (pdftotext) is not installed",
)
def test_the_cli_files_confirms_decides_and_the_statement_says_it_changed(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "cli.db")
    assert _run("contract", "load", str(CONTRACT), "--db", db, cwd=tmp_path).returncode == 0
    assert _run("ingest", str(MONTH), "--db", db, cwd=tmp_path).returncode == 0
    listed = json.loads(_run("dispute", "list", "--db", db, "--lines", "--contract", CID,
                             "--ticket", "T-006", "-f", "json", cwd=tmp_path).stdout)  # fmt: skip
    assert [x["line"] for x in listed] == [LINE] and listed[0]["dispute"] is None

    note = tmp_path / "note.txt"
    note.write_text("The caller hung up after 2 minutes.\n", encoding="utf-8")
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip named pdf")
    missing = _run("dispute", "file", CID, "P-ack/T-999/ack-3min/1", "--reason", "x",
                   "--db", db, cwd=tmp_path)  # fmt: skip
    assert missing.returncode == 1 and "no line 'P-ack/T-999/ack-3min/1'" in missing.stderr
    typed = _run("dispute", "file", CID, LINE, "--reason", "x", "--evidence", str(fake),
                 "--db", db, cwd=tmp_path)  # fmt: skip
    assert (
        typed.returncode == 2 and "'scan.pdf'" in typed.stderr and "Traceback" not in typed.stderr
    )
    filed = _run("dispute", "file", CID, LINE, "--reason", "the caller hung up", "--evidence",
                 str(note), "--by", "Zhang (supplier)", "--db", db, cwd=tmp_path)  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    assert "dispute 1 filed" in filed.stdout
    twice = _run("dispute", "file", CID, LINE, "--reason", "again", "--db", db, cwd=tmp_path)
    assert twice.returncode == 2 and "dispute 1 is open already" in twice.stderr
    other = _run("dispute", "file", CID, OTHER, "--reason", "seconds only", "--db", db,
                 cwd=tmp_path)  # fmt: skip
    assert other.returncode == 0 and "dispute 2 filed" in other.stdout

    period = ["--period", "2026-10"]
    confirmed = _run("statement", "confirm", str(CONTRACT), "--db", db, *period, "--by", "Wang",
                     "-o", str(tmp_path / "confirmed.pdf"), cwd=tmp_path)  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    table = _run("statement", str(CONTRACT), "--db", db, *period, cwd=tmp_path)
    assert "disputed [1]" in table.stdout and "disputed [2]" in table.stdout
    assert "[1] disputed, not decided yet — filed by Zhang (supplier)" in table.stdout

    rejected = _run("dispute", "decide", "2", "reject", "--reason", "late is late", "--by", "Li",
                    "--db", db, cwd=tmp_path)  # fmt: skip
    assert rejected.returncode == 0 and "dispute 2 rejected by Li" in rejected.stdout
    same = _run("statement", str(CONTRACT), "--db", db, *period, "-f", "pdf", "-o",
                str(tmp_path / "same.pdf"), cwd=tmp_path)  # fmt: skip
    assert "unchanged since" in same.stderr, same.stderr

    accepted = _run("dispute", "decide", "1", "accept", "--reason", "recording confirms",
                    "--by", "Li", "--db", db, cwd=tmp_path)  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
    assert "waived (event dispute-1-accepted)" in accepted.stdout
    later = tmp_path / "later.pdf"
    changed = _run("statement", str(CONTRACT), "--db", db, *period, "-f", "pdf", "-o",
                   str(later), cwd=tmp_path)  # fmt: skip
    assert "changed since: 1 line(s) differ" in changed.stderr, changed.stderr
    assert f"{LINE}: 500.00 -> 500.00 (waived)" in changed.stderr
    text = subprocess.run(["pdftotext", "-layout", str(later), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Disputed lines." in text and "[1] dispute accepted: the line is waived" in text
    assert "[2] dispute rejected: the line stands" in text
    as_json = json.loads(_run("statement", str(CONTRACT), "--db", db, *period, "-f", "json",
                              cwd=tmp_path).stdout)  # fmt: skip
    assert [(d["line"], d["state"]) for d in as_json["disputes"]] == [
        (LINE, "accepted"), (OTHER, "rejected")
    ]  # fmt: skip
    (standing,) = as_json["confirmations"]
    assert standing["changed"] and standing["differences"] == [
        {"line": LINE, "confirmed": "500.00", "now": "500.00 (waived)"}
    ]
    shown = json.loads(_run("dispute", "show", "1", "--db", db, "-f", "json",
                            cwd=tmp_path).stdout)  # fmt: skip
    assert shown["state"] == "accepted" and shown["evidence"][0]["name"] == "note.txt"
    bad = _run("dispute", "decide", "1", "maybe", "--reason", "x", "--db", db, cwd=tmp_path)
    assert bad.returncode == 2
    assert _run("dispute", "show", "9", "--db", db, cwd=tmp_path).returncode == 1
    verified = _run("audit", "verify", "--db", db, cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    kinds = [r["kind"] for r in json.loads(
        _run("audit", "list", "--db", db, "-f", "json", cwd=tmp_path).stdout)]  # fmt: skip
    assert kinds == ["contract_loaded", "dispute_filed", "dispute_filed", "statement_confirmed",
                     "dispute_rejected", "waiver", "dispute_accepted"]  # fmt: skip


def test_statement_files_mark_disputed_lines_without_a_store() -> None:
    """The CSV's dispute column is empty for a statement judged from a file (no store)."""
    from slaengine.contract import load_contract
    from slaengine.events import read_jsonl

    contract = load_contract(CONTRACT)
    with MONTH.open("rb") as stream:
        events = read_jsonl(stream, contract).events
    statement = build_statement(evaluate(contract, events, T0), Window.month(contract, "2026-10"))
    rows = list(csv.reader(io.StringIO(to_csv(statement, "en").decode("utf-8-sig"))))
    assert rows[0][-1] == "dispute" and LINE_COLUMNS[-1] == "dispute"
    assert all(row[-1] == "" for row in rows[1:])
    assert "disputes" not in statement.to_json()


def test_accepting_waives_a_contract_wide_line_and_a_compensation_line(tmp_path: Path) -> None:
    """The waiver of an accepted dispute covers exactly its line, whatever it was charged for:
    a site violation of no ticket (an event clause) and a cost claim paid as compensation."""
    clock = FixedClock(T0)
    store, service = _served(f"sqlite:///{tmp_path / 'w.db'}", clock)
    try:
        service.run_due()  # the duties pass stores the lines of no ticket
        site, costs = "P-site/event/C-02", "C-costs/T-COSTS/ack-3min/1/T-COSTS-05"
        before, _ = _statement(store, T0)
        totals = before.totals()  # type: ignore[attr-defined]
        clock.advance(timedelta(days=3))
        for line in (site, costs):
            filed = store_disputes.file_dispute(store, CID, line, "not ours", SUPPLIER)
            decided = store_disputes.decide(store, filed.id, True, "agreed", MANAGER)
            assert decided.dispute.state == "accepted"
        assert decided.tickets == {(CID, "T-COSTS")}
        after, _ = _statement(store, clock.now())
        waived = {x.id for x in after.charges.lines() if x.waived}  # type: ignore[attr-defined]
        assert {site, costs} <= waived
        now = after.totals()  # type: ignore[attr-defined]
        assert now.penalties_before_caps == totals.penalties_before_caps - Decimal("12800.00")
        assert now.compensation == totals.compensation - Decimal("3500.00")
        assert not after.charges.unapplied_waivers  # type: ignore[attr-defined]
        service.run_due()  # the duties pass prices the line of no ticket again: now waived
        with store.sessions() as session:
            (row,) = store_disputes.listed(session, CID, ticket=None, state="accepted")[1:]
            line = store_disputes.current_line(session, row)
            assert line is not None and line.id == site and line.waived
            assert trail.verify(session).ok
    finally:
        store.close()


def test_an_accepted_disputes_waiver_stays_with_its_start_when_a_late_event_renumbers() -> None:
    """A dispute refers to a per-start clock's line by its start event; the waiver its
    acceptance stores names that start too, so a late start that renumbers the occurrences
    leaves the waiver on the disputed breach, not on whichever is now ``#2``."""
    from datetime import UTC, datetime

    from slaengine.events import Event
    from slaengine.penalties.disputes import waiver_attrs
    from slaengine.penalties.lines import CLOCK, Line, Trigger
    from slaengine.penalties.waivers import Waiver

    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    disputed = Line(id="P-x/T1/c/1#2", section="penalty", clause="P-x", kind="fixed",
                    source=CLOCK, occurred_at=at, billed_at=at, contract_year=1, amount=None,
                    formula_en="", formula_zh="", ticket="T1", commitment="c", cycle=1,
                    occurrence=2, start_key="E-7")  # fmt: skip
    attrs = {**waiver_attrs(disputed), "reason": "accepted", "by": "manager"}
    assert attrs["start"] == "E-7" and attrs["occurrence"] == 2
    waiver = Waiver.from_event(
        Event(id="W1", contract="C", ticket="T1", type="breach_waived", at=at, attrs=attrs)
    )

    def trigger(occurrence: int, start: str) -> Trigger:
        return Trigger(source=CLOCK, occurred_at=at, ticket="T1", commitment="c", cycle=1,
                       occurrence=occurrence, start_key=start)  # fmt: skip

    assert waiver.covers(trigger(3, "E-7"), "P-x")  # the disputed start, renumbered
    assert not waiver.covers(trigger(2, "E-9"), "P-x")  # the late start that is now #2
